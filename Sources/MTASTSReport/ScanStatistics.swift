// The counters of one scan's report, filled one row at a time (`add`), so a report over millions
// of domains holds counters, not rows. The definitions here are the report's contract
// (analysis/REPORTS.md); the SQL view `v_funnel` repeats them and a test holds the two together.
import MTASTSStore

/// The statuses in the classifier's order (docs/VERDICTS.md). The funnel cuts this list.
public let statusOrder = ["invalid-input", "excluded", "dns-error", "no-record", "record-invalid",
                          "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"]
public let modeOrder = ["enforce", "testing", "none"]
public let mxStatusOrder = ["all-pass", "partial", "none-pass", "null-mx", "dns-error", "not-probed"]
public let mxResultOrder = ["pass", "pattern-mismatch", "starttls-not-supported", "certificate-host-mismatch",
                            "certificate-expired", "certificate-not-trusted", "tls-failure", "unreachable", "dns-error"]

/// Funnel stages. A domain is in a stage when its status is at or after the stage's first status
/// in `statusOrder`: "scanned" is every row but invalid-input and excluded; "record" starts at
/// record-invalid (an STS record was found, §3.1); "policy fetched" starts at
/// policy-webpki-invalid (the fetch did not fail at DNS, TCP, HTTP status or size: the HTTPS
/// server answered, though for policy-webpki-invalid its certificate or TLS failed validation);
/// "valid" is valid.
public enum Funnel {
    public static let stages: [(name: String, from: String)] = [
        ("scanned", "dns-error"), ("record", "record-invalid"), ("policy fetched", "policy-webpki-invalid"), ("valid", "valid"),
    ]

    static func rank(_ status: String) -> Int { statusOrder.firstIndex(of: status) ?? -1 }

    /// The stages a status reaches (scanned, record, ...), as indices into `stages`.
    public static func reached(_ status: String) -> Int {
        let r = rank(status)
        return stages.lastIndex { rank($0.from) <= r }.map { $0 + 1 } ?? 0
    }
}

/// max_age buckets (seconds): <1d, 1d–1w, 1w–30d, 30d–1y, exactly 31557600 (the RFC's maximum), above.
public enum MaxAgeBucket {
    public static let names = ["<1d", "1d-1w", "1w-30d", "30d-1y", "=1y", ">1y"]
    public static let year = 31_557_600
    public static func index(_ s: Int) -> Int {
        switch s {
        case ..<86_400: return 0
        case ..<604_800: return 1
        case ..<2_592_000: return 2
        case ..<year: return 3
        case year: return 4
        default: return 5
        }
    }
}

public struct ScanStatistics: Sendable {
    public let psl: PublicSuffixList
    public private(set) var rows = 0
    public private(set) var funnel = [Int](repeating: 0, count: Funnel.stages.count)
    public private(set) var status: [String: Int] = [:]
    public private(set) var mode: [String: Int] = [:]
    public private(set) var mxStatus: [String: Int] = [:]
    /// MX host rows per result ("not probed" when null), and domains with at least one such host.
    public private(set) var mxResultHosts: [String: Int] = [:]
    public private(set) var mxResultDomains: [String: Int] = [:]
    /// Domains per finding code (a domain counts once per code however many hosts it concerns).
    public private(set) var findingDomains: [String: Int] = [:]
    public private(set) var findingSeverity: [String: String] = [:]
    public private(set) var severityDomains: [String: Int] = [:]
    public private(set) var blocksAllMX = 0
    /// The first `blockListLimit` domains with enforce-blocks-all-mx, in line order.
    public private(set) var blocksAllMXList: [String] = []
    public let blockListLimit = 50
    /// Registrable domain of MX hosts → (domains with an MX there, of which with an STS record).
    public private(set) var providers: [String: (all: Int, record: Int)] = [:]
    /// Registrable domain of the `_mta-sts` CNAME target → domains with a record delegated there.
    public private(set) var delegation: [String: Int] = [:]
    public private(set) var recordNoCNAME = 0
    /// Policy host provider (PolicyProviders.swift) → counts, domains with a record.
    public private(set) var policyProviders: [String: ProviderCounts] = [:]
    /// DNS operator (DNSOperators.swift: registrable domain of the NS hosts) → counts, domains
    /// with a record; a domain with a mixed NS set counts once per operator.
    public private(set) var dnsOperators: [String: ProviderCounts] = [:]
    /// MX provider → (valid, misconfigured) among its domains with a record.
    public private(set) var providerQuality: [String: (valid: Int, misconfigured: Int)] = [:]
    /// max_age buckets: every parsed policy, and valid ones.
    public private(set) var maxAgeAll = [Int](repeating: 0, count: MaxAgeBucket.names.count)
    public private(set) var maxAgeValid = [Int](repeating: 0, count: MaxAgeBucket.names.count)
    public private(set) var tlsrpt: [String: Int] = [:]
    /// Scanned domains by (STS record, TLS-RPT valid, DANE): index = sts*4 + tlsrpt*2 + dane.
    public private(set) var overlap = [Int](repeating: 0, count: 8)
    public private(set) var validWithTLSRPT = 0
    /// Mail domains, rank buckets, TLDs, misconfiguration (Cuts.swift).
    public private(set) var cuts = StandardCuts()

    public init(psl: PublicSuffixList) { self.psl = psl }

    public var scanned: Int { funnel[0] }
    public var withRecord: Int { funnel[1] }
    public var valid: Int { funnel[3] }

    public mutating func add(_ r: ReportRow) {
        rows += 1
        status[r.status, default: 0] += 1
        let reached = Funnel.reached(r.status)
        for i in 0..<reached { funnel[i] += 1 }
        if let m = r.mode { mode[m, default: 0] += 1 }
        mxStatus[r.mxStatus, default: 0] += 1
        guard reached > 0 else { return } // invalid-input, excluded: nothing else was looked at
        let hasRecord = reached >= 2

        var results = Set<String>()
        for h in r.mx {
            let key = h.result ?? "not probed"
            mxResultHosts[key, default: 0] += 1
            results.insert(key)
        }
        for k in results { mxResultDomains[k, default: 0] += 1 }

        var codes = Set<String>(), severities = Set<String>(), dane = false
        for f in r.findings {
            codes.insert(f.code)
            severities.insert(f.severity)
            findingSeverity[f.code] = f.severity
            if f.code == "dane-tlsa" { dane = true }
        }
        for c in codes { findingDomains[c, default: 0] += 1 }
        for s in severities { severityDomains[s, default: 0] += 1 }
        cuts.add(r, hasRecord: hasRecord, codes: codes, suffix: r.domain.map(psl.publicSuffix) ?? "")
        if codes.contains("enforce-blocks-all-mx") {
            blocksAllMX += 1
            if blocksAllMXList.count < blockListLimit { blocksAllMXList.append(r.domain ?? "") }
        }

        // A null MX ("."), or an implicit MX that is the domain itself, is not a provider.
        // MX hosts under the domain's own registrable domain are grouped as "(self-hosted)", so
        // thousands of one-domain "providers" do not crowd the table.
        var groups = Set<String>()
        let own = r.domain.map(psl.registrableDomain)
        for h in r.mx where h.host != "." && !h.host.isEmpty {
            let g = psl.registrableDomain(h.host)
            groups.insert(g == own ? "(self-hosted)" : g)
        }
        let misconfigured = hasRecord && Misconfiguration.category(status: r.status, mxStatus: r.mxStatus) != nil
        for g in groups {
            var p = providers[g] ?? (0, 0)
            p.all += 1
            if hasRecord { p.record += 1 }
            providers[g] = p
            var q = providerQuality[g] ?? (0, 0)
            if r.status == "valid" { q.valid += 1 }
            if misconfigured { q.misconfigured += 1 }
            providerQuality[g] = q
        }
        if hasRecord, let d = r.domain {
            let (name, basis) = PolicyProvider.of(domain: d, cnameTarget: r.txtCNAMETarget, leafNames: r.policyLeafNames, psl: psl)
            var p = policyProviders[name] ?? ProviderCounts()
            p.basis = basis
            p.record += 1
            if r.status == "valid" { p.valid += 1; if r.mode == "enforce" { p.enforce += 1 } }
            if misconfigured { p.misconfigured += 1 }
            policyProviders[name] = p
        }
        if hasRecord, let d = r.domain {
            for name in DNSOperator.of(domain: d, lookup: r.nsLookup, hosts: r.nsHosts, psl: psl) {
                var p = dnsOperators[name] ?? ProviderCounts()
                p.record += 1
                if r.status == "valid" { p.valid += 1; if r.mode == "enforce" { p.enforce += 1 } }
                if misconfigured { p.misconfigured += 1 }
                dnsOperators[name] = p
            }
        }
        if hasRecord {
            if let t = r.txtCNAMETarget { delegation[psl.registrableDomain(t), default: 0] += 1 } else { recordNoCNAME += 1 }
        }

        if let age = r.policyMaxAge {
            maxAgeAll[MaxAgeBucket.index(age)] += 1
            if r.status == "valid" { maxAgeValid[MaxAgeBucket.index(age)] += 1 }
        }
        let rpt = r.tlsrptStatus == "valid"
        tlsrpt[r.tlsrptStatus ?? "not looked up", default: 0] += 1
        overlap[(hasRecord ? 4 : 0) + (rpt ? 2 : 0) + (dane ? 1 : 0)] += 1
        if rpt && r.status == "valid" { validWithTLSRPT += 1 }
    }
}
