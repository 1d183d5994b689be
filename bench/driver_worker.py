"""The worker's figures: `driver.py drain` (one worker timed from its first read to the
last acknowledgement, then until its derived data is flushed) and `rollup-bench`
(roll-up maintenance CPU per event, in-process)."""
import os
import time

import derived  # bench/derived.py: sessions, visitors and roll-ups written behind
from driver_mongo import mongo_counters, mongo_delta
from driver_proc import CLK_TCK, CpuWindow, cpu_ticks, parse_pids, proc_status
from driver_redis import Redis, fields, text
from driver_state import log, update_state


def group_progress(redis, partitions):
    """Per partition: (group exists, pending, last-delivered-id, last-generated-id, entries-read)."""
    replies = redis.pipeline(*([("XINFO", "GROUPS", f"events:{{{p}}}") for p in range(partitions)]
                               + [("XINFO", "STREAM", f"events:{{{p}}}") for p in range(partitions)]))
    out = []
    for p in range(partitions):
        groups, stream = replies[p], replies[partitions + p]
        group = None
        if isinstance(groups, list):
            for g in groups:
                g = fields(g)
                if text(g["name"]) == "workers":
                    group = g
        last_generated = text(fields(stream)["last-generated-id"]) if isinstance(stream, list) else "0-0"
        if group is None:
            out.append((False, 0, "0-0", last_generated, 0))
        else:
            out.append((True, group["pending"], text(group["last-delivered-id"]), last_generated, group.get("entries-read") or 0))
    return out


def cmd_drain(args):
    """Times one worker from its first read to the last acknowledgement, then (with
    --worker-log) until the derived documents are flushed (bench/derived.py)."""
    redis = Redis(args.redis_port)
    pid = args.worker_pid
    pids = parse_pids(args.pid)
    spawned = args.spawned_at  # wall-clock time run.sh started the worker
    t_first = c_first = None
    deadline = time.monotonic() + args.timeout
    counters0 = mongo_counters(args.mongo_url) if args.mongo_url else None
    while True:
        now = time.monotonic()
        progress = group_progress(redis, args.partitions)
        if t_first is None and any(exists and (read > 0 or pending > 0) for exists, pending, _, _, read in progress):
            t_first, c_first, wall_first = now, cpu_ticks(pid), time.time()
            window = CpuWindow({**pids, "worker": pid}).start()
            commands0 = derived.command_stats(redis)
        if t_first is not None and all(exists and pending == 0 and delivered == generated
                                       for exists, pending, delivered, generated, _ in progress):
            t_done, c_done = now, cpu_ticks(pid)
            others = window.stop()
            others.pop("worker", None)
            commands = derived.command_delta(commands0, derived.command_stats(redis), args.events)
            break
        if now > deadline:
            raise SystemExit(f"worker did not drain {args.events} events within {args.timeout}s: {progress}")
        if not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the worker exited during the drain")
        time.sleep(args.poll)
    seconds = t_done - t_first
    cpu_seconds = (c_done - c_first) / CLK_TCK
    result = {"events": args.events, "seconds": round(seconds, 3), "acked_s": round(seconds, 3),
              "events_per_s": round(args.events / seconds, 1), "events_per_s_acked": round(args.events / seconds, 1),
              "startup_s": round(wall_first - spawned, 2) if spawned else None,
              "worker_cpu_s": round(cpu_seconds, 2), "worker_cpu_us_per_event": round(1e6 * cpu_seconds / args.events, 1),
              "worker_cpu_percent": round(100.0 * cpu_seconds / seconds, 1), "cpu_percent": others,
              "poll_interval_s": args.poll, "batch_size": args.batch_size}
    if "redis" in others:
        result["redis_cpu_us_per_event"] = round(others["redis"] / 100.0 * seconds * 1e6 / args.events, 1)
    result["redis_commands"] = commands
    if args.worker_log:
        result.update(drain_flush(args, redis, t_first, seconds, c_first))
    status = proc_status(pid)
    result.update({"worker_vmhwm_bytes": status.get("VmHWM"), "worker_vmrss_bytes": status.get("VmRSS")})
    if counters0:
        result["mongo"] = mongo_delta(counters0, mongo_counters(args.mongo_url), args.db)
    update_state(args.state, "drain", result)
    log(f"drained {args.events} events: acknowledged in {seconds:.2f}s ({result['events_per_s_acked']:.0f} events/s)"
        + (f", derived flushed at {result['flushed_s']:.2f}s, worker busy {result['busy_s']:.2f}s = {result['events_per_s']:.0f} events/s"
           if args.worker_log else "")
        + f"; worker CPU {result['worker_cpu_us_per_event']} µs/event ({result['worker_cpu_percent']}% of a core); others {others}")


def drain_flush(args, redis, t_first, acked_s, c_first):
    """After the last acknowledgement: waits for the derived documents to be flushed (bounded by
    the flush interval + 60 s) and reads the worker's /metrics. The drain's rate then counts the
    worker's busy time: first read to last acknowledgement, plus the flush work after it (its
    flush-duration histogram), but not the wait for the flush timer."""
    url = derived.metrics_url(args.worker_log)
    interval = derived.flush_interval(args.worker_log)
    at_ack = derived.scrape(url)
    dirty_at_ack = derived.dirty_keys(redis, args.partitions)
    t_flushed, final = derived.wait_flushed(redis, args.partitions, url, at_ack, dirty_at_ack, bound=interval + 60)
    flushes_total, flush_s = derived.flushes(final)
    after_ack_s = flush_s - derived.flushes(at_ack)[1]
    busy = acked_s + after_ack_s
    cpu_seconds = (cpu_ticks(args.worker_pid) - c_first) / CLK_TCK
    counts = derived.document_counts(args.mongo_url, args.db) if args.mongo_url else {c: 0 for c in derived.DERIVED_COLLECTIONS}
    flushes_at_ack, flush_s_at_ack = derived.flushes(at_ack)
    out = {"flush_interval_s": interval, "flushed_s": round(t_flushed - t_first, 3), "dirty_at_ack": dirty_at_ack,
           "flush_after_ack_s": round(after_ack_s, 3), "flush_total_s": round(flush_s, 3), "flushes": int(flushes_total),
           "flushes_before_ack": int(flushes_at_ack), "flush_before_ack_s": round(flush_s_at_ack, 3),
           "busy_s": round(busy, 3), "events_per_s": round(args.events / busy, 1),
           "worker_cpu_to_flushed_us_per_event": round(1e6 * cpu_seconds / args.events, 1),
           "writes": derived.writes(final, counts)}
    log(f"derived flushed {out['flushed_s']:.2f}s after the first read ({dirty_at_ack} keys dirty at the last acknowledgement; "
        f"{out['flushes']} flushes, {flush_s:.2f}s flushing, {after_ack_s:.2f}s of it after the last acknowledgement); "
        f"writes {out['writes']}")
    return out


def cmd_rollup_bench(args):
    """Roll-up maintenance CPU per event, measured in-process by sluice-enrichment-bench."""
    result = derived.rollup_bench(args.exe)
    update_state(args.state, "rollup_bench", result)
    log(f"roll-up maintenance: {result['rollup_cpu_us_per_event']} µs CPU/event (enrichment {result['enrich_us_per_event']} µs/event)")
