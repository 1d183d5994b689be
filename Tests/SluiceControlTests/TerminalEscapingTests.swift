import SluiceCore
import Testing

@testable import SluiceControl

/// Client-chosen text (event ids, types, reasons, consumer names) must reach the
/// operator's terminal as visible text, never as escape sequences or bidi reordering.
@Suite("control characters in sluicectl output")
struct TerminalEscapingTests {
    /// ESC (C0), DEL, CSI as C1 (U+009B) and a right-to-left override (U+202E).
    private let hostile = "ev\u{1B}]0;owned\u{07}\u{7F}\u{9B}2J\u{202E}fdp.exe"

    private func containsRawControl(_ text: String, allowingNewlines: Bool = true) -> Bool {
        text.unicodeScalars.contains { Terminal.needsEscape($0) && !(allowingNewlines && $0 == "\n") }
    }

    private func letter(eventId: String, reason: String, extraField: (String, String)? = nil) -> DeadLetter {
        let added = DeadLetterEntry(reason: reason, stream: StreamLayout.streamKey(partition: 0), entryId: "1-0", deliveries: 1, failedAt: TestRedis.failedAt)
        var fields: [(String, String)] = [
            ("e", JSONWriter.string(of: .object(JSONObject([("id", .string(eventId)), ("type", .string("page\u{9B}")), ("visitorId", .string(eventId))])))),
            ("v", "1"),
        ]
        fields += added.fields.map { ($0.name, $0.value) }
        if let extraField { fields.append(extraField) }
        return DeadLetter(id: "1700000000000-0", fields: fields.map { ($0.0, Array($0.1.utf8)) })
    }

    @Test func escapesEveryControlAndBidiCharacter() {
        #expect(Terminal.escaped("a\u{1B}[2Jb") == #"a\u001b[2Jb"#)
        #expect(Terminal.escaped("\u{7F}\u{85}\u{9B}\u{202E}\u{2066}\u{200F}\u{061C}") == #"\u007f\u0085\u009b\u202e\u2066\u200f\u061c"#)
        #expect(Terminal.escaped("line\none\ttab\r") == #"line\u000aone\u0009tab\u000d"#)
        #expect(Terminal.escaped("line\none", keepingNewlines: true) == "line\none")
        #expect(Terminal.escaped("plain ünïcode ✓ 漢字") == "plain ünïcode ✓ 漢字")
    }

    @Test func deadListTableShowsIdsAndReasonsEscaped() {
        let text = DeadLetterTable.text(
            [letter(eventId: hostile, reason: "bad\u{1B}[31m red\nnext")], counts: .init(stream: 1, archive: 0), reason: "x\u{1B}", width: nil)
        #expect(!containsRawControl(text))
        #expect(text.contains(#"\u001b[31m"#))
        #expect(text.split(separator: "\n").count == 3)  // header, one letter, footer: no line break from the reason
    }

    @Test func deadListJSONStaysValidAndEscaped() throws {
        let json = DeadLetterTable.json([letter(eventId: hostile, reason: "r\u{202E}")], counts: .init(stream: 1, archive: 0))
        #expect(!containsRawControl(json, allowingNewlines: false))
        let parsed = try JSONParser.parse(Array(json.utf8))
        let first = parsed.objectValue?["deadLetters"].flatMap { if case .array(let items) = $0 { items.first?.objectValue } else { nil } }
        #expect(first?["eventId"]?.stringValue == hostile)  // same meaning once decoded
        #expect(first?["reason"]?.stringValue == "r\u{202E}")
    }

    @Test func deadShowEscapesFieldsAndTheEvent() throws {
        let dead = letter(eventId: hostile, reason: "why\u{1B}[2J", extraField: ("x\u{9B}", "y\u{7F}"))
        #expect(!containsRawControl(dead.detail))
        #expect(dead.detail.contains(#"why\u001b[2J"#) && dead.detail.contains(#"x\u009b"#))
        let unparsable = DeadLetter(id: "1-0", fields: [("e", Array("{\u{1B}[2J".utf8)), (DeadLetterEntry.Field.reason.rawValue, Array("undecodable".utf8))])
        #expect(!containsRawControl(unparsable.detail))
        #expect(!containsRawControl(dead.detailJSON, allowingNewlines: false))
        #expect(try JSONParser.parse(Array(dead.detailJSON.utf8)).objectValue?["fields"]?.objectValue?["x\u{9B}"]?.stringValue == "y\u{7F}")
    }

    @Test func streamsAndEraseOutputEscapeStoredNames() {
        let status = StreamStatus(
            stream: StreamLayout.streamKey(partition: 0), node: "h\u{1B}[2J:7000", length: 1, pending: 0, lag: 0,
            consumers: [.init(name: "w\u{1B}]0;x\u{07}", pending: 0, idleMilliseconds: 5)])
        #expect(!containsRawControl(StreamStatus.table([status])))
        #expect(!containsRawControl(StreamStatus.json([status]), allowingNewlines: false))
        let line = ErasureCounts().line(for: .user("u\u{1B}[2J", visitorIds: ["v\u{9B}1"]), dryRun: true)
        #expect(!containsRawControl(line, allowingNewlines: false))
    }

    @Test func errorsQuotingStoredDataAreEscaped() {
        #expect(!containsRawControl(ControlError("no letter \u{1B}[2J\nsecond line").description, allowingNewlines: false))
    }
}
