// Input domain names: lower-cased, the final dot dropped, U-labels turned into A-labels (RFC 3492
// Punycode), then checked as a host name (letters, digits, hyphens; labels of 1-63 octets, not
// starting or ending with a hyphen; at most 253 octets; the last label not all digits). An
// all-ASCII name is done in one pass over its bytes, as a scan reads millions of them; any other
// goes through Unicode lower-casing and Punycode.

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

    /// The general path, kept for names with non-ASCII bytes: Unicode lower-casing (which can
    /// even turn a non-ASCII letter into an ASCII one: U+212A KELVIN SIGN is "k"), then Punycode.
    static func viaUnicode(_ text: String) -> String? {
        // U+FFFD is what an undecodable input byte (a Latin-1 "é") became: no name has it (IDNA
        // disallows it, RFC 5892), and Punycode would turn it into a plausible, wrong A-label.
        guard !text.unicodeScalars.contains("\u{FFFD}") else { return nil }
        var s = text.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        guard !s.isEmpty, !s.hasSuffix(".") else { return nil }
        var labels: [String] = []
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy({ $0.isASCII }) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        let name = labels.joined(separator: ".")
        return isValidHostname(name) ? name : nil
    }

    /// True when `domain` is `suffix` or a subdomain of it.
    public static func isWithin(_ domain: String, _ suffix: String) -> Bool {
        domain == suffix || domain.hasSuffix("." + suffix)
    }
}

/// RFC 3492 Punycode, encoding only (what input normalisation needs).
public enum Punycode {
    static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    public static func encode(_ input: String) -> String? {
        let scalars = input.unicodeScalars.map { Int($0.value) }
        var output = scalars.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basic = output.count
        var handled = basic
        if basic > 0 { output.append("-") }
        var n = initialN, delta = 0, bias = initialBias
        while handled < scalars.count {
            guard let m = scalars.filter({ $0 >= n }).min() else { return nil }
            let (mul, o1) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !o1 else { return nil }
            delta += mul
            n = m
            for c in scalars {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basic)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    static func digit(_ d: Int) -> Character {
        Character(Unicode.Scalar(UInt8(d < 26 ? d + 97 : d + 22)))
    }

    static func adapt(_ delta0: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta0 / damp : delta0 / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
