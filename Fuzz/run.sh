#!/usr/bin/env bash
# make fuzz: build the libFuzzer targets and run each for FUZZ_SECONDS, then feed each parser
# pathological inputs of two sizes (x4 apart) and print the time for each, to show it stays
# linear. Prints executions per second and corpus size for each target.
# FUZZ_TARGETS (default: all four) picks targets; FUZZ_DIR the corpus directory.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
SCRATCH=.build-fuzz
work=${FUZZ_DIR:-$PWD/Fuzz/corpus}
targets=${FUZZ_TARGETS:-FuzzRecord FuzzPolicy FuzzDNS FuzzX509}
for t in $targets; do
  MTASTS_FUZZ=1 swift build -c release --sanitize fuzzer --scratch-path "$SCRATCH" --product "$t" 2>&1 | tail -1
done
bin="$SCRATCH/release"
# Swift's own backtracer would take the SIGILL of a failed precondition before libFuzzer's
# handler, and the crashing input would not be saved: leave the signal to libFuzzer.
export SWIFT_BACKTRACE=enable=no

seeds_of() {
  case $1 in FuzzRecord) echo Fuzz/seeds/record ;; FuzzPolicy) echo Fuzz/seeds/policy ;;
    FuzzDNS) echo Fuzz/seeds/dns ;; FuzzX509) echo Fuzz/seeds/x509 ;; esac
}

passed=0 failed=0
run_one() { # target
  local t=$1 seeds corpus="$work/$1" log
  seeds=$(seeds_of "$t")
  mkdir -p "$corpus" "$work/artifacts"
  log=$(mktemp)
  # -timeout=2: any single input taking over 2 s is reported as a hang and fails the run. A
  # crashing input is saved under $work/artifacts (not in the source tree); replay it with
  # `$bin/$t FILE`.
  if ! "$bin/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=2 -rss_limit_mb=2048 \
       -artifact_prefix="$work/artifacts/$t-" -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1; then
    tail -40 "$log"; echo "fuzz: $t FAILED (crash, hang or leak above; input in $work/artifacts)"
    failed=$((failed + 1)); rm -f "$log"; return
  fi
  local runs secs
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  secs=$(awk '/Done [0-9]+ runs in/ {print $5}' "$log")
  echo "fuzz: $t ok: $runs runs in ${secs}s = $((runs / (secs > 0 ? secs : 1))) exec/s, corpus $(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
  passed=$((passed + 1))
  rm -f "$log"
}
for t in $targets; do run_one "$t"; done

# Linearity: the same pathological shape at two sizes x4 apart; the time should grow x4 at most
# (plus the process start). Text parsers get 256 KiB and 1 MiB; certificates 256 KiB and 1 MiB;
# DNS messages end at 64 KiB, so the DNS parser gets 16 KiB and 64 KiB, each parsed 20 times
# (-runs=20) so that the time is the parser's and not the process start's.
if [ "${FUZZ_LINEAR:-1}" = 1 ]; then
  big=$(mktemp -d)
  python3 Fuzz/linear_inputs.py "$big"
  tfile=$(mktemp)
  secs_for() { /usr/bin/time -f %e -o "$tfile" "$@" >/dev/null 2>&1; cat "$tfile"; }
  for t in $targets; do
    for f in "$big/$t".*.small; do
      [ -e "$f" ] || continue
      shape=${f#"$big/$t".}; shape=${shape%.small}
      large="$big/$t.$shape.large"
      reps=1; [ "$t" = FuzzDNS ] && reps=20
      small_s=$(secs_for "$bin/$t" -runs=$reps "$f")
      large_s=$(secs_for "$bin/$t" -runs=$reps "$large")
      echo "linear: $t $shape: $(($(stat -c %s "$f") / 1024)) KiB ${small_s}s, $(($(stat -c %s "$large") / 1024)) KiB ${large_s}s (input x4; $reps run(s); process start included)"
    done
  done
  rm -f "$tfile"
  rm -rf "$big"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
