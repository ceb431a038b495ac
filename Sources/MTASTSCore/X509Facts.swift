// The few facts of an X.509 certificate (RFC 5280) a scan judges by: subjectAltName dNSNames,
// validity, subject and issuer names. Read from DER with a minimal, bounds-checked TLV reader, so
// that stored chains can be classified again without OpenSSL, and a hostile certificate can at
// worst yield nil.

public struct X509Facts: Sendable, Hashable, Codable {
    public var dnsNames: [String]
    public var notBefore: Int64
    public var notAfter: Int64
    public var subjectCN: String?
    public var issuerCN: String?
    public var issuerO: String?
}

public enum X509Reader {
    public static func facts(der: [UInt8]) -> X509Facts? {
        var top = DERReader(der[...])
        guard let cert = top.read(tag: 0x30) else { return nil }
        var c = DERReader(cert)
        guard let tbs = c.read(tag: 0x30) else { return nil }
        var t = DERReader(tbs)
        if t.peekTag == 0xA0 { _ = t.readAny() }                       // [0] version
        guard t.read(tag: 0x02) != nil,                                // serialNumber
              t.read(tag: 0x30) != nil,                                // signature AlgorithmIdentifier
              let issuer = t.read(tag: 0x30),
              let validity = t.read(tag: 0x30),
              let subject = t.read(tag: 0x30),
              t.read(tag: 0x30) != nil                                 // subjectPublicKeyInfo
        else { return nil }
        var v = DERReader(validity)
        guard let nb = v.readTime(), let na = v.readTime() else { return nil }
        var facts = X509Facts(dnsNames: [], notBefore: nb, notAfter: na,
                              subjectCN: nameAttribute(subject, oid: [0x55, 0x04, 0x03]),
                              issuerCN: nameAttribute(issuer, oid: [0x55, 0x04, 0x03]),
                              issuerO: nameAttribute(issuer, oid: [0x55, 0x04, 0x0A]))
        while let (tag, body) = t.readAny() {
            guard tag == 0xA3 else { continue }                        // [3] extensions
            var outer = DERReader(body)
            guard let list = outer.read(tag: 0x30) else { return facts }
            var exts = DERReader(list)
            while let ext = exts.read(tag: 0x30) {
                var e = DERReader(ext)
                guard let oid = e.read(tag: 0x06) else { continue }
                if e.peekTag == 0x01 { _ = e.readAny() }               // critical
                guard let value = e.read(tag: 0x04), oid.elementsEqual([0x55, 0x1D, 0x11]) else { continue }
                var san = DERReader(value)
                guard let names = san.read(tag: 0x30) else { continue }
                var g = DERReader(names)
                while let (nameTag, nameBody) = g.readAny() {
                    if nameTag == 0x82 { facts.dnsNames.append(String(decoding: nameBody, as: UTF8.self)) }
                }
            }
        }
        return facts
    }

    /// The DER parts of a certificate DANE matches on (RFC 6698 §2.1.2): selector 1's
    /// SubjectPublicKeyInfo as its complete TLV (tag and length included, as the digest covers
    /// them), and the issuer and subject Names as complete TLVs, compared byte for byte to see
    /// that a chain's certificates are linked (leaf's issuer is the next one's subject).
    public struct DANEParts: Sendable, Hashable {
        public var issuer: [UInt8]
        public var subject: [UInt8]
        public var subjectPublicKeyInfo: [UInt8]
    }

    public static func daneParts(der: [UInt8]) -> DANEParts? {
        var top = DERReader(der[...])
        guard let cert = top.read(tag: 0x30) else { return nil }
        var c = DERReader(cert)
        guard let tbs = c.read(tag: 0x30) else { return nil }
        var t = DERReader(tbs)
        if t.peekTag == 0xA0 { _ = t.readAny() }                       // [0] version
        guard t.read(tag: 0x02) != nil,                                // serialNumber
              t.read(tag: 0x30) != nil,                                // signature AlgorithmIdentifier
              let issuer = t.readElement(tag: 0x30),
              t.read(tag: 0x30) != nil,                                // validity
              let subject = t.readElement(tag: 0x30),
              let spki = t.readElement(tag: 0x30)
        else { return nil }
        return DANEParts(issuer: Array(issuer), subject: Array(subject), subjectPublicKeyInfo: Array(spki))
    }

    /// The first attribute of the given type in a Name (SEQUENCE OF SET OF AttributeTypeAndValue).
    static func nameAttribute(_ name: ArraySlice<UInt8>, oid: [UInt8]) -> String? {
        var rdns = DERReader(name)
        while let set = rdns.read(tag: 0x31) {
            var s = DERReader(set)
            while let atv = s.read(tag: 0x30) {
                var a = DERReader(atv)
                guard let type = a.read(tag: 0x06), let (_, value) = a.readAny() else { continue }
                if type.elementsEqual(oid) { return String(decoding: value, as: UTF8.self) }
            }
        }
        return nil
    }
}

/// A bounds-checked reader of DER tag-length-value items. Every read either returns a slice
/// inside the input or nil; nothing is trusted.
struct DERReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peekTag: UInt8? { bytes.first }

    mutating func read(tag: UInt8) -> ArraySlice<UInt8>? {
        guard peekTag == tag, let (_, body) = readAny() else { return nil }
        return body
    }

    /// The next item whole (tag, length and body), when it has the given tag.
    mutating func readElement(tag: UInt8) -> ArraySlice<UInt8>? {
        let whole = bytes
        guard peekTag == tag, let (_, body) = readAny() else { return nil }
        return whole[whole.startIndex..<body.endIndex]
    }

    mutating func readAny() -> (UInt8, ArraySlice<UInt8>)? {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { return nil }
        let tag = bytes[i]
        i += 1
        guard i < bytes.endIndex else { return nil }
        var length = Int(bytes[i])
        i += 1
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 4, bytes.endIndex - i >= n else { return nil }
            length = 0
            for _ in 0..<n {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
        }
        guard length >= 0, bytes.endIndex - i >= length else { return nil }
        let body = bytes[i..<(i + length)]
        bytes = bytes[(i + length)...]
        return (tag, body)
    }

    /// UTCTime (YYMMDDHHMMSSZ, years 1950-2049 per RFC 5280) or GeneralizedTime (YYYYMMDDHHMMSSZ),
    /// as seconds since 1970.
    mutating func readTime() -> Int64? {
        guard let (tag, body) = readAny(), body.last == UInt8(ascii: "Z") else { return nil }
        let digits = body.dropLast()
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let d = digits.map { Int($0 - 0x30) }
        func num(_ at: Int, _ n: Int) -> Int { (at..<(at + n)).reduce(0) { $0 * 10 + d[$1] } }
        var year: Int, rest: Int
        if tag == 0x17, d.count == 12 {
            year = num(0, 2)
            year += year < 50 ? 2000 : 1900
            rest = 2
        } else if tag == 0x18, d.count == 14 {
            year = num(0, 4)
            rest = 4
        } else {
            return nil
        }
        let month = num(rest, 2), day = num(rest + 2, 2)
        let hour = num(rest + 4, 2), minute = num(rest + 6, 2), second = num(rest + 8, 2)
        guard (1...12).contains(month), (1...daysIn(month, of: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        return Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Days in a month of the proleptic Gregorian calendar. February 31 is no date: counted as
    /// one, it became March 3 (daysFromCivil carries over), a time the certificate does not
    /// hold (found by FuzzX509, issue 15).
    func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension TLSFacts {
    /// Builds the facts from the raw evidence of a connection: the chain (leaf first) as DER, the
    /// negotiated version, OpenSSL's verify result and, per adjacent pair, whether the upper
    /// certificate's key verifies the lower one's signature (nil: not known).
    public init(version: String?, verifyResult: Int, chainDER: [[UInt8]], chainLinksSigned: [Bool]? = nil) {
        let leaf = chainDER.first.flatMap(X509Reader.facts(der:))
        self.init(version: version, verifyResult: verifyResult, leafDNSNames: leaf?.dnsNames ?? [],
                  notBefore: leaf?.notBefore, notAfter: leaf?.notAfter, chainDER: chainDER,
                  chainLinksSigned: chainLinksSigned)
    }
}
