"""The example queries of docs/schema.md: each one's mongosh text as the guide prints it,
its pymongo form, and what it returns on the store tests/schema/seed.py makes."""
import datetime


def today():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)


def minutes_ago(minutes):
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=minutes)


def ids(cursor):
    return sorted(document["_id"] for document in cursor)


# (mongosh, pymongo form, expected result on the seeded store)
QUERIES = [
    ('db.visitors.find({firstVisit: {$gte: today}})',
     lambda db: ids(db.visitors.find({"firstVisit": {"$gte": today()}})),
     ["visitor-a", "visitor-b"]),
    ('db.sessions.find({endTime: null, lastActivity: {$gte: new Date(Date.now() - 30 * 60 * 1000)}})',
     lambda db: len(list(db.sessions.find({"endTime": None, "lastActivity": {"$gte": minutes_ago(30)}}))),
     2),
    ('db.chatinteractions.find({agentId: "support"})',
     lambda db: sorted(d["eventId"] for d in db.chatinteractions.find({"agentId": "support"})),
     ["chat-1", "chat-2"]),
    ('db.toolusages.aggregate([{$group: {_id: "$toolName", uses: {$sum: 1}, avgTime: {$avg: "$executionTime"}}}, {$sort: {uses: -1}}])',
     lambda db: list(db.toolusages.aggregate([{"$group": {"_id": "$toolName", "uses": {"$sum": 1}, "avgTime": {"$avg": "$executionTime"}}},
                                              {"$sort": {"uses": -1}}])),
     [{"_id": "json-formatter", "uses": 2, "avgTime": 20}, {"_id": "image-resizer", "uses": 1, "avgTime": 200}]),
    ('db.userevents.countDocuments({eventType: "auth", eventName: "signup"})',
     lambda db: db.userevents.count_documents({"eventType": "auth", "eventName": "signup"}),
     2),
    ('db.chatinteractions.aggregate([{$match: {satisfied: {$in: [true, false]}}}, {$group: {_id: "$agentId", rated: {$sum: 1}, satisfied: {$sum: {$cond: ["$satisfied", 1, 0]}}}}])',
     lambda db: list(db.chatinteractions.aggregate([{"$match": {"satisfied": {"$in": [True, False]}}},
                                                    {"$group": {"_id": "$agentId", "rated": {"$sum": 1},
                                                                "satisfied": {"$sum": {"$cond": ["$satisfied", 1, 0]}}}}])),
     [{"_id": "support", "rated": 2, "satisfied": 1}]),
    ('db.chatinteractions.find({feedback: {$exists: true}}, {agentId: 1, userMessage: 1, aiResponse: 1, feedback: 1})',
     lambda db: [(d["agentId"], d["feedback"]) for d in db.chatinteractions.find(
         {"feedback": {"$exists": True}}, {"agentId": 1, "userMessage": 1, "aiResponse": 1, "feedback": 1})],
     [("support", "Too vague")]),
    ('db.pageviews.aggregate([{$match: {"device.type": {$ne: "bot"}}}, {$group: {_id: "$path", views: {$sum: 1}, avgTimeSpent: {$avg: "$timeSpent"}, maxScrollDepth: {$max: "$scrollDepth"}}}, {$sort: {views: -1, _id: 1}}])',
     lambda db: list(db.pageviews.aggregate([{"$match": {"device.type": {"$ne": "bot"}}},
                                             {"$group": {"_id": "$path", "views": {"$sum": 1}, "avgTimeSpent": {"$avg": "$timeSpent"},
                                                         "maxScrollDepth": {"$max": "$scrollDepth"}}},
                                             {"$sort": {"views": -1, "_id": 1}}])),
     [{"_id": "/pricing", "views": 2, "avgTimeSpent": 30000, "maxScrollDepth": 100},
      {"_id": "/", "views": 1, "avgTimeSpent": 12000, "maxScrollDepth": 80}]),
    ('db.sessions.aggregate([{$group: {_id: null, sessions: {$sum: 1}, bounces: {$sum: {$cond: [{$lte: ["$pageViews", 1]}, 1, 0]}}}}])',
     lambda db: list(db.sessions.aggregate([{"$group": {"_id": None, "sessions": {"$sum": 1},
                                                        "bounces": {"$sum": {"$cond": [{"$lte": ["$pageViews", 1]}, 1, 0]}}}}])),
     [{"_id": None, "sessions": 2, "bounces": 1}]),
    ('db.sessions.aggregate([{$group: {_id: "$channel", sessions: {$sum: 1}}}, {$sort: {sessions: -1, _id: 1}}])',
     lambda db: list(db.sessions.aggregate([{"$group": {"_id": "$channel", "sessions": {"$sum": 1}}}, {"$sort": {"sessions": -1, "_id": 1}}])),
     [{"_id": "email", "sessions": 1}, {"_id": "search", "sessions": 1}]),
    ('db.visitors.find({userIds: "user-1"}, {_id: 1})',
     lambda db: ids(db.visitors.find({"userIds": "user-1"}, {"_id": 1})),
     ["visitor-a"]),
    ('db.labexperiments.aggregate([{$group: {_id: "$experimentName", runs: {$sum: 1}, failures: {$sum: {$cond: ["$success", 0, 1]}}, avgProcessingTime: {$avg: "$processingTime"}}}])',
     lambda db: list(db.labexperiments.aggregate([{"$group": {"_id": "$experimentName", "runs": {"$sum": 1},
                                                              "failures": {"$sum": {"$cond": ["$success", 0, 1]}},
                                                              "avgProcessingTime": {"$avg": "$processingTime"}}}])),
     [{"_id": "caption-v2", "runs": 2, "failures": 1, "avgProcessingTime": 45000}]),
    ('db.apiusages.aggregate([{$match: {statusCode: {$gte: 500}}}, {$group: {_id: "$endpoint", errors: {$sum: 1}, avgResponseTime: {$avg: "$responseTime"}}}])',
     lambda db: list(db.apiusages.aggregate([{"$match": {"statusCode": {"$gte": 500}}},
                                             {"$group": {"_id": "$endpoint", "errors": {"$sum": 1}, "avgResponseTime": {"$avg": "$responseTime"}}}])),
     [{"_id": "/v1/answers", "errors": 1, "avgResponseTime": 3000}]),
    ('db.pageviews.countDocuments({"device.type": "bot"})',
     lambda db: db.pageviews.count_documents({"device.type": "bot"}),
     1),
    ('db.chatinteractions.find({eventId: "chat-1"})',
     lambda db: [(d["_id"], d["satisfied"]) for d in db.chatinteractions.find({"eventId": "chat-1"})],
     [(":visitor-a:chat-1", True)]),
    ('db.deadletters.find().sort({failedAt: -1}).limit(20)',
     lambda db: list(db.deadletters.find().sort("failedAt", -1).limit(20)),
     []),
]
