#!/usr/bin/env bash
# `make bench`: Sluice's throughput, latency and memory beside the ceilings of
# the servers it uses, all measured in one run on this machine.
#
# Builds release, starts a private Redis (deploy/redis.conf: AOF, everysec)
# and SecantusDB on free loopback ports, then measures, each step bounded:
#
#   1. single-event ingest  wrk on the seed routes (bench/wrk/mixed.lua), a few
#                           connection counts; GET /healthz at the best count
#                           (the HTTP server's floor); then paced at half the
#                           best rate for the latency target.
#                           ceiling: redis-benchmark XADD -P 1 -c 32
#   2. batch ingest         wrk on /api/analytics/batch, 100 events a request.
#                           ceiling: redis-benchmark XADD -P 64
#   3. worker drain         BENCH_DRAIN_EVENTS mixed events pre-filled through
#                           ingest, one release worker at the default flush
#                           interval, until every partition is drained and the
#                           derived documents are flushed (every dirty:{p}
#                           empty); rated over the worker's busy time (last
#                           acknowledgement + the flush work after it); the
#                           documents it wrote per event, from its /metrics.
#                           ceiling: bench/mongo_ceiling.c, raw libmongoc
#                           unordered bulks of the same documents
#   4. enrichment           worker CPU per event over the drain (and, with
#                           perf, the enrichment share of it); roll-up
#                           maintenance CPU per event (sluice-enrichment-bench,
#                           in-process, after everything else)
#   5. memory               VmHWM of ingest and the worker
#   6. end-to-end lag       events posted at the pinned baseline's rate
#                           (bench/lag-baseline.json), then at half the drain
#                           rate; sampled ids
#                           polled in MongoDB until visible, minus receivedAt;
#                           a sample of them until their session document
#                           shows them (derived staleness)
#
# then prints the table and writes bench/results/latest.md and latest.json
# (and the table between the markers in docs/performance.md), and last runs
# bench/adversarial.sh (ingest CPU per KB of hostile bodies).
# docs/performance.md explains every method.
#
# Environment (defaults in brackets):
#   BENCH_DURATION          seconds per wrk / redis-benchmark run [10]
#   BENCH_SINGLE_CONNS      wrk connection counts, single events ["16 64"]
#   BENCH_BATCH_CONNS       wrk connection counts, batches ["4 16"]
#   BENCH_ROUNDS            rounds of "ceiling, then Sluice" for single events
#                           and for batches; the median round's ratio counts [3]
#   BENCH_HALF_RUNS         paced runs at half load; the median p99 counts [3]
#   BENCH_WRK_THREADS       wrk -t [1]
#   BENCH_DRAIN_EVENTS      events pre-filled for the drain [100000]
#   BENCH_LAG_SECONDS       seconds of posting for each lag figure; the default
#                           outlasts the worker's 60-second flush interval, so
#                           the lag includes the flushes [75]
#   BENCH_PROFILE           1: also profile ingest and the worker with perf
#                           (separate short runs, after the measurements) [1
#                           when perf works, else 0]
#   BENCH_PROFILE_EVENTS    events of the profiled worker drain [6000]
#   BENCH_OUT               where latest.md / latest.json go [bench/results];
#                           only the default also refreshes the table in
#                           docs/performance.md
#   SLUICE_BIN_DIR          use these release binaries, skip the build
#   BENCH_KEEP=1            keep the temp dir (logs, perf data) afterwards
#   BENCH_ADVERSARIAL=0     skip the adversarial bodies (bench/adversarial.sh),
#                           run last on a stack of their own
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=bench

BENCH_DIR="$SLUICE_ROOT/bench"
BENCH_DURATION="${BENCH_DURATION:-10}"
BENCH_ROUNDS="${BENCH_ROUNDS:-3}"
BENCH_HALF_RUNS="${BENCH_HALF_RUNS:-3}"
BENCH_SINGLE_CONNS="${BENCH_SINGLE_CONNS:-16 64}"
BENCH_BATCH_CONNS="${BENCH_BATCH_CONNS:-4 16}"
BENCH_WRK_THREADS="${BENCH_WRK_THREADS:-1}"
BENCH_DRAIN_EVENTS="${BENCH_DRAIN_EVENTS:-100000}"
BENCH_LAG_SECONDS="${BENCH_LAG_SECONDS:-75}"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
PARTITIONS=4
WORKER_BATCH=500
# Large enough that ingest never answers 503 while nothing drains (phases 1-2).
BACKLOG_LIMIT=100000000
# The rate limiter stays on (its Redis script runs for every request, as in
# production) but with buckets no run can empty, each set by name: all the load
# comes from one address (which real traffic never does), so the address bucket
# is charged by every request, and nine requests in ten carry a visitor cookie
# from a small pool, so visitor buckets are charged too. No sites file, so no
# site bucket.
RATE_LIMIT_ADDRESS=1000000000/1000000000
RATE_LIMIT_VISITOR=1000000000/1000000000
RATE_LIMIT_SITE=off

cd "$SLUICE_ROOT"
started_at=$SECONDS

# ------------------------------------------------------------ what it needs

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Debian packages the bench needs beyond scripts/bootstrap.sh's: wrk, the C
# compiler for the ceiling program, redis-benchmark (redis-tools), perf.
ensure_bench_packages() {
    local wanted=(wrk gcc libc6-dev redis-tools libmongoc-dev pkg-config procps)
    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "installing: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update ||
            die "apt-get update failed; as root: apt-get install -y ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y \
            --no-install-recommends "${missing[@]}" ||
            die "could not install ${missing[*]}"
    fi
    # perf is optional (profiles only): try once, carry on without it.
    if [[ "${BENCH_PROFILE:-auto}" != 0 ]] && ! command -v perf >/dev/null 2>&1; then
        log "installing linux-perf for the profiles (optional)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y \
            --no-install-recommends linux-perf >/dev/null 2>&1 || warn "linux-perf not installed; no profiles"
    fi
}

perf_works() {
    command -v perf >/dev/null 2>&1 && perf record -q -o /dev/null -F 99 -- true >/dev/null 2>&1
}

bash "$SLUICE_ROOT/scripts/bootstrap.sh"
ensure_bench_packages
PY="$SLUICE_VENV/bin/python"

if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using prebuilt binaries in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    log "swift build -c release (minutes on a cold cache)"
    swift build -c release
    bin_dir="$(swift_bin_dir release)"
fi
for exe in sluice-ingest sluice-worker; do
    [[ -x "$bin_dir/$exe" ]] || die "$bin_dir/$exe not found or not executable"
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
state="$tmp/state.json"
corpus="$tmp/corpus"

# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        for f in ingest worker worker-lag worker-profile redis mongo; do
            show_log_tail "$tmp/$f.log" 25
        done
    fi
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "compiling bench/mongo_ceiling.c"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
gcc -O2 -Wall -o "$tmp/mongo_ceiling" "$BENCH_DIR/mongo_ceiling.c" $(pkg-config --cflags --libs libmongoc-1.0)

driver() { "$PY" "$BENCH_DIR/driver.py" --state "$state" "$@"; }
state_get() { "$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"s": s}))' "$state" "$1"; }

driver meta --command "make bench" --partitions "$PARTITIONS"
driver corpus "$corpus"

export SLUICE_PARTITIONS="$PARTITIONS"
# The workers flush derived data at the default interval, as issue #13 demands of the bench.
unset SLUICE_FLUSH_INTERVAL
# No memory cap: the XADD ceiling alone writes a few million entries, past the
# 1200mb that deploy/redis.conf sizes for the default backlog limit.
start_private_stack "$tmp" --mongo --ingest "$bin_dir" SLUICE_BACKLOG_LIMIT="$BACKLOG_LIMIT" \
    SLUICE_RATE_LIMIT_ADDRESS="$RATE_LIMIT_ADDRESS" SLUICE_RATE_LIMIT_VISITOR="$RATE_LIMIT_VISITOR" \
    SLUICE_RATE_LIMIT_SITE="$RATE_LIMIT_SITE" -- --maxmemory 0
redis_port=$STACK_REDIS_PORT
mongo_port=$STACK_MONGO_PORT
redis_pid=$REDIS_PID
mongo_pid=$SECANTUSD_PID
ingest_pid=$INGEST_PID
ingest_url="http://127.0.0.1:$STACK_HTTP_PORT"

export SLUICE_REDIS_URL="$STACK_REDIS_URL"
export SLUICE_MONGO_URL="${STACK_MONGO_URL}sluice_bench"

procs=(--pid "ingest=$ingest_pid" --pid "redis=$redis_pid")
wrk_single() { driver wrk --url "$ingest_url" --script "$BENCH_DIR/wrk/mixed.lua" --corpus "$corpus/single.tsv" \
    --threads "$BENCH_WRK_THREADS" "${procs[@]}" "$@"; }
wrk_batch() { driver wrk --url "$ingest_url" --script "$BENCH_DIR/wrk/mixed.lua" --corpus "$corpus/batch.tsv" \
    --threads "$BENCH_WRK_THREADS" --events-per-request 100 "${procs[@]}" "$@"; }
clear_streams() { driver clear-streams --redis-port "$redis_port" --partitions "$PARTITIONS"; }
# paired_rounds CEILING PIPELINE RUNNER NAME CONNS: BENCH_ROUNDS rounds, each the
# XADD ceiling (-P PIPELINE) and right after it Sluice at every connection count,
# so a ratio compares figures taken within a minute of each other on this noisy
# machine. Labels: CEILING-rN, NAME-cC-rN.
paired_rounds() {
    local ceiling="$1" pipeline="$2" runner="$3" name="$4" conns="$5" round c
    for round in $(seq 1 "$BENCH_ROUNDS"); do
        driver xadd-ceiling --label "$ceiling-r$round" --redis-port "$redis_port" --clients 32 --pipeline "$pipeline" \
            --duration "$BENCH_DURATION" --pid "redis=$redis_pid"
        for c in $conns; do
            "$runner" --label "$name-c$c-r$round" --connections "$c" --duration "$BENCH_DURATION"
            clear_streams
        done
    done
}
# The worker has created the consumer group on the last partition (so it is reading).
group_ready() { [[ "$(redis-cli -p "$redis_port" XINFO GROUPS "events:{$((PARTITIONS - 1))}" 2>/dev/null)" == *workers* ]]; }

# ------------------------------------------------------------ 1. single events

log "== 1. single-event ingest"
# Warm-up (connections, allocator, first-touch pages); also gives the XADD
# ceiling a real stream entry to copy.
wrk_single --label warmup --connections 16 --duration 3
driver payload --redis-port "$redis_port"
clear_streams
paired_rounds p1 1 wrk_single single "$BENCH_SINGLE_CONNS"
# Half of the maximum: the best run of the round with the median ratio, as in the table
# (the best of all rounds would pace harder the more rounds there are).
best_single_conns="$(driver median-single --field connections)"
half_rate="$(driver median-single --field half_rate)"
# The HTTP server's own floor at the same concurrency: GET /healthz does no
# Redis or JSON work, so no event route can be faster than this.
driver wrk --url "$ingest_url" --script "$BENCH_DIR/wrk/mixed.lua" --corpus "$corpus/healthz.tsv" \
    --threads "$BENCH_WRK_THREADS" "${procs[@]}" --label floor-healthz --connections "$best_single_conns" --duration "$BENCH_DURATION"
log "pacing at half the best single-event rate: $half_rate req/s over $best_single_conns connections, $BENCH_HALF_RUNS runs"
for run in $(seq 1 "$BENCH_HALF_RUNS"); do
    wrk_single --label "single-half-$run" --connections "$best_single_conns" --duration "$BENCH_DURATION" --rate "$half_rate"
    clear_streams
done

# ------------------------------------------------------------ 2. batches

log "== 2. batch ingest"
paired_rounds p64 64 wrk_batch batch "$BENCH_BATCH_CONNS"
driver rss --label ingest --pid-of "$ingest_pid"

# ------------------------------------------------------------ 3-5. drain

log "== 3. worker drain ($BENCH_DRAIN_EVENTS events)"
driver prefill --url "$ingest_url" --redis-port "$redis_port" --events "$BENCH_DRAIN_EVENTS" --partitions "$PARTITIONS"

start_worker() {
    local name="$1"
    shift
    rotate_log "$tmp/$name.log"
    worker_spawned_at="$(date +%s.%N)"
    spawn "$name" "$tmp/$name.log" env SLUICE_CONSUMER_NAME="bench-$name" SLUICE_WORKER_PORT=0 \
        SLUICE_BATCH_SIZE="$WORKER_BATCH" "$@" "$bin_dir/sluice-worker"
    worker_pid=$SPAWNED_PID
}
start_worker worker
driver drain --redis-port "$redis_port" --worker-pid "$worker_pid" --events "$BENCH_DRAIN_EVENTS" \
    --partitions "$PARTITIONS" --batch-size "$WORKER_BATCH" --spawned-at "$worker_spawned_at" \
    --pid "redis=$redis_pid" --pid "mongo=$mongo_pid" --mongo-url "mongodb://127.0.0.1:$mongo_port/" --db sluice_bench \
    --worker-log "$tmp/worker.log"
stop_process "$worker_pid" "sluice-worker"

log "raw bulk-insert ceiling on the same server"
driver mongo-ceiling --exe "$tmp/mongo_ceiling" --mongo-url "mongodb://127.0.0.1:$mongo_port/" \
    --src-db sluice_bench --dst-db sluice_bench_ceiling --batch-size "$((WORKER_BATCH * PARTITIONS))" --pid "mongo=$mongo_pid"

# ------------------------------------------------------------ 6. lag

# First at the rate of the pinned baseline (bench/lag-baseline.json: the lag before
# derived data moved to Redis), the target's equal-load comparison; then at half
# the drain rate, a heavier load than the baseline ever carried.
baseline_rate="$("$PY" -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["events_per_s"]))' "$BENCH_DIR/lag-baseline.json")"
lag_rate="$(state_get 'round(s["drain"]["events_per_s"] / 2)')"
start_worker worker-lag
sleep 2
require_running "$worker_pid" "sluice-worker" "$tmp/worker-lag.log"
for phase in "lag_equal $baseline_rate the baseline's rate" "lag $lag_rate half the drain rate"; do
    read -r label rate what <<<"$phase"
    log "== 6. end-to-end lag at $rate events/s ($what) for ${BENCH_LAG_SECONDS}s"
    driver lag --label "$label" --url "$ingest_url" --mongo-url "mongodb://127.0.0.1:$mongo_port/" --db sluice_bench \
        --rate "$rate" --duration "$BENCH_LAG_SECONDS" --worker-log "$tmp/worker-lag.log" \
        --pid "mongo=$mongo_pid" --pid "worker=$worker_pid" --pid "ingest=$ingest_pid" --pid "redis=$redis_pid"
done
stop_process "$worker_pid" "sluice-worker"
driver rss --label ingest-final --pid-of "$ingest_pid"

# ------------------------------------------------------------ profiles

if [[ "${BENCH_PROFILE:-auto}" == auto ]]; then
    if perf_works; then BENCH_PROFILE=1; else BENCH_PROFILE=0; fi
fi
if [[ "$BENCH_PROFILE" == 1 ]]; then
    log "== profiles (perf; after the measurements, which they do not affect)"
    clear_streams
    # Ingest under the single-event load.
    perf record -q -g -F 499 -o "$tmp/perf-ingest.data" -p "$ingest_pid" -- sleep "$BENCH_DURATION" \
        >"$tmp/perf-ingest.log" 2>&1 &
    perf_pid=$!
    wrk_single --label profile-ingest --connections "$best_single_conns" --duration "$BENCH_DURATION" >/dev/null 2>&1 || true
    wait "$perf_pid" || true
    clear_streams
    # Ingest under the batch load.
    best_batch_conns="$(state_get 'max((v for k, v in s["wrk"].items() if k.startswith("batch-c")), key=lambda v: v["events_per_s"])["connections"]')"
    perf record -q -g -F 499 -o "$tmp/perf-ingest-batch.data" -p "$ingest_pid" -- sleep "$BENCH_DURATION" \
        >"$tmp/perf-ingest-batch.log" 2>&1 &
    perf_pid=$!
    wrk_batch --label profile-ingest-batch --connections "$best_batch_conns" --duration "$BENCH_DURATION" >/dev/null 2>&1 || true
    wait "$perf_pid" || true
    clear_streams
    # The worker draining a smaller pre-fill. perf attaches once the worker's
    # consumer thread exists (the group is created), then the events arrive.
    profile_events="${BENCH_PROFILE_EVENTS:-6000}"
    start_worker worker-profile SLUICE_MONGO_URL="mongodb://127.0.0.1:$mongo_port/sluice_bench_profile"
    wait_until "sluice-worker (profile)" "$worker_pid" "$tmp/worker-profile.log" 60 group_ready
    perf record -q -g -F 4999 -o "$tmp/perf-worker.data" -p "$worker_pid" >"$tmp/perf-worker.log" 2>&1 &
    perf_pid=$!
    sleep 1
    driver prefill --url "$ingest_url" --redis-port "$redis_port" --events "$profile_events" --partitions "$PARTITIONS" \
        --seed 4 --key prefill_profile
    "$PY" "$BENCH_DIR/driver.py" --state "$tmp/profile-state.json" drain --redis-port "$redis_port" \
        --worker-pid "$worker_pid" --events "$profile_events" --partitions "$PARTITIONS" || true
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" || true
    stop_process "$worker_pid" "sluice-worker"
    driver profile --ingest "$tmp/perf-ingest.data" --ingest-batch "$tmp/perf-ingest-batch.data" --worker "$tmp/perf-worker.data" \
        --worker-events "$profile_events" --frequency 4999 || warn "could not summarise the profiles"
fi

# ------------------------------------------------------------ report

driver loadavg --key loadavg_at_end
stop_tracked
# Roll-up maintenance CPU per event, in-process, on a machine the stack no longer loads.
if [[ -x "$bin_dir/sluice-enrichment-bench" ]]; then
    log "== roll-up maintenance (sluice-enrichment-bench)"
    driver rollup-bench --exe "$bin_dir/sluice-enrichment-bench"
else
    warn "$bin_dir/sluice-enrichment-bench not found: no roll-up maintenance figure"
fi
# A run writing to the default place also refreshes the table in docs/performance.md.
doc_args=()
if [[ "$BENCH_OUT" == "$BENCH_DIR/results" ]]; then
    doc_args=(--doc "$SLUICE_ROOT/docs/performance.md")
fi
driver report --out "$BENCH_OUT" --lag-baseline "$BENCH_DIR/lag-baseline.json" "${doc_args[@]}"

# ------------------------------------------------------------ adversarial bodies

# Its own private stack, after this one has stopped; about two minutes.
if [[ "${BENCH_ADVERSARIAL:-1}" != 0 ]]; then
    log "== adversarial bodies (bench/adversarial.sh)"
    SLUICE_BIN_DIR="$bin_dir" BENCH_OUT="$BENCH_OUT" bash "$BENCH_DIR/adversarial.sh"
fi
log "done in $((SECONDS - started_at)) s"
