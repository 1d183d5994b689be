"""The dashboard test's traffic, sent through ingest's per-kind routes.

Five people and a crawler, timed relative to the moment the seed is sent so the
real-time page has both kinds of visitor: three active in the last minute, two
whose events are ten minutes old. With the test worker's 120 s session timeout,
visitor-1 has two sessions (ten minutes apart), every other person one.

What the pages must show is not written down here: test_dashboard.py computes
it from the raw collections the worker stored (expected.py). The mix only makes
each figure non-trivial: /pricing is clearly the top page (the crawler's /blog
views would beat it if bots were counted), some chats rated satisfied and some
not (one not rated), some tool and lab runs failed, some API calls answered 4xx
or 5xx, two of the five people signed up (one after the docs page, both after the
pricing page, one viewing the pricing page again later: expected.FUNNELS's steps).
"""
import datetime
import json

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SITE = "https://shop.example"

# How far back the oldest event lies: the seed waits after a UTC midnight until
# every event falls on the same UTC day, which the pages are then read for.
OLDEST_SECONDS = 720
SESSION_TIMEOUT_SECONDS = 120

ROUTES = {
    "pageview": "/api/analytics/track/pageview", "chat": "/api/analytics/track/chat",
    "feedback": "/api/analytics/track/chat/feedback", "tool": "/api/analytics/track/tool",
    "lab": "/api/analytics/track/lab", "event": "/api/analytics/track/event", "api": "/api/analytics/track/api",
}


def page(path, **fields):
    """A page view of `path` on the site."""
    return ("pageview", {"url": f"{SITE}{path}", "title": path.strip("/").title() or "Home", **fields})


def chat(event_id, agent, model, language, response_ms):
    """A chat with its own id, which its feedback names."""
    return ("chat", {"id": event_id, "agentId": agent, "agentName": f"{agent.title()} bot", "userMessage": "How much is it?",
                     "aiResponse": "10 EUR a month.", "responseTime": response_ms, "model": model, "language": language})


def feedback(chat_id, satisfied):
    """Feedback on the chat `chat_id`."""
    return ("feedback", {"interactionId": chat_id, "satisfied": satisfied, **({} if satisfied else {"feedback": "Not helpful"})})


def tool(name, ok, ms, error=None):
    """A tool run, failed with `error` when not `ok`."""
    return ("tool", {"toolName": name, "category": "dev" if name == "json-formatter" else "media", "success": ok,
                     "executionTime": ms, **({"errorMessage": error} if error else {})})


def lab(model, ok, ms):
    """A lab run of the caption experiment on `model`."""
    return ("lab", {"experimentName": "caption-v2", "experimentType": "vision", "model": model, "success": ok,
                    "processingTime": ms, **({} if ok else {"errorMessage": "timeout"})})


def api(endpoint, method, status, ms):
    """An API call answered `status`."""
    return ("api", {"endpoint": endpoint, "method": method, "statusCode": status, "responseTime": ms})


def signup(user):
    """The seed's signup: a user event auth/signup."""
    return ("event", {"eventType": "auth", "eventName": "signup", "eventData": {"plan": "pro"}, "success": True, "userId": user})


# (visitor, user agent, [(seconds before the seed, (kind, fields))]), sent in this
# order: not always time order (visitor-1's tool run is sent after its chat but
# happened before it), so the session route's time order is really tested.
TRAFFIC = [
    ("visitor-1", DESKTOP, [
        (720, page("/", id="pv-1a", pageviewId="pv-1a", referrer="https://www.google.com/")),
        (715, ("pageview", {"pageviewId": "pv-1a", "url": f"{SITE}/", "timeSpent": 5000, "scrollDepth": 70})),
        (712, page("/pricing")), (700, chat("chat-1", "support", "gpt-x", "en", 840)), (705, tool("json-formatter", True, 12)),
        (698, feedback("chat-1", True)), (690, page("/docs")), (686, signup("user-1")),
        (25, page("/pricing")), (24, api("/v1/answers", "POST", 200, 120)), (22, api("/v1/answers", "POST", 500, 3000)),
        (20, page("/pricing")),
    ]),
    ("visitor-2", PHONE, [
        (660, page("/pricing", referrer="https://news.example/post")), (655, chat("chat-2", "support", "gpt-x", "en", 2600)),
        (652, feedback("chat-2", False)), (650, tool("image-resizer", False, 900, "too large")), (648, lab("m2", True, 30000)),
        (646, api("/v1/orders", "GET", 404, 15)), (644, page("/docs")), (640, page("/blog")),
    ]),
    ("visitor-3", FIREFOX, [
        (18, page("/pricing")), (17, chat("chat-3", "sales", "gpt-y", "de", 300)), (16, feedback("chat-3", True)),
        (15, chat("chat-4", "sales", "gpt-y", "de", 450)), (14, tool("json-formatter", False, 40, "invalid JSON")),
        (13, lab("m2", False, 60000)), (12, signup("user-3")), (12, api("/v1/orders", "GET", 200, 30)),
    ]),
    ("visitor-4", PHONE, [(600, page("/docs")), (598, ("event", {"eventType": "ui", "eventName": "click", "eventData": {"button": "buy"}}))]),
    ("visitor-5", DESKTOP, [
        (10, page("/")), (9, page("/pricing")), (8, chat("chat-5", "support", "gpt-x", "en", 700)), (7, feedback("chat-5", True)),
        (7, tool("json-formatter", True, 9)), (6, tool("image-resizer", True, 150)), (6, lab("m3", True, 12000)),
        (5, api("/v1/answers", "POST", 201, 95)), (5, api("/v1/answers", "POST", 429, 5)), (4, api("/v1/orders", "GET", 200, 25)),
    ]),
    ("crawler-1", BOT, [(500 - i, page("/blog")) for i in range(8)] + [(490, page("/pricing"))]),
]


def send(post, now):
    """Sends every event through `post(route, body, user_agent) -> status`, one a request,
    timestamped `now` less its offset; raises on any answer but 202."""
    for visitor, agent, events in TRAFFIC:
        for seconds_before, (kind, fields) in events:
            at = now - datetime.timedelta(seconds=seconds_before)
            body = {**fields, "visitorId": visitor, "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
            status = post(ROUTES[kind], json.dumps(body).encode(), agent)
            if status != 202:
                raise RuntimeError(f"ingest answered {status} to {kind} {body}")


def stored_documents():
    """How many event documents the worker stores for the traffic: one per event but
    feedback and engagement updates, which change another event's document."""
    return sum(1 for _, _, events in TRAFFIC for _, (kind, fields) in events
               if kind != "feedback" and not (kind == "pageview" and "pageviewId" in fields and "id" not in fields))
