"""Seeds (or drops) the store tests/api/dashboard.sh checks the dashboard against.

usage: dashboard_seed.py seed|drop MONGO_URL

`seed` writes one visitor (api-visitor-1), one session of it (api-session-1)
and two of the session's events, a page view and a user event, shaped as the
worker stores them (docs/schema.md), so the visitor and session routes answer
200 with real documents. `drop` drops the URL's database.
"""
import datetime
import sys

from pymongo import MongoClient
from pymongo.uri_parser import parse_uri


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("seed", "drop"):
        sys.exit("usage: dashboard_seed.py seed|drop MONGO_URL")
    action, url = sys.argv[1], sys.argv[2]
    name = parse_uri(url)["database"]
    if not name:
        sys.exit(f"{url}: the URL names no database")
    with MongoClient(url, serverSelectionTimeoutMS=10_000) as client:
        if action == "drop":
            client.drop_database(name)
            return
        database = client[name]
        start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc)
        later = start + datetime.timedelta(seconds=40)
        visitor, session = "api-visitor-1", "api-session-1"
        device = {"type": "desktop", "browser": "Firefox", "os": "Linux"}
        database.visitors.insert_one({
            "_id": visitor, "firstVisit": start, "lastVisit": later, "visits": 1, "pageViews": 1,
            "returning": False, "device": device, "userIds": ["user-1"],
        })
        database.sessions.insert_one({
            "_id": session, "visitorId": visitor, "startTime": start, "lastActivity": later, "endTime": None,
            "pageViews": 1, "events": 2, "entryPage": "/pricing", "exitPage": "/pricing", "channel": "direct", "device": device,
            "userId": "user-1",
        })
        common = {"visitorId": visitor, "sessionId": session, "userId": "user-1", "device": device}
        database.pageviews.insert_one({
            "_id": f":{visitor}:pv-1", "eventId": "pv-1", "timestamp": start, "receivedAt": start,
            "path": "/pricing", "url": "https://shop.example/pricing", **common,
        })
        database.userevents.insert_one({
            "_id": f":{visitor}:ev-1", "eventId": "ev-1", "timestamp": later, "receivedAt": later,
            "eventType": "auth", "eventName": "signup", **common,
        })


if __name__ == "__main__":
    main()
