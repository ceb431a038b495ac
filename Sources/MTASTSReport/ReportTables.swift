// The tables of `mtasts report`, in print order, from the counters of ScanStatistics. Names and
// columns are the CSV contract of analysis/REPORTS.md: add tables and columns, rename none.
import MTASTSStore

public struct ScanReport: Sendable {
    public var scan: ScanSummary
    public var stats: ScanStatistics
    public var issuers: [IssuerCount]
    /// Cross-scan findings against the previous scan, when there is one.
    public var crossScan: DiffSummary?
    public var topN = 20
    /// Which Public Suffix List grouped the hosts: path, version header, SHA-256 (set by the CLI).
    public var pslSource = ""
    /// The sender profiles' outcomes (issue 17), when computed.
    public var profiles: ProfileStatistics?

    public init(scan: ScanSummary, stats: ScanStatistics, issuers: [IssuerCount], crossScan: DiffSummary?) {
        self.scan = scan
        self.stats = stats
        self.issuers = issuers
        self.crossScan = crossScan
    }

    /// Known words first in the vocabulary's order, then any others (a newer mtasts's) by name.
    static func ordered(_ counts: [String: Int], _ order: [String]) -> [String] {
        order.filter { counts[$0] != nil } + counts.keys.filter { !order.contains($0) }.sorted()
    }

    /// Every word of the vocabulary, zeros included, so that the CSVs of two scans have the same
    /// rows and stack without a join; then any unknown word.
    static func all(_ counts: [String: Int], _ order: [String]) -> [String] {
        order + counts.keys.filter { !order.contains($0) }.sorted()
    }

    /// By count descending, then by name, for stable output.
    static func top<V>(_ d: [String: V], _ n: Int, by count: (V) -> Int) -> [(String, V)] {
        Array(d.sorted { count($0.value) != count($1.value) ? count($0.value) > count($1.value) : $0.key < $1.key }.prefix(n))
    }

    public var tables: [Table] {
        let s = stats, scanned = s.scanned
        var t: [Table] = []
        let m = scan.meta
        t.append(Table(name: "scan", title: "Scan \(scan.id): \(m.label)", columns: ["key", "value"], rows: [
            [.text("scan_id"), .int(Int(scan.id))], [.text("label"), .text(m.label)], [.text("input_name"), .text(m.inputName)],
            [.text("input_sha256"), .text(m.inputSHA256)], [.text("tool_version"), .text(m.toolVersion)],
            [.text("started_at"), .int(Int(m.startedAt))], [.text("started_utc"), .text(utc(m.startedAt))],
            [.text("finished_at"), scan.finishedAt.map { .int(Int($0)) } ?? .text("unfinished")],
            [.text("rows"), .int(s.rows)],
            [.text("public_suffix_list"), .text(pslSource.isEmpty ? (s.psl.isList ? "(given)" : "none: last two labels") : pslSource)],
            [.text("public_suffix_rules"), .int(s.psl.ruleCount)],
        ]))

        var prev = scanned
        var funnel: [[Cell]] = []
        for (i, st) in Funnel.stages.enumerated() {
            funnel.append([.text(st.name), .int(s.funnel[i]), share(s.funnel[i], of: scanned), share(s.funnel[i], of: prev)])
            prev = s.funnel[i]
        }
        for mo in modeOrder {
            let n = s.mode[mo] ?? 0
            funnel.append([.text("valid, mode \(mo)"), .int(n), share(n, of: scanned), share(n, of: s.valid)])
        }
        t.append(Table(name: "funnel", title: "Deployment funnel", columns: ["stage", "domains", "share_of_scanned", "share_of_previous"],
                       rows: funnel, note: "scanned: all but invalid-input and excluded (dns-error included: \(s.status["dns-error"] ?? 0) domains of unknown adoption). record: status record-invalid or later. policy fetched: policy-webpki-invalid, policy-invalid or valid. Modes: share_of_previous is of valid."))

        t.append(Table(name: "status", title: "Status", columns: ["status", "domains", "share"],
                       rows: Self.all(s.status, statusOrder).map { [.text($0), .int(s.status[$0] ?? 0), share(s.status[$0] ?? 0, of: s.rows)] },
                       note: "share of all rows; every status listed, zeros included"))
        t.append(Table(name: "mode", title: "Mode of valid policies", columns: ["mode", "domains", "share"],
                       rows: modeOrder.map { [.text($0), .int(s.mode[$0] ?? 0), share(s.mode[$0] ?? 0, of: s.valid)] }))
        t.append(Table(name: "mx_status", title: "MX status", columns: ["mx_status", "domains", "share"],
                       rows: Self.all(s.mxStatus, mxStatusOrder).map { [.text($0), .int(s.mxStatus[$0] ?? 0), share(s.mxStatus[$0] ?? 0, of: s.rows)] },
                       note: "share of all rows"))
        t.append(Table(name: "mx_result", title: "MX host results", columns: ["result", "mx_hosts", "domains", "share_of_scanned"],
                       rows: Self.all(s.mxResultHosts, mxResultOrder + ["not probed"]).map {
                           [.text($0), .int(s.mxResultHosts[$0] ?? 0), .int(s.mxResultDomains[$0] ?? 0), share(s.mxResultDomains[$0] ?? 0, of: scanned)]
                       }, note: "mx_hosts: host rows (a provider's host counts once per domain using it); domains: with at least one host of that result; share of scanned"))
        let codes = s.findingDomains.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
        }
        t.append(Table(name: "findings", title: "Findings", columns: ["code", "severity", "domains", "share_of_scanned"],
                       rows: codes.map { [.text($0.key), .text(s.findingSeverity[$0.key] ?? ""), .int($0.value), share($0.value, of: scanned)] },
                       note: "a domain counts once per code"))
        t.append(Table(name: "severity", title: "Domains with at least one finding of each severity", columns: ["severity", "domains", "share_of_scanned"],
                       rows: ["error", "warning", "info"].map { [.text($0), .int(s.severityDomains[$0] ?? 0), share(s.severityDomains[$0] ?? 0, of: scanned)] }))
        t.append(Table(name: "enforce_blocks_all_mx", title: "enforce-blocks-all-mx: \(s.blocksAllMX) domains whose mail compliant senders refuse",
                       columns: ["domain"], rows: s.blocksAllMXList.map { [.text($0)] },
                       note: s.blocksAllMX > s.blockListLimit ? "first \(s.blockListLimit) of \(s.blocksAllMX), in input order" : nil))

        let pslNote = s.psl.isList ? "grouped by registrable domain (Public Suffix List, ICANN section)"
            : "grouped by the LAST TWO LABELS: no Public Suffix List file was found (install Debian's publicsuffix or pass --psl)"
        t.append(Table(name: "mx_providers", title: "Top MX providers",
                       columns: ["provider", "domains", "share_of_scanned", "domains_with_record", "share_of_record",
                                 "record_share_of_provider", "valid", "misconfigured", "misconfigured_share_of_record"],
                       rows: Self.top(s.providers, topN, by: { $0.all }).map {
                           let q = s.providerQuality[$0.0] ?? (0, 0)
                           return [.text($0.0), .int($0.1.all), share($0.1.all, of: scanned), .int($0.1.record), share($0.1.record, of: s.withRecord),
                                   share($0.1.record, of: $0.1.all), .int(q.valid), .int(q.misconfigured), share(q.misconfigured, of: $0.1.record)]
                       }, note: "top \(topN) by domains; \(pslNote); a domain counts once per provider; (self-hosted): MX hosts under the domain's own registrable domain; record_share_of_provider: adoption among the provider's domains; misconfigured: as in the misconfiguration table"))
        t.append(Table(name: "policy_providers", title: "Policy host providers (domains with a record)",
                       columns: ["provider", "basis", "domains_with_record", "share_of_record", "valid", "enforce", "misconfigured", "misconfigured_share_of_provider"],
                       rows: Self.top(s.policyProviders, topN, by: { $0.record }).map {
                           [.text($0.0), .text($0.1.basis), .int($0.1.record), share($0.1.record, of: s.withRecord), .int($0.1.valid), .int($0.1.enforce),
                            .int($0.1.misconfigured), share($0.1.misconfigured, of: $0.1.record)]
                       }, note: "top \(topN); basis cname: the registrable domain of the _mta-sts CNAME target; certificate: the policy host's leaf certificate names no name of the domain's own, its first name's registrable domain; own name: a certificate for the domain's own names (self-hosted, or a provider issuing per-customer certificates); no certificate: the fetch did not reach TLS"))
        t.append(Table(name: "dns_operators", title: "DNS operators (NS set, domains with a record)",
                       columns: ["operator", "domains_with_record", "share_of_record", "valid", "enforce",
                                 "misconfigured", "misconfigured_share_of_operator"],
                       rows: Self.top(s.dnsOperators, topN, by: { $0.record }).map {
                           [.text($0.0), .int($0.1.record), share($0.1.record, of: s.withRecord), .int($0.1.valid), .int($0.1.enforce),
                            .int($0.1.misconfigured), share($0.1.misconfigured, of: $0.1.record)]
                       }, note: "top \(topN); the registrable domain (\(s.psl.isList ? "Public Suffix List" : "last two labels")) of the domain's NS hosts, asked only for domains with an _mta-sts record; (self-hosted): NS hosts under the domain's own registrable domain; a mixed NS set (hosts under several registrable domains) counts once for EACH operator, so domains_with_record can sum to more than the domains with a record; (lookup failed): the NS lookup failed; (no NS): no NS records answered; (not looked up): evidence stored before the scanner asked NS"))
        var deleg: [[Cell]] = Self.top(s.delegation, topN, by: { $0 }).map { [.text($0.0), .int($0.1), share($0.1, of: s.withRecord)] }
        deleg.append([.text("(no CNAME)"), .int(s.recordNoCNAME), share(s.recordNoCNAME, of: s.withRecord)])
        t.append(Table(name: "policy_delegation", title: "Policy hosts: _mta-sts CNAME delegation targets", columns: ["target", "domains", "share_of_record"],
                       rows: deleg, note: "domains with a record, by the registrable domain of the last name of the _mta-sts CNAME chain; the policy host itself is always mta-sts.<domain>"))
        t.append(Table(name: "max_age", title: "Policy max_age", columns: ["bucket", "policies", "valid"],
                       rows: MaxAgeBucket.names.indices.map { [.text(MaxAgeBucket.names[$0]), .int(s.maxAgeAll[$0]), .int(s.maxAgeValid[$0])] },
                       note: "policies: every policy whose max_age parsed (any status); valid: status valid. =1y is exactly 31557600 s"))

        t.append(Table(name: "tlsrpt_status", title: "TLS-RPT record", columns: ["tlsrpt_status", "domains", "share_of_scanned"],
                       rows: Self.all(s.tlsrpt, ["valid", "absent", "invalid", "multiple", "dns-error", "not looked up"]).map {
                           [.text($0), .int(s.tlsrpt[$0] ?? 0), share(s.tlsrpt[$0] ?? 0, of: scanned)] }))
        func ov(_ sts: Int?, _ rpt: Int?, _ dane: Int?) -> Int {
            (0..<8).filter { i in (sts == nil || i >> 2 == sts!) && (rpt == nil || (i >> 1) & 1 == rpt!) && (dane == nil || i & 1 == dane!) }
                .reduce(0) { $0 + s.overlap[$1] }
        }
        t.append(Table(name: "adoption", title: "MTA-STS, TLS-RPT and DANE", columns: ["mechanism", "domains", "share_of_scanned"], rows: [
            [.text("MTA-STS record"), .int(ov(1, nil, nil)), share(ov(1, nil, nil), of: scanned)],
            [.text("MTA-STS valid"), .int(s.valid), share(s.valid, of: scanned)],
            [.text("TLS-RPT valid"), .int(ov(nil, 1, nil)), share(ov(nil, 1, nil), of: scanned)],
            [.text("DANE (dane-tlsa)"), .int(ov(nil, nil, 1)), share(ov(nil, nil, 1), of: scanned)],
            [.text("MTA-STS record + TLS-RPT"), .int(ov(1, 1, nil)), share(ov(1, 1, nil), of: scanned)],
            [.text("MTA-STS valid + TLS-RPT"), .int(s.validWithTLSRPT), share(s.validWithTLSRPT, of: scanned)],
            [.text("MTA-STS record + DANE"), .int(ov(1, nil, 1)), share(ov(1, nil, 1), of: scanned)],
            [.text("all three"), .int(ov(1, 1, 1)), share(ov(1, 1, 1), of: scanned)],
        ], note: "DANE is seen only where MX hosts were probed (TLSA of probed hosts): without --probe-all-mx, domains with an STS record"))
        t.append(Table(name: "adoption_overlap", title: "Overlap (every combination)", columns: ["mta_sts_record", "tlsrpt_valid", "dane", "domains", "share_of_scanned"],
                       rows: (0..<8).reversed().map { i in
                           [.text(i >> 2 == 1 ? "yes" : "no"), .text((i >> 1) & 1 == 1 ? "yes" : "no"), .text(i & 1 == 1 ? "yes" : "no"),
                            .int(s.overlap[i]), share(s.overlap[i], of: scanned)] }))

        t.append(Table(name: "cert_issuers", title: "Certificate issuers (leaf)", columns: ["role", "issuer_o", "issuer_cn", "domains"],
                       rows: issuers.map { [.text($0.role), .text($0.issuerO ?? ""), .text($0.issuerCN ?? ""), .int($0.domains)] },
                       note: "policy: the policy host's leaf; mx: any MX host's leaf; domains counted once per issuer and role"))
        if let p = profiles { t += p.tables }
        t += cutTables
        if let c = crossScan {
            t.append(c.findingsTable(title: "Cross-scan findings vs scan \(c.oldScan)"))
        }
        return t
    }

    public var text: String { tables.map(\.text).joined(separator: "\n") }
}
