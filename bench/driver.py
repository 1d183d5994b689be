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
import argparse
import datetime
import http.client
import json
import math
import multiprocessing
import os
import platform
import queue
import random
import re
import shlex
import socket
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from redis_client import Redis  # noqa: E402  (shared with scripts/chaos.py)
import derived  # noqa: E402  (bench/derived.py: sessions, visitors and roll-ups written behind)
import derived_report  # noqa: E402  (their rows in the table)
CLK_TCK = os.sysconf("SC_CLK_TCK")
EVENT_COLLECTIONS = ["pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages"]


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ mongo server counters

def mongo_counters(mongo_url):
    """SecantusDB's `top` (per-namespace time and count per op type) and opcounters."""
    import pymongo
    client = pymongo.MongoClient(mongo_url, serverSelectionTimeoutMS=5000)
    try:
        top = client.admin.command("top")["totals"]
        ops = client.admin.command("serverStatus").get("opcounters", {})
    finally:
        client.close()
    top.pop("note", None)
    return {"top": top, "opcounters": {k: int(v) for k, v in ops.items()}}


def mongo_delta(before, after, db):
    """Server time (ms) and command count per collection and op type in `db` between two snapshots."""
    out = {}
    for ns, sections in after["top"].items():
        if not ns.startswith(db + "."):
            continue
        old = before["top"].get(ns, {})
        for section in ("insert", "update", "queries", "getmore", "commands", "remove"):
            t = sections[section]["time"] - old.get(section, {}).get("time", 0)
            n = sections[section]["count"] - old.get(section, {}).get("count", 0)
            if n:
                out[f"{ns[len(db) + 1:]} {section}"] = {"ms": round(t / 1000.0, 1), "commands": n}
    ops = {k: after["opcounters"].get(k, 0) - before["opcounters"].get(k, 0) for k in after["opcounters"]}
    return {"by_collection": dict(sorted(out.items(), key=lambda kv: -kv[1]["ms"])),
            "total_ms": round(sum(v["ms"] for v in out.values()), 1), "opcounters": ops}


# ------------------------------------------------------------------ state

def load_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def update_state(path, key, value):
    """Merges `value` under `key` (dicts are merged one level deep)."""
    state = load_state(path)
    if isinstance(value, dict) and isinstance(state.get(key), dict):
        state[key].update(value)
    else:
        state[key] = value
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


# ------------------------------------------------------------------ redis

def fields(reply):
    """A flat [k, v, k, v] reply as a dict with str keys."""
    return {reply[i].decode() if isinstance(reply[i], bytes) else reply[i]: reply[i + 1] for i in range(0, len(reply), 2)}


def text(value):
    return value.decode() if isinstance(value, bytes) else value


# ------------------------------------------------------------------ /proc

def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0
    rest = stat[stat.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def context_switches(pid):
    """Voluntary + involuntary context switches of every thread of a process."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


def machine_busy_ticks():
    """CPU ticks all cores spent busy (not idle, not iowait) since boot."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = parts
    return user + nice + system + irq + softirq + steal


class CpuWindow:
    """CPU use of named processes between start() and stop(), as % of one core;
    plus `other`: everything else on the machine (other people's builds...)."""

    def __init__(self, pids):
        self.pids = {name: int(pid) for name, pid in pids.items() if pid}

    def start(self):
        self.t0 = time.monotonic()
        self.c0 = {name: cpu_ticks(pid) for name, pid in self.pids.items()}
        self.children0 = os.times()
        self.m0 = machine_busy_ticks()
        self.self0 = os.times()
        return self

    def stop(self, extra_child_name=None):
        elapsed = time.monotonic() - self.t0
        out = {name: round(100.0 * (cpu_ticks(pid) - self.c0[name]) / CLK_TCK / elapsed, 1) for name, pid in self.pids.items()}
        t = os.times()
        if extra_child_name:
            used = (t.children_user - self.children0.children_user) + (t.children_system - self.children0.children_system)
            out[extra_child_name] = round(100.0 * used / elapsed, 1)
        me = (t.user - self.self0.user) + (t.system - self.self0.system)
        machine = 100.0 * (machine_busy_ticks() - self.m0) / CLK_TCK / elapsed
        out["other"] = round(max(0.0, machine - sum(out.values()) - 100.0 * me / elapsed), 1)
        return out


def parse_pids(specs):
    pids = {}
    for spec in specs or []:
        name, _, pid = spec.partition("=")
        pids[name] = pid
    return pids


# ------------------------------------------------------------------ events

# A handful of real browser user agents (and one crawler, which skips sessions).
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]

ROUTES = {
    "pageview": "/api/analytics/track/pageview",
    "event": "/api/analytics/track/event",
    "chat": "/api/analytics/track/chat",
    "feedback": "/api/analytics/track/chat/feedback",
    "tool": "/api/analytics/track/tool",
    "lab": "/api/analytics/track/lab",
    "api": "/api/analytics/track/api",
}
# Roughly a product site's traffic: mostly page views and UI events.
KIND_WEIGHTS = [("pageview", 40), ("event", 24), ("api", 12), ("chat", 8), ("tool", 7), ("lab", 4), ("feedback", 5)]
PAGES = ["/", "/pricing", "/docs/getting-started", "/blog/how-we-cut-latency-in-half", "/products/espresso-grinder-pro",
         "/account/settings", "/checkout/shipping", "/search"]
REFERRERS = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/Xk2a9", "", "https://duckduckgo.com/",
             "https://www.linkedin.com/feed/"]


def hexid(rng, n=12):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def make_event(rng, kind, visitor=None, chat_ids=None):
    """One realistic event of `kind` (roughly 250-350 bytes of JSON)."""
    if kind == "pageview":
        page = rng.choice(PAGES)
        event = {"url": f"https://shop.example.com{page}?utm_source=newsletter&utm_medium=email&utm_campaign=spring-{rng.randint(1, 9)}",
                 "referrer": rng.choice(REFERRERS), "title": f"{page.strip('/').replace('/', ' · ').title() or 'Home'} | Example Shop",
                 "timeSpent": rng.randint(500, 120000), "scrollDepth": rng.randint(0, 100),
                 "context": {"locale": "en-US", "screen": rng.choice(["1920x1080", "390x844", "1440x900"])}}
    elif kind == "event":
        event = {"eventType": rng.choice(["auth", "nav", "cart", "search"]), "eventName": rng.choice(["signup", "login", "open-menu", "add-to-cart", "submit"]),
                 "userId": f"u-{rng.randint(1, 50000)}", "eventData": {"plan": rng.choice(["free", "pro", "team"]), "source": "header-button",
                                                                      "experiment": "checkout-v3", "variant": rng.choice("ABC")},
                 "success": rng.random() < 0.95, "context": {"page": {"path": rng.choice(PAGES)}, "locale": "en-US"}}
    elif kind == "chat":
        chat_id = f"chat-{hexid(rng, 16)}"
        if chat_ids is not None:
            chat_ids.append(chat_id)
        event = {"id": chat_id, "agentId": rng.choice(["support", "sales", "onboarding"]), "agentName": "Support bot",
                 "userMessage": "Hi, where is my order #%d? It was due yesterday and tracking shows nothing." % rng.randint(10000, 99999),
                 "aiResponse": "Your order left our warehouse this morning; tracking updates within 24 hours.",
                 "responseTime": rng.randint(300, 4000), "model": "gpt-x-mini", "language": "en"}
    elif kind == "feedback":
        target = (rng.choice(chat_ids) if chat_ids else f"chat-{hexid(rng, 16)}")
        event = {"interactionId": target, "satisfied": rng.random() < 0.8,
                 "feedback": rng.choice(["quick answer, thanks", "did not solve my problem", "the link in the answer was broken"]),
                 "userId": f"u-{rng.randint(1, 50000)}", "context": {"locale": "en-US", "page": {"path": "/help"}}}
    elif kind == "tool":
        event = {"toolName": rng.choice(["json-formatter", "regex-tester", "base64", "jwt-decoder"]), "category": "dev",
                 "inputData": {"size": rng.randint(10, 50000), "format": "json", "options": {"indent": 2, "sortKeys": True}},
                 "outputData": {"ok": True, "lines": rng.randint(1, 4000)}, "success": rng.random() < 0.97,
                 "executionTime": round(rng.uniform(0.5, 250.0), 2)}
    elif kind == "lab":
        event = {"experimentName": rng.choice(["caption-v2", "ocr-tables", "summarise-long"]), "experimentType": "vision",
                 "model": rng.choice(["m2", "m3-large"]), "inputData": {"images": rng.randint(1, 8), "resolution": "1024x768"},
                 "outputData": {"captions": rng.randint(1, 8)}, "success": rng.random() < 0.9, "processingTime": rng.randint(200, 30000)}
    elif kind == "api":
        event = {"endpoint": rng.choice(["/v1/orders", "/v1/products", "/v1/cart/items", "/v1/search"]),
                 "method": rng.choice(["GET", "GET", "POST", "PATCH"]), "statusCode": rng.choice([200, 200, 200, 201, 204, 404, 429, 500]),
                 "responseTime": rng.randint(2, 900), "userId": f"u-{rng.randint(1, 50000)}",
                 "context": {"client": "web", "version": "4.12.0", "region": "eu-west"}}
    else:
        raise ValueError(kind)
    if visitor:
        event["visitorId"] = visitor
    return event


def pick_kind(rng):
    return rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]


def visitor_pool(rng, n):
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def cmd_corpus(args):
    """Writes single.tsv (one event per line) and batch.tsv (100 events per line):
    path<TAB>user-agent<TAB>visitor cookie (may be empty)<TAB>JSON body."""
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    visitors = visitor_pool(rng, 2000)
    chat_ids = []
    sizes = []
    with open(os.path.join(args.dir, "single.tsv"), "w") as f:
        for _ in range(args.single):
            kind = pick_kind(rng)
            body = json.dumps(make_event(rng, kind, chat_ids=chat_ids), separators=(",", ":"))
            sizes.append(len(body))
            # One request in ten comes from a first-time visitor (no cookie yet).
            cookie = "" if rng.random() < 0.1 else rng.choice(visitors)
            f.write(f"{ROUTES[kind]}\t{rng.choice(USER_AGENTS)}\t{cookie}\t{body}\n")
    # The HTTP server's floor: a GET that does no Redis or JSON work at all.
    with open(os.path.join(args.dir, "healthz.tsv"), "w") as f:
        for _ in range(10):
            f.write(f"/healthz\t{rng.choice(USER_AGENTS)}\t\t\n")
    batch_sizes = []
    with open(os.path.join(args.dir, "batch.tsv"), "w") as f:
        for _ in range(args.batches):
            events = []
            for _ in range(args.batch_size):
                kind = pick_kind(rng)
                events.append({"type": kind, **make_event(rng, kind, visitor=rng.choice(visitors), chat_ids=chat_ids)})
            body = json.dumps({"batch": events}, separators=(",", ":"))
            batch_sizes.append(len(body))
            f.write(f"/api/analytics/batch\t{rng.choice(USER_AGENTS)}\t\t{body}\n")
    info = {"single_bodies": args.single, "single_body_bytes_avg": round(sum(sizes) / len(sizes)),
            "single_body_bytes_min": min(sizes), "single_body_bytes_max": max(sizes),
            "batch_bodies": args.batches, "batch_size": args.batch_size, "batch_body_bytes_avg": round(sum(batch_sizes) / len(batch_sizes))}
    if args.state:
        update_state(args.state, "corpus", info)
    log(f"corpus: {info}")


# ------------------------------------------------------------------ wrk

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


# ------------------------------------------------------------------ redis-benchmark

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


def cmd_clear_streams(args):
    redis = Redis(args.redis_port)
    keys = [f"events:{{{p}}}" for p in range(args.partitions)] + ["events:dead", "sluice:drain"]
    deleted = redis("DEL", *keys)
    # Session keys of earlier phases; a fresh prefill should start sessions afresh.
    cursor, removed = b"0", 0
    while True:
        cursor, batch = redis("SCAN", cursor, "MATCH", "sess:*", "COUNT", "1000")
        if batch:
            removed += redis("DEL", *batch)
        if cursor in (b"0", "0"):
            break
    log(f"cleared {deleted} stream keys and {removed} session keys")


# ------------------------------------------------------------------ prefill

class Poster:
    def __init__(self, url):
        self.host, self.port = re.match(r"http://([^:/]+):(\d+)", url).groups()
        self.conn = None

    def post(self, path, body, user_agent, retries=20):
        for _ in range(retries):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
                self.conn.request("POST", path, body, {"content-type": "application/json", "user-agent": user_agent})
                response = self.conn.getresponse()
                data = response.read()
                if response.status == 202:
                    return data
                if response.status == 429:
                    # A wait here would slow the prefill and the lag probes without a trace in the figures.
                    raise SystemExit("ingest answered 429: the limits bench/run.sh sets by name (SLUICE_RATE_LIMIT_ADDRESS, "
                                     f"SLUICE_RATE_LIMIT_VISITOR) must never empty during a run: {data[:500]!r}")
                if response.status != 503:
                    raise SystemExit(f"ingest answered {response.status}: {data[:500]!r}")
            except (OSError, http.client.HTTPException):
                self.conn = None
            time.sleep(0.5)
        raise SystemExit("ingest kept refusing the prefill")


def batch_body(rng, visitors, size, chat_ids, now_ms=None, probe_id=None):
    events = []
    for n in range(size):
        kind = "event" if (probe_id and n == 0) else pick_kind(rng)
        event = {"type": kind, **make_event(rng, kind, visitor=rng.choice(visitors), chat_ids=chat_ids)}
        if probe_id and n == 0:
            event["id"] = probe_id
        if now_ms is not None:
            event["timestamp"] = now_ms
            event["sentAt"] = now_ms
        events.append(event)
    return json.dumps({"batch": events}, separators=(",", ":"))


def cmd_prefill(args):
    rng = random.Random(args.seed)
    visitors = visitor_pool(rng, args.visitors)
    poster = Poster(args.url)
    chat_ids = []
    started = time.monotonic()
    sent = 0
    while sent < args.events:
        size = min(args.batch_size, args.events - sent)
        now_ms = int(time.time() * 1000)
        poster.post("/api/analytics/batch", batch_body(rng, visitors, size, chat_ids, now_ms), rng.choice(USER_AGENTS))
        sent += size
        del chat_ids[:-500]
    elapsed = time.monotonic() - started
    redis = Redis(args.redis_port)
    lengths = redis.pipeline(*[("XLEN", f"events:{{{p}}}") for p in range(args.partitions)])
    info = {"events": sent, "visitors": args.visitors, "user_agents": len(USER_AGENTS), "batch_size": args.batch_size,
            "seconds": round(elapsed, 2), "stream_lengths": lengths}
    update_state(args.state, args.key, info)
    log(f"prefilled {sent} events in {elapsed:.1f}s; stream lengths {lengths}")


# ------------------------------------------------------------------ drain

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


def cmd_rss(args):
    status = proc_status(args.pid_of)
    update_state(args.state, "rss", {args.label: {"vmhwm_bytes": status.get("VmHWM"), "vmrss_bytes": status.get("VmRSS")}})
    log(f"{args.label}: VmHWM {status.get('VmHWM', 0) / 1048576:.1f} MiB, VmRSS {status.get('VmRSS', 0) / 1048576:.1f} MiB")


# ------------------------------------------------------------------ mongo ceiling

def cmd_mongo_ceiling(args):
    import pymongo
    client = pymongo.MongoClient(args.mongo_url)
    src, dst = client[args.src_db], client[args.dst_db]
    counts = {c: src[c].count_documents({}) for c in EVENT_COLLECTIONS}
    total = sum(counts.values())
    client.drop_database(args.dst_db)
    # The same secondary indexes the worker created, so both write the same index entries.
    indexes = 0
    for collection in EVENT_COLLECTIONS:
        for index in src[collection].list_indexes():
            if index["name"] == "_id_":
                continue
            dst[collection].create_index(list(index["key"].items()), name=index["name"])
            indexes += 1
    dst[EVENT_COLLECTIONS[0]].find_one()  # make sure the database exists before timing
    argv = [args.exe, args.mongo_url, args.src_db, args.dst_db, str(args.batch_size)]
    log(f"mongo ceiling: {total} documents {counts}, {indexes} secondary indexes copied; {' '.join(argv)}")
    counters0 = mongo_counters(args.mongo_url)
    window = CpuWindow(parse_pids(args.pid)).start()
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    cpu = window.stop()
    server = mongo_delta(counters0, mongo_counters(args.mongo_url), args.dst_db)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"{args.exe} failed (exit status {out.returncode})")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    copied = {c: dst[c].count_documents({}) for c in EVENT_COLLECTIONS}
    if sum(copied.values()) != result["documents"]:
        raise SystemExit(f"ceiling inserted {result['documents']} but the database holds {copied}")
    result.update({"collections": counts, "secondary_indexes": indexes, "cpu_percent": cpu, "mongo": server})
    update_state(args.state, "mongo_ceiling", result)
    log(f"mongo ceiling: {result['documents']} docs in {result['seconds']:.2f}s = {result['documents_per_s']:.0f} docs/s "
        f"({result['bulks']} unordered bulks), client CPU {result['client_cpu_us_per_doc']} µs/doc; cpu% {cpu}")
    client.drop_database(args.dst_db)


# ------------------------------------------------------------------ lag

def lag_poller(mongo_url, db, probes, results, stop_after, derived_stop_after):
    """Polls userevents for the probes' ids until each is visible (lag = seen - receivedAt);
    a sampled probe then waits for its session document to show it (derived.SessionStaleness).
    Gives up on events `stop_after` and on sessions `derived_stop_after` seconds after posting ends."""
    import pymongo
    database = pymongo.MongoClient(mongo_url)[db]
    collection = database["userevents"]
    staleness = derived.SessionStaleness(database["sessions"])
    outstanding = {}
    found = {}
    done_posting = False
    prev_start = time.time()
    periods = []
    give_up = derived_give_up = None
    while True:
        try:
            while True:
                item = probes.get_nowait()
                if item is None:
                    done_posting = True
                    give_up, derived_give_up = time.time() + stop_after, time.time() + derived_stop_after
                else:
                    probe, sampled = item
                    outstanding[probe] = sampled
        except queue.Empty:
            pass
        if outstanding and not (done_posting and time.time() > give_up):
            start = time.time()
            docs = list(collection.find({"eventId": {"$in": list(outstanding)}},
                                        {"receivedAt": 1, "eventId": 1, "sessionId": 1, "timestamp": 1}))
            end = time.time()
            # Visible somewhere between the previous poll and the end of this one.
            seen = (prev_start + end) / 2
            periods.append(end - prev_start)
            prev_start = start
            for doc in docs:
                found[doc["eventId"]] = seen * 1000 - derived.ms(doc["receivedAt"])
                if outstanding.pop(doc["eventId"], False):
                    staleness.add(doc)
        else:
            prev_start = time.time()
        staleness.poll()
        if done_posting and (not outstanding or time.time() > give_up) and (not staleness.waiting or time.time() > derived_give_up):
            break
        time.sleep(0.005)
    periods.sort()
    results.put({"lags_ms": sorted(found.values()), "missing": len(outstanding),
                 "poll_period_ms_p50": round(1000 * periods[len(periods) // 2], 1) if periods else None, **staleness.result()})


def percentile(values, p):
    if not values:
        return None
    k = max(0, min(len(values) - 1, math.ceil(p / 100.0 * len(values)) - 1))
    return values[k]


# The lag phases: the baseline's rate (equal load, the target's comparison), then half the drain rate.
LAG_PHASES = [("lag_equal", "the baseline's rate"), ("lag", "half the drain rate")]


def cmd_lag(args):
    rng = random.Random(args.seed)
    visitors = visitor_pool(rng, args.visitors)
    rate = args.rate
    # At most ~200 requests/s from this one Python thread; larger batches above that.
    batch = max(1, min(100, math.ceil(rate / 200)))
    interval = batch / rate
    flush_interval = derived.flush_interval(args.worker_log) if args.worker_log else 30
    probes, results = multiprocessing.Queue(), multiprocessing.Queue()
    poller = multiprocessing.Process(target=lag_poller, args=(args.mongo_url, args.db, probes, results, 30.0, flush_interval + 60.0),
                                     daemon=True)
    poller.start()
    time.sleep(0.5)
    poster = Poster(args.url)
    run_id = hexid(rng, 8)
    chat_ids = []
    started = time.monotonic()
    next_at = started
    sent = requests = 0
    behind = 0.0
    while time.monotonic() - started < args.duration:
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        else:
            behind = max(behind, now - next_at)
        probe = f"lag-{run_id}-{requests}" if requests % args.probe_every == 0 else None
        agent = rng.choice(USER_AGENTS)
        poster.post("/api/analytics/batch", batch_body(rng, visitors, batch, chat_ids, int(time.time() * 1000), probe), agent)
        if probe:
            # Every `--staleness-every`-th request's probe, when its user agent is a person's
            # (a bot's events have no session), also waits for its session document.
            probes.put((probe, requests % args.staleness_every == 0 and "bot" not in agent.lower()))
        sent += batch
        requests += 1
        next_at += interval
        del chat_ids[:-500]
    elapsed = time.monotonic() - started
    probes.put(None)
    out = results.get(timeout=flush_interval + 180)
    poller.join(timeout=10)
    lags = out["lags_ms"]
    result = {"target_events_per_s": round(rate, 1), "events_per_s": round(sent / elapsed, 1), "events": sent,
              "requests": requests, "events_per_request": batch, "seconds": round(elapsed, 2),
              "probes": len(lags), "probes_missing": out["missing"], "poll_period_ms_p50": out["poll_period_ms_p50"],
              "lag_ms": {"p50": round(percentile(lags, 50), 1) if lags else None, "p99": round(percentile(lags, 99), 1) if lags else None,
                         "max": round(lags[-1], 1) if lags else None},
              "poster_max_behind_ms": round(1000 * behind, 1), "flush_interval_s": flush_interval}
    stale = out["staleness_ms"]
    result["staleness"] = {"probes": len(stale), "never_fresh": out["never_fresh"], "without_session": out["without_session"],
                           "ms": {"p50": round(percentile(stale, 50)) if stale else None, "p99": round(percentile(stale, 99)) if stale else None,
                                  "max": round(stale[-1]) if stale else None}}
    update_state(args.state, args.label, result)
    log(f"lag at {result['events_per_s']:.0f} events/s (target {rate:.0f}): p50 {result['lag_ms']['p50']} ms, "
        f"p99 {result['lag_ms']['p99']} ms over {len(lags)} probes ({out['missing']} not seen); session documents stale by "
        f"{result['staleness']['ms']} ms over {len(stale)} sampled probes ({out['never_fresh']} never shown, "
        f"{out['without_session']} without a session)")


# ------------------------------------------------------------------ profiles

PERF_LINE_SELF = re.compile(r"^\s+([\d.]+)%\s+(\d+)\s+(\S+)\s+\[([.k])\]\s+(.*?)\s*$")
PERF_LINE_CHILDREN = re.compile(r"^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+\[([.k])\]\s+(.*?)\s*$")
PERF_LINE_COMM = re.compile(r"^\s+([\d.]+)%\s+(\d+)\s+(.*?)\s*$")


def demangle(names):
    """Swift names, fully demangled and simplified (two lists, same order)."""
    def run(extra):
        try:
            out = subprocess.run(["swift", "demangle", *extra], input="\n".join(names), capture_output=True, text=True, timeout=120)
            lines = out.stdout.split("\n")
            return lines[:len(names)] if len(lines) >= len(names) else names
        except (OSError, subprocess.SubprocessError):
            return names
    return run([]), run(["--simplified"])


def source_index():
    """Swift type name -> source files declaring or extending it."""
    index = {}
    pattern = re.compile(r"^\s*(?:public\s+|private\s+|fileprivate\s+|internal\s+|package\s+|final\s+)*"
                         r"(?:struct|class|enum|actor|protocol|extension)\s+(\w+)", re.M)
    for base, _, files in os.walk(os.path.join(ROOT, "Sources")):
        for name in files:
            if name.endswith(".swift"):
                path = os.path.join(base, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    body = f.read()
                for match in pattern.finditer(body):
                    index.setdefault(match.group(1), []).append((os.path.relpath(path, ROOT), body))
    return index


WITNESS = re.compile(r"protocol witness for [\w.]*?\.(\w+)\(.*? in conformance Sluice\w+\.(\w+)")
FUNCTION_NAME = re.compile(r"\b(Sluice\w+)\.((?:[A-Za-z_]\w*\.)*?)(?:\((\w+) in _\w+\)|(\w+))\(")


def locate(full_name, index):
    """'Sources/…/File.swift: Type.member' for a Sluice function, else None."""
    witness = WITNESS.search(full_name)
    if witness:  # "protocol witness for P.member(...) in conformance SluiceX.Type"
        types, member = [witness.group(2)], witness.group(1)
        candidates = index.get(types[0], [])
        return f"{candidates[0][0] if candidates else 'Sluice'}: {types[0]}.{member}"
    match = FUNCTION_NAME.search(full_name)
    if not match:
        return None
    types = [t for t in match.group(2).split(".") if t]
    member = match.group(3) or match.group(4)
    if not types:  # a free function
        types = []
    candidates = (index.get(types[-1], []) if types else [])
    chosen = None
    for path, body in candidates:
        if member == "init" or re.search(r"\b(?:func|var|let|case)\s+`?%s\b" % re.escape(member), body):
            chosen = path
            break
    if chosen is None and candidates:
        chosen = candidates[0][0]
    return f"{chosen or match.group(1)}: {'.'.join(types + [member])}"


def clean_symbol(symbol):
    """perf pads symbols and may append empty columns ('-  -')."""
    return re.sub(r"(\s+-)+\s*$", "", symbol).strip()


def perf_lines(path, args):
    out = subprocess.run(["perf", "report", "-i", path, "--stdio", "-n", "-g", "none", "--percent-limit", "0.2", *args],
                         capture_output=True, text=True, timeout=600)
    return [l for l in out.stdout.splitlines() if l and not l.startswith("#")]


ANY_FUNCTION = re.compile(r"\b([A-Z_]\w*)\.((?:[A-Za-z_]\w*\.)*?)(?:\((\w+) in _\w+\)|(\w+))\(")
RUNTIME_DSOS = {"libswiftCore.so": "Swift runtime (retain/release, metadata, casts)", "libswift_Concurrency.so": "Swift concurrency runtime",
                "[kernel.kallsyms]": "kernel (syscalls, scheduling, TCP)", "libc.so.6": "libc (malloc/free, memcpy)"}


def module_of(full_name, dso):
    match = ANY_FUNCTION.search(full_name)
    if match and dso not in ("[kernel.kallsyms]", "libc.so.6"):
        module = match.group(1)
        return "Swift stdlib (specialised)" if module == "Swift" else module
    if dso in RUNTIME_DSOS:
        return RUNTIME_DSOS[dso]
    return f"{dso} (thunks, outlined copies, metadata accessors)" if dso.startswith("sluice-") else dso


def summarise_perf(path, index, top=15):
    """Top costs of one perf.data: by thread, by module, by self time, Sluice functions by inclusive time."""
    threads, total = [], 0
    for line in perf_lines(path, ["--no-children", "--sort", "comm"]):
        m = PERF_LINE_COMM.match(line)
        if m:
            name = m.group(3)
            if name.endswith("default-qos"):
                name = "Swift concurrency pool"
            threads.append({"thread": name, "percent": float(m.group(1)), "samples": int(m.group(2))})
            total += int(m.group(2))
    self_rows = []
    for line in perf_lines(path, ["--no-children", "--sort", "dso,symbol", "--percent-limit", "0"]):
        m = PERF_LINE_SELF.match(line)
        if m:
            self_rows.append({"percent": float(m.group(1)), "dso": m.group(3), "symbol": clean_symbol(m.group(5))})
    child_rows = []
    for line in perf_lines(path, ["--children", "--sort", "symbol"]):
        m = PERF_LINE_CHILDREN.match(line)
        if m:
            child_rows.append({"inclusive": float(m.group(1)), "self": float(m.group(2)), "symbol": clean_symbol(m.group(5))})
    full, simple = demangle([r["symbol"] for r in self_rows])
    modules = {}
    for row, f, sname in zip(self_rows, full, simple):
        row["symbol"] = sname
        row["where"] = locate(f, index)
        module = module_of(f, row["dso"])
        modules[module] = modules.get(module, 0.0) + row["percent"]
    full, simple = demangle([r["symbol"] for r in child_rows])
    sluice = []
    for row, f, sname in zip(child_rows, full, simple):
        row["symbol"], row["full"] = sname, f
        if "Sluice" in f:
            row["where"] = locate(f, index)
            sluice.append(row)
    # Several specialisations, thunks or async parts of one function: keep the largest.
    seen, top_sluice = set(), []
    for row in sluice:
        key = row["where"] or row["symbol"]
        if key in seen:
            continue
        seen.add(key)
        top_sluice.append({k: row[k] for k in ("inclusive", "self", "symbol", "where")})
    by_module = [{"module": m, "percent": round(p, 2)} for m, p in sorted(modules.items(), key=lambda kv: -kv[1]) if p >= 0.5]
    return {"samples": total, "threads": threads[:8], "modules": by_module[:top], "self": self_rows[:top],
            "sluice_inclusive": top_sluice[:top], "_all_children": child_rows}


def cmd_profile(args):
    index = source_index()
    result = {}
    for name, path in (("ingest", args.ingest), ("ingest_batch", args.ingest_batch)):
        if path and os.path.exists(path):
            summary = summarise_perf(path, index)
            summary.pop("_all_children")
            result[name] = summary
    if args.worker and os.path.exists(args.worker):
        worker = summarise_perf(args.worker, index)
        children = worker.pop("_all_children")

        def share(pattern):
            return max((r["inclusive"] for r in children if re.search(pattern, r["full"])), default=0.0) / 100.0
        enrich = share(r"EventEnricher\.\(?enrich\b")
        stitch = share(r"BatchProcessor\.\(?stitchSessions\b")
        worker["enrichment_share"] = round(enrich, 4)
        worker["stitching_share"] = round(stitch, 4)
        # cpu-clock sampling at F Hz: each sample stands for 1/F s of CPU time.
        cpu_us = 1e6 * worker["samples"] / args.frequency / args.worker_events
        worker["cpu_us_per_event_by_samples"] = round(cpu_us, 1)
        result["enrichment_share"] = round(enrich, 4)
        result["stitching_share"] = round(stitch, 4)
        result["enrichment_us_per_event"] = round(enrich * cpu_us, 2)
        result["stitching_us_per_event"] = round(stitch * cpu_us, 2)
        result["samples"] = worker["samples"]
        result["events"] = args.worker_events
        result["worker"] = worker
    update_state(args.state, "profile", result)
    if "enrichment_us_per_event" in result:
        log(f"profile: enrichment {100 * result['enrichment_share']:.1f}% of worker CPU samples ≈ "
            f"{result['enrichment_us_per_event']} µs/event; session stitching ≈ {result['stitching_us_per_event']} µs/event")


# ------------------------------------------------------------------ meta and report

def run_text(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def cmd_meta(args):
    cpu_model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    git = run_text(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = run_text(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"])
    secantus = run_text([os.path.join(ROOT, ".venv/bin/python"), "-c", "import importlib.metadata as m; print(m.version('SecantusDB'))"])
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command, "nproc": os.cpu_count(), "cpu_model": cpu_model, "memory_gib": round(mem_kb / 1048576, 1),
        "kernel": platform.release(), "loadavg_at_start": load,
        "git_commit": git, "sources_modified": bool(dirty),
        "swift": (run_text(["swift", "--version"]) or "").splitlines()[0] if run_text(["swift", "--version"]) else None,
        "redis": run_text(["redis-server", "--version"]), "wrk": (run_text(["wrk", "-v"]) or "").splitlines()[0] if run_text(["wrk", "-v"]) is not None else None,
        "secantusdb": secantus, "libmongoc": run_text(["pkg-config", "--modversion", "libmongoc-1.0"]),
        "python": platform.python_version(), "partitions": args.partitions,
    }
    update_state(args.state, "meta", meta)


def cmd_loadavg(args):
    with open("/proc/loadavg") as f:
        update_state(args.state, "meta", {args.key: f.read().split()[:3]})


def fmt_int(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_ms(value):
    return "—" if value is None else f"{value:.2f} ms"


def fmt_mib(value):
    return "—" if value is None else f"{value / 1048576:.1f} MiB"


def ratio(a, b):
    return None if not a or not b else a / b


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def met(ok):
    return "—" if ok is None else ("**yes**" if ok else "**NO**")


def paired_rounds(wrk, xadd, prefix, ceiling, value):
    """Per round (runs labelled `<prefix><conns>-r<round>`, ceiling `<ceiling>-r<round>`;
    unlabelled runs are one round): (ratio, Sluice's best run, the ceiling run,
    the connection counts tried), sorted by ratio so the middle one is the median."""
    by_round = {}
    for label, run in wrk.items():
        if label.startswith(prefix):
            rest = label[len(prefix):]
            by_round.setdefault(rest.rsplit("-r", 1)[1] if "-r" in rest else "", []).append(run)
    out = []
    for round_id, runs in by_round.items():
        best = max(runs, key=lambda v: v[value])
        ceiling_run = xadd.get(f"{ceiling}-r{round_id}" if round_id else ceiling)
        conns = "/".join(str(c) for c in sorted({v["connections"] for v in runs}))
        out.append((ratio(best[value], ceiling_run and ceiling_run["requests_per_s"]), best, ceiling_run, conns))
    return sorted(out, key=lambda t: -1 if t[0] is None else t[0])


def rounds_text(rounds):
    if len(rounds) < 2:
        return ""
    return f"median of {len(rounds)} rounds of ceiling then Sluice, ratios {', '.join(fmt_ratio(t[0]) for t in rounds)}; "


def build_rows(state):
    """(figure, sluice, ceiling, ratio, target, met) rows plus a machine-readable summary."""
    rows, summary = [], {}
    wrk = state.get("wrk", {})
    xadd = state.get("xadd", {})
    rounds = paired_rounds(wrk, xadd, "single-c", "p1", "requests_per_s")
    if rounds:
        r, best, p1, conns = rounds[len(rounds) // 2]
        rows.append((f"1. single-event ingest, req/s ({rounds_text(rounds)}best of c={conns}; wrk -t{best['threads']} -c{best['connections']})",
                     fmt_int(best["requests_per_s"]), f"{fmt_int(p1 and p1['requests_per_s'])} (XADD -P 1 -c 32)",
                     fmt_ratio(r), "≥ 0.5× (aim 1.0×)", met(None if r is None else r >= 0.5)))
        lat = best["latency_ms"]
        rows.append(("↳ latency at that maximum, p50 / p99 / p99.9",
                     f"{fmt_ms(lat['p50'])} / {fmt_ms(lat['p99'])} / {fmt_ms(lat['p99.9'])}",
                     f"{fmt_ms(p1 and p1['p50_ms'])} / {fmt_ms(p1 and p1['p99_ms'])} / — (XADD)", "—", "—", "—"))
        if best.get("ingest_cpu_us_per_request") is not None:
            redis_us = best["cpu_percent"].get("redis", 0) / 100.0 * 1e6 / best["requests_per_s"]
            rows.append(("↳ CPU per request at that maximum (ingest, Redis), ingest context switches per request",
                         f"{best['ingest_cpu_us_per_request']:.0f} µs, {redis_us:.0f} µs; {best.get('ingest_context_switches_per_request', 0):.1f} switches",
                         f"{p1 and p1.get('redis_cpu_us_per_command') or '—'} µs Redis CPU per XADD" if p1 and p1.get("redis_cpu_us_per_command") else "—",
                         "—", "—", "—"))
        floor = wrk.get("floor-healthz")
        if floor:
            rf = ratio(floor["requests_per_s"], p1 and p1["requests_per_s"])
            rows.append((f"↳ the HTTP server's floor: GET /healthz (no body, no Redis; wrk -t{floor['threads']} -c{floor['connections']})",
                         f"{fmt_int(floor['requests_per_s'])} req/s, {floor.get('ingest_cpu_us_per_request', 0):.0f} µs ingest CPU per request",
                         f"{fmt_int(p1 and p1['requests_per_s'])} (XADD -P 1 -c 32)", fmt_ratio(rf), "—", "—"))
            summary["healthz_floor"] = {"rps": floor["requests_per_s"], "ratio": rf, "cpu_us_per_request": floor.get("ingest_cpu_us_per_request")}
        summary["single_ingest"] = {"rps": best["requests_per_s"], "ceiling_rps": p1 and p1["requests_per_s"], "ratio": r, "target": 0.5,
                                    "met": None if r is None else r >= 0.5, "latency_ms": lat,
                                    "ratio_of_each_round": [t[0] for t in rounds]}
    # Paced runs at half load (single-half-1, -2, ...): the run with the median p99 is shown.
    halves = sorted((v for k, v in wrk.items() if k.startswith("single-half")), key=lambda v: v["latency_ms"]["p99"])
    if halves:
        half = halves[len(halves) // 2]
        p99 = half["latency_ms"]["p99"]
        runs = f"median of {len(halves)} paced runs, p99s {', '.join(fmt_ms(v['latency_ms']['p99']) for v in halves)}; " if len(halves) > 1 else ""
        rows.append((f"↳ p99 latency at half of that (paced wrk, {runs}ran at {fmt_int(half['requests_per_s'])} req/s for a target of {fmt_int(half['target_rate'])})",
                     f"{fmt_ms(half['latency_ms']['p50'])} p50 / **{fmt_ms(p99)}** p99 / {fmt_ms(half['latency_ms']['p99.9'])} p99.9",
                     "—", "—", "p99 ≤ 5 ms", met(p99 <= 5.0)))
        summary["single_half_latency"] = {"rps": half["requests_per_s"], "target_rps": half["target_rate"], "latency_ms": half["latency_ms"],
                                          "p99_ms_of_each_run": [v["latency_ms"]["p99"] for v in halves],
                                          "target_p99_ms": 5.0, "met": p99 <= 5.0}
    brounds = paired_rounds(wrk, xadd, "batch-c", "p64", "events_per_s")
    if brounds:
        r, bbest, p64, conns = brounds[len(brounds) // 2]
        rows.append((f"2. batch ingest, events/s ({bbest['events_per_request']} events/request; {rounds_text(brounds)}best of c={conns})",
                     fmt_int(bbest["events_per_s"]), f"{fmt_int(p64 and p64['requests_per_s'])} (XADD -P 64, AOF everysec)",
                     fmt_ratio(r), "≥ 0.5×", met(None if r is None else r >= 0.5)))
        if bbest.get("ingest_cpu_us_per_request") is not None:
            redis_us = bbest["cpu_percent"].get("redis", 0) / 100.0 * 1e6 / bbest["events_per_s"]
            rows.append(("↳ CPU per event at that maximum (ingest, Redis)",
                         f"{bbest['ingest_cpu_us_per_request'] / bbest['events_per_request']:.1f} µs, {redis_us:.1f} µs",
                         f"{p64.get('redis_cpu_us_per_command')} µs Redis CPU per XADD" if p64 and p64.get("redis_cpu_us_per_command") else "—",
                         "—", "—", "—"))
        summary["batch_ingest"] = {"events_per_s": bbest["events_per_s"], "ceiling": p64 and p64["requests_per_s"], "ratio": r,
                                   "target": 0.5, "met": None if r is None else r >= 0.5,
                                   "ratio_of_each_round": [t[0] for t in brounds]}
    drain, ceiling = state.get("drain"), state.get("mongo_ceiling")
    if drain:
        drain_rows, drain_summary = derived_report.drain_rows(drain, ceiling)
        bound = derived_report.store_bound(drain, ceiling)
        if bound:
            drain_rows.insert(2 if "busy_s" in drain else 1, (
                "↳ the store's own bound: the ceiling's insert time over that plus SecantusDB's time for the drain's "
                "derived writes and seed reads (sessions, visitors, rollups; its `top` counters, below)",
                f"derived {bound['rollup_ms'] / 1000:.1f} s of store time", f"inserts {bound['ceiling_ms'] / 1000:.1f} s",
                fmt_ratio(bound["ratio"]), "—", "—"))
            summary["drain_store_bound"] = bound
        rows += drain_rows
        summary.update(drain_summary)
        prof = state.get("profile", {})
        if prof.get("enrichment_us_per_event") is not None:
            sluice = (f"{prof['enrichment_us_per_event']:.1f} µs enrich + {prof['stitching_us_per_event']:.1f} µs session script "
                      f"(perf); whole worker {drain['worker_cpu_us_per_event']:.1f} µs CPU/event")
        else:
            sluice = f"≤ {drain['worker_cpu_us_per_event']:.1f} µs (whole worker CPU/event; no perf profile)"
        rows.append(("4. enrichment, µs/event (share of worker CPU by perf; worker CPU from /proc over the drain)", sluice,
                     f"{ceiling['client_cpu_us_per_doc']:.1f} µs/doc (raw-insert client CPU)" if ceiling else "—", "—", "—", "—"))
        summary["enrichment"] = {"enrich_us_per_event": prof.get("enrichment_us_per_event"),
                                 "session_script_us_per_event": prof.get("stitching_us_per_event"),
                                 "worker_cpu_us_per_event": drain["worker_cpu_us_per_event"]}
    rollup_rows, rollup_summary = derived_report.rollup_rows(state)
    rows += rollup_rows
    summary.update(rollup_summary)
    rss = state.get("rss", {})
    ingest_rss = rss.get("ingest", {}).get("vmhwm_bytes")
    if ingest_rss:
        ok = ingest_rss <= 64 * 1048576
        rows.append(("5. ingest peak RSS (VmHWM after the ingest runs)", fmt_mib(ingest_rss), "—", "—", "≤ 64 MiB", met(ok)))
        summary["ingest_rss"] = {"bytes": ingest_rss, "target_bytes": 64 * 1048576, "met": ok}
    if drain:
        rows.append(("↳ worker peak RSS (VmHWM after the drain)", fmt_mib(drain["worker_vmhwm_bytes"]), "—", "—", "—", "—"))
        summary["worker_rss"] = {"bytes": drain["worker_vmhwm_bytes"]}
    baseline = state.get("lag_baseline")
    for key, what in LAG_PHASES:
        if state.get(key):
            lag_rows, lag_summary = derived_report.lag_rows(state[key], baseline, key, what)
            rows += lag_rows
            summary.update(lag_summary)
    return rows, summary


def cpu_rows(state):
    rows = []
    wrk = state.get("wrk", {})
    for label, run in wrk.items():
        rows.append((f"wrk {label} (-t{run['threads']} -c{run['connections']})", run.get("cpu_percent", {})))
    for label, run in state.get("xadd", {}).items():
        rows.append((f"redis-benchmark XADD -P {run['pipeline']}", run.get("cpu_percent", {})))
    if state.get("drain"):
        cpu = dict(state["drain"].get("cpu_percent", {}))
        cpu["worker"] = state["drain"]["worker_cpu_percent"]
        rows.append(("worker drain", cpu))
    if state.get("mongo_ceiling"):
        cpu = dict(state["mongo_ceiling"].get("cpu_percent", {}))
        cpu["mongo_ceiling"] = state["mongo_ceiling"].get("client_cpu_percent")
        rows.append(("raw bulk-insert ceiling", cpu))
    return rows


def machine_line(meta):
    return (f"{meta.get('cpu_model')}, {meta.get('nproc')} cores, {meta.get('memory_gib')} GiB, Linux {meta.get('kernel')}; "
            f"commit {meta.get('git_commit')}{' with uncommitted changes in Sources/' if meta.get('sources_modified') else ''}")


def load_note(state):
    others = [cpu.get("other") for _, cpu in cpu_rows(state) if cpu.get("other") is not None]
    if not others:
        return []
    mean_other = sum(others) / len(others)
    note = (" Other processes took a large share of the machine during this run, so every figure — Sluice's and the "
            "ceilings' alike — is lower than on an idle machine; the ratios are the figures to compare." if mean_other > 20 else "")
    return [f"CPU used by other processes on the machine during the measurements: {mean_other:.0f}% of one core on average "
            f"(max {max(others):.0f}%; 200% = both cores).{note}\n"]


def table_lines(rows):
    out = ["| figure | Sluice | ceiling (same run) | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return out


def update_doc(path, state, rows):
    """Replaces the block between the bench markers in `path` with this run's table."""
    begin, end = "<!-- bench:begin (written by make bench) -->", "<!-- bench:end -->"
    with open(path) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        log(f"{path} has no bench markers; not updated")
        return
    meta = state.get("meta", {})
    block = [begin, "", f"`{meta.get('command', 'make bench')}`, {meta.get('date')}, {machine_line(meta)}. "
             "Full results, CPU use per process and the profiles: [bench/results/latest.md](../bench/results/latest.md) "
             "([json](../bench/results/latest.json)).", ""]
    block += load_note(state)
    block += table_lines(rows)
    block += ["", end]
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + "\n".join(block) + tail)
    log(f"updated the results block in {os.path.relpath(path, ROOT)}")


def markdown(state, rows, summary):
    meta = state.get("meta", {})
    out = []
    out.append("# Sluice benchmark results\n")
    out.append(f"Written by `{meta.get('command', 'make bench')}` on {meta.get('date')}; "
               "every figure below comes from that one run (see [docs/performance.md](../../docs/performance.md) for the method).\n")
    out.append("| | |\n|---|---|")
    for key, label in [("cpu_model", "CPU"), ("nproc", "cores (nproc)"), ("memory_gib", "memory (GiB)"), ("kernel", "kernel"),
                       ("loadavg_at_start", "load average at start"), ("loadavg_at_end", "load average at end"),
                       ("git_commit", "commit"), ("sources_modified", "Sources/ modified vs commit"), ("swift", "Swift"),
                       ("redis", "Redis"), ("secantusdb", "SecantusDB"), ("libmongoc", "libmongoc"), ("wrk", "wrk"),
                       ("partitions", "partitions")]:
        value = meta.get(key)
        if isinstance(value, list):
            value = " ".join(value)
        out.append(f"| {label} | {value} |")
    out.append("")
    out.extend(load_note(state))
    out.extend(table_lines(rows))
    out.append("")
    crow = cpu_rows(state)
    if crow:
        names = []
        for _, cpu in crow:
            for name in cpu:
                if name not in names:
                    names.append(name)
        out.append("CPU use during each measurement, % of one core (2 cores = 200%):\n")
        out.append("| run | " + " | ".join(names) + " |")
        out.append("|---|" + "---|" * len(names))
        for label, cpu in crow:
            out.append(f"| {label} | " + " | ".join("—" if cpu.get(n) is None else f"{cpu[n]:.0f}" for n in names) + " |")
        out.append("")
    details = []
    corpus = state.get("corpus")
    if corpus:
        details.append(f"- Single-event bodies: {corpus['single_bodies']} distinct, {corpus['single_body_bytes_min']}–{corpus['single_body_bytes_max']} bytes "
                       f"(mean {corpus['single_body_bytes_avg']}); batch bodies: {corpus['batch_size']} events, mean {corpus['batch_body_bytes_avg']} bytes.")
    entry = state.get("stream_entry")
    if entry:
        details.append(f"- XADD ceiling payload: a real entry ingest wrote (fields {', '.join(entry['fields'])}; `e` = {entry['e_bytes']} bytes).")
    for label, run in state.get("wrk", {}).items():
        lat = run["latency_ms"]
        details.append(f"- wrk {label}: -t{run['threads']} -c{run['connections']} -d{run['duration_s']}s"
                       + (f" paced at {run['target_rate']} req/s" if run.get("target_rate") else "")
                       + f": {run['requests_per_s']:,.0f} req/s, {run['events_per_s']:,.0f} events/s, p50 {lat['p50']:.2f} / p90 {lat['p90']:.2f} / p99 {lat['p99']:.2f} / "
                       f"p99.9 {lat['p99.9']:.2f} / max {lat['max']:.2f} ms, {run['requests']:,} requests, failed or non-2xx: {run['error_count']}"
                       + (f"; ingest {run['ingest_cpu_us_per_request']} µs CPU and {run['ingest_context_switches_per_request']} context switches per request"
                          if run.get("ingest_cpu_us_per_request") is not None and run.get("ingest_context_switches_per_request") is not None else ""))
    for label, run in state.get("xadd", {}).items():
        details.append(f"- redis-benchmark {label}: `{run['command']}` → {run['requests_per_s']:,.0f} XADD/s, p50 {run['p50_ms']} ms, "
                       f"p99 {run['p99_ms']} ms (appendonly {run['appendonly']}, appendfsync {run['appendfsync']})")
    prefill = state.get("prefill")
    if prefill:
        details.append(f"- Drain pre-fill: {prefill['events']:,} mixed events posted through ingest in batches of {prefill['batch_size']}, "
                       f"{prefill['visitors']:,} visitors, {prefill['user_agents']} user agents; stream lengths {prefill['stream_lengths']}.")
    drain = state.get("drain")
    if drain:
        details.append(f"- Drain: {drain['events']:,} events in {drain['seconds']} s from the first read to the last acknowledgement "
                       f"(worker start-up before the first read: {drain['startup_s']} s, not counted); worker CPU {drain['worker_cpu_s']} s = "
                       f"{drain['worker_cpu_us_per_event']} µs/event; worker VmHWM {fmt_mib(drain['worker_vmhwm_bytes'])}.")
    ceiling = state.get("mongo_ceiling")
    if ceiling:
        details.append(f"- Raw bulk-insert ceiling: {ceiling['documents']:,} documents read back from the worker's database, inserted in "
                       f"{ceiling['bulks']} unordered bulks (batches of {ceiling['batch_size']} in stream order, one bulk per collection per batch) "
                       f"into a fresh database with the same {ceiling['secondary_indexes']} secondary indexes: {ceiling['seconds']:.2f} s.")
    profile = state.get("profile")
    if profile and profile.get("enrichment_share") is not None:
        details.append(f"- Enrichment share of the worker's CPU samples (perf, {profile['samples']} samples): "
                       f"{100 * profile['enrichment_share']:.1f}% → ≈ {profile['enrichment_us_per_event']:.1f} µs/event.")
    for key, what in LAG_PHASES:
        lag = state.get(key)
        if not lag:
            continue
        details.append(f"- Lag at {what}: {lag['events']:,} events in {lag['seconds']} s ({lag['requests']} batch requests of {lag['events_per_request']}), "
                       f"the first event of each request a probe: {lag['probes']} probes seen, "
                       f"{lag['probes_missing']} not seen; poll period p50 {lag['poll_period_ms_p50']} ms; max lag {lag['lag_ms']['max']} ms.")
    if state.get("lag_baseline"):
        details.append(f"- Lag baseline (bench/lag-baseline.json): {state['lag_baseline']['what']}")
    details += derived_report.details(state)
    rss = state.get("rss", {})
    for label, value in rss.items():
        details.append(f"- {label} memory: VmHWM {fmt_mib(value.get('vmhwm_bytes'))}, VmRSS {fmt_mib(value.get('vmrss_bytes'))}.")
    if details:
        out.append("Details:\n")
        out.extend(details)
        out.append("")
    out.extend(mongo_section(state))
    out.extend(profile_section(state))
    return "\n".join(out)


def mongo_section(state):
    drain, ceiling = state.get("drain", {}).get("mongo"), state.get("mongo_ceiling", {}).get("mongo")
    if not drain:
        return []
    events = state["drain"]["events"]
    out = ["Where SecantusDB spent its time (its `top` counters: server time per collection and operation) during the "
           f"worker drain of {events:,} events" + (" and during the raw bulk-insert ceiling:\n" if ceiling else ":\n")]
    out.append("| collection, operation | drain: server ms | drain: commands | ceiling: server ms | ceiling: commands |")
    out.append("|---|---|---|---|---|")
    keys = list(drain["by_collection"])
    for key in (ceiling or {}).get("by_collection", {}):
        if key not in keys:
            keys.append(key)
    for key in keys:
        d = drain["by_collection"].get(key, {})
        c = (ceiling or {}).get("by_collection", {}).get(key, {})
        out.append(f"| {key} | {d.get('ms', '—')} | {d.get('commands', '—')} | {c.get('ms', '—')} | {c.get('commands', '—')} |")
    out.append(f"| **total** | **{drain['total_ms']}** | | **{(ceiling or {}).get('total_ms', '—')}** | |")
    out.append("")
    return out


def profile_section(state):
    profile = state.get("profile")
    if not profile:
        return []
    out = ["## Profiles (perf, separate runs after the measurements)\n"]
    for name, label in [("ingest", "sluice-ingest under the single-event load"), ("ingest_batch", "sluice-ingest under the batch load"),
                        ("worker", "sluice-worker draining")]:
        p = profile.get(name)
        if not p:
            continue
        out.append(f"### {label} ({p['samples']:,} samples)\n")
        out.append("Threads: " + ", ".join(f"{t['thread']} {t['percent']:.0f}%" for t in p["threads"]) + ".\n")
        out.append("Self time by module: " + ", ".join(f"{m['module']} {m['percent']:.1f}%" for m in p["modules"]) + ".\n")
        out.append("| self % | function | where |")
        out.append("|---|---|---|")
        for row in p["self"][:12]:
            out.append(f"| {row['percent']:.1f} | `{row['symbol'][:110]}` ({row['dso']}) | {row['where'] or '—'} |")
        out.append("")
        out.append("| inclusive % | self % | Sluice function (source file: type.function) |")
        out.append("|---|---|---|")
        for row in p["sluice_inclusive"][:15]:
            out.append(f"| {row['inclusive']:.1f} | {row['self']:.1f} | {row['where'] or row['symbol'][:110]} |")
        out.append("")
    if profile.get("enrichment_us_per_event") is not None:
        out.append(f"Worker CPU by samples: {profile['worker'].get('cpu_us_per_event_by_samples')} µs/event over {profile['events']:,} events; "
                   f"`EventEnricher.enrich` (user agent, clock, traffic source) {100 * profile['enrichment_share']:.1f}% of it = "
                   f"{profile['enrichment_us_per_event']} µs/event; `BatchProcessor.stitchSessions` (the Redis session script) "
                   f"{100 * profile['stitching_share']:.1f}% = {profile['stitching_us_per_event']} µs/event.\n")
    return out


def cmd_rollup_bench(args):
    """Roll-up maintenance CPU per event, measured in-process by sluice-enrichment-bench."""
    result = derived.rollup_bench(args.exe)
    update_state(args.state, "rollup_bench", result)
    log(f"roll-up maintenance: {result['rollup_cpu_us_per_event']} µs CPU/event (enrichment {result['enrich_us_per_event']} µs/event)")


def cmd_median_single(args):
    """Prints a field of the best single-event run of the median round (for run.sh)."""
    state = load_state(args.state)
    rounds = paired_rounds(state.get("wrk", {}), state.get("xadd", {}), "single-c", "p1", "requests_per_s")
    best = rounds[len(rounds) // 2][1]
    print(best["connections"] if args.field == "connections" else round(best["requests_per_s"] / 2))


def cmd_report(args):
    if args.lag_baseline:
        update_state(args.state, "lag_baseline", derived.lag_baseline(args.lag_baseline))
    state = load_state(args.state)
    rows, summary = build_rows(state)
    md = markdown(state, rows, summary)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(md)
    public = {k: v for k, v in state.items()}
    if "stream_entry" in public:
        public["stream_entry"] = {k: v for k, v in public["stream_entry"].items()}
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump({"summary": summary, "raw": public}, f, indent=2, sort_keys=True)
        f.write("\n")
    if args.doc:
        update_doc(args.doc, state, rows)
    # The table on the terminal, aligned.
    header = ("figure", "Sluice", "ceiling (same run)", "ratio", "target", "met?")
    table = [header] + [tuple(str(c).replace("**", "") for c in row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for n, row in enumerate(table):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    print()
    print(f"written: {os.path.relpath(os.path.join(args.out, 'latest.md'), ROOT)}, {os.path.relpath(os.path.join(args.out, 'latest.json'), ROOT)}")


# ------------------------------------------------------------------ main

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
