#!/usr/bin/env bash
# make profile: where mtasts spends its CPU, with perf, on the realistic world.
#   PROFILE_N (default 100000) domains, world in PROFILE_DIR (default world/profile-N), bench ports.
# 1. A cold scan (unbound restarted) under `perf record` (flat, 999 Hz): CPU by library, then the
#    top symbols. Stripped libraries (libcurl, c-ares) show as addresses.
# 2. The same scan's CPU split into "TLS" (libcurl, libssl, libcrypto), "c-ares", "kernel" and
#    the rest, from the same perf data.
# 3. The CPU by owner (bench/perf_owner.py): a second cold scan under `perf record --call-graph
#    dwarf`, each sample charged to whoever asked for it (OpenSSL's mallocs to TLS, a sendmmsg to
#    DNS, a pwrite to SQLite): how much of a domain's CPU is in the libraries and the kernel, which
#    any scanner making the same connections and queries pays, and how much is mtasts's own.
# 4. What OpenSSL 3 costs per TLS connection before any I/O (bench/openssl_cost.c, built here):
#    SSL_CTX_new (curl makes one per connection) and d2i_X509 of one of the world's certificates
#    (once per handshake). These bound how cheap a policy fetch or a STARTTLS probe can be.
# 5. What one whole policy fetch costs the client through libcurl (bench/tls_fetch_cost.c), with
#    mtasts's options, one fetch at a time: the per-connection floor any libcurl scanner pays.
# 6. How many TLS connections and socket system calls a cold scan makes (a third scan, counting
#    SSL_new with a uprobe and sendmmsg/recvmmsg/sendto/recvfrom with syscall tracepoints).
# Prints only; CI does not run it. Needs perf (linux-perf) and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${PROFILE_N:-100000}
D=${PROFILE_DIR:-$PWD/world/profile-$N}
export WORLD_PROFILE=realistic WORLD_N=$N
export WORLD_DNS_IP=127.0.0.1 WORLD_DNS_PORT=${BENCH_DNS_PORT:-5600} WORLD_AUTH_PORT=${BENCH_AUTH_PORT:-5601}
export WORLD_HTTPS_PORT=${BENCH_HTTPS_PORT:-8446} WORLD_SMTP_PORT=${BENCH_SMTP_PORT:-2528}
BIN=.build/release/mtasts
T=$(mktemp -d /tmp/mtasts-profile.XXXXXX)
trap 'bash Tests/World/world.sh down "$D" >/dev/null; rm -rf "$T"' EXIT   # stderr kept: down names any server left running
[ -x "$BIN" ] || { echo "profile: build first (make release)"; exit 1; }
command -v perf >/dev/null || { echo "profile: needs perf (apt-get install linux-perf)"; exit 1; }

bash Tests/World/world.sh up "$D" | tail -1
cold_scan() { # WRAPPER...: unbound restarted cold, then the scan of the world under WRAPPER
  bash Tests/World/world.sh cold "$D"
  rm -f "$T"/p.db*
  "$@" "$BIN" scan "$D/domains.txt" --db "$T/p.db" \
    --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" --ca-file "$D/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" \
    --smtp-port "$WORLD_SMTP_PORT" --ehlo-name scanner.mtasts.test --timeout 5 >/dev/null
}

cold_scan perf record -q -F 999 -o "$T/perf.data" -- /usr/bin/time -v 2> "$T/scan.err"
user=$(awk -F': ' '/User time/ {print $2}' "$T/scan.err")
sys=$(awk -F': ' '/System time/ {print $2}' "$T/scan.err")
echo "# mtasts scan of $N realistic domains under perf: user ${user}s, sys ${sys}s," \
  "$(python3 -c "print(round(($user + $sys) * 1e6 / $N))") µs CPU per domain (perf adds a little)"
# Reports go to files first: `head` on a pipe would kill perf with SIGPIPE (and pipefail us).
perf report -i "$T/perf.data" --no-children --sort dso 2>/dev/null | grep -v -e '^#' -e '^$' > "$T/by-dso.txt"
perf report -i "$T/perf.data" --no-children --sort dso,sym 2>/dev/null | grep -v -e '^#' -e '^$' > "$T/by-sym.txt"
echo "## CPU by library (self time)"
sed -n 1,14p "$T/by-dso.txt"
echo "## top symbols (self time)"
sed -n 1,30p "$T/by-sym.txt"
echo "## CPU by part, µs per domain"
awk -v total="$(python3 -c "print(($user + $sys) * 1e6 / $N)")" '
      { p = $1; sub("%", "", p); d = $2
        if (d ~ /libcurl|libssl|libcrypto/) part = "TLS, HTTP and SMTP (libcurl, libssl, libcrypto)"
        else if (d ~ /libcares/) part = "DNS library (c-ares)"
        else if (d ~ /kernel/) part = "kernel (UDP/TCP on loopback, scheduling, SQLite I/O)"
        else if (d ~ /jemalloc|libc[.]so/) part = "malloc and libc"
        else if (d ~ /sqlite/) part = "SQLite"
        else part = "mtasts and the Swift runtime"
        share[part] += p }
      END { for (k in share) printf "  %5.1f%%  %5.1f µs  %s\n", share[k], share[k] * total / 100, k }' "$T/by-dso.txt" | sort -rn

echo "## CPU by thread (share of perf's samples; the largest is the I/O loop's thread)"
perf script -i "$T/perf.data" -F tid 2>/dev/null > "$T/tids.txt" || true
sort "$T/tids.txt" | uniq -c | sort -rn | awk -v n="$(wc -l < "$T/tids.txt")" \
  'NR <= 4 && n > 0 { printf "  %5.1f%%  thread %s\n", 100 * $1 / n, $2 }'

echo "## CPU by owner: who asked for it, mallocs and system calls included (bench/perf_owner.py)"
# A second cold scan, sampled with DWARF call stacks (400 Hz, so the stacks stay a few tens of
# MB), each sample charged to the library or code that asked for it; µs from the first scan.
cold_scan perf record -q -F 400 --call-graph dwarf,8192 -o "$T/perf-dwarf.data" -- >/dev/null 2>&1
perf script -i "$T/perf-dwarf.data" -F period,ip,sym,dso 2>/dev/null \
  | python3 bench/perf_owner.py "$(python3 -c "print(($user + $sys) * 1e6 / $N)")"
rm -f "$T/perf-dwarf.data"

echo "## OpenSSL per TLS connection, before any I/O (bench/openssl_cost.c)"
gcc -O2 bench/openssl_cost.c -o "$T/openssl_cost" -lssl -lcrypto
cert=$(find "$D/certs" -name "*.crt" -print -quit)
"$T/openssl_cost" "$cert"

echo "## One whole HTTPS policy fetch, as mtasts makes it, one at a time (bench/tls_fetch_cost.c)"
gcc -O2 bench/tls_fetch_cost.c -o "$T/tls_fetch_cost" -lcurl -lssl -lcrypto
# Policy hosts without a scripted fault (faults.map), so every fetch is a plain 200.
(cd "$D/certs" && ls mta-sts.*.crt) | sed 's/[.]crt$//' | grep -vxF -f <(awk '{print $1}' "$D/faults.map") \
  | awk 'NR <= 520' > "$T/hosts.txt"   # awk, not head: head would end the pipe early (SIGPIPE under pipefail)
"$T/tls_fetch_cost" "$T/hosts.txt" 500 "$D/ca/ca.crt" "$WORLD_HTTPS_PORT" 127.0.1.1 || true

echo "## TLS connections and socket system calls in one cold scan (perf: a uprobe on libssl's SSL_new, syscall tracepoints)"
libssl=$(ldd "$BIN" | awk '/libssl/ {print $3}')
if perf probe -q -x "$libssl" -a SSL_new >/dev/null 2>&1; then
  calls=syscalls:sys_enter_sendmmsg,syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom
  cold_scan perf stat -x, -e "probe_libssl:SSL_new,$calls" -o "$T/ssl.stat" -- 2>/dev/null
  echo "  $(awk -F, '/SSL_new/ {print $1}' "$T/ssl.stat") TLS connections for $N domains"
  # UDP to the resolver is sendmmsg/recvmmsg (DatagramBatcher); sendto/recvfrom are curl's TCP.
  awk -F, '/sys_enter_/ { sub(".*sys_enter_", "", $3); printf "  %s %s\n", $1, $3 }' "$T/ssl.stat"
  perf probe -q -d 'probe_libssl:SSL_new' >/dev/null 2>&1 || true
else
  echo "  (perf probe is not allowed here: needs root or perf_event_paranoid <= 1)"
fi
