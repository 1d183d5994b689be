import SluiceCore
import Testing

/// The fields a worker adds to a dead letter, and sluicectl and the archive read back.
@Suite struct DeadLetterEntryTests {
    private func bytes(_ fields: [(name: String, value: String)]) -> [(name: String, value: [UInt8])] {
        fields.map { ($0.name, Array($0.value.utf8)) }
    }

    @Test func theWorkersFieldsAreItsWireFormatAndReadBack() {
        let entry = DeadLetterEntry(reason: "undecodable: x", stream: "events:{3}", entryId: "17-2", deliveries: 6, failedAt: 1_714_557_600_123)
        // The bytes every letter in `events:dead` (and every moved one) holds, spelled out on purpose.
        #expect(
            entry.fields.map { "\($0.name)=\($0.value)" } == [
                "reason=undecodable: x", "stream=events:{3}", "entryId=17-2", "deliveries=6", "failedAt=2024-05-01T10:00:00.123Z",
            ])
        #expect(DeadLetterEntry(fields: bytes([(name: "e", value: "{}"), (name: "v", value: "1")] + entry.fields)) == entry)
        // A failed entry with fields of the same names: the worker's, written after them, count.
        #expect(DeadLetterEntry(fields: bytes([(name: "stream", value: "elsewhere"), (name: "reason", value: "x")] + entry.fields)) == entry)
    }

    @Test func aPartialOrOddLetterReadsWhatItHas() {
        let partial = DeadLetterEntry(fields: bytes([("e", "{oops"), ("reason", "first"), ("deliveries", "many"), ("reason", "why")]))
        #expect(partial.reason == "why" && partial.deliveries == nil && partial.stream == nil && partial.entryId == nil && partial.failedAt == nil)
        #expect(partial.fields.map(\.name) == ["reason"])
        #expect(DeadLetterEntry(fields: bytes([])).fields.isEmpty)
    }
}
