// Reading stored domains back: export rows in input line order, and stored evidence.
// Streams: one domain row at a time and its children by primary key, so exporting 10M domains
// holds one row in memory.
import MTASTSCore

extension ScanStore {
    /// Calls `body` with every domain of the scan, in input line order.
    public func exportRows(scanID: Int64, _ body: (ExportRow) throws -> Void) throws {
        // A second connection-level cursor over domains is fine while the child statements run:
        // they are different statements on the same read snapshot.
        let rows = try db.prepare("""
            SELECT id, domain, input, rank, status, mode, mx_status, mx_count, record_id, record_raw,
                   policy_max_age, policy_mx_count, http_status, content_type, tlsrpt_status, dane_status, delivery
            FROM domains WHERE scan_id = ? ORDER BY line_no
            """)
        try rows.query([.int(scanID)]) { r in
            let id = r.int(0)
            let policyMX = r.isNull(11) ? nil : Optional(try strings("SELECT pattern FROM policy_mx WHERE domain_id = ? ORDER BY ordinal", id))
            let mx = r.isNull(7) ? nil : Optional(try mxHosts(id))
            let rua = r.isNull(14) ? nil : Optional(try strings("SELECT uri FROM tlsrpt_rua WHERE domain_id = ? ORDER BY ordinal", id))
            let row = ExportRow(
                domain: r.text(1), input: r.text(2) ?? "", rank: r.optionalInt(3), status: r.text(4) ?? "",
                mode: r.text(5), mxStatus: r.text(6) ?? "", findings: try findings(id),
                recordID: r.text(8), recordRaw: r.text(9), policyMaxAge: r.optionalInt(10), policyMX: policyMX,
                httpStatus: r.optionalInt(12), contentType: r.text(13), mx: mx,
                tlsrptStatus: r.text(14), tlsrptRUA: rua, daneStatus: r.text(15), delivery: r.text(16))
            try body(row)
        }
    }

    func findings(_ id: Int64) throws -> [ExportRow.FindingRow] {
        var out: [ExportRow.FindingRow] = []
        try statement("SELECT code, severity, host, detail FROM findings WHERE domain_id = ? ORDER BY ordinal")
            .query([.int(id)]) { out.append(.init(code: $0.text(0) ?? "", severity: $0.text(1) ?? "", host: $0.text(2), detail: $0.text(3))) }
        return out
    }

    func mxHosts(_ id: Int64) throws -> [ExportRow.MXRow] {
        var out: [ExportRow.MXRow] = []
        try statement("SELECT host, preference, result, dane FROM mx_hosts WHERE domain_id = ? ORDER BY ordinal")
            .query([.int(id)]) { out.append(.init(host: $0.text(0) ?? "", preference: Int($0.int(1)), result: $0.text(2), dane: $0.text(3))) }
        return out
    }

    func strings(_ sql: String, _ id: Int64) throws -> [String] {
        var out: [String] = []
        try statement(sql).query([.int(id)]) { out.append($0.text(0) ?? "") }
        return out
    }

    /// The stored evidence of one domain row, chains and policy body restored; nil when none was
    /// stored (invalid input, excluded).
    public func evidence(domainRowID id: Int64) throws -> Evidence? {
        var stored: StoredEvidence?
        try statement("SELECT json, policy_body FROM evidence WHERE domain_id = ?").query([.int(id)]) {
            stored = StoredEvidence(json: $0.text(0) ?? "", policyBody: $0.blob(1), chains: [])
        }
        guard var s = stored else { return nil }
        var chains: [Int: [[UInt8]]] = [:]
        try statement("""
            SELECT l.slot, c.der FROM evidence_certs l JOIN certificates c ON c.fingerprint = l.fingerprint
            WHERE l.domain_id = ? ORDER BY l.slot, l.position
            """).query([.int(id)]) { chains[Int($0.int(0)), default: []].append($0.blob(1) ?? []) }
        s.chains = chains.sorted { $0.key < $1.key }.map { (slot: $0.key, chain: $0.value) }
        do {
            return try EvidenceCodec.decode(s)
        } catch {
            throw StoreError.ours("cannot decode the stored evidence of domain row \(id): \(error)", path: path, context: "reading evidence")
        }
    }

    /// The id of the domain row of a scan's line, or nil.
    public func domainRowID(scanID: Int64, lineNo: Int) throws -> Int64? {
        var id: Int64?
        try statement("SELECT id FROM domains WHERE scan_id = ? AND line_no = ?").query([.int(scanID), .of(lineNo)]) { id = $0.int(0) }
        return id
    }
}
