#!/bin/bash
# The mtasts test world on loopback: NSD, unbound, nginx, postfix and a Python tarpit.
#   world.sh up    DIR   generate DIR (cached) and start every server
#   world.sh down  DIR   stop every server started from DIR (by pid file only)
#   world.sh cold  DIR   restart unbound with an empty cache, warmed as `up` leaves it (benchmarks)
#   world.sh check DIR   verify a sample of truth.jsonl with dig/curl/openssl (world_check.py)
#   world.sh bench DIR   capacity figures (world_bench.sh)
# Environment (defaults): WORLD_PROFILE=test WORLD_N=10000 (realistic: 1000000) WORLD_SEED=1
# WORLD_EPOCH=1 WORLD_DNS_IP=127.0.0.1 WORLD_DNS_PORT=5300 (unbound) WORLD_AUTH_PORT=5301 (nsd)
# WORLD_HTTPS_PORT=8443 WORLD_SMTP_PORT=2525 WORLD_NET=127.0 (servers on $WORLD_NET.1-4.x;
# the full address plan is in DIR/world.json). WORLD_LATENCY=1: internet-like delays from the delay
# proxy bench/latency/delay_proxy.c in front of NSD, nginx and postfix (bench/latency/README.md).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CMD=${1:?usage: world.sh up|down|cold|check|bench DIR}
D=$(mkdir -p "${2:?usage: world.sh up|down|cold|check|bench DIR}" && cd "$2" && pwd)
export WORLD_PROFILE=${WORLD_PROFILE:-test} WORLD_SEED=${WORLD_SEED:-1} WORLD_EPOCH=${WORLD_EPOCH:-1}
[ "$WORLD_PROFILE" = realistic ] && DEF_N=1000000 || DEF_N=10000
export WORLD_N=${WORLD_N:-$DEF_N}
export WORLD_DNS_IP=${WORLD_DNS_IP:-127.0.0.1} WORLD_DNS_PORT=${WORLD_DNS_PORT:-5300}
export WORLD_AUTH_PORT=${WORLD_AUTH_PORT:-5301} WORLD_HTTPS_PORT=${WORLD_HTTPS_PORT:-8443}
export WORLD_SMTP_PORT=${WORLD_SMTP_PORT:-2525} WORLD_NET=${WORLD_NET:-127.0}
export WORLD_LATENCY=${WORLD_LATENCY:-0}
# big zones take a while to load
[ "$WORLD_N" -gt 200000 ] && WAIT_S=600 || WAIT_S=30

now() { date +%s.%N; }
since() { python3 -c "print('%.2f' % ($(now) - $1))"; }
die_with_log() { # server logfile
  echo "world: $1 did not start; its log ($2):" >&2
  tail -n 40 "$2" >&2 2>/dev/null || echo "(no log)" >&2
  down >/dev/null 2>&1 || true
  exit 1
}
wait_dns() { # ip port
  local end=$(( $(date +%s) + WAIT_S ))
  while [ "$(date +%s)" -lt "$end" ]; do
    dig +time=1 +tries=1 -p "$2" @"$1" SOA test. 2>/dev/null | grep -q 'status: NOERROR' && return 0
    sleep 0.1
  done; return 1
}
wait_tcp() { # ip port
  local end=$(( $(date +%s) + WAIT_S ))
  while [ "$(date +%s)" -lt "$end" ]; do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.05
  done; return 1
}
# a process that has exited but is not reaped yet (a zombie) counts as gone: PID 1 of some
# containers reaps late
running() { [ -n "$1" ] && [ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status"; }
alive() { [ -f "$1" ] && running "$(tr -d ' \n' <"$1")"; }

generate() {
  local key
  key=$( { echo "$WORLD_PROFILE/$WORLD_N/$WORLD_SEED/$WORLD_EPOCH/$WORLD_NET"
           cat "$HERE"/gen_world.py "$HERE"/world_model.py "$HERE"/world_kinds.py "$HERE"/world_certs.py
         } | sha256sum | cut -c1-16)
  if [ -f "$D/truth.jsonl" ] && [ "$(cat "$D/.genkey" 2>/dev/null)" = "$key" ]; then
    echo "world: generation cached ($WORLD_PROFILE n=$WORLD_N seed=$WORLD_SEED)"; return 0
  fi
  rm -f "$D/.genkey"
  python3 "$HERE/gen_world.py" "$D" --profile "$WORLD_PROFILE" --n "$WORLD_N" \
    --seed "$WORLD_SEED" --epoch "$WORLD_EPOCH"
  echo "$key" > "$D/.genkey"
}

start_unbound() {
  # the last run's log, whose end has unbound's per-thread request-list statistics (bench/latency)
  [ -s "$D/unbound/unbound.log" ] && mv -f "$D/unbound/unbound.log" "$D/unbound/unbound.log.prev"
  : > "$D/unbound/unbound.log"
  unbound -c "$D/unbound/unbound.conf" || die_with_log unbound "$D/unbound/unbound.log"
  wait_dns "$WORLD_DNS_IP" "$WORLD_DNS_PORT" || die_with_log unbound "$D/unbound/unbound.log"
}

# What a scan should find learned already: that dead.test's server is dead (unbound learns it from
# a first query that it never answers; then its names SERVFAIL at once), and the validator's keys.
# A DNSKEY fetch that times out under a scan's first burst marks the zone's key bad for a while,
# and every answer of it SERVFAILs (seen as scattered SERVFAILs early in cold scans). A real
# resolver's keys are warm.
warm_unbound() {
  for _ in $(seq 30); do
    dig +time=1 +tries=1 -p "$WORLD_DNS_PORT" @"$WORLD_DNS_IP" TXT warm.dead.test. 2>/dev/null \
      | grep -q 'status: SERVFAIL' && break
  done
  for z in . test. example.; do
    dig +time=2 +tries=2 +dnssec -p "$WORLD_DNS_PORT" @"$WORLD_DNS_IP" DNSKEY "$z" >/dev/null 2>&1 || true
  done
}

# A cold resolver for a benchmark: unbound restarted with an empty cache, warmed as `up` leaves it.
# The old unbound is waited for by its pid until it has exited (stop_pid), not by its pid file:
# unbound deletes the file only at the very end of its exit, after clearing its caches, which
# takes seconds after a 1M scan. A new unbound started before then lost its pid file to the old
# one and was left running, unseen by `down`, answering from its cache on the bench port (found
# after a 1M make bench, whose restarts waited on the file for at most 5 s).
cold() {
  alive "$D/nsd/nsd.pid" || { echo "world: not up in $D (cold restarts the resolver of a running world)" >&2; exit 1; }
  stop_pid unbound "$D/unbound/unbound.pid"
  start_unbound
  warm_unbound
}

# Where nginx/postfix themselves listen: the public port, or behind the delay proxy (as world_conf.py)
backend_port() { # public_port override
  if [ "$WORLD_LATENCY" = 1 ]; then echo "${2:-$(( $1 + 1000 ))}"; else echo "$1"; fi
}

# The delay proxy, compiled from its source into DIR when missing or older (cc, libm).
start_latency_proxy() {
  local src="$HERE/../../bench/latency/delay_proxy.c" bin="$D/latency/delay_proxy"
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    cc -O2 -Wall -o "$bin" "$src" -lm || { echo "world: cannot build the delay proxy" >&2; exit 1; }
  fi
  rm -f "$D/latency/proxy.pid"
  setsid "$bin" "$D/latency/proxy.conf" "$D/latency/proxy.pid" </dev/null >"$D/latency/proxy.log" 2>&1 &
  for _ in $(seq 100); do [ -f "$D/latency/proxy.pid" ] && break; sleep 0.05; done
  alive "$D/latency/proxy.pid" || die_with_log delay-proxy "$D/latency/proxy.log"
}

up() {
  local t0 t ip1 smtp1
  t0=$(now)
  if alive "$D/nsd/nsd.pid" || alive "$D/unbound/unbound.pid" || alive "$D/nginx/nginx.pid" || alive "$D/latency/proxy.pid" \
     || alive "$D/postfix/spool/pid/master.pid" || alive "$D/tarpit/tarpit.pid"; then
    echo "world: already running in $D: taking it down first"; down
  fi
  t=$(now); generate; echo "world: generate $(since "$t")s"
  python3 "$HERE/world_conf.py" "$D"
  t=$(now); : > "$D/nsd/nsd.log"
  nsd -c "$D/nsd/nsd.conf" || die_with_log nsd "$D/nsd/nsd.log"
  wait_dns "$WORLD_DNS_IP" "$WORLD_AUTH_PORT" || die_with_log nsd "$D/nsd/nsd.log"
  echo "world: nsd $(since "$t")s"
  if [ "$WORLD_LATENCY" = 1 ]; then t=$(now); start_latency_proxy; echo "world: delay proxy $(since "$t")s"; fi
  t=$(now); start_unbound
  echo "world: unbound $(since "$t")s"
  # unbound learns that dead.test's server is dead from a first query that it never answers;
  # ask it now, in the background, so that later queries SERVFAIL at once
  dig +time=1 +tries=1 -p "$WORLD_DNS_PORT" @"$WORLD_DNS_IP" SOA dead.test. >/dev/null 2>&1 &
  t=$(now); : > "$D/nginx/error.log"
  nginx -c "$D/nginx/nginx.conf" -e "$D/nginx/error.log" || die_with_log nginx "$D/nginx/error.log"
  ip1=$(python3 -c "import json;print(json.load(open('$D/world.json'))['nginx_ips'][0])")
  wait_tcp "$ip1" "$(backend_port "$WORLD_HTTPS_PORT" "${WORLD_HTTPS_BACKEND_PORT:-}")" || die_with_log nginx "$D/nginx/error.log"
  echo "world: nginx $(since "$t")s"
  t=$(now); : > "$D/postfix/maillog"
  postfix -c "$D/postfix" start >/dev/null 2>&1 || die_with_log postfix "$D/postfix/maillog"
  smtp1=$(python3 -c "import json;print(json.load(open('$D/world.json'))['listeners'][0]['ip'])")
  wait_tcp "$smtp1" "$(backend_port "$WORLD_SMTP_PORT" "${WORLD_SMTP_BACKEND_PORT:-}")" || die_with_log postfix "$D/postfix/maillog"
  echo "world: postfix $(since "$t")s"
  t=$(now); rm -f "$D/tarpit/tarpit.pid"
  setsid python3 "$HERE/tarpit.py" "$D/tarpit/tarpit.json" "$D/tarpit/tarpit.pid" \
    </dev/null >"$D/tarpit/tarpit.log" 2>&1 &
  for _ in $(seq 100); do [ -f "$D/tarpit/tarpit.pid" ] && break; sleep 0.05; done
  alive "$D/tarpit/tarpit.pid" || die_with_log tarpit "$D/tarpit/tarpit.log"
  echo "world: tarpit $(since "$t")s"
  t=$(now); warm_unbound
  echo "world: dead.test SERVFAILs $(since "$t")s"
  cat <<EOF
world: up in $(since "$t0")s ($WORLD_PROFILE, n=$WORLD_N, seed=$WORLD_SEED) in $D
  resolver   $WORLD_DNS_IP:$WORLD_DNS_PORT   (unbound; authoritative nsd on :$WORLD_AUTH_PORT)
  CA file    $D/ca/ca.crt
  ports      https $WORLD_HTTPS_PORT, smtp $WORLD_SMTP_PORT
  scan input $D/domains.txt   exclude $D/exclude.txt   truth $D/truth.jsonl
EOF
}

stop_pid() { # name pidfile
  local p
  [ -f "$2" ] || return 0
  p=$(tr -d ' \n' <"$2")
  if running "$p"; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 200); do running "$p" || break; sleep 0.05; done
    if running "$p"; then
      echo "world: $1 ($p) ignored TERM: KILL" >&2; kill -KILL "$p" 2>/dev/null || true
      # until it is gone: a dying process keeps its sockets while the kernel frees its memory, and
      # on a SO_REUSEPORT port they would take a share of a new server's packets
      for _ in $(seq 200); do running "$p" || break; sleep 0.05; done
    fi
  fi
  rm -f "$2"
}

down() {
  local t0; t0=$(now)
  stop_pid tarpit "$D/tarpit/tarpit.pid"
  # postfix's master stops its own children on TERM
  stop_pid postfix "$D/postfix/spool/pid/master.pid"
  stop_pid nginx "$D/nginx/nginx.pid"
  stop_pid unbound "$D/unbound/unbound.pid"
  stop_pid nsd "$D/nsd/nsd.pid"
  stop_pid delay-proxy "$D/latency/proxy.pid"
  # report (never kill by name) anything of this world still running
  local left="" p
  for p in $(pgrep -f -- "$D/(nsd|unbound|nginx|postfix|tarpit|latency)/" || true); do
    running "$p" && left="$left $p"
  done
  [ -n "$left" ] && { echo "world: WARNING processes still running:" >&2; ps -o pid,args -p $left >&2 || true; }
  echo "world: down in $(since "$t0")s"
}

case $CMD in
  up) up ;;
  down) down ;;
  cold) cold ;;
  check) exec python3 "$HERE/world_check.py" "$D" ;;
  bench) exec "$HERE/world_bench.sh" "$D" ;;
  *) echo "usage: world.sh up|down|cold|check|bench DIR" >&2; exit 2 ;;
esac
