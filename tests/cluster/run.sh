#!/usr/bin/env bash
# The Redis Cluster acceptance test (issue 17): on loopback, a six-node Redis
# Cluster (three masters, three replicas, `--cluster-node-timeout 1000`, AOF
# with appendfsync always) started here, an in-memory SecantusDB, and a
# sluice-ingest and a sluice-worker pointed at a seed list of three of the
# nodes with SLUICE_REPLICA_ACKS=1. tests/cluster/failover.py then posts events
# in batches, SIGKILLs the master holding the most partition streams a third
# of the way through, proves its replica took over, restarts the killed node
# (it rejoins as a replica, as after an operator's restart), keeps posting to
# the end, waits for the worker to drain, and checks MongoDB: every event
# answered 202 stored exactly once, every other batch refused with 503. Last,
# `sluicectl streams` shows which node holds each partition and `sluicectl
# rollups verify` checks the derived data against the raw events.
# Exits non-zero on a lost or duplicated accepted event, any answer other than
# 202 or 503, a failover that did not happen, or a process that died.
#
#   tests/cluster/run.sh [BIN_DIR]
#
# BIN_DIR (or SLUICE_BIN_DIR) holds sluice-ingest and sluice-worker; default
# .build/debug. Environment:
#   CLUSTER_EVENTS  events posted (default 2000, in batches of 10)
#   CLUSTER_RATE    events per second (default 100)
#   CLUSTER_KEEP=1  keep the temp dir (node, ingest, worker and SecantusDB logs)
# Needs redis-server and redis-cli 7 or later (for --cluster-port) and the
# .venv with SecantusDB, redis-py and pymongo (scripts/bootstrap.sh).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
SLUICE_LOG_TAG="cluster"

NODES=6
REPLICAS_PER_MASTER=1
# The seed list names the first three nodes, which `redis-cli --cluster create`
# makes the masters: one of them is killed, so ingest and the worker must
# reach the cluster through the others.
SEEDS=3
PARTITIONS=4

bin_dir="${1:-${SLUICE_BIN_DIR:-$SLUICE_ROOT/.build/debug}}"
for exe in sluice-ingest sluice-worker; do
    [[ -x "$bin_dir/$exe" ]] || die "$bin_dir/$exe not found: build first (swift build) or pass the bin dir"
done
command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found; run scripts/bootstrap.sh"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-cluster.XXXXXX")"
# failover.py restarts the node it killed and writes "PID NAME" here, so the
# restarted server is stopped with the rest even if the checker itself died.
restarted="$tmp/restarted.pids"
checker_pid=""

# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$? pid name log_file
    trap '' INT TERM HUP
    # The checker first: it may otherwise restart a node after the list below is read.
    if [[ -n "$checker_pid" ]]; then
        stop_process "$checker_pid" "failover.py"
    fi
    if [[ -s "$restarted" ]]; then
        while read -r pid name; do
            track_process "$pid" "$name"
        done <"$restarted"
    fi
    stop_tracked
    if ((rc != 0)); then
        show_log_tail "$tmp/ingest.log" 60
        show_log_tail "$tmp/worker.log" 60
        for log_file in "$tmp"/node-*.log; do
            show_log_tail "$log_file" 15
        done
        show_log_tail "$tmp/mongo.log" 20
    fi
    if [[ "${CLUSTER_KEEP:-0}" == 1 ]]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

# Each node needs a client port and a cluster bus port (tests/cluster/node.sh).
mapfile -t ports < <(free_ports $((2 * NODES + 3)))
((${#ports[@]} == 2 * NODES + 3)) || die "could not pick free ports (python3 needed)"
node_ports=("${ports[@]:0:NODES}")
bus_ports=("${ports[@]:NODES:NODES}")
mongo_port="${ports[2 * NODES]}"
ingest_port="${ports[2 * NODES + 1]}"
worker_port="${ports[2 * NODES + 2]}"

# --------------------------------------------------------------- cluster

# cluster_info_ok PORT — true once the node sees every slot served and every node.
# shellcheck disable=SC2317  # called through wait_until
cluster_info_ok() {
    local info
    info="$(redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null)" || return 1
    [[ "$info" == *cluster_state:ok* && "$info" == *"cluster_known_nodes:$NODES"* ]]
}

# replicas_in_sync — true once every replica's link to its master is up, so
# the first WAIT 1 of ingest has a replica to count.
# shellcheck disable=SC2317  # called through wait_until
replicas_in_sync() {
    local port info up=0
    for port in "${node_ports[@]}"; do
        info="$(redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null)" || return 1
        if [[ "$info" == *master_link_status:up* ]]; then
            up=$((up + 1))
        fi
    done
    ((up == NODES * REPLICAS_PER_MASTER / (REPLICAS_PER_MASTER + 1)))
}

# cluster_ready — every node agrees the cluster is up, and the replicas are in sync.
# shellcheck disable=SC2317  # called through wait_until
cluster_ready() {
    local port
    for port in "${node_ports[@]}"; do
        cluster_info_ok "$port" || return 1
    done
    redis-cli --cluster check "127.0.0.1:${node_ports[0]}" >/dev/null 2>&1 && replicas_in_sync
}

command -v redis-server >/dev/null 2>&1 || die "redis-server not found; run scripts/bootstrap.sh"
node_pids=()
for ((i = 0; i < NODES; i++)); do
    require_port_free "${node_ports[i]}" "Redis Cluster node $i"
    rotate_log "$tmp/node-$i.log"
    # node.sh gives the node its settings; failover.py restarts a node with it too.
    spawn "redis-server :${node_ports[i]}" "$tmp/node-$i.log" \
        "$SLUICE_ROOT/tests/cluster/node.sh" "${node_ports[i]}" "${bus_ports[i]}" "$tmp/node-$i"
    node_pids+=("$SPAWNED_PID")
    wait_until "Redis Cluster node $i (port ${node_ports[i]})" "$SPAWNED_PID" "$tmp/node-$i.log" 30 \
        redis_pong "${node_ports[i]}"
done
log "$NODES redis-server nodes up on ports ${node_ports[*]}"

addresses=()
for port in "${node_ports[@]}"; do
    addresses+=("127.0.0.1:$port")
done
log "forming the cluster: ${addresses[*]}"
redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$REPLICAS_PER_MASTER" --cluster-yes \
    >"$tmp/cluster-create.log" 2>&1 || {
    show_log_tail "$tmp/cluster-create.log" 40
    die "redis-cli --cluster create failed"
}
wait_until "the Redis Cluster" "${node_pids[0]}" "$tmp/cluster-create.log" 30 cluster_ready
log "cluster_state:ok on all $NODES nodes, replicas in sync"

# ------------------------------------------------------------- SecantusDB

# :memory: keeps its files in a temp dir under TMPDIR: ours, so a killed
# server leaves nothing behind either.
mkdir -p "$tmp/secantus"
TMPDIR="$tmp/secantus" start_secantusd "$mongo_port" :memory: "$tmp/mongo.log"
mongo_url="mongodb://127.0.0.1:$mongo_port/cluster?serverSelectionTimeoutMS=3000"

# ----------------------------------------------------------- ingest, worker

seed_list="redis://$(IFS=,; echo "${addresses[*]:0:SEEDS}")"
settings=(
    "SLUICE_REDIS_URL=$seed_list"
    "SLUICE_REPLICA_ACKS=1"
    "SLUICE_MONGO_URL=$mongo_url"
    "SLUICE_PARTITIONS=$PARTITIONS"
    "SLUICE_WORKER_PORT=$worker_port"
    "SLUICE_CONSUMER_NAME=cluster-worker"
    # Entries the killed master had handed out come back to the worker soon.
    "SLUICE_CLAIM_IDLE=5"
    "SLUICE_BATCH_SIZE=200"
    "SLUICE_BLOCK_MS=500"
    "SLUICE_LOG_LEVEL=info"
    # Every event comes from this one address and carries no cookie: the address
    # bucket must never empty at the posting rate; no sites file, so no site buckets.
    "SLUICE_RATE_LIMIT_ADDRESS=100000/100000"
    "SLUICE_RATE_LIMIT_SITE=off"
)
log "SLUICE_REDIS_URL=$seed_list SLUICE_REPLICA_ACKS=1"

start_sluice_ingest "$bin_dir" "$ingest_port" "$tmp/ingest.log" "${settings[@]}"
ingest_pid=$INGEST_PID
# /healthz answers before Redis does; the run needs the cluster reachable.
wait_until "sluice-ingest's /readyz (the cluster reachable)" "$ingest_pid" "$tmp/ingest.log" 30 \
    http_ok "http://127.0.0.1:$ingest_port/readyz"

rotate_log "$tmp/worker.log"
spawn "sluice-worker" "$tmp/worker.log" env "${settings[@]}" "$bin_dir/sluice-worker"
worker_pid=$SPAWNED_PID
wait_until "sluice-worker" "$worker_pid" "$tmp/worker.log" 30 http_ok "http://127.0.0.1:$worker_port/readyz"
log "sluice-worker ready (pid $worker_pid)"

# ---------------------------------------------------------------- the run

node_list=()
for ((i = 0; i < NODES; i++)); do
    node_list+=("${addresses[i]}=${node_pids[i]}")
done
# In the background and waited for, so a signal to this script reaches on_exit
# at once, and on_exit can stop the checker.
"$SLUICE_VENV/bin/python" "$SLUICE_ROOT/tests/cluster/failover.py" \
    --nodes "$(IFS=,; echo "${node_list[*]}")" --ingest-port "$ingest_port" --mongo-url "$mongo_url" \
    --partitions "$PARTITIONS" --events "${CLUSTER_EVENTS:-2000}" --rate "${CLUSTER_RATE:-100}" \
    --restarted-pids "$restarted" &
checker_pid=$!
status=0
wait "$checker_pid" || status=$?
checker_pid=""

# Where the partitions ended up (the promoted replica holds the killed master's),
# then the derived data against the raw events: sessions, visitors and roll-ups
# kept in Redis across the failover must still match what was stored.
if ((status == 0)); then
    env "${settings[@]}" "$bin_dir/sluicectl" streams || status=1
    env "${settings[@]}" "$bin_dir/sluicectl" rollups verify --wait 60 \
        --from "$(date -u -d yesterday +%F)" --to "$(date -u -d tomorrow +%F)" || {
        log "error: sluicectl rollups verify found derived data that differs from the raw events after the failover"
        status=1
    }
fi

# A crash after the last check would otherwise pass unnoticed.
for pair in "sluice-ingest:$ingest_pid" "sluice-worker:$worker_pid"; do
    if ! is_running "${pair#*:}"; then
        log "error: ${pair%%:*} (pid ${pair#*:}) died during the run"
        status=1
    fi
done
exit "$status"
