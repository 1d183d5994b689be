import SluiceMongo

/// The indexes the worker ensures at start: time, visitor and session on every
/// event collection, plus the fields the seed's queries filter or group on.
enum IndexCatalog {
    static let eventCollections = ["pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages"]

    static let indexes: [(String, [IndexSpec])] =
        eventCollections.map { collection in
            (collection, common + (seedQueryFields[collection] ?? []).map { IndexSpec(name: "\($0)_1", keys: [IndexKey($0)]) })
        } + [
            ("visitors", [IndexSpec(name: "firstVisit_1", keys: [IndexKey("firstVisit")]), IndexSpec(name: "lastVisit_1", keys: [IndexKey("lastVisit")])]),
            ("sessions", [
                IndexSpec(name: "visitorId_1", keys: [IndexKey("visitorId")]),
                IndexSpec(name: "endTime_1_lastActivity_1", keys: [IndexKey("endTime"), IndexKey("lastActivity")]),
            ]),
        ]

    private static let common = [
        IndexSpec(name: "timestamp_1", keys: [IndexKey("timestamp")]),
        IndexSpec(name: "visitorId_1", keys: [IndexKey("visitorId")]),
        IndexSpec(name: "sessionId_1", keys: [IndexKey("sessionId")]),
    ]

    private static let seedQueryFields: [String: [String]] = [
        "pageviews": ["path"],
        "chatinteractions": ["agentId"],
        "toolusages": ["toolName"],
        "labexperiments": ["experimentName"],
        "userevents": ["eventType", "eventName"],
        "apiusages": ["endpoint"],
    ]
}
