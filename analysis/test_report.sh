#!/usr/bin/env bash
# `make analysis-test`: analysis/report.py must reproduce the funnel, statuses and modes of
# `mtasts report --csv-dir` for the same scan, number for number.
#   analysis/test_report.sh DB [MTASTS_BINARY]
# DB: a scanned database. Without one the Makefile makes a small offline one (see there).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
db=${1:?usage: test_report.sh DB [mtasts binary]}
mtasts=${2:-$here/../.build/debug/mtasts}
py=$here/.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$mtasts" report --db "$db" --csv-dir "$work/swift" > /dev/null
"$py" "$here/report.py" --db "$db" --out "$work/py" > /dev/null

# Compare the first two columns (name, domains) of each table; shares are compared to 6 decimals.
"$py" - "$work/swift" "$work/py" <<'PY'
import sys, pandas as pd
sw, py = sys.argv[1], sys.argv[2]
bad = 0
for name, key in [("funnel", "stage"), ("status", "status"), ("mode", "mode")]:
    a = pd.read_csv(f"{sw}/{name}.csv", keep_default_na=False)
    b = pd.read_csv(f"{py}/{name}.csv", keep_default_na=False)
    ka = a[[key, "domains"]].values.tolist()
    kb = b[[key, "domains"]].values.tolist()
    share = "share_of_scanned" if name == "funnel" else "share"
    sa = [round(float(x), 6) if x != "" else None for x in a[share]]
    sb = [round(float(x), 6) if x != "" else None for x in b[share]]
    ok = ka == kb and sa == sb and (name != "funnel" or ka[0][1] > 0)  # an empty scan proves nothing
    bad += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(ka)} rows" + ("" if ok else f"\n  mtasts:    {ka} {sa}\n  report.py: {kb} {sb}"))
sys.exit(1 if bad else 0)
PY
for f in report.png funnel.png status.png; do test -s "$work/py/$f" || { echo "FAIL: no $f"; exit 1; }; done
echo "analysis-test: report.py agrees with mtasts report on $db"
