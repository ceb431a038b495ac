// Input domain names: lower-cased, the final dot dropped, U-labels turned into A-labels (RFC 3492
// Punycode), then checked as a host name (letters, digits, hyphens; labels of 1-63 octets, not
// starting or ending with a hyphen; at most 253 octets; the last label not all digits).

public enum DomainName {
    /// The normalised A-label form, or nil when the text is not a domain name.
    public static func normalise(_ text: String) -> String? {
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

    public static func isValidHostname(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = splitBytes(bytes[...], on: ASCII.dot)
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != ASCII.hyphen, label.last != ASCII.hyphen,
                  label.allSatisfy({ ASCII.isAlnum($0) || $0 == ASCII.hyphen })
            else { return false }
        }
        return !labels.last!.allSatisfy(ASCII.isDigit)
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
