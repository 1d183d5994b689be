"""Derived data in `make bench` (docs/derived-data.md): what driver.py measures
about sessions, visitors and roll-ups written behind by the worker.

- the worker's own figures, from its /metrics (the URL it logs at start-up):
  flush time, events stored, derived documents written per collection and
  insert or update;
- when the derived documents of a drain are flushed: every `dirty:{p}` sorted
  set empty, and a flush finished after the last acknowledgement;
- how stale a session document is behind its events (the lag phase's probes);
- the roll-up maintenance CPU per event that `sluice-enrichment-bench` measures
  in-process;
- the rows these add to the table.

Standard library only, except the pymongo calls (the venv's Python).
"""
import datetime
import json
import os
import re
import subprocess
import time
import urllib.request

METRICS_URL = re.compile(r"sluice-worker metrics on (http://\S+/metrics)")
FLUSH_INTERVAL = re.compile(r"^\s*SLUICE_FLUSH_INTERVAL\s+(\d+)\s*$", re.M)
SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
ROLLUP_LINE = re.compile(r"roll-up maintenance µs/event:\s+([\d.]+)\s+CPU \(batches of (\d+)\)")
ENRICH_LINE = re.compile(r"µs per event \(amortised\):\s+([\d.]+)")
EVENTS_LINE = re.compile(r"events enriched:\s+(\d+)")
DERIVED_COLLECTIONS = ["sessions", "visitors", "rollups"]
EPOCH = datetime.datetime(1970, 1, 1)


# ------------------------------------------------------------------ the worker's log and /metrics

def worker_log_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def metrics_url(log_path, timeout=30.0):
    """The worker's /metrics URL, from the line it logs once its HTTP server listens."""
    deadline = time.monotonic() + timeout
    while True:
        match = METRICS_URL.search(worker_log_text(log_path))
        if match:
            return match.group(1)
        if time.monotonic() > deadline:
            raise SystemExit(f"no 'sluice-worker metrics on http://…/metrics' line in {log_path} within {timeout:.0f}s")
        time.sleep(0.2)


def flush_interval(log_path):
    """SLUICE_FLUSH_INTERVAL in the configuration the worker printed at start-up (30 when absent)."""
    match = FLUSH_INTERVAL.search(worker_log_text(log_path))
    return int(match.group(1)) if match else 30


def scrape(url):
    """Prometheus text as [(name, {label: value}, number)]."""
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read().decode()
    samples = []
    for line in body.splitlines():
        match = SAMPLE.match(line.strip())
        if not match or line.startswith("#"):
            continue
        labels = dict(LABEL.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def value(samples, name, **labels):
    """The sum of every sample of `name` whose labels include `labels` (0 when none)."""
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items()))


def flushes(samples):
    """(flushes finished, seconds spent flushing) so far."""
    return (value(samples, "sluice_worker_flush_duration_seconds_count"), value(samples, "sluice_worker_flush_duration_seconds_sum"))


# ------------------------------------------------------------------ Redis's time per command

def command_stats(redis):
    """INFO commandstats: command -> (calls, µs). Commands a script runs count both on their
    own line and inside the script's EVALSHA."""
    text = redis("INFO", "commandstats")
    text = text.decode() if isinstance(text, bytes) else text
    out = {}
    for match in re.finditer(r"^cmdstat_([^:]+):calls=(\d+),usec=(\d+)", text, re.M):
        out[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return out


def command_delta(before, after, events, top=12):
    """The commands Redis spent most time on between two `command_stats`, per event."""
    rows = []
    for name, (calls, usec) in after.items():
        calls0, usec0 = before.get(name, (0, 0))
        if usec > usec0:
            rows.append({"command": name, "calls": calls - calls0, "usec": usec - usec0,
                         "us_per_event": round((usec - usec0) / events, 2)})
    return sorted(rows, key=lambda r: -r["usec"])[:top]


# ------------------------------------------------------------------ the flush after a drain

def dirty_keys(redis, partitions):
    """Keys changed and not flushed yet, all partitions (ZCARD dirty:{p})."""
    return sum(redis.pipeline(*[("ZCARD", f"dirty:{{{p}}}") for p in range(partitions)]))


def wait_flushed(redis, partitions, url, at_ack, dirty_at_ack, bound, poll=0.1):
    """Waits until every dirty set is empty and a flush has finished since `at_ack` (the
    metrics read when the last entry was acknowledged): (monotonic time, metrics then).
    With nothing dirty at the acknowledgement a flush had already written everything.
    Gives up `bound` seconds after the acknowledgement, later only while a flush is
    visibly under way (the dirty count fell within the last 60 s)."""
    count_at_ack, _ = flushes(at_ack)
    started = last_progress = time.monotonic()
    lowest = dirty_at_ack
    while True:
        now = time.monotonic()
        dirty = dirty_keys(redis, partitions)
        if dirty == 0:
            samples = scrape(url)
            if dirty_at_ack == 0 or flushes(samples)[0] > count_at_ack:
                return now, samples
        if dirty < lowest:
            lowest, last_progress = dirty, now
        if now - started > bound and now - last_progress > 60:
            raise SystemExit(f"derived data not flushed within {bound:.0f}s of the last acknowledgement "
                             f"({dirty} keys still in dirty:{{p}}, none written in the last 60 s)")
        time.sleep(poll)


def document_counts(mongo_url, db):
    """Documents in sessions, visitors and rollups."""
    import pymongo
    client = pymongo.MongoClient(mongo_url, serverSelectionTimeoutMS=5000)
    try:
        return {c: client[db][c].count_documents({}) for c in DERIVED_COLLECTIONS}
    finally:
        client.close()


def writes(samples, counts):
    """Documents the worker wrote per stored event, beside the floor the data allows."""
    stored = int(value(samples, "sluice_worker_events_stored_total"))
    by = {f"{c} {op}": int(value(samples, "sluice_worker_derived_writes_total", collection=c, operation=op))
          for c in DERIVED_COLLECTIONS for op in ("insert", "update")}
    inserts = sum(v for k, v in by.items() if k.endswith("insert"))
    updates = sum(v for k, v in by.items() if k.endswith("update"))
    people = sum(v for k, v in by.items() if not k.startswith("rollups"))
    out = {"events_stored": stored, "derived_writes": by, "derived_inserts": inserts, "derived_updates": updates,
           "documents": counts, "session_visitor_writes": people}
    if stored:
        out.update({"inserts_per_event": round((stored + inserts) / stored, 4), "updates_per_event": round(updates / stored, 4),
                    "documents_per_event": round((stored + inserts + updates) / stored, 4),
                    "floor_per_event": round(1 + (counts["sessions"] + counts["visitors"]) / stored, 4)})
    return out


# ------------------------------------------------------------------ staleness of session documents

class SessionStaleness:
    """Sampled lag probes whose session document must show them: each waits until its
    session's `lastActivity` reaches the probe's timestamp."""

    # Every 0.5 s: each look is one `$in` over every waiting session (about 700 in the
    # lag phase), and every 0.1 s those looks took a fifth of the store's time there,
    # raising the very lag the phase measures.
    def __init__(self, collection, period=0.5):
        self.collection, self.period = collection, period
        self.waiting = {}  # session id -> [(probe timestamp ms, receivedAt ms)]
        self.found, self.without_session = [], 0
        self.prev_start = self.last_poll = time.time()

    def add(self, document):
        """A probe's stored event document (sessionId, timestamp, receivedAt)."""
        session = document.get("sessionId")
        if not session:
            self.without_session += 1
            return
        self.waiting.setdefault(session, []).append((ms(document["timestamp"]), ms(document["receivedAt"])))

    def poll(self):
        """One look at the waiting sessions, at most every `period` seconds."""
        if not self.waiting:
            self.prev_start = time.time()
            return
        if time.time() - self.last_poll < self.period:
            return
        start = time.time()
        docs = list(self.collection.find({"_id": {"$in": list(self.waiting)}}, {"lastActivity": 1}))
        end = self.last_poll = time.time()
        seen = (self.prev_start + end) / 2  # shown somewhere between the previous look and the end of this one
        self.prev_start = start
        for doc in docs:
            last = ms(doc.get("lastActivity")) if isinstance(doc.get("lastActivity"), datetime.datetime) else None
            if last is None:
                continue
            probes = self.waiting[doc["_id"]]
            self.found += [seen * 1000 - received for at, received in probes if last >= at]
            left = [(at, received) for at, received in probes if last < at]
            if left:
                self.waiting[doc["_id"]] = left
            else:
                del self.waiting[doc["_id"]]

    def result(self):
        return {"staleness_ms": sorted(self.found), "never_fresh": sum(len(v) for v in self.waiting.values()),
                "without_session": self.without_session}


def ms(value):
    """A BSON date (naive UTC datetime) as epoch milliseconds."""
    return (value - EPOCH).total_seconds() * 1000


# ------------------------------------------------------------------ roll-up maintenance CPU

def rollup_bench(exe):
    """Runs sluice-enrichment-bench (in-process: enrichment, then roll-up maintenance of the same events)."""
    out = subprocess.run([exe], capture_output=True, text=True, timeout=600, check=False)
    rollup, enrich, events = ROLLUP_LINE.search(out.stdout), ENRICH_LINE.search(out.stdout), EVENTS_LINE.search(out.stdout)
    if out.returncode != 0 or not rollup:
        raise SystemExit(f"{exe} failed or printed no roll-up line (exit {out.returncode}):\n{out.stdout}{out.stderr}")
    return {"rollup_cpu_us_per_event": float(rollup.group(1)), "batch_size": int(rollup.group(2)),
            "enrich_us_per_event": float(enrich.group(1)) if enrich else None,
            "events": int(events.group(1)) if events else None, "output": out.stdout.strip()}


def lag_baseline(path):
    """The pinned lag baseline (bench/lag-baseline.json): the rate and p99 that the
    lag at equal load is held to."""
    with open(path) as f:
        baseline = json.load(f)
    return {"events_per_s": baseline["events_per_s"], "p99_ms": baseline["lag_ms"]["p99"], "what": baseline["what"]}
