#!/usr/bin/env bash
# --no-sni-probe (issue 19, item 5) on the running loopback world (make world-up).
#   Tests/E2E/sni_probe.sh WORLD_DIR MTASTS_BIN
# The world's domains whose truth has mx-sni-dependent (an MX listener presenting another
# certificate without SNI), and as many other domains with a record, are scanned twice: with the
# default (the second STARTTLS session, without SNI, is made) and with --no-sni-probe. Checked
# against the generator's truth and against each other:
#   - default: the domains with mx-sni-dependent are exactly the truth's;
#   - --no-sni-probe: no mx-sni-dependent anywhere, and no probe in the stored evidence carries
#     the no-SNI fact (noSNILeafDiffers), where the default scan's probes that reached TLS do;
#   - --no-sni-probe changes nothing else: status, mode, mx_status and every other finding code
#     per domain equal the default scan's;
#   - the scan's flags record no_sni_probe;
#   - bad input: `--no-sni-probe=yes` (a flag takes no value) is refused with a message, no crash.
# Prints 'sni-probe: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
W=${1:?world dir}; BIN=${2:?mtasts binary}
. "$W/ports.env"
T=$(mktemp -d /tmp/mtasts-sni.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { echo "sni-probe ok: $*"; pass=$((pass + 1)); }
bad() { echo "sni-probe FAILED: $*"; fail=$((fail + 1)); }
finish() { echo "sni-probe: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

# The sample: every truth domain with mx-sni-dependent, and the same number again of other
# domains with a record whose MX hosts are probed (more listeners, so "nothing else" means something).
python3 - "$W/truth.jsonl" > "$T/domains.txt" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sni = [r["domain"] for r in rows if "mx-sni-dependent" in r["findings"]]
other = [r["domain"] for r in rows if r["status"] != "no-record" and r["mx_status"] != "not-probed"
         and "mx-sni-dependent" not in r["findings"] and r["domain"]]
print("\n".join(sni + other[: max(40, len(sni))]))
PY
n_sni=$(python3 -c "
import json; print(sum('mx-sni-dependent' in json.loads(l)['findings'] for l in open('$W/truth.jsonl')))")
[ "$n_sni" -gt 0 ] || { bad "the world's truth has no mx-sni-dependent domain: nothing to test"; finish; }

scan() { # DB [FLAGS...]
  local db=$1; shift
  "$BIN" scan "$T/domains.txt" --db "$db" --label sni --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" \
    --ca-file "$W/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" --smtp-port "$WORLD_SMTP_PORT" \
    --ehlo-name scanner.mtasts.test --timeout 5 "$@" > "$T/scan.out" 2> "$T/scan.err"
}
scan "$T/with.db" || { bad "default scan exited $?: $(tail -3 "$T/scan.err")"; finish; }
scan "$T/without.db" --no-sni-probe || { bad "--no-sni-probe scan exited $?: $(tail -3 "$T/scan.err")"; finish; }

# Verdicts per domain, from each database: domain -> (status, mode, mx_status, sorted codes).
python3 - "$W/truth.jsonl" "$T/with.db" "$T/without.db" > "$T/checks.txt" <<'PY'
import json, sqlite3, sys
truth, with_db, without_db = sys.argv[1:]
def verdicts(db):
    con = sqlite3.connect(db)
    out = {}
    for did, dom, st, mode, mxs in con.execute("select id, domain, status, mode, mx_status from domains"):
        codes = sorted(c for (c,) in con.execute("select code from findings where domain_id = ?", (did,)))
        out[dom] = (st, mode, mxs, codes)
    facts = [0, 0]   # probes with TLS, of which carrying noSNILeafDiffers
    for (j,) in con.execute("select json from evidence"):
        for h in (json.loads(j).get("mx") or {}).get("hosts") or []:
            for p in h.get("probes") or []:
                if p.get("tls") is not None:
                    facts[0] += 1
                    facts[1] += "noSNILeafDiffers" in p
    (flags,) = con.execute("select flags from scans").fetchone()
    return out, facts, json.loads(flags).get("no_sni_probe")
w, wf, wflag = verdicts(with_db)
o, of, oflag = verdicts(without_db)
truth_sni = {json.loads(l)["domain"] for l in open(truth) if "mx-sni-dependent" in json.loads(l)["findings"]}
seen_sni = {d for d, v in w.items() if "mx-sni-dependent" in v[3]}
def say(good, text): print(("ok " if good else "FAILED ") + text)
say(seen_sni == truth_sni, f"default scan: mx-sni-dependent on {len(seen_sni)} domains, truth {len(truth_sni)}"
    + ("" if seen_sni == truth_sni else f" (missing {sorted(truth_sni - seen_sni)[:5]}, extra {sorted(seen_sni - truth_sni)[:5]})"))
lost = sorted(d for d, v in o.items() if "mx-sni-dependent" in v[3])
say(not lost, f"--no-sni-probe: no mx-sni-dependent ({len(lost)} domains have it: {lost[:5]})")
say(wf[0] > 0 and wf[1] == wf[0], f"default scan: {wf[1]} of {wf[0]} probes with TLS carry the no-SNI fact")
say(of[0] > 0 and of[1] == 0, f"--no-sni-probe: {of[1]} of {of[0]} probes with TLS carry the no-SNI fact (want 0)")
strip = lambda v: (v[0], v[1], v[2], [c for c in v[3] if c != "mx-sni-dependent"])
diff = sorted(d for d in set(w) | set(o) if d not in w or d not in o or strip(w[d]) != strip(o[d]))
say(not diff and len(w) > 0, f"--no-sni-probe changes nothing else on {len(w)} domains"
    + ("" if not diff else f": differs on {diff[:5]}, e.g. {w.get(diff[0])} vs {o.get(diff[0])}"))
say(wflag is False and oflag is True, f"scans.flags no_sni_probe: default {wflag}, --no-sni-probe {oflag}")
PY
while read -r word rest; do if [ "$word" = ok ]; then ok "$rest"; else bad "$rest"; fi; done < "$T/checks.txt"
[ -s "$T/checks.txt" ] || bad "the comparison script printed nothing"

# A flag takes no value: the parser refuses it with a message (its usage exit code, 2), no crash.
"$BIN" scan "$T/domains.txt" --db "$T/x.db" --no-sni-probe=yes > /dev/null 2> "$T/bad.err"; rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && [ -s "$T/bad.err" ]; then ok "--no-sni-probe=yes refused (exit $rc): $(head -1 "$T/bad.err")"
else bad "--no-sni-probe=yes: exit $rc, stderr '$(head -1 "$T/bad.err")'"; fi
finish
