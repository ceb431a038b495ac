// Byte classes of RFC 5234 (ABNF core rules). The parsers work on bytes, not Strings: the RFCs
// define their grammars over octets, and a byte-level loop keeps them linear and allocation-light.


enum ASCII {
    static let space: UInt8 = 0x20, tab: UInt8 = 0x09, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    static let semicolon: UInt8 = 0x3B, equals: UInt8 = 0x3D, colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C, dot: UInt8 = 0x2E, hyphen: UInt8 = 0x2D, star: UInt8 = 0x2A

    /// WSP = SP / HTAB
    static func isWSP(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
    /// VCHAR = %x21-7E
    static func isVCHAR(_ b: UInt8) -> Bool { b >= 0x21 && b <= 0x7E }
    /// The extension-name alphabet shared by RFC 8461 and RFC 8460: ALPHA / DIGIT / "_" / "-" / "."
    static func isExtNameChar(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F || b == 0x2D || b == 0x2E }
    /// sts-ext-value / tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): VCHAR except ";" and "=".
    static func isExtValueChar(_ b: UInt8) -> Bool { isVCHAR(b) && b != semicolon && b != equals }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
}

extension String {
    /// Decodes bytes for display and storage; invalid UTF-8 becomes U+FFFD, never a crash.
    init(lossyBytes bytes: some Collection<UInt8>) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Splits `bytes` at `separator`, keeping empty pieces. Linear.
func splitBytes(_ bytes: ArraySlice<UInt8>, on separator: UInt8) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    var i = bytes.startIndex
    while i < bytes.endIndex {
        if bytes[i] == separator {
            pieces.append(bytes[start..<i])
            start = i + 1
        }
        i += 1
    }
    pieces.append(bytes[start..<bytes.endIndex])
    return pieces
}
