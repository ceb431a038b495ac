#!/usr/bin/env bash
# The world over time: two scans of one database, of epoch 1 and epoch 2 of the same world.
#   Tests/E2E/epochs.sh MTASTS_BIN
# Brings up epoch 1 of a small test world (EPOCHS_N, default 3000 lines) in its own temp dir on
# its own ports, scans it, brings it down; the same for epoch 2 into the SAME database; the worlds
# are always brought down (trap). Then checks, against the generator's truth (never mtasts):
# 1. `mtasts diff 1 2 --csv`: exactly the domains of epoch 2's transitions.jsonl changed, each
#    with exactly the expected transitions (kind and name);
# 2. the cross-scan findings of the diff (CSV rows of kind `finding`, and the totals of the
#    'Cross-scan findings' table on stdout) equal transitions.jsonl's, domain by domain;
# 3. each scan's export agrees with its epoch's truth.jsonl (compare_truth.py);
# 4. `mtasts trends --csv`: two scans whose `valid` and `mode enforce` counts equal the truths'.
# Prints each mismatch by domain and 'epochs: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
BIN=$(cd "$(dirname "${1:?usage: epochs.sh MTASTS_BIN}")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=$HERE/../World/world.sh
T=$(mktemp -d /tmp/mtasts-epochs.XXXXXX)
chmod 755 "$T"     # postfix (its own user) must reach its data directory below
export WORLD_PROFILE=test WORLD_N=${EPOCHS_N:-3000} WORLD_SEED=${EPOCHS_SEED:-1} WORLD_NET=127.0
export WORLD_DNS_IP=127.0.0.1
# Each epoch's world on its own ports (epoch 2: +10): unbound and nginx bind with SO_REUSEPORT, so
# an epoch-1 process still exiting on the same port would take a share of epoch 2's queries and
# connections (seen in a make test run: 30 epoch-2 rows wrong, all timeouts).
ports_for_epoch() {
  local off=$(( ($1 - 1) * 10 ))
  export WORLD_DNS_PORT=$(( ${EPOCHS_DNS_PORT:-5350} + off )) WORLD_AUTH_PORT=$(( ${EPOCHS_AUTH_PORT:-5351} + off ))
  export WORLD_HTTPS_PORT=$(( ${EPOCHS_HTTPS_PORT:-8453} + off )) WORLD_SMTP_PORT=$(( ${EPOCHS_SMTP_PORT:-2535} + off ))
}
cleanup() {
  for e in 1 2; do [ -d "$T/w$e" ] && bash "$WORLD" down "$T/w$e" >/dev/null 2>&1; done
  [ -n "${E2E_KEEP:-}" ] && echo "epochs: kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0; fail=0
ok() { echo "epochs ok: $*"; pass=$((pass + 1)); }
bad() { echo "epochs FAILED: $*"; fail=$((fail + 1)); }
t0=$(date +%s)

# Up, scan into the one database, down: epoch 1 is scan 1, epoch 2 is scan 2.
for e in 1 2; do
  W=$T/w$e
  ports_for_epoch "$e"
  if ! WORLD_EPOCH=$e bash "$WORLD" up "$W" > "$T/up$e.txt" 2>&1; then
    cat "$T/up$e.txt"; bad "epoch $e world did not come up"
    echo "epochs: $pass passed, $fail failed"; exit 1
  fi
  # A DNS-only pass first, thrown away (see Tests/E2E/run.sh): a just-started resolver's first
  # burst gets the odd SERVFAIL or timeout; this test is about diff and trends, not about that.
  "$BIN" scan "$W/domains.txt" --db "$T/warm$e.db" --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" \
    --https-port "$WORLD_HTTPS_PORT" --no-smtp --ehlo-name scanner.mtasts.test --timeout 5 >/dev/null 2>&1
  if "$BIN" scan "$W/domains.txt" --db "$T/scan.db" --label "world epoch $e" \
       --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$W/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
       --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 --per-address-backoff 2 \
       --exclude "$W/exclude.txt" 2>"$T/scan$e.err"; then
    ok "epoch $e: $WORLD_N lines scanned into scan $e ($(tail -1 "$T/scan$e.err" | cut -c1-120))"
  else
    tail -20 "$T/scan$e.err"; bad "scan of epoch $e failed"
  fi
  bash "$WORLD" down "$W" > "$T/down$e.txt" 2>&1 || { cat "$T/down$e.txt"; bad "epoch $e world did not come down"; }
done
echo "epochs: both worlds scanned and down in $(( $(date +%s) - t0 ))s"

# 1 + 2. diff: the changed domains, their transitions and cross-scan findings.
if "$BIN" diff --db "$T/scan.db" 1 2 --csv "$T/diff.csv" --limit 0 > "$T/diff.txt" 2>"$T/diff.err"; then
  python3 - "$T/w2/transitions.jsonl" "$T/diff.csv" "$T/diff.txt" > "$T/diffcheck.txt" <<'PY'
import collections, csv, json, re, sys
want = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    want[r["domain"]] = r
got_t, got_f = collections.defaultdict(set), collections.defaultdict(set)
for r in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")):
    if r["old_scan"] != "1" or r["new_scan"] != "2":
        print("BAD ROW scans %s -> %s" % (r["old_scan"], r["new_scan"]))
    if r["kind"] == "finding":
        got_f[r["domain"]].add(r["code"])
    else:
        got_t[r["domain"]].add((r["kind"], r["transition"]))
tp = tf = fp = ff = 0
for d in sorted(set(want) | set(got_t) | set(got_f)):
    w = want.get(d)
    wt = {(t["kind"], t["transition"]) for t in w["transitions"]} if w else set()
    wf = set(w["findings"]) if w else set()
    tag = "[%s]" % w["change"] if w else "[not in transitions.jsonl]"
    if wt == got_t[d]:
        tp += 1
    else:
        tf += 1
        print("TRANSITIONS %s %s: missing %s; unexpected %s" % (d, tag,
              sorted("%s: %s" % x for x in wt - got_t[d]) or "-", sorted("%s: %s" % x for x in got_t[d] - wt) or "-"))
    if wf == got_f[d]:
        fp += 1
    else:
        ff += 1
        print("FINDINGS %s %s: missing %s; unexpected %s" % (d, tag, sorted(wf - got_f[d]) or "-", sorted(got_f[d] - wf) or "-"))
# the totals of the 'Cross-scan findings' table on stdout
count = collections.Counter(c for w in want.values() for c in w["findings"])
text = open(sys.argv[3]).read()
codes = ["policy-changed-id-unchanged", "policy-id-changed-body-same", "mode-changed", "record-removed"]
for c in codes:
    m = re.search(r"^\s*%s\s+\S+\s+(\d+)\s*$" % re.escape(c), text, re.M)
    n = int(m.group(1)) if m else None
    if n == count[c]:
        fp += 1
    else:
        ff += 1
        print("FINDINGS TABLE %s: diff prints %s, transitions.jsonl has %d" % (c, n, count[c]))
print("SUMMARY %d %d %d %d %d" % (tp, tf, fp, ff, len(want)))
PY
  grep -v '^SUMMARY' "$T/diffcheck.txt"
  read -r _ tp tf fp ff nw < <(grep '^SUMMARY' "$T/diffcheck.txt")
  if [ "${tf:-1}" = 0 ] && [ "$tp" -gt 0 ]; then
    ok "diff 1 2: exactly the $nw domains of transitions.jsonl changed, with the expected transitions"
  else
    bad "diff 1 2: ${tf:-?} domains with other transitions than transitions.jsonl's ($tp agree)"
  fi
  if [ "${ff:-1}" = 0 ] && [ "$fp" -gt 0 ]; then
    ok "diff 1 2: cross-scan findings equal transitions.jsonl's, per domain and in the table ($(python3 -c "
import collections, json, sys
c = collections.Counter(f for l in open(sys.argv[1]) for f in json.loads(l)['findings'])
print(', '.join('%s %d' % kv for kv in sorted(c.items())))" "$T/w2/transitions.jsonl"))"
  else
    bad "diff 1 2: ${ff:-?} cross-scan finding mismatches"
  fi
else
  cat "$T/diff.err"; bad "mtasts diff failed"; bad "mtasts diff failed: no cross-scan findings"
fi

# 3. each scan's export against its epoch's truth
for e in 1 2; do
  if "$BIN" export --db "$T/scan.db" --scan "$e" --format jsonl --output "$T/export$e.jsonl" 2>"$T/export$e.err" \
     && python3 "$HERE/compare_truth.py" "$T/w$e/truth.jsonl" "$T/export$e.jsonl" > "$T/cmp$e.txt"; then
    ok "export of scan $e agrees with epoch $e's truth.jsonl ($(tail -1 "$T/cmp$e.txt"))"
  else
    cat "$T/export$e.err" "$T/cmp$e.txt" 2>/dev/null | sed 's/^e2e-truth: /epoch '"$e"' truth: /'
    bad "export of scan $e disagrees with epoch $e's truth.jsonl"
  fi
done

# 4. trends: two scans; valid and mode enforce counts as the truths say
if "$BIN" trends --db "$T/scan.db" --csv "$T/trends.csv" > "$T/trends.txt" 2>"$T/trends.err" \
   && python3 - "$T/trends.csv" "$T/w1/truth.jsonl" "$T/w2/truth.jsonl" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
scans = sorted({r["scan_id"] for r in rows}, key=int)
bad = 0
if scans != ["1", "2"]:
    print("  trends: scans %s, want ['1', '2']" % scans); bad += 1
for sid, path in (("1", sys.argv[2]), ("2", sys.argv[3])):
    truth = [json.loads(l) for l in open(path)]
    want = {"valid": sum(t["status"] == "valid" for t in truth),
            "mode enforce": sum(t["mode"] == "enforce" for t in truth)}
    got = {r["metric"]: int(r["domains"]) for r in rows if r["scan_id"] == sid}
    for m, n in want.items():
        if got.get(m) != n:
            print("  trends scan %s %s: %s, truth %d" % (sid, m, got.get(m), n)); bad += 1
    print("  trends scan %s: valid %s, mode enforce %s" % (sid, got.get("valid"), got.get("mode enforce")))
sys.exit(1 if bad else 0)
PY
then ok "trends: 2 scans, valid and enforce counts equal the two truths'"
else cat "$T/trends.err"; bad "trends counts differ from the truths"; fi

echo "epochs: done in $(( $(date +%s) - t0 ))s"
echo "epochs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
