import Foundation
import SluiceCore
import SluiceRedis
import SluiceUserAgent
import Testing

@testable import SluiceWorker

/// The acknowledgement script's arguments: JSON written directly reads back as the
/// documents' values, and a session Redis already holds goes without its landing fields.
@Suite struct DerivedArgumentsTests {
    typealias E = TestEvents

    @Test func deviceTextReadsBackAsTheStoredDevice() throws {
        let devices = [
            DeviceInfo(type: .desktop, browser: "Firefox", browserVersion: "125.0", os: "Ubuntu"),
            DeviceInfo(type: .mobile, browser: #"Odd "quoted" \ name"#, os: "Line\nbreak", deviceFamily: "Gerät", brand: "Ünï", model: "\u{1}"),
            DeviceInfo(type: .bot),
        ]
        for device in devices {
            #expect(try JSONParser.parse(VisitorState.jsonText(of: device)) == VisitorState.json(of: device))
        }
    }

    @Test func theDeviceCacheTellsApartDevicesHashedAlike() throws {
        // Same type, browser, versions and OS (what the cache hashes): only the model differs.
        let phone = DeviceInfo(type: .mobile, browser: "Safari", browserVersion: "17.4", os: "iOS", osVersion: "17.4", brand: "Apple", model: "iPhone")
        var pad = phone
        pad.model = "iPad"
        for device in [phone, pad, phone, pad] {
            #expect(DeviceJSONCache.text(of: device) == VisitorState.jsonText(of: device))
        }
        #expect(DeviceJSONCache.text(of: phone) != DeviceJSONCache.text(of: pad))
    }

    @Test func landingTextReadsBackAsTheLandingFields() throws {
        let traffic = TrafficSource(pageURL: "https://shop.example/?utm_source=news&gclid=x1", referrer: "https://www.google.com/search?q=a")
        let device = DeviceInfo(type: .tablet, browser: "Safari", os: "iOS")
        for (traffic, referrer, device) in [(traffic, "https://www.google.com/", device), (nil, nil, device), (traffic, nil, nil), (nil, nil, nil)] {
            let text = SessionState.landingJSON(traffic: traffic, referrer: referrer, deviceJSON: device.map(VisitorState.jsonText(of:)))
            #expect(try JSONParser.parse(text) == .object(SessionState.landing(traffic: traffic, referrer: referrer, device: device)))
        }
    }

    /// The script's `S` operation of `session`, from its letter up to its seed flag.
    static func sessionOperation(_ operations: [String], _ session: String) throws -> ArraySlice<String> {
        let start = try #require(operations.indices.first { operations[$0] == "S" && operations[$0 + 3] == session })
        return operations[start..<start + 25]
    }

    @Test func aSessionRedisHoldsIsSentWithoutLandingFields() throws {
        let enricher = EventEnricher(userAgents: CachedUserAgentParser(parser: try UserAgentParser()), maxEventAgeMilliseconds: 7 * 86_400_000)
        var events: [EnrichedEvent] = []
        for (n, visitor) in ["v1", "v2", "v3"].enumerated() {
            let json =
                #"{"id":"e\#(n)","type":"pageview","visitorId":"\#(visitor)","timestamp":\#(E.base),"url":"https://shop.example/?utm_source=news","ua":"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"}"#
            let message = StreamMessage(
                stream: StreamLayout.streamKey(partition: 0), id: "0-\(n)",
                fields: [StreamLayout.versionField: Array(StreamLayout.schemaVersion.utf8), StreamLayout.eventField: Array(json.utf8)])
            var event = enricher.enrich(try DecodedEvent.decode(message).get())
            event.session = SessionAssignment(sessionId: "s-\(visitor)", isNew: visitor == "v1")
            events.append(event)
        }
        var changes = DerivedChanges(partition: 0, rollupWindow: 7_200_000, now: E.base + 60_000)
        for event in events { changes.add(event) }
        var seeds = DerivedSeeds()
        seeds.existingSessions = ["s-v2"]
        let operations = DerivedStepArguments(changes: changes, seeds: seeds, rollupWindow: 7_200_000, now: E.base + 60_000).operations
        // Opened here, and not found by the probe: both created by the script, so both carry their landing.
        for session in ["s-v1", "s-v3"] {
            let operation = try Self.sessionOperation(operations, session)
            let landing = try #require(try JSONParser.parse(operation[operation.startIndex + 15]).objectValue)
            #expect(landing["channel"] != nil && landing["device"]?.objectValue?["browser"] == .string("Firefox"))
            #expect(operation[(operation.startIndex + 16)...].prefix(8).contains("news") && operation.last == "0")
        }
        let held = try Self.sessionOperation(operations, "s-v2")
        #expect(held[(held.startIndex + 15)...].prefix(9).allSatisfy(\.isEmpty) && held.last == "0")
        #expect(held[held.startIndex + 4] == String(E.base) && held[held.startIndex + 6] == "1")
    }

    @Test func theProbeFindsTheSessionsRedisHolds() throws {
        try DerivedTestBed.withFresh { bed in
            let first = try bed.step([E.pageView("e1", "v1", "/", at: 0)]).events
            let s1 = try #require(first[0].sessionId)
            let landing = try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))["landing"]
            let messages = try bed.deliver([E.pageView("e2", "v1", "/pricing", at: 1000), E.pageView("e3", "v2", "/", at: 2000)])
            let events = try bed.enrich(messages)
            var changes = DerivedChanges(partition: 0, rollupWindow: bed.step.rollupWindow, now: E.base + 60_000)
            for event in events { changes.add(event) }
            let seeds = try DerivedSeeds.load(for: [changes], redis: bed.redis, store: bed.store)
            #expect(seeds.existingSessions == [s1])
            _ = try bed.acknowledge(messages, events)
            // Sent without them, the held session keeps its landing and is counted once.
            #expect(try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))["landing"] == landing)
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|sessions"] == "2" && hour["h|channel|n|direct"] == "2" && hour["h|pageViews"] == "3")
        }
    }
}
