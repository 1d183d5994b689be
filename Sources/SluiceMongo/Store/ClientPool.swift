import CMongoc
import Foundation

/// A `mongoc_client_pool_t` behind a small state machine, so that `close()`
/// never destroys the pool while a client is out (libmongoc requires every
/// client to be pushed back before `mongoc_client_pool_destroy`).
final class ClientPool: @unchecked Sendable {
    private enum State {
        /// Clients may be popped; `borrowed` are out right now.
        case open(OpaquePointer, borrowed: Int)
        /// `close()` was called while clients were out; the last push destroys the pool.
        case draining(OpaquePointer, borrowed: Int)
        case closed
    }

    // Guards `state` and `used`; never held across a blocking libmongoc call.
    private let lock = NSLock()
    private var state: State
    /// Whether any call borrowed a client: only then can the pool hold server sessions.
    private var used = false

    /// Takes ownership of `pool`, on which the error API is already set.
    init(_ pool: OpaquePointer) {
        state = .open(pool, borrowed: 0)
    }

    deinit {
        // No client can be out here: `withClient` keeps `self` alive.
        if case .open(let pool, _) = state {
            mongoc_client_pool_destroy(pool)
        }
    }

    /// Pops a client (blocking while all `maxPoolSize` clients are busy), runs
    /// `body` with it and pushes it back.
    func withClient<R>(
        operation: String, _ body: (OpaquePointer) throws(MongoError) -> R
    ) throws(MongoError) -> R {
        let pool: OpaquePointer? = lock.withLock {
            guard case .open(let pool, let borrowed) = state else { return nil }
            state = .open(pool, borrowed: borrowed + 1)
            used = true
            return pool
        }
        guard let pool else { throw .closed(operation: operation) }
        defer { giveBack(pool) }
        guard let client = mongoc_client_pool_pop(pool) else {
            throw .closed(operation: operation)
        }
        defer { mongoc_client_pool_push(pool, client) }
        return try body(client)
    }

    /// Ends a borrow; destroys the pool if it was the last one out of a closed pool.
    private func giveBack(_ pool: OpaquePointer) {
        let destroy: Bool = lock.withLock {
            switch state {
            case .open(let pool, let borrowed):
                state = .open(pool, borrowed: borrowed - 1)
                return false
            case .draining(let pool, let borrowed):
                state = borrowed == 1 ? .closed : .draining(pool, borrowed: borrowed - 1)
                return borrowed == 1
            case .closed:
                return false
            }
        }
        if destroy { release(pool) }
    }

    /// Refuses new calls and destroys the pool once no client is out.
    func close() {
        let poolToDestroy: OpaquePointer? = lock.withLock {
            switch state {
            case .open(let pool, let borrowed) where borrowed == 0:
                state = .closed
                return pool
            case .open(let pool, let borrowed):
                state = .draining(pool, borrowed: borrowed)
                return nil
            case .draining, .closed:
                return nil
            }
        }
        if let poolToDestroy { release(poolToDestroy) }
    }

    /// Destroys the pool, unless it holds sessions and no server is reachable: destroying
    /// ends the pooled server sessions, which waits on server selection
    /// (`serverSelectionTimeoutMS`, 30 s by default) for a server that is gone, so a
    /// process stopping while MongoDB is down would hang that long, on whatever thread
    /// closes the store. Such a pool is left to the process's exit.
    private func release(_ pool: OpaquePointer) {
        if lock.withLock({ used }) && !Self.knowsReachableServer(pool) { return }
        mongoc_client_pool_destroy(pool)
    }

    /// Whether the pool's topology has any server it last saw answer (not "Unknown"),
    /// read from its description without a round trip.
    private static func knowsReachableServer(_ pool: OpaquePointer) -> Bool {
        guard let client = mongoc_client_pool_try_pop(pool) else { return true }
        defer { mongoc_client_pool_push(pool, client) }
        var count = 0
        guard let descriptions = mongoc_client_get_server_descriptions(client, &count) else { return false }
        defer { mongoc_server_descriptions_destroy_all(descriptions, count) }
        return (0..<count).contains { index in
            guard let description = descriptions[index], let type = mongoc_server_description_type(description) else { return false }
            return String(cString: type) != "Unknown"
        }
    }
}
