#!/usr/bin/env python3
"""Chaos test of Sluice's delivery guarantee (DESIGN.md, "Delivery guarantee").

Posts N events at a steady rate through a live ingest while the worker is
SIGKILLed and restarted several times, SecantusDB is stopped and restarted,
Redis (appendfsync always) is SIGKILLed and restarted, and poison entries are
injected straight into a stream. The events are mostly page views, plus user
events, from 40 visitors who come and go, so with the run's 1 s session
timeout each has several sessions (scripts/chaos_derived.py).

Then it checks that every id answered 2xx is in MongoDB exactly once or in
events:dead with a reason, that the poison entries are dead letters, and that
replaying the dead letters whose cause was removed stores them. Once every
dirty:{p} set is empty (derived state flushed, SLUICE_FLUSH_INTERVAL=1), it
checks derived data against the raw event collections: every session's
pageViews and events, every visitor's pageViews and visits (distinct sessions),
a session document for every sessionId an event carries; then runs
`sluicectl rollups verify` over the run. Exits non-zero on any loss, duplicate
or difference.

    scripts/chaos.py --events 100000 --rate 2000     # the full run (make chaos)
    scripts/chaos.py --events 3000 --rate 500        # the reduced run make test does

Needs the debug or release binaries (--bin-dir, default: swift build's debug
dir), redis-server, and the .venv with SecantusDB and pymongo (make bootstrap).
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pymongo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from redis_client import Redis  # noqa: E402  (the scripts folder is not a package)
import chaos_derived  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTITIONS = 4
TRAP_INDEX = "chaosTrap_1"


def log(message):
    print(f"chaos: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, timeout=60.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise SystemExit(f"chaos: timed out waiting for {what}")


class Stack:
    """Private Redis, SecantusDB, ingest and worker in a temp dir."""

    def __init__(self, bin_dir, tmp):
        self.bin_dir, self.tmp = bin_dir, tmp
        self.redis_port, self.mongo_port, self.ingest_port = free_port(), free_port(), free_port()
        self.procs = {}
        self.logs = {}
        os.makedirs(f"{tmp}/redis")
        os.makedirs(f"{tmp}/mongo")

    def spawn(self, name, argv, env=None):
        log_file = open(f"{self.tmp}/{name}.log", "ab")
        self.logs[name] = f"{self.tmp}/{name}.log"
        self.procs[name] = subprocess.Popen(
            argv, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True)

    def start_redis(self):
        self.spawn("redis", ["redis-server", f"{ROOT}/deploy/redis.conf", "--port", str(self.redis_port),
                             "--dir", f"{self.tmp}/redis", "--appendfsync", "always"])
        wait_for("redis", lambda: Redis(self.redis_port)("PING") == b"PONG")

    def start_mongo(self):
        self.spawn("mongo", [f"{ROOT}/.venv/bin/secantusd-py", "--config", f"{ROOT}/deploy/secantusd.toml",
                             "--host", "127.0.0.1", "--port", str(self.mongo_port), "--storage-path", f"{self.tmp}/mongo"])
        wait_for("secantusd", lambda: socket.create_connection(("127.0.0.1", self.mongo_port), timeout=1).close() is None)

    def settings(self):
        return {"SLUICE_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}",
                "SLUICE_MONGO_URL": f"mongodb://127.0.0.1:{self.mongo_port}/chaos?serverSelectionTimeoutMS=3000",
                "SLUICE_PARTITIONS": str(PARTITIONS), "SLUICE_INGEST_PORT": str(self.ingest_port),
                "SLUICE_CONSUMER_NAME": "chaos-worker", "SLUICE_CLAIM_IDLE": "5", "SLUICE_WORKER_PORT": "0",
                "SLUICE_BATCH_SIZE": "200", "SLUICE_BLOCK_MS": "500", "SLUICE_LOG_LEVEL": "warning",
                # Every event comes from this one address: its bucket must never empty at the
                # posting rate (2,000/s), yet requests still take the limit-and-append script
                # that production takes. Visitor buckets stay at their default (events carry
                # no cookie, so none applies); site buckets need a sites file, which chaos has not.
                "SLUICE_RATE_LIMIT_ADDRESS": "100000/100000", "SLUICE_RATE_LIMIT_VISITOR": "100/1000",
                "SLUICE_RATE_LIMIT_SITE": "off",
                # Derived documents written behind every second; sessions short enough that
                # every visitor has several in a run (chaos_derived.active_visitors).
                "SLUICE_FLUSH_INTERVAL": "1", "SLUICE_SESSION_TIMEOUT": str(chaos_derived.SESSION_TIMEOUT),
                "SLUICE_FUNNELS": chaos_derived.FUNNELS}

    def start_ingest(self):
        self.spawn("ingest", [f"{self.bin_dir}/sluice-ingest"], self.settings())
        wait_for("ingest", lambda: http_get(self.ingest_port, "/healthz") == 200)

    def start_worker(self):
        self.spawn("worker", [f"{self.bin_dir}/sluice-worker"], self.settings())

    def signal(self, name, sig, wait=True):
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(sig)
            if wait:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def stop_all(self):
        for name in ["worker", "ingest", "mongo", "redis"]:
            if name in self.procs:
                self.signal(name, signal.SIGTERM)


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


class Poster(threading.Thread):
    """Posts batches of events at a steady rate; retries refused ones with the same ids."""

    def __init__(self, port, total, rate, batch=50):
        super().__init__(daemon=True)
        self.port, self.total, self.rate, self.batch = port, total, rate, batch
        self.accepted = set()
        self.refusals = 0
        self.rate_limited = 0
        self.elapsed = 0.0
        self.conn = None

    def post(self, events, agent):
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            body = json.dumps({"batch": events})
            self.conn.request("POST", "/api/analytics/batch", body, {"content-type": "application/json", "user-agent": agent})
            response = self.conn.getresponse()
            response.read()
            return response.status, response.getheader("retry-after")
        except (OSError, http.client.HTTPException):
            self.conn = None
            return None, None

    def run(self):
        started = time.monotonic()
        for start in range(0, self.total, self.batch):
            visitors = chaos_derived.active_visitors(time.time())
            events = [chaos_derived.event(n, visitors[n % len(visitors)]) for n in range(start, min(start + self.batch, self.total))]
            # Distinct times in posting order (a batch takes under its 100 ms slot): funnel steps
            # are counted in time order, and ties would leave the order to batch boundaries.
            now_ms = int(time.time() * 1000)
            for offset, event in enumerate(events):
                event["timestamp"] = now_ms + offset
            ids = [e["id"] for e in events]
            agent = chaos_derived.USER_AGENTS[start // self.batch % len(chaos_derived.USER_AGENTS)]
            while True:
                status, retry_after = self.post(events, agent)
                if status == 202:
                    self.accepted.update(ids)
                    break
                self.refusals += 1
                self.rate_limited += status == 429
                time.sleep(min(float(retry_after or 0.2), 1.0))
            # Steady rate: sleep until this batch's slot.
            target = started + (start + self.batch) / self.rate
            time.sleep(max(0.0, target - time.monotonic()))
        self.elapsed = time.monotonic() - started


def inject_poison(redis, count):
    """Poison straight into a stream: undecodable entries, and events a trap index rejects."""
    stream = "events:{0}"
    undecodable, trapped = [], []
    for n in range(count):
        entry_id = redis("XADD", stream, "*", "v", "1", "e", "{truncated json")
        undecodable.append(entry_id.decode())
    for n in range(count + 1):
        event = {"id": f"trap-{n}", "type": "event", "visitorId": "v-trap", "timestamp": int(time.time() * 1000),
                 "receivedAt": int(time.time() * 1000), "eventType": "chaos", "eventName": "trap", "chaosTrap": "same"}
        redis("XADD", stream, "*", "v", "1", "e", json.dumps(event))
        trapped.append(event["id"])
    return undecodable, trapped


def backlog(redis):
    """Entries pending or not yet read, over every partition's groups."""
    total = 0
    for p in range(PARTITIONS):
        stream = f"events:{{{p}}}"
        groups = redis("XINFO", "GROUPS", stream) if redis("EXISTS", stream) else []
        if not groups:
            # A Redis restarted before any worker made the group: every entry is unread.
            total += redis("XLEN", stream)
        for group in groups:
            info = dict(zip(group[::2], group[1::2]))
            lag = info.get(b"lag")
            if lag is None:
                # Redis cannot tell the lag after its restart from the AOF (entries-read
                # unknown): count what lies after the group's last delivered entry.
                lag = len(redis("XRANGE", stream, b"(" + info[b"last-delivered-id"], "+", "COUNT", 1000) or [])
            total += lag + (info.get(b"pending") or 0)
    return total


def dead_letters(redis):
    letters = []
    for _, fields in redis("XRANGE", "events:dead", "-", "+") or []:
        info = {k.decode(): v.decode(errors="replace") for k, v in zip(fields[::2], fields[1::2])}
        letters.append(info)
    return letters


def derived_checks(stack, redis, db, run_start):
    """Sessions and visitors against the raw events, then `sluicectl rollups verify`; true when both agree."""
    waited = chaos_derived.wait_for_flush(redis, PARTITIONS, backlog, timeout=120)
    log(f"derived state flushed {waited:.1f} s after the checks above")
    summary, mismatches = chaos_derived.compare(db)
    print(summary)
    for line in mismatches[:chaos_derived.SHOWN]:
        print(f"  {line}")
    started = time.monotonic()
    ok, output = chaos_derived.verify(f"{stack.bin_dir}/sluicectl", stack.settings(), run_start)
    print(output.rstrip())
    log(f"sluicectl rollups verify took {time.monotonic() - started:.0f} s")
    if mismatches:
        log(f"FAIL: {len(mismatches)} session or visitor counts differ from the raw events")
    if not ok:
        log("FAIL: sluicectl rollups verify reported differences or failed")
    return ok and not mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="events to post (default 100000)")
    parser.add_argument("--rate", type=int, default=2000, help="events per second (default 2000)")
    parser.add_argument("--worker-kills", type=int, default=4, help="times the worker is SIGKILLed (default 4)")
    parser.add_argument("--poison", type=int, default=3, help="poison entries of each kind (default 3)")
    parser.add_argument("--bin-dir", default=None, help="directory with sluice-ingest, sluice-worker, sluicectl")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, data) for inspection")
    args = parser.parse_args()
    bin_dir = args.bin_dir or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()

    tmp = tempfile.mkdtemp(prefix="sluice-chaos.")
    stack = Stack(bin_dir, tmp)
    ok = False
    started = time.monotonic()
    run_start = time.time()
    try:
        stack.start_redis()
        stack.start_mongo()
        stack.start_ingest()
        stack.start_worker()
        redis = Redis(stack.redis_port)
        mongo = pymongo.MongoClient(f"mongodb://127.0.0.1:{stack.mongo_port}/", serverSelectionTimeoutMS=30000)
        events = mongo["chaos"]["userevents"]
        events.create_index([("chaosTrap", 1)], unique=True, name=TRAP_INDEX,
                            partialFilterExpression={"chaosTrap": {"$exists": True}})

        duration = args.events / args.rate
        log(f"posting {args.events} events at {args.rate}/s (~{duration:.0f} s) into {tmp}")
        poster = Poster(stack.ingest_port, args.events, args.rate)
        poster.start()

        # The chaos schedule, spread over the posting time.
        actions = [(0.15, "poison")] + [((k + 1) / (args.worker_kills + 2), "kill-worker") for k in range(args.worker_kills)]
        actions += [(0.35, "stop-mongo"), (0.65, "kill-redis")]
        for at, action in sorted(actions):
            time.sleep(max(0.0, started + at * duration - time.monotonic()))
            if action == "poison":
                undecodable, trapped = inject_poison(redis, args.poison)
                log(f"injected {len(undecodable)} undecodable and {len(trapped)} trap-rejected entries")
            elif action == "kill-worker":
                stack.signal("worker", signal.SIGKILL)
                time.sleep(random.uniform(0.2, 1.0))
                stack.start_worker()
                log(f"worker SIGKILLed and restarted ({time.strftime('%H:%M:%S', time.gmtime())} UTC)")
            elif action == "stop-mongo":
                stack.signal("mongo", signal.SIGTERM)
                time.sleep(2)
                stack.start_mongo()
                log("SecantusDB stopped and restarted")
            elif action == "kill-redis":
                stack.signal("redis", signal.SIGKILL)
                time.sleep(1)
                stack.start_redis()
                log("Redis SIGKILLed and restarted (appendfsync always)")
        poster.join()
        log(f"posting done: {len(poster.accepted)} accepted in {poster.elapsed:.0f} s "
            f"({args.events / max(poster.elapsed, 0.001):.0f} events/s for a target of {args.rate}), "
            f"{poster.refusals} refusals retried ({poster.rate_limited} of them 429)")
        if poster.rate_limited:
            raise SystemExit("chaos: FAIL: ingest answered 429: the rate limits set in Stack.settings are too low for --rate")

        wait_for("the backlog to drain", lambda: backlog(redis) == 0, timeout=max(120, args.events / 500))
        letters = dead_letters(redis)
        log(f"drained; {len(letters)} dead letters")

        # The cause of the trap rejections is removed; replaying stores them.
        events.drop_index(TRAP_INDEX)
        subprocess.run([f"{bin_dir}/sluicectl", "dead", "replay", "--all", "--reason", "rejected by MongoDB", "--yes",
                        "--redis-url", f"redis://127.0.0.1:{stack.redis_port}", "--partitions", str(PARTITIONS),
                        "--mongo-url", stack.settings()["SLUICE_MONGO_URL"]], check=True)
        wait_for("the replay to drain", lambda: backlog(redis) == 0, timeout=60)
        letters = dead_letters(redis)

        # The verdict.
        stored_ids = {}
        # The sender's id is eventId; _id is scoped to the sender (docs/decisions.md).
        for collection in ["pageviews", "userevents"]:
            for doc in mongo["chaos"][collection].find({}, {"eventId": 1}):
                stored_ids[doc["eventId"]] = stored_ids.get(doc["eventId"], 0) + 1
        dead_ids = {}
        for letter in letters:
            try:
                dead_ids[json.loads(letter["e"])["id"]] = letter.get("reason", "")
            except (ValueError, KeyError):
                dead_ids[f"entry:{letter.get('entryId')}"] = letter.get("reason", "")
        accepted = poster.accepted
        lost = [i for i in accepted if i not in stored_ids and i not in dead_ids]
        duplicates = sum(max(0, stored_ids.get(i, 0) - 1) + (1 if i in stored_ids and i in dead_ids else 0) for i in accepted)
        stored = sum(1 for i in accepted if i in stored_ids)
        dead = sum(1 for i in accepted if i in dead_ids)
        without_reason = [i for i, reason in dead_ids.items() if not reason]
        trapped_stored = sum(1 for i in trapped if i in stored_ids)
        undecodable_dead = sum(1 for letter in letters if letter.get("entryId") in undecodable)
        print(f"accepted {len(accepted)}, stored {stored}, dead {dead}, duplicates {duplicates}, lost {len(lost)}")
        print(f"poison: {undecodable_dead}/{len(undecodable)} undecodable in events:dead, "
              f"{trapped_stored}/{len(trapped)} trap-rejected stored after replay")
        print(f"elapsed {time.monotonic() - started:.1f} s")
        problems = []
        if lost:
            problems.append(f"lost {len(lost)}: {sorted(lost)[:10]}")
        if duplicates:
            problems.append(f"{duplicates} duplicates")
        if len(accepted) != args.events:
            problems.append(f"only {len(accepted)} of {args.events} events were ever accepted")
        if without_reason:
            problems.append(f"dead letters without a reason: {without_reason[:5]}")
        if undecodable_dead != len(undecodable):
            problems.append("not every undecodable poison entry is in events:dead")
        if trapped_stored != len(trapped):
            problems.append("replay did not store every trap-rejected entry")
        for problem in problems:
            log(f"FAIL: {problem}")
        ok = not problems and derived_checks(stack, redis, mongo["chaos"], run_start)
    finally:
        stack.stop_all()
        if not ok:
            for name, path in stack.logs.items():
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-15:]
                log(f"--- last lines of {name}.log ---\n" + "".join(tail))
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
