"""What each dashboard page must show, computed from the raw event collections alone.

Nothing here reads the roll-ups, sessions or visitors documents the dashboard's
reports come from: every figure is counted again from the events the worker
stored (pageviews, chatinteractions, toolusages, labexperiments, userevents,
apiusages), people only (`device.type` other than "bot"), over one UTC day.
The real-time figures are taken at the moment asked, as the page defines them.
"""
import datetime
import math

# The event collections and the kind the session route names each one's events.
# The funnels the test's worker and dashboard run with (SLUICE_FUNNELS): the pricing
# page then a signup, the docs page then a signup, and the other way round (a signup,
# then the pricing page), so the order of steps matters.
FUNNELS = "pricing: /pricing > auth/signup; docs: /docs > auth/signup; back: auth/signup > /pricing"
KINDS = {"pageviews": "pageview", "chatinteractions": "chat", "toolusages": "tool",
         "labexperiments": "lab", "userevents": "event", "apiusages": "api"}
PEOPLE = {"device.type": {"$ne": "bot"}}


def count(value):
    """A count as the pages print it: `1,234`."""
    return f"{value:,}"


def percent(numerator, denominator):
    """A rate as the pages print it: one decimal, halves away from zero; `—` for none."""
    if denominator == 0:
        return "—"
    tenths = numerator * 1000 / denominator
    return f"{math.floor(tenths + 0.5) / 10:.1f}%"


def day_filter(day):
    """People's events timed on the UTC date `day`."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.timezone.utc)
    return {"timestamp": {"$gte": start, "$lt": start + datetime.timedelta(days=1)}, **PEOPLE}


def figures(db, day):
    """The report pages' figures for `day` (a UTC date), as the pages print them."""
    where = day_filter(day)
    people = {}
    for collection in KINDS:
        for doc in db[collection].find(where, {"visitorId": 1, "sessionId": 1}):
            people.setdefault(doc["visitorId"], set()).add(doc["sessionId"])
    sessions = {s for ids in people.values() for s in ids}
    views = list(db.pageviews.find(where, {"path": 1, "sessionId": 1}))
    by_path, by_session = {}, {}
    for view in views:
        by_path[view["path"]] = by_path.get(view["path"], 0) + 1
        by_session[view["sessionId"]] = by_session.get(view["sessionId"], 0) + 1
    top_page = sorted(by_path.items(), key=lambda item: (-item[1], item[0]))[0]
    bounces = sum(1 for s in sessions if by_session.get(s, 0) < 2)
    chats = list(db.chatinteractions.find(where, {"satisfied": 1}))
    satisfied = sum(1 for c in chats if c.get("satisfied") is True)
    rated = sum(1 for c in chats if c.get("satisfied") in (True, False))
    tools = list(db.toolusages.find(where, {"success": 1}))
    tool_failures = sum(1 for t in tools if t.get("success") is False)
    labs = list(db.labexperiments.find(where, {"success": 1}))
    lab_failures = sum(1 for t in labs if t.get("success") is False)
    calls = list(db.apiusages.find(where, {"statusCode": 1}))
    client_errors = sum(1 for c in calls if 400 <= c.get("statusCode", 0) < 500)
    server_errors = sum(1 for c in calls if c.get("statusCode", 0) >= 500)
    signups = db.userevents.count_documents({**where, "eventType": "auth", "eventName": "signup"})
    return {
        "overview": {"visitors": count(len(people)), "sessions": count(len(sessions)), "pageViews": count(len(views)),
                     "bounceRate": percent(bounces, len(sessions)), "topPage": top_page[0], "topPageViews": count(top_page[1])},
        "chats": {"conversations": count(len(chats)), "feedback": count(rated), "satisfactionRate": percent(satisfied, rated)},
        "tools": {"runs": count(len(tools)), "failures": count(tool_failures),
                  "successRate": percent(len(tools) - tool_failures, len(tools))},
        "lab": {"runs": count(len(labs)), "failures": count(lab_failures), "successRate": percent(len(labs) - lab_failures, len(labs))},
        "performance": {"calls": count(len(calls)), "errorRate": percent(client_errors + server_errors, len(calls)),
                        "clientErrorRate": percent(client_errors, len(calls)), "serverErrorRate": percent(server_errors, len(calls))},
        "funnels": {"signups": count(signups), "visitors": count(len(people)), "signupRate": percent(signups, len(people)),
                    **funnel_figures(*funnels(db, day)[0][1:])[0]},
    }


def funnels(db, day):
    """Per funnel of FUNNELS, in order, (name, [visitors reaching each step]), as cohorts:
    people whose first step fell on `day`, a step counted once reached after the one
    before it, in time order (page views by path; user events by type/name, unless
    sent with success: false)."""
    steps_of = {}
    for view in db.pageviews.find(PEOPLE, {"visitorId": 1, "timestamp": 1, "receivedAt": 1, "path": 1}):
        steps_of.setdefault(view["visitorId"], []).append((view["timestamp"], view["receivedAt"], view["path"]))
    for event in db.userevents.find({**PEOPLE, "success": {"$ne": False}}):
        steps_of.setdefault(event["visitorId"], []).append((event["timestamp"], event["receivedAt"], f"{event['eventType']}/{event['eventName']}"))
    # pymongo gives dates as naive UTC datetimes.
    start, end = (bound.replace(tzinfo=None) for bound in day_filter(day)["timestamp"].values())
    out = []
    for item in FUNNELS.split(";"):
        name, text = item.split(":")
        steps = [step.strip() for step in text.split(">")]
        reached = [0] * len(steps)
        for events in steps_of.values():
            done, entered = 0, None
            for at, _, what in sorted(events):
                if done < len(steps) and what == steps[done]:
                    entered, done = entered or at, done + 1
            if entered and start <= entered < end:
                for step in range(done):
                    reached[step] += 1
        out.append((name.strip(), steps, reached))
    return out


def funnel_figures(steps, reached):
    """One funnel's headline figures and its steps table's rows, as the page prints them."""
    figures = {"funnelEntered": count(reached[0]), "funnelCompleted": count(reached[-1]),
               "funnelConversion": percent(reached[-1], reached[0])}
    rows = {str(number): {"Reached": step, "Visitors": count(visitors)}
            for number, (step, visitors) in enumerate(zip(steps, reached), start=1)}
    return figures, rows


def everyone(db, day):
    """The overview's page views and top page with bots included (`audience=all`)."""
    where = {key: value for key, value in day_filter(day).items() if key not in PEOPLE}
    by_path = {}
    for view in db.pageviews.find(where, {"path": 1}):
        by_path[view["path"]] = by_path.get(view["path"], 0) + 1
    top = sorted(by_path.items(), key=lambda item: (-item[1], item[0]))[0]
    return {"pageViews": count(sum(by_path.values())), "topPage": [top[0], count(top[1])]}


def rows(db, day):
    """Per report page, one table's rows as (table name, {first cell: {column: shown value}}):
    chats per agent, tool runs per tool, lab runs per model, API calls per endpoint."""
    where = day_filter(day)

    def grouped(collection, field):
        groups = {}
        for doc in db[collection].find(where):
            groups.setdefault(doc.get(field), []).append(doc)
        return groups.items()

    def runs(docs):
        failed = sum(1 for d in docs if d.get("success") is False)
        return {"Runs": count(len(docs)), "Failures": count(failed), "Success rate": percent(len(docs) - failed, len(docs))}

    def chats(docs):
        satisfied = sum(1 for d in docs if d.get("satisfied") is True)
        rated = sum(1 for d in docs if d.get("satisfied") in (True, False))
        return {"Chats": count(len(docs)), "Feedback": count(rated), "Satisfied": count(satisfied),
                "Satisfaction rate": percent(satisfied, rated)}

    def calls(docs):
        client = sum(1 for d in docs if 400 <= d.get("statusCode", 0) < 500)
        server = sum(1 for d in docs if d.get("statusCode", 0) >= 500)
        return {"Calls": count(len(docs)), "4xx": count(client), "5xx": count(server), "Error rate": percent(client + server, len(docs))}

    return {
        "chats": ("agents", {agent: chats(docs) for agent, docs in grouped("chatinteractions", "agentId")}),
        "tools": ("tools", {tool: runs(docs) for tool, docs in grouped("toolusages", "toolName")}),
        "lab": ("lab-models", {model: runs(docs) for model, docs in grouped("labexperiments", "model")}),
        "performance": ("api-endpoints", {endpoint: calls(docs) for endpoint, docs in grouped("apiusages", "endpoint")}),
        "funnels": ("funnels", {name: {"Steps": " > ".join(steps), "Entered": count(reached[0]), "Completed": count(reached[-1]),
                                       "Conversion": percent(reached[-1], reached[0])} for name, steps, reached in funnels(db, day)}),
    }


def realtime(db, now):
    """The real-time page's figures at `now`: people with an event timed in the last 5
    minutes, their sessions, every event stored in the last 30 minutes (bots too, as
    the per-minute counters count them) and people's page views of the last 5 minutes
    by path, most viewed first."""
    recent = {"timestamp": {"$gte": now - datetime.timedelta(minutes=5)}, **PEOPLE}
    visitors, sessions = set(), set()
    for collection in KINDS:
        for doc in db[collection].find(recent, {"visitorId": 1, "sessionId": 1}):
            visitors.add(doc["visitorId"])
            sessions.add(doc["sessionId"])
    arrived = {"receivedAt": {"$gte": now - datetime.timedelta(minutes=30)}}
    events = sum(db[collection].count_documents(arrived) for collection in KINDS)
    paths = {}
    for view in db.pageviews.find({"receivedAt": {"$gte": now - datetime.timedelta(minutes=5)}, **PEOPLE}, {"path": 1}):
        paths[view["path"]] = paths.get(view["path"], 0) + 1
    pages = [[path, count(views)] for path, views in sorted(paths.items(), key=lambda item: (-item[1], item[0]))]
    return {"visitors": count(len(visitors)), "sessions": count(len(sessions)), "events": count(events), "pages": pages}


def visitor_sessions(db, visitor):
    """The visitor's session ids, newest first (by their first event's time)."""
    starts = {}
    for collection in KINDS:
        for doc in db[collection].find({"visitorId": visitor}, {"sessionId": 1, "timestamp": 1}):
            starts[doc["sessionId"]] = min(starts.get(doc["sessionId"], doc["timestamp"]), doc["timestamp"])
    return [s for s, _ in sorted(starts.items(), key=lambda item: item[1], reverse=True)]


def session_events(db, session):
    """The session's events as (kind, eventId), in time order (then arrival, then _id)."""
    events = []
    for collection, kind in KINDS.items():
        for doc in db[collection].find({"sessionId": session}):
            events.append((doc["timestamp"], doc["receivedAt"], str(doc["_id"]), kind, doc["eventId"]))
    return [(kind, event_id) for _, _, _, kind, event_id in sorted(events)]
