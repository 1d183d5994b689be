import ArgumentParser
import Testing

@testable import SluiceControl

@Suite("dead: arguments")
struct DeadCommandParsingTests {
    private func exitCode(_ arguments: [String]) -> ExitCode? { parsingExitCode(arguments) }

    @Test func listDefaultsAndFlags() throws {
        let list = try #require(try SluiceControlCommand.parseAsRoot(["dead", "list"]) as? DeadListCommand)
        #expect(list.limit == 20 && list.reason == nil && !list.json)
        let filtered = try #require(
            try SluiceControlCommand.parseAsRoot(["dead", "list", "--limit", "5", "--reason", "E11000", "--json"]) as? DeadListCommand)
        #expect(filtered.limit == 5 && filtered.reason == "E11000" && filtered.json)
    }

    @Test(arguments: [["--limit", "0"], ["--limit", "-3"], ["--reason", ""]])
    func listRejects(_ arguments: [String]) {
        #expect(exitCode(["dead", "list"] + arguments) == .validationFailure)
    }

    @Test func showTakesOneId() throws {
        let show = try #require(try SluiceControlCommand.parseAsRoot(["dead", "show", "1712345678901-0", "--json"]) as? DeadShowCommand)
        #expect(show.id == "1712345678901-0" && show.json)
        #expect(exitCode(["dead", "show"]) == .validationFailure)
    }

    @Test(arguments: ["abc", "1712345678901", "1-2-3", "1-", "99999999999999999999-0", "1 -0"])
    func showRejectsAMalformedIdWithStatusOne(_ id: String) {
        #expect(exitCode(["dead", "show", id]) == .failure)
    }

    @Test func replayAndPurgeSelections() throws {
        let replay = try #require(
            try SluiceControlCommand.parseAsRoot(["dead", "replay", "--all", "--reason", "timeout", "--dry-run"]) as? DeadReplayCommand)
        #expect(replay.selection.scope == .all && replay.selection.reason == "timeout" && replay.dryRun && !replay.yes)
        let purge = try #require(try SluiceControlCommand.parseAsRoot(["dead", "purge", "5-0", "1-1", "5-0", "--yes"]) as? DeadPurgeCommand)
        #expect(purge.selection.scope == .ids(["5-0", "1-1"]) && purge.yes)
    }

    @Test(arguments: ["replay", "purge"])
    func selectionRejectsBadCombinations(_ command: String) {
        #expect(exitCode(["dead", command]) == .validationFailure)  // neither --all nor ids
        #expect(exitCode(["dead", command, "--all", "1-0"]) == .validationFailure)  // both
        #expect(exitCode(["dead", command, "1-0", "nope"]) == .validationFailure)  // bad id
        #expect(exitCode(["dead", command, "--all", "--reason", ""]) == .validationFailure)
    }

    @Test func purgeHasNoDryRun() {
        #expect(exitCode(["dead", "purge", "--all", "--dry-run"]) == .validationFailure)
    }

    @Test(arguments: [DeadListCommand.self, DeadShowCommand.self, DeadReplayCommand.self, DeadPurgeCommand.self] as [any ParsableCommand.Type])
    func helpHasAnAbstractAndADiscussion(_ command: any ParsableCommand.Type) {
        let text = SluiceControlCommand.helpMessage(for: command, columns: 100)
        #expect(text.hasPrefix("OVERVIEW: " + command.configuration.abstract))
        #expect(!command.configuration.abstract.isEmpty && !command.configuration.discussion.isEmpty)
        #expect(text.contains(String(command.configuration.discussion.prefix(30))))
    }

    @Test func replayHelpSaysWhyAReplayedDuplicateIsHarmless() {
        let help = SluiceControlCommand.helpMessage(for: DeadReplayCommand.self, columns: 100).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("the event id is the document's _id, so the copy is a duplicate-key no-op"))
    }
}
