#!/usr/bin/env bash
# make fuzz: build the libFuzzer targets and run each for FUZZ_SECONDS, then feed each parser
# pathological 256 KiB and 1 MiB inputs and print the time per byte, to show it stays linear.
# Prints executions per second and corpus size for each target.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
SCRATCH=.build-fuzz
work=${FUZZ_DIR:-$PWD/Fuzz/corpus}
for t in FuzzRecord FuzzPolicy; do
  MTASTS_FUZZ=1 swift build -c release --sanitize fuzzer --scratch-path "$SCRATCH" --product "$t" 2>&1 | tail -1
done
bin="$SCRATCH/release"

run_one() { # target seeds-dir
  local t=$1 seeds=$2 corpus="$work/$1" log
  mkdir -p "$corpus"
  log=$(mktemp)
  # -timeout=2: any single input taking over 2 s is reported as a hang and fails the run.
  if ! "$bin/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=2 -rss_limit_mb=2048 \
       -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1; then
    tail -40 "$log"; echo "fuzz: $t FAILED (crash, hang or leak above)"; exit 1
  fi
  local runs secs
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  secs=$(awk '/Done [0-9]+ runs in/ {print $5}' "$log")
  echo "fuzz: $t ok: $runs runs in ${secs}s = $((runs / (secs > 0 ? secs : 1))) exec/s, corpus $(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
  rm -f "$log"
}
run_one FuzzRecord Fuzz/seeds/record
run_one FuzzPolicy Fuzz/seeds/policy

# Linearity: the same pathological shape at 256 KiB and 1 MiB; time per byte should not grow.
big=$(mktemp -d)
python3 - "$big" <<'PY'
import os, random, sys
d = sys.argv[1]; r = random.Random(1)
shapes = {
  "random": lambda n: bytes(r.getrandbits(8) for _ in range(n)),
  "semicolons": lambda n: b"v=STSv1" + b";" * (n - 7),
  "fields": lambda n: b"v=STSv1" + b"; a=b" * ((n - 7) // 5),
  "lines": lambda n: b"\n" * n,
  "mxlines": lambda n: b"mx: *.example.com\r\n" * (n // 19),
  "crs": lambda n: b"\r" * n,
}
for name, f in shapes.items():
    for n in (262144, 1048576):
        open(os.path.join(d, "%s-%d" % (name, n)), "wb").write(f(n))
PY
tfile=$(mktemp)
secs_for() { /usr/bin/time -f %e -o "$tfile" "$@" >/dev/null 2>&1; cat "$tfile"; }
for t in FuzzRecord FuzzPolicy; do
  for f in "$big"/*-262144; do
    shape=$(basename "$f" -262144)
    small=$(secs_for "$bin/$t" "$f")
    large=$(secs_for "$bin/$t" "$big/$shape-1048576")
    echo "linear: $t $shape: 256 KiB ${small}s, 1 MiB ${large}s (input x4; process start included)"
  done
done
rm -f "$tfile"
rm -rf "$big"
