-- The standard cuts of `mtasts report` (tables mail_domains, rank_buckets, tld, misconfiguration,
-- delivery_impact; definitions in analysis/REPORTS.md) as SQL views over the scan database, for
-- every scan at once. TEMP views: they live in the session that reads this file, never in the
-- database file, so they cannot clash with a later mtasts migration. Load them with
--   sqlite3 scan.db -cmd '.read analysis/cuts.sql'
-- or from Python: sqlite3.connect("scan.db").executescript(open("analysis/cuts.sql").read()).
-- Tests/E2E/cuts.sh checks these views against the report's CSVs.

-- One row per scanned domain (not invalid-input, not excluded) with the flags every cut uses.
-- mail: the MX lookup gave a host that is not a null MX (an implicit MX, the domain itself, counts).
CREATE TEMP VIEW IF NOT EXISTS v_cut_domain AS
SELECT d.scan_id, d.id AS domain_id, d.domain, d.rank, d.status, d.mode, d.mx_status,
       (d.mx_status NOT IN ('null-mx', 'dns-error')
        AND EXISTS (SELECT 1 FROM mx_hosts m WHERE m.domain_id = d.id AND m.host NOT IN ('', '.'))) AS mail,
       d.status IN ('record-invalid', 'policy-fetch-error', 'policy-webpki-invalid', 'policy-invalid', 'valid') AS with_record,
       d.status = 'valid' AS valid,
       d.status = 'valid' AND d.mode = 'enforce' AS enforce,
       EXISTS (SELECT 1 FROM findings f WHERE f.domain_id = d.id AND f.code = 'enforce-blocks-all-mx') AS blocks_all_mx,
       EXISTS (SELECT 1 FROM findings f WHERE f.domain_id = d.id AND f.code = 'testing-would-fail') AS testing_would_fail,
       -- the last label: the TLD. The report's `tld` table groups by the PUBLIC SUFFIX (co.uk),
       -- which needs the Public Suffix List; SQL alone gives the TLD (uk).
       lower(replace(d.domain, rtrim(d.domain, replace(d.domain, '.', '')), '')) AS tld
FROM domains d
WHERE d.status NOT IN ('invalid-input', 'excluded');

-- The columns of the report's rank_buckets and tld tables, for a group of v_cut_domain rows.
-- (Repeated per view: SQLite has no table-valued functions.)
CREATE TEMP VIEW IF NOT EXISTS v_cut_mail_domains AS
SELECT scan_id,
       count(*) AS scanned, sum(mail) AS mail_domains,
       sum(with_record) AS with_record, sum(with_record AND mail) AS with_record_mail,
       sum(valid) AS valid, sum(valid AND mail) AS valid_mail,
       sum(enforce) AS enforce, sum(enforce AND mail) AS enforce_mail,
       sum(blocks_all_mx) AS blocks_all_mx,
       CAST(sum(with_record) AS REAL) / nullif(count(*), 0) AS record_share_of_scanned,
       CAST(sum(with_record AND mail) AS REAL) / nullif(sum(mail), 0) AS record_share_of_mail
FROM v_cut_domain GROUP BY scan_id;

-- Cumulative rank buckets (top 10k includes top 1k); every bucket is listed, even when it
-- equals the one below it (the report leaves such repeats out).
CREATE TEMP VIEW IF NOT EXISTS v_cut_rank_buckets AS
WITH b(bucket, top, ord) AS (VALUES ('top 1k', 1000, 1), ('top 10k', 10000, 2), ('top 100k', 100000, 3), ('top 1M', 1000000, 4))
SELECT c.scan_id, b.bucket, b.ord,
       count(*) AS domains, sum(c.mail) AS mail_domains, sum(c.with_record) AS with_record,
       CAST(sum(c.with_record) AS REAL) / count(*) AS record_share_of_scanned,
       CAST(sum(c.with_record AND c.mail) AS REAL) / nullif(sum(c.mail), 0) AS record_share_of_mail,
       sum(c.valid) AS valid, CAST(sum(c.valid) AS REAL) / count(*) AS valid_share_of_scanned,
       sum(c.enforce) AS enforce, CAST(sum(c.enforce) AS REAL) / nullif(sum(c.valid), 0) AS enforce_share_of_valid,
       sum(c.blocks_all_mx) AS enforce_blocks_all_mx
FROM v_cut_domain c JOIN b ON c.rank IS NOT NULL AND c.rank <= b.top
GROUP BY c.scan_id, b.bucket, b.ord;

CREATE TEMP VIEW IF NOT EXISTS v_cut_tld AS
SELECT scan_id, tld,
       count(*) AS domains, sum(mail) AS mail_domains, sum(with_record) AS with_record,
       CAST(sum(with_record) AS REAL) / count(*) AS record_share_of_scanned,
       sum(valid) AS valid, sum(enforce) AS enforce, sum(blocks_all_mx) AS enforce_blocks_all_mx
FROM v_cut_domain GROUP BY scan_id, tld;

-- Misconfiguration among domains with a record: one category per domain (analysis/REPORTS.md).
CREATE TEMP VIEW IF NOT EXISTS v_cut_misconfiguration AS
SELECT c.scan_id, c.category, count(*) AS domains,
       CAST(count(*) AS REAL) / (SELECT sum(with_record) FROM v_cut_domain r WHERE r.scan_id = c.scan_id) AS share_of_record
FROM (SELECT scan_id, CASE WHEN status = 'valid' THEN 'mx-not-all-pass' ELSE status END AS category
      FROM v_cut_domain
      WHERE with_record AND (status <> 'valid' OR mx_status IN ('partial', 'none-pass'))) c
GROUP BY c.scan_id, c.category;

-- Delivery impact: enforce-blocks-all-mx (compliant senders refuse the domain's mail).
CREATE TEMP VIEW IF NOT EXISTS v_cut_delivery_impact AS
SELECT scan_id, sum(blocks_all_mx) AS enforce_blocks_all_mx,
       CAST(sum(blocks_all_mx) AS REAL) / count(*) AS share_of_scanned,
       CAST(sum(blocks_all_mx AND mail) AS REAL) / nullif(sum(mail), 0) AS share_of_mail_domains,
       CAST(sum(blocks_all_mx) AS REAL) / nullif(sum(with_record), 0) AS share_of_record,
       CAST(sum(blocks_all_mx) AS REAL) / nullif(sum(enforce), 0) AS share_of_valid_enforce,
       sum(testing_would_fail) AS testing_would_fail
FROM v_cut_domain GROUP BY scan_id;
