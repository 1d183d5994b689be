import ArgumentParser

@testable import SluiceControl

/// The exit code `sluicectl` would end with for these arguments; nil when they parse.
func parsingExitCode(_ arguments: [String]) -> ExitCode? {
    do {
        _ = try SluiceControlCommand.parseAsRoot(arguments)
        return nil
    } catch {
        return SluiceControlCommand.exitCode(for: error)
    }
}
