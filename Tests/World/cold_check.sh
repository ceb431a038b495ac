#!/usr/bin/env bash
# The benchmarks' cold restart (`world.sh cold DIR`) on a running world, checked from outside:
#   1. the old unbound has exited (zombies count as exited, as in world.sh);
#   2. exactly one unbound of DIR runs, and its pid file names it;
#   3. it answers (SOA example.) and has an empty cache: a name answered before the restart
#      comes back with its full TTL again (dig's TTL, not mtasts's);
#   4. it is warmed as `up` leaves it: a dead.test name SERVFAILs at once (under 1 s).
# A new unbound whose pid file the old one deleted (the fault `cold` exists to prevent) fails 2.
#   Tests/World/cold_check.sh DIR   (make test runs it; the world's ports from the WORLD_* env)
# Prints 'cold-check: N passed, M failed' last; exit 1 on any failure.
set -uo pipefail
D=$(cd "${1:?usage: cold_check.sh DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
IP=${WORLD_DNS_IP:-127.0.0.1} PORT=${WORLD_DNS_PORT:-5300}
pass=0; fail=0
ok() { echo "cold-check ok: $*"; pass=$((pass + 1)); }
bad() { echo "cold-check FAILED: $*"; fail=$((fail + 1)); }
running() { [ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status"; }
ttl() { dig +noall +answer +time=2 +tries=1 -p "$PORT" @"$IP" SOA example. | awk '{print $2; exit}'; }

old=$(cat "$D/unbound/unbound.pid")
ttl >/dev/null; sleep 1.1
before=$(ttl)   # cached for a second: one lower than the full TTL
bash "$HERE/world.sh" cold "$D" || bad "world.sh cold exited with $?"

running "$old" && bad "the old unbound ($old) still runs" || ok "the old unbound ($old) has exited"

pids=()
for p in $(pgrep -f -- "$D/unbound/" || true); do running "$p" && pids+=("$p"); done
new=$(cat "$D/unbound/unbound.pid" 2>/dev/null || echo none)
if [ "${#pids[@]}" -eq 1 ] && [ "${pids[0]}" = "$new" ]; then
  ok "one unbound runs ($new), named by its pid file"
else
  bad "unbound processes of $D: ${pids[*]:-none}; pid file: $new"
fi

after=$(ttl)
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
  ok "the cache was emptied (SOA example. TTL $before before, $after after)"
else
  bad "SOA example. TTL $before before, '$after' after: no answer, or the cache survived"
fi

t0=$(date +%s%N)
if dig +time=1 +tries=1 -p "$PORT" @"$IP" TXT cold-check.dead.test. 2>/dev/null | grep -q 'status: SERVFAIL'; then
  ok "dead.test SERVFAILs at once ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
  bad "dead.test did not SERVFAIL within 1 s: the warm-up did not happen"
fi

echo "cold-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
