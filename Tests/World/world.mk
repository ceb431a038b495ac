# The mtasts test world (Tests/World/README.md).  Include from the top-level Makefile:
#     include Tests/World/world.mk
# Every variable can be overridden from the environment or the make command line.
WORLD_HERE       := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
WORLD_DIR        ?= $(CURDIR)/world
WORLD_PROFILE    ?= test
WORLD_N          ?= 10000
WORLD_SEED       ?= 1
WORLD_EPOCH      ?= 1
WORLD_DNS_IP     ?= 127.0.0.1
WORLD_DNS_PORT   ?= 5300
WORLD_AUTH_PORT  ?= 5301
WORLD_HTTPS_PORT ?= 8443
WORLD_SMTP_PORT  ?= 2525
WORLD_NET        ?= 127.0
WORLD_1M_DIR     ?= $(WORLD_DIR)/realistic-1m

WORLD_ENV = WORLD_PROFILE=$(WORLD_PROFILE) WORLD_N=$(WORLD_N) WORLD_SEED=$(WORLD_SEED) \
  WORLD_EPOCH=$(WORLD_EPOCH) WORLD_DNS_IP=$(WORLD_DNS_IP) WORLD_DNS_PORT=$(WORLD_DNS_PORT) \
  WORLD_AUTH_PORT=$(WORLD_AUTH_PORT) WORLD_HTTPS_PORT=$(WORLD_HTTPS_PORT) \
  WORLD_SMTP_PORT=$(WORLD_SMTP_PORT) WORLD_NET=$(WORLD_NET)

.PHONY: world-deps world-up world-down world-check world-bench world-bench-1m

world-deps:
	bash $(WORLD_HERE)/deps.sh

world-up:
	$(WORLD_ENV) bash $(WORLD_HERE)/world.sh up $(WORLD_DIR)

world-down:
	$(WORLD_ENV) bash $(WORLD_HERE)/world.sh down $(WORLD_DIR)

world-check:
	$(WORLD_ENV) bash $(WORLD_HERE)/world.sh check $(WORLD_DIR)

# capacity figures of the running (or freshly started) 10k test world
world-bench:
	$(WORLD_ENV) bash $(WORLD_HERE)/world_bench.sh $(WORLD_DIR)

# the realistic 1M world: generation, up/down times and DNS figures (takes minutes)
world-bench-1m:
	$(WORLD_ENV) WORLD_PROFILE=realistic WORLD_N=1000000 DNSPERF_SECONDS=$${DNSPERF_SECONDS:-400} \
	  bash $(WORLD_HERE)/world_bench.sh $(WORLD_1M_DIR)
