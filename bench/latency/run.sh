#!/usr/bin/env bash
# make bench-latency: mtasts on the latency world (bench/latency/README.md) at several --concurrency
# values, beside what the resolver sustains on that world and the Python peer.
#   LAT_N (default 100000) realistic domains, world in LAT_DIR (default world/latency-N),
#   LAT_CONCURRENCY (default "1000 10000 50000"), LAT_PEER (default "500 5000"; "" skips the peer),
#   ports BENCH_DNS_PORT/BENCH_AUTH_PORT/BENCH_HTTPS_PORT/BENCH_SMTP_PORT (5600 5601 8446 2528) and
#   WORLD_NET (127.0) as in bench/run.sh; the distribution's knobs WORLD_DNS_MEDIAN_MS etc.;
#   LAT_SCAN_ARGS: more `mtasts scan` options for every scan (e.g. "--dns-in-flight 1024").
# Per mtasts run (unbound restarted cold before each): domains/s, CPU per domain (user+sys), peak
# RSS, (peak - base) / concurrency, where base is the peak RSS of a scan of the first 1000
# domains at --concurrency 10, and the marginal (peak - peak at the previous concurrency) / (the
# difference in flight); the CPU the resolver and the delay proxy used; and the scan counted
# against the truth (bench/latency/count.py): dns-errors and timeouts beyond the zones that never
# answer. The resolver's ceiling: dnsperf, cold, with the scanner's query mix, at 1024 to 16384 queries
# outstanding; what the resolver SUSTAINS is the best rate at which dnsperf loses no more than the
# dead zones' share of the queries (+0.2 points): past that, unbound drops live queries too, which a
# scan would record as dns-error. Rates are STEADY rates, between 10% and 90% of the work
# (bench/latency/steady.py), on both sides, and beside them WHOLE-RUN rates, where both wait 15 s
# for the last never-answered names. The ratio is to what it sustains; the best rate at any loss
# is printed beside it. Because the machine's speed drifts between runs, the ratio the issue's
# target is read against uses a ceiling measured BESIDE each scan: dnsperf at the sweep's best -q
# run just before each scan and once after the last, the mean of the two on either side of a scan
# (not the sweep's maximum, which also picks the luckiest of several runs). Both ratios are printed.
# Printed as a table and kept in bench/results/.
# CI does not run this: machines are shared and noisy. Quote ratios measured in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${LAT_N:-100000}
D=${LAT_DIR:-$PWD/world/latency-$N}
CONCS=${LAT_CONCURRENCY:-1000 10000 50000}
PEERS=${LAT_PEER-500 5000}
export WORLD_PROFILE=realistic WORLD_N=$N WORLD_LATENCY=1 WORLD_NET=${WORLD_NET:-127.0}
export WORLD_DNS_IP=${BENCH_DNS_IP:-127.0.0.1} WORLD_DNS_PORT=${BENCH_DNS_PORT:-5600} WORLD_AUTH_PORT=${BENCH_AUTH_PORT:-5601}
export WORLD_HTTPS_PORT=${BENCH_HTTPS_PORT:-8446} WORLD_SMTP_PORT=${BENCH_SMTP_PORT:-2528}
BIN=${LAT_BIN:-.build/release/mtasts}
OUT=bench/results/$(date -u +%Y%m%dT%H%MZ)-latency-n$N.txt
T=$(mktemp -d /tmp/mtasts-latency.XXXXXX)
trap 'bash Tests/World/world.sh down "$D" >/dev/null; rm -rf "$T"' EXIT

[ -x "$BIN" ] || { echo "bench-latency: build first (make release)"; exit 1; }
PEER=bench/peer
if [ -n "$PEERS" ] && ! "$PEER/.venv/bin/python" -c 'import postfix_mta_sts_resolver' 2>/dev/null; then
  [ -x "$PEER/.venv/bin/python" ] || python3 -m venv "$PEER/.venv"
  "$PEER/.venv/bin/pip" install -q -r "$PEER/requirements.txt"
fi
bash Tests/World/world.sh up "$D" | tail -5
python3 bench/latency/latency_truth.py "$D" "${WORLD_DEAD_PERMILLE:-10}" | tee "$T/latency-truth.txt"
npt=$(awk '/num-queries-per-thread/ {print $2}' "$D/unbound/unbound.conf")
nth=$(awk '/num-threads/ {print $2}' "$D/unbound/unbound.conf")
orange=$(awk '/outgoing-range/ {print $2}' "$D/unbound/unbound.conf")

cpu_s() { # PIDFILE: user+sys seconds the process has used so far
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$(tr -d ' \n' < "$1")/stat"
}
timev() { # FILE FIELD
  case $2 in
    wall) awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$1" ;;
    cpu) awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$1" ;;
    rss) awk -F': ' '/Maximum resident/ {print $2}' "$1" ;;
  esac
}
calc() { python3 -c "print($1)"; }
# A / B to two places, or "-" when either is unknown ("-": steady.py had too few points, e.g. a
# small LAT_N whose scan ends within a second or two) or B is 0
ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print('-' if '-' in (a, b) or float(b) == 0 else '%.2f' % (float(a) / float(b)))" "$1" "$2"; }
nq=$(wc -l < "$D/queries.txt")
qpd=$(calc "'%.3f' % ($nq / $N)")

# The resolver's ceiling: dnsperf at several numbers of queries outstanding, each on a cold unbound.
# Two rates per run (bench/latency/steady.py): the STEADY rate, between 10% and 90% of the answers,
# and the WHOLE-RUN rate, queries sent / wall time, where dnsperf waits for a lost query as long as
# a scan waits for a name that never answers ((retries + 1) x --timeout = 15 s: GIVEUP).
DEADPCT=$(python3 -c "import json; ds = [json.loads(l)['dead'] for l in open('$D/latency/truth.jsonl')]; print(100 * sum(ds) / len(ds))")
GIVEUP=15
# dnsperf Q LOG: one cold run at Q outstanding; sets qps (steady), whole, lostpct, ok, ubcpu
dnsperf_run() {
  bash Tests/World/world.sh cold "$D"
  local u0 t0
  u0=$(cpu_s "$D/unbound/unbound.pid")
  t0=$(date +%s.%N)
  # one sending thread and 16 sockets: dnsperf shares the 2 cores with unbound and the proxy, and
  # with -c 32 -T 2 it used more CPU and reached ~20% fewer queries/s (a lower, kinder ceiling)
  dnsperf -s "$WORLD_DNS_IP" -p "$WORLD_DNS_PORT" -d "$D/queries.txt" -n 1 -l 120 -c 16 -T 1 -q "$1" -t "$GIVEUP" -S 1 > "$2" 2>&1
  whole=$(calc "'%.0f' % ($nq / ($(date +%s.%N) - $t0))")
  qps=$(python3 bench/latency/steady.py dnsperf "$2")
  [ "$qps" != - ] || qps=0
  lostpct=$(awk '/Queries lost/ {gsub(/[()%]/, "", $4); print $4}' "$2")
  ok=$(calc "int($lostpct <= $DEADPCT + 0.2)")
  ubcpu=$(calc "'%.1f' % ($(cpu_s "$D/unbound/unbound.pid") - $u0)")
}
sustained=0; best=0; sustainedwhole=0; qbest=""
for q in ${LAT_DNSPERF_Q:-1024 2048 4096 8192 16384}; do
  dnsperf_run "$q" "$T/dnsperf-$q.log"
  echo "dnsperf -q $q: steady $qps queries/s, whole run $whole queries/s, $lostpct% lost ($([ "$ok" = 1 ] && echo "no more than the dead zones" || echo "more than the dead zones' $(calc "'%.2f' % $DEADPCT")%")), unbound CPU $ubcpu s" >> "$T/dnsperf.txt"
  if [ "$ok" = 1 ]; then
    [ "$(calc "int($qps > $sustained)")" = 0 ] || qbest=$q
    sustained=$(calc "max($sustained, $qps)"); sustainedwhole=$(calc "max($sustainedwhole, $whole)")
  fi
  best=$(calc "max($best, $qps)")
done
ceil=$(calc "'%.0f' % ($sustained / $qpd)")
ceilwhole=$(calc "'%.0f' % ($sustainedwhole / $qpd)")
ceilany=$(calc "'%.0f' % ($best / $qpd)")
# no dnsperf run gave a steady rate (too few -S lines) or none lost no more than the dead zones
[ "$(calc "int($sustained == 0)")" = 0 ] || ceil=-
[ "$(calc "int($sustainedwhole == 0)")" = 0 ] || ceilwhole=-
[ "$(calc "int($best == 0)")" = 0 ] || ceilany=-

scan() { # CONCURRENCY INPUT DB TIMEFILE
  bash Tests/World/world.sh cold "$D"
  rm -f "$3"*
  # stderr's progress lines stamped with the second they arrive, for the steady rate
  { /usr/bin/time -v -o "$4" "$BIN" scan "$2" --db "$3" --label latency \
    --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
    --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 --concurrency "$1" ${LAT_SCAN_ARGS:-} \
    > "$T/scan.out"; } 2>&1 | python3 -u -c 'import sys, time
for l in sys.stdin: sys.stdout.write(f"{time.time():.3f} {l}")' > "$T/scan-$1.err" || { tail -20 "$T/scan-$1.err"; exit 1; }
}

# base: the binary's own footprint, a small scan at low concurrency
head -1001 "$D/domains.txt" > "$T/base.txt"
scan 10 "$T/base.txt" "$T/base.db" "$T/base.time"
base=$(timev "$T/base.time" rss)

declare -A row
# The ceiling beside each scan: dnsperf at the sweep's best -q just before each scan and once after
# the last, each scan's ceiling the mean of the runs on either side of it. The sweep's own best is
# the largest of several noisy runs made minutes earlier, on a machine whose speed drifts (its
# best moved between 4,060 and 5,438 domains/s across runs): a ratio against it mixes that drift
# and that max into the scanner's figure. Both are printed; the issue's target is read against
# the one beside.
besidefile=$T/beside.txt; : > "$besidefile"
beside() { # TAG: one dnsperf run at qbest, appended to beside.txt as "TAG steady whole lost"
  [ -n "$qbest" ] || return 0
  dnsperf_run "$qbest" "$T/dnsperf-beside-$1.log"
  # a run that lost more than the dead zones (unbound dropped live queries) is marked "!"
  echo "$1 $qps $whole $lostpct$([ "$ok" = 1 ] || echo '!')" >> "$besidefile"
}
prevc=""; prevrss=""
for c in $CONCS; do
  row[ceil$c]=$ceil; row[ceilany$c]=$ceilany; row[ceilwhole$c]=$ceilwhole
  beside "before$c"
  pu0=$(cpu_s "$D/latency/proxy.pid")
  scan "$c" "$D/domains.txt" "$T/scan$c.db" "$T/scan$c.time"
  ub=$(cpu_s "$D/unbound/unbound.pid")    # unbound was restarted by `cold`: all of its CPU is this scan's
  pu=$(calc "'%.1f' % ($(cpu_s "$D/latency/proxy.pid") - $pu0)")
  stored=$(sqlite3 "$T/scan$c.db" "select count(*) from domains")
  w=$(timev "$T/scan$c.time" wall); cpu=$(timev "$T/scan$c.time" cpu); rss=$(timev "$T/scan$c.time" rss)
  steady=$(python3 bench/latency/steady.py scan "$T/scan-$c.err")
  row[rate$c]=$([ "$steady" = - ] && echo - || calc "'%.0f' % $steady")
  row[ratio$c]=$(ratio "$steady" "${row[ceil$c]}")
  row[ratioany$c]=$(ratio "$steady" "${row[ceilany$c]}")
  row[whole$c]=$(calc "'%.0f' % ($stored / $w)")
  row[ratiowhole$c]=$(ratio "$(calc "$stored / $w")" "${row[ceilwhole$c]}")
  row[wall$c]=$w
  row[cpu$c]=$(calc "'%.0f' % ($cpu * 1e6 / $stored)")
  row[rss$c]=$((rss / 1024))
  row[perdom$c]=$(calc "'%.0f' % (max(0, $rss - $base) * 1024 / $c)")
  # What one more domain in flight costs: the same 100k scan at the previous concurrency is the
  # base, so what grows with the scan rather than with the window (the ~1% of domains with a record
  # waiting in their tasks, a few hundred at any concurrency; the seen-domain hashes) cancels out.
  row[marg$c]=$([ -n "$prevc" ] && calc "'%.0f' % (($rss - $prevrss) * 1024 / ($c - $prevc))" || echo "-")
  prevc=$c; prevrss=$rss
  row[ub$c]=$ub; row[px$c]=$pu
  # How long a domain stays in flight, from its slot to its row: one without a record waits only
  # for its first lookups; one with a record then fetches and probes in a task of its own (tens of
  # KB while it waits: bench/latency/README.md), so this time is what those tasks cost in memory.
  row[msno$c]=$(sqlite3 "$T/scan$c.db" "select cast(avg(millis) as int) from domains where status = 'no-record'")
  row[msrec$c]=$(sqlite3 "$T/scan$c.db" "select cast(avg(millis) as int) from domains where status not in ('no-record', 'dns-error', 'invalid-input', 'excluded')")
  row[count$c]=$(python3 bench/latency/count.py "$T/scan$c.db" "$D")
  # unbound's own limit: its per-thread request list (written when it stops: the next `cold`)
  bash Tests/World/world.sh cold "$D"
  row[ubq$c]=$(awk '/requestlist max/ {for (i = 1; i <= NF; i++) {if ($i == "max") m = m (m ? "/" : "") $(i + 1); if ($i == "exceeded") e = e (e ? "/" : "") $(i + 1)}} END {print "max " m ", exceeded " e}' "$D/unbound/unbound.log.prev")
done

beside after
# each scan's ceiling beside it: the mean of the dnsperf runs before and after it (queries/s ->
# domains/s), and the scan's ratio to it; "-" without a qbest (no sweep run sustained)
set -- $CONCS
for c in $CONCS; do
  shift; nxt=${1:-}
  b=$(awk -v t="before$c" '$1 == t {print $2, $3, $4}' "$besidefile")
  a=$(awk -v t="$([ -n "$nxt" ] && echo "before$nxt" || echo after)" '$1 == t {print $2, $3, $4}' "$besidefile")
  read -r bs bw bl <<< "${b:-0 0 -}"; read -r as aw al <<< "${a:-0 0 -}"
  # a run with no steady rate (steady.py's "-", kept as 0) is no ceiling: "-" rather than a mean with 0
  if [ "$(calc "int($bs > 0 and $as > 0)")" = 1 ]; then
    row[bes$c]=$(calc "'%.0f' % (($bs + $as) / 2 / $qpd)")
    row[besrange$c]=$(calc "'%.0f-%.0f' % (min($bs, $as) / $qpd, max($bs, $as) / $qpd)")
    row[beslost$c]="$bl/$al"
    row[besratio$c]=$(ratio "${row[rate$c]}" "${row[bes$c]}")
    row[besratiowhole$c]=$(ratio "${row[whole$c]}" "$(calc "($bw + $aw) / 2 / $qpd")")
  else
    row[bes$c]=-; row[besrange$c]=-; row[beslost$c]=-; row[besratio$c]=-; row[besratiowhole$c]=-
  fi
done

for p in $PEERS; do
  bash Tests/World/world.sh cold "$D"
  /usr/bin/time -v -o "$T/peer$p.time" "$PEER/.venv/bin/python" "$PEER/peer.py" "$D/domains.txt" --out "$T/peer$p.jsonl" \
    --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
    --timeout 5 --concurrency "$p" 2> "$T/peer$p.err" || { tail -20 "$T/peer$p.err"; exit 1; }
  pn=$(wc -l < "$T/peer$p.jsonl")
  row[prate$p]=$(calc "'%.0f' % ($pn / $(timev "$T/peer$p.time" wall))")
  row[pwall$p]=$(timev "$T/peer$p.time" wall)
  row[pcpu$p]=$(calc "'%.0f' % ($(timev "$T/peer$p.time" cpu) * 1e6 / $pn)")
  row[prss$p]=$(( $(timev "$T/peer$p.time" rss) / 1024 ))
  "$PEER/.venv/bin/python" "$PEER/count_truth.py" "$T/peer$p.jsonl" "$D/truth.jsonl" > "$T/peer$p.count" 2>&1 || true
done

{
  echo "# make bench-latency $(date -u +%Y-%m-%dT%H:%MZ)${LAT_SCAN_ARGS:+ (scan options: $LAT_SCAN_ARGS)} on $(nproc) cores; mtasts $("$BIN" --version); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# latency world: realistic, $N domains; $(grep '^dns\|^tcpdist' "$D/latency/proxy.conf" | tr '\n' ';' )"
  echo "#   (dns MEDIAN_MS SIGMA MAX_MS DEAD_PERMILLE; tcpdist MEDIAN_MS SIGMA MAX_MS: bench/latency/README.md)"
  echo "# $(cat "$T/latency-truth.txt")"
  echo "# unbound: num-threads $nth, num-queries-per-thread $npt, outgoing-range $orange; $qpd queries per domain"
  sed 's/^/# /' "$T/dnsperf.txt"
  echo "# base RSS (1000 domains at --concurrency 10): $((base / 1024)) MB"
  printf '%-40s' "mtasts --concurrency"; for c in $CONCS; do printf '%12s' "$c"; done; echo
  line() { printf '%-40s' "$1"; for c in $CONCS; do printf '%12s' "${row[$2$c]}"; done; echo; }
  echo "steady (between 10% and 90% of the domains or answers: bench/latency/steady.py)"
  line "resolver sustains, beside (domains/s)" bes
  line "  dnsperf -q ${qbest:--}, lower-higher run" besrange
  line "  % lost before / after (! over dead)" beslost
  line "mtasts domains/s" rate
  line "  RATIO TO WHAT IT SUSTAINS, BESIDE" besratio
  line "resolver sustains, sweep's best" ceil
  line "  ratio to the sweep's best" ratio
  line "  ratio to dnsperf's best at any loss" ratioany
  echo "whole run (the last never-answered names waited for, $GIVEUP s, on both sides)"
  line "resolver sustains, sweep's best" ceilwhole
  line "mtasts domains/s" whole
  line "  ratio to the sweep's best" ratiowhole
  line "  ratio to the runs beside" besratiowhole
  line "  wall (s)" wall
  line "CPU (user+sys) per domain (µs)" cpu
  line "peak RSS (MB)" rss
  line "  (peak - base) per domain in flight (B)" perdom
  line "  per domain in flight, marginal (B)" marg
  line "mean time in flight (ms): no record" msno
  line "  with a record (fetch and probes after)" msrec
  line "unbound CPU during the scan (s)" ub
  line "delay proxy CPU during the scan (s)" px
  echo "unbound's request list, per thread: its largest size / 'exceeded', the replies it dropped (mostly the dead zones' queries it gave up on without answering: not a full list)"
  for c in $CONCS; do echo "  --concurrency $c: ${row[ubq$c]}"; done
  echo "against the truth:"
  for c in $CONCS; do echo "  --concurrency $c: ${row[count$c]}"; done
  if [ -n "$PEERS" ]; then
    echo
    printf '%-40s' "python peer --concurrency"; for p in $PEERS; do printf '%12s' "$p"; done; echo
    pline() { printf '%-40s' "$1"; for p in $PEERS; do printf '%12s' "${row[$2$p]}"; done; echo; }
    pline "domains/s" prate
    pline "  wall (s)" pwall
    pline "CPU (user+sys) per domain (µs)" pcpu
    pline "peak RSS (MB)" prss
    for p in $PEERS; do echo "  peer at $p, against the truth:"; grep -e 'STS verdict, all' -e 'MX host list' -e 'TLS-RPT record' "$T/peer$p.count"; done
  fi
} | tee "$OUT"
echo "(kept in $OUT)"
