// The TLS-RPT record `_smtp._tls.<domain>`, RFC 8460 §3.
//
//   tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//   field-delim    = *WSP ";" *WSP
//   tlsrpt-field   = tlsrpt-rua / tlsrpt-extension
//   tlsrpt-version = %s"v=TLSRPTv1"
//   tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//   tlsrpt-uri     = URI    ; mailto: or https:, with ",", "!" and ";" percent-encoded
//
// Records not starting with `v=TLSRPTv1` are discarded; if the number left is not one, the domain
// has no usable TLS-RPT policy.

public struct TLSRPTResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case valid, absent, invalid, multiple
        case dnsError = "dns-error"
    }

    public var status: Status
    public var rua: [String]
    public var raw: String?
    public var findings: [Finding]
}

public enum TLSRPTParser {
    static let version: [UInt8] = Array("v=TLSRPTv1".utf8)

    public static func parse(_ records: [TXTRecord]) -> TLSRPTResult {
        // Sorted: the RRset's order is the resolver's, and what is stored should not depend on it.
        let candidates = records.map { $0.flatMap { $0 } }.filter(isTLSRPTRecord).sorted { $0.lexicographicallyPrecedes($1) }
        guard let first = candidates.first else {
            return TLSRPTResult(status: .absent, rua: [], raw: nil, findings: [])
        }
        if candidates.count > 1 {
            return TLSRPTResult(status: .multiple, rua: [], raw: String(lossyBytes: first),
                                findings: [Finding(.tlsrptMultiple, detail: "\(candidates.count) TLS-RPT records")])
        }
        return parseOne(first)
    }

    public static func parse(texts: [String]) -> TLSRPTResult {
        parse(texts.map { [Array($0.utf8)] })
    }

    /// Same prefix rule as for STS records: the version, then ";", WSP and ";", or the end.
    public static func isTLSRPTRecord(_ bytes: [UInt8]) -> Bool { STSRecordParser.startsWithVersion(bytes, version) }

    static func parseOne(_ bytes: [UInt8]) -> TLSRPTResult {
        let raw = String(lossyBytes: bytes)
        var problems: [String] = []
        var rua: [String] = []
        var ruaSeen = false
        var fields = 0
        if bytes.contains(where: { $0 > 0x7F }) { problems.append("not US-ASCII") }

        var i = version.count
        while i < bytes.count {
            var j = i
            while j < bytes.count, ASCII.isWSP(bytes[j]) { j += 1 }
            guard j < bytes.count else { problems.append("whitespace after the last field without ';'"); break }
            guard bytes[j] == ASCII.semicolon else { problems.append("expected ';' at offset \(j)"); break }
            j += 1
            while j < bytes.count, ASCII.isWSP(bytes[j]) { j += 1 }
            if j == bytes.count { break }
            // A field runs to the next ";" (rua's list may hold WSP around its commas).
            var k = j
            while k < bytes.count, bytes[k] != ASCII.semicolon { k += 1 }
            var end = k
            while end > j, ASCII.isWSP(bytes[end - 1]) { end -= 1 }
            let field = bytes[j..<end]
            i = end
            fields += 1
            guard let eq = field.firstIndex(of: ASCII.equals) else {
                problems.append("field '\(PolicyParser.excerpt(field))' has no '='"); continue
            }
            let name = field[field.startIndex..<eq]
            let value = field[(eq + 1)...]
            if name.elementsEqual("rua".utf8) {
                if ruaSeen { continue }  // the first occurrence counts
                ruaSeen = true
                for part in splitBytes(value, on: ASCII.comma) {
                    var uri = part
                    while let f = uri.first, ASCII.isWSP(f) { uri = uri.dropFirst() }
                    while let l = uri.last, ASCII.isWSP(l) { uri = uri.dropLast() }
                    let text = String(lossyBytes: uri)
                    if isReportURI(uri) { rua.append(text) } else { problems.append("rua URI '\(PolicyParser.excerpt(uri))' is not a mailto: or https: URI") }
                }
            } else if !STSRecordParser.isExtName(name) || value.isEmpty || !value.allSatisfy(ASCII.isExtValueChar) {
                problems.append("field '\(PolicyParser.excerpt(field))' is not valid")
            }
        }
        if fields == 0 { problems.append("no fields after v=TLSRPTv1") }
        if !ruaSeen { problems.append("no rua field") }

        if problems.isEmpty {
            return TLSRPTResult(status: .valid, rua: rua, raw: raw, findings: [])
        }
        return TLSRPTResult(status: .invalid, rua: rua, raw: raw,
                            findings: [Finding(.tlsrptInvalid, detail: problems.joined(separator: "; "))])
    }

    /// A URI (RFC 3986 characters only, "%" followed by two hex digits) with scheme mailto: (and
    /// an addr-spec with "@") or https: (and an authority). "!" is refused: RFC 8460 §3 wants it
    /// percent-encoded, so a DMARC-style size suffix (`!10m`) makes the record invalid.
    /// On the bytes, with no String or Set per call (~0.3% of a scan's CPU, most domains with a
    /// TLS-RPT record having no STS one): any byte above 0x7F is outside RFC 3986's set, so
    /// ASCII-only case folding of the scheme decides exactly what Unicode folding did.
    static func isReportURI(_ uri: ArraySlice<UInt8>) -> Bool {
        let rest: ArraySlice<UInt8>
        if hasPrefixIgnoringCase(uri, mailtoScheme) {
            rest = uri.dropFirst(mailtoScheme.count)
            guard let at = rest.firstIndex(of: 0x40), at != rest.startIndex, at + 1 != rest.endIndex else { return false }
        } else if hasPrefixIgnoringCase(uri, httpsScheme) {
            rest = uri.dropFirst(httpsScheme.count)
            guard let first = rest.first, first != 0x2F else { return false }   // an authority
        } else {
            return false
        }
        var i = rest.startIndex
        while i < rest.endIndex {
            let b = rest[i]
            guard uriCharacters[Int(b)] else { return false }
            if b == 0x25 {   // "%"
                guard i + 2 < rest.endIndex, isHex(rest[i + 1]), isHex(rest[i + 2]) else { return false }
                i += 3
                continue
            }
            i += 1
        }
        return true
    }

    static let mailtoScheme = Array("mailto:".utf8), httpsScheme = Array("https://".utf8)

    /// RFC 3986's unreserved and reserved characters except "!", "," and ";", plus "%": a table by byte.
    static let uriCharacters: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@$&'()*+=%".utf8 {
            table[Int(b)] = true
        }
        return table
    }()

    static func hasPrefixIgnoringCase(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        return zip(bytes, prefix).allSatisfy { ASCII.lower($0) == $1 }
    }

    static func isHex(_ b: UInt8) -> Bool { ASCII.isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66) }
}
