#!/usr/bin/env bash
# Memory per WAITING domain (issue 19: "at most 1 KB of RSS per domain in flight beyond the base"),
# without the latency world. With internet latency nearly every domain in flight waits: its three
# first queries sit in the DNS channels' queues behind --dns-in-flight. Here a "resolver" that
# never answers (dns_sink.py silent) makes every domain in flight wait, so
#
#     bytes per waiting domain = (VmRSS at --concurrency C - VmRSS at --concurrency 10) / C
#
# sampled once the status line says the window is full ("in flight C") and a few seconds more
# have passed. The scan is then killed (by its pid). A second run scans the same list to the end
# against a sink that answers NXDOMAIN at once, at --concurrency N: its CPU (user+sys) and peak
# RSS, to check that a change for memory does not cost CPU. A third (TURNOVER=1) is make
# bench-latency's own formula on a window that turns over: a sink that answers NXDOMAIN after
# DELAY_MS (default 50), peak RSS of a scan of 2N names at --concurrency N minus that of 1000
# names at --concurrency 10, over N. No domain there gets further than its first lookups (no
# record, no policy fetch, no MX probe), so it is the floor of the latency world's figure.
# And (TASKS=1) the window full of domains further along: a sink (dns_sink.py record) gives every
# domain an MTA-STS record and never answers its later lookups, so each domain in flight waits in
# its task (policy host lookup, NS, MX host lookups): bytes per domain in a task, as above.
#
#   bench/latency/waiting_memory.sh                       # N=50000, C = 10 10000 50000
#   N=20000 CONCURRENCIES="10 20000" BIN=path/to/mtasts bench/latency/waiting_memory.sh
#
# Ports: PORT (default 5760) for the silent sink, PORT+1..PORT+3 for the answering ones;
# 127.0.0.1 only.
# Needs python3 and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/mtasts}
PORT=${PORT:-5760}
N=${N:-50000}
CONCURRENCIES=${CONCURRENCIES:-"10 10000 50000"}
SETTLE=${SETTLE:-3}      # seconds after the window is full before sampling
CPU_RUN=${CPU_RUN:-1}    # 0: skip the NXDOMAIN run
TURNOVER=${TURNOVER:-1}  # 0: skip the delayed-answer run
TASKS=${TASKS:-1}        # 0: skip the run where every domain waits in its task
DELAY_MS=${DELAY_MS:-50}
[ -x "$BIN" ] || { echo "waiting_memory.sh: no binary at $BIN (swift build -c release --product mtasts)" >&2; exit 1; }

T=$(mktemp -d /tmp/waiting-memory.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])): f.write('d%07d.test\n' % i)" "$T/list2.txt" $((2 * N))
head -"$N" "$T/list2.txt" > "$T/list.txt"
head -1000 "$T/list2.txt" > "$T/list1k.txt"

start_sink() {  # port mode [ms] -> pid in $sink
  python3 bench/latency/dns_sink.py "$@" > "$T/sink$1.out" &
  sink=$!
  pids+=("$sink")
  for _ in $(seq 100); do grep -q ready "$T/sink$1.out" 2>/dev/null && return; sleep 0.1; done
  echo "waiting_memory.sh: the sink on port $1 did not start" >&2; exit 1
}

scan_args() {  # port concurrency db [list]
  echo scan "${4:-$T/list.txt}" --db "$3" --resolver "127.0.0.1:$1" --concurrency "$2" \
    --timeout 30 --retries 0 --contact http://scan.test --ehlo-name scanner.test
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_s() {  # utime + stime of a live process, seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

# window SINK_PORT LABEL: VmRSS with the window full at each C, and bytes per domain against C=10
window() {
  local port=$1 label=$2
  declare -A rss
  for c in $CONCURRENCIES; do
    [ "$c" -le "$N" ] || { echo "# C=$c > N=$N: skipped"; continue; }
    rm -f "$T/w.db"*
    : > "$T/err$c"
    # shellcheck disable=SC2046
    "$BIN" $(scan_args "$port" "$c" "$T/w.db") 2> "$T/err$c" &
    m=$!
    pids+=("$m")
    full=0
    for _ in $(seq 1200); do   # up to 120 s for the window to fill
      if tail -c 300 "$T/err$c" | grep -q "in flight $c\b"; then full=1; break; fi
      kill -0 "$m" 2>/dev/null || break
      sleep 0.1
    done
    if [ "$full" != 1 ]; then
      echo "waiting_memory.sh: the window of $c never filled; stderr:" >&2; tail -5 "$T/err$c" >&2; exit 1
    fi
    # "In flight C" counts a domain from its start; its task may come a little later. Sampled
    # every 2 s until two samples agree within 1% (at most a minute).
    sleep "$SETTLE"
    r1=$(rss_kb "$m")
    for _ in $(seq 30); do
      sleep 2; r2=$(rss_kb "$m")
      [ $(( (r2 - r1) * 100 )) -le "$r1" ] && break
      r1=$r2
    done
    cpu=$(cpu_s "$m")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$m/status")
    kill -KILL "$m"; wait "$m" 2>/dev/null || true
    rss[$c]=$r2
    echo "$label C=$c: VmRSS ${r2} kB (settled), VmHWM ${hwm} kB, CPU so far ${cpu} s"
  done
  local base=${rss[10]:-}
  [ -n "$base" ] || return 0
  for c in $CONCURRENCIES; do
    [ "$c" != 10 ] && [ -n "${rss[$c]:-}" ] || continue
    echo "bytes per $label domain at C=$c: $(( (rss[$c] - base) * 1024 / c ))   ((VmRSS at $c - at 10) / $c)"
  done
}

echo "# waiting_memory.sh $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$BIN" --version 2>/dev/null | head -1)"
echo "# N=$N names d0000000.test..., --dns-in-flight default; sinks on 127.0.0.1:$PORT.."
start_sink "$PORT" silent
window "$PORT" waiting
if [ "$TASKS" = 1 ]; then
  # Every domain with a record whose later lookups never come back: each waits in its task.
  start_sink $((PORT + 3)) record
  window $((PORT + 3)) in-task
fi

if [ "$CPU_RUN" = 1 ]; then
  start_sink $((PORT + 1)) nxdomain
  rm -f "$T/c.db"*
  # shellcheck disable=SC2046
  /usr/bin/time -v -o "$T/cpu.time" "$BIN" $(scan_args $((PORT + 1)) "$N" "$T/c.db") 2> "$T/cpu.err" || {
    echo "waiting_memory.sh: the NXDOMAIN scan failed:" >&2; tail -5 "$T/cpu.err" >&2; exit 1; }
  awk -F': ' -v n="$N" '
    /User time/ {u = $2} /System time/ {s = $2} /Maximum resident/ {m = $2} /Elapsed \(wall/ {w = $2}
    END { printf "NXDOMAIN scan of %d at --concurrency %d: user %.2f s, sys %.2f s, CPU per domain %.0f us, peak RSS %d kB, wall %s\n",
                 n, n, u, s, (u + s) * 1e6 / n, m, w }' "$T/cpu.time"
  grep -E "^ +(dns-error|no-record)" "$T/cpu.err" | tr -s ' ' | sed 's/^/  statuses:/' || true
fi

if [ "$TURNOVER" = 1 ]; then
  start_sink $((PORT + 2)) delay "$DELAY_MS"
  peak() {  # concurrency list -> peak RSS in kB; prints the CPU line too
    rm -f "$T/d.db"*
    # shellcheck disable=SC2046
    /usr/bin/time -f "%M %U %S" -o "$T/d.time" "$BIN" $(scan_args $((PORT + 2)) "$1" "$T/d.db" "$2") 2> "$T/d.err" || {
      echo "waiting_memory.sh: the delayed scan failed:" >&2; tail -5 "$T/d.err" >&2; exit 1; }
    read -r m u s < "$T/d.time"
    echo "$m" > "$T/d.peak"
    echo "delayed scan (${DELAY_MS} ms) of $(wc -l < "$2") at --concurrency $1: peak RSS $m kB, CPU $(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}') s" >&2
  }
  peak 10 "$T/list1k.txt"; b=$(cat "$T/d.peak")
  peak "$N" "$T/list2.txt"; p=$(cat "$T/d.peak")
  echo "turnover (make bench-latency's formula): (peak RSS of $((2 * N)) at C=$N - of 1000 at C=10) / $N = $(( (p - b) * 1024 / N )) bytes per domain in flight"
fi
