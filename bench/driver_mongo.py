"""MongoDB (SecantusDB) in the bench: its server counters (`top`, opcounters) and their
difference over a measurement, and `driver.py mongo-ceiling` (the worker's documents
bulk-inserted again by bench/mongo_ceiling.c, the store's own bound)."""
import json
import subprocess
import sys

from driver_proc import CpuWindow, parse_pids
from driver_state import log, update_state

EVENT_COLLECTIONS = ["pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages"]


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
