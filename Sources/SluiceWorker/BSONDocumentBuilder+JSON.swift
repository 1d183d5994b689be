import SluiceCore
import SluiceMongo

extension BSONDocumentBuilder {
    /// Appends a JSON value under `key`: integers as int32 when they fit (int64
    /// otherwise), objects as embedded documents, arrays as arrays.
    func append(_ key: String, json value: JSONValue) {
        switch value {
        case .null: appendNull(key)
        case .bool(let b): appendBool(key, b)
        case .int(let i):
            if let small = Int32(exactly: i) { appendInt32(key, small) } else { appendInt64(key, i) }
        case .double(let d): appendDouble(key, d)
        case .string(let s): appendString(key, s)
        case .array(let elements): appendArray(key) { array in elements.forEach { array.append(json: $0) } }
        case .object(let object): appendDocument(key) { document in object.members.forEach { document.append($0.key, json: $0.value) } }
        }
    }
}

extension BSONArrayBuilder {
    /// Appends a JSON value as the next element.
    func append(json value: JSONValue) {
        switch value {
        case .null: appendNull()
        case .bool(let b): appendBool(b)
        case .int(let i):
            if let small = Int32(exactly: i) { appendInt32(small) } else { appendInt64(i) }
        case .double(let d): appendDouble(d)
        case .string(let s): appendString(s)
        case .array(let elements): appendArray { array in elements.forEach { array.append(json: $0) } }
        case .object(let object): appendDocument { document in object.members.forEach { document.append($0.key, json: $0.value) } }
        }
    }
}
