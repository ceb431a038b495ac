// The batched writer: one transaction per batch, prepared statements held (WriteStatements.swift;
// architecture.md: 150k-230k rows/s batched against ~44k with one transaction per row). A batch of
// ~1000 records is a good size; a failed batch rolls back whole, and what earlier batches
// committed stays. Parameters are bound one by one, with no array per row: this runs for every
// domain of a survey (StoreWriteBenchTests measures it).
import MTASTSCore

extension ScanStore {
    /// Stores the records of one scan in one transaction. A line already stored for this scan is
    /// skipped (UNIQUE(scan_id, line_no)): writing the same line twice, as a resumed scan might,
    /// keeps the first. Returns the number of records inserted.
    @discardableResult
    public func write(_ rows: [DomainRecord], scanID: Int64) throws -> Int {
        let w = try writeStatements()
        var pendingCerts: [DERKey: String] = [:]
        let inserted = try db.transaction("writing a batch of \(rows.count) domains") { () -> Int in
            // Each record by pointer, read field by field: `for r in rows`, and passing
            // `records[i]`, copied every record, retaining each String and Array in it (perf of
            // StoreWriteBenchTests).
            try rows.withUnsafeBufferPointer { records in
                var n = 0
                for i in records.indices {
                    if try insertRow(records.baseAddress! + i, scanID: scanID, w, pending: &pendingCerts) { n += 1 }
                }
                return n
            }
        }
        // Only now are these certificates certainly in the database.
        if committedCerts.count + pendingCerts.count > Self.certCacheLimit { committedCerts.removeAll(keepingCapacity: true) }
        committedCerts.merge(pendingCerts) { a, _ in a }
        return inserted
    }

    /// One record's rows; false when its line was already stored for this scan.
    private func insertRow(_ r: UnsafePointer<DomainRecord>, scanID: Int64, _ w: WriteStatements,
                           pending: inout [DERKey: String]) throws -> Bool {
        let d = w.domain
        try d.bind(1, scanID)
        try d.bind(2, r.pointee.lineNo)
        try d.bind(3, r.pointee.input)
        try d.bind(4, r.pointee.rank)
        try d.bind(5, r.pointee.domain)
        let verdict = r.pointer(to: \.verdict)!
        try bindVerdictColumns(d, from: 6, verdict, evidence: r.pointer(to: \.evidence)!)
        try d.bind(6 + Self.verdictColumnCount, r.pointee.millis)
        try d.runBound()
        guard db.changes == 1 else { return false }
        let id = db.lastInsertRowID
        try insertChildren(id, verdict: verdict)
        // Asked of a plain field: `evidence != nil` copied the whole Evidence to compare it.
        if r.pointee.evidence?.scanTime != nil { try insertEvidence(id, r.pointer(to: \.evidence)!, w, pending: &pending) }
        return true
    }

    func writeStatements() throws -> WriteStatements {
        if let w = preparedWrites { return w }
        let w = try WriteStatements(db)
        preparedWrites = w
        return w
    }

    static let verdictColumnCount: Int32 = 15

    /// Binds the verdict columns of `domains`, status to tlsrpt_raw, to parameters `first`... in
    /// the order of the INSERT above and of the UPDATE in reclassify. The verdict and evidence by
    /// pointer, here and in insertChildren: passed as values from the batch they were copied
    /// whole, retaining every String and Array in them, for every domain.
    func bindVerdictColumns(_ s: Statement, from first: Int32, _ v: UnsafePointer<Verdict>,
                            evidence e: UnsafePointer<Evidence?>) throws {
        try s.bind(first, v.pointee.status.rawValue)
        try s.bind(first + 1, v.pointee.mode?.rawValue)
        try s.bind(first + 2, v.pointee.mxStatus.rawValue)
        try s.bind(first + 3, e.pointee?.mx?.lookup == nil ? nil : v.pointee.mx.count)
        try s.bind(first + 4, v.pointee.record?.id)
        try s.bind(first + 5, v.pointee.record?.raw)
        try s.bind(first + 6, v.pointee.policy?.mode?.rawValue)
        try s.bind(first + 7, v.pointee.policy?.maxAge)
        try s.bind(first + 8, v.pointee.policy?.mx.count)
        try s.bind(first + 9, e.pointee?.policyFetch?.httpStatus)
        try s.bind(first + 10, e.pointee?.policyFetch?.contentType)
        try s.bind(first + 11, v.pointee.tlsrpt?.status.rawValue)
        try s.bind(first + 12, v.pointee.tlsrpt?.raw)
        try s.bind(first + 13, v.pointee.dane?.status.rawValue)
        try s.bind(first + 14, v.pointee.combined?.delivery?.rawValue)
    }

    /// findings, mx_hosts, policy_mx and tlsrpt_rua of one domain row.
    func insertChildren(_ id: Int64, verdict v: UnsafePointer<Verdict>) throws {
        let w = try writeStatements()
        for (i, f) in v.pointee.findings.enumerated() {
            let s = w.finding
            try s.bind(1, id)
            try s.bind(2, i)
            try s.bind(3, f.code.rawValue)
            try s.bind(4, f.severity.rawValue)
            try s.bind(5, f.host)
            try s.bind(6, f.detail)
            try s.runBound()
        }
        // Up to WriteStatements.mxHostRowsMax hosts per statement: each statement run costs
        // SQLite as much again as the row it inserts.
        var first = 0
        while first < v.pointee.mx.count {
            let rows = min(v.pointee.mx.count - first, w.mxHosts.count)
            let s = w.mxHosts[rows - 1]
            for k in 0..<rows {
                let p = Int32(6 * k), h = v.pointee.mx[first + k]
                try s.bind(p + 1, id)
                try s.bind(p + 2, first + k)
                try s.bind(p + 3, h.host)
                try s.bind(p + 4, h.preference)
                try s.bind(p + 5, h.result?.rawValue)
                try s.bind(p + 6, v.pointee.dane?.hosts.first { $0.host == h.host }?.status.rawValue)
            }
            try s.runBound()
            first += rows
        }
        for (i, pattern) in (v.pointee.policy?.mx ?? []).enumerated() { try insertOrdinal(w.policyMX, id, i, pattern) }
        for (i, uri) in (v.pointee.tlsrpt?.rua ?? []).enumerated() { try insertOrdinal(w.rua, id, i, uri) }
    }

    /// A (domain_id, ordinal, text) row: policy_mx and tlsrpt_rua.
    private func insertOrdinal(_ s: Statement, _ id: Int64, _ ordinal: Int, _ text: String) throws {
        try s.bind(1, id)
        try s.bind(2, ordinal)
        try s.bind(3, text)
        try s.runBound()
    }

    func deleteChildren(_ id: Int64) throws {
        for table in ["findings", "mx_hosts", "policy_mx", "tlsrpt_rua"] {
            try statement("DELETE FROM \(table) WHERE domain_id = ?").run([.int(id)])
        }
    }

    /// The evidence as JSON plus its policy body, and each chain by reference to `certificates`
    /// (EvidenceCodec.swift describes the stored form).
    /// `e` holds a value.
    func insertEvidence(_ id: Int64, _ e: UnsafePointer<Evidence?>, _ w: WriteStatements, pending: inout [DERKey: String]) throws {
        try EvidenceCodec.writeJSON(e, into: &w.json)
        let s = w.evidence
        try s.bind(1, id)
        try s.bind(2, EvidenceCodec.format)
        try s.bind(4, blob: e.pointee?.policyFetch?.body)
        try s.runBound(text: w.json.out.bytes, at: 3)
        // The chains the writer took out of the JSON, by slot (StoredEncoder).
        for (slot, chain) in w.json.chains {
            for (position, der) in chain.enumerated() {
                let fp = try certificate(der, w, pending: &pending)
                let link = w.evidenceCert
                try link.bind(1, id)
                try link.bind(2, slot)
                try link.bind(3, position)
                try link.bind(4, fp)
                try link.runBound()
            }
        }
    }

    /// The fingerprint of a certificate, inserting it into `certificates` the first time.
    func certificate(_ der: [UInt8], _ w: WriteStatements, pending: inout [DERKey: String]) throws -> String {
        let key = DERKey(der: der)
        if let fp = committedCerts[key] ?? pending[key] { return fp }
        let fp = SHA256.hex(der)
        let facts = X509Reader.facts(der: der)
        let s = w.certificate
        try s.bind(1, fp)
        try s.bind(2, blob: der)
        try s.bind(3, facts?.subjectCN)
        try s.bind(4, facts?.issuerCN)
        try s.bind(5, facts?.issuerO)
        try s.bind(6, facts.map { $0.dnsNames.joined(separator: " ") })
        try s.bind(7, facts?.notBefore)
        try s.bind(8, facts?.notAfter)
        try s.runBound()
        pending[key] = fp
        return fp
    }
}
