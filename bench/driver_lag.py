"""`driver.py lag`: end-to-end lag at a given rate, sampled from outside: batches posted
on a schedule, the first event of each a probe a separate process polls MongoDB for
(and, for some, waits for its session document). Also what the store did meanwhile:
SecantusDB's CPU and its server time, the probe looks' share of it apart, so a phase
whose load the store cannot carry says so."""
import itertools
import math
import multiprocessing
import queue
import random
import time

import derived  # bench/derived.py: sessions, visitors and roll-ups written behind
from driver_events import USER_AGENTS, batch_body, hexid, visitor_pool
from driver_mongo import mongo_counters, mongo_delta
from driver_poster import Poster
from driver_proc import CpuWindow, parse_pids
from driver_state import log, update_state

# Each look asks for the oldest outstanding probes only, at most this many: when the
# pipeline falls behind, thousands are outstanding, and one `$in` over all of them made
# the looks a third of SecantusDB's server time (30-37 s of 100-122 s at 486 events/s),
# slowing what they measure. A younger probe already visible is then seen a look or two
# later, so the lag reads high rather than low (unless this many probes are never stored
# at all, which would hide every later one: the run then reports them missing); at the
# baseline's rate fewer than this are ever outstanding.
PROBE_WINDOW = 200


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
            window = list(itertools.islice(outstanding, PROBE_WINDOW))
            docs = list(collection.find({"eventId": {"$in": window}},
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
    counters = mongo_counters(args.mongo_url)
    cpu = CpuWindow(parse_pids(args.pid)).start()
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
    cpu_use = cpu.stop()
    store = mongo_delta(counters, mongo_counters(args.mongo_url), args.db)
    probes.put(None)
    out = results.get(timeout=flush_interval + 180)
    poller.join(timeout=10)
    lags = out["lags_ms"]
    result = {"target_events_per_s": round(rate, 1), "events_per_s": round(sent / elapsed, 1), "events": sent,
              "requests": requests, "events_per_request": batch, "seconds": round(elapsed, 2),
              "probes": len(lags), "probes_missing": out["missing"], "poll_period_ms_p50": out["poll_period_ms_p50"],
              "lag_ms": {"p50": round(percentile(lags, 50), 1) if lags else None, "p99": round(percentile(lags, 99), 1) if lags else None,
                         "max": round(lags[-1], 1) if lags else None},
              "poster_max_behind_ms": round(1000 * behind, 1), "flush_interval_s": flush_interval,
              # While posting: CPU % of one core by process, and SecantusDB's server time (ms)
              # with its queries on userevents apart: the probe looks, and the worker's rare
              # duplicate checks (EarlierWrites), so at most the looks' share.
              "cpu": cpu_use, "store_ms": store["total_ms"],
              "probe_looks_ms": store["by_collection"].get("userevents queries", {}).get("ms", 0.0)}
    stale = out["staleness_ms"]
    result["staleness"] = {"probes": len(stale), "never_fresh": out["never_fresh"], "without_session": out["without_session"],
                           "ms": {"p50": round(percentile(stale, 50)) if stale else None, "p99": round(percentile(stale, 99)) if stale else None,
                                  "max": round(stale[-1]) if stale else None}}
    update_state(args.state, args.label, result)
    log(f"lag at {result['events_per_s']:.0f} events/s (target {rate:.0f}): p50 {result['lag_ms']['p50']} ms, "
        f"p99 {result['lag_ms']['p99']} ms over {len(lags)} probes ({out['missing']} not seen); session documents stale by "
        f"{result['staleness']['ms']} ms over {len(stale)} sampled probes ({out['never_fresh']} never shown, "
        f"{out['without_session']} without a session)")
