// The prepared statements of the per-domain write path, held by the store and prepared together
// the first time: looking each one up by its SQL text on every row (hashing the long INSERT
// text) was a visible share of the writer's CPU. The JSON writer's buffer is reused likewise.
final class WriteStatements {
    let domain: Statement
    let finding: Statement
    /// mxHosts[n - 1] inserts n rows. OR FAIL, not the default ABORT: a statement of several rows
    /// that may abort opens a statement journal in SQLite, and a conflict cannot happen here (a
    /// new domain_id) and would fail the whole batch anyway.
    let mxHosts: [Statement]
    static let mxHostRowsMax = 4
    let policyMX: Statement
    let rua: Statement
    let evidence: Statement
    let evidenceCert: Statement
    let certificate: Statement
    var json = JSONWriter()

    init(_ db: Database) throws {
        domain = try db.prepare("""
            INSERT INTO domains(scan_id, line_no, input, rank, domain, status, mode, mx_status, mx_count,
                record_id, record_raw, policy_mode, policy_max_age, policy_mx_count, http_status, content_type,
                tlsrpt_status, tlsrpt_raw, dane_status, delivery, millis)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(scan_id, line_no) DO NOTHING
            """)
        finding = try db.prepare("INSERT INTO findings(domain_id, ordinal, code, severity, host, detail) VALUES (?, ?, ?, ?, ?, ?)")
        mxHosts = try (1...Self.mxHostRowsMax).map { n in
            try db.prepare("INSERT OR FAIL INTO mx_hosts(domain_id, ordinal, host, preference, result, dane) VALUES "
                           + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: n).joined(separator: ", "))
        }
        policyMX = try db.prepare("INSERT INTO policy_mx(domain_id, ordinal, pattern) VALUES (?, ?, ?)")
        rua = try db.prepare("INSERT INTO tlsrpt_rua(domain_id, ordinal, uri) VALUES (?, ?, ?)")
        evidence = try db.prepare("INSERT INTO evidence(domain_id, format, json, policy_body) VALUES (?, ?, ?, ?)")
        evidenceCert = try db.prepare("INSERT INTO evidence_certs(domain_id, slot, position, fingerprint) VALUES (?, ?, ?, ?)")
        certificate = try db.prepare("""
            INSERT INTO certificates(fingerprint, der, subject_cn, issuer_cn, issuer_o, dns_names, not_before, not_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING
            """)
    }
}

/// A certificate's DER as a dictionary key, hashed in one pass over its bytes: Array's own
/// Hashable feeds the hasher one byte at a time, which perf showed on every chain's lookup.
struct DERKey: Hashable {
    let der: [UInt8]

    func hash(into hasher: inout Hasher) { der.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
