#!/usr/bin/env bash
# cpu_sample.sh [SECONDS] NAME... : every 2 s for SECONDS (default 60), the CPU (user+sys, % of one
# core) of the first process named exactly NAME (pgrep -x), and how busy the whole machine was.
# Start it beside a scan or a dnsperf run on the latency world, e.g.
#   bench/latency/cpu_sample.sh 60 unbound delay_proxy mtasts &
# A process that starts or restarts between two samples shows a meaningless figure for that one.
# By hand only (bench/latency/README.md, "Where the gap to the ceiling is").
set -euo pipefail
secs=60
if [[ ${1:-} =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
[ $# -gt 0 ] || { echo "usage: cpu_sample.sh [SECONDS] NAME..." >&2; exit 1; }
hz=$(getconf CLK_TCK)
snap() { # per name: its utime+stime ticks (0 when absent); then the machine's busy and idle ticks
  for n in "$@"; do
    p=$(pgrep -x "$n" | head -1 || true)
    if [ -n "$p" ]; then awk '{printf "%d ", $14 + $15}' "/proc/$p/stat" 2>/dev/null || printf "0 "; else printf "0 "; fi
  done
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat
}
echo "$* busy%"
read -ra a <<< "$(snap "$@")"
for ((i = 0; i < secs / 2; i++)); do
  sleep 2
  read -ra b <<< "$(snap "$@")"
  out=""
  for ((j = 0; j < $#; j++)); do out="$out $(( (b[j] - a[j]) * 100 / hz / 2 ))"; done
  busy=$(( b[$#] - a[$#] )); idle=$(( b[$# + 1] - a[$# + 1] ))
  echo "$out $(( busy * 100 / (busy + idle > 0 ? busy + idle : 1) ))"
  a=("${b[@]}")
done
