// `mtasts merge`: shard databases of one scan (same input, options and shard count, every shard
// present once, each finished) become one scan of this database. Refuses with a clear error
// otherwise. Rows are copied with SQL (ATTACH, INSERT ... SELECT), domain ids shifted past the
// ones already here; certificates are shared by fingerprint.
import Foundation
import MTASTSCore

public struct MergeResult: Sendable {
    public var scanID: Int64
    public var domains: Int
}

extension ScanStore {
    /// The tables keyed by domain id, copied with the id shifted.
    static let domainChildTables = ["findings", "mx_hosts", "policy_mx", "tlsrpt_rua", "evidence", "evidence_certs"]

    public func merge(shardPaths: [String]) throws -> MergeResult {
        guard !shardPaths.isEmpty else { throw StoreError.ours("no shard databases given", path: path, context: "merging") }
        // 1. Every shard holds exactly one finished scan; together they are shards 0..<N of one scan.
        var shards: [(path: String, summary: ScanSummary)] = []
        for p in shardPaths {
            guard FileManager.default.fileExists(atPath: p) else { throw StoreError.ours("no such shard database", path: p, context: "merging") }
            let scans = try ScanStore(path: p, create: false).scans()
            guard scans.count == 1, let s = scans.first else {
                throw StoreError.ours("a shard database must hold exactly one scan; it holds \(scans.count)", path: p, context: "merging")
            }
            guard s.finishedAt != nil else {
                throw StoreError.ours("scan \(s.id) is not finished: finish it with `mtasts scan --resume` first", path: p, context: "merging")
            }
            shards.append((p, s))
        }
        let first = shards[0].summary.meta
        let n = first.shardCount
        for (p, s) in shards {
            let m = s.meta
            func refuse(_ why: String) -> StoreError { StoreError.ours(why, path: p, context: "merging") }
            guard m.inputSHA256 == first.inputSHA256 else { throw refuse("another input (SHA-256 \(m.inputSHA256.prefix(12))…, not \(first.inputSHA256.prefix(12))…)") }
            guard m.shardCount == n else { throw refuse("shard count \(m.shardCount), not \(n)") }
            guard m.toolVersion == first.toolVersion else { throw refuse("tool version \(m.toolVersion), not \(first.toolVersion)") }
            guard Self.flagsWithoutShard(m.flags) == Self.flagsWithoutShard(first.flags) else { throw refuse("other scan options: \(m.flags)") }
        }
        let indexes = shards.map { $0.summary.meta.shardIndex }.sorted()
        guard indexes == Array(0..<n) else {
            throw StoreError.ours("need shards 0 to \(n - 1) once each, got \(indexes)", path: path, context: "merging")
        }
        // 2. One scan row for the whole; counts summed (lines are read by every shard: the most).
        let counts = shards.compactMap { $0.summary.counts }
        let total = ScanCounts(linesRead: counts.map(\.linesRead).max() ?? 0, domains: counts.map(\.domains).reduce(0, +),
                               invalid: counts.map(\.invalid).reduce(0, +), duplicates: counts.map(\.duplicates).reduce(0, +),
                               excluded: counts.map(\.excluded).reduce(0, +))
        let meta = ScanMeta(label: first.label, toolVersion: first.toolVersion,
                            flags: Self.flagsWithoutShard(first.flags) + " merged from \(n) shards",
                            inputName: first.inputName, inputSHA256: first.inputSHA256, shardCount: 1, shardIndex: 0,
                            contact: first.contact, startedAt: shards.map { $0.summary.meta.startedAt }.min()!)
        let scanID = try beginScan(meta)
        // 3. Rows, shard by shard, each in one transaction.
        var copied = 0
        for (p, s) in shards {
            try db.exec("ATTACH DATABASE '\(p.replacingOccurrences(of: "'", with: "''"))' AS shard", "attaching \(p)")
            defer { try? db.exec("DETACH DATABASE shard") }
            try db.transaction("merging \(p)") {
                var offset: Int64 = 0
                try db.prepare("SELECT COALESCE(MAX(id), 0) FROM main.domains").query([]) { offset = $0.int(0) }
                let cols = try columns("domains")
                let select = cols.map { $0 == "id" ? "id + \(offset)" : $0 == "scan_id" ? "\(scanID)" : $0 }
                try db.exec("INSERT INTO main.domains(\(cols.joined(separator: ","))) SELECT \(select.joined(separator: ",")) FROM shard.domains WHERE scan_id = \(s.id)")
                copied += Int(db.changes)
                for table in Self.domainChildTables {
                    let c = try columns(table)
                    let sel = c.map { $0 == "domain_id" ? "t.domain_id + \(offset)" : "t." + $0 }
                    try db.exec("""
                        INSERT INTO main.\(table)(\(c.joined(separator: ","))) SELECT \(sel.joined(separator: ","))
                        FROM shard.\(table) t JOIN shard.domains d ON d.id = t.domain_id WHERE d.scan_id = \(s.id)
                        """)
                }
                let cc = try columns("certificates")
                try db.exec("INSERT OR IGNORE INTO main.certificates(\(cc.joined(separator: ","))) SELECT \(cc.joined(separator: ",")) FROM shard.certificates")
            }
        }
        try finishScan(id: scanID, counts: total, at: shards.compactMap { $0.summary.finishedAt }.max())
        return MergeResult(scanID: scanID, domains: copied)
    }

    /// The columns of a table, from the schema itself, so a new column is copied too.
    func columns(_ table: String) throws -> [String] {
        var names: [String] = []
        try db.prepare("SELECT name FROM pragma_table_info('\(table)')").query([]) { names.append($0.text(0) ?? "") }
        return names
    }

    /// The flags JSON without what may differ between shards of one scan: the shard index, and
    /// the resolver and EHLO name of each shard's own machine (a local resolver per shard is the
    /// recommended set-up). Everything else must be equal.
    static func flagsWithoutShard(_ flags: String) -> String {
        guard let data = flags.data(using: .utf8),
              var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return flags }
        for key in ["shard", "resolvers", "ehlo_name"] { object.removeValue(forKey: key) }
        guard let out = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return flags }
        return String(decoding: out, as: UTF8.self)
    }
}
