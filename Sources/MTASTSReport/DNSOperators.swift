// Who operates a domain's DNS: the registrable domain (Public Suffix List, as the MX and policy
// host axes) of each host of its NS set, asked by the scan only for domains with an `_mta-sts`
// record. The rule for a mixed NS set (hosts under several registrable domains, e.g. a hoster's
// ns1 and a secondary elsewhere): the domain counts ONCE FOR EACH operator, as a domain counts
// once per provider in the MX provider table, so the column does not sum to the domains with a
// record; a set under one registrable domain counts once. NS hosts under the domain's own
// registrable domain are "(self-hosted)". Domains whose NS set says nothing are grouped by why:
// "(lookup failed)" (SERVFAIL, timeout...), "(no NS)" (NOERROR or NXDOMAIN without NS records),
// "(not looked up)" (evidence stored before the scanner asked NS).

public enum DNSOperator {
    public static let selfHosted = "(self-hosted)"

    /// The operators of one domain's NS set, each once, sorted.
    public static func of(domain: String, lookup: String?, hosts: [String], psl: PublicSuffixList) -> [String] {
        guard let lookup else { return ["(not looked up)"] }
        if lookup != "NOERROR" && lookup != "NXDOMAIN" { return ["(lookup failed)"] }
        let names = hosts.filter { $0 != "." && !$0.isEmpty }
        guard !names.isEmpty else { return ["(no NS)"] }
        let own = psl.registrableDomain(domain)
        return Set(names.map { psl.registrableDomain($0) == own ? selfHosted : psl.registrableDomain($0) }).sorted()
    }
}
