# mtasts — the two commands a newcomer needs: `make test` and `make demo`.
# Everything installs what it needs first (Debian packages, idempotently).
SHELL := /bin/bash
SWIFT ?= swift
FUZZ_SECONDS ?= 60
export FUZZ_SECONDS

# Debian packages the build needs (the test world adds its own in Tests/World/world.mk).
BUILD_DEBS := libcurl4-openssl-dev libc-ares-dev libsqlite3-dev libssl-dev pkg-config time
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release test unit-test fuzz demo clean help
all: build

help:
	@echo "make test    install what the tests need, build, run every test (unit, CLI, test world)"
	@echo "make demo    install, build, bring up the loopback world, lint its policies, stop the world"
	@echo "make build   debug build;  make release: release build"
	@echo "make fuzz    libFuzzer on the record and policy parsers, FUZZ_SECONDS each (default 60)"
	@echo "make world-up / world-check / world-down / world-bench   the loopback test world"

# Installs only what is missing, so a second run takes a moment.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "deps: no swift toolchain on PATH (need Swift 6)"; exit 1; }
	@missing=""; for p in $(BUILD_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: build packages present"; fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

unit-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The whole suite. The loopback world is brought up, checked against its ground truth with
# independent tools, and always brought down, even when a step fails.
test: deps world-deps
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory world-up
	@status=0; \
	$(MAKE) --no-print-directory world-check || status=1; \
	$(SWIFT) test --skip-build || status=1; \
	$(MAKE) --no-print-directory world-down; \
	exit $$status

fuzz: deps
	Fuzz/run.sh

# Until `mtasts scan` lands, the demo shows the world and lints the policies it serves.
demo: deps world-deps release
	@$(MAKE) --no-print-directory world-up
	@status=0; Tests/World/demo_lint.sh "$(WORLD_DIR)" .build/release/mtasts || status=1; \
	$(MAKE) --no-print-directory world-down; exit $$status

clean:
	rm -rf .build .build-fuzz

-include Tests/World/world.mk
