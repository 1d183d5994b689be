import SluiceCore
import SluiceMongo
import SluiceRollups
import SluiceUserAgent

/// A session's state hash in Redis (`ss:{p}:<id>`, written by `DerivedStepScript`) and
/// the `sessions` document the flusher makes of it.
enum SessionState {
    /// The fields a session takes from where it started: referrer, traffic source, device.
    static func landing(traffic: TrafficSource?, referrer: String?, device: DeviceInfo?) -> JSONObject {
        var landing = JSONObject()
        if let referrer { landing["referrer"] = .string(referrer) }
        if let traffic {
            if let host = traffic.referrerHost { landing["referrerHost"] = .string(host) }
            landing["channel"] = .string(traffic.channel.rawValue)
            if !traffic.utm.isEmpty { landing["utm"] = .object(JSONObject(traffic.utm.map { ($0.key, .string($0.value)) })) }
            for click in traffic.clickIds { landing[click.key] = .string(click.value) }
        }
        if let device { landing["device"] = VisitorState.json(of: device) }
        return landing
    }

    /// `landing(traffic:referrer:device:)` as JSON text, with the device's JSON text
    /// (`VisitorState.jsonText(of:)`) written in as is.
    static func landingJSON(traffic: TrafficSource?, referrer: String?, deviceJSON: String?) -> String {
        let rest = JSONWriter.string(of: .object(landing(traffic: traffic, referrer: referrer, device: nil)))
        guard let deviceJSON else { return rest }
        var text = String(rest[..<rest.index(before: rest.endIndex)])
        text.reserveCapacity(rest.utf8.count + deviceJSON.utf8.count + 12)
        text.append(rest == "{}" ? #""device":"# : #","device":"#)
        text.append(deviceJSON)
        text.append("}")
        return text
    }

    /// The landing fields of a stored session document.
    static func landing(ofStored document: JSONObject) -> JSONObject {
        var landing = JSONObject()
        for key in ["referrer", "referrerHost", "channel", "utm", "gclid", "fbclid", "msclkid", "device"] {
            if let value = document[key], value != .null { landing[key] = value }
        }
        return landing
    }

    /// The eight values a new session counts under (`DerivedStepScript.landingDimensions`).
    static func dimensions(traffic: TrafficSource?, device: DeviceInfo?) -> [String] {
        let utm = traffic?.utm ?? []
        func campaign(_ key: String) -> String { utm.first { $0.key == key }?.value ?? "" }
        return [
            traffic?.referrerHost ?? "", traffic?.channel.rawValue ?? "", campaign("source"), campaign("medium"), campaign("campaign"),
            device?.type.rawValue ?? "", device?.browser ?? "", device?.os ?? "",
        ].map { RollupDelta.clip($0) }
    }

    /// The write of a session: an insert the first time, then absolute updates.
    static func operation(id: String, state: [String: String]) -> BulkOperation? {
        guard let start = state["start"].flatMap({ Int64($0) }), let last = state["last"].flatMap({ Int64($0) }) else { return nil }
        let end = state["end"].flatMap { Int64($0) }
        let pageViews = Int64(state["pv"] ?? "") ?? 0
        let events = Int64(state["ev"] ?? "") ?? 0
        let visitorId = state["visitor"].map(StreamLayout.DerivedKey.name(ofKey:)) ?? ""
        if state["stored"] != "1" {
            let document = BSONDocumentBuilder()
            document.appendString("_id", id)
            document.appendString("visitorId", visitorId)
            document.appendDate("startTime", millisecondsSince1970: start)
            document.appendDate("lastActivity", millisecondsSince1970: last)
            if let end { document.appendDate("endTime", millisecondsSince1970: end) } else { document.appendNull("endTime") }
            document.appendInt64("pageViews", pageViews)
            document.appendInt64("events", events)
            appendPages(state, to: document)
            if let landing = state["landing"].flatMap({ try? JSONParser.parse($0).objectValue }) {
                for member in landing.members { document.append(member.key, json: member.value) }
            }
            return .insert(document)
        }
        let update = BSONDocumentBuilder()
        update.appendDocument("$min") { $0.appendDate("startTime", millisecondsSince1970: start) }
        update.appendDocument("$max") { max in
            max.appendDate("lastActivity", millisecondsSince1970: last)
            max.appendInt64("pageViews", pageViews)
            max.appendInt64("events", events)
        }
        update.appendDocument("$set") { set in
            set.appendString("visitorId", visitorId)
            if let end { set.appendDate("endTime", millisecondsSince1970: end) }
            appendPages(state, to: set)
        }
        return .upsert(filter: .filter(id: id), update: update)
    }

    private static func appendPages(_ state: [String: String], to document: BSONDocumentBuilder) {
        if let entry = state["entry"], !entry.isEmpty { document.appendString("entryPage", entry) }
        if let exit = state["exit"], !exit.isEmpty { document.appendString("exitPage", exit) }
        if let user = state["user"], !user.isEmpty { document.appendString("userId", user) }
    }
}

/// A visitor's state hash in Redis (`vs:{p}:<id>`) and the `visitors` document made of it.
enum VisitorState {
    /// `userIds` keeps at most this many ids, so no sender can grow a visitor document
    /// towards MongoDB's 16 MB limit; every event keeps its own `userId`.
    static let maxUserIds = 50

    /// A device as stored.
    static func json(of device: DeviceInfo) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", .string(device.type.rawValue))]
        for (key, value) in [
            ("browser", device.browser), ("browserVersion", device.browserVersion), ("os", device.os), ("osVersion", device.osVersion),
            ("deviceFamily", device.deviceFamily), ("brand", device.brand), ("model", device.model),
        ] {
            fields.append((key, value.map(JSONValue.string) ?? .null))
        }
        return .object(JSONObject(fields))
    }

    /// `json(of:)` as JSON text, written directly (a batch writes one per visitor).
    static func jsonText(of device: DeviceInfo) -> String {
        var text = #"{"type":"#
        text.reserveCapacity(160)
        append(device.type.rawValue, to: &text)
        for (key, value) in [
            (#","browser":"#, device.browser), (#","browserVersion":"#, device.browserVersion), (#","os":"#, device.os),
            (#","osVersion":"#, device.osVersion), (#","deviceFamily":"#, device.deviceFamily), (#","brand":"#, device.brand),
            (#","model":"#, device.model),
        ] {
            text.append(key)
            if let value { append(value, to: &text) } else { text.append("null") }
        }
        text.append("}")
        return text
    }

    /// Appends `value` as a JSON string.
    private static func append(_ value: String, to text: inout String) {
        if value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text.append(JSONWriter.string(of: .string(value)))
        } else {
            text.append("\"")
            text.append(value)
            text.append("\"")
        }
    }

    /// The write of a visitor: an insert the first time, then absolute updates.
    static func operation(id: String, state: [String: String]) -> BulkOperation? {
        guard let first = state["first"].flatMap({ Int64($0) }), let last = state["last"].flatMap({ Int64($0) }) else { return nil }
        let visits = Int64(state["visits"] ?? "") ?? 0
        let pageViews = Int64(state["pv"] ?? "") ?? 0
        let userIds = (state["users"] ?? "").split(separator: "\u{1F}").map(String.init)
        let device = state["device"].flatMap { try? JSONParser.parse($0) }
        func appendSettable(_ document: BSONDocumentBuilder) {
            document.appendArray("userIds") { array in userIds.forEach { array.appendString($0) } }
            if let device { document.append("device", json: device) }
            document.appendBool("returning", state["ret"] == "1")
        }
        if state["stored"] != "1" {
            let document = BSONDocumentBuilder()
            document.appendString("_id", id)
            document.appendDate("firstVisit", millisecondsSince1970: first)
            document.appendDate("lastVisit", millisecondsSince1970: last)
            document.appendInt64("visits", visits)
            document.appendInt64("pageViews", pageViews)
            appendSettable(document)
            VisitorFunnels.append(state, to: document, asUpdate: false)
            return .insert(document)
        }
        let update = BSONDocumentBuilder()
        update.appendDocument("$min") { $0.appendDate("firstVisit", millisecondsSince1970: first) }
        update.appendDocument("$max") { max in
            max.appendDate("lastVisit", millisecondsSince1970: last)
            max.appendInt64("visits", visits)
            max.appendInt64("pageViews", pageViews)
        }
        update.appendDocument("$set") { set in
            appendSettable(set)
            VisitorFunnels.append(state, to: set, asUpdate: true)
        }
        return .upsert(filter: .filter(id: id), update: update)
    }
}
