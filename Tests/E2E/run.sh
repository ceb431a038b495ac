#!/usr/bin/env bash
# End-to-end tests of the real `mtasts` binary against the running loopback world (make world-up).
#   Tests/E2E/run.sh WORLD_DIR MTASTS_BIN
# 1. scan the world's input (with its exclusion list), export, compare with truth.jsonl: 100%;
#    the stored response header lines agree with curl's own status and Content-Type.
# 2. `check --json` of a sample of domains equals their export lines (input and rank aside: check
#    has no input line).
# 3. resume: a scan killed with SIGKILL at 5 random moments and stopped once with SIGINT, each time
#    rerun with --resume, gives the same export as the uninterrupted scan, nothing missing or
#    twice; a double SIGINT stops at once and --resume finishes; --resume --retry-errors scans
#    dns-error rows again.
# 4. CSV export: one row per domain plus the header, formula cells inert.
# 5. shards: 4 shards scanned separately and merged equal the unsharded scan; 3 of 4 are refused.
# Prints 'e2e: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
W=${1:?world dir}; BIN=${2:?mtasts binary}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$W/ports.env"
T=$(mktemp -d /tmp/mtasts-e2e.XXXXXX)
[ -n "${E2E_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
NET=(--resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$W/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT"
     --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5
     --per-address-backoff 2)
# --per-address-backoff 2: the world's 421 tarpit shares its address with other tarpit kinds, and
# the default 60 s pause after its greeting would add a minute to each of the dozen scans here.
pass=0; fail=0
# Exports compared across runs without the findings' `detail`: a dead delegation is a TIMEOUT to
# us while the resolver still waits on it and a cached SERVFAIL later, so that one word depends on
# the resolver's cache, not on the scanner. Statuses, codes, severities and hosts must match.
canon() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    for f in d.get("findings") or []: f.pop("detail", None)
    print(json.dumps(d, sort_keys=True))' "$1" | sort; }
ok() { echo "e2e ok: $*"; pass=$((pass + 1)); }
bad() { echo "e2e FAILED: $*"; fail=$((fail + 1)); }

# A DNS-only pass first, thrown away: these tests check verdicts, and a resolver started seconds
# ago answers its first burst with the odd SERVFAIL or timeout (how a cold resolver copes is what
# `make bench` measures). Policies, certificates and SMTP are still seen for the first time below.
"$BIN" scan "$W/domains.txt" --db "$T/warm.db" "${NET[@]}" --exclude "$W/exclude.txt" --no-smtp >/dev/null 2>&1

# 1. The whole world, compared with its truth domain by domain.
if "$BIN" scan "$W/domains.txt" --db "$T/full.db" "${NET[@]}" --exclude "$W/exclude.txt" 2>"$T/full.err" \
   && "$BIN" export --db "$T/full.db" --format jsonl --output "$T/full.jsonl"; then
  tail -14 "$T/full.err"
  if python3 "$HERE/compare_truth.py" "$W/truth.jsonl" "$T/full.jsonl" > "$T/cmp.txt"; then
    ok "scan agrees with truth.jsonl ($(tail -1 "$T/cmp.txt"))"
  else
    cat "$T/cmp.txt"; bad "scan disagrees with truth.jsonl"
  fi
else
  tail -20 "$T/full.err"; bad "scan of the world failed"
fi

# 1a. The scan row counts every input line, comments and blanks included (analysis/SCHEMA.md).
lines_read=$(sqlite3 "$T/full.db" "select lines_read from scans")
lines_file=$(awk 'END { print NR }' "$W/domains.txt")
if [ "$lines_read" = "$lines_file" ]; then ok "scans.lines_read = $lines_read, the input's line count"
else bad "scans.lines_read is $lines_read, the input has $lines_file lines"; fi
# analysis/SCHEMA.md: scans.domains is the rows stored in domains, invalid-input and excluded included.
counted=$(sqlite3 "$T/full.db" "select domains from scans")
stored=$(sqlite3 "$T/full.db" "select count(*) from domains")
if [ "$counted" = "$stored" ]; then ok "scans.domains = $counted, the rows stored (invalid-input and excluded included)"
else bad "scans.domains is $counted, but $stored rows are stored"; fi

# 1b. The raw HTTP evidence: every response's header lines are stored, status line first, and
# agree with the status and Content-Type that curl parsed itself (the domains table's columns).
if python3 - "$T/full.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = bad = 0
for status, ctype, js in db.execute(
        "SELECT d.http_status, d.content_type, e.json FROM domains d JOIN evidence e ON e.domain_id = d.id "
        "WHERE d.http_status IS NOT NULL"):
    n += 1
    h = (json.loads(js).get("policyFetch") or {}).get("headers") or []
    fields = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in h[1:] if ":" in l}
    if not (h and h[0].startswith("HTTP/") and h[0].split()[1] == str(status)
            and (ctype is None or fields.get("content-type") == ctype)):
        bad += 1
        if bad <= 3: print("headers disagree:", status, ctype, h[:3])
print(f"{n} responses, {bad} disagree")
sys.exit(0 if n > 100 and bad == 0 else 1)
PY
then ok "stored response headers agree with curl's status and Content-Type"; else bad "stored response headers"; fi

# 2. check --json equals the export line, for one domain of each of a few kinds.
python3 - "$W/truth.jsonl" > "$T/sample.txt" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["domain"] and t["status"] not in ("excluded",) and t["kind"] not in seen:
        seen[t["kind"]] = t["domain"]
for d in list(seen.values())[::4][:25]:
    print(d)
PY
checked=0; mism=0
while read -r d; do
  "$BIN" check "$d" "${NET[@]}" --json > "$T/check.json" 2>/dev/null
  if ! python3 - "$T/check.json" "$T/full.jsonl" "$d" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
e = next(json.loads(l) for l in open(sys.argv[2]) if json.loads(l).get("domain") == sys.argv[3])
for k in ("input", "rank"):
    c.pop(k, None); e.pop(k, None)
if c != e:
    for k in sorted(set(c) | set(e)):
        if c.get(k) != e.get(k): print("  %s: check %r, export %r" % (k, c.get(k), e.get(k)))
    sys.exit(1)
PY
  then mism=$((mism + 1)); echo "  (check --json of $d differs from its export line)"; fi
  checked=$((checked + 1))
done < "$T/sample.txt"
[ "$checked" -gt 0 ] && [ "$mism" -eq 0 ] && ok "check --json equals the export line for $checked domains" \
  || bad "check --json differs from export for $mism of $checked domains"

# 3. SIGKILL at 5 random moments, each time resumed with --resume; then SIGINT once (clean stop,
#    exit 130, batch committed); then a last --resume to the end. The export must equal the
#    uninterrupted scan's: nothing lost, nothing twice, one scan row.
RESUME=("$BIN" scan "$W/domains.txt" --db "$T/resume.db" "${NET[@]}" --exclude "$W/exclude.txt" --concurrency 200)
"${RESUME[@]}" 2>/dev/null &
pid=$!
kills=""
for k in 1 2 3 4 5; do
  sleep "$(python3 -c "import random; print(round(random.uniform(0.5, 3.0), 2))")"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  kills="$kills $(sqlite3 "$T/resume.db" "select count(*) from domains" 2>/dev/null)"
  "${RESUME[@]}" --resume 2>/dev/null &
  pid=$!
done
sleep 2
kill -INT "$pid" 2>/dev/null; wait "$pid"; int_status=$?
after_int=$(sqlite3 "$T/resume.db" "select count(*) from domains")
"${RESUME[@]}" --resume 2>"$T/resume.err"
"$BIN" export --db "$T/resume.db" --format jsonl --output "$T/resume.jsonl"
scans=$(sqlite3 "$T/resume.db" "select count(*) from scans")
dups=$(sqlite3 "$T/resume.db" "select count(*) from (select domain from domains where domain is not null group by scan_id, domain having count(*) > 1)")
if [ "$int_status" = 130 ] && [ "$scans" = 1 ] && [ "$dups" = 0 ] && cmp -s <(canon "$T/full.jsonl") <(canon "$T/resume.jsonl"); then
  ok "kill -9 at 5 random moments (rows stored then:$kills) and one SIGINT (exit 130, $after_int rows) then --resume: same export as the uninterrupted scan, 1 scan row, no duplicates"
else
  bad "resume after kills (rows:$kills; SIGINT exit $int_status, $after_int rows): scans=$scans duplicates=$dups"
  diff <(canon "$T/full.jsonl") <(canon "$T/resume.jsonl") | head -6 | cut -c1-300
fi

# 3b. A double SIGINT stops at once (exit 130, what is in flight abandoned), on a scan of its own
#     interrupted as soon as its first batch is committed; --resume then finishes it, nothing lost
#     or twice.
DOUBLE=("$BIN" scan "$W/domains.txt" --db "$T/double.db" "${NET[@]}" --exclude "$W/exclude.txt" --concurrency 200)
"${DOUBLE[@]}" 2>/dev/null &
pid=$!
for _ in $(seq 100); do
  [ "$(sqlite3 "$T/double.db" "select count(*) from domains" 2>/dev/null || echo 0)" -gt 0 ] && break
  sleep 0.1
done
kill -INT "$pid" 2>/dev/null; sleep 0.05; kill -INT "$pid" 2>/dev/null; wait "$pid"; double_status=$?
double_rows=$(sqlite3 "$T/double.db" "select count(*) from domains")
"${DOUBLE[@]}" --resume 2>/dev/null
"$BIN" export --db "$T/double.db" --format jsonl --output "$T/double.jsonl"
scans=$(sqlite3 "$T/double.db" "select count(*) from scans")
if [ "$double_status" = 130 ] && [ "$scans" = 1 ] && cmp -s <(canon "$T/full.jsonl") <(canon "$T/double.jsonl"); then
  ok "double SIGINT: exit 130 with $double_rows rows stored, then --resume: same export as the uninterrupted scan, 1 scan row"
else
  bad "double SIGINT: exit $double_status, $double_rows rows, then $scans scan rows"
  diff <(canon "$T/full.jsonl") <(canon "$T/double.jsonl") | head -6 | cut -c1-300
fi

# 3b. --resume --retry-errors scans the dns-error rows again (here: made by a dead resolver).
printf 'dead-resolver-1.test\nexample.test\n' > "$T/two.txt"
"$BIN" scan "$T/two.txt" --db "$T/retry.db" --resolver 127.0.0.1:9 --https-port "$WORLD_HTTPS_PORT" --no-smtp \
  --ehlo-name scanner.mtasts.test --timeout 1 --retries 0 2>/dev/null
first=$(sqlite3 "$T/retry.db" "select group_concat(status) from domains")
"$BIN" scan "$T/two.txt" --db "$T/retry.db" "${NET[@]}" --no-smtp --resume --retry-errors 2>/dev/null
second=$(sqlite3 "$T/retry.db" "select group_concat(status) from domains order by line_no")
rows=$(sqlite3 "$T/retry.db" "select count(*) from domains")
if [ "$first" = "dns-error,dns-error" ] && [ "$rows" = 2 ] && ! echo "$second" | grep -q dns-error; then
  ok "--resume --retry-errors rescans dns-error rows ($first -> $second)"
else
  bad "--retry-errors: first $first, then $second, $rows rows"
fi

# 4. CSV: a header and one row per exported domain; no cell starts with a live formula.
"$BIN" export --db "$T/full.db" --format csv --output "$T/full.csv"
if python3 - "$T/full.csv" "$T/full.jsonl" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
n = sum(1 for _ in open(sys.argv[2]))
assert rows[0][0] == "domain" or "domain" in rows[0], rows[0]
assert len(rows) == n + 1, (len(rows), n)
for r in rows[1:]:
    for cell in r:
        assert not cell[:1] in ("=", "+", "@", "\t", "\r") and not (cell[:1] == "-" and len(cell) > 1 and not cell[1:2].isdigit()), cell
PY
then ok "CSV export: header plus one row per domain, formula cells inert"; else bad "CSV export"; fi

# 5. Shards: 4 shards scanned separately and merged give the export of the unsharded scan.
# One after another: four scanners at once would overload the one resolver, not test sharding.
for i in 0 1 2 3; do
  "$BIN" scan "$W/domains.txt" --db "$T/shard$i.db" "${NET[@]}" --exclude "$W/exclude.txt" --shards 4 --shard "$i" 2>/dev/null
done
if "$BIN" merge --into "$T/merged.db" "$T/shard0.db" "$T/shard1.db" "$T/shard2.db" "$T/shard3.db" 2>"$T/merge.err" \
   && "$BIN" export --db "$T/merged.db" --format jsonl --output "$T/merged.jsonl" \
   && cmp -s <(canon "$T/full.jsonl") <(canon "$T/merged.jsonl"); then
  ok "4 shards merged give the export of the unsharded scan ($(cat "$T/merge.err"))"
else
  cat "$T/merge.err"; bad "4 shards merged differ from the unsharded scan"
  diff <(canon "$T/full.jsonl") <(canon "$T/merged.jsonl") | head -6
fi
if "$BIN" merge --into "$T/partial.db" "$T/shard0.db" "$T/shard1.db" "$T/shard3.db" 2>"$T/partial.err"; then
  bad "merge of 3 of 4 shards was accepted"
else
  ok "merge of 3 of 4 shards refused: $(cat "$T/partial.err")"
fi

# 6. Reports: `mtasts report --csv-dir` counts equal counts computed from the truth; the analysis
#    script (pandas, DuckDB) reproduces them; the HTML renders in headless Chromium, not blank,
#    without console errors.
ROOT=$(cd "$HERE/../.." && pwd)
if "$BIN" report --db "$T/full.db" --csv-dir "$T/csv" --html "$T/report.html" > "$T/report.txt" 2>&1 \
   && python3 - "$W/truth.jsonl" "$T/csv" <<'PY'
import collections, csv, json, sys
truth = [json.loads(l) for l in open(sys.argv[1])]
want = {
    "status": collections.Counter(t["status"] for t in truth),
    "mode": collections.Counter(t["mode"] for t in truth if t["mode"]),
    "mx_status": collections.Counter(t["mx_status"] for t in truth),
    "tlsrpt_status": collections.Counter(t["tlsrpt"] for t in truth if t.get("tlsrpt")),
}
bad = 0
for table, counts in want.items():
    rows = list(csv.DictReader(open("%s/%s.csv" % (sys.argv[2], table))))
    key = rows[0] and list(rows[0].keys())[0]
    got = {r[key]: int(r["domains"]) for r in rows}
    for k in set(counts) | set(got):
        if got.get(k, 0) != counts.get(k, 0):
            print("  report %s %s: %d, truth %d" % (table, k, got.get(k, 0), counts.get(k, 0))); bad += 1
sys.exit(1 if bad else 0)
PY
then ok "report: status, mode, mx_status and TLS-RPT counts equal the truth's"; else bad "report counts differ from the truth"; fi
if [ -x "$ROOT/analysis/.venv/bin/python" ]; then
  if (cd "$ROOT" && analysis/test_report.sh "$T/full.db" "$BIN") > "$T/analysis.txt" 2>&1; then
    ok "analysis/report.py (pandas, DuckDB) reproduces the report: $(tail -1 "$T/analysis.txt")"
  else cat "$T/analysis.txt"; bad "analysis/report.py disagrees with mtasts report"; fi
else
  bad "analysis venv missing (make analysis/.venv/.installed)"
fi
if command -v chromium >/dev/null; then
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
    --screenshot="$T/report.png" --window-size=1280,1800 "file://$T/report.html" > "$T/chromium.log" 2>&1
  if python3 - "$T/report.png" "$T/chromium.log" <<'PY'
import struct, sys, zlib
png = open(sys.argv[1], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", png[16:24])
# Decompress the image data and count distinct bytes: a blank page is one colour.
idat = b"".join(png[i + 8:i + 8 + struct.unpack(">I", png[i:i + 4])[0]]
                for i in range(8, len(png) - 12) if png[i + 4:i + 8] == b"IDAT")
raw = zlib.decompress(idat)
distinct = len(set(raw[::97]))
errors = [l for l in open(sys.argv[2], errors="replace") if "CONSOLE" in l and ("Error" in l or "error" in l)]
print("  screenshot %dx%d, %d distinct sampled bytes, %d console errors" % (w, h, distinct, len(errors)))
sys.exit(0 if w == 1280 and distinct > 20 and not errors else 1)
PY
  then ok "HTML report renders in headless Chromium: not blank, no console errors"; else bad "HTML report in Chromium"; fi
else
  bad "chromium not installed (make test installs it)"
fi

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
