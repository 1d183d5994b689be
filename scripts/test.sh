#!/usr/bin/env bash
# `make test` (and CI): check the Swift code's format (.swift-format; `make
# format` fixes it), build, start a private Redis and SecantusDB on free
# ports, run `swift test` against them, stop them and remove their data.
# Exits with swift test's status.
#
# The tests find the servers and binaries through:
#   SLUICE_TEST_REDIS_URL  redis://127.0.0.1:PORT      (tests pick db numbers)
#   SLUICE_TEST_MONGO_URL  mongodb://127.0.0.1:PORT/   (tests pick databases)
#   SLUICE_BIN_DIR         debug bin dir with sluice-ingest, sluice-worker, sluicectl
#   SLUICE_TEST_SECANTUSD  secantusd-py, for tests that need a server of their own
#
# Before swift test it runs scripts/chaos.py with CHAOS_EVENTS events (default
# 3000; 0 skips it), then the Redis Cluster failover test tests/cluster/run.sh
# (six nodes of its own, a master SIGKILLed while events are posted with
# SLUICE_REPLICA_ACKS=1; CLUSTER_TEST=0 skips it), then the browser test
# tests/browser/test_tracker.py
# (headless Chromium against its own ingest and worker on the servers above;
# bootstrap installs chromium, chromium-driver and selenium for it) and the
# React hooks test tests/react/test_react.py (tsc, esbuild, React from Debian),
# the cookie domain test tests/browser/test_cookie_domain.py (SLUICE_COOKIE_DOMAIN
# in Chromium with --host-resolver-rules),
# then the dashboard test tests/dashboard/test_dashboard.py (every page of a
# sluice-dashboard over a store seeded through ingest, read in headless Chromium
# and compared with figures counted from the raw collections; the login with
# SLUICE_ADMIN_TOKEN; DASHBOARD_TEST=0 skips it),
# then the Express middleware test tests/express/test_express.py (Debian's
# nodejs and node-express; EXPRESS_TEST=0 skips it),
# then the schema guide's queries, tests/schema/test_schema.py (SCHEMA_TEST=0
# skips it), docs/production.md's nginx proxy in front of a live ingest,
# tests/proxy/test_proxy.py (PROXY_TEST=0 skips it), and the alert rules
# through promtool (ALERTS_TEST=0 skips it).
# BROWSER_TEST=0 skips it, e.g. while iterating locally. Then the API contract
# check tests/api/run.sh: schemathesis against a live ingest and
# docs/openapi.json (docs/api.md), and tests/api/dashboard.sh, the same against
# a live dashboard and docs/dashboard.openapi.json; API_TEST=0 skips both. Before the servers
# start, the fuzz target (fuzz/run.sh) runs for FUZZ_SECONDS (default 60 here);
# FUZZ=0 skips it. Then, still before the servers, the deploy kits' check
# tests/deploy/check.sh (Compose schema, Kubernetes and KEDA schemas, hadolint,
# systemd-analyze verify; docs/deploy.md); DEPLOY_TEST=0 skips it. Then the
# capacity model's invariants, tests/capacity/test_capacity.py (docs/capacity.md);
# CAPACITY_TEST=0 skips it.
#
# Extra `swift test` arguments: TEST_ARGS (split on spaces), then this
# script's own arguments, e.g.
#   TEST_ARGS='--filter SluiceCoreTests' make test
#   scripts/test.sh --filter 'SluiceIntegrationTests.IngestTests'
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SLUICE_LOG_TAG="test"

cd "$SLUICE_ROOT"
BROWSER_TEST="${BROWSER_TEST:-1}"
export BROWSER_TEST
API_TEST="${API_TEST:-1}"
export API_TEST
ALERTS_TEST="${ALERTS_TEST:-1}"
export ALERTS_TEST
EXPRESS_TEST="${EXPRESS_TEST:-1}"
export EXPRESS_TEST
PROXY_TEST="${PROXY_TEST:-1}"
export PROXY_TEST
DEPLOY_TEST="${DEPLOY_TEST:-1}"
export DEPLOY_TEST
DASHBOARD_TEST="${DASHBOARD_TEST:-1}"
export DASHBOARD_TEST
bash "$SLUICE_ROOT/scripts/bootstrap.sh"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-test.XXXXXX")"

# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        # Server-side errors (a crashed SecantusDB, a Redis refusing writes)
        # explain many test failures and would be lost with the temp dir.
        show_log_tail "$tmp/redis.log" 40
        show_log_tail "$tmp/mongo.log" 40
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

# The code's format first: seconds, and a difference is the cheapest failure to fix.
log "swift format lint (.swift-format)"
swift format lint --strict --configuration "$SLUICE_ROOT/.swift-format" --recursive \
    "$SLUICE_ROOT/Sources" "$SLUICE_ROOT/Tests" "$SLUICE_ROOT/Plugins" "$SLUICE_ROOT/fuzz" "$SLUICE_ROOT/Package.swift" ||
    die "the Swift code differs from .swift-format (see above): run make format"

# Build before starting servers: a compile error then fails fast and alone.
log "swift build --build-tests"
swift build --build-tests
SLUICE_BIN_DIR="$(swift_bin_dir debug)"
export SLUICE_BIN_DIR

# The libFuzzer target over the parser, validator and redactor (fuzz/run.sh):
# before the servers start, as it needs none, and before swift test so the test
# runner's summary ends the output. FUZZ=0 skips it.
if [[ "${FUZZ:-1}" == 0 ]]; then
    log "fuzzing skipped (FUZZ=0)"
else
    FUZZ_SECONDS="${FUZZ_SECONDS:-60}" bash "$SLUICE_ROOT/fuzz/run.sh" || die "the fuzz target failed (see above)"
fi

# The deploy kits (deploy/): validated without a container engine or cluster,
# and without servers, so before they start. DEPLOY_TEST=0 skips it.
if [[ "$DEPLOY_TEST" == 0 ]]; then
    log "deploy kits check skipped (DEPLOY_TEST=0)"
else
    bash "$SLUICE_ROOT/tests/deploy/check.sh" ||
        die "a deploy kit in deploy/ failed its check (see above; docs/deploy.md says what each check covers)"
fi

# The capacity model's invariants on the committed bench results (docs/capacity.md);
# no servers, about a second. CAPACITY_TEST=0 skips it.
if [[ "${CAPACITY_TEST:-1}" == 0 ]]; then
    log "capacity model test skipped (CAPACITY_TEST=0)"
else
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/capacity/test_capacity.py" ||
        die "the capacity model (bench/capacity_model.py) broke an invariant (see above)"
fi

# Fresh ports every run, so tests can run beside `make run` or another
# checkout's tests.
{ read -r redis_port && read -r mongo_port; } < <(free_ports 2) ||
    die "could not pick free ports (python3 needed)"

# A database per Redis-using test: SluiceIntegrationTests take 1...39 and
# 64...127, SluiceControlTests 40...63 and 320...351, SluiceWorkerTests 128...159
# and 352...383, SluiceDashboardTests 160...191 and 224...255, SluiceReportsTests
# 192...223, SluiceIngestTests 256...287, SluiceRedisTests 288...319
# (Support/TestEnvironment.swift, TestRedis.swift, DerivedTestBed.swift,
# DashboardTestBed.swift, ReportsTestBed.swift, IngestTestBed.swift,
# RedisTestDatabase.swift).
start_redis "$redis_port" "$tmp/redis" "$tmp/redis.log" --databases 384
# :memory: keeps its WiredTiger files in a temp dir under TMPDIR; pointing
# TMPDIR into our own temp dir means even a killed server leaves nothing.
mkdir -p "$tmp/secantus"
TMPDIR="$tmp/secantus" start_secantusd "$mongo_port" :memory: "$tmp/mongo.log"

export SLUICE_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
export SLUICE_TEST_MONGO_URL="mongodb://127.0.0.1:$mongo_port/"
# Tests that pause or kill a MongoDB server start their own from here.
export SLUICE_TEST_SECANTUSD="$SLUICE_VENV/bin/secantusd-py"
log "SLUICE_TEST_REDIS_URL=$SLUICE_TEST_REDIS_URL SLUICE_TEST_MONGO_URL=$SLUICE_TEST_MONGO_URL"
log "SLUICE_BIN_DIR=$SLUICE_BIN_DIR"

extra_args=()
if [[ -n "${TEST_ARGS:-}" ]]; then
    read -r -a extra_args <<<"$TEST_ARGS"
fi

# The reduced chaos run (the delivery guarantee under kills and restarts) with
# its own servers; before swift test so the test runner's summary ends the
# output. CHAOS_EVENTS=0 skips it, e.g. while iterating on one test.
chaos_events="${CHAOS_EVENTS:-3000}"
if ((chaos_events > 0)); then
    log "chaos run: $chaos_events events"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/scripts/chaos.py" --events "$chaos_events" --rate 500 --bin-dir "$SLUICE_BIN_DIR" ||
        die "the chaos run failed: lost or duplicated events, derived data that differs from the raw events, or limits that refused it (see above)"
fi

# The Redis Cluster acceptance test: its own six-node cluster, SecantusDB, ingest
# and worker; a master killed mid-run. CLUSTER_TEST=0 skips it.
if [[ "${CLUSTER_TEST:-1}" == 0 ]]; then
    log "Redis Cluster failover test skipped (CLUSTER_TEST=0)"
else
    log "Redis Cluster failover test: tests/cluster/run.sh"
    bash "$SLUICE_ROOT/tests/cluster/run.sh" "$SLUICE_BIN_DIR" ||
        die "the Redis Cluster failover test failed: an accepted event lost or stored twice, an answer other than 202 or 503, or no failover (see above)"
fi

# The browser tracker in a real browser; also before swift test, for the same reason.
if [[ "$BROWSER_TEST" == 0 ]]; then
    log "browser test skipped (BROWSER_TEST=0)"
else
    log "browser test: tests/browser/test_tracker.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/browser/test_tracker.py" ||
        die "the browser test failed (see above)"
    log "React hooks test: tests/react/test_react.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/react/test_react.py" ||
        die "the React hooks test failed (see above)"
    log "cookie domain test: tests/browser/test_cookie_domain.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/browser/test_cookie_domain.py" ||
        die "the cookie domain test failed (see above)"
fi

# The dashboard's pages in Chromium against the raw collections; DASHBOARD_TEST=0 skips it.
if [[ "$DASHBOARD_TEST" == 0 ]]; then
    log "dashboard test skipped (DASHBOARD_TEST=0)"
else
    log "dashboard test: tests/dashboard/test_dashboard.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/dashboard/test_dashboard.py" ||
        die "a dashboard page shows a figure other than the raw collections give, or its access control failed (see above)"
fi

# The Express middleware (clients/express) under Debian's node and node-express,
# against its own ingest and worker; EXPRESS_TEST=0 skips it.
if [[ "$EXPRESS_TEST" == 0 ]]; then
    log "Express middleware test skipped (EXPRESS_TEST=0)"
else
    log "Express middleware test: tests/express/test_express.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/express/test_express.py" ||
        die "the Express middleware test failed (see above)"
fi

# docs/schema.md's example queries against a store seeded through ingest and the worker.
if [[ "${SCHEMA_TEST:-1}" == 0 ]]; then
    log "schema guide check skipped (SCHEMA_TEST=0)"
else
    log "schema guide check: tests/schema/test_schema.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/schema/test_schema.py" ||
        die "a query of docs/schema.md failed, or the guide misses a collection or index (see above)"
fi

# docs/production.md's nginx configuration in front of a live ingest, over TLS.
if [[ "$PROXY_TEST" == 0 ]]; then
    log "proxy test skipped (PROXY_TEST=0)"
else
    log "proxy test: tests/proxy/test_proxy.py"
    "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/proxy/test_proxy.py" ||
        die "the production guide's proxy set-up failed (see above)"
fi

# Every error code ingest answers is in docs/operations.md's table of rejection reasons.
"$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/docs/check_rejection_reasons.py" ||
    die "docs/operations.md's rejection reasons do not match ingest's error codes (see above)"

# The Prometheus alert rules (deploy/monitoring): syntax, the example config, and their unit tests.
if [[ "$ALERTS_TEST" == 0 ]]; then
    log "alert rules check skipped (ALERTS_TEST=0)"
else
    log "alert rules: promtool check rules, check config, test rules (deploy/monitoring)"
    (cd "$SLUICE_ROOT/deploy/monitoring" && promtool check rules sluice-alerts.yml &&
        promtool check config prometheus.yml && promtool test rules alerts-test.yml) ||
        die "the alert rules in deploy/monitoring failed promtool (see above)"
fi

# The ingest against its OpenAPI description (schemathesis); before swift test too.
if [[ "$API_TEST" == 0 ]]; then
    log "API check skipped (API_TEST=0)"
else
    bash "$SLUICE_ROOT/tests/api/run.sh" || die "the ingest does not match docs/openapi.json (see above)"
    bash "$SLUICE_ROOT/tests/api/dashboard.sh" || die "the dashboard does not match docs/dashboard.openapi.json (see above)"
fi

log "swift test --skip-build ${extra_args[*]} $*"
status=0
swift test --skip-build --disable-xctest "${extra_args[@]}" "$@" || status=$?
if ((status != 0)); then
    log "swift test failed (exit status $status)"
fi
exit "$status"
