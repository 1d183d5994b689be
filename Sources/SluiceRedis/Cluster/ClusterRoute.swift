/// Where one command goes on a Redis Cluster, from its name and arguments.
import SluiceCore

enum ClusterRoute: Equatable {
    /// To the master of this hash slot.
    case slot(Int)
    /// To any master: the command names no key (`PING`, `INFO`, `EVALSHA` with no keys).
    case anyMaster
    /// To every master, answered with the first master's reply: `SCRIPT LOAD`, so a
    /// script's digest is known wherever `EVALSHA` lands.
    case everyMaster
    /// To every node this pipeline wrote to, answered with the smallest count: `WAIT`.
    case writtenNodes
    /// `MULTI`: the transaction goes where its first keyed command goes.
    case transactionStart
    /// `EXEC` or `DISCARD`: ends the transaction.
    case transactionEnd
}

extension RedisCommand {
    /// Commands that name no key; they may go to any master.
    private static let keyless: Set<String> = [
        "PING", "INFO", "TIME", "DBSIZE", "FLUSHDB", "FLUSHALL", "CLIENT", "CONFIG", "CLUSTER", "COMMAND", "ECHO",
        "SELECT", "AUTH", "HELLO", "KEYS", "SCAN", "RANDOMKEY", "ASKING", "READONLY", "LASTSAVE", "SAVE", "BGSAVE",
        "BGREWRITEAOF", "DEBUG", "SLOWLOG", "LATENCY", "ROLE", "ACL", "QUIT",
    ]

    /// The argument at `index`'s bytes.
    func argument(_ index: Int) -> ArraySlice<UInt8> {
        let start = lengths[..<index].reduce(0, +)
        return bytes[start..<start + lengths[index]]
    }

    /// The argument at `index` as text, upper-cased (for command names and tokens).
    private func word(_ index: Int) -> String {
        String(decoding: argument(index), as: UTF8.self).uppercased()
    }

    /// Where this command goes on a cluster: the slot of its first key, by the rules of
    /// the commands Sluice sends (the key is the first argument unless the command says
    /// otherwise); callers keep a command's keys within one slot.
    var clusterRoute: ClusterRoute {
        let name = self.name
        switch name {
        case "MULTI": return .transactionStart
        case "EXEC", "DISCARD": return .transactionEnd
        case "WAIT": return .writtenNodes
        case "SCRIPT", "FUNCTION": return .everyMaster
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard argumentCount > 3, let keys = Int(word(2)), keys > 0 else { return .anyMaster }
            return .slot(HashSlot.of(keyBytes: argument(3)))
        case "XREADGROUP", "XREAD":
            // XREADGROUP's group and consumer names (arguments 2 and 3) may be any word, "STREAMS" too.
            let options = name == "XREADGROUP" ? 4 : 1
            guard options < argumentCount, let streams = (options..<argumentCount).first(where: { word($0) == "STREAMS" }), streams + 1 < argumentCount
            else { return .anyMaster }
            return .slot(HashSlot.of(keyBytes: argument(streams + 1)))
        case "XINFO", "XGROUP", "OBJECT":
            return argumentCount > 2 ? .slot(HashSlot.of(keyBytes: argument(2))) : .anyMaster
        case "MEMORY":
            return argumentCount > 2 && word(1) == "USAGE" ? .slot(HashSlot.of(keyBytes: argument(2))) : .anyMaster
        default:
            if Self.keyless.contains(name) || argumentCount < 2 { return .anyMaster }
            return .slot(HashSlot.of(keyBytes: argument(1)))
        }
    }
}
