#!/usr/bin/env bash
# One node of the test's Redis Cluster, in the foreground (exec, so the caller's
# pid is the server's): deploy/redis.conf (AOF, no RDB snapshots, noeviction)
# plus cluster mode with a 1 s node timeout, and appendfsync always so a
# SIGKILLed node loses nothing it acknowledged. tests/cluster/run.sh starts
# each node with it, and failover.py restarts the node it killed with it, so
# both start the same server.
#
#   tests/cluster/node.sh PORT BUS_PORT DIR
#
# BUS_PORT is the cluster bus port, given explicitly: the default (PORT + 10000)
# of a port from the ephemeral range may be taken or past 65535.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

(($# == 3)) || die "usage: $0 PORT BUS_PORT DIR"
port="$1" bus_port="$2" dir="$3"
mkdir -p "$dir"
# Six nodes on one machine: deploy/redis.conf's 1600mb each would promise 9.6 GB.
exec redis-server "$SLUICE_REDIS_CONF" --port "$port" --dir "$dir" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
    --cluster-port "$bus_port" --appendfsync always --maxmemory 256mb
