"""`make bench-dashboard`'s timing: every dashboard page and JSON route, over each
range, one request at a time on a kept-alive connection, reading the dashboard's own
time from its `Server-Timing: app;dur=<ms>` header (docs/performance.md, "The
dashboard: `make bench-dashboard`"). Each route is timed twice: as views between
two writes of the site's roll-ups find it (reads reused), and as the first view
after a write finds it (the site's roll-up generation replaced before each request,
as a flush pass does: the view is served the read it has and the open buckets are
read again behind it). Then how soon a write shows: a day document's page views
raised in the store (its hour's too) with the generation, as the flusher does, and the overview's
JSON asked every 10 ms until it shows them. Beside it, the store's part: the
roll-up documents the overview reads, fetched alone with pymongo, and their size.
And each report route of a second dashboard that keeps nothing
(SLUICE_DASHBOARD_CACHE_SECONDS=0): what a view costs when no read is kept for it.

Writes one JSON file: {label, events, rows: [{page, route, range, first, p50, p95,
clientP50, clientP95, writtenP50, writtenP95, uncachedP50, uncachedP95, bytes}], shows: [{range, p50, p95,
max, rounds}], cpu: {process: % of one core while timing, "other": the rest of the
machine}, store: [...]}. Needs the venv's Python (pymongo, redis).
"""
import argparse
import datetime
import http.client
import json
import math
import os
import time
import urllib.parse

import pymongo

from driver import CpuWindow, parse_pids
from driver_redis import Redis

REPORT_PAGES = [("Overview", "/", "overview"), ("Chats", "/chats", "chats"), ("Tools", "/tools", "tools"), ("Lab", "/lab", "lab"),
                ("Funnels", "/funnels", "funnels"), ("Performance", "/performance", "performance")]
JOURNEY = "bench-journey"
OVERVIEW_PARTS = ["page", "entryPage", "exitPage", "referrer", "channel", "utmSource", "utmMedium", "utmCampaign", "deviceType", "browser", "os"]
TOTALS = ["visitors", "pageViews", "events", "sessions", "bounces", "duration", "engaged"]
REPORT_NAMES = {page for page, _, _ in REPORT_PAGES}
# Requests per route to the dashboard that keeps nothing (a 30-day view takes up to a second there).
UNCACHED_REQUESTS = 10
# Each site's roll-up generation (StreamLayout.rollupGenerationsKey); the bench data has no sites file, so the site is "".
GENERATIONS_KEY = "sluice:rollups:written"


def ranges(end_day):
    """(name, query) of the ranges timed; the data ends the day before `end_day` (today)."""
    day = datetime.date.fromisoformat(end_day)
    last = day - datetime.timedelta(days=1)

    def custom(days):
        return {"range": "custom", "from": (day - datetime.timedelta(days=days)).isoformat(), "to": last.isoformat()}

    return [("30 days", custom(30)), ("7 days", custom(7)), ("yesterday", {"range": "yesterday"}), ("today", {"range": "today"})]


def routes(end_day):
    """(page, route, range, path) of everything timed."""
    timed = []
    for range_name, query in ranges(end_day):
        encoded = urllib.parse.urlencode(query)
        for page, path, name in REPORT_PAGES:
            timed.append((page, "page", range_name, f"{path}?{encoded}"))
            timed.append((page, "json", range_name, f"/api/dashboard/{name}?{encoded}"))
    timed += [("Real-time", "page", "live", "/realtime"), ("Real-time", "json", "live", "/api/dashboard/realtime"),
              ("Real-time", "seed json", "live", "/api/analytics/analytics/realtime"),
              ("Journey", "page (search)", "visitor", f"/journey?q={JOURNEY}"),
              ("Journey", "page (timeline)", "session", f"/journey?q={JOURNEY}&session=s-{JOURNEY}-0"),
              ("Journey", "json", "visitor", f"/api/dashboard/journey?q={JOURNEY}"),
              ("Journey", "seed visitor json", "visitor", f"/api/analytics/analytics/visitor/{JOURNEY}"),
              ("Journey", "seed session json", "session", f"/api/analytics/analytics/session/s-{JOURNEY}-0")]
    return timed


def percentile(values, fraction):
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def get(connection, path):
    """The response and body of GET `path`, which must answer 200."""
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
    return response, body


def time_route(connection, path, requests, warmup, before=None):
    """Server and client times (ms) of `requests` GETs of `path` after `warmup` untimed ones,
    the body's size, and the server time of the first (untimed) one: before anything was reused.
    `before`, when given, runs before each request, untimed."""
    server, client, size, first = [], [], 0, None
    for attempt in range(warmup + requests):
        if before:
            before()
        started = time.perf_counter()
        response, body = get(connection, path)
        elapsed = (time.perf_counter() - started) * 1000
        timing = response.getheader("Server-Timing") or ""
        if not timing.startswith("app;dur="):
            raise SystemExit(f"GET {path}: no Server-Timing header (is the dashboard older than this benchmark?)")
        if first is None:
            first = float(timing[len("app;dur="):])
        if attempt >= warmup:
            server.append(float(timing[len("app;dur="):]))
            client.append(elapsed)
            size = len(body)
    return server, client, size, first


def write_shows(connection, database, raise_generation, end_day, rounds):
    """How soon a write of the roll-ups shows in the overview's JSON: for each range, `rounds`
    times, yesterday's day and noon hour documents get one more page view and the site a new
    generation (what a flush pass does), and the JSON is asked every 10 ms until its page
    views are the store's (the range's day documents added up); ms from the generation to
    that answer. The page views added are taken back at the end."""
    today = datetime.datetime.combine(datetime.date.fromisoformat(end_day), datetime.time(), datetime.timezone.utc)
    yesterday = today - datetime.timedelta(days=1)
    # An event counts in its hour and its day, as the flusher writes them.
    documents = {"$or": [{"site": "", "granularity": "day", "start": yesterday},
                         {"site": "", "granularity": "hour", "start": yesterday + datetime.timedelta(hours=12)}]}
    if database.rollups.count_documents(documents) != 2:
        raise SystemExit(f"no day and noon hour documents for {yesterday.date()} to write to")

    def page_views(path):
        return json.loads(get(connection, path)[1])["figures"]["pageViews"]["value"]

    def stored(days):
        query = {"site": "", "granularity": "day", "start": {"$gte": today - datetime.timedelta(days=days), "$lt": today}}
        return sum(d.get("human", {}).get("pageViews", 0) for d in database.rollups.find(query, {"human.pageViews": 1}))

    def shown(path, want, started):
        """ms from `started` until the JSON shows `want` page views."""
        while (seen := page_views(path)) != want:
            if time.perf_counter() - started > 60:
                raise SystemExit(f"GET {path}: the store's {want} page views did not show within 60 s (still {seen})")
            time.sleep(0.01)
        return (time.perf_counter() - started) * 1000

    rows, added = [], 0
    try:
        for (range_name, query), days in zip(ranges(end_day), [30, 7, 1]):
            path = f"/api/dashboard/overview?{urllib.parse.urlencode(query)}"
            shown(path, stored(days), time.perf_counter())
            times = []
            for _ in range(rounds):
                database.rollups.update_many(documents, {"$inc": {"human.pageViews": 1}})
                added += 1
                want = stored(days)
                raise_generation()
                times.append(shown(path, want, time.perf_counter()))
            rows.append({"range": range_name, "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "max": max(times),
                         "rounds": rounds})
            print(f"a write shows in the overview over {range_name}: p50 {rows[-1]['p50']:.0f} ms, p95 {rows[-1]['p95']:.0f} ms", flush=True)
    finally:
        database.rollups.update_many(documents, {"$inc": {"human.pageViews": -added}})
        raise_generation()
    return rows


def store_reads(mongo_url, end_day, requests, window_hours=48):
    """The store alone (pymongo) fetching what the overview fetches: the 30 day documents
    of the 30-day range (an uncached read), the open ones among them (still read when the
    closed ones are reused: days ending within the roll-up window), and yesterday's hours
    and day; with the overview's projection, and the 30 days whole."""
    database = pymongo.MongoClient(mongo_url).get_default_database()
    end = datetime.datetime.combine(datetime.date.fromisoformat(end_day), datetime.time(), datetime.timezone.utc)
    open_from = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=window_hours + 24)
    projection = {"granularity": 1, "start": 1, "visitorsHLL": 1, **{f"human.{t}": 1 for t in TOTALS},
                  **{f"human.{p}": 1 for p in OVERVIEW_PARTS}}

    def days(start):
        return {"site": "", "granularity": "day", "start": {"$gte": start, "$lt": end}}

    yesterday = end - datetime.timedelta(days=1)
    finds = [("30 day documents, overview projection", [days(end - datetime.timedelta(days=30))], projection),
             ("the open day documents of those (ending within the window)", [days(max(open_from, end - datetime.timedelta(days=30)))], projection),
             ("yesterday: 24 hour documents and the day, overview projection",
              [{"site": "", "granularity": "hour", "start": {"$gte": yesterday, "$lt": end}}, days(yesterday)], projection),
             ("30 day documents, whole", [days(end - datetime.timedelta(days=30))], None)]
    rows = []
    for name, queries, fields in finds:
        times, size, found = [], 0, 0
        for _ in range(requests):
            started = time.perf_counter()
            documents = [d for query in queries for d in database.rollups.find(query, fields).sort("start", 1)]
            times.append((time.perf_counter() - started) * 1000)
            size, found = sum(len(json.dumps(d, default=str)) for d in documents), len(documents)
        rows.append({"read": name, "documents": found, "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "jsonBytes": size})
    largest = database.rollups.find_one({"_id": {"$regex": "^d:"}}, sort=[("human.pageViews", -1)]) or {}
    rows.append({"read": "largest day document: page rows", "documents": 1, "rows": len(largest.get("human", {}).get("page", []))})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mongo-url", required=True)
    parser.add_argument("--uncached-port", type=int, required=True, help="a dashboard on the same store that keeps no reads")
    parser.add_argument("--redis-port", type=int, required=True, help="the dashboard's Redis, whose roll-up generation is replaced")
    parser.add_argument("--label", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--today", required=True, help="the UTC date the data ends before (YYYY-MM-DD)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--pid", action="append", help="name=pid of a process whose CPU use to report (repeatable)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    uncached_connection = http.client.HTTPConnection("127.0.0.1", args.uncached_port, timeout=60)
    redis = Redis(args.redis_port)

    def raise_generation():
        redis("HSET", GENERATIONS_KEY, "", os.urandom(8).hex())

    rows = []
    cpu = CpuWindow(parse_pids(args.pid)).start()
    for page, route, range_name, path in routes(args.today):
        server, client, size, first = time_route(connection, path, args.requests, args.warmup)
        written, _, _, _ = time_route(connection, path, args.requests, 0, before=raise_generation)
        rows.append({"page": page, "route": route, "range": range_name, "path": path, "first": first, "p50": percentile(server, 0.5),
                     "p95": percentile(server, 0.95), "clientP50": percentile(client, 0.5), "clientP95": percentile(client, 0.95),
                     "writtenP50": percentile(written, 0.5), "writtenP95": percentile(written, 0.95), "bytes": size})
        # Only the report pages keep reads; the real-time and journey routes never do.
        if page in REPORT_NAMES:
            uncached, _, _, _ = time_route(uncached_connection, path, UNCACHED_REQUESTS, 1)
            rows[-1].update({"uncachedP50": percentile(uncached, 0.5), "uncachedP95": percentile(uncached, 0.95)})
        kept_nothing = f"  nothing kept p95 {rows[-1]['uncachedP95']:7.1f} ms" if "uncachedP95" in rows[-1] else ""
        print(f"{args.label:>6} {page:<12} {route:<18} {range_name:<10} p50 {rows[-1]['p50']:7.1f} ms  p95 {rows[-1]['p95']:7.1f} ms  "
              f"after a write p50 {rows[-1]['writtenP50']:7.1f} ms  p95 {rows[-1]['writtenP95']:7.1f} ms{kept_nothing}", flush=True)
    cpu = cpu.stop("timer")
    database = pymongo.MongoClient(args.mongo_url).get_default_database()
    shows = write_shows(connection, database, raise_generation, args.today, min(args.requests, 10))
    result = {"label": args.label, "events": args.events, "requests": args.requests, "rows": rows, "shows": shows, "cpu": cpu,
              "store": store_reads(args.mongo_url, args.today, min(args.requests, 10))}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
