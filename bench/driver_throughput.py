"""Throughput against the ceiling: `driver.py wrk` (one wrk run against ingest, figures
from the script's done() hook), `payload` (a real stream entry ingest wrote) and
`xadd-ceiling` (redis-benchmark XADD of that entry on the same Redis)."""
import json
import os
import shlex
import subprocess
import sys

from driver_proc import CpuWindow, context_switches, parse_pids
from driver_redis import Redis, fields, text
from driver_state import load_state, log, update_state


def cmd_wrk(args):
    env = dict(os.environ, WRK_CORPUS=args.corpus)
    if args.rate:
        env["WRK_RATE"] = str(args.rate)
        env["WRK_THREADS"] = str(args.threads)
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "5s",
            "-s", args.script, args.url]
    log(f"{args.label}: {' '.join(shlex.quote(a) for a in argv)}" + (f"  (WRK_RATE={args.rate})" if args.rate else ""))
    pids = parse_pids(args.pid)
    switches0 = context_switches(int(pids["ingest"])) if "ingest" in pids else 0
    window = CpuWindow(pids).start()
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    cpu = window.stop(extra_child_name="wrk")
    switches = context_switches(int(pids["ingest"])) - switches0 if "ingest" in pids else None
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"wrk failed (exit status {out.returncode})")
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("wrk printed no BENCH_JSON line (is the done() hook in the script?)")
    result = json.loads(line[len("BENCH_JSON "):])
    result.update({"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                   "target_rate": args.rate or None, "cpu_percent": cpu, "events_per_request": args.events_per_request})
    result["events_per_s"] = round(result["requests_per_s"] * args.events_per_request, 1)
    if switches is not None and result["requests"]:
        result["ingest_context_switches_per_request"] = round(switches / result["requests"], 2)
    if "ingest" in cpu and result["requests"]:
        result["ingest_cpu_us_per_request"] = round(cpu["ingest"] / 100.0 * result["seconds"] * 1e6 / result["requests"], 1)
    bad = result["errors"]["status"] + result["errors"]["connect"] + result["errors"]["read"] + result["errors"]["write"] + result["errors"]["timeout"]
    result["error_count"] = bad
    log(f"{args.label}: {result['requests_per_s']:.0f} req/s ({result['events_per_s']:.0f} events/s), "
        f"p50 {result['latency_ms']['p50']:.2f} ms, p99 {result['latency_ms']['p99']:.2f} ms, "
        f"p99.9 {result['latency_ms']['p99.9']:.2f} ms, errors {bad}, cpu% {cpu}")
    if bad:
        log(f"{args.label}: WARNING: {bad} failed or non-2xx requests: {result['errors']}")
    update_state(args.state, "wrk", {args.label: result})


def sample_entry(redis):
    for p in range(16):
        reply = redis("XRANGE", f"events:{{{p}}}", "-", "+", "COUNT", "1")
        if reply:
            _, flat = reply[0]
            return fields(flat)
    return None


def cmd_payload(args):
    """Stores one real stream entry written by ingest, the XADD ceiling's payload."""
    entry = sample_entry(Redis(args.redis_port))
    if not entry:
        raise SystemExit("no entry in events:{p} to copy (did the warm-up run post anything?)")
    payload = text(entry["e"])
    update_state(args.state, "stream_entry", {"fields": sorted(entry), "e_bytes": len(payload.encode()), "e": payload})
    log(f"stream entry sample: fields {sorted(entry)}, e = {len(payload.encode())} bytes")


def run_redis_benchmark(port, clients, pipeline, requests, payload):
    # bench:{__rand_int__} with -r 4: four streams, like the four events:{p} partitions.
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(clients), "-P", str(pipeline),
            "-n", str(requests), "-r", "4", "--csv", "XADD", "bench:{__rand_int__}", "*", "v", "1", "e", payload]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    # The test name (the whole command, payload included) is not CSV-escaped:
    # read the seven numeric columns from the right.
    lines = [l for l in out.stdout.splitlines() if l.startswith('"')]
    header = [h.strip('"') for h in lines[0].split(",")]
    values = [v.strip('"') for v in lines[-1].rsplit(",", len(header) - 1)]
    row = dict(zip(header, values))
    return {"requests_per_s": float(row["rps"]), "p50_ms": float(row.get("p50_latency_ms", "nan")),
            "p99_ms": float(row.get("p99_latency_ms", "nan")), "avg_ms": float(row.get("avg_latency_ms", "nan")),
            "requests": requests}, argv


def cmd_xadd_ceiling(args):
    redis = Redis(args.redis_port)
    state = load_state(args.state)
    payload = state["stream_entry"]["e"]
    aof = {text(k): text(v) for k, v in zip(*[iter(redis("CONFIG", "GET", "append*"))] * 2)}
    # Calibrate so the measured run lasts about --duration seconds.
    probe, _ = run_redis_benchmark(args.redis_port, args.clients, args.pipeline, args.calibrate, payload)
    requests = max(args.calibrate, int(probe["requests_per_s"] * args.duration))
    window = CpuWindow(parse_pids(args.pid)).start()
    result, argv = run_redis_benchmark(args.redis_port, args.clients, args.pipeline, requests, payload)
    result["cpu_percent"] = window.stop(extra_child_name="redis-benchmark")
    if "redis" in result["cpu_percent"] and result["requests_per_s"]:
        result["redis_cpu_us_per_command"] = round(result["cpu_percent"]["redis"] / 100.0 * 1e6 / result["requests_per_s"], 1)
    shown = argv[:-1] + [f"<{len(payload.encode())}-byte event JSON>"]
    result.update({"clients": args.clients, "pipeline": args.pipeline, "payload_bytes": len(payload.encode()),
                   "command": " ".join(shlex.quote(a) for a in shown), "appendonly": aof.get("appendonly"),
                   "appendfsync": aof.get("appendfsync")})
    keys = [f"bench:{{{n:012d}}}" for n in range(4)]
    redis("DEL", *keys)
    log(f"{args.label}: {result['requests_per_s']:.0f} XADD/s (-c {args.clients} -P {args.pipeline}, "
        f"{requests} requests, appendfsync {result['appendfsync']}), cpu% {result['cpu_percent']}")
    update_state(args.state, "xadd", {args.label: result})
