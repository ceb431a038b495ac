// One TLSA record (RFC 6698 §2.1): what an MX host's `_25._tcp` name publishes for DANE
// (RFC 7672). Kept whole in the evidence, so the DANE judge can match it against the stored
// certificate chain again (`reclassify`) without asking DNS.

public struct TLSARecord: Sendable, Hashable, Codable {
    /// 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218 names).
    public var usage: UInt8
    /// 0 the full certificate, 1 its SubjectPublicKeyInfo.
    public var selector: UInt8
    /// 0 the selected bytes themselves, 1 their SHA-256, 2 their SHA-512.
    public var matchingType: UInt8
    /// The certificate association data, as published.
    public var data: [UInt8]

    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }

    /// `3 1 1 ab12...`, the presentation form of RFC 6698 §2.2 (hex in lower case).
    public var presentation: String { "\(usage) \(selector) \(matchingType) \(hex)" }

    public var hex: String { SHA256.hexString(data) }

    // The association data is hex in JSON (a certificate's worth of numbers otherwise).
    enum CodingKeys: String, CodingKey { case usage, selector, matchingType, data }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usage = try c.decode(UInt8.self, forKey: .usage)
        selector = try c.decode(UInt8.self, forKey: .selector)
        matchingType = try c.decode(UInt8.self, forKey: .matchingType)
        let text = try c.decode(String.self, forKey: .data)
        guard let bytes = Self.bytes(hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: c, debugDescription: "not hex")
        }
        data = bytes
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(usage, forKey: .usage)
        try c.encode(selector, forKey: .selector)
        try c.encode(matchingType, forKey: .matchingType)
        try c.encode(hex, forKey: .data)
    }

    /// Bytes from hex digits (either case, even count), or nil.
    public static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
