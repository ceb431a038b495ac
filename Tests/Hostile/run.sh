#!/usr/bin/env bash
# The hostile world: the real mtasts binary against DNS, HTTPS and SMTP servers on loopback that
# misbehave on purpose (issue 14), each case checked against cases.json with its bounds.
#   Tests/Hostile/run.sh MTASTS_BIN
# Prints one line per case and last 'hostile: N passed, M failed'; exit 1 on any failure.
# Its servers are stopped by pid whatever happens (run.py's finally; the trap below covers a
# run.py that is itself killed). Addresses and ports: HOSTILE_* variables, see run.py.
set -uo pipefail
BIN=${1:-${MTASTS_BIN:-.build/debug/mtasts}}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$BIN" ]; then echo "hostile: no mtasts binary at $BIN"; echo "hostile: 0 passed, 1 failed"; exit 1; fi
python3 "$HERE/run.py" "$BIN" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
wait $pid
