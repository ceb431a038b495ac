// A thin, typed layer over the SQLite C API. SQLite result codes become Swift errors here and
// nowhere else (style.md item 3): every call that returns a code goes through `check`.
import CSQLite

/// A failure from SQLite, with its message and the database's path, so that "disk full" or
/// "unable to open database file" says which file and what was being done.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// SQLite's extended result code (SQLITE_FULL is 13, SQLITE_CANTOPEN 14...), or -1 for an
    /// error of ours (a scan that does not exist, a database from a newer mtasts).
    public let code: Int32
    public let message: String
    public let path: String
    /// What was being done: "opening", "migration 0002_domains", "writing a batch"...
    public let context: String

    public var description: String {
        "\(path): \(message)" + (code >= 0 ? " (SQLite code \(code))" : "") + " while \(context)"
    }

    static func ours(_ message: String, path: String, context: String) -> StoreError {
        StoreError(code: -1, message: message, path: path, context: context)
    }
}

/// One connection. Not thread-safe by design: a single writer task owns it (architecture.md).
final class Database {
    let path: String
    private(set) var handle: OpaquePointer?

    /// Process-wide settings, once, before the first connection (sqlite3_config's rule).
    private static let configured: Void = { _ = mtasts_sqlite_no_memstatus() }()

    init(path: String, create: Bool) throws {
        _ = Self.configured
        self.path = path
        var h: OpaquePointer?
        // NOMUTEX: one owner, so SQLite's own locking per call would be wasted work.
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &h, flags, nil)
        handle = h
        if rc != SQLITE_OK {
            let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot allocate a connection"
            sqlite3_close_v2(h)
            handle = nil
            throw StoreError(code: rc, message: message, path: path, context: "opening the database")
        }
        sqlite3_extended_result_codes(h, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Turns a result code into a thrown error carrying SQLite's own message.
    @discardableResult
    func check(_ rc: Int32, _ context: @autoclosure () -> String) throws -> Int32 {
        if rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE { return rc }
        throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(handle)), path: path, context: context())
    }

    /// Runs SQL with no parameters and no rows wanted (DDL, PRAGMA, BEGIN/COMMIT).
    func exec(_ sql: String, _ context: String? = nil) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw StoreError(code: rc, message: message, path: path, context: context ?? "running \(sql.prefix(60))")
        }
    }

    func prepare(_ sql: String) throws -> Statement {
        var s: OpaquePointer?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil), "preparing \(sql.prefix(60))")
        return Statement(db: self, handle: s!, sql: sql)
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one transaction; rolls back and rethrows on any error, so a failed batch
    /// leaves the database as the last commit left it.
    func transaction<T>(_ context: String, _ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE", "starting a transaction for \(context)")
        do {
            let result = try body()
            try exec("COMMIT", "committing \(context)")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? exec("ROLLBACK") }
            throw error
        }
    }
}

/// A prepared statement, reused across rows: bind, step, reset.
final class Statement {
    unowned let db: Database
    let handle: OpaquePointer
    let sql: String

    init(db: Database, handle: OpaquePointer, sql: String) {
        self.db = db
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds parameters 1...n in order; nil binds NULL. Clears the bindings first, so a shorter
    /// array leaves the rest NULL: for the occasional query, not the per-row write path.
    func bind(_ values: [SQLValue?]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            switch v {
            case nil: try bindNull(index)
            case .int(let n): try bind(index, n)
            case .text(let s): try bind(index, s)
            case .blob(let b): try bind(index, blob: b)
            }
        }
    }

    // MARK: one parameter at a time
    // The write path binds each parameter in place: no [SQLValue?] array per row. Such a
    // statement must bind every parameter before each `runBound()`, which does not clear them.

    func bindNull(_ index: Int32) throws { try ok(sqlite3_bind_null(handle, index), index) }

    func bind(_ index: Int32, _ n: Int64) throws { try ok(sqlite3_bind_int64(handle, index, n), index) }

    /// nil binds NULL.
    func bind(_ index: Int32, _ n: Int64?) throws {
        guard let n else { return try bindNull(index) }
        try ok(sqlite3_bind_int64(handle, index, n), index)
    }

    /// nil binds NULL.
    func bind(_ index: Int32, _ n: Int?) throws {
        guard let n else { return try bindNull(index) }
        try ok(sqlite3_bind_int64(handle, index, Int64(n)), index)
    }

    /// nil binds NULL.
    func bind(_ index: Int32, _ s: String?) throws {
        guard var s else { return try bindNull(index) }
        // With its byte length, so a NUL inside an input line is stored, not a cut.
        // An empty string has no buffer, and a NULL pointer would bind NULL: bind "" then.
        let rc = s.isEmpty ? sqlite3_bind_text(handle, index, "", 0, nil) : s.withUTF8 { u in
            u.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), mtasts_sqlite_transient())
            }
        }
        try ok(rc, index)
    }

    /// nil binds NULL.
    func bind(_ index: Int32, blob b: [UInt8]?) throws {
        guard let b else { return try bindNull(index) }
        // An empty blob must stay an empty blob, not NULL: a bound nil pointer is NULL.
        let rc = b.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)
            : b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), mtasts_sqlite_transient()) }
        try ok(rc, index)
    }

    /// Runs to completion what was bound, and resets, keeping the bindings (no
    /// sqlite3_clear_bindings: every parameter is bound again before the next run).
    func runBound() throws {
        defer { sqlite3_reset(handle) }
        var rc = sqlite3_step(handle)
        while rc == SQLITE_ROW { rc = sqlite3_step(handle) }
        if rc != SQLITE_DONE { try db.check(rc, "running \(sql.prefix(60))") }
    }

    /// `runBound()` with UTF-8 `text` bound as TEXT to parameter `index`, uncopied
    /// (SQLITE_STATIC): the caller keeps the bytes unchanged during this call, and the parameter
    /// is set back to NULL before returning, leaving no pointer into them bound. Empty text
    /// binds "", as above.
    func runBound(text: UnsafeBufferPointer<UInt8>, at index: Int32) throws {
        defer { sqlite3_bind_null(handle, index) }
        let rc = text.isEmpty ? sqlite3_bind_text(handle, index, "", 0, nil)
            : text.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), nil) }
        try ok(rc, index)
        try runBound()
    }

    /// Touches `db` (an unowned reference, whose strong check costs) only on failure.
    @inline(__always) private func ok(_ rc: Int32, _ index: Int32) throws {
        if rc != SQLITE_OK { try db.check(rc, "binding parameter \(index) of \(sql.prefix(60))") }
    }

    /// Steps once; true when a row is available.
    @discardableResult
    func step() throws -> Bool {
        try db.check(sqlite3_step(handle), "running \(sql.prefix(60))") == SQLITE_ROW
    }

    /// Binds, runs to completion, and resets: for INSERT/UPDATE/DELETE.
    func run(_ values: [SQLValue?]) throws {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Binds and calls `row` for each result row.
    func query(_ values: [SQLValue?], _ row: (Statement) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try row(self) }
    }

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    func optionalInt(_ i: Int32) -> Int? { isNull(i) ? nil : Int(sqlite3_column_int64(handle, i)) }
    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, i))), as: UTF8.self)
    }
    func blob(_ i: Int32) -> [UInt8]? {
        if isNull(i) { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }
}

enum SQLValue {
    case int(Int64)
    case text(String)
    case blob([UInt8])

    static func of(_ i: Int?) -> SQLValue? { i.map { .int(Int64($0)) } }
    static func of(_ i: Int64?) -> SQLValue? { i.map { .int($0) } }
    static func of(_ s: String?) -> SQLValue? { s.map { .text($0) } }
}
