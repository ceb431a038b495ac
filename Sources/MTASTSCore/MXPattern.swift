// MX patterns of a policy (RFC 8461 §3.2, §4.1, Appendix B).
//
//   sts-policy-mx-value = ["*."] Domain
//   Domain     = sub-domain *("." sub-domain)            ; RFC 5321 §4.1.2
//   sub-domain = Let-dig [Ldh-str]
//   Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
//
// §4.1: a wildcard matches exactly one label, the left-most: `*.example.com` matches
// `mail.example.com`, but neither `example.com` nor `foo.bar.example.com`.

public enum MXPattern {
    /// True when `pattern` is a well-formed policy mx value. Rejected: `*.*.x`, `mx*.x`, bare `*`,
    /// IP literals (`[192.0.2.1]` and dotted quads), a port, several hosts on one line, a trailing
    /// dot, empty labels, labels over 63 octets, names over 253 octets.
    public static func isValid(_ pattern: some Collection<UInt8>) -> Bool {
        var bytes = Array(pattern)[...]
        if bytes.starts(with: [ASCII.star, ASCII.dot]) { bytes = bytes.dropFirst(2) }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = splitBytes(bytes, on: ASCII.dot)
        for label in labels {
            guard !label.isEmpty, label.count <= 63,
                  ASCII.isAlnum(label.first!), ASCII.isAlnum(label.last!),
                  label.allSatisfy({ ASCII.isAlnum($0) || $0 == ASCII.hyphen })
            else { return false }
        }
        // A name whose last label is all digits is an IP address, never a host name (no TLD is
        // numeric). RFC 5321's Domain would admit it; §3.2 wants host names.
        if labels.last!.allSatisfy(ASCII.isDigit) { return false }
        return true
    }

    public static func isValid(_ pattern: String) -> Bool { isValid(pattern.utf8) }

    /// Appendix B `policyMatches`, with the normalisation a DNS answer needs: case-insensitive,
    /// and a trailing dot on the MX name ignored.
    public static func matches(pattern: String, host: String) -> Bool {
        let p = normalise(pattern)
        let h = normalise(host)
        guard !p.isEmpty, !h.isEmpty else { return false }
        if p.hasPrefix("*.") {
            let suffix = p.dropFirst(2)
            guard let dot = h.firstIndex(of: "."), dot != h.startIndex else { return false }
            return h[h.index(after: dot)...] == suffix
        }
        return p == h
    }

    /// True when `host` matches any of the patterns.
    public static func matchesAny(_ patterns: [String], host: String) -> Bool {
        patterns.contains { matches(pattern: $0, host: host) }
    }

    static func normalise(_ name: String) -> String {
        // Names the scanner built are already lower-case without a final dot: no copy for them
        // (this runs for every DNS answer).
        // One pass: `utf8.last` alone walked the String's index machinery (0.45% of a scan).
        var plain = true
        var last: UInt8 = 0
        for b in name.utf8 {
            if (b >= 0x41 && b <= 0x5A) || b >= 0x80 { plain = false; break }
            last = b
        }
        if plain && last != UInt8(ascii: ".") { return name }
        var s = name.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
