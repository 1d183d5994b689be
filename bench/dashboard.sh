#!/usr/bin/env bash
# `make bench-dashboard`: the dashboard's server time per page over a small and a
# large store (issue #14: every page within 100 ms at p95 at 1,000,000 events over 30
# days, and no slower than at 10,000). For each size, on a private Redis and SecantusDB
# (free loopback ports, a store of its own):
#
#   1. a release sluice-worker starts once, to create the collections' indexes, and stops;
#   2. bench/dashboard_data.py writes the events straight into the raw collections
#      (the worker's document shapes, unordered bulks, fixed seed) over the 30 whole
#      UTC days before today;
#   3. `sluicectl rollups rebuild` derives sessions, visitors and roll-ups from them;
#   4. a release sluice-dashboard starts and bench/dashboard_pages.py times every page
#      and JSON route over 30 days, 7 days, yesterday and today, reading its
#      Server-Timing header, and the same roll-up documents fetched alone.
#
# then bench/dashboard_report.py prints the table (each size and the ratio) and writes
# bench/results/dashboard.md and dashboard.json. docs/performance.md explains it.
#
# Environment (defaults in brackets):
#   BENCH_DASHBOARD_SIZES     event counts, smallest first ["10000 300000 1000000"]; the
#                             largest is compared with the smallest and, given three,
#                             with the next smaller one
#   BENCH_DASHBOARD_REQUESTS  timed requests per route and range [40]
#   BENCH_OUT                 where the results go [bench/results]
#   SLUICE_BIN_DIR            use these release binaries, skip the build
#   BENCH_DASHBOARD_DIR       keep the stores and logs here (default: a temp dir,
#                             removed); a size whose store is already there (its
#                             rebuild.json) is timed again without steps 1-3
#   BENCH_DASHBOARD_PREPARE=1 stop after step 3 (build the stores only)
#   BENCH_DASHBOARD_CACHE     SecantusDB's WiredTiger cache for these stores [4G]: a
#                             1,000,000-event store outgrows deploy/secantusd.toml's 512M
#                             (1.3 GB on disk part-way through its raw writes, which slowed)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=bench-dashboard
export SECANTUSD_CACHE_SIZE="${BENCH_DASHBOARD_CACHE:-4G}"
# Reopening a kept 1,000,000-event store takes SecantusDB more than the usual minute.
export MONGO_START_TIMEOUT="${MONGO_START_TIMEOUT:-600}"

BENCH_DIR="$SLUICE_ROOT/bench"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
read -r -a sizes <<<"${BENCH_DASHBOARD_SIZES:-10000 300000 1000000}"
requests="${BENCH_DASHBOARD_REQUESTS:-40}"
python="$SLUICE_VENV/bin/python"

cd "$SLUICE_ROOT"
started_at=$SECONDS
bash "$SLUICE_ROOT/scripts/bootstrap.sh"
if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using the prebuilt binaries in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    for product in sluice-worker sluicectl sluice-dashboard; do
        log "swift build -c release --product $product"
        swift build -c release --product "$product"
    done
    bin_dir="$(swift_bin_dir release)"
fi
for exe in sluice-worker sluicectl sluice-dashboard; do
    [[ -x "$bin_dir/$exe" ]] || die "$bin_dir/$exe not found or not executable"
done

if [[ -n "${BENCH_DASHBOARD_DIR:-}" ]]; then
    tmp="$BENCH_DASHBOARD_DIR"
    mkdir -p "$tmp"
else
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-dashboard.XXXXXX")"
fi
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        for f in "$tmp"/*/*.log; do show_log_tail "$f" 20; done
    fi
    if [[ -n "${BENCH_DASHBOARD_DIR:-}" ]]; then log "kept $tmp"; else rm -rf "$tmp"; fi
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

# The data ends at today's UTC midnight: every hour and day in it is closed, so the
# rebuild may write them all (--rollup-window 0: nothing is live).
today="$(date -u +%F)"

# measure SIZE: one store of SIZE events, built, derived and timed.
measure() {
    local size="$1" dir="$tmp/$1"
    # A kept store serves only the day it was built for: "yesterday" and the roll-up
    # window's open buckets are counted from the clock, so a day later they would hold
    # less data than a fresh store's.
    if [[ -s "$dir/rebuild.json" && "$(cat "$dir/today" 2>/dev/null)" != "$today" ]]; then
        log "$size events: the store in $dir was built for $(cat "$dir/today" 2>/dev/null || echo "an unknown day"), not $today: building it again"
        rm -rf "$dir"
    fi
    mkdir -p "$dir"
    start_private_stack "$dir" --mongo
    local redis_port=$STACK_REDIS_PORT dashboard_port=$STACK_HTTP_PORT
    local mongo_url="${STACK_MONGO_URL}sluice" redis_url="$STACK_REDIS_URL"
    local settings=(SLUICE_REDIS_URL="$redis_url" SLUICE_MONGO_URL="$mongo_url")

    if [[ -s "$dir/rebuild.json" ]]; then
        log "$size events: reusing the store in $dir (built for $today)"
        [[ "${BENCH_DASHBOARD_PREPARE:-0}" == 1 ]] || time_pages "$size" "$dir"
        stop_tracked
        return
    fi

    # 1. The worker's indexes: ready once it reads its last partition.
    spawn "sluice-worker" "$dir/worker.log" env "${settings[@]}" SLUICE_WORKER_PORT=0 "$bin_dir/sluice-worker"
    local worker_pid=$SPAWNED_PID
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    wait_until "sluice-worker" "$worker_pid" "$dir/worker.log" 120 \
        bash -c '[[ "$(redis-cli -p "$1" XINFO GROUPS "events:{3}" 2>/dev/null)" == *workers* ]]' _ "$redis_port"
    stop_process "$worker_pid" "sluice-worker"

    # 2. The raw events, up to today's midnight (kept with the store for a later reuse).
    echo "$today" >"$dir/today"
    log "$size events: writing the raw collections"
    "$python" "$BENCH_DIR/dashboard_data.py" --mongo-url "$mongo_url" --events "$size" \
        --end-ms $(($(date -u -d "$today" +%s) * 1000)) | tee "$dir/data.json"

    # 3. Sessions, visitors and roll-ups, with the worker's own code.
    local from
    from="$(date -u -d "$today - 30 days" +%F)"
    log "$size events: sluicectl rollups rebuild --from $from --to $today"
    # Every document it writes is a difference it prints: the log keeps them, the terminal its summary.
    /usr/bin/time -f '{"seconds": %e, "maxRSSKiB": %M}' -o "$dir/rebuild.json" \
        env "${settings[@]}" "$bin_dir/sluicectl" rollups rebuild --from "$from" --to "$today" --rollup-window 0 >"$dir/rebuild.log" 2>&1 ||
        die "the rebuild failed (see $dir/rebuild.log)"
    grep -E ' wrote |^rebuild: 100%' "$dir/rebuild.log" >&2 || true
    [[ "${BENCH_DASHBOARD_PREPARE:-0}" == 1 ]] || time_pages "$size" "$dir"
    stop_tracked
}

# time_pages SIZE DIR: a dashboard on SIZE's store, every page timed (step 4). Uses
# measure's locals (settings, ports, mongo_url) and $today.
time_pages() {
    local size="$1" dir="$2"

    # 4. The pages.
    spawn "sluice-dashboard" "$dir/dashboard.log" env "${settings[@]}" SLUICE_DASHBOARD_PORT="$dashboard_port" "$bin_dir/sluice-dashboard"
    local dashboard_pid=$SPAWNED_PID
    wait_until "sluice-dashboard" "$dashboard_pid" "$dir/dashboard.log" 60 http_ok "http://127.0.0.1:$dashboard_port/healthz"
    # Beside it, one that keeps nothing (SLUICE_DASHBOARD_CACHE_SECONDS=0): what a view costs
    # when no read is kept for it.
    local uncached_port
    uncached_port="$(free_ports 1)"
    spawn "sluice-dashboard" "$dir/dashboard-uncached.log" env "${settings[@]}" SLUICE_DASHBOARD_PORT="$uncached_port" \
        SLUICE_DASHBOARD_CACHE_SECONDS=0 "$bin_dir/sluice-dashboard"
    wait_until "sluice-dashboard" "$SPAWNED_PID" "$dir/dashboard-uncached.log" 60 http_ok "http://127.0.0.1:$uncached_port/healthz"
    log "$size events: timing the pages ($requests requests per route and range)"
    (cd "$BENCH_DIR" && "$python" dashboard_pages.py --port "$dashboard_port" --uncached-port "$uncached_port" --mongo-url "$mongo_url" \
        --redis-port "$redis_port" --label "$size" --events "$size" --today "$today" --requests "$requests" --out "$dir/pages.json" \
        --pid "dashboard=$dashboard_pid" --pid "secantusd=$SECANTUSD_PID" --pid "redis=$REDIS_PID")
}

for size in "${sizes[@]}"; do
    today="$(date -u +%F)"
    measure "$size"
done
[[ "${BENCH_DASHBOARD_PREPARE:-0}" == 1 ]] && exit 0
(cd "$BENCH_DIR" && python3 dashboard_report.py --dir "$tmp" --sizes "${sizes[@]}" --out "$BENCH_OUT" \
    --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
log "done in $((SECONDS - started_at)) s"
