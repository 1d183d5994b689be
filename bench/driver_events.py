"""The bench's synthetic traffic: realistic events of every kind in a product site's mix,
batch bodies of them, and `driver.py corpus` (the request files bench/wrk/*.lua read)."""
import json
import os
import random
import uuid

from driver_state import log, update_state


# A handful of real browser user agents (and one crawler, which skips sessions).
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]

ROUTES = {
    "pageview": "/api/analytics/track/pageview",
    "event": "/api/analytics/track/event",
    "chat": "/api/analytics/track/chat",
    "feedback": "/api/analytics/track/chat/feedback",
    "tool": "/api/analytics/track/tool",
    "lab": "/api/analytics/track/lab",
    "api": "/api/analytics/track/api",
}
# Roughly a product site's traffic: mostly page views and UI events.
KIND_WEIGHTS = [("pageview", 40), ("event", 24), ("api", 12), ("chat", 8), ("tool", 7), ("lab", 4), ("feedback", 5)]
PAGES = ["/", "/pricing", "/docs/getting-started", "/blog/how-we-cut-latency-in-half", "/products/espresso-grinder-pro",
         "/account/settings", "/checkout/shipping", "/search"]
REFERRERS = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/Xk2a9", "", "https://duckduckgo.com/",
             "https://www.linkedin.com/feed/"]


def hexid(rng, n=12):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def make_event(rng, kind, visitor=None, chat_ids=None):
    """One realistic event of `kind` (roughly 250-350 bytes of JSON)."""
    if kind == "pageview":
        page = rng.choice(PAGES)
        event = {"url": f"https://shop.example.com{page}?utm_source=newsletter&utm_medium=email&utm_campaign=spring-{rng.randint(1, 9)}",
                 "referrer": rng.choice(REFERRERS), "title": f"{page.strip('/').replace('/', ' · ').title() or 'Home'} | Example Shop",
                 "timeSpent": rng.randint(500, 120000), "scrollDepth": rng.randint(0, 100),
                 "context": {"locale": "en-US", "screen": rng.choice(["1920x1080", "390x844", "1440x900"])}}
    elif kind == "event":
        event = {"eventType": rng.choice(["auth", "nav", "cart", "search"]), "eventName": rng.choice(["signup", "login", "open-menu", "add-to-cart", "submit"]),
                 "userId": f"u-{rng.randint(1, 50000)}", "eventData": {"plan": rng.choice(["free", "pro", "team"]), "source": "header-button",
                                                                      "experiment": "checkout-v3", "variant": rng.choice("ABC")},
                 "success": rng.random() < 0.95, "context": {"page": {"path": rng.choice(PAGES)}, "locale": "en-US"}}
    elif kind == "chat":
        chat_id = f"chat-{hexid(rng, 16)}"
        if chat_ids is not None:
            chat_ids.append(chat_id)
        event = {"id": chat_id, "agentId": rng.choice(["support", "sales", "onboarding"]), "agentName": "Support bot",
                 "userMessage": "Hi, where is my order #%d? It was due yesterday and tracking shows nothing." % rng.randint(10000, 99999),
                 "aiResponse": "Your order left our warehouse this morning; tracking updates within 24 hours.",
                 "responseTime": rng.randint(300, 4000), "model": "gpt-x-mini", "language": "en"}
    elif kind == "feedback":
        target = (rng.choice(chat_ids) if chat_ids else f"chat-{hexid(rng, 16)}")
        event = {"interactionId": target, "satisfied": rng.random() < 0.8,
                 "feedback": rng.choice(["quick answer, thanks", "did not solve my problem", "the link in the answer was broken"]),
                 "userId": f"u-{rng.randint(1, 50000)}", "context": {"locale": "en-US", "page": {"path": "/help"}}}
    elif kind == "tool":
        event = {"toolName": rng.choice(["json-formatter", "regex-tester", "base64", "jwt-decoder"]), "category": "dev",
                 "inputData": {"size": rng.randint(10, 50000), "format": "json", "options": {"indent": 2, "sortKeys": True}},
                 "outputData": {"ok": True, "lines": rng.randint(1, 4000)}, "success": rng.random() < 0.97,
                 "executionTime": round(rng.uniform(0.5, 250.0), 2)}
    elif kind == "lab":
        event = {"experimentName": rng.choice(["caption-v2", "ocr-tables", "summarise-long"]), "experimentType": "vision",
                 "model": rng.choice(["m2", "m3-large"]), "inputData": {"images": rng.randint(1, 8), "resolution": "1024x768"},
                 "outputData": {"captions": rng.randint(1, 8)}, "success": rng.random() < 0.9, "processingTime": rng.randint(200, 30000)}
    elif kind == "api":
        event = {"endpoint": rng.choice(["/v1/orders", "/v1/products", "/v1/cart/items", "/v1/search"]),
                 "method": rng.choice(["GET", "GET", "POST", "PATCH"]), "statusCode": rng.choice([200, 200, 200, 201, 204, 404, 429, 500]),
                 "responseTime": rng.randint(2, 900), "userId": f"u-{rng.randint(1, 50000)}",
                 "context": {"client": "web", "version": "4.12.0", "region": "eu-west"}}
    else:
        raise ValueError(kind)
    if visitor:
        event["visitorId"] = visitor
    return event


def pick_kind(rng):
    return rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]


def visitor_pool(rng, n):
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def batch_body(rng, visitors, size, chat_ids, now_ms=None, probe_id=None):
    events = []
    for n in range(size):
        kind = "event" if (probe_id and n == 0) else pick_kind(rng)
        event = {"type": kind, **make_event(rng, kind, visitor=rng.choice(visitors), chat_ids=chat_ids)}
        if probe_id and n == 0:
            event["id"] = probe_id
        if now_ms is not None:
            event["timestamp"] = now_ms
            event["sentAt"] = now_ms
        events.append(event)
    return json.dumps({"batch": events}, separators=(",", ":"))


def cmd_corpus(args):
    """Writes single.tsv (one event per line) and batch.tsv (100 events per line):
    path<TAB>user-agent<TAB>visitor cookie (may be empty)<TAB>JSON body."""
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    visitors = visitor_pool(rng, 2000)
    chat_ids = []
    sizes = []
    with open(os.path.join(args.dir, "single.tsv"), "w") as f:
        for _ in range(args.single):
            kind = pick_kind(rng)
            body = json.dumps(make_event(rng, kind, chat_ids=chat_ids), separators=(",", ":"))
            sizes.append(len(body))
            # One request in ten comes from a first-time visitor (no cookie yet).
            cookie = "" if rng.random() < 0.1 else rng.choice(visitors)
            f.write(f"{ROUTES[kind]}\t{rng.choice(USER_AGENTS)}\t{cookie}\t{body}\n")
    # The HTTP server's floor: a GET that does no Redis or JSON work at all.
    with open(os.path.join(args.dir, "healthz.tsv"), "w") as f:
        for _ in range(10):
            f.write(f"/healthz\t{rng.choice(USER_AGENTS)}\t\t\n")
    batch_sizes = []
    with open(os.path.join(args.dir, "batch.tsv"), "w") as f:
        for _ in range(args.batches):
            events = []
            for _ in range(args.batch_size):
                kind = pick_kind(rng)
                events.append({"type": kind, **make_event(rng, kind, visitor=rng.choice(visitors), chat_ids=chat_ids)})
            body = json.dumps({"batch": events}, separators=(",", ":"))
            batch_sizes.append(len(body))
            f.write(f"/api/analytics/batch\t{rng.choice(USER_AGENTS)}\t\t{body}\n")
    info = {"single_bodies": args.single, "single_body_bytes_avg": round(sum(sizes) / len(sizes)),
            "single_body_bytes_min": min(sizes), "single_body_bytes_max": max(sizes),
            "batch_bodies": args.batches, "batch_size": args.batch_size, "batch_body_bytes_avg": round(sum(batch_sizes) / len(batch_sizes))}
    if args.state:
        update_state(args.state, "corpus", info)
    log(f"corpus: {info}")
