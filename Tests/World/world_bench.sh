#!/bin/bash
# Capacity figures of the world on this machine (bounded: every load loop stops by itself).
#   world_bench.sh DIR     (profile/size from WORLD_PROFILE / WORLD_N, ports as in world.sh)
# Measures: world up (generating, then cached) and down; dnsperf QPS through unbound with
# DIR/queries.txt, cold (unbound just restarted) and warm (second run); nginx full TLS
# handshakes/s (h2load, one request per connection); postfix STARTTLS sessions/s (parallel
# openssl s_client -starttls smtp).  For WORLD_N > 200000 only up/down and DNS are measured.
# Figures go to stdout and DIR/bench.txt.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mkdir -p "${1:?usage: world_bench.sh DIR}" && cd "$1" && pwd)
W="$HERE/world.sh"
export WORLD_PROFILE=${WORLD_PROFILE:-test} WORLD_N=${WORLD_N:-10000}
DNS_IP=${WORLD_DNS_IP:-127.0.0.1} DNS_PORT=${WORLD_DNS_PORT:-5300}
HTTPS_PORT=${WORLD_HTTPS_PORT:-8443} SMTP_PORT=${WORLD_SMTP_PORT:-2525}
DNSPERF_SECONDS=${DNSPERF_SECONDS:-60} BENCH_SECONDS=${BENCH_SECONDS:-20}
OUT="$D/bench.txt"
: > "$OUT.tmp"
say() { echo "$*" | tee -a "$OUT.tmp"; }
now() { date +%s.%N; }
since() { python3 -c "print('%.2f' % ($(now) - $1))"; }
rss_mb() { # pidfile: RSS of the process and its children, MB
  local p; p=$(tr -d ' \n' <"$1" 2>/dev/null) || return 0
  ps -o rss= -p "$p" --ppid "$p" 2>/dev/null | awk '{s += $1} END {printf "%d", s / 1024}'
}

say "# world bench $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB;" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "profile=$WORLD_PROFILE n=$WORLD_N"
"$W" down "$D" >/dev/null 2>&1
rm -f "$D/.genkey"
t=$(now); "$W" up "$D" > "$D/bench-up.log" 2>&1 || { cat "$D/bench-up.log"; exit 1; }
say "up, generating:          $(since "$t") s   ($(grep -o 'gen_world:.*' "$D/bench-up.log"))"
say "memory after up:         nsd $(rss_mb "$D/nsd/nsd.pid") MB, unbound $(rss_mb "$D/unbound/unbound.pid") MB (RSS, with children)"
t=$(now); "$W" down "$D" >/dev/null; say "down:                    $(since "$t") s"
t=$(now); "$W" up "$D" >/dev/null || exit 1; say "up, cached generation:   $(since "$t") s"

dnsperf_run() { # label
  dnsperf -b 4096 -s "$DNS_IP" -p "$DNS_PORT" -d "$D/queries.txt" -n 1 -l "$DNSPERF_SECONDS" -c 32 -T 2 -q 1000 \
    > "$D/dnsperf-$1.log" 2>&1
  local qps sent lost
  qps=$(awk '/Queries per second/ {print $4}' "$D/dnsperf-$1.log")
  sent=$(awk '/Queries sent/ {print $3}' "$D/dnsperf-$1.log")
  lost=$(awk '/Queries lost/ {print $3}' "$D/dnsperf-$1.log")
  say "dnsperf $1:$(printf '%*s' $((12 - ${#1})) '') ${qps:-?} queries/s ($sent sent, $lost lost, 32 clients, 2 threads, 1000 outstanding, <= ${DNSPERF_SECONDS}s)"
}
# cold: a fresh unbound (empty cache), warmed as `up` leaves it (dead.test known dead, keys fetched)
bash "$W" cold "$D"
dnsperf_run cold
dnsperf_run warm
say "memory after dnsperf:    unbound $(rss_mb "$D/unbound/unbound.pid") MB"

if [ "$WORLD_N" -le 200000 ]; then
  # nginx: every request on a new connection = one full TLS handshake (session cache off)
  host=$(awk '$0 ~ /"kind":"plain-enforce"/ {match($0, /"domain":"[^"]*"/); print substr($0, RSTART+10, RLENGTH-11); exit}' "$D/truth.jsonl")
  ip=$(dig +short -p "$DNS_PORT" @"$DNS_IP" A "mta-sts.$host" | tail -1)
  h2load --h1 -n 4000 -c 4000 -t 2 --connect-to="$ip:$HTTPS_PORT" \
    "https://mta-sts.$host:$HTTPS_PORT/.well-known/mta-sts.txt" > "$D/h2load.log" 2>&1
  say "nginx handshakes:        $(awk '/^finished in/ {print $4, $5}' "$D/h2load.log" | tr -d ,) (h2load: 4000 connections, 1 request each; $(awk '/^requests:/ {print $8, $9}' "$D/h2load.log" | tr -d ,) )"
  # postfix: parallel STARTTLS sessions with the full handshake and certificate check
  mxh="mx1.provider1.example"; mxip=$(dig +short -p "$DNS_PORT" @"$DNS_IP" A "$mxh" | head -1)
  t=$(now); end=$(( $(date +%s) + BENCH_SECONDS ))
  for w in $(seq 8); do
    ( n=0; while [ $n -lt 500 ] && [ "$(date +%s)" -lt "$end" ]; do
        echo QUIT | timeout 10 openssl s_client -quiet -starttls smtp -connect "$mxip:$SMTP_PORT" \
          -servername "$mxh" -CAfile "$D/ca/ca.crt" -verify_return_error >/dev/null 2>&1 && n=$((n + 1))
      done; echo $n > "$D/smtp-bench.$w" ) &
  done; wait
  ok=$(cat "$D"/smtp-bench.* | awk '{s += $1} END {print s}'); el=$(since "$t"); rm -f "$D"/smtp-bench.*
  say "postfix STARTTLS:        $(python3 -c "print('%.0f' % ($ok / $el))") sessions/s ($ok sessions in ${el}s, 8 parallel openssl s_client loops; the client processes share the 2 cores)"
  # the same with a lighter client: Python smtplib, 16 threads, at most 4000 sessions or BENCH_SECONDS
  python3 - "$mxip" "$SMTP_PORT" "$mxh" "$D/ca/ca.crt" "$BENCH_SECONDS" > "$D/smtp-py.txt" <<'PY'
import smtplib, ssl, sys, threading, time
ip, port, host, ca, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
ctx = ssl.create_default_context(cafile=ca)
end, lock, n = time.time() + secs, threading.Lock(), [0]
def worker():
    while time.time() < end and n[0] < 4000:
        s = smtplib.SMTP(timeout=10)
        s._host = host                      # SNI and name check against the MX host name
        s.connect(ip, port); s.ehlo("bench.mtasts.test"); s.starttls(context=ctx); s.quit()
        with lock: n[0] += 1
t0 = time.time(); ts = [threading.Thread(target=worker) for _ in range(16)]
[t.start() for t in ts]; [t.join() for t in ts]
print("%.0f sessions/s (%d sessions in %.1fs" % (n[0] / (time.time() - t0), n[0], time.time() - t0))
PY
  say "postfix STARTTLS:        $(cat "$D/smtp-py.txt"), 16 Python smtplib threads, full handshake and verification)"
fi
t=$(now); "$W" down "$D" >/dev/null; say "down:                    $(since "$t") s"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
mv "$OUT.tmp" "$OUT"
