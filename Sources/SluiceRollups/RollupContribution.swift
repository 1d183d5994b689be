import SluiceCore

/// The breakdowns of a bucket (docs/rollups.md has what each counts).
public enum RollupDimension: String, Sendable, CaseIterable {
    // Page views by path (humans and bots).
    case page
    // Sessions (humans), by what the session started with or ended on.
    case entryPage, exitPage, referrer, channel, utmSource, utmMedium, utmCampaign, deviceType, browser, os
    // Chats by agent, model and language, with feedback and response times.
    case agent, model, language
    // Tool runs by name and category, with failures and execution times; failures by tool and message.
    case tool, toolCategory, toolError
    // Lab runs by experiment and model, with failures and processing times.
    case experiment, labModel
    // API calls by endpoint and method, with 4xx, 5xx and response times.
    case endpoint
    // User events by type and name, with failures.
    case userEvent
    // Visitors (humans) by funnel (`key`) and the step they reached (`subkey`), in the
    // buckets of the hour and day they reached the first step (docs/derived-data.md, "Funnels").
    case funnel
}

/// The totals of a bucket.
public enum RollupTotal: String, Sendable, CaseIterable {
    /// Page views (not engagement updates) and all events (page views included).
    case pageViews, events
    /// Sessions that started in the bucket, those with fewer than two page views, and
    /// their summed length (last activity minus start, ms). Humans only.
    case sessions, bounces, duration
    /// Engaged time: the summed `timeSpent` (ms) of the bucket's page views, as their
    /// engagement updates raised it (the latest, largest value per page view). Humans only.
    case engaged

    /// The position among `allCases`.
    var index: Int {
        switch self {
        case .pageViews: 0
        case .events: 1
        case .sessions: 2
        case .bounces: 3
        case .duration: 4
        case .engaged: 5
        }
    }
}

/// Row metrics besides the count `n` and the time histogram `t<bucket>`.
public enum RollupMetric {
    public static let count = "n"
    public static let failures = "failures"
    public static let satisfied = "satisfied"
    public static let unsatisfied = "unsatisfied"
    public static let clientErrors = "s4xx"
    public static let serverErrors = "s5xx"
    /// The metric of `TimeHistogram` bucket `index`.
    public static func time(_ index: Int) -> String { "t\(index)" }
}

/// What one stored event adds to its hour and its day: totals, page views by path
/// and the per-kind breakdowns. Session breakdowns (entry and exit page, referrer,
/// channel, campaign, device) and chat feedback are counted in the Redis step,
/// which holds the session and the chat they belong to.
public enum RollupContribution {
    /// Adds what `facts` counts.
    public static func add(_ facts: EventFacts, to delta: inout RollupDelta) {
        let who: RollupAudience = facts.isBot ? .bot : .human
        // They change an earlier event's document: counted with it (feedback: in the Redis step).
        if facts.isEngagementUpdate || facts.kind == .feedback { return }
        delta.add(who, total: RollupTotal.events)
        switch facts.kind {
        case .pageview:
            delta.add(who, total: RollupTotal.pageViews)
            delta.add(who, RollupDimension.page.rawValue, facts.path ?? "")
            // A page view that brings its own time (a stored one: its updates' largest);
            // the time of later engagement updates is added in the Redis step.
            if who == .human, let spent = facts.milliseconds("timeSpent"), spent >= 1 { delta.add(who, total: RollupTotal.engaged, by: Int64(spent)) }
        case .chat:
            let time = facts.milliseconds("responseTime")
            for (dimension, value) in chatRows(facts) {
                delta.add(who, dimension.rawValue, value)
                if let time { delta.add(who, dimension.rawValue, value, RollupMetric.time(TimeHistogram.index(of: time))) }
            }
        case .feedback:
            break
        case .tool:
            let failed = facts.fields["success"] == .bool(false)
            let time = facts.milliseconds("executionTime")
            let tool = facts.text("toolName") ?? ""
            for (dimension, value) in [(RollupDimension.tool, tool), (.toolCategory, facts.text("category") ?? "")] {
                delta.add(who, dimension.rawValue, value)
                if failed { delta.add(who, dimension.rawValue, value, RollupMetric.failures) }
                if let time { delta.add(who, dimension.rawValue, value, RollupMetric.time(TimeHistogram.index(of: time))) }
            }
            if failed {
                delta.add(who, RollupDimension.toolError.rawValue, pair(tool, facts.text("errorMessage") ?? ""))
            }
        case .lab:
            let failed = facts.fields["success"] == .bool(false)
            let time = facts.milliseconds("processingTime")
            for (dimension, value) in [(RollupDimension.experiment, facts.text("experimentName") ?? ""), (.labModel, facts.text("model") ?? "")] {
                delta.add(who, dimension.rawValue, value)
                if failed { delta.add(who, dimension.rawValue, value, RollupMetric.failures) }
                if let time { delta.add(who, dimension.rawValue, value, RollupMetric.time(TimeHistogram.index(of: time))) }
            }
        case .api:
            let value = pair(facts.text("endpoint") ?? "", facts.text("method")?.uppercased() ?? "")
            let dimension = RollupDimension.endpoint.rawValue
            delta.add(who, dimension, value)
            if case .int(let status)? = facts.fields["statusCode"] {
                if (400..<500).contains(status) { delta.add(who, dimension, value, RollupMetric.clientErrors) }
                if (500..<600).contains(status) { delta.add(who, dimension, value, RollupMetric.serverErrors) }
            }
            if let time = facts.milliseconds("responseTime") { delta.add(who, dimension, value, RollupMetric.time(TimeHistogram.index(of: time))) }
        case .event:
            let value = pair(facts.text("eventType") ?? "", facts.text("eventName") ?? "")
            delta.add(who, RollupDimension.userEvent.rawValue, value)
            if facts.fields["success"] == .bool(false) { delta.add(who, RollupDimension.userEvent.rawValue, value, RollupMetric.failures) }
        }
    }

    /// A chat's agent, model and language rows (also what its feedback is counted against).
    public static func chatRows(_ facts: EventFacts) -> [(RollupDimension, String)] {
        [(.agent, facts.text("agentId") ?? facts.text("agentName") ?? ""), (.model, facts.text("model") ?? ""), (.language, facts.text("language") ?? "")]
    }

    /// A two-part value: each part cut so both survive `RollupDelta.maxValueBytes`.
    static func pair(_ first: String, _ second: String) -> String {
        let half = RollupDelta.maxValueBytes / 2 - 1
        return RollupDelta.clip(first, bytes: half) + String(RollupDelta.valueSeparator) + RollupDelta.clip(second, bytes: half)
    }
}
