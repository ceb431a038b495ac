// The schema as an ordered list of named migrations (style.md item 9, after GRDB's
// DatabaseMigrator). A migration is applied once, in its own transaction together with its row in
// `schema_migrations`, so opening a database twice, or an older database, is always safe. Never
// edit a migration that has shipped: add a new one. Columns are documented in analysis/SCHEMA.md.
import MTASTSCore

enum Migrations {
    static let all: [(name: String, sql: String)] = [
        ("0001_scans", """
        CREATE TABLE scans (
            id            INTEGER PRIMARY KEY,
            label         TEXT    NOT NULL,
            tool_version  TEXT    NOT NULL,
            flags         TEXT    NOT NULL,
            input_name    TEXT    NOT NULL,
            input_sha256  TEXT    NOT NULL,
            shard_count   INTEGER NOT NULL DEFAULT 1,
            shard_index   INTEGER NOT NULL DEFAULT 0,
            contact       TEXT,
            started_at    INTEGER NOT NULL,
            finished_at   INTEGER,
            lines_read    INTEGER,
            domains       INTEGER,
            invalid       INTEGER,
            duplicates    INTEGER,
            excluded      INTEGER
        );
        CREATE INDEX scans_by_input ON scans(input_sha256, finished_at);
        """),

        ("0002_domains_and_verdicts", """
        CREATE TABLE domains (
            id              INTEGER PRIMARY KEY,
            scan_id         INTEGER NOT NULL REFERENCES scans(id),
            line_no         INTEGER NOT NULL,
            input           TEXT    NOT NULL,
            rank            INTEGER,
            domain          TEXT,
            status          TEXT    NOT NULL,
            mode            TEXT,
            mx_status       TEXT    NOT NULL,
            mx_count        INTEGER,
            record_id       TEXT,
            record_raw      TEXT,
            policy_mode     TEXT,
            policy_max_age  INTEGER,
            policy_mx_count INTEGER,
            http_status     INTEGER,
            content_type    TEXT,
            tlsrpt_status   TEXT,
            tlsrpt_raw      TEXT,
            millis          INTEGER,
            UNIQUE (scan_id, line_no)
        );
        CREATE INDEX domains_by_name ON domains(domain, scan_id);

        CREATE TABLE findings (
            domain_id INTEGER NOT NULL REFERENCES domains(id),
            ordinal   INTEGER NOT NULL,
            code      TEXT    NOT NULL,
            severity  TEXT    NOT NULL,
            host      TEXT,
            detail    TEXT,
            PRIMARY KEY (domain_id, ordinal)
        ) WITHOUT ROWID;

        CREATE TABLE mx_hosts (
            domain_id  INTEGER NOT NULL REFERENCES domains(id),
            ordinal    INTEGER NOT NULL,
            host       TEXT    NOT NULL,
            preference INTEGER NOT NULL,
            result     TEXT,
            PRIMARY KEY (domain_id, ordinal)
        ) WITHOUT ROWID;

        CREATE TABLE policy_mx (
            domain_id INTEGER NOT NULL REFERENCES domains(id),
            ordinal   INTEGER NOT NULL,
            pattern   TEXT    NOT NULL,
            PRIMARY KEY (domain_id, ordinal)
        ) WITHOUT ROWID;

        CREATE TABLE tlsrpt_rua (
            domain_id INTEGER NOT NULL REFERENCES domains(id),
            ordinal   INTEGER NOT NULL,
            uri       TEXT    NOT NULL,
            PRIMARY KEY (domain_id, ordinal)
        ) WITHOUT ROWID;
        """),

        ("0003_evidence_and_certificates", """
        CREATE TABLE evidence (
            domain_id   INTEGER PRIMARY KEY REFERENCES domains(id),
            format      INTEGER NOT NULL,
            json        TEXT    NOT NULL,
            policy_body BLOB
        );

        CREATE TABLE certificates (
            fingerprint TEXT PRIMARY KEY,
            der         BLOB NOT NULL,
            subject_cn  TEXT,
            issuer_cn   TEXT,
            issuer_o    TEXT,
            dns_names   TEXT,
            not_before  INTEGER,
            not_after   INTEGER
        );

        CREATE TABLE evidence_certs (
            domain_id   INTEGER NOT NULL REFERENCES domains(id),
            slot        INTEGER NOT NULL,
            position    INTEGER NOT NULL,
            fingerprint TEXT    NOT NULL REFERENCES certificates(fingerprint),
            PRIMARY KEY (domain_id, slot, position)
        ) WITHOUT ROWID;
        """),

        // Views only (Migrations+Views.swift): the report's definitions for plain SQL.
        ("0004_report_views", reportViews),
        // DANE (issue 17): the domain's DANE summary and DANE beside MTA-STS, and each MX host's
        // DANE result. NULL in rows written before, until `reclassify` fills them in.
        ("0005_dane", """
        ALTER TABLE domains ADD COLUMN dane_status TEXT;
        ALTER TABLE domains ADD COLUMN delivery TEXT;
        ALTER TABLE mx_hosts ADD COLUMN dane TEXT;
        """),

        // Issue 17: one sender profile's outcome per domain row, written by `reclassify --profile`
        // (recomputable from the evidence at any time; `report` computes them on the fly).
        ("0006_profile_outcomes", """
        CREATE TABLE profile_outcomes (
            domain_id INTEGER NOT NULL REFERENCES domains(id),
            profile   TEXT    NOT NULL,
            outcome   TEXT    NOT NULL,
            reasons   TEXT    NOT NULL,
            host      TEXT,
            PRIMARY KEY (domain_id, profile)
        ) WITHOUT ROWID;
        """),
    ]

    /// Applies every migration not yet recorded, in order. Refuses a database that records a
    /// migration this build does not know: it was written by a newer mtasts.
    static func migrate(_ db: Database, now: Int64) throws {
        try db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
                    "creating schema_migrations")
        var applied = Set<String>()
        try db.prepare("SELECT name FROM schema_migrations").query([]) { applied.insert($0.text(0) ?? "") }
        let known = Set(all.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw StoreError.ours("the database has migration \(unknown), unknown to mtasts \(MTASTSVersion.string): written by a newer version",
                                  path: db.path, context: "migrating")
        }
        for (name, sql) in all where !applied.contains(name) {
            try db.transaction("migration \(name)") {
                try db.exec(sql, "migration \(name)")
                try db.prepare("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)").run([.text(name), .int(now)])
            }
        }
    }
}
