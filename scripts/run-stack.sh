#!/usr/bin/env bash
# `make run`: the whole pipeline on this machine, in the foreground.
#
#   Redis (6379, AOF in .run/redis) + SecantusDB (27017, data in .run/mongo)
#   + sluice-ingest (3005) + sluice-worker + sluice-dashboard (3007)
#
# Logs go to .run/logs/*.log (the previous run's kept as *.log.1); ingest,
# worker and dashboard output is also shown here. Ctrl-C (or SIGTERM) stops
# all five and exits 0; if ingest, the worker or the dashboard dies on its own,
# the rest is stopped and the script exits 1.
#
# Environment:
#   CONFIG              swift build configuration (default: release)
#   REDIS_PORT          default 6379
#   MONGO_PORT          default 27017
#   SLUICE_INGEST_PORT  default 3005
#   SLUICE_DASHBOARD_PORT  default 3007 (without SLUICE_ADMIN_TOKEN the dashboard is open, on 127.0.0.1 only)
#   SLUICE_BIN_DIR      use prebuilt binaries from this directory, skip the build
#   STOP_TIMEOUT        seconds between SIGTERM and SIGKILL on stop (default 10)
#   Other SLUICE_* settings (DESIGN.md, "Configuration") are passed through.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SLUICE_LOG_TAG=run-stack

CONFIG="${CONFIG:-release}"
REDIS_PORT="${REDIS_PORT:-6379}"
MONGO_PORT="${MONGO_PORT:-27017}"
SLUICE_INGEST_PORT="${SLUICE_INGEST_PORT:-3005}"
SLUICE_DASHBOARD_PORT="${SLUICE_DASHBOARD_PORT:-3007}"
RUN_DIR="$SLUICE_ROOT/.run"
LOG_DIR="$RUN_DIR/logs"

cd "$SLUICE_ROOT"

# Before the (minutes-long) build: a busy port is the commonest reason for
# the stack not to start, usually an earlier `make run` still going.
require_port_free "$REDIS_PORT" "Redis, REDIS_PORT"
require_port_free "$MONGO_PORT" "SecantusDB, MONGO_PORT"
require_port_free "$SLUICE_INGEST_PORT" "sluice-ingest, SLUICE_INGEST_PORT"
require_port_free "$SLUICE_DASHBOARD_PORT" "sluice-dashboard, SLUICE_DASHBOARD_PORT"

bash "$SLUICE_ROOT/scripts/bootstrap.sh"

if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using prebuilt binaries in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    log "swift build -c $CONFIG"
    swift build -c "$CONFIG"
    bin_dir="$(swift_bin_dir "$CONFIG")"
fi
for exe in sluice-ingest sluice-worker sluice-dashboard; do
    [[ -x "$bin_dir/$exe" ]] || die "$bin_dir/$exe not found or not executable"
done

mkdir -p "$RUN_DIR/redis" "$RUN_DIR/mongo" "$LOG_DIR"

tail_pid=""
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    # A second Ctrl-C must not cut the shutdown short and leave servers behind.
    trap '' INT TERM HUP
    stop_tracked
    if [[ -n "$tail_pid" ]]; then
        # The log tail goes last, so ingest's and the worker's shutdown
        # messages still reach the terminal.
        sleep 0.5
        stop_process "$tail_pid" "log tail" 2 2>/dev/null
    fi
    if ((rc == 0)); then
        log "stopped"
    fi
    exit "$rc"
}
trap on_exit EXIT
# Ctrl-C / SIGTERM is how this stack is meant to end: a clean stop, exit 0.
# The processes run in their own sessions (lib.sh spawn), so a closed
# terminal (SIGHUP) must be handled here too or they would stay behind.
trap 'log "signal received, stopping"; exit 0' INT TERM HUP

start_redis "$REDIS_PORT" "$RUN_DIR/redis" "$LOG_DIR/redis.log"
start_secantusd "$MONGO_PORT" "$RUN_DIR/mongo" "$LOG_DIR/mongo.log"

export SLUICE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export SLUICE_MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT/sluice"
export SLUICE_INGEST_PORT SLUICE_DASHBOARD_PORT

ingest_url="http://127.0.0.1:$SLUICE_INGEST_PORT"
# Checked again: the port may have been taken during the build.
require_port_free "$SLUICE_INGEST_PORT" "sluice-ingest, SLUICE_INGEST_PORT"
rotate_log "$LOG_DIR/ingest.log"
spawn "sluice-ingest" "$LOG_DIR/ingest.log" "$bin_dir/sluice-ingest"
ingest_pid=$SPAWNED_PID
wait_until "sluice-ingest" "$ingest_pid" "$LOG_DIR/ingest.log" "${INGEST_START_TIMEOUT:-60}" \
    http_ok "$ingest_url/healthz"
log "sluice-ingest ready at $ingest_url (pid $ingest_pid)"

rotate_log "$LOG_DIR/worker.log"
spawn "sluice-worker" "$LOG_DIR/worker.log" "$bin_dir/sluice-worker"
worker_pid=$SPAWNED_PID
# The worker has no HTTP endpoint; give it a moment to fail on bad config
# or an unreachable database so that shows up here and not as silence.
sleep 1
require_running "$worker_pid" "sluice-worker" "$LOG_DIR/worker.log"
log "sluice-worker running (pid $worker_pid)"

dashboard_url="http://127.0.0.1:$SLUICE_DASHBOARD_PORT"
require_port_free "$SLUICE_DASHBOARD_PORT" "sluice-dashboard, SLUICE_DASHBOARD_PORT"
rotate_log "$LOG_DIR/dashboard.log"
spawn "sluice-dashboard" "$LOG_DIR/dashboard.log" "$bin_dir/sluice-dashboard"
dashboard_pid=$SPAWNED_PID
# /login is the one page open whether or not SLUICE_ADMIN_TOKEN is set.
wait_until "sluice-dashboard" "$dashboard_pid" "$LOG_DIR/dashboard.log" "${DASHBOARD_START_TIMEOUT:-60}" \
    http_ok "$dashboard_url/login"
log "sluice-dashboard ready at $dashboard_url (pid $dashboard_pid)"

# Show both apps' output from their start. --pid makes tail exit on its own
# if this script is killed without a chance to clean up. Not tracked: on_exit
# stops it after the apps.
tail -n +1 -F --pid=$$ "$LOG_DIR/ingest.log" "$LOG_DIR/worker.log" "$LOG_DIR/dashboard.log" &
tail_pid=$!
# Let the start-up lines print first, so the banner ends up below them.
sleep 0.5

cat <<EOF

  Sluice is running.
    ingest:   $ingest_url   (health: $ingest_url/healthz, metrics: $ingest_url/metrics)
    dashboard: $dashboard_url   ($( [[ -n "${SLUICE_ADMIN_TOKEN:-}" ]] && echo "log in with SLUICE_ADMIN_TOKEN" || echo "open: no SLUICE_ADMIN_TOKEN, this machine only"))
    redis:    redis://127.0.0.1:$REDIS_PORT
    mongo:    mongodb://127.0.0.1:$MONGO_PORT/sluice   (SecantusDB)
    logs:     $LOG_DIR/{ingest,worker,dashboard,redis,mongo}.log

  Try:
    curl -i -X POST $ingest_url/api/analytics/track/event -H 'content-type: application/json' -d '{"eventType":"auth","eventName":"signup"}'
    curl $dashboard_url/api/analytics/analytics/realtime

  Stop with Ctrl-C (or: kill $$).

EOF

# Returns when ingest, the worker or the dashboard exits; a trapped signal
# interrupts it and the INT/TERM trap takes over.
rc=0
wait -n "$ingest_pid" "$worker_pid" "$dashboard_pid" || rc=$?
for pair in "sluice-ingest:$ingest_pid:ingest" "sluice-worker:$worker_pid:worker" "sluice-dashboard:$dashboard_pid:dashboard"; do
    IFS=: read -r name pid logname <<<"$pair"
    if ! is_running "$pid"; then
        log "error: $name exited unexpectedly (status $rc)"
        show_log_tail "$LOG_DIR/$logname.log"
    fi
done
log "stopping the rest of the stack"
exit 1
