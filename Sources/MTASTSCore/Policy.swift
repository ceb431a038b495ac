// The policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt, RFC 8461 §3.2.
//
//   sts-policy-record      = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
//   sts-policy-term        = LF / CRLF
//   sts-policy-field-delim = ":" *WSP
//   sts-policy-version     = "version" ":" *WSP %s"STSv1"
//   sts-policy-mode        = "mode" ":" *WSP ("testing" / "enforce" / "none")
//   sts-policy-max-age     = "max_age" ":" *WSP 1*10(DIGIT)          ; at most 31557600 (prose)
//   sts-policy-mx          = "mx" ":" *WSP ["*."] Domain             ; Domain of RFC 5321 §4.1.2
//   sts-policy-extension   = sts-policy-ext-name ":" *WSP sts-policy-ext-value
//
// The parser reads the bytes exactly as served, reports every deviation as a finding, and keeps
// going, so that one run tells an operator everything that is wrong at once.

public enum PolicyMode: String, Sendable, Codable, CaseIterable {
    case enforce, testing, none
}

public struct PolicyResult: Sendable, Hashable, Codable {
    /// No finding of severity `error`: a sender would use this policy.
    public var isValid: Bool { !findings.hasError }
    public var version: String?
    public var mode: PolicyMode?
    public var maxAge: Int?
    /// Every well-formed `mx` pattern, in order (all `mx` lines count, §3.2).
    public var mx: [String]
    public var extensions: [STSRecordResult.KeyValue]
    public var findings: [Finding]
}

public enum PolicyParser {
    /// RFC 8461 §3.2: "maximum value of 31557600".
    public static let maxAgeLimit = 31_557_600
    /// Below a day a policy barely outlives a sender's refresh; worth a warning.
    public static let maxAgeShortBelow = 86_400

    public static func parse(_ body: [UInt8]) -> PolicyResult {
        var result = PolicyResult(version: nil, mode: nil, maxAge: nil, mx: [], extensions: [], findings: [])
        var f: [Finding] = []

        var bytes = body[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            f.append(Finding(.policyBOM))
            bytes = bytes.dropFirst(3)
        }
        if bytes.allSatisfy({ ASCII.isWSP($0) || $0 == ASCII.cr || $0 == ASCII.lf }) {
            f.append(Finding(.policyEmpty, detail: body.isEmpty ? "0 bytes" : "only whitespace"))
            result.findings = f
            return result
        }

        let lines = splitLines(bytes, findings: &f)

        // Lines as the grammar sees them. A blank line anywhere, or a second final terminator,
        // does not match the ABNF; senders skip it, so it is a warning.
        var seenKeys = Set<String>()
        var blankLines = 0, firstBlank = 0
        var fieldIndex = 0
        var badPatterns: [String] = []
        for (n, line) in lines.enumerated() {
            let lineNo = n + 1
            if line.allSatisfy(ASCII.isWSP) {
                // The last "line" after a final terminator is empty by construction; skip it.
                if n == lines.count - 1 && line.isEmpty { continue }
                blankLines += 1
                if firstBlank == 0 { firstBlank = lineNo }
                continue
            }
            var content = line
            if let first = content.first, ASCII.isWSP(first) {
                f.append(Finding(.policyLeadingWhitespace, detail: "line \(lineNo)"))
                content = content.drop(while: ASCII.isWSP)
            }
            // Trailing WSP is allowed by the grammar (`sts-policy-field *WSP`).
            while let last = content.last, ASCII.isWSP(last) { content = content.dropLast() }

            guard let colon = content.firstIndex(of: ASCII.colon) else {
                f.append(Finding(.policyMalformedLine, detail: "line \(lineNo): no ':' in '\(excerpt(content))'"))
                continue
            }
            let key = content[content.startIndex..<colon]
            let value = content[(colon + 1)...].drop(while: ASCII.isWSP)
            guard STSRecordParser.isExtName(key) else {
                f.append(Finding(.policyMalformedLine, detail: "line \(lineNo): '\(excerpt(key))' is not a field name"))
                continue
            }
            let keyText = String(lossyBytes: key)
            fieldIndex += 1

            if keyText == "mx" {
                let pattern = String(lossyBytes: value)
                if MXPattern.isValid(value) {
                    result.mx.append(pattern)
                    if value.starts(with: [ASCII.star, ASCII.dot]) {
                        f.append(Finding(.policyWildcardMX, detail: pattern))
                    }
                } else {
                    badPatterns.append(pattern)
                    f.append(Finding(.policyInvalidMXPattern, detail: "line \(lineNo): '\(excerpt(value))'"))
                }
                continue
            }
            // §3.2: for every key but mx, the first occurrence counts and the rest are ignored.
            if !seenKeys.insert(keyText).inserted {
                f.append(Finding(.policyDuplicateKey, detail: "line \(lineNo): \(keyText)"))
                continue
            }
            switch keyText {
            case "version":
                if fieldIndex != 1 { f.append(Finding(.policyVersionNotFirst, detail: "line \(lineNo)")) }
                if value.elementsEqual("STSv1".utf8) {
                    result.version = "STSv1"
                } else {
                    f.append(Finding(.policyInvalidVersion, detail: "'\(excerpt(value))'"))
                }
            case "mode":
                if let mode = PolicyMode(rawValue: String(lossyBytes: value)) {
                    result.mode = mode
                } else {
                    f.append(Finding(.policyInvalidMode, detail: "'\(excerpt(value))'"))
                }
            case "max_age":
                // 1*10 DIGIT by the ABNF (erratum 7282 proposes 1*8); the value at most 31557600.
                if !value.isEmpty, value.count <= 10, value.allSatisfy(ASCII.isDigit) {
                    let n = value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                    result.maxAge = n
                    if n > maxAgeLimit {
                        f.append(Finding(.policyMaxAgeTooLarge, detail: "\(n) > \(maxAgeLimit)"))
                    } else if n < maxAgeShortBelow {
                        f.append(Finding(.policyMaxAgeShort, detail: "\(n) seconds"))
                    }
                } else {
                    f.append(Finding(.policyInvalidMaxAge, detail: "'\(excerpt(value))'"))
                }
            default:
                if isExtValue(value) {
                    result.extensions.append(.init(key: keyText, value: String(lossyBytes: value)))
                    f.append(Finding(.policyUnknownKey, detail: keyText))
                } else {
                    f.append(Finding(.policyMalformedLine, detail: "line \(lineNo): invalid value for '\(keyText)'"))
                }
            }
        }
        if blankLines > 0 {
            f.append(Finding(.policyBlankLine, detail: "\(blankLines) blank line(s), first at line \(firstBlank)"))
        }
        if !seenKeys.contains("version") { f.append(Finding(.policyMissingVersion)) }
        if !seenKeys.contains("mode") { f.append(Finding(.policyMissingMode)) }
        if !seenKeys.contains("max_age") { f.append(Finding(.policyMissingMaxAge)) }
        // §3.2: mx is required unless the mode is none. With no usable mode there is nothing to say.
        if (result.mode == .enforce || result.mode == .testing) && result.mx.isEmpty && badPatterns.isEmpty {
            f.append(Finding(.policyMissingMX, detail: "mode \(result.mode!.rawValue) needs at least one mx line"))
        }
        result.findings = f
        return result
    }

    /// Splits at LF and CRLF, reporting the line-ending style. A CR not followed by LF is not a
    /// terminator in the grammar (an error); it still ends a line here, so that later lines are
    /// checked too.
    static func splitLines(_ bytes: ArraySlice<UInt8>, findings f: inout [Finding]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var crlf = 0, lf = 0, bareCR = 0
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == ASCII.lf {
                lf += 1
                lines.append(bytes[start..<i])
                start = i + 1
            } else if b == ASCII.cr {
                if i + 1 < bytes.endIndex, bytes[i + 1] == ASCII.lf {
                    crlf += 1
                    lines.append(bytes[start..<i])
                    i += 1
                } else {
                    bareCR += 1
                    lines.append(bytes[start..<i])
                }
                start = i + 1
            }
            i += 1
        }
        lines.append(bytes[start..<bytes.endIndex])
        if bareCR > 0 { f.append(Finding(.policyBareCR, detail: "\(bareCR) bare CR")) }
        if crlf > 0 && lf > 0 {
            f.append(Finding(.policyMixedLineEndings, detail: "\(crlf) CRLF, \(lf) LF"))
        } else if lf > 0 {
            f.append(Finding(.policyLFLineEndings))
        }
        return lines
    }

    /// sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]
    /// where sts-policy-vchar = VCHAR / UTF8-2 / UTF8-3 / UTF8-4: no controls, no tab, no edge spaces.
    static func isExtValue(_ value: ArraySlice<UInt8>) -> Bool {
        guard let first = value.first, let last = value.last, first != ASCII.space, last != ASCII.space else { return false }
        guard value.allSatisfy({ $0 == ASCII.space || ASCII.isVCHAR($0) || $0 >= 0x80 }) else { return false }
        // Non-ASCII must be well-formed UTF-8.
        return String(validating: value, as: UTF8.self) != nil
    }

    /// A bounded, printable excerpt for a finding's detail, so a 1 MiB line cannot bloat storage.
    static func excerpt(_ bytes: ArraySlice<UInt8>) -> String {
        let cut = bytes.prefix(80)
        let text = String(lossyBytes: cut.map { ($0 < 0x20 || $0 == 0x7F) ? UInt8(ascii: "?") : $0 })
        return bytes.count > 80 ? text + "…" : text
    }
}
