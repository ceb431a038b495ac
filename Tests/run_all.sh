#!/usr/bin/env bash
# `make test`: every test, in order, against the loopback world, which is always brought down.
#   1. the world's self-check with dig/curl/openssl against its truth (no mtasts involved)
#   1b. cold-check: the benchmarks' cold restart of unbound (world.sh cold) checked with dig
#   2. end-to-end: the mtasts binary scans the world; export compared with truth, resume, check
#   2s. sni-probe: --no-sni-probe against the truth's mx-sni-dependent domains and the default scan
#   2a. timeout-replay: `reclassify --timeout 2` of a --timeout 8 scan equals a --timeout 2 scan
#   2b. epochs: epoch 1 and epoch 2 of a small world of their own (own ports) scanned into one
#       database; diff, cross-scan findings, exports and trends compared with the generator's truth
#   2c. hostile: the binary against DNS, HTTPS and SMTP servers of its own that misbehave on
#       purpose (Tests/Hostile: own addresses 127.77.x.x and ports), each case with its bounds
#   2d. cuts: three scans of a realistic world (own ports); report's standard cuts, trends,
#       --panel and --figures-dir checked against the truth and pandas/DuckDB on the export
#   2e. cli-doc: every option of `mtasts <command> --help` named in docs/CLI.md, defaults equal
#   2f. bench-split: make bench's CPU split (bench/cpu_split.py) on databases with known answers
#   2g. bench-latency: make bench-latency's steady rate (bench/latency/steady.py) on runs with
#       known answers
#   3. deploy-check: the deploy/ recipes checked, the k8s manifests schema-validated, the launchers
#      run on real GNU parallel and a single-node Slurm cluster against this world (its truth);
#      docker-check: deploy/Dockerfile built for real, the image run on this world
#   4. swift test: core conformance tables, store, CLI, C-library link tests
#   5. fuzz: the four libFuzzer targets (make fuzz) for TEST_FUZZ_SECONDS each (default 15),
#      after the world is down; about 3 minutes on a clean clone, most of it the fuzz build
# The last line sums them up as 'N passed, M failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
WORLD_DIR=${WORLD_DIR:-$PWD/world}
LOG=$(mktemp -d /tmp/mtasts-test.XXXXXX)
status=0

make --no-print-directory world-up || { echo "make test: the world did not come up"; exit 1; }

make --no-print-directory world-check 2>&1 | tee "$LOG/world-check.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# the benchmarks' cold restart of unbound, on this world (its ports are world.mk's defaults)
WORLD_DNS_PORT=${WORLD_DNS_PORT:-5300} Tests/World/cold_check.sh "$WORLD_DIR" 2>&1 | tee "$LOG/cold-check.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

Tests/E2E/run.sh "$WORLD_DIR" .build/debug/mtasts 2>&1 | tee "$LOG/e2e.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

Tests/E2E/timeout_replay.sh "$WORLD_DIR" .build/debug/mtasts 2>&1 | tee "$LOG/timeout-replay.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# sender profiles (issue 17): the rfc profile against the truth; reclassify --profile changes no other table
Tests/E2E/profiles.sh "$WORLD_DIR" .build/debug/mtasts 2>&1 | tee "$LOG/profiles.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# --no-sni-probe (issue 19): the mx-sni-dependent domains of the truth with and without the probe
Tests/E2E/sni_probe.sh "$WORLD_DIR" .build/debug/mtasts 2>&1 | tee "$LOG/sni-probe.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

Tests/E2E/epochs.sh .build/debug/mtasts 2>&1 | tee "$LOG/epochs.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

Tests/Hostile/run.sh .build/debug/mtasts 2>&1 | tee "$LOG/hostile.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

Tests/E2E/cuts.sh .build/debug/mtasts 2>&1 | tee "$LOG/cuts.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

python3 Tests/cli_doc_check.py .build/debug/mtasts docs/CLI.md 2>&1 | tee "$LOG/cli-doc.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# make bench's CPU split (bench/cpu_split.py) against databases with known connection counts
python3 Tests/bench_split_check.py 2>&1 | tee "$LOG/bench-split.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# make bench-latency's steady rate (bench/latency/steady.py) against runs with known rates
python3 Tests/bench_latency_check.py 2>&1 | tee "$LOG/bench-latency.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

make --no-print-directory deploy-check 2>&1 | tee "$LOG/deploy.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# deploy/Dockerfile built with a private dockerd and its image run on this world (8-11 min, ~7 GB)
make --no-print-directory docker-check 2>&1 | tee -a "$LOG/deploy.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

swift test --skip-build 2>&1 | tee "$LOG/swift-test.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

make --no-print-directory world-down

# No linearity timings here: they assert nothing; `make fuzz` prints them.
FUZZ_SECONDS=${TEST_FUZZ_SECONDS:-15} FUZZ_LINEAR=0 Fuzz/run.sh 2>&1 | tee "$LOG/fuzz.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# Sum up: Swift Testing's 'Test run with N tests', plus the scripts' 'N passed, M failed' lines.
python3 - "$LOG" "$status" <<'PY'
import re, sys, os
log, status = sys.argv[1], int(sys.argv[2])
p = f = 0
t = open(os.path.join(log, "swift-test.txt"), errors="replace").read()
m = re.search(r"Test run with (\d+) tests? (?:in \d+ suites? )?passed", t)
if m: p += int(m.group(1))
m = re.search(r"Test run with (\d+) tests? (?:in \d+ suites? )?failed.*?with (\d+) issue", t)
if m: f += max(1, int(m.group(2)))
for name in ("world-check.txt", "cold-check.txt", "e2e.txt", "timeout-replay.txt", "profiles.txt", "sni-probe.txt", "epochs.txt", "hostile.txt", "cuts.txt", "cli-doc.txt", "bench-split.txt", "bench-latency.txt", "deploy.txt", "fuzz.txt"):
    for line in open(os.path.join(log, name), errors="replace"):
        # Only the scripts' own closing lines ('[label: ]N passed, M failed'), not lines quoting them.
        m = re.match(r"^(?:[\w-]+: )?(\d+) passed, (\d+) failed\s*$", line)
        if line.startswith("e2e-truth"): continue   # row counts inside a test, not tests
        if m:
            p += int(m.group(1)); f += int(m.group(2))
if status and f == 0: f = 1
print("make test: %d passed, %d failed" % (p, f))
PY
rm -rf "$LOG"
exit $status
