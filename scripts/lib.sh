# shellcheck shell=bash
# Shared shell functions for scripts/*.sh. Source it, do not run it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything here assumes the caller runs with `set -euo pipefail`.
# Functions that start a server wait until it answers, and register its pid
# with track_process, so a single `stop_tracked` in the caller's EXIT trap
# leaves nothing behind.

# Sourcing twice would reset the tracked-process list and lose pids.
if [[ -n "${_SLUICE_LIB_LOADED:-}" ]]; then
    return 0
fi
_SLUICE_LIB_LOADED=1

SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SLUICE_VENV="${SLUICE_VENV:-$SLUICE_ROOT/.venv}"
SLUICE_REDIS_CONF="$SLUICE_ROOT/deploy/redis.conf"
SLUICE_SECANTUSD_CONF="$SLUICE_ROOT/deploy/secantusd.toml"

# Seconds a process gets between SIGTERM and SIGKILL. SecantusDB needs a few
# seconds to close WiredTiger cleanly, and the worker finishes its batch.
SLUICE_STOP_TIMEOUT="${STOP_TIMEOUT:-10}"

# Debian packages the build and the local stack need.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_APT_PACKAGES=(redis-server libhiredis-dev libmongoc-dev libbson-dev uap-core libpcre2-dev zlib1g-dev pkg-config curl)
# Debian packages of the browser tests (tests/browser, and tests/react: the React
# hooks type-checked, bundled with React from Debian), installed only when they run.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_BROWSER_APT_PACKAGES=(chromium chromium-driver esbuild node-typescript node-react node-react-dom)
# Node and Express from Debian, for the Express middleware's test (tests/express), installed only when it runs.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_EXPRESS_APT_PACKAGES=(nodejs node-express)
# promtool, for the alert rules' check (deploy/monitoring), installed only when it runs.
# Debian ships it in the prometheus package, which also installs (and on a
# systemd host enables) a Prometheus server; `systemctl disable --now prometheus`
# if a developer machine should not run one.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_ALERTS_APT_PACKAGES=(prometheus)
# nginx and openssl, for the proxy test (tests/proxy), installed only when it runs.
# The nginx package likewise enables a server on port 80 on a systemd host.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_PROXY_APT_PACKAGES=(nginx openssl)
# systemd for `systemd-analyze verify` of deploy/systemd and nginx for `nginx -t` of
# deploy/compose's proxy (tests/deploy), installed only when the check runs.
# shellcheck disable=SC2034  # used by scripts/bootstrap.sh
SLUICE_DEPLOY_APT_PACKAGES=(systemd nginx)

# The toolchain lives in /opt/swift; a login shell has it on PATH but a bare
# environment (cron, systemd, some CI runners) may not.
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
fi

# ---------------------------------------------------------------- messages

# Messages go to stderr so functions that print a result on stdout
# (free_ports, swift_bin_dir) can be used in $(...).
log() { printf '%s: %s\n' "${SLUICE_LOG_TAG:-sluice}" "$*" >&2; }
warn() { log "warning: $*"; }
die() {
    log "error: $*"
    exit 1
}

# show_log_tail FILE [LINES] — the usual answer to "why did it not start".
# Silent if FILE does not exist (that server was never started).
show_log_tail() {
    local file="$1" lines="${2:-30}"
    [[ -e "$file" ]] || return 0
    if [[ -s "$file" ]]; then
        printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" >&2 || true
        printf -- '----- end of %s -----\n' "$file" >&2
    else
        log "(no output in $file)"
    fi
}

# rotate_log FILE — keep the previous run's log as FILE.1 so a crash log is
# not wiped by the next start, then start FILE empty.
rotate_log() {
    local file="$1"
    mkdir -p "$(dirname "$file")"
    if [[ -s "$file" ]]; then
        mv -f "$file" "$file.1"
    fi
    : >"$file"
}

# exit_on_signals — turn INT, TERM and HUP into ordinary exits (with the
# conventional 128+N status), so the caller's EXIT trap cleans up either way.
# Servers started with spawn run in their own sessions: a closed terminal
# must stop them through the script.
exit_on_signals() {
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

# ------------------------------------------------------------------ root

# as_root CMD... — run as root: directly when we are root, through sudo when
# it exists; returns 1 without running anything otherwise.
as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -- "$@"
    else
        return 1
    fi
}

# ------------------------------------------------------------- processes

# Parallel arrays rather than "pid:name" strings so names may hold anything.
_SLUICE_TRACKED_PIDS=()
_SLUICE_TRACKED_NAMES=()

# track_process PID NAME — stop_tracked will stop it (last tracked, first
# stopped, so the apps go before the databases they are flushing to).
track_process() {
    _SLUICE_TRACKED_PIDS+=("$1")
    _SLUICE_TRACKED_NAMES+=("$2")
}

# is_running PID — true while the process exists and is not a zombie. Our
# children stay zombies until reaped, and `kill -0` succeeds on a zombie, so
# kill -0 alone would make every stop wait for the full timeout.
is_running() {
    local pid="$1" stat
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/stat" ]]; then
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
        # The command name (field 2) may contain spaces and parentheses;
        # the state is the first field after the last ')'.
        stat="${stat##*) }"
        [[ "${stat%% *}" != Z ]]
    fi
}

# stop_process PID NAME [TIMEOUT] — SIGTERM, wait up to TIMEOUT seconds,
# then SIGKILL. Never fails, so it is safe in an EXIT trap under set -e.
stop_process() {
    local pid="$1" name="$2" timeout="${3:-$SLUICE_STOP_TIMEOUT}"
    local deadline=$((SECONDS + timeout))
    if is_running "$pid"; then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        while is_running "$pid" && ((SECONDS < deadline)); do
            sleep 0.1
        done
        if is_running "$pid"; then
            warn "$name (pid $pid) still running after ${timeout}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    # Reap it if it is our child; `wait` fails harmlessly for other pids.
    wait "$pid" 2>/dev/null || true
}

# spawn NAME LOG CMD... — start CMD in the background with its output
# appended to LOG, track it, and set SPAWNED_PID.
# Each process gets its own session (setsid): a Ctrl-C in the terminal then
# reaches only the script, whose trap stops the processes in order (apps
# before the databases they still need to finish a batch). Without it, the
# terminal's SIGINT would hit Redis, SecantusDB and the apps all at once.
# setsid execs in place (a background child of a script without job control
# is never a process-group leader), so $! is the program's own pid.
spawn() {
    local name="$1" logfile="$2"
    shift 2
    local launcher=()
    if command -v setsid >/dev/null 2>&1; then
        launcher=(setsid)
    fi
    "${launcher[@]}" "$@" </dev/null >>"$logfile" 2>&1 &
    SPAWNED_PID=$!
    track_process "$SPAWNED_PID" "$name"
}

# stop_tracked — stop every tracked process, newest first, and forget them.
stop_tracked() {
    local i
    for ((i = ${#_SLUICE_TRACKED_PIDS[@]} - 1; i >= 0; i--)); do
        stop_process "${_SLUICE_TRACKED_PIDS[i]}" "${_SLUICE_TRACKED_NAMES[i]}"
    done
    _SLUICE_TRACKED_PIDS=()
    _SLUICE_TRACKED_NAMES=()
}

# ----------------------------------------------------------------- ports

# port_in_use PORT — true if a server could not listen on 127.0.0.1:PORT.
# A bind test (with SO_REUSEADDR, as servers set it) fails exactly when the
# server's own bind would: for listeners on 127.0.0.1, 0.0.0.0 or a
# dual-stack [::], but not for sockets lingering in TIME_WAIT.
port_in_use() {
    if ! command -v python3 >/dev/null 2>&1; then
        # Before bootstrap on a bare machine: a connect test is the best we have.
        tcp_accepts "$1"
        return
    fi
    ! python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(1)
except OSError:
    sys.exit(1)
' "$1" 2>/dev/null
}

# require_port_free PORT WHAT — fail now with a useful message instead of
# letting a server die later with "address already in use".
require_port_free() {
    local port="$1" what="$2"
    if port_in_use "$port"; then
        log "error: port $port (for $what) is already in use on 127.0.0.1"
        if command -v ss >/dev/null 2>&1; then
            ss -Hltnp "sport = :$port" >&2 2>/dev/null || true
        fi
        die "stop whatever holds port $port, or pick another port"
    fi
}

# free_ports [N] — print N distinct free TCP ports on 127.0.0.1, one a line.
# All sockets are held open together so the kernel cannot hand out the same
# port twice; a port can still be taken by someone else before we use it,
# which the start functions then report clearly.
free_ports() {
    python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
' "${1:-1}"
}

# ------------------------------------------------------------- readiness

# require_running PID WHAT LOG — fail, with the end of LOG, if the process
# has already exited (typically: bad configuration, port taken, server down).
require_running() {
    local pid="$1" what="$2" logfile="$3" rc=0
    is_running "$pid" && return 0
    wait "$pid" 2>/dev/null || rc=$?
    log "error: $what exited during start-up (exit status $rc)"
    show_log_tail "$logfile"
    die "$what did not start"
}

# wait_until WHAT PID LOG TIMEOUT CMD... — poll CMD until it succeeds. Gives
# up early if PID died (no point waiting out the timeout) and shows the end
# of LOG either way, since that is where the reason is.
wait_until() {
    local what="$1" pid="$2" logfile="$3" timeout="$4"
    shift 4
    local deadline=$((SECONDS + timeout))
    while ! "$@" >/dev/null 2>&1; do
        require_running "$pid" "$what" "$logfile"
        if ((SECONDS >= deadline)); then
            log "error: $what not ready after ${timeout}s"
            show_log_tail "$logfile"
            die "$what did not start"
        fi
        sleep 0.2
    done
}

# tcp_accepts PORT — true if something accepts connections on 127.0.0.1:PORT.
tcp_accepts() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# redis_pong PORT — true once Redis answers PING (it refuses commands while
# it is still loading the AOF, so an open port is not enough).
redis_pong() {
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]
}

# http_ok URL — true on a 2xx answer.
http_ok() {
    curl -fsS --max-time 2 -o /dev/null "$1"
}

# ---------------------------------------------------------------- servers

# start_redis PORT DIR LOG [OPTION...] — Redis with deploy/redis.conf, data
# (AOF) in DIR, and any further redis-server options. Sets REDIS_PID.
start_redis() {
    local port="$1" dir="$2" logfile="$3"
    shift 3
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found; run scripts/bootstrap.sh"
    require_port_free "$port" "Redis"
    mkdir -p "$dir"
    rotate_log "$logfile"
    # Command-line options override the file, so one conf serves the dev
    # stack and every private test server.
    spawn "redis-server :$port" "$logfile" \
        redis-server "$SLUICE_REDIS_CONF" --port "$port" --dir "$dir" "$@"
    REDIS_PID=$SPAWNED_PID
    wait_until "redis-server on port $port" "$REDIS_PID" "$logfile" "${REDIS_START_TIMEOUT:-30}" \
        redis_pong "$port"
    log "redis-server ready on 127.0.0.1:$port (pid $REDIS_PID, data in $dir)"
}

# start_secantusd PORT STORAGE LOG — SecantusDB (MongoDB wire protocol) from
# the venv. STORAGE is a directory (persistent) or :memory: (ephemeral; it
# lives in a temp dir under $TMPDIR, removed on a clean shutdown).
# SECANTUSD_CACHE_SIZE (e.g. 4G), when set, overrides the config's WiredTiger
# cache for a store that outgrows it (make bench-dashboard's large store).
# Sets SECANTUSD_PID.
start_secantusd() {
    local port="$1" storage="$2" logfile="$3"
    local exe="$SLUICE_VENV/bin/secantusd-py"
    [[ -x "$exe" ]] || die "$exe not found; run scripts/bootstrap.sh"
    require_port_free "$port" "SecantusDB"
    if [[ "$storage" != :memory: ]]; then
        mkdir -p "$storage"
    fi
    rotate_log "$logfile"
    # An explicit --config disables SecantusDB's auto-discovery of
    # ./secantusd.toml, ~/.secantus/ and /etc/secantus/, so a stray file on
    # a developer's machine cannot change what tests run against.
    spawn "secantusd :$port" "$logfile" \
        "$exe" --config "$SLUICE_SECANTUSD_CONF" --host 127.0.0.1 --port "$port" \
        --storage-path "$storage" ${SECANTUSD_CACHE_SIZE:+--cache-size "$SECANTUSD_CACHE_SIZE"}
    SECANTUSD_PID=$SPAWNED_PID
    wait_until "secantusd on port $port" "$SECANTUSD_PID" "$logfile" "${MONGO_START_TIMEOUT:-60}" \
        tcp_accepts "$port"
    log "secantusd ready on 127.0.0.1:$port (pid $SECANTUSD_PID, storage $storage)"
}

# start_sluice_ingest BIN_DIR PORT LOG [VAR=VALUE...] — BIN_DIR/sluice-ingest on
# 127.0.0.1:PORT with VAR=VALUE... added to its environment (SLUICE_REDIS_URL
# among them unless the caller exported it), ready once GET /healthz answers.
# Sets INGEST_PID.
start_sluice_ingest() {
    local bin_dir="$1" port="$2" logfile="$3"
    shift 3
    [[ -x "$bin_dir/sluice-ingest" ]] || die "$bin_dir/sluice-ingest not found or not executable"
    require_port_free "$port" "sluice-ingest"
    rotate_log "$logfile"
    spawn "sluice-ingest :$port" "$logfile" env "$@" SLUICE_INGEST_PORT="$port" "$bin_dir/sluice-ingest"
    INGEST_PID=$SPAWNED_PID
    wait_until "sluice-ingest on port $port" "$INGEST_PID" "$logfile" "${INGEST_START_TIMEOUT:-60}" \
        http_ok "http://127.0.0.1:$port/healthz"
    log "sluice-ingest ready at http://127.0.0.1:$port (pid $INGEST_PID)"
}

# start_private_stack DIR [OPTION...] [-- REDIS_OPTION...] — a stack of its own
# on free loopback ports, for a bench or a test: Redis with deploy/redis.conf
# (data in DIR/redis, log DIR/redis.log; REDIS_OPTIONs passed to redis-server)
# and, as asked:
#   --mongo          SecantusDB too (DIR/mongo, DIR/mongo.log)
#   --ingest BIN     BIN/sluice-ingest on STACK_HTTP_PORT (log DIR/ingest.log)
#                    with SLUICE_REDIS_URL of this Redis
#   VAR=VALUE        a variable of ingest's environment (with --ingest)
#   --spare-ports N  N more free ports for the caller's own servers
# Every server is waited for and tracked (start_redis, start_secantusd,
# start_sluice_ingest). Sets STACK_REDIS_PORT, STACK_REDIS_URL,
# STACK_MONGO_PORT and STACK_MONGO_URL (the server's, no database; empty
# without --mongo), STACK_HTTP_PORT (ingest's, or free for the caller's HTTP
# server), STACK_SPARE_PORTS (an array), REDIS_PID, SECANTUSD_PID and
# INGEST_PID. Nothing is exported: the variables are the caller's to export.
start_private_stack() {
    local dir="$1" mongo=0 ingest_bin="" spare=0 ingest_env=() redis_options=() ports=()
    shift
    while (($#)); do
        case "$1" in
        --mongo) mongo=1 ;;
        --ingest)
            (($# >= 2)) || die "start_private_stack: --ingest needs the directory of sluice-ingest"
            ingest_bin="$2"
            shift
            ;;
        --spare-ports)
            (($# >= 2)) || die "start_private_stack: --spare-ports needs a count"
            spare="$2"
            shift
            ;;
        --)
            shift
            redis_options=("$@")
            break
            ;;
        *=*) ingest_env+=("$1") ;;
        *) die "start_private_stack: unknown option $1" ;;
        esac
        shift
    done
    if ((${#ingest_env[@]})) && [[ -z "$ingest_bin" ]]; then
        die "start_private_stack: ${ingest_env[0]} is for ingest, but no --ingest BIN_DIR was given"
    fi
    local wanted=$((2 + mongo + spare))
    mapfile -t ports < <(free_ports "$wanted")
    ((${#ports[@]} == wanted)) || die "could not pick free ports (python3 needed)"
    # In the order the scripts always took them: Redis, SecantusDB, HTTP, then spares.
    STACK_REDIS_PORT="${ports[0]}"
    STACK_REDIS_URL="redis://127.0.0.1:$STACK_REDIS_PORT"
    STACK_MONGO_PORT="" STACK_MONGO_URL=""
    if ((mongo)); then
        STACK_MONGO_PORT="${ports[1]}"
        # shellcheck disable=SC2034  # read by the caller
        STACK_MONGO_URL="mongodb://127.0.0.1:$STACK_MONGO_PORT/"
    fi
    # shellcheck disable=SC2034  # read by the caller
    STACK_HTTP_PORT="${ports[1 + mongo]}"
    # shellcheck disable=SC2034  # read by the caller
    STACK_SPARE_PORTS=("${ports[@]:2+mongo}")
    start_redis "$STACK_REDIS_PORT" "$dir/redis" "$dir/redis.log" "${redis_options[@]}"
    if ((mongo)); then
        start_secantusd "$STACK_MONGO_PORT" "$dir/mongo" "$dir/mongo.log"
    fi
    if [[ -n "$ingest_bin" ]]; then
        start_sluice_ingest "$ingest_bin" "$STACK_HTTP_PORT" "$dir/ingest.log" SLUICE_REDIS_URL="$STACK_REDIS_URL" "${ingest_env[@]}"
    fi
}

# ------------------------------------------------------------------ swift

# swift_bin_dir CONFIG — where `swift build -c CONFIG` puts the executables.
swift_bin_dir() {
    (cd "$SLUICE_ROOT" && swift build -c "$1" --show-bin-path)
}
