#!/usr/bin/env bash
# Start a private unbound next to one shard (or one host): recursive, validating, listening on
# 127.0.0.1:PORT only, its files in DIR. Waits until it answers `unbound-control status`, then
# returns; its pid is in DIR/unbound.pid (stop it with: kill "$(cat DIR/unbound.pid)").
#
#   deploy/unbound/start-unbound.sh DIR PORT [THREADS]
#
# Environment:
#   UNBOUND_FORWARD=ADDR@PORT  forward everything to that resolver instead of recursing from the
#                              root (e.g. a site resolver tier); default: full recursion
#   UNBOUND_DNSSEC=0           no validator (default 1: validate with the root trust anchor from
#                              dns-root-data or /var/lib/unbound, copied into DIR)
#   UNBOUND_TRUST_ANCHOR=FILE  validate with this trust-anchor-file (static, copied into DIR)
#                              instead of the root's: a private DNS tree, e.g. the test world
#   UNBOUND_SERVER_EXTRA=TEXT  more `server:` lines, verbatim (one option a line), e.g.
#                              'local-zone: "test." nodefault' (test. is one of unbound's
#                              built-in empty zones)
#   UNBOUND_CACHE=256m         msg-cache-size (the rrset cache gets twice this)
#   UNBOUND=unbound            the unbound binary; UNBOUND_CONTROL=unbound-control and
#                              UNBOUND_CHECKCONF=unbound-checkconf likewise
#
# Why one per shard: mtasts keeps up to 4 x --dns-in-flight queries outstanding over 16 sockets; one shared
# resolver for many shards hits its per-thread query limit (num-queries-per-thread) and drops
# queries, and every dropped query costs the scanner a timeout. A resolver next to each shard
# scales with the shards and keeps the recursion traffic spread over many source addresses.
set -euo pipefail
dir=${1:?usage: start-unbound.sh DIR PORT [THREADS]}
port=${2:?usage: start-unbound.sh DIR PORT [THREADS]}
threads=${3:-2}
UNBOUND=${UNBOUND:-unbound}
UNBOUND_CONTROL=${UNBOUND_CONTROL:-unbound-control}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

validator=""
anchor=""
if [ "${UNBOUND_DNSSEC:-1}" = 1 ] && [ -n "${UNBOUND_TRUST_ANCHOR:-}" ]; then
  cp "$UNBOUND_TRUST_ANCHOR" "$dir/trust.anchor"
  validator='  module-config: "validator iterator"'
  anchor="  trust-anchor-file: \"$dir/trust.anchor\""
elif [ "${UNBOUND_DNSSEC:-1}" = 1 ]; then
  for k in /usr/share/dns/root.key /var/lib/unbound/root.key; do
    if [ -s "$k" ]; then cp "$k" "$dir/root.key"; break; fi
  done
  if [ -s "$dir/root.key" ]; then
    validator='  module-config: "validator iterator"'
    anchor="  auto-trust-anchor-file: \"$dir/root.key\""
  else
    echo "start-unbound: no root trust anchor (install dns-root-data); DNSSEC validation off" >&2
  fi
fi
[ -n "$validator" ] || validator='  module-config: "iterator"'

forward=""
if [ -n "${UNBOUND_FORWARD:-}" ]; then
  forward=$(printf 'forward-zone:\n  name: "."\n  forward-addr: %s\n' "$UNBOUND_FORWARD")
fi
# unbound 1.20 (and Debian 12's 1.17.1-2+deb12u3 on, a CVE-2024-33655 backport) lets at most
# `wait-limit` (1000) queries from one client address wait for recursion and drops the rest
# unanswered: the scanner, this resolver's only client, keeps more than that in flight at
# --dns-in-flight 1024 already, and the default is 4096 (bench/latency/README.md). An unbound without the option would refuse the
# whole config, so it is set only where unbound-checkconf accepts it.
wait_limit=""
probe="$dir/wait-limit-probe.conf"   # in DIR, which must be writable anyway, not in /tmp
printf 'server:\n  wait-limit: 0\n' > "$probe"
if "${UNBOUND_CHECKCONF:-unbound-checkconf}" "$probe" >/dev/null 2>&1; then
  wait_limit='  wait-limit: 0'
fi
rm -f "$probe"
cache=${UNBOUND_CACHE:-256m}
rrset=$(( ${cache%m} * 2 ))m

cat > "$dir/unbound.conf" <<CONF
# written by deploy/unbound/start-unbound.sh
server:
  interface: 127.0.0.1
  port: $port
  access-control: 127.0.0.0/8 allow
  num-threads: $threads
  so-reuseport: yes
  # mtasts keeps hundreds of queries outstanding per socket: room for them in each thread
  num-queries-per-thread: 4096
  outgoing-range: 8192
  so-rcvbuf: 4m
  so-sndbuf: 4m
$wait_limit
  msg-cache-size: $cache
  rrset-cache-size: $rrset
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  verbosity: 1
  do-daemonize: yes
  do-not-query-localhost: no
$validator
$anchor
${UNBOUND_SERVER_EXTRA:-}
remote-control:
  control-enable: yes
  control-interface: "$dir/unbound.ctl"
  control-use-cert: no
$forward
CONF

"$UNBOUND" -c "$dir/unbound.conf"
for _ in $(seq 1 100); do
  if "$UNBOUND_CONTROL" -c "$dir/unbound.conf" status >/dev/null 2>&1; then
    echo "start-unbound: unbound on 127.0.0.1:$port, $threads threads, pid $(cat "$dir/unbound.pid")" >&2
    exit 0
  fi
  sleep 0.1
done
echo "start-unbound: unbound did not come up on 127.0.0.1:$port (see $dir/unbound.log)" >&2
exit 1
