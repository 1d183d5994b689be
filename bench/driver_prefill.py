"""Filling the streams for the drain: `driver.py clear-streams` (empties the event streams
and sessions of earlier phases) and `prefill` (N mixed events posted through ingest)."""
import random
import time

from driver_events import USER_AGENTS, batch_body, visitor_pool
from driver_poster import Poster
from driver_redis import Redis
from driver_state import log, update_state


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
