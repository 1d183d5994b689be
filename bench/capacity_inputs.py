"""The measured figures the capacity model (bench/capacity.py, docs/capacity.md) runs on, each
read from the results file that holds it, never retyped: bench/results/latest.json (`make bench`)
and bench/results/capacity.json (bench/capacity_measure.sh). Standard library only."""
import json
import os
import subprocess
from dataclasses import dataclass

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value, unit, and the file and key path it was read from."""
    value: float
    unit: str
    source: str


class MissingFigure(Exception):
    """A results file lacks a figure the model needs: the message says which file and key."""


def results_commit(path):
    """The commit that last committed `path` (git log), or 'not committed'."""
    try:
        out = subprocess.run(["git", "-C", os.path.dirname(path), "log", "-1", "--format=%h", "--", path],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):  # no git, or not a checkout
        out = ""
    return out or "not committed"


def dig(data, path, file_name):
    """data[path[0]][path[1]]…, or MissingFigure naming the file and the key path."""
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise MissingFigure(f"{file_name} has no {'.'.join(path)}: rerun the command that writes it")
        node = node[key]
    return node


def wrk_run(latest, events_per_s):
    """The wrk run whose rate the summary reports (the median round's best)."""
    for name, run in latest["raw"]["wrk"].items():
        if run["events_per_s"] == events_per_s:
            return name, run
    raise MissingFigure(f"latest.json: no wrk run at {events_per_s} events/s, the summary's figure")


def load(results=RESULTS):
    """Every input figure by name. Per-event CPU figures are µs of one core per event."""
    latest_path, capacity_path = os.path.join(results, "latest.json"), os.path.join(results, "capacity.json")
    for path in (latest_path, capacity_path):
        if not os.path.exists(path):
            raise MissingFigure(f"{path} not found: `make bench` writes latest.json, bench/capacity_measure.sh capacity.json")
    latest, capacity = json.load(open(latest_path)), json.load(open(capacity_path))
    L = lambda *p: dig(latest, p, "latest.json")
    C = lambda *p: dig(capacity, p, "capacity.json")
    figures = {}

    def put(name, value, unit, source):
        """Records one figure, rounded to hundredths."""
        figures[name] = Figure(round(value, 2), unit, source)

    for mode, rate in (("batch", L("summary", "batch_ingest", "events_per_s")), ("single", L("summary", "single_ingest", "rps"))):
        run_name, run = wrk_run(latest, rate)
        where = f"latest.json raw.wrk.{run_name}"
        put(f"ingest_us_{mode}", run["ingest_cpu_us_per_request"] / run["events_per_request"], "µs ingest CPU/event",
            f"{where}.ingest_cpu_us_per_request / events_per_request")
        put(f"redis_ingest_us_{mode}", run["cpu_percent"]["redis"] / 100 / run["events_per_s"] * 1e6, "µs Redis CPU/event",
            f"{where}.cpu_percent.redis / events_per_s")
    put("xadd_ceiling", L("summary", "batch_ingest", "ceiling"), "XADD/s", "latest.json summary.batch_ingest.ceiling (-P 64)")
    put("worker_rate", L("raw", "drain", "events_per_s"), "events/s", "latest.json raw.drain.events_per_s (one worker, busy time)")
    put("worker_cpu_us", L("raw", "drain", "worker_cpu_to_flushed_us_per_event"), "µs worker CPU/event",
        "latest.json raw.drain.worker_cpu_to_flushed_us_per_event (consumer and flusher)")
    put("redis_worker_us", L("raw", "drain", "redis_cpu_us_per_event"), "µs Redis CPU/event",
        "latest.json raw.drain.redis_cpu_us_per_event (redis-server CPU over the drain)")
    events = L("raw", "drain", "events")
    store_ms = L("summary", "drain_store_bound", "ceiling_ms") + L("summary", "drain_store_bound", "rollup_ms")
    put("store_us", store_ms * 1000 / events, "µs store time/event",
        "latest.json summary.drain_store_bound: (ceiling_ms + rollup_ms) / raw.drain.events")
    by = L("raw", "drain", "mongo", "by_collection")
    flush_store_ms = sum(v["ms"] for k, v in by.items() if k.split()[0] in ("sessions", "visitors", "rollups") and k.split()[1] in ("insert", "update"))
    docs = L("raw", "drain", "writes", "derived_inserts") + L("raw", "drain", "writes", "derived_updates")
    put("derived_docs_per_event", docs / events, "documents/event", "latest.json raw.drain.writes.(derived_inserts + derived_updates) / events")
    put("flush_us_per_doc", L("raw", "drain", "flush_total_s") * 1e6 / docs, "µs/derived document",
        "latest.json raw.drain.flush_total_s / derived documents")
    put("flush_store_us_per_doc", flush_store_ms * 1000 / docs, "µs store time/derived document",
        "latest.json raw.drain.mongo.by_collection (sessions, visitors, rollups insert+update ms) / derived documents")
    put("documents_per_event", L("summary", "documents_per_event", "documents_per_event"), "store documents/event",
        "latest.json summary.documents_per_event")
    put("updates_per_event", L("summary", "documents_per_event", "updates_per_event"), "store updates/event",
        "latest.json summary.documents_per_event.updates_per_event")
    put("redis_bytes_per_entry", C("redis_memory", "bytes_per_entry"), "bytes/queued event",
        "capacity.json redis_memory.bytes_per_entry")
    put("event_bytes", C("store_bytes", "event_bson_bytes_per_event"), "BSON bytes/stored event",
        "capacity.json store_bytes.event_bson_bytes_per_event")
    put("derived_bytes", C("store_bytes", "derived_bson_bytes_per_event"), "BSON bytes of derived documents/event",
        "capacity.json store_bytes.derived_bson_bytes_per_event")
    commits = {"latest.json": (L("raw", "meta", "git_commit"), results_commit(latest_path)),
               "capacity.json": (C("meta", "git_commit"), results_commit(capacity_path))}
    return figures, commits
