"""The capacity model's own measurements (docs/capacity.md), the figures `make bench` does not
take: Redis memory per queued event, bytes per stored document and per roll-up bucket, Redis
bytes per derived key. bench/capacity_measure.sh starts the servers and calls the subcommands:

  redis-memory  XADD N entries shaped like the bench's stamped entry into an empty Redis and
                read INFO memory before and after;
  wait-drained  until the worker has acknowledged every entry and flushed every dirty key;
  store-bytes   BSON bytes of every stored document by collection, the store's collStats,
                and MEMORY USAGE of the worker's derived keys by kind.

Each writes its figures into the state file under its own key; bench/capacity_report.py turns
that into bench/results/capacity.md and .json. Needs the venv's redis and pymongo.
"""
import argparse
import json
import os
import re
import subprocess
import time
import uuid

import redis as redis_client
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PIPELINE = 2000
EVENT_COLLECTIONS = ["pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages"]
DERIVED_COLLECTIONS = ["sessions", "visitors", "rollups"]
# Derived keys by prefix (docs/derived-data.md, "Where it lives").
KEY_KINDS = {"sess": "session pointer", "ss": "session state", "vs": "visitor state", "ru": "roll-up bucket",
             "rv": "roll-up HyperLogLog", "ci": "chat feedback", "pe": "page view engagement"}


def update_state(path, key, value):
    """Writes `value` under `key` in the JSON state file, keeping the other keys."""
    state = json.load(open(path)) if os.path.exists(path) else {}
    state[key] = value
    with open(path, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)


def memory(r):
    """used_memory and used_memory_rss from INFO memory."""
    info = r.info("memory")
    return {"used_memory": info["used_memory"], "used_memory_rss": info["used_memory_rss"]}


def resp(*parts):
    """One command in Redis's wire protocol, for redis-cli --pipe."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


def entries(template, count, partitions):
    """XADDs of `template` with its ids replaced by fresh ones (counter-based, the same length as
    a UUID) and its timestamps moved on by one millisecond per entry."""
    pieces = UUID.split(template)
    stamp = str(json.loads(template)["timestamp"])
    prefix = uuid.uuid4().hex[:20]
    for n in range(count):
        ids = [f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{prefix[16:20]}-{n * len(pieces) + k:012x}"
               for k in range(len(pieces) - 1)]
        body = "".join(piece + (ids[k] if k < len(ids) else "") for k, piece in enumerate(pieces))
        body = body.replace(stamp, str(int(stamp) + n))
        yield resp(b"XADD", b"events:{%d}" % (n % partitions), b"*", b"v", b"1", b"e", body.encode())


def cmd_redis_memory(args):
    """Bytes per queued entry: the bench's stamped entry (its `e` from latest.json), with fresh
    ids and timestamps per entry so no two are alike, XADDed across the partitions' streams
    through redis-cli --pipe (the fastest way in; what is measured is memory, not speed)."""
    entry = json.load(open(args.latest))["raw"]["stream_entry"]
    r = redis_client.Redis(port=args.port)
    r.flushall()
    before = memory(r)
    started = time.monotonic()
    pipe = subprocess.Popen(["redis-cli", "-p", str(args.port), "--pipe"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    chunk = []
    for command in entries(entry["e"], args.entries, args.partitions):
        chunk.append(command)
        if len(chunk) == PIPELINE:
            pipe.stdin.write(b"".join(chunk))
            chunk = []
    pipe.stdin.write(b"".join(chunk))
    pipe.stdin.close()
    if pipe.wait() != 0:
        raise SystemExit("redis-cli --pipe failed: some XADDs were refused")
    seconds = time.monotonic() - started
    after = memory(r)
    queued = sum(r.xlen(f"events:{{{p}}}") for p in range(args.partitions))
    if queued != args.entries:
        raise SystemExit(f"{queued} entries queued of {args.entries}")
    per_entry = (after["used_memory"] - before["used_memory"]) / queued
    result = {"entries": queued, "partitions": args.partitions, "e_bytes": entry["e_bytes"], "seconds": round(seconds, 1),
              "before": before, "after": after, "bytes_per_entry": round(per_entry, 1),
              "rss_bytes_per_entry": round((after["used_memory_rss"] - before["used_memory_rss"]) / queued, 1),
              "mib_per_million": round(per_entry * 1e6 / 2**20, 1), "redis": r.info("server")["redis_version"]}
    r.flushall()
    update_state(args.state, "redis_memory", result)
    print(f"redis-memory: {queued} entries, {per_entry:.0f} bytes each ({result['mib_per_million']} MiB per million)")


def cmd_wait_drained(args):
    """Until every partition's entries are acknowledged and every dirty:{p} set is empty."""
    r = redis_client.Redis(port=args.port)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        done = True
        for p in range(args.partitions):
            stream = f"events:{{{p}}}"
            groups = r.xinfo_groups(stream) if r.exists(stream) else []
            last = r.xinfo_stream(stream)["last-generated-id"] if groups else None
            if not groups or groups[0]["pending"] or groups[0]["last-delivered-id"] != last or r.zcard(f"dirty:{{{p}}}"):
                done = False
        if done:
            return print("wait-drained: every entry acknowledged, every derived key flushed")
        time.sleep(0.5)
    raise SystemExit(f"the worker did not drain and flush within {args.timeout}s")


def collection_bytes(db, name):
    """Documents, their BSON bytes (as MongoDB stores them before compression), indexes, and
    what the store's collStats says (None where it does not answer)."""
    coll = db.get_collection(name, codec_options=db.codec_options.with_options(document_class=RawBSONDocument))
    sizes = [len(doc.raw) for doc in coll.find({})]
    try:
        stats = db.command("collStats", name)
        stats = {k: stats.get(k) for k in ("count", "size", "avgObjSize", "storageSize", "totalIndexSize", "nindexes")}
    except Exception as error:  # a store without collStats: BSON bytes still tell the size
        stats = {"error": str(error)[:200]}
    row = {"documents": len(sizes), "bson_bytes": sum(sizes), "indexes": len(list(coll.list_indexes())), "coll_stats": stats}
    row["bson_bytes_per_document"] = round(sum(sizes) / len(sizes), 1) if sizes else None
    if name == "rollups":
        row["by_granularity"] = {g: round(sum(len(d.raw) for d in coll.find({"granularity": g})) /
                                         max(1, coll.count_documents({"granularity": g})), 1) for g in ("hour", "day")}
    return row


def key_memory(r):
    """MEMORY USAGE (every field counted: SAMPLES 0) of the worker's derived keys, by kind."""
    out = {}
    for prefix, what in KEY_KINDS.items():
        sizes = [r.memory_usage(key, samples=0) or 0 for key in r.scan_iter(match=f"{prefix}:{{*", count=1000)]
        out[prefix] = {"what": what, "keys": len(sizes), "bytes_per_key": round(sum(sizes) / len(sizes), 1) if sizes else None}
    return out


def cmd_store_bytes(args):
    """Bytes per stored document by collection and per event, and Redis bytes per derived key."""
    db = MongoClient(args.mongo_url)[args.db]
    collections = {name: collection_bytes(db, name) for name in EVENT_COLLECTIONS + DERIVED_COLLECTIONS}
    events = sum(collections[n]["documents"] for n in EVENT_COLLECTIONS)
    event_bytes = sum(collections[n]["bson_bytes"] for n in EVENT_COLLECTIONS)
    derived_bytes = sum(collections[n]["bson_bytes"] for n in DERIVED_COLLECTIONS)
    result = {"posted": args.events, "visitors": args.visitors, "events_stored": events, "collections": collections,
              "event_bson_bytes_per_event": round(event_bytes / events, 1),
              "derived_bson_bytes_per_event": round(derived_bytes / events, 1),
              "redis_keys": key_memory(redis_client.Redis(port=args.redis_port))}
    update_state(args.state, "store_bytes", result)
    print(f"store-bytes: {events} events, {result['event_bson_bytes_per_event']} BSON bytes each "
          f"+ {result['derived_bson_bytes_per_event']} of derived documents per event")


def main():
    """Parses the subcommand and runs it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("redis-memory")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--latest", required=True, help="bench/results/latest.json (its stream_entry)")
    p = sub.add_parser("wait-drained")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--timeout", type=float, default=120)
    p = sub.add_parser("store-bytes")
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--mongo-url", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--visitors", type=int, required=True)
    args = parser.parse_args()
    {"redis-memory": cmd_redis_memory, "wait-drained": cmd_wait_drained, "store-bytes": cmd_store_bytes}[args.command](args)


if __name__ == "__main__":
    main()
