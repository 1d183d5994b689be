"""`make bench-dashboard`'s data: N events over the 30 whole UTC days before today,
written straight into the six raw collections with the documents the worker stores
(Sources/SluiceWorker/EventDocument.swift; no sites file, so `_id` is
`:<visitorId>:<eventId>`), in unordered bulks. `sluicectl rollups rebuild` then derives
sessions, visitors and roll-ups from them.

Shape (fixed seed): sessions of 1-12 events (about 2 on average) seconds to minutes
apart, each opening with a page view; a quarter of sessions by returning visitors, a
visitor pool growing to 0.3 x N (about 300,000 visitors at 1M), 3% of them bots; 5,000 pages with a Zipf long tail (about
2,500 distinct a day at 1M), 300 referrer hosts, 60 campaigns, 40 tools, 80 API
endpoints. One extra visitor, "bench-journey", has 5 sessions of 8 events at any N:
the journey pages read the same person at every size.

Prints one JSON line: events, documents per collection, seconds, docs/s.
Needs the venv's Python (pymongo).
"""
import argparse
import datetime
import json
import random
import time

import pymongo

DAY_MS = 86_400_000
UTC = datetime.timezone.utc
COLLECTIONS = {"pageview": "pageviews", "chat": "chatinteractions", "tool": "toolusages", "lab": "labexperiments",
               "event": "userevents", "api": "apiusages"}
FOLLOW_KINDS = (["pageview"] * 50 + ["chat"] * 14 + ["tool"] * 12 + ["lab"] * 5 + ["event"] * 7 + ["api"] * 12)
DEVICES = [("desktop", "Chrome", "120.0.0", "Windows", "10"), ("desktop", "Firefox", "121.0", "Windows", "10"),
           ("desktop", "Safari", "17.1", "Mac OS X", "10.15.7"), ("desktop", "Chrome", "119.0.0", "Mac OS X", "10.15.7"),
           ("desktop", "Edge", "120.0.0", "Windows", "10"), ("desktop", "Chrome", "120.0.0", "Linux", None),
           ("mobile", "Mobile Safari", "17.1", "iOS", "17.1"), ("mobile", "Chrome Mobile", "120.0.0", "Android", "14"),
           ("mobile", "Samsung Internet", "23.0", "Android", "13"), ("tablet", "Mobile Safari", "16.6", "iOS", "16.6")]
BOTS = [("bot", "Googlebot", "2.1", "Other", None), ("bot", "bingbot", "2.0", "Other", None), ("bot", "AhrefsBot", "7.0", "Other", None)]
CHANNELS = ["search", "social", "referral", "email"]


def zipf_table(rng, values, s=1.1):
    """`values` with Zipf weights (rank r weighs 1/r^s), as cumulative weights for rng.choices."""
    weights = [1 / (rank ** s) for rank in range(1, len(values) + 1)]
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return values, cumulative


def pick(rng, table):
    return rng.choices(table[0], cum_weights=table[1])[0]


class Catalog:
    """The long-tailed values events draw from."""

    def __init__(self, rng):
        sections = ["docs", "blog", "products", "help", "api", "changelog", "guides", "pricing"]
        self.pages = zipf_table(rng, ["/"] + [f"/{sections[i % 8]}/{i // 8}-{'abcdefgh'[i % 8]}" for i in range(1, 5000)])
        self.hosts = zipf_table(rng, ["google.com", "news.ycombinator.com", "t.co", "duckduckgo.com"] + [f"site{i}.example.org" for i in range(296)])
        self.campaigns = zipf_table(rng, [(f"src{i % 12}", ["email", "cpc", "social"][i % 3], f"campaign-{i}") for i in range(60)])
        self.agents = zipf_table(rng, [f"agent-{i}" for i in range(12)])
        self.models = zipf_table(rng, ["gpt-x", "gpt-x-mini", "claude-y", "llama-z", "mistral-w", "gemini-v"])
        self.languages = zipf_table(rng, ["en", "de", "fr", "es", "pt", "it", "nl", "ja", "ko", "zh"])
        self.tools = zipf_table(rng, [(f"tool-{i}", f"category-{i % 8}") for i in range(40)])
        self.errors = [f"error {i}: input rejected" for i in range(20)]
        self.experiments = zipf_table(rng, [f"experiment-{i}" for i in range(15)])
        self.endpoints = zipf_table(rng, [(f"/v1/resource-{i // 2}", ["GET", "POST"][i % 2]) for i in range(80)])
        self.user_events = zipf_table(rng, [("nav", "open-menu"), ("auth", "login"), ("cart", "add"), ("auth", "signup"), ("search", "submit")]
                                      + [(f"type-{i}", f"name-{i}") for i in range(25)])


def date(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, UTC)


def document(rng, catalog, kind, visitor, session, at, entry):
    """One stored event document of `kind`, as EventDocument writes it."""
    event_id = "%032x" % rng.getrandbits(128)
    doc = {"_id": f":{visitor['id']}:{event_id}", "eventId": event_id, "visitorId": visitor["id"], "sessionId": session,
           "userId": visitor["userId"], "timestamp": date(at), "device": visitor["device"], "receivedAt": date(at + rng.randint(20, 900)),
           "ip": "203.0.113.0", "userAgent": visitor["ua"]}
    if kind == "pageview":
        path = pick(rng, catalog.pages)
        doc.update(url=f"https://shop.example.com{path}", referrer=entry.get("referrer", ""), title=f"{path} | Example",
                   context={"locale": "en-US", "screen": "1920x1080"}, timeSpent=rng.randint(500, 180_000), scrollDepth=rng.randint(0, 100), path=path)
        doc.update({k: v for k, v in entry.items() if k != "referrer"} if entry else {"channel": "direct"})
    elif kind == "chat":
        doc.update(agentId=pick(rng, catalog.agents), agentName="Assistant", userMessage="Where is my order?", aiResponse="It ships today.",
                   responseTime=rng.randint(200, 9000), model=pick(rng, catalog.models), language=pick(rng, catalog.languages))
        if rng.random() < 0.3:
            doc.update(satisfied=rng.random() < 0.75, feedback="thanks", feedbackAt=date(at + 30_000))
    elif kind == "tool":
        tool, category = pick(rng, catalog.tools)
        ok = rng.random() < 0.94
        doc.update(toolName=tool, category=category, inputData={"size": rng.randint(1, 50_000)}, outputData={"ok": ok}, success=ok,
                   executionTime=round(rng.uniform(0.5, 900.0), 2))
        if not ok:
            doc["errorMessage"] = rng.choice(catalog.errors)
    elif kind == "lab":
        ok = rng.random() < 0.9
        doc.update(experimentName=pick(rng, catalog.experiments), experimentType="vision", model=pick(rng, catalog.models), inputData={"images": 2},
                   outputData={"captions": 2}, success=ok, processingTime=rng.randint(200, 30_000))
    elif kind == "event":
        event_type, name = pick(rng, catalog.user_events)
        doc.update(eventType=event_type, eventName=name, eventData={"plan": "pro"}, success=rng.random() < 0.97)
    else:
        endpoint, method = pick(rng, catalog.endpoints)
        doc.update(endpoint=endpoint, method=method, statusCode=rng.choice([200] * 14 + [201, 204, 400, 404, 429, 500, 503]),
                   responseTime=rng.randint(2, 1500))
    return doc


def new_visitor(rng, number):
    profile = rng.choice(BOTS) if rng.random() < 0.03 else rng.choice(DEVICES)
    device = dict(zip(["type", "browser", "browserVersion", "os", "osVersion"], profile), deviceFamily=None, brand=None, model=None)
    user = f"u-{number}" if profile[0] != "bot" and rng.random() < 0.2 else None
    return {"id": "v-%024x" % rng.getrandbits(96), "userId": user, "device": device, "ua": f"Mozilla/5.0 ({profile[1]}/{profile[2]})"}


def entry_fields(rng, catalog):
    """A session's landing: referrer, channel and campaign of its first page view."""
    roll = rng.random()
    if roll < 0.15:
        source, medium, campaign = pick(rng, catalog.campaigns)
        return {"referrer": "", "channel": "email" if medium == "email" else "paid", "utm": {"source": source, "medium": medium, "campaign": campaign}}
    if roll < 0.6:
        host = pick(rng, catalog.hosts)
        return {"referrer": f"https://{host}/", "referrerHost": host, "channel": rng.choice(CHANNELS)}
    return {"referrer": "", "channel": "direct"}


def sessions(rng, catalog, events, start_ms, end_ms, visitor_count):
    """Yields (kind, document) for `events` events in sessions inside [start_ms, end_ms)."""
    pool, made = [], 0
    while made < events:
        if not pool or len(pool) < visitor_count and rng.random() < 0.75:
            pool.append(new_visitor(rng, len(pool)))
            visitor = pool[-1]
        else:
            visitor = rng.choice(pool)
        size = min(events - made, 1 + min(11, int(rng.expovariate(1 / 1.5))))
        at = rng.randrange(start_ms, end_ms - 3_600_000)
        session, entry = "s-%032x" % rng.getrandbits(128), entry_fields(rng, catalog)
        for index in range(size):
            kind = "pageview" if index == 0 else rng.choice(FOLLOW_KINDS)
            yield kind, document(rng, catalog, kind, visitor, session, at, entry if index == 0 else {})
            at += rng.randint(2_000, 240_000)
        made += size
    journey = {"id": "bench-journey", "userId": "u-bench", "device": dict(zip(["type", "browser", "browserVersion", "os", "osVersion"], DEVICES[0]),
                                                                          deviceFamily=None, brand=None, model=None), "ua": "Mozilla/5.0"}
    for number, days_before in enumerate([1, 3, 7, 12, 20]):
        at, session = end_ms - days_before * DAY_MS + 10 * 3_600_000, f"s-bench-journey-{number}"
        for index in range(8):
            kind = "pageview" if index % 2 == 0 else FOLLOW_KINDS[index * 9 % len(FOLLOW_KINDS)]
            yield kind, document(rng, catalog, kind, journey, session, at, {})
            at += 30_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mongo-url", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--end-ms", type=int, required=True, help="the first millisecond after the data (a UTC midnight)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--bulk", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    database = pymongo.MongoClient(args.mongo_url).get_default_database()
    pending = {name: [] for name in COLLECTIONS.values()}
    written = {name: 0 for name in COLLECTIONS.values()}
    started = time.monotonic()

    def flush(name):
        try:
            database[name].insert_many(pending[name], ordered=False)
        except pymongo.errors.BulkWriteError as error:
            # Every generated id is new, so a duplicate key means pymongo retried a bulk
            # (its connection broke mid-write) whose first attempt was stored: those
            # documents are written. Anything else is a real failure.
            if any(e["code"] != 11000 for e in error.details["writeErrors"]) or error.details["writeConcernErrors"]:
                raise
        written[name] += len(pending[name])
        pending[name].clear()

    for kind, doc in sessions(rng, Catalog(rng), args.events, args.end_ms - args.days * DAY_MS, args.end_ms, max(50, int(args.events * 0.3))):
        name = COLLECTIONS[kind]
        pending[name].append(doc)
        if len(pending[name]) >= args.bulk:
            flush(name)
    for name in pending:
        if pending[name]:
            flush(name)
    seconds = time.monotonic() - started
    total = sum(written.values())
    print(json.dumps({"events": total, "collections": written, "seconds": round(seconds, 1), "docsPerSecond": round(total / seconds)}))


if __name__ == "__main__":
    main()
