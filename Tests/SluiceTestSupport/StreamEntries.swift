import SluiceRedis

extension RedisConnection {
    /// The entries of `stream` from `start` on, oldest first (`XRANGE <stream> <start> +`),
    /// decoded by `StreamEntryReply` as the worker and sluicectl decode them.
    public func streamEntries(_ stream: String, from start: String = "-") throws(RedisError) -> [StreamEntryReply] {
        try StreamEntryReply.entries(in: run(RedisCommand("XRANGE", stream, start, "+")))
    }
}

extension StreamEntryReply {
    /// The value of field `name` as UTF-8 text, if the entry has it.
    public func text(_ name: String) -> String? { value(name).map { String(decoding: $0, as: UTF8.self) } }
}
