// Who hosts a domain's MTA-STS policy, from stored evidence only (no new query): the policy host
// is always mta-sts.<domain> (§3.3), so its NAME says nothing; what does:
//   1. `cname`: the `_mta-sts` TXT record reached through a CNAME: the registrable domain of the
//      chain's last name (the operator who publishes the record for the domain);
//   2. `certificate`: the policy host's leaf certificate names no name under the domain's own
//      registrable domain: the registrable domain of its first DNS name (a provider's shared
//      certificate, `*.mta-sts.provider.example`);
//   3. `own name`: the certificate is for the domain's own names (self-hosted, or a provider that
//      issues per-customer certificates: not told apart from stored evidence);
//   4. `no certificate`: the fetch never reached TLS (DNS, connect errors).
// The third axis, the DNS operator (the NS set, asked for domains with a record), is in
// DNSOperators.swift.

public enum PolicyProvider {
    public static func of(domain: String, cnameTarget: String?, leafNames: [String], psl: PublicSuffixList) -> (provider: String, basis: String) {
        if let t = cnameTarget { return (psl.registrableDomain(t), "cname") }
        guard !leafNames.isEmpty else { return ("(no certificate)", "no certificate") }
        let own = psl.registrableDomain(domain)
        let names = leafNames.map { $0.hasPrefix("*.") ? String($0.dropFirst(2)) : $0 }
        if names.contains(where: { psl.registrableDomain($0) == own }) { return ("(own name)", "own name") }
        return (psl.registrableDomain(names[0]), "certificate")
    }
}

/// Per provider: domains with a record, valid, enforce, misconfigured (Misconfiguration).
public struct ProviderCounts: Sendable, Hashable {
    public var basis = ""
    public var record = 0
    public var valid = 0
    public var enforce = 0
    public var misconfigured = 0
}
