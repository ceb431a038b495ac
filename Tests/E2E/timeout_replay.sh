#!/usr/bin/env bash
# `reclassify --timeout S` against a real scan at --timeout S (issue 15, item 4), on the running
# loopback world (make world-up).
#   Tests/E2E/timeout_replay.sh WORLD_DIR MTASTS_BIN
# A sample of the world (every kind, and some plain domains) is scanned through delay_proxy.py,
# which makes a third of the servers answer 3 s late (greeting, TLS handshake), besides the
# world's own silent and trickling tarpits:
#   long:  --timeout 8: the late servers complete;
#   short: --timeout 2: they time out.
# Then the long scan is reclassified with --timeout 2: its verdicts must equal the short scan's,
# domain by domain (findings' details aside, as in run.sh: they carry times and curl's words).
# Domains that may legitimately differ, and are reported and left out:
#   - those with a `scan-deadline` finding in either scan (a domain's deadline depends on the
#     scanner's queues, which stored times cannot replay);
#   - those where one server's own speed differed across the two runs around the 2 s line: a
#     fetch or probe (matched by domain, or by MX host and address) that took over 2 s in the
#     long scan but did not time out in the short one, or the other way round. The replay
#     predicts "timeout" exactly when the long scan's step took over 2 s, so only this shared
#     machine's load can make those two disagree; they are reported by name.
# If more than a tenth of the domains are left out, the test fails: it would then prove little. The test can fail: the long scan must differ from the short
# one before the reclassify (the delays matter), and equal its own export again after a
# reclassify without --timeout.
# Prints 'timeout-replay: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
W=${1:?world dir}; BIN=${2:?mtasts binary}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$W/ports.env"
T=$(mktemp -d /tmp/mtasts-timeout.XXXXXX)
pass=0; fail=0
ok() { echo "timeout-replay ok: $*"; pass=$((pass + 1)); }
bad() { echo "timeout-replay FAILED: $*"; fail=$((fail + 1)); }
PROXY=
cleanup() { [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null; wait 2>/dev/null; [ -n "${TIMEOUT_KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

python3 "$HERE/delay_proxy.py" "$WORLD_SMTP_PORT" "$WORLD_HTTPS_PORT" 3 "$T/ports" &
PROXY=$!
for _ in $(seq 100); do [ -f "$T/ports" ] && break; sleep 0.05; done
read -r SMTP HTTPS < "$T/ports" || { bad "delay proxy did not start"; echo "timeout-replay: $pass passed, $((fail)) failed"; exit 1; }

# Every kind's first two domains and 120 ordinary ones (input order: the truth file's).
python3 - "$W/truth.jsonl" > "$T/input.txt" <<'PY'
import json, sys, collections
seen = collections.Counter()
for line in open(sys.argv[1]):
    d = json.loads(line)
    k = d["kind"]
    if k == "invalid-input": continue
    limit = 30 if k in ("no-sts", "plain-enforce", "plain-testing", "plain-none", "no-sts-own-mx", "plain-own-mx") else 2
    if seen[k] < limit:
        seen[k] += 1
        print(d["domain"])
PY
NET=(--resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$W/ca/ca.crt" --https-port "$HTTPS" --smtp-port "$SMTP"
     --ehlo-name scanner.mtasts.test --per-address-backoff 2 --per-address-concurrency 32 --exclude "$W/exclude.txt")
canon() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    for f in d.get("findings") or []: f.pop("detail", None)
    print(json.dumps(d, sort_keys=True))' "$1" | sort; }

# A DNS-only pass first (see run.sh): a cold resolver's odd SERVFAIL is not what is tested here.
"$BIN" scan "$T/input.txt" --db "$T/warm.db" "${NET[@]}" --no-smtp >/dev/null 2>&1
"$BIN" scan "$T/input.txt" --db "$T/long.db" "${NET[@]}" --timeout 8 2>"$T/long.err" || { tail "$T/long.err"; bad "long scan failed"; }
"$BIN" scan "$T/input.txt" --db "$T/short.db" "${NET[@]}" --timeout 2 2>"$T/short.err" || { tail "$T/short.err"; bad "short scan failed"; }
"$BIN" export --db "$T/long.db" --format jsonl > "$T/long.jsonl"
"$BIN" export --db "$T/short.db" --format jsonl > "$T/short.jsonl"
canon "$T/long.jsonl" > "$T/long.canon"; canon "$T/short.jsonl" > "$T/short.canon"

n=$(wc -l < "$T/input.txt")
differ=$(comm -23 "$T/long.canon" "$T/short.canon" | grep -c . || true)
if [ "$differ" -gt 0 ]; then ok "the 3 s delays matter: $differ of $n domains differ between --timeout 8 and 2"
else bad "--timeout 8 and 2 agree on every domain: the test could not fail"; fi

"$BIN" reclassify --db "$T/long.db" --timeout 2 2>"$T/rc.err" || { cat "$T/rc.err"; bad "reclassify --timeout 2 failed"; }
"$BIN" export --db "$T/long.db" --format jsonl > "$T/replayed.jsonl"

# Domain by domain, leaving out those whose deadline came in either scan.
python3 - "$T/replayed.jsonl" "$T/short.jsonl" "$T/long.db" "$T/short.db" > "$T/compare.txt" <<'PY'
import json, sqlite3, sys
def load(p):
    out = {}
    for line in open(p):
        d = json.loads(line)
        for f in d.get("findings") or []: f.pop("detail", None)
        out[d["domain"]] = d
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
deadline = lambda d: any(f["code"] == "scan-deadline" for f in d.get("findings") or [])
def transfers(db):
    """domain -> {key: facts} for every fetch and probe with raw facts (format 2)."""
    out = {}
    q = "SELECT d.domain, e.json FROM domains d JOIN evidence e ON e.domain_id = d.id"
    for domain, text in sqlite3.connect(db).execute(q):
        e = json.loads(text)
        t = {}
        if (e.get("policyFetch") or {}).get("facts"): t[("policy",)] = e["policyFetch"]["facts"]
        for h in (e.get("mx") or {}).get("hosts", []):
            for p in h["probes"]:
                if p.get("facts"): t[("probe", h["name"], p["address"])] = p["facts"]
        out[domain] = t
    return out
LINE = 2_000_000
long_t, short_t = transfers(sys.argv[3]), transfers(sys.argv[4])
def speed_differed(k):
    l, s = long_t.get(k, {}), short_t.get(k, {})
    return [key for key in l if key in s and (l[key]["totalMicros"] > LINE) != (s[key]["curlCode"] == 28)]
raw = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
left_out = sorted(k for k in set(a) | set(b) if (k in a and deadline(a[k])) or (k in b and deadline(b[k]))
                  or (k in raw and speed_differed(k)))
diff = [k for k in sorted(set(a) | set(b)) if k not in left_out and a.get(k) != b.get(k)]
for k in diff:
    print("DIFF", k); print("  replayed:", json.dumps(a.get(k), sort_keys=True)); print("  short:   ", json.dumps(b.get(k), sort_keys=True))
for k in left_out:
    why = speed_differed(k)
    print("left out:", k, ("a server's speed differed across the runs: %s" % why) if why else "scan-deadline")
print("left out: %d" % len(left_out))
print("compared %d, differ %d" % (len(set(a) | set(b)) - len(left_out), len(diff)))
PY
tail -2 "$T/compare.txt"
compared=$(sed -n 's/^compared \([0-9]*\),.*/\1/p' "$T/compare.txt")
if [ "${compared:-0}" -lt $((n * 9 / 10)) ]; then head -40 "$T/compare.txt"; bad "only ${compared:-0} of $n domains compared"
elif grep -q "differ 0$" "$T/compare.txt"; then ok "reclassify --timeout 2 of the --timeout 8 scan equals the --timeout 2 scan"
else head -40 "$T/compare.txt"; bad "reclassify --timeout 2 disagrees with a real --timeout 2 scan"; fi

"$BIN" reclassify --db "$T/long.db" 2>/dev/null
"$BIN" export --db "$T/long.db" --format jsonl > "$T/back.jsonl"
if [ -s "$T/long.jsonl" ] && cmp -s "$T/back.jsonl" "$T/long.jsonl"; then ok "reclassify without --timeout gives the --timeout 8 verdicts back"
else bad "reclassify without --timeout did not restore the scan's own verdicts"; fi

# Bad input: a timeout that is not a positive number of seconds is refused with exit 1.
for v in 0 -1 abc 601; do
  if "$BIN" reclassify --db "$T/long.db" --timeout "$v" >/dev/null 2>&1; then bad "--timeout $v accepted"
  else ok "--timeout $v refused"; fi
done

echo "timeout-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
