#!/usr/bin/env bash
# From scans to the paper: three scans of a REALISTIC world (about 1% of domains with a record)
# in one database, and the report's standard cuts, trends, --panel and figures checked against
# the generator's truth and an independent pandas/DuckDB computation, never against mtasts.
#   Tests/E2E/cuts.sh MTASTS_BIN
# Scans: 1 = epoch 1 of the world (Tranco-style list), 2 = epoch 2 (the same list; adoptions,
# removals, expired certificates, mode changes), 3 = epoch 2 scanned from a CHURNED list (two
# in five of the no-record domains left out, as a newer top list drops and adds names).
# Checks:
#  1. trends --csv: record and valid counts of each scan equal its truth (scan 3: the truth of
#     the churned list's domains); trends warns on stderr that scans 2 -> 3 are of different inputs;
#  2. trends --panel --csv: counts equal the truth restricted to the domains in all three lists;
#     scans 2 and 3 (same world, different lists) are then equal: the churn is gone. Without
#     --panel they differ (the test would prove nothing otherwise);
#  3. the trends figure: x labels carry each scan's date; the y axis is scaled to the data, so
#     the record line moves visibly (> 20 px) from scan 2 to scan 3;
#  4. report --csv-dir of scans 1 and 3: mail_domains, rank_buckets, tld, misconfiguration,
#     delivery_impact, mx_providers equal pandas/DuckDB on `export --format csv`, policy_providers
#     Python's json on the stored evidence, dns_operators the NS sets of the truth (cuts_check.py);
#  4b. the same on one scan of the test profile's world (high adoption, many misconfigurations);
#  5. analysis/cuts.sql's views give the report's numbers;
#  6. report/trends --figures-dir: an SVG (well-formed XML) and a CSV per chart, captions.txt;
#  7. export --scan-columns of the 3 scans -> one Parquet (analysis/to_parquet.py, DuckDB); a
#     DuckDB query across the scans gives trends' counts; the default export is unchanged;
#  7b. trends --findings-csv: per-domain added/kept/removed findings equal the truths';
#  8. bad input gets exit 1 and a clear message.
# Ports: CUTS_DNS_PORT etc. (defaults below; epoch 2 on +CUTS_PORT_STEP (10), the test world on
# +2 steps), CUTS_NET; CUTS_N lines (20000: about 190 domains with a record at 1%).
# Prints 'cuts: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
BIN=$(cd "$(dirname "${1:?usage: cuts.sh MTASTS_BIN}")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/../..
WORLD=$HERE/../World/world.sh
PY=${CUTS_PYTHON:-$ROOT/analysis/.venv/bin/python}
PSL=${CUTS_PSL:-/usr/share/publicsuffix/public_suffix_list.dat}
T=$(mktemp -d /tmp/mtasts-cuts.XXXXXX)
chmod 755 "$T"
export WORLD_PROFILE=realistic WORLD_N=${CUTS_N:-20000} WORLD_SEED=${CUTS_SEED:-1} WORLD_NET=${CUTS_NET:-127.0}
export WORLD_DNS_IP=127.0.0.1
ports_for_epoch() {
  local off=$(( ($1 - 1) * ${CUTS_PORT_STEP:-10} ))
  export WORLD_DNS_PORT=$(( ${CUTS_DNS_PORT:-5380} + off )) WORLD_AUTH_PORT=$(( ${CUTS_AUTH_PORT:-5381} + off ))
  export WORLD_HTTPS_PORT=$(( ${CUTS_HTTPS_PORT:-8483} + off )) WORLD_SMTP_PORT=$(( ${CUTS_SMTP_PORT:-2565} + off ))
}
cleanup() {
  for e in 1 2 hi; do [ -d "$T/w$e" ] && bash "$WORLD" down "$T/w$e" >/dev/null 2>&1; done
  [ -n "${E2E_KEEP:-}" ] && echo "cuts: kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0; fail=0
ok() { echo "cuts ok: $*"; pass=$((pass + 1)); }
bad() { echo "cuts FAILED: $*"; fail=$((fail + 1)); }
[ -x "$PY" ] || { echo "cuts: no $PY (make analysis/.venv/.installed)"; echo "cuts: 0 passed, 1 failed"; exit 1; }

scan() { # world-dir input label
  "$BIN" scan "$2" --db "$T/scan.db" --label "$3" --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$1/ca/ca.crt" \
    --https-port "$WORLD_HTTPS_PORT" --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 \
    --per-address-backoff 2 --exclude "$1/exclude.txt" 2>"$T/scan-$(basename "$2").err" \
    && ok "scanned $(basename "$2") as '$3'" || { tail -5 "$T/scan-$(basename "$2").err"; bad "scan of $2 failed"; }
}
for e in 1 2; do
  W=$T/w$e
  ports_for_epoch "$e"
  if ! WORLD_EPOCH=$e bash "$WORLD" up "$W" > "$T/up$e.txt" 2>&1; then
    cat "$T/up$e.txt"; bad "epoch $e world did not come up"; echo "cuts: $pass passed, $fail failed"; exit 1
  fi
  # a thrown-away DNS-only pass warms the just-started resolver (Tests/E2E/run.sh says why)
  "$BIN" scan "$W/domains.txt" --db "$T/warm$e.db" --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" \
    --https-port "$WORLD_HTTPS_PORT" --no-smtp --ehlo-name scanner.mtasts.test --timeout 5 >/dev/null 2>&1
  scan "$W" "$W/domains.txt" "world epoch $e"
  if [ "$e" = 2 ]; then
    # the churned list: two in five no-record domains left out (by the truth, never by mtasts)
    python3 - "$W/truth.jsonl" "$W/domains.txt" > "$T/churned.txt" <<'PY'
import json, sys
norec = {json.loads(l)["input"].strip() for l in open(sys.argv[1]) if json.loads(l)["status"] == "no-record"}
for n, line in enumerate(open(sys.argv[2]), 1):
    if line.strip() in norec and n % 5 in (1, 3):
        continue
    sys.stdout.write(line)
PY
    scan "$W" "$T/churned.txt" "world epoch 2, churned list"
  fi
  bash "$WORLD" down "$W" > "$T/down$e.txt" 2>&1 || { cat "$T/down$e.txt"; bad "epoch $e world did not come down"; }
done

# 1 + 2. trends, without and with --panel, against the truths
"$BIN" trends --db "$T/scan.db" --csv "$T/trends.csv" --figures-dir "$T/tfig" > "$T/trends.txt" 2>"$T/trends.err" || bad "trends failed: $(cat "$T/trends.err")"
"$BIN" trends --db "$T/scan.db" --panel --csv "$T/panel.csv" > /dev/null 2>"$T/panel.err" || bad "trends --panel failed: $(cat "$T/panel.err")"
"$BIN" trends --db "$T/scan.db" --scan 1 --scan 2 > /dev/null 2>"$T/same.err" || bad "trends --scan 1 --scan 2 failed"
if grep -q "input_sha256 differs: 2 -> 3" "$T/trends.err" && ! grep -q "differs" "$T/same.err"; then
  ok "trends warns that scans 2 -> 3 are of different inputs, and not for scans 1 and 2 (one list)"
else
  bad "trends input warning: [$(cat "$T/trends.err")] / scans 1,2: [$(cat "$T/same.err")]"
fi
python3 - "$T" > "$T/trendcheck.txt" <<'PY'
import csv, json, sys
T = sys.argv[1]
RECORD = {"record-invalid", "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"}
def truth(path, inputs):
    rows = [json.loads(l) for l in open(path)]
    return {r["domain"]: r for r in rows if r["input"].strip() in inputs and r.get("domain")}
def inputs(path):
    return {l.strip() for l in open(path) if l.strip() and not l.startswith("#")}
tr = [truth(f"{T}/w1/truth.jsonl", inputs(f"{T}/w1/domains.txt")), truth(f"{T}/w2/truth.jsonl", inputs(f"{T}/w2/domains.txt")),
      truth(f"{T}/w2/truth.jsonl", inputs(f"{T}/churned.txt"))]
panel = set(tr[0]) & set(tr[1]) & set(tr[2])
def want(t, keep):
    sc = [r for d, r in t.items() if d in keep and r["status"] not in ("invalid-input", "excluded")]
    return {"record": sum(r["status"] in RECORD for r in sc), "valid": sum(r["status"] == "valid" for r in sc), "scanned": len(sc)}
def got(path):
    g = {}
    for r in csv.DictReader(open(path, newline="")):
        g.setdefault(r["scan_id"], {})[r["metric"]] = (int(r["domains"]), int(r["denominator"]))
    return {s: {"record": m["record"][0], "valid": m["valid"][0], "scanned": m["record"][1]} for s, m in g.items()}
bad = 0
plain, pan = got(f"{T}/trends.csv"), got(f"{T}/panel.csv")
for i, t in enumerate(tr, 1):
    w, wp = want(t, set(t)), want(t, panel)
    g, gp = plain.get(str(i)), pan.get(str(i))
    print(f"scan {i}: trends {g} truth {w}; --panel {gp} truth {wp}")
    bad += (g != w) + (gp != wp)
print("RESULT", bad, int(plain.get("2") != plain.get("3")), int(pan.get("2") == pan.get("3")))
PY
cat "$T/trendcheck.txt" | grep -v RESULT
read -r _ nbad churn_seen churn_gone < <(grep RESULT "$T/trendcheck.txt")
[ "${nbad:-1}" = 0 ] && ok "trends and trends --panel: scanned, record and valid of 3 scans equal the truths" || bad "trends counts differ from the truths"
[ "${churn_seen:-0}" = 1 ] && [ "${churn_gone:-0}" = 1 ] \
  && ok "--panel removes list churn: scans 2 and 3 differ without it and are equal with it" \
  || bad "--panel: without it scans 2/3 differ? ${churn_seen:-?}; with it equal? ${churn_gone:-?}"

# 3. the trends figure: dates on the x axis, the change visible
python3 - "$T/tfig/trends_adoption.svg" "$T/scan.db" <<'PY' && ok "trends figure: each scan's date on the x axis; the record line moves > 20 px from scan 2 to 3 on a data-scaled axis" || bad "trends figure"
import re, sqlite3, sys, time, xml.etree.ElementTree as ET
svg = open(sys.argv[1]).read()
root = ET.fromstring(svg)
texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
dates = {time.strftime("%Y-%m-%d", time.gmtime(s)) for (s,) in sqlite3.connect(sys.argv[2]).execute("SELECT started_at FROM scans")}
missing = [d for d in dates if d not in texts]
lines = [p.get("points") for p in root.iter("{http://www.w3.org/2000/svg}polyline")]
ys = [float(pt.split(",")[1]) for pt in lines[0].split()] if lines else []
print("  x labels:", [t for t in texts if re.match(r"\d{4}-\d\d-\d\d$", t)], "record line y:", ys)
ok = not missing and len(ys) == 3 and abs(ys[2] - ys[1]) > 20
sys.exit(0 if ok else 1)
PY

# 4. the report's cuts against pandas/DuckDB on the export
for s in 1 3; do
  "$BIN" report --db "$T/scan.db" --scan $s --top 100000 --psl "$PSL" --csv-dir "$T/r$s" --figures-dir "$T/rfig$s" > "$T/report$s.txt" 2>"$T/report$s.err" || bad "report of scan $s failed: $(cat "$T/report$s.err")"
  "$BIN" export --db "$T/scan.db" --scan $s --format csv --output "$T/export$s.csv" || bad "export of scan $s failed"
  tw=$T/w1; [ $s = 3 ] && tw=$T/w2
  if "$PY" "$HERE/cuts_check.py" "$T/export$s.csv" "$T/r$s" "$PSL" "$T/scan.db" $s "$tw/truth.jsonl" > "$T/cuts$s.txt"; then
    ok "scan $s: $(grep -c 'cuts-check ok' "$T/cuts$s.txt") cut tables equal pandas/DuckDB on the export (mail_domains, rank_buckets, tld, misconfiguration, delivery_impact, mx_providers), Python on the evidence (policy_providers) and the truth's NS sets (dns_operators)"
  else
    sed "s/^/  /" "$T/cuts$s.txt"; bad "scan $s: the report's cuts differ from the export's"
  fi
done

# 4b. the same cuts on the test profile's world (high adoption: about half the domains have a
#     record, many misconfigured, null MX with a record): what a realistic world has too few of
W=$T/whi
ports_for_epoch 3
if WORLD_PROFILE=test WORLD_N=${CUTS_HI_N:-3000} WORLD_EPOCH=1 bash "$WORLD" up "$W" > "$T/uphi.txt" 2>&1; then
  "$BIN" scan "$W/domains.txt" --db "$T/warmhi.db" --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" \
    --https-port "$WORLD_HTTPS_PORT" --no-smtp --ehlo-name scanner.mtasts.test --timeout 5 >/dev/null 2>&1
  "$BIN" scan "$W/domains.txt" --db "$T/hi.db" --label "test world" --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$W/ca/ca.crt" \
    --https-port "$WORLD_HTTPS_PORT" --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 \
    --per-address-backoff 2 --exclude "$W/exclude.txt" 2>"$T/scanhi.err" || { tail -5 "$T/scanhi.err"; bad "scan of the test world failed"; }
else
  cat "$T/uphi.txt"; bad "the test world did not come up"
fi
bash "$WORLD" down "$W" > "$T/downhi.txt" 2>&1 || { cat "$T/downhi.txt"; bad "the test world did not come down"; }
"$BIN" report --db "$T/hi.db" --top 100000 --psl "$PSL" --csv-dir "$T/rhi" > /dev/null 2>"$T/reporthi.err" || bad "report of the test world failed"
"$BIN" export --db "$T/hi.db" --format csv --output "$T/exporthi.csv" || bad "export of the test world failed"
if "$PY" "$HERE/cuts_check.py" "$T/exporthi.csv" "$T/rhi" "$PSL" "$T/hi.db" 1 "$T/whi/truth.jsonl" > "$T/cutshi.txt"; then
  ok "test world (high adoption): $(grep -c 'cuts-check ok' "$T/cutshi.txt") cut and provider tables equal the independent computation"
else
  sed "s/^/  /" "$T/cutshi.txt"; bad "test world: the report's cuts differ from the export's"
fi

# 5. analysis/cuts.sql's views against the report of scan 3
python3 - "$T/scan.db" "$ROOT/analysis/cuts.sql" "$T/r3" <<'PY' && ok "analysis/cuts.sql views equal the report's rank_buckets, misconfiguration, delivery_impact and mail_domains" || bad "analysis/cuts.sql views differ from the report"
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); con.executescript(open(sys.argv[2]).read())
def rep(name, key, col):
    return {r[key]: r[col] for r in csv.DictReader(open(f"{sys.argv[3]}/{name}.csv", newline=""))}
bad = []
rb = rep("rank_buckets", "bucket", "with_record")
for bucket, n in con.execute("SELECT bucket, with_record FROM v_cut_rank_buckets WHERE scan_id = 3"):
    if bucket in rb and int(rb[bucket]) != n: bad.append(("rank", bucket, n, rb[bucket]))
mc = rep("misconfiguration", "category", "domains")
for cat, n in con.execute("SELECT category, domains FROM v_cut_misconfiguration WHERE scan_id = 3"):
    if int(mc.get(cat, -1)) != n: bad.append(("misconfiguration", cat, n, mc.get(cat)))
di = rep("delivery_impact", "finding", "domains")
(b, t), = con.execute("SELECT enforce_blocks_all_mx, testing_would_fail FROM v_cut_delivery_impact WHERE scan_id = 3")
if int(di["enforce-blocks-all-mx"]) != b or int(di["testing-would-fail"]) != t: bad.append(("delivery", b, t, di))
md = rep("mail_domains", "measure", "mail_domains")
(mail, recm), = con.execute("SELECT mail_domains, with_record_mail FROM v_cut_mail_domains WHERE scan_id = 3")
if int(md["domains"]) != mail or int(md["MTA-STS record"]) != recm: bad.append(("mail", mail, recm, md))
print("  views:", bad or "all equal")
sys.exit(1 if bad else 0)
PY

# 6. figures: an SVG and a CSV per chart
python3 - "$T/rfig3" "$T/tfig" <<'PY' && ok "figures dirs: every chart has a well-formed SVG, a CSV with a header and rows, and a caption line" || bad "figures dirs"
import csv, os, sys, xml.etree.ElementTree as ET
bad = 0
for d in sys.argv[1:]:
    caps = [l.split(".svg: ", 1) for l in open(os.path.join(d, "captions.txt")) if l.strip()]
    names = [c[0] for c in caps]
    svgs = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".svg"))
    csvs = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".csv"))
    if sorted(names) != svgs or svgs != csvs or not svgs: bad += 1; print("  mismatch", d, names, svgs, csvs)
    for n in svgs:
        ET.parse(os.path.join(d, n + ".svg"))
        rows = list(csv.reader(open(os.path.join(d, n + ".csv"), newline="")))
        if len(rows) < 2: bad += 1; print("  empty csv", n)
    print(f"  {d}: {len(svgs)} figures")
sys.exit(1 if bad else 0)
PY

# 7. data that travels: exports with --scan-columns, one Parquet file (DuckDB), one query across
#    the scans; its per-scan counts equal trends' (checked against the truths in 1). The default
#    export is unchanged: its header is the --scan-columns header minus the five scan columns.
for s in 1 2 3; do
  "$BIN" export --db "$T/scan.db" --scan $s --format csv --scan-columns --output "$T/sc$s.csv" || bad "export --scan-columns of scan $s failed"
done
"$BIN" export --db "$T/scan.db" --scan 3 --format jsonl --scan-columns --output "$T/sc3.jsonl" || bad "export --scan-columns jsonl failed"
if "$PY" "$ROOT/analysis/to_parquet.py" "$T/scans.parquet" "$T/sc1.csv" "$T/sc2.csv" "$T/sc3.csv" 2>"$T/parquet.err" \
   && "$PY" - "$T" <<'PY'
import csv, json, sys, duckdb
T = sys.argv[1]
q = duckdb.sql(f"""SELECT scan_id, count(*) FILTER (WHERE status NOT IN ('invalid-input', 'excluded')) AS scanned,
                     count(*) FILTER (WHERE status IN ('record-invalid', 'policy-fetch-error', 'policy-webpki-invalid',
                                                       'policy-invalid', 'valid')) AS record,
                     count(*) FILTER (WHERE status = 'valid') AS valid, count(DISTINCT scan_input_sha256) AS inputs
                   FROM '{T}/scans.parquet' GROUP BY scan_id ORDER BY scan_id""").fetchall()
want = {}
for r in csv.DictReader(open(f"{T}/trends.csv", newline="")):
    if r["metric"] in ("record", "valid"):
        want.setdefault(int(r["scan_id"]), {})[r["metric"]] = int(r["domains"])
        want[int(r["scan_id"])]["scanned"] = int(r["denominator"]) if r["metric"] == "record" else want[int(r["scan_id"])].get("scanned")
got = {sid: {"scanned": sc, "record": rec, "valid": val} for sid, sc, rec, val, _ in q}
default = open(f"{T}/export3.csv", newline="").readline().rstrip("\r\n").split(",")
withscan = open(f"{T}/sc3.csv", newline="").readline().rstrip("\r\n").split(",")
j = json.loads(open(f"{T}/sc3.jsonl").readline())
ok = got == want and withscan[:-5] == default and withscan[-5:][0] == "scan_id" and j["scan"]["id"] == 3
print("  parquet per scan:", got, "trends:", want, "default header unchanged:", withscan[:-5] == default)
sys.exit(0 if ok else 1)
PY
then ok "export --scan-columns -> one Parquet (DuckDB): a query across the 3 scans gives trends' scanned/record/valid; the default export header is unchanged"
else cat "$T/parquet.err"; bad "Parquet across scans"; fi

# 7b. per-domain histories of findings (trends --findings-csv) against the truths: for the domains
#     in both scans of each consecutive pair, each code added, kept or removed
if "$BIN" trends --db "$T/scan.db" --findings-csv "$T/fh.csv" > "$T/fh.txt" 2>/dev/null && python3 - "$T" <<'PY'
import csv, json, sys
T = sys.argv[1]
def truth(path, listfile):
    inputs = {l.strip() for l in open(listfile) if l.strip() and not l.startswith("#")}
    return {r["domain"]: set(r["findings"]) for r in map(json.loads, open(path)) if r.get("domain") and r["input"].strip() in inputs}
tr = {1: truth(f"{T}/w1/truth.jsonl", f"{T}/w1/domains.txt"), 2: truth(f"{T}/w2/truth.jsonl", f"{T}/w2/domains.txt"),
      3: truth(f"{T}/w2/truth.jsonl", f"{T}/churned.txt")}
want = set()
for a, b in ((1, 2), (2, 3)):
    for d in set(tr[a]) & set(tr[b]):
        for c in tr[a][d] | tr[b][d]:
            want.add((str(a), str(b), d, c, "kept" if c in tr[a][d] and c in tr[b][d] else ("removed" if c in tr[a][d] else "added")))
got = {(r["old_scan"], r["new_scan"], r["domain"], r["code"], r["change"]) for r in csv.DictReader(open(f"{T}/fh.csv", newline=""))}
changes = sum(1 for w in want if w[4] != "kept")
print(f"  finding histories: {len(got)} rows, {changes} added/removed; missing {sorted(want - got)[:5]}, unexpected {sorted(got - want)[:5]}")
sys.exit(0 if got == want and changes > 0 else 1)
PY
then ok "trends --findings-csv: per-domain added/kept/removed findings of scans 1->2 and 2->3 equal the truths'"
else bad "trends --findings-csv differs from the truths"; fi

# 8. bad input: a clear error and exit 1, never a crash
touch "$T/afile"
badcase() { # expected-message command...
  local want=$1; shift
  "$@" > /dev/null 2>"$T/bad.err"; local rc=$?
  if [ $rc -eq 1 ] && grep -q "$want" "$T/bad.err"; then return 0; fi
  echo "  '$*': exit $rc, stderr: $(head -c 300 "$T/bad.err")"; return 1
}
nbad=0
badcase "a file of that name exists" "$BIN" report --db "$T/scan.db" --figures-dir "$T/afile" || nbad=$((nbad + 1))
badcase "a file of that name exists" "$BIN" trends --db "$T/scan.db" --figures-dir /dev/null || nbad=$((nbad + 1))
badcase "no scan 999" "$BIN" trends --db "$T/scan.db" --scan 999 || nbad=$((nbad + 1))
badcase "mtasts trends: " "$BIN" trends --db "$T" || nbad=$((nbad + 1))
badcase "no scan columns" "$PY" "$ROOT/analysis/to_parquet.py" "$T/x.parquet" "$T/export3.csv" || nbad=$((nbad + 1))
badcase "cannot read" "$PY" "$ROOT/analysis/to_parquet.py" "$T/x.parquet" "$T/nope.csv" || nbad=$((nbad + 1))
"$BIN" report --db "$T/scan.db" --top=-5 > /dev/null 2>"$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--top must be 0 or more" "$T/bad.err" || { echo "  report --top=-5: exit $rc, $(head -c 200 "$T/bad.err")"; nbad=$((nbad + 1)); }
[ $nbad = 0 ] && ok "bad input (figures dir on a file or /dev/null, unknown scan, a directory as --db, export without scan columns, missing file): exit 1 with a clear message; report --top=-5: usage error 2 (it trapped before)" || bad "$nbad bad-input cases"

echo "cuts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
