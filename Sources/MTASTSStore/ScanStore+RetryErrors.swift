// `scan --resume --retry-errors`: a resolver that stopped answering mid-scan leaves dns-error
// rows; forgetting them (row, children and evidence, in one transaction) makes the resumed scan
// ask again for exactly those lines.

extension ScanStore {
    /// Deletes the scan's rows with one of the given statuses. Returns how many were deleted.
    @discardableResult
    public func forgetDomains(scanID: Int64, statuses: [String]) throws -> Int {
        guard !statuses.isEmpty else { return 0 }
        let marks = Array(repeating: "?", count: statuses.count).joined(separator: ",")
        let values: [SQLValue?] = [.int(scanID)] + statuses.map { .text($0) }
        return try db.transaction("forgetting \(statuses.joined(separator: ", ")) rows of scan \(scanID)") {
            let select = "SELECT id FROM domains WHERE scan_id = ? AND status IN (\(marks))"
            // profile_outcomes is no child `merge` copies (its rows are recomputed), but it goes too.
            for table in ScanStore.domainChildTables + ["profile_outcomes"] {
                try db.prepare("DELETE FROM \(table) WHERE domain_id IN (\(select))").run(values)
            }
            try db.prepare("DELETE FROM domains WHERE scan_id = ? AND status IN (\(marks))").run(values)
            return db.changes
        }
    }
}
