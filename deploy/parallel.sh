#!/usr/bin/env bash
# One host, N shards at once with GNU parallel, then one merged database.
#
#   deploy/parallel.sh INPUT OUT_DIR
#
# runs, for the shards not finished yet,
#   parallel -q -j JOBS mtasts scan INPUT --db OUT_DIR/shard-{}.db --shards N --shard {} --resume ... ::: $(seq 0 N-1)
# then gathers OUT_DIR/shard-0.db .. shard-(N-1).db by name (never by glob: a missing shard is an
# error, not a smaller survey) and merges them:
#   mtasts merge --into OUT_DIR/merged.db OUT_DIR/shard-0.db ... OUT_DIR/shard-(N-1).db
#
# Environment (all optional):
#   MTASTS=mtasts         the binary
#   INPUT, OUT            instead of the two arguments
#   SHARDS=$(nproc)       N; JOBS=N shards run at once (JOBS < N runs them in waves)
#   CONTACT=URL           --contact (required by mtasts when ports 25/443 are used)
#   EHLO_NAME=FQDN        --ehlo-name (default: this machine's FQDN)
#   RESOLVER=ADDR[:PORT]  --resolver (default: /etc/resolv.conf, or the local unbound below)
#   LOCAL_UNBOUND=1       start one local unbound (deploy/unbound/start-unbound.sh) with a thread
#                         per shard on 127.0.0.1:UNBOUND_PORT (default 5353) and scan through it;
#                         stopped at the end. On one host one multi-threaded unbound with
#                         so-reuseport is the "resolver per shard": each shard's sockets land on
#                         its threads.
#   EXTRA_FLAGS="..."     more scan flags, split on spaces (e.g. "--no-smtp --timeout 5")
#   MERGED=OUT/merged.db  the merged database (rebuilt from the shards on every run)
#   PARALLEL_IMPL=xargs   use `xargs -P` instead of GNU parallel (also the fallback when
#                         `parallel` is not installed): the same command line per shard
#
# Rerunning is safe: a shard whose database holds a finished scan is skipped (a `--resume` of a
# finished shard would add a second scan to it, which merge refuses); an interrupted shard
# resumes where it stopped. Needs the sqlite3 CLI for that check.
set -euo pipefail
MTASTS=${MTASTS:-mtasts}
INPUT=${INPUT:-${1:?usage: parallel.sh INPUT OUT_DIR}}
OUT=${OUT:-${2:?usage: parallel.sh INPUT OUT_DIR}}
SHARDS=${SHARDS:-$(nproc)}
JOBS=${JOBS:-$SHARDS}
MERGED=${MERGED:-$OUT/merged.db}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"

flags=()
[ -n "${CONTACT:-}" ] && flags+=(--contact "$CONTACT")
[ -n "${EHLO_NAME:-}" ] && flags+=(--ehlo-name "$EHLO_NAME")
if [ "${LOCAL_UNBOUND:-0}" = 1 ]; then
  port=${UNBOUND_PORT:-5353}
  threads=$(( SHARDS < $(nproc) ? SHARDS : $(nproc) ))
  "$here/unbound/start-unbound.sh" "$OUT/unbound" "$port" "$threads"
  # stopped at the end, and waited for (up to 30 s): a rerun reuses its directory and port
  trap 'pid=$(cat "$OUT/unbound/unbound.pid" 2>/dev/null) && kill "$pid" 2>/dev/null &&
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; true' EXIT
  flags+=(--resolver "127.0.0.1:$port")
elif [ -n "${RESOLVER:-}" ]; then
  flags+=(--resolver "$RESOLVER")
fi
# shellcheck disable=SC2206  # EXTRA_FLAGS is split on spaces on purpose
flags+=(${EXTRA_FLAGS:-})

finished() {  # shard I has a finished scan of N shards in its database
  local db="$OUT/shard-$1.db"
  [ -s "$db" ] || return 1
  [ "$(sqlite3 "$db" "SELECT count(*) FROM scans WHERE finished_at IS NOT NULL AND shard_count = $SHARDS AND shard_index = $1" 2>/dev/null || echo 0)" -ge 1 ]
}
pending=()
for i in $(seq 0 $((SHARDS - 1))); do
  if finished "$i"; then echo "parallel.sh: shard $i of $SHARDS already finished, skipped" >&2
  else pending+=("$i"); fi
done

cmd=("$MTASTS" scan "$INPUT" --db "$OUT/shard-{}.db" --shards "$SHARDS" --shard {} --resume "${flags[@]}")
if [ "${#pending[@]}" -gt 0 ]; then
  if [ "${PARALLEL_IMPL:-parallel}" = parallel ] && command -v parallel >/dev/null; then
    echo "parallel.sh: ${#pending[@]} shards with GNU parallel -j $JOBS" >&2
    parallel -q -j "$JOBS" --halt never --line-buffer "${cmd[@]}" ::: "${pending[@]}"
  else
    echo "parallel.sh: ${#pending[@]} shards with xargs -P $JOBS" >&2
    printf '%s\n' "${pending[@]}" | xargs -P "$JOBS" -I{} "${cmd[@]}"
  fi
fi

# Gather every shard by name; merge into a fresh file and move it into place.
dbs=()
for i in $(seq 0 $((SHARDS - 1))); do
  finished "$i" || { echo "parallel.sh: shard $i of $SHARDS did not finish ($OUT/shard-$i.db); rerun to resume it" >&2; exit 1; }
  dbs+=("$OUT/shard-$i.db")
done
rm -f "$MERGED.tmp" "$MERGED.tmp-wal" "$MERGED.tmp-shm"
"$MTASTS" merge --into "$MERGED.tmp" "${dbs[@]}"
rm -f "$MERGED-wal" "$MERGED-shm"
mv -f "$MERGED.tmp" "$MERGED"
echo "parallel.sh: $SHARDS shards merged into $MERGED" >&2
