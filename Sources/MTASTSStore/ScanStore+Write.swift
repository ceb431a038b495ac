// The batched writer: one transaction per batch, cached prepared statements (architecture.md:
// 150k-230k rows/s batched against ~44k with one transaction per row). A batch of ~1000 records
// is a good size; a failed batch rolls back whole, and what earlier batches committed stays.
import MTASTSCore

extension ScanStore {
    /// Stores the records of one scan in one transaction. A line already stored for this scan is
    /// skipped (UNIQUE(scan_id, line_no)): writing the same line twice, as a resumed scan might,
    /// keeps the first. Returns the number of records inserted.
    @discardableResult
    public func write(_ rows: [DomainRecord], scanID: Int64) throws -> Int {
        var pendingCerts: [[UInt8]: String] = [:]
        let inserted = try db.transaction("writing a batch of \(rows.count) domains") { () -> Int in
            let insertDomain = try statement("""
                INSERT INTO domains(scan_id, line_no, input, rank, domain, status, mode, mx_status, mx_count,
                    record_id, record_raw, policy_mode, policy_max_age, policy_mx_count, http_status, content_type,
                    tlsrpt_status, tlsrpt_raw, millis)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(scan_id, line_no) DO NOTHING
                """)
            var n = 0
            for r in rows {
                try insertDomain.run([.int(scanID), .of(r.lineNo), .text(r.input), .of(r.rank), .of(r.domain)]
                                     + verdictColumns(r.verdict, evidence: r.evidence) + [.of(r.millis)])
                guard db.changes == 1 else { continue }
                let id = db.lastInsertRowID
                n += 1
                try insertChildren(id, verdict: r.verdict)
                if let e = r.evidence { try insertEvidence(id, e, pending: &pendingCerts) }
            }
            return n
        }
        // Only now are these certificates certainly in the database.
        if committedCerts.count + pendingCerts.count > Self.certCacheLimit { committedCerts.removeAll(keepingCapacity: true) }
        committedCerts.merge(pendingCerts) { a, _ in a }
        return inserted
    }

    /// The verdict columns of `domains`, from status to tlsrpt_raw, in the order of the INSERT
    /// above and of the UPDATE in reclassify.
    func verdictColumns(_ v: Verdict, evidence e: Evidence?) -> [SQLValue?] {
        [.text(v.status.rawValue), .of(v.mode?.rawValue), .text(v.mxStatus.rawValue),
         .of(e?.mx == nil ? nil : v.mx.count),
         .of(v.record?.id), .of(v.record?.raw),
         .of(v.policy?.mode?.rawValue), .of(v.policy?.maxAge), .of(v.policy?.mx.count),
         .of(e?.policyFetch?.httpStatus), .of(e?.policyFetch?.contentType),
         .of(v.tlsrpt?.status.rawValue), .of(v.tlsrpt?.raw)]
    }

    /// findings, mx_hosts, policy_mx and tlsrpt_rua of one domain row.
    func insertChildren(_ id: Int64, verdict v: Verdict) throws {
        let finding = try statement("INSERT INTO findings(domain_id, ordinal, code, severity, host, detail) VALUES (?, ?, ?, ?, ?, ?)")
        for (i, f) in v.findings.enumerated() {
            try finding.run([.int(id), .of(i), .text(f.code.rawValue), .text(f.severity.rawValue), .of(f.host), .of(f.detail)])
        }
        let mx = try statement("INSERT INTO mx_hosts(domain_id, ordinal, host, preference, result) VALUES (?, ?, ?, ?, ?)")
        for (i, h) in v.mx.enumerated() {
            try mx.run([.int(id), .of(i), .text(h.host), .of(h.preference), .of(h.result?.rawValue)])
        }
        if let patterns = v.policy?.mx {
            let p = try statement("INSERT INTO policy_mx(domain_id, ordinal, pattern) VALUES (?, ?, ?)")
            for (i, pattern) in patterns.enumerated() { try p.run([.int(id), .of(i), .text(pattern)]) }
        }
        if let rua = v.tlsrpt?.rua {
            let u = try statement("INSERT INTO tlsrpt_rua(domain_id, ordinal, uri) VALUES (?, ?, ?)")
            for (i, uri) in rua.enumerated() { try u.run([.int(id), .of(i), .text(uri)]) }
        }
    }

    func deleteChildren(_ id: Int64) throws {
        for table in ["findings", "mx_hosts", "policy_mx", "tlsrpt_rua"] {
            try statement("DELETE FROM \(table) WHERE domain_id = ?").run([.int(id)])
        }
    }

    /// The evidence as JSON plus its policy body, and each chain by reference to `certificates`.
    func insertEvidence(_ id: Int64, _ e: Evidence, pending: inout [[UInt8]: String]) throws {
        let stored: StoredEvidence
        do {
            stored = try EvidenceCodec.encode(e)
        } catch {
            throw StoreError.ours("cannot encode the evidence of \(e.domain): \(error)", path: path, context: "writing a batch")
        }
        try statement("INSERT INTO evidence(domain_id, format, json, policy_body) VALUES (?, ?, ?, ?)")
            .run([.int(id), .of(EvidenceCodec.format), .text(stored.json), stored.policyBody.map { .blob($0) }])
        let link = try statement("INSERT INTO evidence_certs(domain_id, slot, position, fingerprint) VALUES (?, ?, ?, ?)")
        for (slot, chain) in stored.chains {
            for (position, der) in chain.enumerated() {
                let fp = try certificate(der, pending: &pending)
                try link.run([.int(id), .of(slot), .of(position), .text(fp)])
            }
        }
    }

    /// The fingerprint of a certificate, inserting it into `certificates` the first time.
    func certificate(_ der: [UInt8], pending: inout [[UInt8]: String]) throws -> String {
        if let fp = committedCerts[der] ?? pending[der] { return fp }
        let fp = SHA256.hex(der)
        let facts = X509Reader.facts(der: der)
        try statement("""
            INSERT INTO certificates(fingerprint, der, subject_cn, issuer_cn, issuer_o, dns_names, not_before, not_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING
            """).run([.text(fp), .blob(der), .of(facts?.subjectCN), .of(facts?.issuerCN), .of(facts?.issuerO),
                      .of(facts.map { $0.dnsNames.joined(separator: " ") }), .of(facts?.notBefore), .of(facts?.notAfter)])
        pending[der] = fp
        return fp
    }
}
