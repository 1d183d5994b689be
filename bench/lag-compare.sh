#!/usr/bin/env bash
# `make bench-lag-compare`: the end-to-end lag of the design before derived data
# moved to Redis (a baseline commit) and of this tree, measured the same way one
# after the other in one run, so the lag target of issue #13 ("no worse than
# today") compares two figures taken under the same conditions and method.
#
# For each of the two builds, on a private Redis + SecantusDB of its own, exactly
# as `make bench` reaches its lag phase: BENCH_DRAIN_EVENTS events prefilled and
# drained by one worker (so the store holds what the bench's store holds), then a
# fresh worker and BENCH_LAG_SECONDS of posting at LAG_RATE events/s with every
# request's first event a probe (bench/driver.py lag). Prints both and the ratio,
# writes bench/results/lag-compare.md and re-pins bench/lag-baseline.json with the
# baseline's figure (the target make bench's lag phase is read against).
#
# Environment:
#   LAG_BASELINE_COMMIT  the "before" commit [4be8c09: the last commit whose worker
#                        upserted sessions and visitors per batch]
#   LAG_RATE             events/s [213: the rate of the first pinned baseline]
#   BENCH_DRAIN_EVENTS   events drained before the lag phase [100000, as make bench]
#   BENCH_LAG_SECONDS    seconds of posting [75, as make bench]
#   LAG_BASELINE_BIN     release binaries of the baseline already built (skips the
#                        baseline's build, which takes ~15 min on 2 cores)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=lag-compare

BENCH_DIR="$SLUICE_ROOT/bench"
LAG_BASELINE_COMMIT="${LAG_BASELINE_COMMIT:-4be8c09}"
LAG_RATE="${LAG_RATE:-213}"
BENCH_DRAIN_EVENTS="${BENCH_DRAIN_EVENTS:-100000}"
BENCH_LAG_SECONDS="${BENCH_LAG_SECONDS:-75}"
PY="$SLUICE_ROOT/.venv/bin/python"
cd "$SLUICE_ROOT"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-lag-compare.XXXXXX")"
trap 'stop_tracked; rm -rf "$tmp"' EXIT
exit_on_signals
state="$tmp/state.json"
driver() { "$PY" "$BENCH_DIR/driver.py" --state "$state" "$@"; }

bash scripts/bootstrap.sh
log "building this tree (release)"
swift build -c release --product sluice-ingest >/dev/null
swift build -c release --product sluice-worker >/dev/null
current_bin="$(swift_bin_dir release)"

baseline_bin="${LAG_BASELINE_BIN:-}"
if [[ -z "$baseline_bin" ]]; then
    log "building $LAG_BASELINE_COMMIT (release) in a clone of its own; this takes a while"
    git clone -q "$SLUICE_ROOT" "$tmp/baseline-src"
    git -C "$tmp/baseline-src" checkout -q "$LAG_BASELINE_COMMIT"
    (cd "$tmp/baseline-src" && swift build -c release --product sluice-ingest >/dev/null &&
        swift build -c release --product sluice-worker >/dev/null)
    baseline_bin="$(cd "$tmp/baseline-src" && swift build -c release --show-bin-path)"
fi

# measure LABEL BIN_DIR: a private stack from the binaries in BIN_DIR, drained, then the lag phase.
measure() {
    local label="$1" bin="$2" dir="$tmp/$1" worker_log
    mkdir -p "$dir"
    export SLUICE_PARTITIONS=4
    start_private_stack "$dir" --mongo --ingest "$bin" SLUICE_BACKLOG_LIMIT=100000000 \
        SLUICE_RATE_LIMIT_ADDRESS=1000000000/1000000000 SLUICE_RATE_LIMIT_VISITOR=1000000000/1000000000 \
        SLUICE_RATE_LIMIT_SITE=off -- --maxmemory 0
    local redis_port=$STACK_REDIS_PORT mongo_port=$STACK_MONGO_PORT ingest_port=$STACK_HTTP_PORT
    export SLUICE_REDIS_URL="$STACK_REDIS_URL" SLUICE_MONGO_URL="${STACK_MONGO_URL}sluice_bench"
    driver prefill --url "http://127.0.0.1:$ingest_port" --redis-port "$redis_port" --events "$BENCH_DRAIN_EVENTS" \
        --partitions 4 --key "prefill_$label"
    spawn "worker-$label" "$dir/worker.log" env SLUICE_CONSUMER_NAME="drain-$label" SLUICE_WORKER_PORT=0 \
        SLUICE_BATCH_SIZE=500 "$bin/sluice-worker"
    local drain_pid=$SPAWNED_PID
    # Only a worker that keeps derived state prints a flush interval to wait for.
    worker_log=()
    sleep 2
    grep -q "SLUICE_FLUSH_INTERVAL" "$dir/worker.log" && worker_log=(--worker-log "$dir/worker.log")
    driver drain --redis-port "$redis_port" --worker-pid "$drain_pid" --events "$BENCH_DRAIN_EVENTS" --partitions 4 \
        "${worker_log[@]}"
    stop_process "$drain_pid" sluice-worker
    spawn "worker-lag-$label" "$dir/worker-lag.log" env SLUICE_CONSUMER_NAME="lag-$label" SLUICE_WORKER_PORT=0 \
        SLUICE_BATCH_SIZE=500 "$bin/sluice-worker"
    sleep 3
    worker_log=()
    grep -q "SLUICE_FLUSH_INTERVAL" "$dir/worker-lag.log" && worker_log=(--worker-log "$dir/worker-lag.log")
    log "== lag of $label at $LAG_RATE events/s for ${BENCH_LAG_SECONDS}s"
    driver lag --label "lag_$label" --url "http://127.0.0.1:$ingest_port" --mongo-url "mongodb://127.0.0.1:$mongo_port/" \
        --db sluice_bench --rate "$LAG_RATE" --duration "$BENCH_LAG_SECONDS" "${worker_log[@]}" --pid "mongo=$SECANTUSD_PID"
    stop_tracked
}

measure baseline "$baseline_bin"
measure current "$current_bin"
"$PY" "$BENCH_DIR/lag_compare_report.py" --state "$state" --commit "$LAG_BASELINE_COMMIT" \
    --current "$(git rev-parse --short HEAD)" --out "$BENCH_DIR/results/lag-compare.md" --pin "$BENCH_DIR/lag-baseline.json"
