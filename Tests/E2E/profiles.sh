#!/usr/bin/env bash
# Sender profiles (issue 17, docs/PROFILES.md) end to end: the real binary on the running world.
#   Tests/E2E/profiles.sh WORLD_DIR MTASTS_BIN
# 1. scan the world; `report` prints "Domains whose mail each sender would refuse", and the
#    rfc profile's deferred and unknown domains equal what the world's truth implies, computed
#    here from truth.jsonl alone (RFC 8461 §5 and RFC 5321 §5.1 over the truth's MX results).
# 2. `reclassify --profile P`, for every profile, changes nothing but profile_outcomes: every
#    other table dumped before and after is byte-identical; it stores one row per domain with
#    evidence, whose counts equal the report's sender_outcomes row (two paths, one answer).
# 3. `check` prints the four outcomes, equal to the stored ones for a few kinds of domain.
# 4. bad input: an unknown profile and --profile with --timeout are usage errors (exit 2); a
#    read-only database and a directory as --db fail with one line and exit 1, nothing changed.
# Prints 'profiles: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
W=${1:?world dir}; BIN=${2:?mtasts binary}
. "$W/ports.env"
T=$(mktemp -d /tmp/mtasts-profiles.XXXXXX)
[ -n "${E2E_KEEP:-}" ] || trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
NET=(--resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$W/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT"
     --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 --per-address-backoff 2)
pass=0; fail=0
ok() { echo "profiles ok: $*"; pass=$((pass + 1)); }
bad() { echo "profiles FAILED: $*"; fail=$((fail + 1)); }
PROFILES="rfc postfix-mta-sts-resolver postfix-tlspol checkdmarc"

# A DNS-only warm-up pass, as run.sh does: a cold resolver's odd SERVFAIL is not what is tested.
"$BIN" scan "$W/domains.txt" --db "$T/warm.db" "${NET[@]}" --exclude "$W/exclude.txt" --no-smtp >/dev/null 2>&1
"$BIN" scan "$W/domains.txt" --db "$T/p.db" "${NET[@]}" --exclude "$W/exclude.txt" >/dev/null 2>"$T/scan.err" \
  || { cat "$T/scan.err"; bad "scan of the world"; }

# 1. report and the rfc profile against the truth
start=$(date +%s)
if "$BIN" report --db "$T/p.db" --csv-dir "$T/csv" > "$T/report.txt" 2>"$T/report.err"; then
  echo "  report with profiles: $(( $(date +%s) - start )) s"
  grep -q "Domains whose mail each sender would refuse" "$T/report.txt" \
    && ok "report prints the table 'Domains whose mail each sender would refuse'" || bad "report lacks the refusal table"
else cat "$T/report.err"; bad "report failed"; fi
"$BIN" reclassify --db "$T/p.db" --profile rfc > "$T/rfc.txt" 2>"$T/rfc.err" || { cat "$T/rfc.err"; bad "reclassify --profile rfc"; }
if python3 - "$W/truth.jsonl" "$T/p.db" <<'PY'
import json, sqlite3, sys
# From the truth alone: an RFC 8461 sender defers a domain's mail when the MX lookup fails or the
# MX is null; when a valid enforce policy passes no MX host (none-pass); and, whatever the policy,
# when every judged MX host is unreachable (no address, no connection, no greeting). It cannot
# tell (unknown) when the MX hosts were not probed.
# Domains with DANE findings (TLSA records at an MX host) are DANE's, which this formula does
# not model: a validated match is authenticated, a mismatch defers, a scan that kept only the
# records' count is unknown. They are checked apart, loosely: plain dane-tlsa (the world's
# matching records) must be authenticated or unknown.
want_defers, want_unknown, dane = set(), set(), set()
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["status"] in ("invalid-input", "excluded"):
        continue
    if any(f.startswith("dane-") for f in t["findings"]):
        if t["findings"].count("dane-tlsa") and not any(f.startswith("dane-") and f != "dane-tlsa" for f in t["findings"]):
            dane.add(t["domain"])
        continue
    results = [m["result"] for m in t["mx"] if m["result"] is not None]
    if t["mx_status"] in ("null-mx", "dns-error") \
            or (t["status"] == "valid" and t["mode"] == "enforce" and t["mx_status"] == "none-pass") \
            or (results and all(r in ("unreachable", "dns-error") for r in results)):
        want_defers.add(t["domain"])
    elif t["mx_status"] == "not-probed":
        want_unknown.add(t["domain"])
db = sqlite3.connect(sys.argv[2])
got, bad = {}, 0
for d, o in db.execute("SELECT d.domain, p.outcome FROM profile_outcomes p JOIN domains d ON d.id = p.domain_id WHERE p.profile = 'rfc'"):
    got[d] = o
for d in sorted(dane):
    if got.get(d) not in ("delivers-authenticated", "unknown"):
        print("  rfc %s for DANE domain %s" % (got.get(d), d)); bad += 1
# every DANE domain leaves the strict comparison
for line in open(sys.argv[1]):
    t = json.loads(line)
    if any(f.startswith("dane-") for f in t["findings"]):
        got.pop(t["domain"], None)
defers = {d for d, o in got.items() if o == "defers"}
unknown = {d for d, o in got.items() if o == "unknown"}
for name, g, w in (("defers", defers, want_defers), ("unknown", unknown, want_unknown)):
    for d in sorted(g - w)[:10]: print("  rfc %s, the truth does not say so: %s" % (name, d)); bad += 1
    for d in sorted(w - g)[:10]: print("  the truth says rfc %s: %s (got %s)" % (name, d, got.get(d))); bad += 1
print("  rfc: %d defers, %d unknown, %d delivered" % (len(defers), len(unknown), len(got) - len(defers) - len(unknown)))
sys.exit(1 if bad else 0)
PY
then ok "rfc profile: deferred and unknown domains equal the truth's"; else bad "rfc profile disagrees with the truth"; fi
# The printed table (title, underline, header, rule, then one line per domain) lists exactly the
# domains stored as refused.
tail -n +5 "$T/rfc.txt" | awk '{print $1}' | sort > "$T/rfc.printed"
sqlite3 "$T/p.db" "SELECT d.domain FROM profile_outcomes p JOIN domains d ON d.id = p.domain_id WHERE p.profile='rfc' AND p.outcome='defers'" | sort > "$T/rfc.stored"
if [ -s "$T/rfc.stored" ] && cmp -s "$T/rfc.printed" "$T/rfc.stored"; then ok "reclassify --profile rfc prints its $(wc -l < "$T/rfc.stored") refused domains"
else diff "$T/rfc.printed" "$T/rfc.stored" | head -5; bad "reclassify --profile rfc printed other domains than it stored as refused"; fi

# 2. nothing else changes; the stored counts equal the report's
dump() { for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type='table' AND name <> 'profile_outcomes' ORDER BY name"); do
           echo "== $t"; sqlite3 "$1" "SELECT * FROM \"$t\" ORDER BY 1, 2" | sha256sum; done; }
evid=$(sqlite3 "$T/p.db" "SELECT count(*) FROM evidence")
for p in $PROFILES; do
  dump "$T/p.db" > "$T/before.txt"
  "$BIN" reclassify --db "$T/p.db" --profile "$p" > "$T/$p.txt" 2>"$T/$p.err" || { cat "$T/$p.err"; bad "reclassify --profile $p"; continue; }
  dump "$T/p.db" > "$T/after.txt"
  if cmp -s "$T/before.txt" "$T/after.txt"; then ok "reclassify --profile $p changes no table but profile_outcomes"
  else diff "$T/before.txt" "$T/after.txt" | head; bad "reclassify --profile $p changed another table"; fi
  rows=$(sqlite3 "$T/p.db" "SELECT count(*) FROM profile_outcomes WHERE profile='$p'")
  stored=$(sqlite3 -csv "$T/p.db" "SELECT sum(outcome='delivers-authenticated'), sum(outcome='delivers-unauthenticated'), sum(outcome='defers'), sum(outcome='unknown') FROM profile_outcomes WHERE profile='$p'")
  reported=$(python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["profile"] == sys.argv[2]: print(",".join(r[k] for k in ("delivers_authenticated","delivers_unauthenticated","defers","unknown")))' "$T/csv/sender_outcomes.csv" "$p")
  [ "$rows" -eq "$evid" ] && [ "$stored" = "$reported" ] \
    && ok "$p: $rows rows, one per domain with evidence; counts $stored equal the report's" \
    || bad "$p: $rows rows for $evid domains with evidence; stored $stored, report $reported"
done
# Again: the rows are replaced, not added to.
"$BIN" reclassify --db "$T/p.db" --profile checkdmarc >/dev/null 2>&1
rows=$(sqlite3 "$T/p.db" "SELECT count(*) FROM profile_outcomes WHERE profile='checkdmarc'")
[ "$rows" -eq "$evid" ] && ok "a second reclassify --profile replaces its rows ($rows)" || bad "a second run left $rows rows"

# `check` prints each profile's outcome; for a few kinds it must equal what reclassify stored from
# the scan (the world does not change between the two).
checked=0; differ=0
for kind in plain-enforce plain-testing mx-provider-migrated mx-expired body-dup-key; do
  d=$(grep -m1 "\"kind\":\"$kind\"" "$W/truth.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["domain"])')
  [ -n "$d" ] || continue
  "$BIN" check "$d" "${NET[@]}" > "$T/check.txt" 2>&1
  printed=$(sed -n '/^6\. Sender profiles/,/^$/p' "$T/check.txt" | sed -n 's/^   \([a-z-]*\): \([a-z-]*\).*/\1 \2/p' | sort)
  stored=$(sqlite3 -separator ' ' "$T/p.db" "SELECT p.profile, p.outcome FROM profile_outcomes p JOIN domains d ON d.id = p.domain_id WHERE d.domain = '$d'" | sort)
  checked=$((checked + 1))
  if [ -z "$printed" ] || [ "$printed" != "$stored" ]; then differ=$((differ + 1)); echo "  $d: check says [$printed], stored [$stored]"; fi
done
[ "$checked" -eq 5 ] && [ "$differ" -eq 0 ] && ok "check prints the 4 profiles' outcomes, equal to the stored ones, for $checked domains" \
  || bad "check's profile outcomes: $differ of $checked differ"

# 4. bad input
"$BIN" reclassify --db "$T/p.db" --profile gmail > /dev/null 2>"$T/e1"; c1=$?
"$BIN" reclassify --db "$T/p.db" --profile rfc --timeout 2 > /dev/null 2>"$T/e2"; c2=$?
[ "$c1" -eq 2 ] && [ "$c2" -eq 2 ] && grep -q "profile" "$T/e1" && grep -q -- "--timeout" "$T/e2" \
  && ok "unknown profile and --profile with --timeout: exit 2 ($(head -1 "$T/e1"))" || bad "usage errors: exit $c1 and $c2"
cp "$T/p.db" "$T/ro.db"; chmod a-w "$T/ro.db"; sum=$(sha256sum < "$T/ro.db")
"$BIN" reclassify --db "$T/ro.db" --profile rfc > /dev/null 2>"$T/e3"; c3=$?
if [ "$(id -u)" = 0 ]; then
  # root writes through a read-only mode: then the run must simply succeed
  [ "$c3" -eq 0 ] && ok "read-only database as root: written (root ignores the mode)" || bad "read-only db as root: exit $c3"
else
  [ "$c3" -eq 1 ] && [ "$(sha256sum < "$T/ro.db")" = "$sum" ] && ok "read-only database: exit 1, unchanged ($(head -1 "$T/e3"))" || bad "read-only db: exit $c3"
fi
mkdir -p "$T/dir.db"
"$BIN" reclassify --db "$T/dir.db" --profile rfc > /dev/null 2>"$T/e4"; c4=$?
[ "$c4" -eq 1 ] && [ "$(wc -l < "$T/e4")" -eq 1 ] && ok "a directory as --db: exit 1, one line ($(cat "$T/e4"))" || bad "directory as --db: exit $c4: $(cat "$T/e4")"
"$BIN" reclassify --db "$T/p.db" --profile rfc > /dev/full 2>"$T/e5"; c5=$?
[ "$c5" -eq 1 ] && ok "stdout on /dev/full: exit 1 ($(head -1 "$T/e5"))" || bad "/dev/full: exit $c5"

echo "profiles: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
