#!/usr/bin/env python3
"""Reproduce the main tables of `mtasts report` from the scan database, independently.

Reads the SQLite file twice, with pandas (sqlite3) and with DuckDB, computes the deployment
funnel, the statuses and the modes from the raw `domains` table (not from mtasts's views), checks
that the two engines agree with each other and with the view `v_funnel`, writes the tables as
CSV (the same columns as `mtasts report --csv-dir`) and draws them with matplotlib as PNG.

DuckDB reads SQLite through its `sqlite` extension, which must be downloaded once (INSTALL).
The script only LOADs it, never downloads; where it is not installed (our build machines are
offline) the script loads the pandas frame into an in-memory DuckDB database instead and says so
on stderr. Either way DuckDB runs its own SQL over the same rows.

Usage: analysis/.venv/bin/python analysis/report.py --db scan.db [--scan ID] --out DIR
Definitions: analysis/REPORTS.md (the funnel stages are those of MTASTSReport.Funnel).
"""
import argparse
import os
import sqlite3
import sys

import duckdb
import matplotlib

matplotlib.use("Agg")  # no display on a build machine
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STATUS_ORDER = ["invalid-input", "excluded", "dns-error", "no-record", "record-invalid",
                "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"]
MODES = ["enforce", "testing", "none"]
# Stage -> the first status of the stage in STATUS_ORDER (a domain reaches a stage when its
# status is at or after that one).
STAGES = [("scanned", "dns-error"), ("record", "record-invalid"),
          ("policy fetched", "policy-webpki-invalid"), ("valid", "valid")]


def funnel_pandas(d: pd.DataFrame) -> pd.DataFrame:
    rank = d["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    rows = [(name, int((rank >= STATUS_ORDER.index(first)).sum())) for name, first in STAGES]
    rows += [(f"valid, mode {m}", int(((d["status"] == "valid") & (d["mode"] == m)).sum())) for m in MODES]
    return finish_funnel(pd.DataFrame(rows, columns=["stage", "domains"]))


def funnel_duckdb(con) -> pd.DataFrame:
    parts = []
    for name, first in STAGES:
        later = ", ".join(f"'{s}'" for s in STATUS_ORDER[STATUS_ORDER.index(first):])
        parts.append(f"SELECT '{name}' AS stage, count(*) FILTER (WHERE status IN ({later})) AS domains FROM d")
    for m in MODES:
        parts.append(f"SELECT 'valid, mode {m}', count(*) FILTER (WHERE status = 'valid' AND mode = '{m}') FROM d")
    f = con.execute(" UNION ALL ".join(parts)).df()
    f["domains"] = f["domains"].astype(int)
    order = {s: i for i, s in enumerate(funnel_order())}
    return finish_funnel(f.sort_values("stage", key=lambda s: s.map(order)).reset_index(drop=True))


def funnel_order():
    return [s for s, _ in STAGES] + [f"valid, mode {m}" for m in MODES]


def finish_funnel(f: pd.DataFrame) -> pd.DataFrame:
    scanned = int(f.loc[f["stage"] == "scanned", "domains"].iloc[0])
    valid = int(f.loc[f["stage"] == "valid", "domains"].iloc[0])
    prev = []
    for i, row in f.iterrows():
        base = valid if row["stage"].startswith("valid, mode") else (scanned if i == 0 else int(f["domains"].iloc[i - 1]))
        prev.append(row["domains"] / base if base else None)
    f["share_of_scanned"] = f["domains"] / scanned if scanned else None
    f["share_of_previous"] = prev
    return f


def open_duckdb(db: str, frame: pd.DataFrame):
    """DuckDB on the SQLite file when the extension loads, else on the pandas frame."""
    con = duckdb.connect()
    try:
        # LOAD only: never a download from here (install it once yourself, online, with
        # `python -c "import duckdb; duckdb.execute('INSTALL sqlite')"`).
        con.execute("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")
        con.execute("LOAD sqlite;")
        con.execute(f"ATTACH '{db}' AS s (TYPE sqlite, READ_ONLY)")
        return con, "sqlite extension (read the file directly)"
    except Exception as e:  # offline: the extension cannot be downloaded
        con = duckdb.connect()
        con.register("d_frame", frame)
        con.execute("CREATE TABLE d AS SELECT * FROM d_frame")
        return con, f"in-memory, from the pandas frame (sqlite extension unavailable: {str(e).splitlines()[0][:90]})"


def bar(ax, labels, values, colors, title):
    ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v}", va="center", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.15)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--db", required=True)
    ap.add_argument("--scan", type=int, help="scan id; default the newest")
    ap.add_argument("--out", required=True, help="directory for the CSV and PNG files")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    # Read-only URI: a report must never write to (or migrate) a scan database.
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    scan = a.scan if a.scan is not None else con.execute("SELECT max(id) FROM scans").fetchone()[0]
    if scan is None:
        print("report.py: the database holds no scan", file=sys.stderr)
        return 1
    d = pd.read_sql_query("SELECT domain, status, mode, mx_status FROM domains WHERE scan_id = ?", con, params=(scan,))

    fp = funnel_pandas(d)
    dcon, how = open_duckdb(a.db, d)
    if how.startswith("sqlite"):
        dcon.execute(f"CREATE VIEW d AS SELECT domain, status, mode, mx_status FROM s.domains WHERE scan_id = {int(scan)}")
    print(f"report.py: DuckDB {duckdb.__version__}: {how}", file=sys.stderr)
    fd = funnel_duckdb(dcon)
    if fp[["stage", "domains"]].values.tolist() != fd[["stage", "domains"]].values.tolist():
        print(f"report.py: pandas and DuckDB disagree:\n{fp}\n{fd}", file=sys.stderr)
        return 1
    try:  # the view of migration 0004 (absent in a database no newer mtasts has opened)
        fv = pd.read_sql_query("SELECT stage, domains FROM v_funnel WHERE scan_id = ? ORDER BY stage_order", con, params=(scan,))
        if fv.values.tolist() != fp[["stage", "domains"]].values.tolist():
            print(f"report.py: v_funnel disagrees:\n{fv}", file=sys.stderr)
            return 1
    except Exception as e:
        print(f"report.py: v_funnel not checked ({e})", file=sys.stderr)

    # Every status, zeros included (as mtasts report does), then any word this script does not know.
    order = STATUS_ORDER + sorted(set(d["status"]) - set(STATUS_ORDER))
    status = d.groupby("status").size().reindex(order, fill_value=0).rename("domains").rename_axis("status").reset_index()
    status["share"] = status["domains"] / len(d)
    valid = d[d["status"] == "valid"]
    modes = pd.DataFrame({"mode": MODES, "domains": [int((valid["mode"] == m).sum()) for m in MODES]})
    modes["share"] = modes["domains"] / len(valid) if len(valid) else None

    for name, frame in [("funnel", fp), ("status", status), ("mode", modes)]:
        frame.to_csv(os.path.join(a.out, f"{name}.csv"), index=False, float_format="%.6f", lineterminator="\r\n")

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), gridspec_kw={"width_ratios": [1.2, 1.2, 0.8]})
    bar(axes[0], fp["stage"].tolist(), fp["domains"].tolist(),
        ["#1e3a8a", "#2563eb", "#3b82f6", "#0d9488", "#16a34a", "#f59e0b", "#94a3b8"], f"Funnel, scan {scan}")
    bar(axes[1], status["status"].tolist(), status["domains"].tolist(),
        ["#16a34a" if s == "valid" else "#94a3b8" if s == "no-record" else "#ea580c" for s in status["status"]], "Status")
    if modes["domains"].sum() > 0:
        axes[2].pie(modes["domains"], labels=modes["mode"], colors=["#16a34a", "#f59e0b", "#94a3b8"],
                    autopct=lambda p: f"{p:.1f}%" if p > 0 else "", startangle=90, counterclock=False)
    else:  # a pie of nothing is an error in matplotlib; say it instead
        axes[2].text(0.5, 0.5, "no valid policy", ha="center", va="center")
        axes[2].set_axis_off()
    axes[2].set_title("Mode of valid policies", loc="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "report.png"), dpi=110)
    for name, frame, col, colors in [("funnel", fp, "stage", "#2563eb"), ("status", status, "status", "#ea580c")]:
        f2, ax = plt.subplots(figsize=(8, 4))
        bar(ax, frame[col].tolist(), frame["domains"].tolist(), [colors] * len(frame), f"{name}, scan {scan}")
        f2.tight_layout()
        f2.savefig(os.path.join(a.out, f"{name}.png"), dpi=110)
        plt.close(f2)

    print(fp.to_string(index=False))
    print(f"report.py: wrote funnel/status/mode .csv and report/funnel/status .png to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
