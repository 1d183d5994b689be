#!/usr/bin/env python3
"""The measuring half of `make bench` (bench/run.sh starts and stops the processes).

Each subcommand runs one measurement against the private stack run.sh started
and merges its figures into a state file (--state, JSON); `report` turns that
file into the table printed at the end and written to bench/results/.

    driver.py corpus DIR                  request bodies for wrk (bench/wrk/*.lua read them)
    driver.py wrk ...                     one wrk run, figures from its done() hook
    driver.py xadd-ceiling ...            redis-benchmark XADD on the same Redis
    driver.py prefill ...                 N mixed events into the streams, through ingest
    driver.py drain ...                   time one worker until every partition is drained (and its derived data flushed)
    driver.py mongo-ceiling ...           the same documents through bench/mongo_ceiling.c
    driver.py lag ...                     end-to-end lag at a given rate, sampled from outside
    driver.py rss ...                     peak RSS (VmHWM) of a process
    driver.py profile ...                 top costs from perf.data files (threads, modules, functions)
    driver.py rollup-bench --exe E        roll-up maintenance CPU per event (sluice-enrichment-bench, in-process)
    driver.py median-single --field F     connections or half the rate of the median round's best single-event run
    driver.py report ...                  the table, bench/results/latest.{md,json}

Every figure comes from the run; nothing here is a hard-coded result. Needs the
venv's Python (pymongo) for the MongoDB parts; the rest is standard library.
"""
# This file is the command line only: each subcommand's work lives in a module of its own
# beside it (bench/driver_*.py; driver_state.py, driver_proc.py, driver_redis.py and
# driver_events.py are the ground the others share).
import argparse

from driver_events import cmd_corpus
from driver_lag import cmd_lag
from driver_machine import cmd_loadavg, cmd_meta, cmd_rss
from driver_mongo import cmd_mongo_ceiling
from driver_prefill import cmd_clear_streams, cmd_prefill
from driver_proc import CpuWindow, parse_pids
from driver_profile import cmd_profile
from driver_report import cmd_median_single, cmd_report
from driver_throughput import cmd_payload, cmd_wrk, cmd_xadd_ceiling
from driver_worker import cmd_drain, cmd_rollup_bench

# bench/dashboard_pages.py imports these from here.
__all__ = ["CpuWindow", "parse_pids"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", required=True, help="JSON file the figures are merged into")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("meta")
    p.add_argument("--command", default="make bench")
    p.add_argument("--partitions", type=int, default=4)
    p.set_defaults(func=cmd_meta)

    p = sub.add_parser("loadavg")
    p.add_argument("--key", required=True)
    p.set_defaults(func=cmd_loadavg)

    p = sub.add_parser("corpus")
    p.add_argument("dir")
    p.add_argument("--single", type=int, default=1000)
    p.add_argument("--batches", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_corpus)

    p = sub.add_parser("wrk")
    p.add_argument("--label", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--script", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--events-per-request", type=int, default=1)
    p.add_argument("--pid", action="append", help="NAME=PID whose CPU use to record")
    p.set_defaults(func=cmd_wrk)

    p = sub.add_parser("payload")
    p.add_argument("--redis-port", type=int, required=True)
    p.set_defaults(func=cmd_payload)

    p = sub.add_parser("xadd-ceiling")
    p.add_argument("--label", required=True)
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--pipeline", type=int, default=1)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--calibrate", type=int, default=20000)
    p.add_argument("--pid", action="append")
    p.set_defaults(func=cmd_xadd_ceiling)

    p = sub.add_parser("clear-streams")
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--partitions", type=int, default=4)
    p.set_defaults(func=cmd_clear_streams)

    p = sub.add_parser("prefill")
    p.add_argument("--url", required=True)
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--events", type=int, default=100000)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--visitors", type=int, default=20000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--key", default="prefill", help="where in the state file the figures go")
    p.set_defaults(func=cmd_prefill)

    p = sub.add_parser("drain")
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--worker-pid", type=int, required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--spawned-at", type=float, default=None)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--poll", type=float, default=0.05)
    p.add_argument("--mongo-url", help="record SecantusDB's per-collection server time over the drain")
    p.add_argument("--db", default="sluice_bench")
    p.add_argument("--worker-log", help="the worker's log: its /metrics URL and flush interval; then also wait for the flush")
    p.add_argument("--pid", action="append")
    p.set_defaults(func=cmd_drain)

    p = sub.add_parser("rss")
    p.add_argument("--label", required=True)
    p.add_argument("--pid-of", type=int, required=True)
    p.set_defaults(func=cmd_rss)

    p = sub.add_parser("mongo-ceiling")
    p.add_argument("--exe", required=True)
    p.add_argument("--mongo-url", required=True)
    p.add_argument("--src-db", required=True)
    p.add_argument("--dst-db", required=True)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--pid", action="append")
    p.set_defaults(func=cmd_mongo_ceiling)

    p = sub.add_parser("lag")
    p.add_argument("--url", required=True)
    p.add_argument("--mongo-url", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--duration", type=float, default=15)
    p.add_argument("--probe-every", type=int, default=1)
    p.add_argument("--staleness-every", type=int, default=10, help="every Nth probe (a person's) also waits for its session document")
    p.add_argument("--worker-log", help="the worker's log, for its SLUICE_FLUSH_INTERVAL")
    p.add_argument("--visitors", type=int, default=20000)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--label", default="lag", help="where the result goes in the state: lag (half the drain rate) or lag_equal (the baseline's rate)")
    p.add_argument("--pid", action="append", help="NAME=PID whose CPU is measured while posting (mongo= is SecantusDB)")
    p.set_defaults(func=cmd_lag)

    p = sub.add_parser("profile")
    p.add_argument("--ingest", help="perf.data of ingest under single-event load")
    p.add_argument("--ingest-batch", help="perf.data of ingest under batch load")
    p.add_argument("--worker", help="perf.data of the worker draining")
    p.add_argument("--worker-events", type=int, default=1, help="events the profiled worker processed")
    p.add_argument("--frequency", type=int, default=4999, help="perf record -F of the worker profile")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("median-single")
    p.add_argument("--field", choices=["connections", "half_rate"], required=True)
    p.set_defaults(func=cmd_median_single)

    p = sub.add_parser("report")
    p.add_argument("--out", required=True)
    p.add_argument("--doc", help="a Markdown file whose bench:begin/bench:end block gets this run's table")
    p.add_argument("--lag-baseline", help="bench/lag-baseline.json: the lag p99 (and its rate) before derived data, the lag target")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("rollup-bench")
    p.add_argument("--exe", required=True, help="sluice-enrichment-bench (release)")
    p.set_defaults(func=cmd_rollup_bench)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
