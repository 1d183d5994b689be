#!/usr/bin/env bash
# What SLUICE_REPLICA_ACKS costs (docs/production.md, "Durability across
# failover"): on loopback, a private Redis master (deploy/redis.conf: AOF
# everysec) with one replica (--replicaof), and two release ingests on it side
# by side, one with SLUICE_REPLICA_ACKS=0 and one with 1. wrk posts batches of
# RA_BATCH events (bench/wrk/batch.lua) to each in turn, RA_ROUNDS rounds of
# RA_SECONDS each, alternating so that drift on the machine hits both alike.
# Prints requests/s, events/s and p50/p99 latency of each and writes
# bench/results/replica-acks.md. No worker runs: this measures ingest and Redis.
#
# Environment: RA_SECONDS (10), RA_ROUNDS (2), RA_CONNECTIONS (32), RA_THREADS
# (2), RA_BATCH (10), BENCH_OUT (results directory), SLUICE_BIN_DIR (prebuilt
# release binaries: skip the build).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
SLUICE_LOG_TAG=replica-acks

BENCH_DIR="$SLUICE_ROOT/bench"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
RA_SECONDS="${RA_SECONDS:-10}"
RA_ROUNDS="${RA_ROUNDS:-2}"
RA_CONNECTIONS="${RA_CONNECTIONS:-32}"
RA_THREADS="${RA_THREADS:-2}"
RA_BATCH="${RA_BATCH:-10}"

cd "$SLUICE_ROOT"
command -v wrk >/dev/null 2>&1 || die "wrk not found (apt-get install wrk)"
if [[ -n "${SLUICE_BIN_DIR:-}" ]]; then
    bin_dir="$SLUICE_BIN_DIR"
    log "using prebuilt binaries in $bin_dir (SLUICE_BIN_DIR set, not building)"
else
    swift build -c release --product sluice-ingest
    bin_dir="$(swift_bin_dir release)"
fi
[[ -x "$bin_dir/sluice-ingest" ]] || die "$bin_dir/sluice-ingest not found or not executable"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-replica-acks.XXXXXX")"
# shellcheck disable=SC2317  # reached through the EXIT trap
on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    stop_tracked
    if ((rc != 0)); then
        for f in redis replica ingest0 ingest1; do show_log_tail "$tmp/$f.log" 25; done
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap on_exit EXIT
exit_on_signals

# The stack's Redis is the master; the spare ports are the replica's and the second ingest's.
start_private_stack "$tmp" --spare-ports 2
master_port=$STACK_REDIS_PORT
replica_port=${STACK_SPARE_PORTS[0]}
port0=$STACK_HTTP_PORT
port1=${STACK_SPARE_PORTS[1]}
start_redis "$replica_port" "$tmp/replica" "$tmp/replica.log" --replicaof 127.0.0.1 "$master_port"
wait_until "replica link" "$REDIS_PID" "$tmp/replica.log" 30 \
    bash -c "redis-cli -p $replica_port info replication | grep -q master_link_status:up"

# start_acks_ingest PORT ACKS — a sluice-ingest on the master with SLUICE_REPLICA_ACKS=ACKS.
start_acks_ingest() {
    local port="$1" acks="$2"
    start_sluice_ingest "$bin_dir" "$port" "$tmp/ingest$acks.log" SLUICE_REDIS_URL="$STACK_REDIS_URL" \
        SLUICE_PARTITIONS=4 SLUICE_BACKLOG_LIMIT=1000000000 SLUICE_REPLICA_ACKS="$acks" \
        SLUICE_RATE_LIMIT_ADDRESS=off SLUICE_RATE_LIMIT_VISITOR=off SLUICE_RATE_LIMIT_SITE=off SLUICE_RATE_LIMIT_SERVER=off
}
start_acks_ingest "$port0" 0
start_acks_ingest "$port1" 1

# run ACKS PORT — one wrk run; appends "acks requests/s p50 p99 non-2xx" to $tmp/runs.
run() {
    local acks="$1" port="$2" out="$tmp/wrk.out"
    WRK_BATCH="$RA_BATCH" wrk -t "$RA_THREADS" -c "$RA_CONNECTIONS" -d "${RA_SECONDS}s" --latency \
        -s "$BENCH_DIR/wrk/batch.lua" "http://127.0.0.1:$port" >"$out"
    local rps p50 p99 bad
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    p50="$(awk '$1 == "50%" {print $2}' "$out")"
    p99="$(awk '$1 == "99%" {print $2}' "$out")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
    echo "$acks $rps $p50 $p99 ${bad:-0}" >>"$tmp/runs"
    log "acks=$acks: $rps requests/s, p50 $p50, p99 $p99, non-2xx ${bad:-0}"
}
for ((round = 1; round <= RA_ROUNDS; round++)); do
    run 0 "$port0"
    run 1 "$port1"
done

count_entries='local n = 0 for p = 0, 3 do n = n + redis.call("XLEN", "events:{" .. p .. "}") end return n'
redis-cli -p "$master_port" wait 1 5000 >/dev/null
on_master="$(redis-cli -p "$master_port" eval "$count_entries" 0)"
replicated="$(redis-cli -p "$replica_port" eval "$count_entries" 0)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$BENCH_OUT"
python3 - "$tmp/runs" "$BENCH_OUT/replica-acks.md" "$RA_BATCH" "$RA_CONNECTIONS" "$RA_SECONDS" "$replicated" \
    "$(git rev-parse --short HEAD)" "$(nproc)" "$on_master" "$load" <<'PY'
import sys, statistics
runs_path, out, batch, connections, seconds, replicated, commit, cores, on_master, load = sys.argv[1:]
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)
rows = {"0": [], "1": []}
for line in open(runs_path):
    acks, rps, p50, p99, bad = line.split()
    rows[acks].append((float(rps), ms(p50), ms(p99), int(bad)))
summary = {}
for acks, values in rows.items():
    summary[acks] = (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values),
                     statistics.median(v[2] for v in values), sum(v[3] for v in values))
base, waited = summary["0"], summary["1"]
lines = [
    "# What SLUICE_REPLICA_ACKS costs",
    "",
    f"`bench/replica_acks.sh` at {commit}: one release `sluice-ingest` per setting on the same",
    "Redis master (deploy/redis.conf, AOF everysec) with one replica on loopback, "
    f"{cores} cores shared by everything; wrk, {connections} connections, batches of {batch} events,",
    f"{len(rows['0'])} alternating runs of {seconds} s each, medians below. No worker runs.",
    f"Load average at the end: {load} (other processes on the machine count too).",
    "",
    "| SLUICE_REPLICA_ACKS | requests/s | events/s | p50 ms | p99 ms | non-2xx |",
    "|---|---|---|---|---|---|",
]
for acks, (rps, p50, p99, bad) in summary.items():
    lines.append(f"| {acks} | {rps:,.0f} | {rps * int(batch):,.0f} | {p50:.2f} | {p99:.2f} | {bad} |")
lines += [
    "",
    f"With 1: {waited[0] / base[0]:.2f}x the requests/s of 0, p99 {waited[2] - base[2]:+.2f} ms. "
    f"At the end the master held {int(on_master):,} entries and the replica {int(replicated):,}.",
    "",
]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PY
log "wrote $BENCH_OUT/replica-acks.md"
