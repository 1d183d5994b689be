"""The derived-data half of the chaos run (scripts/chaos.py, DESIGN.md "Derived data").

What is posted: mostly page views of a shop (some with a referrer or a campaign),
plus user events, from a few visitors who come and go, so that with the run's
short session timeout every visitor has several sessions. What is checked once
the run has drained: derived state flushed (every `dirty:{p}` empty), then every
session's pageViews and events and every visitor's pageViews and visits against
the raw event collections, counted here client side, and `sluicectl rollups
verify` over the run (funnel progress included: the run sets FUNNELS).
"""
import collections
import random
import subprocess
import time

EVENT_COLLECTIONS = ["pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages"]
VISITORS = 40
# Seconds of inactivity that end a session in the run (SLUICE_SESSION_TIMEOUT). Each
# visitor is active for half of every ACTIVITY_PERIOD and idle for the other half,
# longer than the timeout, so it starts a new session every period.
SESSION_TIMEOUT = 1
ACTIVITY_PERIOD = 3.0
PAGES = ["", "products", "products/42", "products/97", "cart", "checkout", "blog/winter-sale", "account"]
REFERRERS = ["https://www.google.com/search?q=shop", "https://news.example.org/best-shops", "https://t.co/abc"]
CAMPAIGN = "?utm_source=newsletter&utm_medium=email&utm_campaign=winter-sale"
USER_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
]
SHOWN = 20
# The run's funnels (SLUICE_FUNNELS), passed through by the generated traffic: a short one
# every visitor completes, and a long one most stop part of the way along;
# `sluicectl rollups verify` recounts their rows and each visitor's step.
FUNNELS = ("shop: /products > chaos/add_to_cart > /checkout; "
           "browse: chaos/search > /products/97 > chaos/tick > /account > /blog/winter-sale > /cart > /products/42 > /checkout")


def active_visitors(now):
    """The visitors active at wall-clock time `now` (s): each one half of every period, phases spread."""
    return [v for v in range(VISITORS) if (now / ACTIVITY_PERIOD + v / VISITORS) % 1.0 < 0.5]


def event(n, visitor):
    """Event number n (id chaos-n) of visitor number `visitor`: a page view 4 times in 5, else a user event."""
    rng = random.Random(n)
    common = {"id": f"chaos-{n}", "visitorId": f"v-{visitor}"}
    if rng.random() < 0.8:
        page = rng.choice(PAGES)
        body = {"type": "pageview", **common, "url": f"https://shop.example.com/{page}" + (CAMPAIGN if rng.random() < 0.15 else ""),
                "title": page or "home"}
        if rng.random() < 0.3:
            body["referrer"] = rng.choice(REFERRERS)
        return body
    body = {"type": "event", **common, "eventType": "chaos", "eventName": rng.choice(["tick", "search", "add_to_cart"]),
            "properties": {"n": common["id"]}}
    if rng.random() < 0.2:
        body["userId"] = f"u-{visitor}"
    return body


def unflushed(redis, partitions):
    """Changed keys the flusher has not written to MongoDB yet, over every partition."""
    return sum(redis.pipeline(*[("ZCARD", f"dirty:{{{p}}}") for p in range(partitions)]))


def wait_for_flush(redis, partitions, backlog, timeout):
    """Waits until the streams are drained and every dirty:{p} is empty; returns the seconds it took."""
    started = time.monotonic()
    waiting = drained = None
    while time.monotonic() - started < timeout:
        drained, waiting = backlog(redis), unflushed(redis, partitions)
        if drained == 0 and waiting == 0:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"chaos: FAIL: derived state not flushed after {timeout:.0f} s: {waiting} changed keys still in "
                     f"dirty:{{0..{partitions - 1}}}, {drained} stream entries pending or unread (see worker.log)")


def raw_counts(db):
    """What the raw event collections say, per session and per visitor (human events only)."""
    raw = {"session_pv": collections.Counter(), "session_ev": collections.Counter(), "session_visitors": {},
           "visitor_pv": collections.Counter(), "visitor_sessions": collections.defaultdict(set), "documents": 0, "bots": 0}
    for name in EVENT_COLLECTIONS:
        for doc in db[name].find({}, {"sessionId": 1, "visitorId": 1, "device.type": 1}):
            raw["documents"] += 1
            if (doc.get("device") or {}).get("type") == "bot":
                raw["bots"] += 1
                continue
            session, visitor = doc.get("sessionId"), doc.get("visitorId")
            if name == "pageviews":
                raw["visitor_pv"][visitor] += 1
            if session is None:
                continue
            raw["session_ev"][session] += 1
            raw["session_pv"][session] += name == "pageviews"
            raw["session_visitors"].setdefault(session, set()).add(visitor)
            raw["visitor_sessions"][visitor].add(session)
    return raw


def compare(db):
    """Every session and visitor document against the raw counts; returns (summary line, mismatches)."""
    raw = raw_counts(db)
    mismatches = []
    sessions = {doc["_id"]: doc for doc in db["sessions"].find({}, {"visitorId": 1, "pageViews": 1, "events": 1, "startTime": 1})}
    for sid, doc in sorted(sessions.items(), key=lambda item: str(item[1].get("startTime"))):
        where = f"session {sid} (visitor {doc.get('visitorId')}, started {doc.get('startTime')})"
        for field, want in [("pageViews", raw["session_pv"][sid]), ("events", raw["session_ev"][sid])]:
            if doc.get(field) != want:
                mismatches.append(f"{where}: {field} stored {doc.get(field)}, raw events say {want}")
        owners = raw["session_visitors"].get(sid, set())
        if owners - {doc.get("visitorId")}:
            mismatches.append(f"{where}: events of other visitors carry it: {sorted(owners)}")
    for sid in sorted(set(raw["session_ev"]) - set(sessions)):
        mismatches.append(f"session {sid}: {raw['session_ev'][sid]} event documents carry it but there is no session document")
    visitors = {doc["_id"]: doc for doc in db["visitors"].find({}, {"pageViews": 1, "visits": 1})}
    for vid, doc in sorted(visitors.items()):
        for field, want in [("pageViews", raw["visitor_pv"][vid]), ("visits", len(raw["visitor_sessions"][vid]))]:
            if doc.get(field) != want:
                mismatches.append(f"visitor {vid}: {field} stored {doc.get(field)}, raw events say {want}")
    for vid in sorted(set(raw["visitor_sessions"]) - set(visitors)):
        mismatches.append(f"visitor {vid}: has sessions in the raw events but no visitor document")
    funnels = [doc.get("funnels", {}) for doc in db["visitors"].find({}, {"funnels": 1})]
    steps = {name: dict(sorted(collections.Counter(f.get(name, {}).get("step", 0) for f in funnels).items())) for name in ["shop", "browse"]}
    summary = (f"derived: {len(sessions)} sessions and {len(visitors)} visitors checked against {raw['documents']} event documents "
               f"({sum(raw['visitor_pv'].values())} human page views, {raw['bots']} bot documents): {len(mismatches)} mismatches; "
               f"visitors by funnel step reached: {steps}")
    return summary, mismatches


def verify(sluicectl, settings, run_start):
    """`sluicectl rollups verify` over the run, to a minute from now; returns (ok, its output).

    The range starts at the hour the run started in: verify compares the hour buckets
    that start inside its range, and the run's private store holds nothing older.
    """
    iso = lambda seconds: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))  # noqa: E731
    argv = [sluicectl, "rollups", "verify", "--from", iso(run_start - run_start % 3600), "--to", iso(time.time() + 60), "--wait", "30",
            "--redis-url", settings["SLUICE_REDIS_URL"], "--partitions", settings["SLUICE_PARTITIONS"],
            "--mongo-url", settings["SLUICE_MONGO_URL"], "--funnels", settings["SLUICE_FUNNELS"]]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    return result.returncode == 0, "sluicectl " + " ".join(argv[1:7]) + ":\n" + result.stdout + result.stderr
