#!/usr/bin/env bash
# The API contract check: schemathesis (PyPI, installed into .venv by
# scripts/bootstrap.sh) generates requests from the OpenAPI description
# (docs/openapi.json, served by ingest at /openapi.json) and sends them to a
# live sluice-ingest started here. It fails on any 5xx, any status code the
# document does not list for the operation, and any response whose body,
# content type or required headers do not match it. Exits non-zero on any
# failure, including schemathesis or a binary missing: never skips.
#
# Three passes, each against its own ingest:
#   open     the shipped defaults (no sites file): every operation
#   guarded  a sites file (one allowed origin; the write key sent as
#            X-Sluice-Key, except to /track/api: tests/api/guarded.toml),
#            an admin token (not sent), SLUICE_DNT=drop, low address and visitor rate
#            limits and loopback as a trusted proxy (its forwarding headers
#            are read), so the 401, 403, 204 and 429 answers are checked
#            too; the /api/analytics/ routes only
#   backlog  a backlog over SLUICE_BACKLOG_LIMIT from the start, so valid
#            events get the 503 with Retry-After (not_a_server_error is off
#            here; an undocumented 5xx still fails status_code_conformance)
#
# Run it alone (after `swift build` and `API_TEST=1 scripts/bootstrap.sh`):
#   tests/api/run.sh
# Environment:
#   SLUICE_BIN_DIR         dir with sluice-ingest (default: swift build's debug dir)
#   SLUICE_TEST_REDIS_URL  a Redis to use, database API_TEST_REDIS_DB (default 0,
#                          which the Swift tests leave alone; flushed before and
#                          after); unset: a private Redis is started on a free port
#   API_TEST_MAX_EXAMPLES  generated cases per operation in the fuzzing phase of
#                          the open and guarded passes (default 40)
#   API_TEST_WORKERS       concurrent schemathesis workers (default 2)
#   API_TEST_SEED          schemathesis seed (default: random; printed at the end)
#   API_TEST_TIMEOUT       seconds one pass may take before it counts as failed (default 240)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
SLUICE_LOG_TAG="api-test"

spec="$SLUICE_ROOT/docs/openapi.json"
schemathesis="$SLUICE_VENV/bin/schemathesis"
max_examples="${API_TEST_MAX_EXAMPLES:-40}"
workers="${API_TEST_WORKERS:-2}"
pass_timeout="${API_TEST_TIMEOUT:-240}"
redis_db="${API_TEST_REDIS_DB:-0}"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

[[ -x "$schemathesis" ]] || die "$schemathesis not found: run scripts/bootstrap.sh (it installs schemathesis into $SLUICE_VENV)"
[[ -f "$spec" ]] || die "$spec not found"
bin_dir="${SLUICE_BIN_DIR:-$(swift_bin_dir debug)}"
[[ -x "$bin_dir/sluice-ingest" ]] || die "$bin_dir/sluice-ingest not found: run swift build"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-api-test.XXXXXX")"
redis_url=""
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if [[ -n "$redis_url" ]] && redis_pong_url "$redis_url"; then
        redis-cli -u "$redis_url" flushdb >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

redis_pong_url() {
    [[ "$(redis-cli -u "$1" ping 2>/dev/null)" == PONG ]]
}

if [[ -n "${SLUICE_TEST_REDIS_URL:-}" ]]; then
    redis_url="${SLUICE_TEST_REDIS_URL%/}/$redis_db"
else
    { read -r redis_port; } < <(free_ports 1) || die "could not pick a free port (python3 needed)"
    start_redis "$redis_port" "$tmp/redis" "$tmp/redis.log"
    redis_url="redis://127.0.0.1:$redis_port/$redis_db"
fi
redis_pong_url "$redis_url" || die "Redis at $redis_url does not answer"
redis-cli -u "$redis_url" flushdb >/dev/null

# start_ingest NAME [VAR=VALUE...] — an ingest on a free port with the given
# settings; sets INGEST_BASE and INGEST_PID.
start_ingest() {
    local name="$1" port
    shift
    port="$(free_ports 1)"
    spawn "sluice-ingest ($name)" "$tmp/ingest-$name.log" \
        env SLUICE_REDIS_URL="$redis_url" SLUICE_INGEST_HOST=127.0.0.1 SLUICE_INGEST_PORT="$port" "$@" \
        "$bin_dir/sluice-ingest"
    wait_until "sluice-ingest ($name) on port $port" "$SPAWNED_PID" "$tmp/ingest-$name.log" 30 \
        http_ok "http://127.0.0.1:$port/readyz"
    INGEST_BASE="http://127.0.0.1:$port"
    INGEST_PID=$SPAWNED_PID
}

# run_schemathesis NAME CONFIG ARGS... — one bounded schemathesis run with
# the config file CONFIG (or none: ""); its output, summary last, goes to the
# terminal.
failed=()
run_schemathesis() {
    local name="$1" config="$2" rc=0
    shift 2
    local args=(run "$spec" --url "$INGEST_BASE" --checks "$checks" --workers "$workers"
        --generation-database none --request-timeout 10 --no-color "$@")
    if [[ -n "${API_TEST_SEED:-}" ]]; then
        args+=(--seed "$API_TEST_SEED")
    fi
    if [[ -n "$config" ]]; then
        args=(--config-file "$config" "${args[@]}")
    fi
    log "schemathesis, $name pass: ${args[*]}"
    # From the temp dir, so nothing it writes lands in the work tree.
    (cd "$tmp" && timeout --kill-after=10 "$pass_timeout" "$schemathesis" "${args[@]}") || rc=$?
    if ((rc == 124 || rc == 137)); then
        log "error: the $name pass did not finish in ${pass_timeout}s"
    fi
    if ((rc != 0)); then
        failed+=("$name")
        show_log_tail "$tmp/ingest-$name.log" 30
    fi
}

"$schemathesis" --version >&2

# ---- open: the defaults, every operation
start_ingest open
# The document ingest serves must be the one in the repository (and the one tested).
curl -fsS --max-time 5 "$INGEST_BASE/openapi.json" -o "$tmp/served.json" ||
    die "GET /openapi.json failed"
cmp -s "$tmp/served.json" "$spec" ||
    die "GET /openapi.json differs from docs/openapi.json: rebuild (swift build) so the embedded copy is current"
run_schemathesis open "" --max-examples "$max_examples"
stop_process "$INGEST_PID" "sluice-ingest (open)"

# ---- guarded: a sites file, an admin token, Do Not Track dropped, a low
# rate limit, a trusted proxy. Its warnings are off: /track/api and /realtime answering 401
# to everything is the point.
SLUICE_API_TEST_KEY="wk_api_test_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export SLUICE_API_TEST_KEY
printf '{"sites": [{"id": "api-test", "writeKeys": ["%s"], "origins": ["https://shop.example"]}]}\n' "$SLUICE_API_TEST_KEY" >"$tmp/sites.json"
redis-cli -u "$redis_url" flushdb >/dev/null
start_ingest guarded SLUICE_SITES="$tmp/sites.json" SLUICE_ADMIN_TOKEN="$SLUICE_API_TEST_KEY" \
    SLUICE_DNT=drop SLUICE_RATE_LIMIT_ADDRESS=20/40 SLUICE_RATE_LIMIT_VISITOR=20/40 SLUICE_TRUSTED_PROXIES=127.0.0.1,::1
run_schemathesis guarded "$SLUICE_ROOT/tests/api/guarded.toml" --include-path-regex '^/api/analytics/' \
    --phases examples,fuzzing --max-examples "$max_examples" --warnings off
stop_process "$INGEST_PID" "sluice-ingest (guarded)"

# ---- backlog: one waiting entry against a limit of one
redis-cli -u "$redis_url" flushdb >/dev/null
redis-cli -u "$redis_url" xadd 'events:{0}' '*' v 1 e '{}' >/dev/null
start_ingest backlog SLUICE_BACKLOG_LIMIT=1
refused() {
    [[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
        -d '{"url": "/"}' "$INGEST_BASE/api/analytics/track/pageview")" == 503 ]]
}
wait_until "sluice-ingest (backlog) refusing events" "$INGEST_PID" "$tmp/ingest-backlog.log" 10 refused
run_schemathesis backlog "" --include-method POST --exclude-checks not_a_server_error \
    --phases examples,fuzzing --max-examples 10 --warnings off

if ((${#failed[@]} > 0)); then
    die "the ingest does not match docs/openapi.json (${failed[*]} pass; see above)"
fi
log "ok: the live ingest matches docs/openapi.json"
