import ArgumentParser
import Foundation
import SluiceCore
import SluiceRollups

/// The funnels `sluicectl rollups` recounts: `--funnels`, else `SLUICE_FUNNELS` (the
/// worker's setting, which they must match for `verify` to agree with the worker).
struct FunnelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            Setting.funnels.described(
                "Conversion funnels to recount, as the worker has them (\"checkout: /pricing > auth/signup > payment/succeeded\")"
            ).helpText, valueName: "funnels"))
    var funnels: String?

    /// The funnels' matcher, or a validation error naming the funnel and step at fault.
    func matcher(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FunnelMatcher {
        let settings = Settings(environment: environment, flags: [Setting.funnels: funnels])
        do {
            return FunnelMatcher(try FunnelSettings(settings: settings))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
