#!/usr/bin/env bash
# The capacity model's own measurements (docs/capacity.md): what `make bench`
# does not measure. On loopback, private servers on free ports, about two minutes:
#
#   1. Redis memory per queued event: CAPACITY_ENTRIES (1,000,000) entries shaped
#      like the bench's stamped entry (bench/results/latest.json) XADDed into an
#      empty Redis (AOF off, so nothing but the streams grows), INFO memory
#      before and after;
#   2. bytes per stored event, per derived document and per roll-up bucket, and
#      Redis bytes per derived key: CAPACITY_EVENTS (20,000) events of the
#      bench's mix over CAPACITY_VISITORS (4,000; the bench's 5 events per
#      visitor) posted through a release ingest, drained by one release worker
#      (flush interval 5 s, so derived documents are written within the run),
#      then every stored document's BSON size, the store's collStats and
#      MEMORY USAGE of every derived key.
#
# Writes bench/results/capacity.md and capacity.json (bench/capacity_report.py).
# Environment: CAPACITY_ENTRIES, CAPACITY_EVENTS, CAPACITY_VISITORS, BENCH_OUT
# (results directory), SLUICE_BIN_DIR (prebuilt release binaries, skip the build).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=capacity-measure

BENCH_DIR="$SLUICE_ROOT/bench"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
CAPACITY_ENTRIES="${CAPACITY_ENTRIES:-1000000}"
CAPACITY_EVENTS="${CAPACITY_EVENTS:-20000}"
CAPACITY_VISITORS="${CAPACITY_VISITORS:-4000}"
PARTITIONS=4
WORKER_BATCH=500
PY="$SLUICE_VENV/bin/python"

cd "$SLUICE_ROOT"
bash "$SLUICE_ROOT/scripts/bootstrap.sh"
if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using prebuilt binaries in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    swift build -c release --product sluice-ingest
    swift build -c release --product sluice-worker
    bin_dir="$(swift_bin_dir release)"
fi
for exe in sluice-ingest sluice-worker; do
    [[ -x "$bin_dir/$exe" ]] || die "$bin_dir/$exe not found or not executable"
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-capacity.XXXXXX")"
state="$tmp/state.json"
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        for f in ingest worker redis mongo; do show_log_tail "$tmp/$f.log" 25; done
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

measure() { "$PY" "$BENCH_DIR/capacity_measure.py" --state "$state" "$@"; }
log "== 1. Redis memory per queued event ($CAPACITY_ENTRIES entries)"
# Redis alone for step 1; SecantusDB (on the spare port) and ingest join for step 2.
start_private_stack "$tmp" --spare-ports 1 -- --maxmemory 0 --appendonly no
redis_port=$STACK_REDIS_PORT
mongo_port=${STACK_SPARE_PORTS[0]}
ingest_port=$STACK_HTTP_PORT
measure redis-memory --port "$redis_port" --entries "$CAPACITY_ENTRIES" --partitions "$PARTITIONS" \
    --latest "$BENCH_OUT/latest.json"

log "== 2. bytes per stored event ($CAPACITY_EVENTS events, $CAPACITY_VISITORS visitors)"
start_secantusd "$mongo_port" "$tmp/mongo" "$tmp/mongo.log"
export SLUICE_REDIS_URL="$STACK_REDIS_URL"
export SLUICE_MONGO_URL="mongodb://127.0.0.1:$mongo_port/sluice_capacity"
export SLUICE_PARTITIONS="$PARTITIONS"
start_sluice_ingest "$bin_dir" "$ingest_port" "$tmp/ingest.log" SLUICE_BACKLOG_LIMIT=100000000 \
    SLUICE_RATE_LIMIT_ADDRESS=1000000000/1000000000 SLUICE_RATE_LIMIT_VISITOR=1000000000/1000000000 \
    SLUICE_RATE_LIMIT_SITE=off
"$PY" "$BENCH_DIR/driver.py" --state "$tmp/driver-state.json" prefill --url "http://127.0.0.1:$ingest_port" \
    --redis-port "$redis_port" --events "$CAPACITY_EVENTS" --visitors "$CAPACITY_VISITORS" --partitions "$PARTITIONS"
spawn "sluice-worker" "$tmp/worker.log" env SLUICE_CONSUMER_NAME=capacity SLUICE_WORKER_PORT=0 \
    SLUICE_BATCH_SIZE="$WORKER_BATCH" SLUICE_FLUSH_INTERVAL=5 "$bin_dir/sluice-worker"
measure wait-drained --port "$redis_port" --partitions "$PARTITIONS" --timeout 150
measure store-bytes --redis-port "$redis_port" --mongo-url "mongodb://127.0.0.1:$mongo_port/" --db sluice_capacity \
    --events "$CAPACITY_EVENTS" --visitors "$CAPACITY_VISITORS"

"$PY" "$BENCH_DIR/capacity_report.py" --state "$state" --out "$BENCH_OUT" --binaries "$bin_dir"
log "wrote $BENCH_OUT/capacity.md and capacity.json"
