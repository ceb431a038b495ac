#!/usr/bin/env bash
# bench/ab.sh OLD NEW [ROUNDS]: two mtasts binaries side by side, alternating, on one world.
# Each round scans the realistic world once with OLD and once with NEW, unbound restarted cold
# before every scan, and prints CPU µs per domain (user+sys), wall time and peak RSS. This is how
# to tell a change worth a few percent from this shared machine's noise (±10-20% between runs):
# alternate, several rounds, and compare within rounds. Also checks that both binaries store the
# same statuses, modes and MX results for every line.
#   AB_N (default 100000) domains, world in AB_DIR (default world/bench-N), bench ports.
# Build the two binaries first, e.g. `git worktree add /tmp/old <commit>` and `swift build -c
# release` there. Prints only; CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]}; NEW=${2:?}; ROUNDS=${3:-3}
N=${AB_N:-100000}
D=${AB_DIR:-$PWD/world/bench-$N}
export WORLD_PROFILE=realistic WORLD_N=$N
export WORLD_DNS_IP=127.0.0.1 WORLD_DNS_PORT=${BENCH_DNS_PORT:-5600} WORLD_AUTH_PORT=${BENCH_AUTH_PORT:-5601}
export WORLD_HTTPS_PORT=${BENCH_HTTPS_PORT:-8446} WORLD_SMTP_PORT=${BENCH_SMTP_PORT:-2528}
T=$(mktemp -d /tmp/mtasts-ab.XXXXXX)
trap 'bash Tests/World/world.sh down "$D" >/dev/null; rm -rf "$T"' EXIT   # stderr kept: down names any server left running
bash Tests/World/world.sh up "$D" | tail -1

scan() { # NAME BINARY
  bash Tests/World/world.sh cold "$D"   # an empty cache, warmed as `up` leaves it
  rm -f "$T/$1".db*
  /usr/bin/time -v -o "$T/$1.time" "$2" scan "$D/domains.txt" --db "$T/$1.db" \
    --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
    --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 >/dev/null 2>&1
  awk -F': ' -v name="$1" -v n="$N" '
    /User time/ {u = $2} /System time/ {s = $2} /Elapsed/ {w = $2} /Maximum resident/ {r = $2}
    /Voluntary context/ {v = $2}
    END { printf "%-8s %6.1f µs CPU per domain   wall %s   peak RSS %d MB   voluntary context switches %d\n",
                 name, (u + s) * 1e6 / n, w, r / 1024, v }' "$T/$1.time"
}
results() { sqlite3 "$T/$1.db" "select line_no, status, mode, mx_status, tlsrpt_status, http_status from domains order by line_no" | md5sum; }

for r in $(seq "$ROUNDS"); do
  echo "# round $r"
  scan old "$OLD"
  scan new "$NEW"
  [ "$(results old)" = "$(results new)" ] || echo "  (the two scans stored different results this round)"
done
