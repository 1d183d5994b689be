# Entry points for developers and CI. The work is done by scripts/*.sh so
# it can also be run without make; see each script's header for its
# environment variables.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Build configuration for `make run` (the binaries it starts).
CONFIG ?= release
# Extra arguments for `swift test`, e.g. make test TEST_ARGS='--filter SluiceCoreTests'
TEST_ARGS ?=
# Passed through the environment rather than pasted into a recipe line, so
# the values reach the scripts unmangled by shell quoting. (Variables given
# on make's command line, like REDIS_PORT=6380, are exported by make anyway.)
export CONFIG TEST_ARGS

.PHONY: help bootstrap build release run test format fuzz chaos bench bench-adversarial bench-enrichment bench-dashboard bench-lag-compare capacity clean

help:
	@echo 'Sluice targets:'
	@echo '  make bootstrap  install missing Debian packages and the SecantusDB venv (.venv)'
	@echo '  make build      debug build (swift build)'
	@echo '  make release    release build (swift build -c release)'
	@echo '  make run        build (CONFIG=release) and run Redis, SecantusDB, ingest and worker'
	@echo '                  in the foreground on :6379, :27017, :3005; Ctrl-C stops all'
	@echo '                  (ports: REDIS_PORT, MONGO_PORT, SLUICE_INGEST_PORT)'
	@echo '  make test       build and run the tests against private Redis and SecantusDB'
	@echo "                  servers on free ports (TEST_ARGS='--filter X')"
	@echo '  make format     format the Swift code (Sources, Tests, Plugins, fuzz) with .swift-format (make test checks it)'
	@echo '  make fuzz       the libFuzzer target over parser, validator and redactor for FUZZ_SECONDS'
	@echo '                  (default 600; make test runs it for 60, FUZZ=0 skips it there)'
	@echo '  make chaos      kill and restart every part under load, check nothing is lost'
	@echo '                  or doubled (CHAOS_EVENTS=100000, CHAOS_RATE=2000)'
	@echo '  make bench      release build, then throughput, latency and memory beside the Redis and'
	@echo '                  MongoDB ceilings on a private stack (8-11 min); writes bench/results/latest.md'
	@echo '  make bench-adversarial  ingest CPU per KB of hostile bodies beside a typical one (~2 min);'
	@echo '                  writes bench/results/adversarial.md (also run at the end of make bench)'
	@echo '  make bench-enrichment  µs per event of the enrichment step, cold user-agent parse time'
	@echo '  make bench-dashboard  every dashboard page'"'"'s server time (p50/p95) over 10,000, 300,000 and'
	@echo '                  1,000,000 events across 30 days, side by side (~1 h, most of it building the'
	@echo '                  1,000,000-event store); writes bench/results/dashboard.md'
	@echo '  make bench-lag-compare  end-to-end lag of the design before derived data (LAG_BASELINE_COMMIT) and of'
	@echo '                  this tree, one after the other (~30 min with the old build); writes'
	@echo '                  bench/results/lag-compare.md and re-pins bench/lag-baseline.json'
	@echo '  make capacity  the capacity model: parts a peak needs, where each added part stops helping,'
	@echo '                  from bench/results/*.json (CAPACITY_ARGS, e.g. --mode single; docs/capacity.md)'
	@echo '  make clean      remove .run (local stack data and logs)'

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	swift build

release: bootstrap
	swift build -c release

run:
	@bash scripts/run-stack.sh

test:
	@bash scripts/test.sh

# The code's format: .swift-format, applied by the toolchain's swift-format;
# make test fails on any difference (scripts/test.sh).
format:
	swift format format --configuration .swift-format --in-place --recursive Sources Tests Plugins fuzz Package.swift

# The libFuzzer target, longer than make test runs it (docs/performance.md).
fuzz: bootstrap
	@FUZZ_SECONDS="$${FUZZ_SECONDS:-600}" bash fuzz/run.sh

# The full chaos run of the delivery guarantee (see docs/operations.md).
CHAOS_EVENTS ?= 100000
CHAOS_RATE ?= 2000
chaos: bootstrap
	swift build
	.venv/bin/python scripts/chaos.py --events $(CHAOS_EVENTS) --rate $(CHAOS_RATE)

# Benchmarks against the ceilings of Redis and MongoDB (docs/performance.md).
bench:
	@bash bench/run.sh

# Bounded work per byte: adversarial bodies beside a typical one (docs/performance.md).
bench-adversarial: bootstrap
	@bash bench/adversarial.sh

# The enrichment step alone, µs per event and per cold user-agent parse (docs/performance.md).
bench-enrichment: bootstrap
	swift build -c release --product sluice-enrichment-bench
	"$$(swift build -c release --show-bin-path)/sluice-enrichment-bench"

# The dashboard's pages over a small and a large store, side by side (docs/performance.md).
bench-dashboard: bootstrap
	@bash bench/dashboard.sh

# The lag target's baseline, measured beside this tree in one run (docs/performance.md).
bench-lag-compare: bootstrap
	@bash bench/lag-compare.sh

# The capacity model over the measured figures (docs/capacity.md); no servers.
CAPACITY_ARGS ?=
capacity:
	python3 bench/capacity.py $(CAPACITY_ARGS)

clean:
	rm -rf .run
