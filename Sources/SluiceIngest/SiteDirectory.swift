import Foundation
import NIOPosix
import SluiceCore
import Synchronization

/// The sites in force: those of the sites file read at start, replaced whole when
/// the file is read again (`SIGHUP`, `SitesReloadService`), so write keys and
/// origins rotate without a restart. Without a sites file ingest runs open and
/// stays open: going from open to checked (or back) takes a restart.
final class SiteDirectory: Sendable {
    /// One generation of the sites file: its registry and every origin it allows.
    struct Snapshot: Sendable {
        let registry: SiteRegistry
        let origins: Set<String>

        init(_ registry: SiteRegistry) {
            self.registry = registry
            origins = Set(registry.allOrigins)
        }
    }

    /// The sites file (`SLUICE_SITES`), nil when running open.
    let path: String?
    private let current: Mutex<Snapshot?>

    /// The sites loaded from `path` at start (both nil: open).
    init(registry: SiteRegistry?, path: String?) {
        self.path = path
        current = Mutex(registry.map(Snapshot.init))
    }

    /// The sites in force now; nil when running open.
    var snapshot: Snapshot? { current.withLock { $0 } }

    /// Reads and checks the sites file again and puts it in force; on any problem
    /// the sites in force stay as they were and the error says what is wrong. The
    /// file is read on NIO's blocking-I/O pool, never on a cooperative thread.
    func reload() async throws(ConfigurationError) -> SiteRegistry {
        guard let path else {
            throw ConfigurationError(
                variable: Setting.sites.variable, value: "(unset)",
                expected: "a sites file to reload; ingest runs open, restart it with \(Setting.sites.variable) set")
        }
        let contents: Data?
        do {
            contents = try await NIOThreadPool.singleton.runIfActive { FileManager.default.contents(atPath: path) }
        } catch {
            throw ConfigurationError(variable: Setting.sites.variable, value: path, expected: "a sites file read while ingest runs (\(error))")
        }
        guard let contents else {
            throw ConfigurationError(variable: Setting.sites.variable, value: path, expected: "a readable sites file")
        }
        let registry = try SiteRegistry(json: Array(contents), source: path)
        current.withLock { $0 = Snapshot(registry) }
        return registry
    }
}
