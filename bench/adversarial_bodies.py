"""Request bodies for bench/adversarial.py: a typical batch and the adversarial
classes of issue #12, each built to a target size in bytes.

Every builder takes the target size and returns (route, body bytes). The
adversarial ones put their payload where ingest does the most work with it:
free-form `properties` (parsed, key-checked, redacted), `context.url` (URL
scrubbing), or a batch (per-event validation).
"""

import json
import random

EVENT_ROUTE = "/api/analytics/track/event"
PAGEVIEW_ROUTE = "/api/analytics/track/pageview"
BATCH_ROUTE = "/api/analytics/batch"

WORDS = ("order shipping refund account password invoice cart checkout delivery "
         "support question price product size colour return voucher login").split()


def _typical_event(rng, index):
    """One realistic event of a mixed batch, as the seed's clients send them."""
    kind = ("pageview", "event", "chat", "tool", "api")[index % 5]
    common = {"visitorId": f"v-{rng.randrange(10_000)}", "timestamp": 1_764_590_400_000 + index}
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
    if kind == "pageview":
        return {**common, "type": kind, "url": f"https://shop.example/p/{rng.randrange(1000)}?utm_source=news&ref=a{index}",
                "referrer": "https://www.google.com/search?q=shoes", "title": text[:60],
                "context": {"locale": "de-DE", "screen": {"w": 1920, "h": 1080}}}
    if kind == "event":
        return {**common, "type": kind, "eventType": "click", "eventName": "add_to_cart", "success": True,
                "properties": {"sku": f"SKU-{rng.randrange(10**6)}", "price": rng.randrange(100, 99_999) / 100,
                               "tags": ["sale", "summer"], "note": text}}
    if kind == "chat":
        mail = f" write to me at user{index}@example.com" if index % 10 == 2 else ""
        return {**common, "type": kind, "agentId": "support", "agentName": "Support bot",
                "userMessage": text + mail + "?", "aiResponse": text.upper(), "responseTime": rng.randrange(50, 5000),
                "model": "gpt-x", "language": "en"}
    if kind == "tool":
        return {**common, "type": kind, "toolName": "resize", "category": "image", "success": True,
                "inputData": {"width": 640, "height": 480, "format": "png"}, "outputData": {"bytes": rng.randrange(10**6)},
                "executionTime": rng.randrange(1, 500)}
    return {**common, "type": kind, "endpoint": f"/v1/orders/{rng.randrange(10**6)}", "method": "POST",
            "statusCode": 201, "responseTime": rng.randrange(1, 300)}


def typical(size):
    """A realistic mixed batch: the yardstick the other classes are compared with."""
    rng = random.Random(12)
    events, length, index = [], 20, 0
    while True:
        event = json.dumps(_typical_event(rng, index), separators=(",", ":"))
        if length + len(event) + 1 > size:
            break
        events.append(event)
        length += len(event) + 1
        index += 1
    return BATCH_ROUTE, ('{"batch":[' + ",".join(events) + "]}").encode()


def _event_with(properties_text):
    """A single event whose properties hold `properties_text` (already JSON)."""
    head = '{"eventType":"probe","eventName":"adversarial","properties":'
    return EVENT_ROUTE, (head + properties_text + "}").encode()


def _run_then(char, trigger):
    """A string of one byte class, then the character that makes a scanner look back."""
    def build(size):
        overhead = len('{"eventType":"probe","eventName":"adversarial","properties":{"text":""}}') + len(trigger)
        return _event_with(json.dumps({"text": char * ((size - overhead) // len(char)) + trigger}))
    return build


def many_keys(size):
    """One object with as many distinct keys of the same length as fit."""
    count = max(1, (size - 80) // 14)
    width = len(str(count))
    members = ",".join(f'"k{i:0{width}d}":0' for i in range(count))
    return _event_with("{" + members + "}")


def deep_nesting(size):
    """Arrays nested to the depth limit (32 with the body and properties), over and over."""
    unit = "[" * 29 + "0" + "]" * 29
    count = max(1, (size - 80) // (len(unit) + 8))
    members = ",".join(f'"d{i}":{unit}' for i in range(count))
    return _event_with("{" + members + "}")


def dense(unit_text):
    """Small containers packed as densely as ingest allows (one per 8 bytes), over and over."""
    def build(size):
        count = max(1, (size - 100) // (len(unit_text) + 1))
        return _event_with('{"m":[' + ",".join([unit_text] * count) + "]}")
    return build


def escapes(sequence):
    """A string of one JSON escape sequence repeated (the parser decodes each)."""
    def build(size):
        return _event_with('{"text":"' + sequence * ((size - 80) // len(sequence)) + '"}')
    return build


def url_query(size):
    """A page view whose context URL has as many query parameters as fit, a secret last."""
    pairs = "a=1&" * ((size - 160) // 4)
    body = {"url": "https://shop.example/", "context": {"url": "https://shop.example/p?" + pairs + "token=s3cret#frag"}}
    return PAGEVIEW_ROUTE, json.dumps(body, separators=(",", ":")).encode()


def tiny_events(size):
    """A batch of as many of the smallest valid events as fit."""
    event = '{"type":"event","eventType":"a","eventName":"b"}'
    count = max(1, (size - 20) // (len(event) + 1))
    return BATCH_ROUTE, ('{"batch":[' + ",".join([event] * count) + "]}").encode()


# (name, builder, what it attacks), typical first: every ratio is to it.
CLASSES = [
    ("typical", typical, "a realistic batch of mixed events"),
    ("run-dash", _run_then("-", "@"), "'-' * N then '@' (email scan)"),
    ("run-dot", _run_then(".", "@"), "'.' * N then '@'"),
    ("run-letter", _run_then("a", "@"), "'a' * N then '@'"),
    ("run-digit", _run_then("1", "@"), "'1' * N then '@' (phone/card scan)"),
    ("digits-spaced", _run_then("1 ", "@"), "'1 1 1 ...' (grouped digits)"),
    ("digits-dashed", _run_then("1-", "@"), "'1-1-1-...'"),
    ("run-plus-digit", _run_then("+1", "x"), "'+1+1...' (phone starts)"),
    ("many-keys", many_keys, "distinct same-length keys in one object"),
    ("dense-arrays", dense("[10,20]"), "two-number arrays, one per 8 bytes, the densest allowed"),
    ("dense-objects", dense('{"a":0}'), "one-member objects, one per 8 bytes"),
    ("deep-nesting", deep_nesting, "arrays at the depth limit, repeated"),
    ("escapes-unicode", escapes("\\u0041"), "'\\u0041' * N"),
    ("escapes-short", escapes("\\n"), "'\\n' * N"),
    ("url-query", url_query, "context.url with N query parameters"),
    ("tiny-events", tiny_events, "a batch of the smallest events"),
]
