#!/usr/bin/env python3
"""Exports of several scans as ONE Parquet file, written by DuckDB (the analysis venv's duckdb;
no hand-written Parquet).

    mtasts export --db scan.db --scan 1 --format csv --scan-columns --output scan1.csv
    mtasts export --db scan.db --scan 2 --format csv --scan-columns --output scan2.csv
    analysis/.venv/bin/python analysis/to_parquet.py scans.parquet scan1.csv scan2.csv

Every input must have the scan columns (scan_id ... scan_tool_version): without them the rows of
two scans could not be told apart, and the script refuses. Columns keep their export names;
rank, policy_max_age, policy_http_status, scan_id and scan_started_at are integers, the rest text
(lists stay space-joined, as in the CSV: DuckDB's string_split turns them into lists). A cell
the export made formula-inert (a leading ') keeps its quote. Then, for example:

    SELECT scan_id, scan_label, to_timestamp(scan_started_at) AS started,
           count(*) FILTER (WHERE status NOT IN ('invalid-input', 'excluded')) AS scanned,
           count(*) FILTER (WHERE status IN ('record-invalid', 'policy-fetch-error',
                 'policy-webpki-invalid', 'policy-invalid', 'valid')) AS with_record
    FROM 'scans.parquet' GROUP BY ALL ORDER BY started;
"""
import sys

import duckdb

INTEGERS = {"rank", "policy_max_age", "policy_http_status", "scan_id", "scan_started_at"}
SCAN_COLUMNS = ["scan_id", "scan_label", "scan_started_at", "scan_input_sha256", "scan_tool_version"]


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: to_parquet.py OUT.parquet EXPORT.csv [EXPORT.csv ...]")
    out, inputs = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    header = None
    for path in inputs:
        try:
            with open(path, newline="", encoding="utf-8") as f:
                h = f.readline().rstrip("\r\n").split(",")
        except OSError as e:
            sys.exit(f"to_parquet: cannot read {path}: {e.strerror}")
        if h[-len(SCAN_COLUMNS):] != SCAN_COLUMNS:
            sys.exit(f"to_parquet: {path} has no scan columns: export it with --scan-columns")
        if header is not None and h != header:
            sys.exit(f"to_parquet: {path} has other columns than {inputs[0]}")
        header = h
    types = {c: ("BIGINT" if c in INTEGERS else "VARCHAR") for c in header}
    con.execute("CREATE TABLE rows AS SELECT * FROM read_csv(?, header = true, columns = ?, quote = '\"', escape = '\"')",
                [inputs, types])
    con.execute(f"COPY rows TO '{out.replace(chr(39), chr(39) * 2)}' (FORMAT parquet, COMPRESSION zstd)")
    n, scans = con.execute("SELECT count(*), count(DISTINCT scan_id) FROM rows").fetchone()
    print(f"to_parquet: {n} rows of {scans} scans -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
