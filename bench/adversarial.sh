#!/usr/bin/env bash
# `make bench-adversarial` (and the end of `make bench`): ingest CPU per KB of
# adversarial bodies beside a typical body of the same size (issue #12: bounded
# work per byte). Starts a private Redis and a release ingest on free loopback
# ports (no worker: nothing is drained, the accepted events are dropped
# between classes), runs bench/adversarial.py, and writes
# bench/results/adversarial.md and adversarial.json. docs/performance.md
# explains the method and how to read the table.
#
# Environment (defaults in brackets):
#   BENCH_ADV_SECONDS   load per class and size (and per typical load beside it), seconds [2]
#   BENCH_ADV_CONNS     concurrent connections posting the body [2]
#   BENCH_ADV_SIZES     body sizes in bytes ["262144 1048576"]
#   BENCH_OUT           where the results go [bench/results]
#   SLUICE_BIN_DIR      use this release sluice-ingest, skip the build
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=bench-adversarial

BENCH_DIR="$SLUICE_ROOT/bench"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
PARTITIONS=4
# Room for the 1 MB bodies and for batches of tiny events (a 1 MB body holds
# about 21,000); everything else stays at its default. The limits are set by
# name so a changed default cannot change what is measured.
MAX_REQUEST_BYTES=2097152
MAX_BATCH_EVENTS=100000
# Nothing drains during the run; the backlog check must not answer 503.
BACKLOG_LIMIT=100000000
# One address and one visitor send everything: buckets no run can empty.
RATE_LIMIT_ADDRESS=1000000000/1000000000
RATE_LIMIT_VISITOR=1000000000/1000000000
RATE_LIMIT_SITE=off

cd "$SLUICE_ROOT"
started_at=$SECONDS
bash "$SLUICE_ROOT/scripts/bootstrap.sh"
command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (Debian package redis-tools)"

if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using the prebuilt sluice-ingest in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    log "swift build -c release --product sluice-ingest"
    swift build -c release --product sluice-ingest
    bin_dir="$(swift_bin_dir release)"
fi
[[ -x "$bin_dir/sluice-ingest" ]] || die "$bin_dir/sluice-ingest not found or not executable"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-adversarial.XXXXXX")"
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        show_log_tail "$tmp/ingest.log" 25
        show_log_tail "$tmp/redis.log" 25
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

start_private_stack "$tmp" --ingest "$bin_dir" SLUICE_PARTITIONS="$PARTITIONS" SLUICE_BACKLOG_LIMIT="$BACKLOG_LIMIT" \
    SLUICE_MAX_REQUEST_BYTES="$MAX_REQUEST_BYTES" SLUICE_MAX_BATCH_EVENTS="$MAX_BATCH_EVENTS" \
    SLUICE_RATE_LIMIT_ADDRESS="$RATE_LIMIT_ADDRESS" SLUICE_RATE_LIMIT_VISITOR="$RATE_LIMIT_VISITOR" \
    SLUICE_RATE_LIMIT_SITE="$RATE_LIMIT_SITE"
redis_port=$STACK_REDIS_PORT
ingest_url="http://127.0.0.1:$STACK_HTTP_PORT"
ingest_pid=$INGEST_PID

read -r -a sizes <<<"${BENCH_ADV_SIZES:-262144 1048576}"
python3 "$BENCH_DIR/adversarial.py" --url "$ingest_url" --pid "$ingest_pid" --redis-port "$redis_port" \
    --partitions "$PARTITIONS" --sizes "${sizes[@]}" --seconds "${BENCH_ADV_SECONDS:-2}" \
    --connections "${BENCH_ADV_CONNS:-2}" --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --out "$BENCH_OUT"
require_running "$ingest_pid" "sluice-ingest" "$tmp/ingest.log"
log "done in $((SECONDS - started_at)) s"
