// Input domain names: lower-cased, the final dot dropped, U-labels turned into A-labels
// (IDNA2008, by libidn2), then checked as a host name (letters, digits, hyphens; labels of 1-63
// octets, not starting or ending with a hyphen; at most 253 octets; the last label not all
// digits). An all-ASCII name is done in one pass over its bytes, as a scan reads millions of
// them; any other goes through Unicode lower-casing and libidn2.
import CIDN2

public enum DomainName {
    /// The normalised A-label form, or nil when the text is not a domain name.
    public static func normalise(_ text: String) -> String? {
        var bytes = text
        return bytes.withUTF8 { normalise(utf8: $0, same: text) }
    }

    /// `normalise` on UTF-8 bytes. `same`, if given, is a String of exactly these bytes, returned
    /// as it is when the name is already normal: the common case costs no second String.
    public static func normalise(utf8 name: UnsafeBufferPointer<UInt8>, same: String? = nil) -> String? {
        let n = name.count > 0 && name[name.count - 1] == ASCII.dot ? name.count - 1 : name.count
        switch check(UnsafeBufferPointer(rebasing: name[..<n])) {
        case .notASCII:
            return viaUnicode(same ?? String(decoding: name, as: UTF8.self))
        case .invalid:
            return nil
        case .valid(let upper):
            if !upper, n == name.count, let same { return same }
            return String(unsafeUninitializedCapacity: n) { out in
                for i in 0..<n { out[i] = ASCII.lower(name[i]) }
                return n
            }
        }
    }

    /// The host-name rules of the header, on the name as it is (not lower-cased, no dot dropped).
    public static func isValidHostname(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { if case .valid = check($0) { true } else { false } }
    }

    enum Check {
        /// A host name; `upper` when it has upper-case letters to lower.
        case valid(upper: Bool)
        case invalid
        /// Has a byte >= 0x80: only Unicode lower-casing and Punycode can say what it is.
        case notASCII
    }

    /// The host-name rules of the header in one pass over the bytes, with nothing allocated. It
    /// does not stop at the first fault: a non-ASCII byte anywhere decides the path first.
    static func check(_ b: UnsafeBufferPointer<UInt8>) -> Check {
        var ok = b.count > 0 && b.count <= 253, upper = false, nonASCII = false
        var labelStart = 0, allDigits = true
        for i in 0..<b.count {
            switch b[i] {
            case ASCII.dot:
                ok = ok && i > labelStart && i - labelStart <= 63 && b[i - 1] != ASCII.hyphen
                labelStart = i + 1
                allDigits = true
            case 0x30...0x39: break
            case 0x61...0x7A: allDigits = false
            case 0x41...0x5A: allDigits = false; upper = true
            case ASCII.hyphen: allDigits = false; ok = ok && i > labelStart
            case let c: ok = false; nonASCII = nonASCII || c >= 0x80
            }
        }
        if nonASCII { return .notASCII }
        let n = b.count
        ok = ok && n > labelStart && n - labelStart <= 63 && b[n - 1] != ASCII.hyphen && !allDigits
        return ok ? .valid(upper: upper) : .invalid
    }

    /// The most UTF-8 octets a name with non-ASCII bytes may have: checked before any
    /// conversion, so a hostile line costs nothing. A 253-octet A-label name holds at most ~240
    /// code points (each U-label of <= 59), which even fully decomposed (Hangul jamo: 9 octets a
    /// syllable) stays under this.
    public static let maxUnicodeOctets = 4096

    /// How U-labels become A-labels, chosen on purpose:
    /// - lower-casing first, by Unicode's default case mapping (String.lowercased(): "BÜCHER" is
    ///   "bücher", U+212A KELVIN SIGN is "k", U+0130 is "i̇"), as docs/CLI.md promises that names
    ///   are lower-cased, the same as the ASCII path does;
    /// - IDN2_NFC_INPUT: the text is put in NFC, so a decomposed "u + U+0308" is the same name as "ü";
    /// - IDN2_NO_TR46: IDNA2008 proper (RFC 5891 §5, RFC 5892's code point table), with none of
    ///   UTS #46's compatibility mapping. That mapping would turn what nobody registers into some
    ///   other name: full-width letters, U+00AD SOFT HYPHEN (dropped), U+3002 (a dot),
    ///   U+00A0 (a space), title-case U+01C5 "ǅ" ("dž"). A survey records the names it was
    ///   given; those lines are `invalid-input`, like a Latin-1 byte.
    /// libidn2 also applies CONTEXTJ (a ZWJ/ZWNJ only after a virama), the leading-combining-mark
    /// rule and the Bidi rule (RFC 5893), and checks label and name lengths.
    static let idnaFlags = Int32(IDN2_NFC_INPUT.rawValue | IDN2_NO_TR46.rawValue)

    /// The general path, for names with non-ASCII bytes: Unicode lower-casing, then IDNA2008.
    static func viaUnicode(_ text: String) -> String? {
        // Too long to be a name: rejected before any conversion.
        guard text.utf8.count <= maxUnicodeOctets else { return nil }
        // U+FFFD is what an undecodable input byte (a Latin-1 "é") became: no name has it (IDNA
        // disallows it, RFC 5892). NUL would end the C string early: "bü\0.x" is not "bü".
        guard !text.unicodeScalars.contains(where: { $0 == "\u{FFFD}" || $0 == "\0" }) else { return nil }
        var s = text.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        guard !s.isEmpty, !s.hasSuffix(".") else { return nil }
        // RFC 5891 §4.2.3.1: no label starts or ends with a hyphen. libidn2's lookup does not
        // check it for a U-label ("-ü" would become xn----eha), the host-name check sees only
        // the A-label; an ASCII label is checked there too.
        for label in s.utf8.split(separator: ASCII.dot, omittingEmptySubsequences: false)
        where label.first == ASCII.hyphen || label.last == ASCII.hyphen { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let rc = s.withCString { idn2_lookup_u8(UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), &out, idnaFlags) }
        defer { idn2_free(out) }
        guard rc == IDN2_OK.rawValue, let out else { return nil }
        let name = String(cString: out)
        return isValidHostname(name) ? name : nil
    }

    /// True when `domain` is `suffix` or a subdomain of it.
    public static func isWithin(_ domain: String, _ suffix: String) -> Bool {
        domain == suffix || domain.hasSuffix("." + suffix)
    }
}
