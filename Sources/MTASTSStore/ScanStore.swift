// The database of scans: opening, migrating, and the scans table. One writer owns a ScanStore
// (not Sendable: the scan pipeline's writer task, or a command). Writing domains is in
// ScanStore+Write.swift, reading them back in ScanStore+Read.swift, reclassify in
// ScanStore+Reclassify.swift.
import CSQLite
import Foundation
import MTASTSCore

public final class ScanStore {
    let db: Database
    public var path: String { db.path }
    /// Prepared statements by SQL text, prepared once and reused for every row.
    private var statements: [String: Statement] = [:]
    /// Certificates already committed, by DER, with their fingerprint: a provider's certificate
    /// seen on the next 100k domains costs a dictionary lookup, not a SHA-256 and an INSERT.
    var committedCerts: [DERKey: String] = [:]
    static let certCacheLimit = 4096
    /// The write path's statements, prepared on the first write (see `writeStatements()`).
    var preparedWrites: WriteStatements?

    /// Opens (creating it when `create` and absent) and migrates the database; WAL, synchronous
    /// NORMAL (a crash may lose the last commits, never corrupt), a 5 s busy timeout so `report`
    /// can read while a scan writes.
    public init(path: String, create: Bool = true) throws {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError.ours("no such database", path: path, context: "opening the database")
        }
        // Only a regular file is a database. SQLite would open /dev/null (and then create
        // /dev/null-journal and -wal beside it, in /dev, as root) or fail late on a directory.
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG, !(st.st_mode & S_IFMT == S_IFLNK && Self.isRegularFile(path)) {
            throw StoreError.ours("not a regular file", path: path, context: "opening the database")
        }
        db = try Database(path: path, create: create)
        try db.check(sqlite3_busy_timeout(db.handle, 5000), "setting the busy timeout")
        // 8 KiB pages, not 4: ~15% less CPU per stored domain and a 7% smaller file
        // (StoreWriteBenchTests at 50k-200k domains). Only a new database takes it: it must come
        // before WAL, and an existing database keeps the size it has.
        try db.exec("PRAGMA page_size=8192")
        try db.exec("PRAGMA journal_mode=WAL", "switching to WAL (is the directory writable?)")
        try db.exec("PRAGMA synchronous=NORMAL")
        // Checkpoint the WAL every 8192 pages (64 MB of 8 KiB pages, 32 MB of 4 KiB) rather than
        // SQLite's 1000: a scan rewrites the same index pages between checkpoints, and each
        // checkpoint copies them into the database.
        try db.exec("PRAGMA wal_autocheckpoint=8192")
        try Migrations.migrate(db, now: Self.now())
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Whether `path`, followed through links, is a regular file.
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    func statement(_ sql: String) throws -> Statement {
        if let s = statements[sql] { return s }
        let s = try db.prepare(sql)
        statements[sql] = s
        return s
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        var names: [String] = []
        try statement("SELECT name FROM schema_migrations ORDER BY name").query([]) { names.append($0.text(0) ?? "") }
        return names
    }

    // MARK: scans

    public func beginScan(_ m: ScanMeta) throws -> Int64 {
        try db.transaction("beginning a scan") {
            try statement("""
                INSERT INTO scans(label, tool_version, flags, input_name, input_sha256, shard_count, shard_index, contact, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([.text(m.label), .text(m.toolVersion), .text(m.flags), .text(m.inputName), .text(m.inputSHA256),
                          .of(m.shardCount), .of(m.shardIndex), .of(m.contact), .int(m.startedAt)])
            return db.lastInsertRowID
        }
    }

    /// The newest unfinished scan of the same input (and shard, and label/flags when given): the
    /// one `--resume` continues. Nil when there is none.
    public func findResumableScan(inputSHA256: String, shardCount: Int = 1, shardIndex: Int = 0,
                                  label: String? = nil, flags: String? = nil) throws -> Int64? {
        var found: Int64?
        try statement("""
            SELECT id FROM scans
            WHERE input_sha256 = ? AND finished_at IS NULL AND shard_count = ? AND shard_index = ?
              AND (?4 IS NULL OR label = ?4) AND (?5 IS NULL OR flags = ?5)
            ORDER BY id DESC LIMIT 1
            """).query([.text(inputSHA256), .of(shardCount), .of(shardIndex), .of(label), .of(flags)]) { found = $0.int(0) }
        return found
    }

    /// The line numbers already stored for a scan, as a bitset (see LineSet): a resumed scan
    /// skips them. Streams the rows in index order; memory is one bit per line.
    public func completedLineNumbers(scanID: Int64) throws -> LineSet {
        var set = LineSet()
        try statement("SELECT line_no FROM domains WHERE scan_id = ? ORDER BY line_no")
            .query([.int(scanID)]) { set.insert(Int($0.int(0))) }
        return set
    }

    /// `inputSHA256`, when given, replaces the stored one: stdin and pipes are hashed as they are
    /// read, so their digest is known only at the end (the row holds "stdin" or "pipe" until then).
    public func finishScan(id: Int64, counts c: ScanCounts, at time: Int64? = nil, inputSHA256: String? = nil) throws {
        try db.transaction("finishing scan \(id)") {
            try statement("""
                UPDATE scans SET finished_at = ?, lines_read = ?, domains = ?, invalid = ?, duplicates = ?, excluded = ?,
                    input_sha256 = coalesce(?, input_sha256)
                WHERE id = ?
                """).run([.int(time ?? Self.now()), .of(c.linesRead), .of(c.domains), .of(c.invalid),
                          .of(c.duplicates), .of(c.excluded), .of(inputSHA256), .int(id)])
            if db.changes == 0 { throw StoreError.ours("no scan \(id)", path: path, context: "finishing scan \(id)") }
        }
    }

    public func newestScanID() throws -> Int64? {
        var id: Int64?
        try statement("SELECT max(id) FROM scans").query([]) { if !$0.isNull(0) { id = $0.int(0) } }
        return id
    }

    public func scans() throws -> [ScanSummary] {
        var out: [ScanSummary] = []
        try statement("""
            SELECT s.id, label, tool_version, flags, input_name, input_sha256, shard_count, shard_index, contact,
                   started_at, finished_at, lines_read, s.domains, invalid, duplicates, excluded,
                   (SELECT count(*) FROM domains d WHERE d.scan_id = s.id)
            FROM scans s ORDER BY s.id
            """).query([]) { r in
            let meta = ScanMeta(label: r.text(1) ?? "", toolVersion: r.text(2) ?? "", flags: r.text(3) ?? "",
                                inputName: r.text(4) ?? "", inputSHA256: r.text(5) ?? "", shardCount: Int(r.int(6)),
                                shardIndex: Int(r.int(7)), contact: r.text(8), startedAt: r.int(9))
            let finished: Int64? = r.isNull(10) ? nil : r.int(10)
            let counts = finished == nil ? nil : ScanCounts(linesRead: r.optionalInt(11) ?? 0, domains: r.optionalInt(12) ?? 0,
                                                            invalid: r.optionalInt(13) ?? 0, duplicates: r.optionalInt(14) ?? 0,
                                                            excluded: r.optionalInt(15) ?? 0)
            out.append(ScanSummary(id: r.int(0), meta: meta, finishedAt: finished, counts: counts, storedDomains: Int(r.int(16))))
        }
        return out
    }

    /// The scan `--scan` names, or the newest; a clear error when there is none.
    public func resolveScan(_ id: Int64?) throws -> Int64 {
        if let id {
            var exists = false
            try statement("SELECT 1 FROM scans WHERE id = ?").query([.int(id)]) { _ in exists = true }
            guard exists else { throw StoreError.ours("no scan \(id)", path: path, context: "choosing the scan") }
            return id
        }
        guard let newest = try newestScanID() else {
            throw StoreError.ours("the database holds no scan", path: path, context: "choosing the scan")
        }
        return newest
    }
}
