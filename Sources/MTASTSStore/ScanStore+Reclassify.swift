// `mtasts reclassify`: the classifier is a pure function of stored evidence, so a rule change
// is applied to old scans without the network. The outcome words of fetches and probes are
// judged again from their raw facts first (TransferJudge), so a change in that judgement applies
// too; with `timeoutMillis`, as a scan with that shorter --timeout would have judged them. Rows are read and rewritten in batches, each batch
// one transaction; rows without evidence (invalid input, excluded) keep their verdict.
import MTASTSCore

public struct ReclassifyResult: Sendable, Hashable {
    /// Domain rows whose evidence was classified again.
    public var reclassified: Int
    /// Of those, rows whose status, mode, mx_status or findings changed.
    public var changed: Int
}

extension ScanStore {
    public func reclassify(scanID: Int64, batchSize: Int = 1000, timeoutMillis: Int? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> ReclassifyResult {
        var result = ReclassifyResult(reclassified: 0, changed: 0)
        var after: Int64 = 0
        while true {
            // Keyset pagination by row id: the rows being rewritten are never under an open cursor.
            var ids: [Int64] = []
            try statement("""
                SELECT d.id FROM domains d JOIN evidence e ON e.domain_id = d.id
                WHERE d.scan_id = ? AND d.id > ? ORDER BY d.id LIMIT ?
                """).query([.int(scanID), .int(after), .of(batchSize)]) { ids.append($0.int(0)) }
            guard let last = ids.last else { break }
            after = last
            try db.transaction("reclassifying a batch of scan \(scanID)") {
                for id in ids {
                    guard let evidence = try evidence(domainRowID: id) else { continue }
                    let old = try findings(id).map(\.code)
                    var oldWords: [String?] = []
                    try statement("SELECT status, mode, mx_status FROM domains WHERE id = ?").query([.int(id)]) {
                        oldWords = [$0.text(0), $0.text(1), $0.text(2)]
                    }
                    // The stored evidence keeps the words the scan judged; the verdict and its
                    // columns (http_status, content_type...) follow the judgement made now.
                    let judged = TransferJudge.rejudged(evidence, timeoutMillis: timeoutMillis)
                    let v = Classifier.classify(judged)
                    let update = try statement("""
                        UPDATE domains SET status = ?, mode = ?, mx_status = ?, mx_count = ?, record_id = ?, record_raw = ?,
                            policy_mode = ?, policy_max_age = ?, policy_mx_count = ?, http_status = ?, content_type = ?,
                            tlsrpt_status = ?, tlsrpt_raw = ?, dane_status = ?, delivery = ?
                        WHERE id = ?
                        """)
                    let e: Evidence? = judged
                    try withUnsafePointer(to: v) { v in
                        try withUnsafePointer(to: e) { try bindVerdictColumns(update, from: 1, v, evidence: $0) }
                        try update.bind(1 + Self.verdictColumnCount, id)
                        try update.runBound()
                        try deleteChildren(id)
                        try insertChildren(id, verdict: v)
                    }
                    result.reclassified += 1
                    if oldWords != [v.status.rawValue, v.mode?.rawValue, v.mxStatus.rawValue] || old != v.findings.map(\.code.rawValue) {
                        result.changed += 1
                    }
                }
            }
            progress?(result.reclassified)
        }
        return result
    }
}
