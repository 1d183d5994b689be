"""Seeds a store through the real pipeline (ingest, Redis, worker) for the schema guide's queries.

Two human visitors and a bot, with the seed's events: visitor A browses two pages
(with engagement), chats and rates the answer, uses tools, runs an experiment,
signs up as user-1 and calls an API; visitor B views one page from a search
engine and leaves (a bounce); a crawler views a page.
"""
import json

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SITE = "https://www.example.com"

VISITOR_A = [
    {"type": "pageview", "id": "pv-a1", "pageviewId": "pv-a1", "url": f"{SITE}/?utm_source=news&utm_medium=email&utm_campaign=spring",
     "title": "Home"},
    {"type": "pageview", "pageviewId": "pv-a1", "url": f"{SITE}/", "timeSpent": 12000, "scrollDepth": 80},
    {"type": "pageview", "id": "pv-a2", "pageviewId": "pv-a2", "url": f"{SITE}/pricing", "referrer": f"{SITE}/", "title": "Pricing"},
    {"type": "pageview", "pageviewId": "pv-a2", "url": f"{SITE}/pricing", "timeSpent": 30000, "scrollDepth": 100},
    {"type": "chat", "id": "chat-1", "agentId": "support", "agentName": "Support bot", "userMessage": "Where is my order?",
     "aiResponse": "On its way.", "responseTime": 840, "model": "gpt-x", "language": "en"},
    {"type": "chat", "id": "chat-2", "agentId": "support", "agentName": "Support bot", "userMessage": "Can I return it?",
     "aiResponse": "Yes, within 30 days.", "responseTime": 1260, "model": "gpt-x", "language": "en"},
    {"type": "chat", "id": "chat-3", "agentId": "sales", "agentName": "Sales bot", "userMessage": "Price?",
     "aiResponse": "10 EUR.", "responseTime": 300, "model": "gpt-y", "language": "de"},
    {"type": "feedback", "interactionId": "chat-1", "satisfied": True},
    {"type": "feedback", "interactionId": "chat-2", "satisfied": False, "feedback": "Too vague"},
    {"type": "tool", "id": "tool-1", "toolName": "json-formatter", "category": "dev", "inputData": {"size": 1200},
     "outputData": {"ok": True}, "success": True, "executionTime": 10},
    {"type": "tool", "id": "tool-2", "toolName": "json-formatter", "category": "dev", "inputData": {"size": 90000},
     "success": False, "errorMessage": "too large", "executionTime": 30},
    {"type": "tool", "id": "tool-3", "toolName": "image-resizer", "category": "media", "success": True, "executionTime": 200},
    {"type": "lab", "id": "lab-1", "experimentName": "caption-v2", "experimentType": "vision", "model": "m2", "success": True,
     "processingTime": 30000},
    {"type": "lab", "id": "lab-2", "experimentName": "caption-v2", "experimentType": "vision", "model": "m2", "success": False,
     "errorMessage": "timeout", "processingTime": 60000},
    {"type": "event", "id": "ev-1", "eventType": "auth", "eventName": "signup", "eventData": {"plan": "pro"}, "success": True,
     "userId": "user-1"},
    {"type": "api", "id": "api-1", "endpoint": "/v1/answers", "method": "POST", "statusCode": 200, "responseTime": 120,
     "userId": "user-1"},
    {"type": "api", "id": "api-2", "endpoint": "/v1/answers", "method": "POST", "statusCode": 502, "responseTime": 3000,
     "userId": "user-1"},
]

VISITOR_B = [
    {"type": "pageview", "id": "pv-b1", "pageviewId": "pv-b1", "url": f"{SITE}/pricing", "referrer": "https://www.google.com/",
     "title": "Pricing"},
    {"type": "event", "id": "ev-2", "eventType": "auth", "eventName": "signup", "success": False, "errorMessage": "email taken"},
]

CRAWLER = [
    {"type": "pageview", "id": "pv-bot", "pageviewId": "pv-bot", "url": f"{SITE}/", "title": "Home"},
]

# (visitorId, user agent, events): each sent in order, one batch per step so
# page views precede their engagement and chats their feedback.
TRAFFIC = [("visitor-a", DESKTOP, VISITOR_A), ("visitor-b", PHONE, VISITOR_B), ("crawler", BOT, CRAWLER)]


def send(post):
    """Sends every event through `post(body, user_agent) -> status`, one event a request, in order."""
    for visitor, agent, events in TRAFFIC:
        for event in events:
            body = json.dumps({"batch": [{**event, "visitorId": visitor}]}).encode()
            status = post(body, agent)
            if status != 202:
                raise RuntimeError(f"ingest answered {status} to {event}")


def event_count():
    return sum(len(events) for _, _, events in TRAFFIC)
