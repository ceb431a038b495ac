// DNS-ID matching for certificates, RFC 6125 §6.4, as RFC 8461 §3.3 and §4.2 require it:
// only subjectAltName dNSName entries count (no fallback to the subject CN), comparison is
// case-insensitive, and a wildcard is allowed only as the complete left-most label, matching
// exactly one label (`*.example.com` matches `mx.example.com`, not `example.com` nor
// `a.b.example.com`). Partial wildcards (`mx*.example.com`) never match.

public enum DNSID {
    /// Does the presented identifier (one SAN dNSName) match the reference host name?
    public static func matches(presented: String, reference: String) -> Bool {
        let p = MXPattern.normalise(presented)
        let r = MXPattern.normalise(reference)
        guard !p.isEmpty, !r.isEmpty, !r.contains("*") else { return false }
        guard p.contains("*") else { return p == r }
        // The wildcard must be the whole left-most label, the only `*`, and leave at least two
        // labels (`*.com` is refused by every CA and by browsers).
        guard p.hasPrefix("*."), p.dropFirst().firstIndex(of: "*") == nil else { return false }
        let suffix = p.dropFirst(2)
        guard suffix.contains(".") else { return false }
        guard let dot = r.firstIndex(of: "."), dot != r.startIndex else { return false }
        return r[r.index(after: dot)...] == suffix
    }

    /// True when any SAN dNSName matches. An empty list (a CN-only certificate) never matches.
    public static func anyMatches(_ sanDNSNames: [String], reference: String) -> Bool {
        sanDNSNames.contains { matches(presented: $0, reference: reference) }
    }
}
