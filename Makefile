# mtasts — the two commands a newcomer needs: `make test` and `make demo`.
# Everything installs what it needs first (Debian packages, idempotently).
SHELL := /bin/bash
SWIFT ?= swift
FUZZ_SECONDS ?= 60
export FUZZ_SECONDS

# Debian packages the build needs (the test world adds its own in Tests/World/world.mk);
# publicsuffix gives `mtasts report` the Public Suffix List to group MX providers; libidn2 turns
# U-labels of the input into A-labels (IDNA2008).
BUILD_DEBS := libcurl4-openssl-dev libc-ares-dev libsqlite3-dev libssl-dev libjemalloc-dev libidn2-dev pkg-config time publicsuffix
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release test unit-test fuzz demo clean help
all: build

help:
	@echo "make test    install what the tests need, build, run every test (unit, CLI, test world)"
	@echo "make demo    install, build, bring up the loopback world, scan it, show the result, stop the world"
	@echo "make build   debug build;  make release: release build"
	@echo "make bench   scanner vs the dnsperf ceiling and vs the Python peer, at full and equal work (--no-smtp), CPU per domain and per TLS connection, the no-SNI probe's cost (BENCH_N, default 100000; BENCH_SCANS, default 3; BENCH_EXTRA=0: only the full scans)"
	@echo "make bench-latency   the same on a world with internet-like latency, --concurrency 1000/10000/50000 (LAT_N)"
	@echo "make profile where the CPU goes (perf on a 100k scan; PROFILE_N)"
	@echo "make fuzz    libFuzzer on the record, policy, DNS message and X.509 parsers, FUZZ_SECONDS each (default 60)"
	@echo "make world-up / world-check / world-down / world-bench   the loopback test world"
	@echo "make analysis-test   analysis/report.py (pandas, DuckDB, matplotlib) against mtasts report; ANALYSIS_DB=FILE"
	@echo "make man     the man page mtasts.1, generated from the argument parser, into .build/man/"
	@echo "make cuts-test   report cuts, trends --panel, figures and Parquet on three scans of a realistic world (CUTS_*_PORT, CUTS_NET)"
	@echo "make deploy-check    deploy/ on real GNU parallel and a single-node Slurm cluster, k8s manifests schema-validated"
	@echo "make docker-check    deploy/Dockerfile built with a private dockerd and run on the test world (8-11 min, ~7 GB)"

# Installs only what is missing, so a second run takes a moment.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "deps: no swift toolchain on PATH (need Swift 6)"; exit 1; }
	@missing=""; for p in $(BUILD_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: build packages present"; fi

# The commit in `mtasts --version` (Plugins/BuildCommit) written before every build. The plugin's
# prebuild command does it too, but SwiftPM skips planning, and with it every prebuild command,
# when no source changed: after a commit that touched only docs or scripts, `swift build` took
# 0.14 s and the binary kept the previous commit (and scans stored it as tool_version). Writing
# the file here, where the plugin has put it before, makes llbuild see it change.
STAMP_COMMIT = for d in .build/plugins/outputs/*/mtasts/destination/BuildCommit/generated; do \
	  [ -d "$$d" ] && sh Plugins/BuildCommit/commit.sh . "$$d"; done; true

build: deps
	@$(STAMP_COMMIT)
	$(SWIFT) build

release: deps
	@$(STAMP_COMMIT)
	$(SWIFT) build -c release

unit-test: deps
	@$(STAMP_COMMIT)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The whole suite (Tests/run_all.sh): the loopback world is brought up, checked against its ground
# truth with independent tools, scanned end to end, then every Swift test runs, and the world is
# always brought down.
# The report test renders HTML in Chromium, and runs analysis/report.py in its venv.
REPORT_DEBS := chromium
test: deps world-deps analysis/.venv/.installed
	@missing=""; for p in $(REPORT_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "test: installing$$missing"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi
	@$(STAMP_COMMIT)
	$(SWIFT) build --build-tests
	WORLD_DIR=$(WORLD_DIR) Tests/run_all.sh

fuzz: deps
	Fuzz/run.sh

# Install, build (release), bring the 10k test world up, scan it, show the summary and a few
# exported lines, bring the world down.
demo: deps world-deps release
	@$(MAKE) --no-print-directory world-up
	@status=0; set -o pipefail; . $(WORLD_DIR)/ports.env; rm -f $(WORLD_DIR)/demo.db*; \
	.build/release/mtasts scan $(WORLD_DIR)/domains.txt --db $(WORLD_DIR)/demo.db --label demo \
	  --resolver $$WORLD_DNS_IP:$$WORLD_DNS_PORT --ca-file $(WORLD_DIR)/ca/ca.crt \
	  --https-port $$WORLD_HTTPS_PORT --smtp-port $$WORLD_SMTP_PORT --ehlo-name scanner.mtasts.test \
	  --timeout 5 --exclude $(WORLD_DIR)/exclude.txt 2>&1 | grep -v ' done ' || status=1; \
	echo; echo "== a few lines of: mtasts export --db $(WORLD_DIR)/demo.db --format jsonl"; \
	.build/release/mtasts export --db $(WORLD_DIR)/demo.db --format jsonl --output $(WORLD_DIR)/demo.jsonl || status=1; \
	grep -m4 '"status": "valid"' $(WORLD_DIR)/demo.jsonl; \
	echo; echo "== mtasts report --db $(WORLD_DIR)/demo.db (first lines)"; \
	.build/release/mtasts report --db $(WORLD_DIR)/demo.db > $(WORLD_DIR)/demo-report.txt || status=1; head -40 $(WORLD_DIR)/demo-report.txt; \
	$(MAKE) --no-print-directory world-down; exit $$status

# datasets/samples/: what a scan of the 10k test world gives, regenerated from scratch: the CSV
# export, the HTML report and its tables as CSV (make demo leaves world/demo.db; this reuses it).
.PHONY: samples
samples: demo
	rm -rf datasets/samples && mkdir -p datasets/samples
	.build/release/mtasts export --db $(WORLD_DIR)/demo.db --format csv --output datasets/samples/test-world-export.csv
	.build/release/mtasts report --db $(WORLD_DIR)/demo.db --csv-dir datasets/samples/report-tables \
	  --html datasets/samples/test-world-report.html > datasets/samples/test-world-report.txt

clean:
	rm -rf .build .build-fuzz

-include Tests/World/world.mk

# Benchmarks: the scanner against the dnsperf ceiling of the same resolver (bench/run.sh).
# BENCH_N domains of the realistic world (default 100000; 1000000 works, on a tmpfs if needed).
.PHONY: bench
bench: deps world-deps release
	bench/run.sh

# The same world with internet-like latency (bench/latency/README.md: a C delay proxy in front of
# NSD, nginx and postfix): mtasts at --concurrency 1000, 10000, 50000 beside what the resolver
# sustains, and the Python peer at 500 and 5000 in flight (bench/latency/run.sh; LAT_N, default
# 100000; LAT_CONCURRENCY, LAT_PEER).
.PHONY: bench-latency
bench-latency: deps world-deps release
	bench/latency/run.sh

# Where the CPU goes: a cold scan of PROFILE_N realistic domains (default 100000) under perf, by
# library and by symbol, by owner (who asked for each sample: bench/perf_owner.py), and OpenSSL's
# fixed cost per TLS connection (bench/profile.sh).
.PHONY: profile
profile: deps world-deps release
	@command -v perf >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq linux-perf gcc >/dev/null; }
	bench/profile.sh

# analysis/: the database read with pandas and DuckDB, drawn with matplotlib (analysis/report.py),
# in the venv analysis/.venv (git-ignored), checked number for number against
# `mtasts report --csv-dir`. ANALYSIS_DB=FILE checks a scanned database of yours; without it a
# small offline scan is made (its resolver is a closed loopback port: every domain dns-error).
ANALYSIS_DB ?=
# The man page, generated from the argument parser (swift-argument-parser's generate-manual
# plugin), so it never disagrees with --help: `man -l .build/man/mtasts.1`.
.PHONY: man
man:
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual
	mkdir -p .build/man && cp .build/plugins/GenerateManual/outputs/mtasts/mtasts.1 .build/man/mtasts.1
	@echo "man: .build/man/mtasts.1 (man -l .build/man/mtasts.1)"

# Tests/E2E/cuts.sh alone (it is part of `make test`): three scans of a realistic world and one of
# the test world on their own ports, checked against the truth and pandas/DuckDB.
.PHONY: cuts-test
cuts-test: build world-deps analysis/.venv/.installed
	Tests/E2E/cuts.sh .build/debug/mtasts

.PHONY: analysis-test
analysis/.venv/.installed: analysis/requirements.txt
	python3 -m venv analysis/.venv
	analysis/.venv/bin/pip install -q -r analysis/requirements.txt
	touch $@

analysis-test: build analysis/.venv/.installed
	@db="$(ANALYSIS_DB)"; if [ -z "$$db" ]; then dir=$$(mktemp -d); db=$$dir/offline.db; \
	  printf 'a.example\nb.example\n# a comment\nnot a domain!\n' > $$dir/list.txt; \
	  .build/debug/mtasts scan $$dir/list.txt --db $$db --resolver 127.0.0.1:9 --https-port 9 --smtp-port 9 \
	    --ehlo-name scanner.mtasts.test --timeout 1 --retries 0 --no-smtp >$$dir/scan.log 2>&1 || { cat $$dir/scan.log; exit 1; }; fi; \
	status=0; analysis/test_report.sh $$db || status=1; [ -z "$(ANALYSIS_DB)" ] && rm -rf "$$dir"; exit $$status

# deploy/ (Slurm array, Kubernetes Indexed Job, Dockerfile, GNU parallel) checked against each other
# and the Makefile, the Kubernetes manifests validated offline against the Kubernetes schema
# (kubernetes-validate, in Tests/Deploy/.venv), and the launchers run on the real engines against
# the test world at WORLD_DIR (brought up and down here when none answers there): deploy/parallel.sh
# with GNU parallel, and deploy/slurm/submit.sh on a private single-node Slurm cluster (munge,
# slurmctld, slurmd on loopback, stopped at the end), the merged databases compared with the
# world's truth, one task requeued mid-scan (Tests/Deploy/check_deploy.py, engines.py).
# Ports of its own: DEPLOY_UNBOUND_PORT (5391), SLURMCTLD_PORT (5417), SLURMD_PORT (5418).
DEPLOY_PY := $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
DEPLOY_DEBS := python3-yaml sqlite3 parallel munge slurmctld slurmd slurm-client bind9-dnsutils
.PHONY: deploy-check docker-check
Tests/Deploy/.venv/.installed: Tests/Deploy/requirements.txt
	python3 -m venv Tests/Deploy/.venv
	Tests/Deploy/.venv/bin/pip install -q -r Tests/Deploy/requirements.txt
	touch $@

deploy-check: Tests/Deploy/.venv/.installed
	@missing=""; for p in $(DEPLOY_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "deploy-check: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@[ -x .build/debug/mtasts ] || $(MAKE) --no-print-directory build
	@WORLD_DIR=$(WORLD_DIR) $(DEPLOY_PY) Tests/Deploy/check_deploy.py

# deploy/Dockerfile built for real and run on the test world (Tests/Deploy/docker_check.sh): a
# private dockerd (--bridge=none --iptables=false, its own data-root and socket, stopped at the
# end), debian:12 made with debootstrap, the builder base made from this host's Swift toolchain
# (the official swift image cannot be pulled here). Brings the world up and down when none answers.
# Run by `make test` after deploy-check: 8-11 min and ~7 GB of disk at its peak, removed at the end
# (README "Beyond one machine").
DOCKER_DEBS := docker.io debootstrap bind9-dnsutils
docker-check:
	@missing=""; for p in $(DOCKER_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "docker-check: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@up=0; dig +time=2 +tries=1 -p $$(. $(WORLD_DIR)/ports.env 2>/dev/null; echo $${WORLD_DNS_PORT:-0}) @127.0.0.1 test. SOA 2>/dev/null | grep -q NOERROR \
	  || { $(MAKE) --no-print-directory world-up >/dev/null && up=1; }; \
	status=0; Tests/Deploy/docker_check.sh $(WORLD_DIR) || status=1; \
	[ $$up = 0 ] || $(MAKE) --no-print-directory world-down >/dev/null; exit $$status
