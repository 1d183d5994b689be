import ArgumentParser

/// `--all | ID...` and `--reason`: which dead letters `replay` and `purge` act on.
struct DeadLetterSelection: ParsableArguments {
    @Flag(help: "Every dead letter (narrowed by --reason, if given).")
    var all = false

    @Argument(help: ArgumentHelp("Dead-letter ids as `dead list` shows them (<ms>-<seq>).", valueName: "id"))
    var ids: [String] = []

    @OptionGroup var reasonFilter: ReasonFilter

    /// The text a letter's reason must contain, if any.
    var reason: String? { reasonFilter.text }

    func validate() throws {
        if all && !ids.isEmpty { throw ValidationError("Give either --all or dead-letter ids, not both.") }
        if !all && ids.isEmpty { throw ValidationError("Give the dead-letter ids to act on, or --all.") }
        if let bad = ids.first(where: { !DeadLetter.isValidID($0) }) {
            throw ValidationError("'\(bad)' is not a dead-letter id: expected <ms>-<seq>, e.g. 1712345678901-0.")
        }
    }

    /// The letters named, each once.
    var scope: DeadLetterScope {
        guard !all else { return .all }
        var seen = Set<String>()
        return .ids(ids.filter { seen.insert($0).inserted })
    }
}
