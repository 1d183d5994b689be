/// A decoded Redis (RESP2) reply, owned by Swift; the C reply is freed as soon as it is copied.
public indirect enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
    /// A reply of type error (`-ERR ...`, `-BUSYGROUP ...`); not thrown, since in a
    /// pipeline one command's error must not hide the others' results.
    case error(String)

    /// The reply as text, for bulk strings and status replies.
    public var text: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let s): return s
        default: return nil
        }
    }

    /// The integer, for integer replies (and bulk strings holding one).
    public var integer: Int64? {
        switch self {
        case .integer(let i): return i
        case .string: return text.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// The elements, for array replies (empty for null).
    public var elements: [RedisReply]? {
        switch self {
        case .array(let items): return items
        case .null: return []
        default: return nil
        }
    }

    /// The error message, for error replies.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// An array of alternating keys and values (as `XINFO` returns) read as a dictionary.
    public var fieldMap: [String: RedisReply] {
        guard let items = elements else { return [:] }
        var map: [String: RedisReply] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].text { map[key] = items[index + 1] }
            index += 2
        }
        return map
    }
}
