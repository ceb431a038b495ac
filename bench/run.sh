#!/usr/bin/env bash
# make bench: mtasts against the ceiling of the resolver it uses, side by side in one run.
#   BENCH_N (default 100000) domains of the realistic world, in BENCH_DIR (default world/bench-N).
# 1. dnsperf through a cold unbound (restarted) with the scanner's own query mix (queries.txt,
#    written by the world generator from the steps the scanner takes), converted to domains/s.
# 2. mtasts scan (release build, default flags: MX hosts probed for domains with a record) through
#    a freshly restarted, cold unbound, BENCH_SCANS times (default 3; the median CPU run is the
#    one reported); wall time, CPU (user+sys) and peak RSS from /usr/bin/time -v.
# 3. The ratio, CPU µs per domain, counts by status. Printed as a table and kept in bench/results/.
# 3b. Beside them, one cold scan each (BENCH_EXTRA=0 leaves them out): --no-smtp (the peer's
#    work), --no-sni-probe (the second STARTTLS session without SNI, side by side) and
#    --probe-all-mx (many more TLS connections); then CPU = a x domains + b x TLS connections by
#    least squares over the four (bench/cpu_split.py counts the connections from each database).
# 4. The Python peer (bench/peer/peer.py: an asyncio loop around postfix-mta-sts-resolver, pinned in
#    bench/peer/requirements.txt, venv bench/peer/.venv made if missing) through a freshly
#    restarted, cold unbound on the same domains.txt: the same figures, side by side with mtasts,
#    and its results counted against truth.jsonl (bench/peer/count_truth.py). The peer does no SMTP:
#    its ratio is printed against the full scan and against the --no-smtp one (equal work).
# CI does not run this: machines are shared and noisy. Quote ratios measured in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-100000}
D=${BENCH_DIR:-$PWD/world/bench-$N}
export WORLD_PROFILE=realistic WORLD_N=$N
export WORLD_DNS_IP=${BENCH_DNS_IP:-127.0.0.1} WORLD_DNS_PORT=${BENCH_DNS_PORT:-5600} WORLD_AUTH_PORT=${BENCH_AUTH_PORT:-5601}
export WORLD_HTTPS_PORT=${BENCH_HTTPS_PORT:-8446} WORLD_SMTP_PORT=${BENCH_SMTP_PORT:-2528}
DNSPERF_SECONDS=${DNSPERF_SECONDS:-30}
BIN=.build/release/mtasts
OUT=bench/results/$(date -u +%Y%m%dT%H%MZ)-n$N.txt
T=$(mktemp -d /tmp/mtasts-bench.XXXXXX)
trap 'bash Tests/World/world.sh down "$D" >/dev/null; rm -rf "$T"' EXIT   # stderr kept: down names any server left running

[ -x "$BIN" ] || { echo "bench: build first (make release)"; exit 1; }
PEER=bench/peer
if ! "$PEER/.venv/bin/python" -c 'import postfix_mta_sts_resolver' 2>/dev/null; then
  [ -x "$PEER/.venv/bin/python" ] || python3 -m venv "$PEER/.venv"
  "$PEER/.venv/bin/pip" install -q -r "$PEER/requirements.txt"
fi
bash Tests/World/world.sh up "$D" | tail -4

restart_unbound() { bash Tests/World/world.sh cold "$D"; }   # an empty cache, warmed as `up` leaves it

# 1. The ceiling.
restart_unbound
dnsperf -s "$WORLD_DNS_IP" -p "$WORLD_DNS_PORT" -d "$D/queries.txt" -n 1 -l "$DNSPERF_SECONDS" -c 32 -T 2 -q 1000 \
  > "$T/dnsperf.log" 2>&1
qps=$(awk '/Queries per second/ {print $4}' "$T/dnsperf.log")
nq=$(wc -l < "$D/queries.txt")
qpd=$(python3 -c "print('%.3f' % ($nq / $N))")
ceiling=$(python3 -c "print('%.0f' % ($qps / $qpd))")

# 2. The scanner, cold, BENCH_SCANS times (default 3): on this shared machine one ~20 s scan
#    moves by ±20% from run to run, so the table takes the run with the median CPU per domain
#    (the peer's single run lasts ~70 s, about as long as three scans together). Every run is
#    printed, and all must store the same results.
SCANS=${BENCH_SCANS:-3}
scan_into() { # NAME [FLAGS...]: a cold scan into $T/NAME.db, /usr/bin/time -v's report in $T/NAME.err
  local name=$1; shift
  restart_unbound
  rm -f "$T/$name.db"*
  /usr/bin/time -v "$BIN" scan "$D/domains.txt" --db "$T/$name.db" --label bench \
    --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
    --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 "$@" \
    > "$T/$name.out" 2> "$T/$name.err" || { tail -20 "$T/$name.err"; exit 1; }
}
for k in $(seq "$SCANS"); do
  scan_into "bench$k"
  mv "$T/bench$k.err" "$T/scan$k.err"
done
# 2b. Beside them, each once and cold: the equal work of the peer (--no-smtp: no STARTTLS
#     session, no MX host lookup), the same scan without the second STARTTLS session without SNI
#     (--no-sni-probe: what that probe costs, side by side), and, for the CPU split below, a scan
#     with many more TLS connections per domain (--probe-all-mx: every domain's MX hosts
#     probed; the realistic world's self-hosted ones share one listener, hence no per-address
#     rate for it). BENCH_EXTRA=0 leaves all three out.
EXTRA=${BENCH_EXTRA:-1}
if [ "$EXTRA" = 1 ]; then
  scan_into nosmtp --no-smtp
  scan_into nosni --no-sni-probe
  scan_into allmx --probe-all-mx --per-address-rate 0 --per-address-concurrency 32
fi
timev() { # FILE FIELD: a field of /usr/bin/time -v's report; Elapsed in seconds
  case $2 in
    wall) python3 -c "
p='$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1")'.split(':'); s=0
for x in p: s = s*60 + float(x)
print(s)" ;;
    user) awk -F': ' '/User time/ {print $2}' "$1" ;;
    sys) awk -F': ' '/System time/ {print $2}' "$1" ;;
    rss) awk -F': ' '/Maximum resident/ {print $2}' "$1" ;;
  esac
}
results_of() { sqlite3 "$T/bench$1.db" "select line_no, status, mode, mx_status, tlsrpt_status from domains order by line_no" | md5sum; }
runs_line=""
same_results=yes
for k in $(seq "$SCANS"); do
  n_k=$(sqlite3 "$T/bench$k.db" "select count(*) from domains")
  cpu_k=$(python3 -c "print('%.0f' % (($(timev "$T/scan$k.err" user) + $(timev "$T/scan$k.err" sys)) * 1e6 / $n_k))")
  echo "$cpu_k $k" >> "$T/cpu-by-run"
  runs_line="$runs_line $cpu_k"
  [ "$(results_of "$k")" = "$(results_of 1)" ] || same_results=no
done
median=$(sort -n "$T/cpu-by-run" | awk '{a[NR] = $2} END {print a[int((NR + 1) / 2)]}')
cp "$T/scan$median.err" "$T/scan.err"
DB="$T/bench$median.db"
for k in $(seq "$SCANS"); do [ "$k" = "$median" ] || rm -f "$T/bench$k.db"*; done   # ~750 MB each at 1M
secs=$(timev "$T/scan.err" wall)
user=$(timev "$T/scan.err" user)
sys=$(timev "$T/scan.err" sys)
rss=$(for k in $(seq "$SCANS"); do timev "$T/scan$k.err" rss; done | sort -n | tail -1)   # the largest
stored=$(sqlite3 "$DB" "select count(*) from domains")
rate=$(python3 -c "print('%.0f' % ($stored / $secs))")
ratio=$(python3 -c "print('%.2f' % ($stored / $secs / $ceiling))")
cpu_us=$(python3 -c "print('%.0f' % (($user + $sys) * 1e6 / $stored))")
cpu_s() { python3 -c "print('%.2f' % ($(timev "$1" user) + $(timev "$1" sys)))"; }   # FILE: user+sys seconds
per_dom() { python3 -c "print('%.0f' % ($(cpu_s "$1") * 1e6 / $(sqlite3 "$2" "select count(*) from domains")))"; }
probed_ms() { sqlite3 "$1" "select printf('%.0f ms (%d)', avg(millis), count(*)) from domains where mx_status != 'not-probed'"; }
sni_findings() { sqlite3 "$1" "select count(*) from findings where code = 'mx-sni-dependent'"; }
if [ "$EXTRA" = 1 ]; then
  nosmtp_secs=$(timev "$T/nosmtp.err" wall) nosmtp_cpu=$(cpu_s "$T/nosmtp.err") nosmtp_us=$(per_dom "$T/nosmtp.err" "$T/nosmtp.db")
  nosni_secs=$(timev "$T/nosni.err" wall) nosni_cpu=$(cpu_s "$T/nosni.err") nosni_us=$(per_dom "$T/nosni.err" "$T/nosni.db")
  allmx_secs=$(timev "$T/allmx.err" wall) allmx_cpu=$(cpu_s "$T/allmx.err")
  full_cpu=$(cpu_s "$T/scan.err")
  # The CPU split: CPU = a x domains + b x TLS connections, over the median full scan and the
  # three beside it (connections counted from each database's evidence: bench/cpu_split.py).
  python3 bench/cpu_split.py "$DB:$full_cpu" "$T/nosni.db:$nosni_cpu" "$T/nosmtp.db:$nosmtp_cpu" \
    "$T/allmx.db:$allmx_cpu" > "$T/split.txt"
fi

# 4. The Python peer, cold (BENCH_PEER=0 skips it, e.g. for a 1M run).
if [ "${BENCH_PEER:-1}" = 1 ]; then
restart_unbound
/usr/bin/time -v "$PEER/.venv/bin/python" "$PEER/peer.py" "$D/domains.txt" --out "$T/peer.jsonl" \
  --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
  --timeout 5 --concurrency 500 2> "$T/peer.err" || { tail -20 "$T/peer.err"; exit 1; }
p_secs=$(timev "$T/peer.err" wall)
p_user=$(timev "$T/peer.err" user)
p_sys=$(timev "$T/peer.err" sys)
p_rss=$(timev "$T/peer.err" rss)
p_n=$(wc -l < "$T/peer.jsonl")
p_rate=$(python3 -c "print('%.0f' % ($p_n / $p_secs))")
p_cpu_us=$(python3 -c "print('%.0f' % (($p_user + $p_sys) * 1e6 / $p_n))")
p_ratio=$(python3 -c "print('%.2f' % ($p_cpu_us / $cpu_us))")
[ "$EXTRA" = 1 ] && p_ratio_eq=$(python3 -c "print('%.2f' % ($p_cpu_us / $nosmtp_us))")

fi

{
  echo "# make bench $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; mtasts $("$BIN" --version)"
  echo "# realistic world, $N domains; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-44s %s\n' "dnsperf, cold unbound, scanner's query mix" "$qps queries/s ($qpd queries per domain, ${DNSPERF_SECONDS}s)"
  printf '%-44s %s\n' "  = ceiling in domains/s" "$ceiling"
  printf '%-44s %s\n' "mtasts scan, cold unbound" "$rate domains/s ($stored domains in ${secs}s)"
  printf '%-44s %s\n' "ratio scanner / ceiling" "$ratio"
  printf '%-44s %s\n' "mtasts CPU (user+sys) per domain" "$cpu_us µs (user ${user}s, sys ${sys}s): the median of $SCANS cold scans, each:$runs_line"
  printf '%-44s %s\n' "  the scans stored the same results" "$same_results"
  printf '%-44s %s\n' "mtasts peak RSS" "$((rss / 1024)) MB (the largest of the $SCANS scans)"
  echo "counts by status:"
  sqlite3 "$DB" "select '  ' || status || ': ' || count(*) from domains group by status order by count(*) desc"
  echo "counts by mx_status:"
  sqlite3 "$DB" "select '  ' || mx_status || ': ' || count(*) from domains group by mx_status order by count(*) desc"
  if [ "$EXTRA" = 1 ]; then
    echo
    echo "# the second STARTTLS session, without SNI (one per address that spoke TLS), side by side"
    printf '%-44s %14s %14s\n' "cold unbound, same domains.txt" "mtasts" "--no-sni-probe"
    printf '%-44s %14s %14s\n' "wall time (s)" "$secs" "$nosni_secs"
    printf '%-44s %14s %14s\n' "CPU (user+sys) s" "$full_cpu" "$nosni_cpu"
    printf '%-44s %14s %14s\n' "CPU µs per domain" "$cpu_us" "$nosni_us"
    printf '%-44s %14s %14s\n' "mean time of a probed domain (how many)" "$(probed_ms "$DB")" "$(probed_ms "$T/nosni.db")"
    printf '%-44s %14s %14s\n' "mx-sni-dependent findings" "$(sni_findings "$DB")" "$(sni_findings "$T/nosni.db")"
    echo
    echo "# the CPU split over four cold scans (full, --no-sni-probe, --no-smtp, --probe-all-mx)"
    printf '%-44s %14s %14s\n' "  --probe-all-mx (per-address rate 0): s" "wall $allmx_secs" "CPU $allmx_cpu"
    cat "$T/split.txt"
  fi
  [ "${BENCH_PEER:-1}" = 1 ] || exit 0
  echo
  echo "# the Python peer: $("$PEER/.venv/bin/pip" freeze | grep -i -e '^postfix.mta.sts' -e '^aiodns' -e '^pycares' -e '^aiohttp' | tr '\n' ' ')"
  echo "#   $(grep -m1 '^peer:' "$T/peer.err")"
  if [ "$EXTRA" = 1 ]; then   # equal work: mtasts --no-smtp beside the peer, which does no SMTP
    nosmtp_n=$(sqlite3 "$T/nosmtp.db" "select count(*) from domains")
    printf '%-44s %14s %14s %14s\n' "cold unbound, same domains.txt" "mtasts" "mtasts no-smtp" "python peer"
    printf '%-44s %14s %14s %14s\n' "domains" "$stored" "$nosmtp_n" "$p_n"
    printf '%-44s %14s %14s %14s\n' "wall time (s)" "$secs" "$nosmtp_secs" "$p_secs"
    printf '%-44s %14s %14s %14s\n' "domains/s" "$rate" "$(python3 -c "print('%.0f' % ($nosmtp_n / $nosmtp_secs))")" "$p_rate"
    printf '%-44s %14s %14s %14s\n' "CPU (user+sys) µs per domain" "$cpu_us" "$nosmtp_us" "$p_cpu_us"
    printf '%-44s %14s %14s %14s\n' "peak RSS (MB)" "$((rss / 1024))" "$(( $(timev "$T/nosmtp.err" rss) / 1024 ))" "$((p_rss / 1024))"
    printf '%-44s %s\n' "ratio peer / mtasts, CPU per domain" "$p_ratio (full work: mtasts also probes MX hosts)"
    printf '%-44s %s\n' "ratio peer / mtasts --no-smtp" "$p_ratio_eq (equal work: neither does SMTP)"
  else
  printf '%-44s %14s %14s\n' "cold unbound, same domains.txt" "mtasts" "python peer"
  printf '%-44s %14s %14s\n' "domains" "$stored" "$p_n"
  printf '%-44s %14s %14s\n' "wall time (s)" "$secs" "$p_secs"
  printf '%-44s %14s %14s\n' "domains/s" "$rate" "$p_rate"
  printf '%-44s %14s %14s\n' "CPU (user+sys) µs per domain" "$cpu_us" "$p_cpu_us"
  printf '%-44s %14s %14s\n' "  user / sys (s)" "$user / $sys" "$p_user / $p_sys"
  printf '%-44s %14s %14s\n' "peak RSS (MB)" "$((rss / 1024))" "$((p_rss / 1024))"
  printf '%-44s %s\n' "ratio peer / mtasts, CPU per domain" "$p_ratio"
  echo "(the peer does no SMTP: mtasts probes the MX hosts of domains with a record)"
  fi
  "$PEER/.venv/bin/python" "$PEER/count_truth.py" "$T/peer.jsonl" "$D/truth.jsonl"
} | tee "$OUT"
echo "(kept in $OUT)"
