import Foundation
import SluiceCore

/// Sends commands to a Redis Cluster: each to the master of its key's hash slot, a
/// pipeline split into one sub-pipeline per node (written to every node first, then
/// read back, so the nodes work in parallel), replies returned in the caller's order.
///
/// - `MOVED`: the slot map entry is corrected, the map re-read before the next call,
///   and the command sent again to the new owner; `ASK`: sent again once, behind
///   `ASKING`, to the node importing the slot. Up to `maxRedirections` rounds.
/// - A node that cannot be reached or drops the connection answers each of its commands
///   with an error reply (`UNREACHABLE <node>: …`; their outcome is unknown, callers
///   retry as after any error reply), while the other nodes' commands complete: a dead
///   master fails only what went to its slots. The slot map is re-read before the next
///   call, so after a failover the promoted replica is found once the cluster promoted it.
/// - `MULTI` … `EXEC` travels as one unit to the slot of its first keyed command.
/// - `SCRIPT LOAD` goes to every master (a master's error answers; one that cannot be
///   reached does not stop the others loading it); `WAIT` to every node the call wrote
///   to, all at once, and the smallest count answers (each master's replicas confirm
///   its own writes only).
///
/// Not thread-safe: owned by one thread, like `RedisConnection`.
final class RedisClusterRouter {
    /// Redirection rounds before a command's last `MOVED`/`ASK` reply is returned as is.
    static let maxRedirections = 5
    /// After a failed connect, calls to that node fail at once for this long instead of
    /// each waiting on a connect attempt.
    static let reconnectBackoff: Duration = .milliseconds(250)

    private let endpoint: RedisEndpoint
    private let connectTimeout: Double
    private let readTimeout: Double
    /// The master serving each slot, as an index into `masters`; -1 when none is known.
    private var owners: [Int32]
    private var masters: [RedisAddress] = []
    private var connections: [RedisAddress: RedisNodeConnection] = [:]
    private var failedConnects: [RedisAddress: ContinuousClock.Instant] = [:]
    /// Set by a redirection or a node failure: re-read the slot map before the next call.
    private var slotMapStale = false

    /// Connects to the first seed that answers and reads the slot map.
    init(endpoint: RedisEndpoint, connectTimeout: Double, readTimeout: Double) throws(RedisError) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        owners = Array(repeating: -1, count: HashSlot.count)
        try refreshSlotMap()
    }

    /// The master last known to serve `key` (the first seed before any is known).
    func address(servingKey key: String) -> RedisAddress {
        let owner = owners[HashSlot.of(key)]
        return owner >= 0 ? masters[Int(owner)] : endpoint.seeds[0]
    }

    // MARK: - Pipelines

    /// Commands that travel together to one node: one command, or a whole transaction.
    private struct Unit {
        /// The caller's commands, by index.
        let commands: Range<Int>
        let route: ClusterRoute
        /// Set by `ASK`: this node, each command behind `ASKING`.
        var askingAt: RedisAddress?
        var redirections = 0
    }

    /// Sends `commands` and returns their replies in order (see the type's documentation).
    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        if slotMapStale { try refreshSlotMap() }
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        var written = Set<RedisAddress>()
        let units = Self.units(of: commands)
        var pending = units.filter { $0.route != .writtenNodes }
        while !pending.isEmpty {
            pending = send(pending, commands: commands, into: &replies, written: &written)
        }
        for unit in units where unit.route == .writtenNodes {
            replies[unit.commands.lowerBound] = waitOnWritten(commands[unit.commands.lowerBound], nodes: written)
        }
        return replies.map { $0! }
    }

    /// Splits a pipeline into units: each command alone, except `MULTI` … `EXEC`.
    private static func units(of commands: [RedisCommand]) -> [Unit] {
        var units: [Unit] = []
        var index = 0
        while index < commands.count {
            let route = commands[index].clusterRoute
            guard route == .transactionStart else {
                units.append(Unit(commands: index..<index + 1, route: route))
                index += 1
                continue
            }
            var end = index + 1
            var slot: ClusterRoute = .anyMaster
            while end < commands.count {
                let inner = commands[end].clusterRoute
                end += 1
                if inner == .transactionEnd { break }
                if case .slot = inner, slot == .anyMaster { slot = inner }
            }
            units.append(Unit(commands: index..<end, route: slot))
            index = end
        }
        return units
    }

    /// One round: every unit to its node, replies read back; returns the units to send
    /// again after `MOVED`/`ASK`. A node that fails answers its units with error replies.
    private func send(_ units: [Unit], commands: [RedisCommand], into replies: inout [RedisReply?], written: inout Set<RedisAddress>) -> [Unit] {
        // Each node's units in the caller's order; `everyMaster` units go to all masters.
        var byNode: [RedisAddress: [Unit]] = [:]
        var order: [RedisAddress] = []
        func assign(_ unit: Unit, to address: RedisAddress) {
            if byNode[address] == nil { order.append(address) }
            byNode[address, default: []].append(unit)
        }
        for unit in units {
            if let asking = unit.askingAt {
                assign(unit, to: asking)
                continue
            }
            switch unit.route {
            case .slot(let slot):
                guard let owner = master(of: slot) else {
                    slotMapStale = true
                    for index in unit.commands { replies[index] = .error("CLUSTERDOWN Hash slot \(slot) is not served by any known master") }
                    continue
                }
                assign(unit, to: owner)
            case .everyMaster:
                for address in masters { assign(unit, to: address) }
            default:
                assign(unit, to: masters.first ?? endpoint.seeds[0])
            }
        }
        func fail(_ address: RedisAddress, _ error: RedisError) {
            nodeFailed(address)
            for unit in byNode[address]! where unit.route != .everyMaster || replies[unit.commands.lowerBound] == nil {
                for index in unit.commands { replies[index] = .error("UNREACHABLE \(address): \(error)") }
            }
        }
        // Write to every node, then read every node, so the nodes work in parallel.
        var sent: [RedisAddress: RedisNodeConnection] = [:]
        for address in order {
            do {
                let node = try connection(to: address)
                for unit in byNode[address]! {
                    var outgoing: [RedisCommand] = []
                    for index in unit.commands {
                        if unit.askingAt != nil { outgoing.append(RedisCommand("ASKING")) }
                        outgoing.append(commands[index])
                    }
                    try node.append(outgoing)
                }
                try node.flush()
                sent[address] = node
            } catch {
                fail(address, error)
            }
        }
        var again: [Unit] = []
        for address in order {
            guard let node = sent[address] else { continue }
            var nodeReplies: [RedisReply]
            do {
                let expected = byNode[address]!.reduce(0) { $0 + $1.commands.count * ($1.askingAt == nil ? 1 : 2) }
                nodeReplies = try node.readReplies(expected)
            } catch {
                fail(address, error)
                continue
            }
            written.insert(address)
            var offset = 0
            for unit in byNode[address]! {
                var unitReplies: [RedisReply] = []
                for _ in unit.commands {
                    if unit.askingAt != nil { offset += 1 }  // ASKING's +OK
                    unitReplies.append(nodeReplies[offset])
                    offset += 1
                }
                if unit.route != .everyMaster, let redirected = redirection(of: unit, replies: unitReplies, from: address) {
                    again.append(redirected)
                    continue
                }
                // `everyMaster` units: a master's error reply stands over success, and any
                // master's answer over an unreachable one's (a script loads while a master is down).
                if unit.route == .everyMaster, let earlier = replies[unit.commands.lowerBound] {
                    let earlierUnreachable = earlier.errorMessage?.hasPrefix("UNREACHABLE ") == true
                    let refused = earlier.errorMessage == nil && unitReplies[0].errorMessage != nil
                    if !earlierUnreachable && !refused { continue }
                }
                for (index, reply) in zip(unit.commands, unitReplies) { replies[index] = reply }
            }
        }
        return again
    }

    /// The unit to send again when a reply redirects it, nil when none does (or it has
    /// been redirected too often: the redirection is then its reply).
    private func redirection(of unit: Unit, replies: [RedisReply], from node: RedisAddress) -> Unit? {
        guard unit.redirections < Self.maxRedirections else { return nil }
        for reply in replies {
            guard let message = reply.errorMessage else { continue }
            let words = message.split(separator: " ")
            guard words.count == 3, words[0] == "MOVED" || words[0] == "ASK", let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
                let target = Self.address(words[2], from: node)
            else { continue }
            var again = unit
            again.redirections += 1
            if words[0] == "MOVED" {
                slotMapStale = true
                setOwner(of: slot, to: target)
                again.askingAt = nil
            } else {
                again.askingAt = target
            }
            return again
        }
        return nil
    }

    /// `WAIT` sent to each node the call wrote to, all at once so the waits overlap; the
    /// smallest confirmation count answers (an error reply when a node failed or answered one).
    private func waitOnWritten(_ wait: RedisCommand, nodes: Set<RedisAddress>) -> RedisReply {
        let targets = nodes.isEmpty ? [masters.first ?? endpoint.seeds[0]] : nodes.sorted { $0.description < $1.description }
        var waiting: [(RedisAddress, RedisNodeConnection)] = []
        var failure: RedisReply?
        for address in targets {
            do {
                let node = try connection(to: address)
                try node.append([wait])
                try node.flush()
                waiting.append((address, node))
            } catch {
                nodeFailed(address)
                failure = failure ?? .error("UNREACHABLE \(address): \(error)")
            }
        }
        var least: Int64?
        for (address, node) in waiting {
            do {
                let reply = try node.readReplies(1)[0]
                if let confirmed = reply.integer {
                    least = min(least ?? confirmed, confirmed)
                } else {
                    failure = failure ?? reply
                }
            } catch {
                nodeFailed(address)
                failure = failure ?? .error("UNREACHABLE \(address): \(error)")
            }
        }
        return failure ?? .integer(least ?? 0)
    }

    // MARK: - Slot map and nodes

    private func master(of slot: Int) -> RedisAddress? {
        let owner = owners[slot]
        return owner >= 0 ? masters[Int(owner)] : nil
    }

    private func setOwner(of slot: Int, to address: RedisAddress) {
        if let known = masters.firstIndex(of: address) {
            owners[slot] = Int32(known)
        } else {
            masters.append(address)
            owners[slot] = Int32(masters.count - 1)
        }
    }

    /// Reads `CLUSTER SLOTS` from the first node that answers: known masters, then the seeds.
    private func refreshSlotMap() throws(RedisError) {
        var lastError: RedisError?
        var candidates = masters
        for seed in endpoint.seeds where !candidates.contains(seed) { candidates.append(seed) }
        // Nodes with an open connection first, nodes that just failed to connect last: a dead
        // master (often the first known) must not cost every refresh a connect attempt.
        let now = ContinuousClock.now
        func rank(_ address: RedisAddress) -> Int {
            if connections[address]?.isBroken == false { return 0 }
            if let failed = failedConnects[address], now - failed < Self.reconnectBackoff { return 2 }
            return 1
        }
        candidates = candidates.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        var standalone = 0
        var answered = 0
        for address in candidates {
            let reply: RedisReply
            do {
                reply = try connection(to: address).send(RedisCommand("CLUSTER", "SLOTS"))
            } catch {
                nodeFailed(address)
                lastError = error
                continue
            }
            answered += 1
            if let message = reply.errorMessage {
                // One node's refusal (a node turned standalone, an ACL) is not the cluster's answer: ask the next.
                if message.contains("cluster support disabled") { standalone += 1 }
                lastError = .commandFailed(command: "CLUSTER SLOTS", message: "\(address): \(message)")
                continue
            }
            guard let ranges = reply.elements, let map = Self.slotMap(ranges, answeredBy: address) else {
                lastError = .unexpectedReply(command: "CLUSTER SLOTS", reply: "\(reply)")
                continue
            }
            owners = map.owners
            masters = map.masters
            slotMapStale = false
            for address in connections.keys where !masters.contains(address) { connections[address] = nil }
            return
        }
        if answered > 0 && standalone == answered {
            throw .setupFailed(
                endpoint: endpoint.description, command: "CLUSTER SLOTS",
                message:
                    "no node that answered has cluster support: SLUICE_REDIS_URL lists several addresses, which means a Redis Cluster's seed nodes; give one address for a single server"
            )
        }
        throw .connectFailed(
            endpoint: endpoint.description, message: "no seed or known master answered CLUSTER SLOTS (last: \(lastError.map { "\($0)" } ?? "none"))")
    }

    /// The owners and masters of a `CLUSTER SLOTS` reply: `[start, end, [host, port, id], replicas…]` per range.
    private static func slotMap(_ ranges: [RedisReply], answeredBy node: RedisAddress) -> (owners: [Int32], masters: [RedisAddress])? {
        var owners = [Int32](repeating: -1, count: HashSlot.count)
        var masters: [RedisAddress] = []
        for range in ranges {
            guard let parts = range.elements, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                0 <= start, start <= end, end < HashSlot.count,
                let master = parts[2].elements, master.count >= 2, let host = master[0].text, let port = master[1].integer
            else { return nil }
            // An empty host means "the address you reached me at".
            let address = RedisAddress(host: host.isEmpty ? node.host : host, port: Int(port))
            let index: Int
            if let known = masters.firstIndex(of: address) {
                index = known
            } else {
                masters.append(address)
                index = masters.count - 1
            }
            for slot in Int(start)...Int(end) { owners[slot] = Int32(index) }
        }
        return masters.isEmpty ? nil : (owners, masters)
    }

    /// `host:port` of a redirection (`[v6]:port` or `v6:port` alike); an empty host (`:port`)
    /// means the host of the node that answered, `node`.
    private static func address(_ text: Substring, from node: RedisAddress) -> RedisAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return RedisAddress(host: host.isEmpty ? node.host : String(host), port: port)
    }

    /// The open connection to `address`, making one if needed (failing fast for a moment after a failed attempt).
    private func connection(to address: RedisAddress) throws(RedisError) -> RedisNodeConnection {
        if let open = connections[address], !open.isBroken { return open }
        connections[address] = nil
        if let failed = failedConnects[address], ContinuousClock.now - failed < Self.reconnectBackoff {
            throw .connectFailed(endpoint: address.description, message: "reconnect backoff after a failed attempt")
        }
        do {
            let fresh = try RedisNodeConnection(endpoint: endpoint.at(address), connectTimeout: connectTimeout, readTimeout: readTimeout)
            connections[address] = fresh
            failedConnects[address] = nil
            return fresh
        } catch {
            failedConnects[address] = .now
            throw error
        }
    }

    /// Forgets a node's connection after a failure and re-reads the slot map before the next call.
    private func nodeFailed(_ address: RedisAddress) {
        if let open = connections[address], open.isBroken { connections[address] = nil }
        slotMapStale = true
    }
}
