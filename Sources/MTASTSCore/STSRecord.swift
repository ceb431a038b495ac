// The `_mta-sts` TXT record, RFC 8461 §3.1.
//
//   sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//   sts-field       = sts-id / sts-extension
//   sts-field-delim = *WSP ";" *WSP
//   sts-version     = %s"v=STSv1"
//   sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//   sts-extension   = sts-ext-name "=" sts-ext-value
//   sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//   sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)

/// One TXT resource record as received: its character-strings, each up to 255 bytes, in order.
public typealias TXTRecord = [[UInt8]]

/// The outcome of reading the `_mta-sts` TXT RRset of a domain.
public struct STSRecordResult: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// No TXT record of the RRset is an STS record.
        case absent
        /// Exactly one STS record, valid by the ABNF, with an id.
        case valid
        /// More than one STS record, or the one is not valid.
        case invalid
    }

    public var kind: Kind
    /// The `id` field, when one well-formed id was found (first one wins).
    public var id: String?
    /// The STS record's strings joined without spaces (the first STS record when several).
    public var raw: String?
    /// Extension fields in order of appearance (unknown fields, ignored by senders).
    public var extensions: [KeyValue]
    public var findings: [Finding]

    public struct KeyValue: Sendable, Hashable, Codable {
        public var key: String
        public var value: String
    }
}

public enum STSRecordParser {
    static let version: [UInt8] = Array("v=STSv1".utf8)

    /// Reads the TXT RRset of `_mta-sts.<domain>` (after any CNAME chain was followed).
    public static func parse(_ records: [TXTRecord]) -> STSRecordResult {
        // §3.1: concatenate each RR's strings without spaces, then keep only the STS records.
        var sts: [(joined: [UInt8], strings: Int)] = []
        for rr in records {
            let joined = rr.flatMap { $0 }
            if isSTSRecord(joined) { sts.append((joined, rr.count)) }
        }
        // A resolver may return an RRset in any order: sort, so that which record is shown (and
        // stored) when there are several does not change from one scan to the next.
        sts.sort { $0.joined.lexicographicallyPrecedes($1.joined) }
        guard let first = sts.first else {
            return STSRecordResult(kind: .absent, id: nil, raw: nil, extensions: [], findings: [])
        }
        if sts.count > 1 {
            // T7: more than one STS record means no usable policy; the records' own contents do not
            // matter then, so only the multiplicity is reported (and no id).
            return STSRecordResult(kind: .invalid, id: nil, raw: String(lossyBytes: first.joined), extensions: [],
                                   findings: [Finding(.txtMultipleSTSRecords, detail: "\(sts.count) STS records")])
        }
        var result = parseOne(first.joined)
        if first.strings > 1 {
            result.findings.insert(Finding(.txtMultiString, detail: "\(first.strings) strings"), at: 0)
        }
        return result
    }

    /// Convenience for already-joined records given as text (as `mtasts lint --record` takes them).
    public static func parse(texts: [String]) -> STSRecordResult {
        parse(texts.map { [Array($0.utf8)] })
    }

    /// An STS record begins with `v=STSv1` followed by ";", by WSP and then ";", or by the end.
    /// So `v=STSv12; id=1` is just some other TXT record, while `v=STSv1` alone is an STS record
    /// without an id.
    public static func isSTSRecord(_ bytes: [UInt8]) -> Bool { startsWithVersion(bytes, version) }

    /// The prefix rule shared with TLS-RPT (RFC 8460 §3): the version, then ";", WSP and ";", or
    /// the end of the record.
    static func startsWithVersion(_ bytes: [UInt8], _ version: [UInt8]) -> Bool {
        guard bytes.starts(with: version) else { return false }
        var i = version.count
        while i < bytes.count, ASCII.isWSP(bytes[i]) { i += 1 }
        return i == bytes.count || bytes[i] == ASCII.semicolon
    }

    static func parseOne(_ bytes: [UInt8]) -> STSRecordResult {
        var findings: [Finding] = []
        var extensions: [STSRecordResult.KeyValue] = []
        var id: String?
        var idSeen = false
        var seenKeys = Set<String>()
        let raw = String(lossyBytes: bytes)

        // T2: US-ASCII only. Keep going, so that other problems are reported too.
        if let bad = bytes.firstIndex(where: { $0 > 0x7F }) {
            findings.append(Finding(.txtNotASCII, detail: "byte 0x\(String(bytes[bad], radix: 16)) at offset \(bad)"))
        }

        var i = version.count
        // The version's own delimiter: WSP before ";" is legal by the ABNF, but the prose's prefix
        // test ("v=STSv1;") would discard the record (erratum 6285). We follow the ABNF and say so.
        if i < bytes.count, ASCII.isWSP(bytes[i]) {
            findings.append(Finding(.txtSpaceBeforeSemicolon))
        }

        var fields = 0
        var syntaxError: String?
        while i < bytes.count {
            // sts-field-delim = *WSP ";" *WSP
            var j = i
            while j < bytes.count, ASCII.isWSP(bytes[j]) { j += 1 }
            guard j < bytes.count else { syntaxError = "whitespace after the last field without ';'"; break }
            guard bytes[j] == ASCII.semicolon else {
                syntaxError = "expected ';' at offset \(j)"
                break
            }
            j += 1
            while j < bytes.count, ASCII.isWSP(bytes[j]) { j += 1 }
            if j == bytes.count { i = j; break }  // the optional trailing delimiter
            // sts-field: up to the next WSP or ";"
            var k = j
            while k < bytes.count, !ASCII.isWSP(bytes[k]), bytes[k] != ASCII.semicolon { k += 1 }
            let field = bytes[j..<k]
            i = k
            fields += 1
            guard let eq = field.firstIndex(of: ASCII.equals) else {
                syntaxError = "field '\(String(lossyBytes: field))' has no '='"
                continue
            }
            let name = field[field.startIndex..<eq]
            let value = field[(eq + 1)...]
            let nameText = String(lossyBytes: name)
            if name.elementsEqual("id".utf8) {
                if idSeen {
                    findings.append(Finding(.txtDuplicateField, detail: "id"))
                    continue
                }
                idSeen = true
                if value.count >= 1, value.count <= 32, value.allSatisfy(ASCII.isAlnum) {
                    id = String(lossyBytes: value)
                } else {
                    findings.append(Finding(.txtInvalidID, detail: "id=\(String(lossyBytes: value))"))
                }
                continue
            }
            guard isExtName(name) else {
                syntaxError = "'\(nameText)' is not a valid field name"
                continue
            }
            guard !value.isEmpty, value.allSatisfy(ASCII.isExtValueChar) else {
                syntaxError = "field '\(nameText)' has an invalid value"
                continue
            }
            // A later `v=...` matches sts-extension by the ABNF (ext-name "v", ext-value "STSv1"), so
            // it is no syntax error; it repeats the version field, and §3.2 (T11) says a repeated
            // field is ignored after the first. So: a duplicate, like any other.
            if name.elementsEqual("v".utf8) {
                findings.append(Finding(.txtDuplicateField, detail: "v"))
                continue
            }
            if !seenKeys.insert(nameText).inserted {
                findings.append(Finding(.txtDuplicateField, detail: nameText))
                continue
            }
            extensions.append(.init(key: nameText, value: String(lossyBytes: value)))
            findings.append(Finding(.txtUnknownField, detail: nameText))
        }
        if let syntaxError { findings.append(Finding(.txtSyntaxError, detail: syntaxError)) }
        if !idSeen { findings.append(Finding(.txtMissingID, detail: fields == 0 ? "the record has no fields after v=STSv1" : nil)) }

        let kind: STSRecordResult.Kind = findings.hasError ? .invalid : .valid
        return STSRecordResult(kind: kind, id: id, raw: raw, extensions: extensions, findings: findings)
    }

    /// sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    static func isExtName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, ASCII.isAlnum(first), name.count <= 32 else { return false }
        return name.allSatisfy(ASCII.isExtNameChar)
    }
}
