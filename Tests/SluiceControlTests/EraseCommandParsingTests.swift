import ArgumentParser
import SluiceCore
import Testing

@testable import SluiceControl

@Suite("erase: arguments and output")
struct EraseCommandParsingTests {
    private func exitCode(_ arguments: [String]) -> ExitCode? { parsingExitCode(arguments) }

    private func parse(_ arguments: [String]) throws -> EraseCommand {
        try #require(try SluiceControlCommand.parseAsRoot(["erase"] + arguments) as? EraseCommand)
    }

    @Test func visitorsAndUsersTakeSeveralIdsEachOnce() throws {
        let erase = try parse(["--visitor", "v-1", "v-2", "--visitor", "v-1", "--dry-run"])
        #expect(erase.visitors == ["v-1", "v-2", "v-1"] && erase.ids == ["v-1", "v-2"] && erase.dryRun && !erase.yes)
        let byUser = try parse(["--user", "u-1", "--yes", "--mongo-url", "mongodb://db:27017/x"])
        #expect(byUser.users == ["u-1"] && byUser.ids == ["u-1"] && byUser.yes && byUser.mongo.mongoURL == "mongodb://db:27017/x")
    }

    @Test(arguments: [[], ["--visitor", "v", "--user", "u"], ["--visitor", ""], ["--user"], ["--visitor", "v", "--reason", "x"]])
    func rejects(_ arguments: [String]) {
        #expect(exitCode(["erase"] + arguments) == .validationFailure)
    }

    @Test func helpHasAnAbstractAndADiscussion() {
        let help = SluiceControlCommand.helpMessage(for: EraseCommand.self, columns: 100).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.hasPrefix("OVERVIEW: " + EraseCommand.configuration.abstract))
        #expect(help.contains("Running the same erase again deletes nothing more and reports zeros."))
        #expect(help.contains("--mongo-url") && help.contains("--redis-url") && help.contains("--dry-run"))
    }

    @Test func withoutYesAndWithoutATerminalItRefusesBeforeConnecting() throws {
        // Nothing listens on either URL: the refusal must come first.
        var command = try SluiceControlCommand.parseAsRoot([
            "erase", "--visitor", "v", "--redis-url", "redis://127.0.0.1:1", "--mongo-url", "mongodb://127.0.0.1:1/x",
        ])
        let error = try #require(throws: ControlError.self) { try command.run() }
        #expect(error.description == "refusing to erase personal data without confirmation: stdin is not a terminal; pass --yes")
    }

    @Test func anUnparsableMongoURLIsAUsageErrorBeforeAnythingConnects() throws {
        var command = try SluiceControlCommand.parseAsRoot(["erase", "--visitor", "v", "--yes", "--redis-url", "redis://127.0.0.1:1", "--mongo-url", "notaurl"])
        let error = try #require(throws: ValidationError.self) { try command.run() }
        #expect(error.message.hasPrefix("invalid MongoDB URL notaurl: "))
        #expect(SluiceControlCommand.exitCode(for: error) == .validationFailure)
    }

    @Test func mongoURLFromFlagEnvironmentOrDefaultWithAShortTimeout() throws {
        let none = try parse(["--visitor", "v"]).mongo
        #expect(none.resolvedURL(environment: [:]) == "mongodb://127.0.0.1:27017/sluice?serverSelectionTimeoutMS=5000")
        #expect(none.resolvedURL(environment: ["SLUICE_MONGO_URL": "mongodb://env/db"]) == "mongodb://env/db?serverSelectionTimeoutMS=5000")
        let flag = try parse(["--visitor", "v", "--mongo-url", "mongodb://flag:1/db?replicaSet=rs"]).mongo
        #expect(flag.resolvedURL(environment: ["SLUICE_MONGO_URL": "mongodb://env/db"]) == "mongodb://flag:1/db?replicaSet=rs&serverSelectionTimeoutMS=5000")
        #expect(MongoOptions.withServerSelectionTimeout("mongodb://h:1") == "mongodb://h:1/?serverSelectionTimeoutMS=5000")
        #expect(MongoOptions.withServerSelectionTimeout("mongodb://h/db?serverSelectionTimeoutMS=100") == "mongodb://h/db?serverSelectionTimeoutMS=100")
        #expect(MongoOptions.withServerSelectionTimeout("mongodb+srv://c.example.com/") == "mongodb+srv://c.example.com/?serverSelectionTimeoutMS=5000")
        #expect(MongoOptions.withServerSelectionTimeout("not a url") == "not a url")
    }

    @Test func theCollectionsAreEveryEventKindsPlusSessionsAndVisitors() {
        #expect(Set(Erasure.eventCollections) == Set(EventKind.allCases.map(\.collection)))
        #expect(Erasure.collections.count == 8 && Erasure.collections.suffix(2) == [StoreCollection.sessions, StoreCollection.visitors])
    }

    @Test func filtersSelectByVisitorAndForAUserAlsoByUserId() {
        let visitor = ErasureSubject.visitor(#"v-"1""#)
        #expect(visitor.filter(for: EventKind.pageview.collection) == #"{"visitorId":{"$in":["v-\"1\""]}}"#)
        #expect(visitor.filter(for: StoreCollection.visitors) == #"{"_id":{"$in":["v-\"1\""]}}"#)
        let user = ErasureSubject.user("u-1", visitorIds: ["v-1", "v-2"])
        #expect(user.filter(for: StoreCollection.sessions) == #"{"$or":[{"visitorId":{"$in":["v-1","v-2"]}},{"userId":"u-1"}]}"#)
        #expect(user.filter(for: StoreCollection.visitors) == #"{"$or":[{"_id":{"$in":["v-1","v-2"]}},{"userIds":"u-1"}]}"#)
        #expect(ErasureSubject.user("u-2", visitorIds: []).filter(for: EventKind.api.collection) == #"{"userId":"u-2"}"#)
    }

    @Test func subjectsOwnEventsByVisitorOrUser() throws {
        let events = try [
            #"{"visitorId":"v-1"}"#, #"{"visitorId":"v-9","userId":"u-1"}"#, #"{"visitorId":"v-9","userId":"u-2"}"#, #"{"visitorId":"v-1","userId":"v-9"}"#,
        ].map { try #require(try JSONParser.parse($0).objectValue) }
        let user = ErasureSubject.user("u-1", visitorIds: ["v-1"])
        #expect(events.map(user.owns) == [true, true, false, true])
        #expect(events.map(ErasureSubject.visitor("v-9").owns) == [false, true, true, false], "a visitor is never matched by userId")
    }

    @Test func oneLinePerSubject() {
        var counts = ErasureCounts(documents: [EventKind.pageview.collection: 12, StoreCollection.sessions: 2, StoreCollection.visitors: 1], redisKeys: 1)
        // The line as the operator reads it, collection names spelled out on purpose.
        #expect(
            counts.line(for: .visitor("v-1"), dryRun: false)
                == "erased visitor v-1: pageviews 12, chatinteractions 0, toolusages 0, labexperiments 0, userevents 0, apiusages 0, sessions 2, visitors 1, redis keys 1, dead letters 0"
        )
        counts.deadLetters = 3
        #expect(counts.total == 19)
        #expect(counts.line(for: .user("u-1", visitorIds: ["v-1", "v-2"]), dryRun: true).hasPrefix("would erase user u-1 (visitors v-1, v-2): pageviews 12,"))
        #expect(ErasureSubject.user("u", visitorIds: []).label == "user u (no linked visitors)")
        #expect(ErasureSubject.user("u", visitorIds: ["v"]).label == "user u (visitor v)")
    }

    @Test func waitingWarningSaysWhatToDo() {
        let one = EraseCommand.warning(.init(stream: StreamLayout.streamKey(partition: 2), count: 1), subject: .visitor("v-1"))
        #expect(
            one
                == "warning: 1 event of visitor v-1 still waiting in \(StreamLayout.streamKey(partition: 2)) will be stored when a worker reaches them: run this erase again once `sluicectl streams` shows no lag"
        )
        let cut = EraseCommand.warning(.init(stream: StreamLayout.streamKey(partition: 0), count: 0, truncated: true), subject: .visitor("v-1"))
        #expect(
            cut.hasPrefix(
                "warning: the backlog of \(StreamLayout.streamKey(partition: 0)) is too long to check in full: visitor v-1 may have more events waiting there than the 0 found; they will be stored"
            ))
    }
}
