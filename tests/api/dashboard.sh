#!/usr/bin/env bash
# The dashboard's API contract check: schemathesis (as tests/api/run.sh runs it
# for ingest) generates requests from docs/dashboard.openapi.json and sends
# them to a live sluice-dashboard started here. It fails on any 5xx, any status
# code the document does not list for the operation, and any response whose
# body, content type or required headers do not match it. Never skips.
#
# Three passes, each against its own dashboard on a store seeded with one
# visitor, one session and two of its events (a page view and a user event):
#   open       no SLUICE_ADMIN_TOKEN: every route answers; the generated ids
#              are unknown, so the visitor and session routes answer 404
#   anonymous  a token set and not sent: the 401s and the 303s to /login
#   bearer     a token set and sent as Authorization: Bearer, with the seeded
#              visitor and session ids as the path parameters, so their 200
#              bodies are checked against the document's schemas
#
# Run it alone (after `swift build` and `API_TEST=1 scripts/bootstrap.sh`):
#   tests/api/dashboard.sh
# Environment:
#   SLUICE_BIN_DIR         dir with sluice-dashboard (default: swift build's debug dir)
#   SLUICE_TEST_REDIS_URL, SLUICE_TEST_MONGO_URL  servers to use (the seed goes into a
#                          database of its own, dropped at the end; the URL may carry
#                          a database and ?options); unset: private ones are started
#                          on free ports
#   API_TEST_MAX_EXAMPLES  generated cases per operation (default 40)
#   API_TEST_SEED          schemathesis seed (default: random; printed at the end)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
SLUICE_LOG_TAG="api-test-dashboard"

spec="$SLUICE_ROOT/docs/dashboard.openapi.json"
schemathesis="$SLUICE_VENV/bin/schemathesis"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
[[ -x "$schemathesis" ]] || die "$schemathesis not found: run scripts/bootstrap.sh (it installs schemathesis into $SLUICE_VENV)"
bin_dir="${SLUICE_BIN_DIR:-$(swift_bin_dir debug)}"
[[ -x "$bin_dir/sluice-dashboard" ]] || die "$bin_dir/sluice-dashboard not found: run swift build"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-api-dashboard.XXXXXX")"
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if [[ -n "${drop_seed:-}" ]]; then
        "$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/api/dashboard_seed.py" drop "$mongo_url" || warn "could not drop the seeded database"
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

if [[ -n "${SLUICE_TEST_REDIS_URL:-}" && -n "${SLUICE_TEST_MONGO_URL:-}" ]]; then
    redis_url="${SLUICE_TEST_REDIS_URL%/}/0"
    # Our own database in place of any the URL names, its ?options kept.
    mongo_base="${SLUICE_TEST_MONGO_URL%%\?*}" mongo_options=""
    [[ "$SLUICE_TEST_MONGO_URL" == *\?* ]] && mongo_options="?${SLUICE_TEST_MONGO_URL#*\?}"
    mongo_hosts="${mongo_base#*://}"
    mongo_url="${mongo_base%%://*}://${mongo_hosts%%/*}/dashboard_api_test_$$$mongo_options"
else
    { read -r redis_port && read -r mongo_port; } < <(free_ports 2) || die "could not pick free ports (python3 needed)"
    start_redis "$redis_port" "$tmp/redis" "$tmp/redis.log"
    mkdir -p "$tmp/secantus"
    TMPDIR="$tmp/secantus" start_secantusd "$mongo_port" :memory: "$tmp/mongo.log"
    redis_url="redis://127.0.0.1:$redis_port/0"
    mongo_url="mongodb://127.0.0.1:$mongo_port/dashboard_api_test"
fi
token="api-test-dashboard-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
[[ -x "$SLUICE_VENV/bin/python" ]] || die "$SLUICE_VENV/bin/python not found: run scripts/bootstrap.sh"
# On shared servers the seeded database is dropped at the end; private ones go with $tmp.
[[ -n "${SLUICE_TEST_MONGO_URL:-}" && -n "${SLUICE_TEST_REDIS_URL:-}" ]] && drop_seed=1
"$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/api/dashboard_seed.py" seed "$mongo_url" || die "could not seed $mongo_url (pymongo in $SLUICE_VENV?)"
# The seeded ids as the path parameters of the bearer pass.
printf '[parameters]\n"path.visitorId" = "api-visitor-1"\n"path.sessionId" = "api-session-1"\n' > "$tmp/seeded.toml"

failed=()
# run_pass NAME "SETTING=VALUE ..." CONFIG-FILE SCHEMATHESIS-ARGS... — a dashboard
# with the settings, then one bounded schemathesis run against it (with the
# schemathesis.toml CONFIG-FILE when not empty).
run_pass() {
    local name="$1" settings="$2" config="$3" port rc=0
    shift 3
    port="$(free_ports 1)"
    # shellcheck disable=SC2086  # the settings are words on purpose
    spawn "sluice-dashboard ($name)" "$tmp/dashboard-$name.log" \
        env SLUICE_REDIS_URL="$redis_url" SLUICE_MONGO_URL="$mongo_url" SLUICE_DASHBOARD_PORT="$port" $settings \
        "$bin_dir/sluice-dashboard"
    local pid=$SPAWNED_PID
    wait_until "sluice-dashboard ($name) on port $port" "$pid" "$tmp/dashboard-$name.log" 30 http_ok "http://127.0.0.1:$port/login"
    local args=(run "$spec" --url "http://127.0.0.1:$port" --checks "$checks" --workers 2
        --generation-database none --request-timeout 10 --no-color --max-examples "${API_TEST_MAX_EXAMPLES:-40}" "$@")
    if [[ -n "${API_TEST_SEED:-}" ]]; then
        args+=(--seed "$API_TEST_SEED")
    fi
    log "schemathesis, $name pass"
    local config_args=()
    if [[ -n "$config" ]]; then
        config_args=(--config-file "$config")
    fi
    (cd "$tmp" && timeout --kill-after=10 240 "$schemathesis" "${config_args[@]}" "${args[@]}") || rc=$?
    if ((rc != 0)); then
        failed+=("$name")
        show_log_tail "$tmp/dashboard-$name.log" 30
    fi
    stop_process "$pid" "sluice-dashboard ($name)"
}

"$schemathesis" --version >&2
run_pass open "" ""
run_pass anonymous "SLUICE_ADMIN_TOKEN=$token" "" --warnings off
run_pass bearer "SLUICE_ADMIN_TOKEN=$token" "$tmp/seeded.toml" --header "Authorization: Bearer $token"

if ((${#failed[@]} > 0)); then
    die "the dashboard does not match docs/dashboard.openapi.json (${failed[*]} pass; see above)"
fi
log "ok: the live dashboard matches docs/dashboard.openapi.json"
