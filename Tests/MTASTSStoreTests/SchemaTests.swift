// Opening, migrating, and failing clearly: migrations are applied once and in order; an
// unwritable path or a full disk is a thrown error naming the file, and committed rows survive.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct SchemaTests {
    @Test func migrationsAreAppliedOnceInOrder() throws {
        let (store, url) = try Fixture.newStore()
        let first = try store.appliedMigrations()
        #expect(first == ["0001_scans", "0002_domains_and_verdicts", "0003_evidence_and_certificates", "0004_report_views", "0005_dane",
                          "0006_profile_outcomes"])
        let id = try store.beginScan(Fixture.meta())
        // Opening again (a second run on the same file) changes nothing and loses nothing.
        let again = try ScanStore(path: url.path)
        #expect(try again.appliedMigrations() == first)
        #expect(try Fixture.count(again, "SELECT count(*) FROM schema_migrations") == 6)
        #expect(try again.newestScanID() == id)
    }

    @Test func walIsOn() throws {
        let (store, _) = try Fixture.newStore()
        var mode = ""
        try store.db.prepare("PRAGMA journal_mode").query([]) { mode = $0.text(0) ?? "" }
        #expect(mode == "wal")
    }

    /// A new database gets 8 KiB pages; one made with SQLite's 4 KiB keeps them (page_size
    /// cannot change once a database is in WAL), and still opens and takes rows.
    @Test func newDatabasesHave8KiBPagesAndOldOnesKeepTheirs() throws {
        func pageSize(_ s: ScanStore) throws -> Int { try Fixture.count(s, "PRAGMA page_size") }
        let (store, _) = try Fixture.newStore()
        #expect(try pageSize(store) == 8192)

        let path = try Fixture.tempDir().appendingPathComponent("old.db").path
        do {  // closed at the end of the block
            let db = try Database(path: path, create: true)
            try db.exec("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE t(x);")
        }
        let old = try ScanStore(path: path)
        #expect(try pageSize(old) == 4096)
        let scan = try old.beginScan(Fixture.meta())
        #expect(try old.write([Fixture.record(1, Fixture.noRecordEvidence())], scanID: scan) == 1)
    }

    @Test func unwritablePathIsAClearError() throws {
        // A path below a regular file cannot be created, even by root.
        let dir = try Fixture.tempDir()
        let file = dir.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: file)
        let path = file.appendingPathComponent("scan.db").path
        let error = try #require(throws: StoreError.self) { try ScanStore(path: path) }
        #expect(error.description.contains(path))
        #expect(error.description.contains("unable to open"))
    }

    @Test func missingDatabaseIsNotCreatedForExport() throws {
        let path = try Fixture.tempDir().appendingPathComponent("absent.db").path
        let error = try #require(throws: StoreError.self) { try ScanStore(path: path, create: false) }
        #expect(error.message == "no such database")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func fullDiskThrowsAndKeepsWhatWasCommitted() throws {
        let (store, url) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        try store.write((1...10).map { Fixture.record($0, Fixture.noRecordEvidence("d\($0).example")) }, scanID: scan)
        // max_page_count caps the file where it is: the next pages are "disk full" (SQLITE_FULL).
        var pages = 0
        try store.db.prepare("PRAGMA page_count").query([]) { pages = Int($0.int(0)) }
        try store.db.exec("PRAGMA max_page_count = \(pages + 2)")
        let big = (11...3000).map { Fixture.record($0, Fixture.validEvidence("d\($0).example")) }
        let error = try #require(throws: StoreError.self) { try store.write(big, scanID: scan) }
        #expect(error.code & 0xFF == 13)   // SQLITE_FULL
        #expect(error.message.contains("full"))
        #expect(error.description.contains(url.path))
        let reopened = try ScanStore(path: url.path)
        #expect(try reopened.completedLineNumbers(scanID: scan).count == 10)
        #expect(try Fixture.exportLines(reopened, scanID: scan).count == 10)
    }
}
