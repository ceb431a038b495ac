// Views for researchers (migration 0004_report_views): the report's definitions in plain SQL, so
// DuckDB, pandas or the sqlite3 shell get the same numbers as `mtasts report` without
// re-deriving them. Columns are documented in analysis/SCHEMA.md; the funnel's stages are those
// of MTASTSReport.Funnel (a test holds the two together). Views cost nothing to store.
extension Migrations {
    static let reportViews = """
    CREATE VIEW v_domain_latest AS
    SELECT d.*, s.label AS scan_label, s.started_at AS scan_started_at
    FROM domains d JOIN scans s ON s.id = d.scan_id
    WHERE d.domain IS NOT NULL
      AND d.scan_id = (SELECT max(d2.scan_id) FROM domains d2 WHERE d2.domain = d.domain);

    CREATE VIEW v_adoption_by_scan AS
    SELECT a.*,
           CAST(with_record AS REAL) / nullif(scanned, 0)    AS record_share,
           CAST(valid AS REAL) / nullif(scanned, 0)          AS valid_share,
           CAST(enforce AS REAL) / nullif(valid, 0)          AS enforce_share_of_valid,
           CAST(testing AS REAL) / nullif(valid, 0)          AS testing_share_of_valid,
           CAST(mode_none AS REAL) / nullif(valid, 0)        AS none_share_of_valid,
           CAST(tlsrpt_valid AS REAL) / nullif(scanned, 0)   AS tlsrpt_share
    FROM (
        SELECT s.id AS scan_id, s.label, s.started_at, s.finished_at,
               count(d.id) AS rows,
               coalesce(sum(d.status NOT IN ('invalid-input', 'excluded')), 0) AS scanned,
               coalesce(sum(d.status = 'dns-error'), 0) AS dns_error,
               coalesce(sum(d.status IN ('record-invalid', 'policy-fetch-error', 'policy-webpki-invalid', 'policy-invalid', 'valid')), 0) AS with_record,
               coalesce(sum(d.status IN ('policy-webpki-invalid', 'policy-invalid', 'valid')), 0) AS policy_fetched,
               coalesce(sum(d.status = 'valid'), 0) AS valid,
               coalesce(sum(d.mode = 'enforce'), 0) AS enforce,
               coalesce(sum(d.mode = 'testing'), 0) AS testing,
               coalesce(sum(d.mode = 'none'), 0) AS mode_none,
               coalesce(sum(d.tlsrpt_status = 'valid'), 0) AS tlsrpt_valid
        FROM scans s LEFT JOIN domains d ON d.scan_id = s.id
        GROUP BY s.id
    ) a;

    CREATE VIEW v_funnel AS
              SELECT scan_id, 1 AS stage_order, 'scanned' AS stage, scanned AS domains FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 2, 'record', with_record FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 3, 'policy fetched', policy_fetched FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 4, 'valid', valid FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 5, 'valid, mode enforce', enforce FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 6, 'valid, mode testing', testing FROM v_adoption_by_scan
    UNION ALL SELECT scan_id, 7, 'valid, mode none', mode_none FROM v_adoption_by_scan;

    CREATE VIEW v_status_by_scan AS
    SELECT d.scan_id, d.status, count(*) AS domains,
           CAST(count(*) AS REAL) / (SELECT count(*) FROM domains t WHERE t.scan_id = d.scan_id) AS share
    FROM domains d GROUP BY d.scan_id, d.status;

    CREATE VIEW v_mode_by_scan AS
    SELECT d.scan_id, d.mode, count(*) AS domains,
           CAST(count(*) AS REAL) / (SELECT count(*) FROM domains t WHERE t.scan_id = d.scan_id AND t.status = 'valid') AS share_of_valid
    FROM domains d WHERE d.mode IS NOT NULL GROUP BY d.scan_id, d.mode;

    CREATE VIEW v_mx_status_by_scan AS
    SELECT scan_id, mx_status, count(*) AS domains FROM domains GROUP BY scan_id, mx_status;

    CREATE VIEW v_mx_results_by_scan AS
    SELECT d.scan_id, coalesce(m.result, 'not probed') AS result, count(*) AS mx_hosts, count(DISTINCT m.domain_id) AS domains
    FROM mx_hosts m JOIN domains d ON d.id = m.domain_id GROUP BY 1, 2;

    CREATE VIEW v_findings_by_scan AS
    SELECT d.scan_id, f.code, f.severity, count(DISTINCT f.domain_id) AS domains
    FROM findings f JOIN domains d ON d.id = f.domain_id GROUP BY 1, 2, 3;
    """
}
