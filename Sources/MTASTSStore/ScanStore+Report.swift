// Reads for `report`, `trends` and `diff` (MTASTSReport does the arithmetic; the SQL stays here).
// Each reader streams: one domain at a time, its children folded into the same row by
// correlated subqueries (one statement step per domain instead of three point queries), so a
// report over 10M domains holds one row, plus the report's own counters, in memory.
import Foundation
import MTASTSCore

/// One domain as the report counts it.
public struct ReportRow: Sendable, Hashable {
    public struct FindingRef: Sendable, Hashable {
        public var code: String
        public var severity: String
        public init(code: String, severity: String) { self.code = code; self.severity = severity }
    }
    public struct MXRef: Sendable, Hashable {
        public var host: String
        /// Nil when the hosts were not probed.
        public var result: String?
        public init(host: String, result: String?) { self.host = host; self.result = result }
    }

    public var domain: String?
    public var status: String
    public var mode: String?
    public var mxStatus: String
    public var policyMaxAge: Int?
    public var tlsrptStatus: String?
    public var findings: [FindingRef]
    public var mx: [MXRef]
    /// The last name of the `_mta-sts.<domain>` CNAME chain (the delegation target), nil when none.
    public var txtCNAMETarget: String?
    /// The input's rank (`rank,domain` lines), nil when the line had none.
    public var rank: Int?
    /// The DNS names of the policy host's leaf certificate (domains with a record whose fetch
    /// reached TLS), empty otherwise: who serves the policy when the name is not the domain's own.
    public var policyLeafNames: [String] = []
    /// The NS lookup's outcome word and host names (domains with a record; nil when the NS set
    /// was not asked: no record, or evidence stored before the DNS-operator axis).
    public var nsLookup: String?
    public var nsHosts: [String] = []

    public init(domain: String?, status: String, mode: String? = nil, mxStatus: String, policyMaxAge: Int? = nil,
                tlsrptStatus: String? = nil, findings: [FindingRef] = [], mx: [MXRef] = [], txtCNAMETarget: String? = nil,
                rank: Int? = nil) {
        self.domain = domain
        self.status = status
        self.mode = mode
        self.mxStatus = mxStatus
        self.policyMaxAge = policyMaxAge
        self.tlsrptStatus = tlsrptStatus
        self.findings = findings
        self.mx = mx
        self.txtCNAMETarget = txtCNAMETarget
        self.rank = rank
    }
}

/// Domains per certificate issuer of the leaf presented by a policy host or an MX host.
public struct IssuerCount: Sendable, Hashable {
    /// "policy" or "mx".
    public var role: String
    public var issuerO: String?
    public var issuerCN: String?
    /// Distinct domains whose policy host (or any of whose MX hosts) presented such a leaf.
    public var domains: Int
}

/// One group of a scan's domains, for trends: counted per (status, mode, TLS-RPT valid, DANE).
public struct TrendCount: Sendable, Hashable {
    public var scanID: Int64
    public var status: String
    public var mode: String?
    public var tlsrptValid: Bool
    public var dane: Bool
    public var domains: Int
    public init(scanID: Int64, status: String, mode: String?, tlsrptValid: Bool, dane: Bool, domains: Int) {
        self.scanID = scanID; self.status = status; self.mode = mode
        self.tlsrptValid = tlsrptValid; self.dane = dane; self.domains = domains
    }
}

/// What `diff` compares of one domain in one scan.
public struct DiffSide: Sendable, Hashable {
    public var domain: String
    public var status: String
    public var mode: String?
    public var mxStatus: String
    public var recordID: String?
    /// The policy body as received (any HTTP status), nil when none came back.
    public var policyBody: [UInt8]?
    /// The MX host names, sorted (the set, not the order of the answer); nil when not looked up.
    public var mxHosts: [String]?
    public init(domain: String, status: String, mode: String? = nil, mxStatus: String, recordID: String? = nil,
                policyBody: [UInt8]? = nil, mxHosts: [String]? = nil) {
        self.domain = domain; self.status = status; self.mode = mode; self.mxStatus = mxStatus
        self.recordID = recordID; self.policyBody = policyBody; self.mxHosts = mxHosts
    }
}

extension ScanStore {
    /// Every row of a scan (invalid-input and excluded included), in line order.
    public func reportRows(scanID: Int64, _ body: (ReportRow) throws -> Void) throws {
        // char(31)/char(30) separate fields and items: neither can appear in a stored host name,
        // code or result. `$.txt.cnameChain[#-1]` is the chain's last name (SQLite JSON1),
        // parsed only for domains with a record: the JSON parse is the query's main cost.
        let rows = try db.prepare("""
            SELECT d.domain, d.status, d.mode, d.mx_status, d.policy_max_age, d.tlsrpt_status,
                   (SELECT group_concat(f.code || char(31) || f.severity, char(30)) FROM findings f WHERE f.domain_id = d.id),
                   (SELECT group_concat(m.host || char(31) || coalesce(m.result, ''), char(30)) FROM mx_hosts m WHERE m.domain_id = d.id),
                   CASE WHEN d.record_raw IS NOT NULL THEN json_extract(e.json, '$.txt.cnameChain[#-1]') END,
                   d.rank,
                   CASE WHEN d.record_raw IS NOT NULL THEN json_extract(e.json, '$.policyFetch.tls.leafDNSNames') END,
                   CASE WHEN d.record_raw IS NOT NULL THEN json_extract(e.json, '$.ns.lookup') END,
                   CASE WHEN d.record_raw IS NOT NULL THEN json_extract(e.json, '$.ns.hosts') END
            FROM domains d LEFT JOIN evidence e ON e.domain_id = d.id
            WHERE d.scan_id = ? ORDER BY d.line_no
            """)
        func pairs(_ s: String?) -> [(String, String)] {
            guard let s, !s.isEmpty else { return [] }
            return s.split(separator: "\u{1E}", omittingEmptySubsequences: false).map { item in
                let p = item.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(p[0]), p.count > 1 ? String(p[1]) : "")
            }
        }
        // A JSON array of DNS names. A name read from an answer can hold a quote or a backslash
        // (DNSMessage.readName keeps `"` and writes `\.`), escaped in the JSON: decoded, not
        // split at quotes. Asked only for domains with a record.
        func names(_ json: String?) -> [String] {
            guard let json else { return [] }
            return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
        }
        try rows.query([.int(scanID)]) { r in
            var row = ReportRow(
                domain: r.text(0), status: r.text(1) ?? "", mode: r.text(2), mxStatus: r.text(3) ?? "",
                policyMaxAge: r.optionalInt(4), tlsrptStatus: r.text(5),
                findings: pairs(r.text(6)).map { .init(code: $0.0, severity: $0.1) },
                mx: pairs(r.text(7)).map { .init(host: $0.0, result: $0.1.isEmpty ? nil : $0.1) },
                txtCNAMETarget: r.text(8), rank: r.optionalInt(9))
            row.policyLeafNames = names(r.text(10))
            row.nsLookup = r.text(11)
            row.nsHosts = names(r.text(12))
            try body(row)
        }
    }

    /// Leaf issuers, by role. Slot 0 is the policy fetch exactly when the evidence has policy TLS
    /// facts (EvidenceCodec numbers the policy connection first); every other slot is an MX probe.
    /// The CASE parses the evidence JSON only for slot 0; that parse is still most of the cost
    /// (about 0.45 of 0.5 s for 10k domains): no column of `domains` tells policy TLS facts apart.
    public func issuerCounts(scanID: Int64) throws -> [IssuerCount] {
        var out: [IssuerCount] = []
        try db.prepare("""
            SELECT CASE WHEN l.slot <> 0 THEN 'mx' WHEN json_extract(e.json, '$.policyFetch.tls') IS NOT NULL THEN 'policy' ELSE 'mx' END AS role,
                   c.issuer_o, c.issuer_cn, count(DISTINCT l.domain_id)
            FROM domains d JOIN evidence_certs l ON l.domain_id = d.id AND l.position = 0
            JOIN evidence e ON e.domain_id = d.id JOIN certificates c ON c.fingerprint = l.fingerprint
            WHERE d.scan_id = ? GROUP BY 1, 2, 3 ORDER BY 1 DESC, 4 DESC, 2, 3
            """).query([.int(scanID)]) {
            out.append(IssuerCount(role: $0.text(0) ?? "", issuerO: $0.text(1), issuerCN: $0.text(2), domains: Int($0.int(3))))
        }
        return out
    }

    /// Domains per (scan, status, mode, TLS-RPT valid, DANE) over every scan, for trends.
    public func trendCounts() throws -> [TrendCount] { try trendCounts(scanIDs: nil, panel: false) }

    /// The same for the given scans (nil: every scan). `panel`: only the domain names present
    /// in EVERY given scan (invalid-input rows, which have no name, are left out), so that
    /// domains entering or leaving the input list (list churn) do not move the shares.
    public func trendCounts(scanIDs: [Int64]?, panel: Bool) throws -> [TrendCount] {
        var ids = scanIDs ?? []
        if scanIDs == nil { try db.prepare("SELECT id FROM scans ORDER BY id").query([]) { ids.append($0.int(0)) } }
        guard !ids.isEmpty else { return [] }
        // Ids are integers from the caller's parsed options: inlined, not bound, so one IN list
        // serves every scan count without a statement per arity.
        let list = ids.map(String.init).joined(separator: ",")
        let panelFilter = panel ? """
             AND d.domain IN (SELECT p.domain FROM domains p WHERE p.scan_id IN (\(list)) AND p.domain IS NOT NULL
                              GROUP BY p.domain HAVING count(DISTINCT p.scan_id) = \(Set(ids).count))
            """ : ""
        var out: [TrendCount] = []
        try db.prepare("""
            SELECT d.scan_id, d.status, d.mode, coalesce(d.tlsrpt_status = 'valid', 0),
                   EXISTS (SELECT 1 FROM findings f WHERE f.domain_id = d.id AND f.code = 'dane-tlsa'), count(*)
            FROM domains d WHERE d.scan_id IN (\(list))\(panelFilter) GROUP BY 1, 2, 3, 4, 5 ORDER BY 1
            """).query([]) {
            out.append(TrendCount(scanID: $0.int(0), status: $0.text(1) ?? "", mode: $0.text(2),
                                  tlsrptValid: $0.int(3) != 0, dane: $0.int(4) != 0, domains: Int($0.int(5))))
        }
        return out
    }

    /// The scan before this one (the largest smaller id), or nil: the baseline of the report's
    /// cross-scan findings.
    public func previousScanID(before id: Int64) throws -> Int64? {
        var found: Int64?
        try db.prepare("SELECT max(id) FROM scans WHERE id < ?").query([.int(id)]) { if !$0.isNull(0) { found = $0.int(0) } }
        return found
    }

    /// Both scans' rows joined on the domain name (a merge of two cursors in name order: memory
    /// stays one row per side). `body(old, new)`: nil on the side where the domain is absent.
    /// Invalid-input rows have no name and are not compared.
    public func diffPairs(old: Int64, new: Int64, _ body: (DiffSide?, DiffSide?) throws -> Void) throws {
        let sql = """
            SELECT d.domain, d.status, d.mode, d.mx_status, d.record_id, e.policy_body, d.mx_count,
                   (SELECT group_concat(m.host, char(30)) FROM mx_hosts m WHERE m.domain_id = d.id)
            FROM domains d LEFT JOIN evidence e ON e.domain_id = d.id
            WHERE d.scan_id = ? AND d.domain IS NOT NULL ORDER BY d.domain
            """
        let a = try db.prepare(sql), b = try db.prepare(sql)
        try a.bind([.int(old)])
        try b.bind([.int(new)])
        func side(_ s: Statement) -> DiffSide {
            let hosts: [String]? = s.isNull(6) ? nil
                : (s.text(7) ?? "").split(separator: "\u{1E}").map(String.init).sorted()
            return DiffSide(domain: s.text(0) ?? "", status: s.text(1) ?? "", mode: s.text(2), mxStatus: s.text(3) ?? "",
                            recordID: s.text(4), policyBody: s.blob(5), mxHosts: hosts)
        }
        var x = try a.step() ? side(a) : nil
        var y = try b.step() ? side(b) : nil
        while x != nil || y != nil {
            if let l = x, let r = y, l.domain == r.domain {
                try body(l, r)
                x = try a.step() ? side(a) : nil
                y = try b.step() ? side(b) : nil
            } else if let l = x, y == nil || l.domain < y!.domain {
                // String `<` is by Unicode scalars; stored names are ASCII A-labels, where it
                // agrees with SQLite's BINARY collation used by ORDER BY.
                try body(l, nil)
                x = try a.step() ? side(a) : nil
            } else {
                try body(nil, y)
                y = try b.step() ? side(b) : nil
            }
        }
    }
}

extension ScanStore {
    /// Both scans' finding codes joined on the domain name (the merge of `diffPairs`): `body(domain,
    /// old codes, new codes)`, nil on the side where the domain is absent. Invalid-input rows have
    /// no name and are left out.
    public func findingPairs(old: Int64, new: Int64, _ body: (String, Set<String>?, Set<String>?) throws -> Void) throws {
        let sql = """
            SELECT d.domain, (SELECT group_concat(f.code, ' ') FROM findings f WHERE f.domain_id = d.id)
            FROM domains d WHERE d.scan_id = ? AND d.domain IS NOT NULL ORDER BY d.domain
            """
        let a = try db.prepare(sql), b = try db.prepare(sql)
        try a.bind([.int(old)])
        try b.bind([.int(new)])
        func side(_ s: Statement) -> (String, Set<String>) {
            (s.text(0) ?? "", Set((s.text(1) ?? "").split(separator: " ").map(String.init)))
        }
        var x = try a.step() ? side(a) : nil
        var y = try b.step() ? side(b) : nil
        while x != nil || y != nil {
            if let l = x, let r = y, l.0 == r.0 {
                try body(l.0, l.1, r.1)
                x = try a.step() ? side(a) : nil
                y = try b.step() ? side(b) : nil
            } else if let l = x, y == nil || l.0 < y!.0 {
                try body(l.0, l.1, nil)
                x = try a.step() ? side(a) : nil
            } else if let r = y {
                try body(r.0, nil, r.1)
                y = try b.step() ? side(b) : nil
            }
        }
    }
}
