// Provider migrations (issue 17, item 4): a domain moved its mail to another provider and kept
// the old provider's mx patterns, e.g. `mx: *.mail.protection.outlook.com` while the MX hosts
// now lie under `mx.microsoft`. Every host then fails `mx-pattern-mismatch`; this finding says
// why, and tells it apart from a typo inside the domain's own namespace.
//
// The rule (docs/VERDICTS.md, `mx-provider-migrated`):
//   1. the policy is valid with mode testing or enforce, and the MX set names at least one valid
//      host name (not a null MX, not the implicit MX);
//   2. no MX host matches any policy pattern (RFC 8461 §4.1: `*.` matches exactly one label);
//   3. the hosts share one provider namespace N: the longest common label suffix of the hosts'
//      parent names (each name without its first label), at least two labels long;
//   4. no pattern lies in N: a pattern's base (the pattern without `*.`) is neither N nor a name
//      under N. A pattern above N, such as `*.mx.microsoft` against `a.l-v1.mx.microsoft`,
//      cannot match hosts two labels below it, so it counts as not lying in N;
//   5. N is not the domain itself nor under it: hosts in the domain's own namespace are its own,
//      not a provider's (`*.example.com` against `a.b.example.com` is only a mismatch).

public enum ProviderMigration {
    /// The finding, or nil when the rule does not hold. `patterns` are the usable policy's mx
    /// patterns (nil: no usable policy).
    public static func finding(patterns: [String]?, mx: MXEvidence?, domain: String) -> Finding? {
        guard let patterns, !patterns.isEmpty, let mx, !mx.lookup.isFailure, !mx.isNullMX, !mx.implicit else { return nil }
        let hosts = mx.hosts.filter(\.hasValidName).map { MXPattern.normalise($0.name) }
        guard !hosts.isEmpty else { return nil }
        guard !hosts.contains(where: { MXPattern.matchesAny(patterns, host: $0) }) else { return nil }
        guard let namespace = namespace(of: hosts) else { return nil }
        let own = MXPattern.normalise(domain)
        guard namespace != own, !namespace.hasSuffix("." + own) else { return nil }
        let inNamespace = patterns.contains { p in
            let base = MXPattern.normalise(p.hasPrefix("*.") ? String(p.dropFirst(2)) : p)
            return base == namespace || base.hasSuffix("." + namespace)
        }
        guard !inNamespace else { return nil }
        return Finding(.mxProviderMigrated,
                       detail: "MX hosts under \(namespace); policy mx: \(patterns.joined(separator: ", "))")
    }

    /// The longest common label suffix of the hosts' parent names, when it has two labels or more.
    static func namespace(of hosts: [String]) -> String? {
        var common: [Substring]?
        for h in hosts {
            let labels = h.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 3 else { return nil }   // a parent of at least two labels
            let parent = Array(labels.dropFirst())
            guard let c = common else { common = parent; continue }
            var n = 0
            while n < c.count, n < parent.count, c[c.count - 1 - n] == parent[parent.count - 1 - n] { n += 1 }
            common = Array(c.suffix(n))
        }
        guard let c = common, c.count >= 2 else { return nil }
        return c.joined(separator: ".")
    }
}
