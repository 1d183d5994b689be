import ArgumentParser

/// `--reason`: only dead letters whose reason contains a text (`dead list`, `replay`, `purge`).
struct ReasonFilter: ParsableArguments {
    @Option(name: .customLong("reason"), help: ArgumentHelp("Only dead letters whose reason contains this text (case-insensitive).", valueName: "text"))
    var text: String?

    func validate() throws {
        if text?.isEmpty == true { throw ValidationError("--reason must not be empty.") }
    }
}
