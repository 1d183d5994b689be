import Logging
import ServiceLifecycle
import SluiceCore
import UnixSignals

/// Reads the sites file again on `SIGHUP` (write-key rotation, new origins) without a
/// restart. A file that does not parse is refused with an error in the log and the
/// sites in force stay; requests in flight finish under the sites they started with.
struct SitesReloadService: Service {
    let directory: SiteDirectory
    let logger: Logger

    func run() async throws {
        // Trapping SIGHUP also keeps its default action (ending the process) away.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            do throws(ConfigurationError) {
                let registry = try await directory.reload()
                logger.info(
                    "sites file reloaded (SIGHUP)",
                    metadata: ["sluice.sites": "\(registry.sites.count)", "sluice.sites.path": "\(directory.path ?? "")"])
            } catch {
                logger.error("sites file not reloaded (SIGHUP), the previous sites stay in force: \(error)")
            }
        }
    }
}
