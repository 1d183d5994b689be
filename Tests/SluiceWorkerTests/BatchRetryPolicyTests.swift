import SluiceCore
import SluiceMongo
import SluiceRedis
import Testing

@testable import SluiceWorker

/// `BatchRetryPolicy`: an outage never releases a batch; a batch MongoDB keeps refusing is released.
@Suite struct BatchRetryPolicyTests {
    static let unreachable = MongoError.unavailable(operation: "bulkWrite", collection: EventKind.pageview.collection, message: "No suitable servers found")
    static let unknown = MongoError.outcomeUnknown(operation: "bulkWrite", collection: EventKind.pageview.collection, message: "socket timeout")
    static let refused = MongoError.commandFailed(operation: "bulkWrite", collection: EventKind.pageview.collection, code: 13, message: "not authorized")

    @Test func anOutageIsRetriedForEverAndCountsAgainstNothing() {
        var policy = BatchRetryPolicy()
        for _ in 0..<1000 {
            #expect(policy.decide(after: BatchFailure(Self.unreachable)) == .retry)
            #expect(policy.decide(after: BatchFailure(Self.unknown)) == .retry)
            #expect(policy.decide(after: .redis(.connectFailed(endpoint: "127.0.0.1:6379", message: "Connection refused"))) == .retry)
            #expect(policy.decide(after: .raced(collection: EventKind.pageview.collection, message: "E11000")) == .retry)
        }
        #expect(policy.refusals == 0)
    }

    @Test func aBatchRefusedThreeTimesIsReleased() {
        var policy = BatchRetryPolicy()
        #expect(policy.decide(after: BatchFailure(Self.refused)) == .retry)
        // An outage between refusals neither releases nor resets the count.
        #expect(policy.decide(after: BatchFailure(Self.unreachable)) == .retry)
        #expect(policy.decide(after: BatchFailure(Self.refused)) == .retry)
        #expect(policy.decide(after: BatchFailure(Self.refused)) == .release)
        #expect(policy.refusals == BatchRetryPolicy.maxRefusals)
    }

    @Test func errorsKeepTheirKindUpToTheDecision() {
        guard case .storeUnreachable = BatchFailure(classifying: Self.unreachable) else {
            Issue.record("unavailable is an outage")
            return
        }
        guard case .storeRejected = BatchFailure(classifying: Self.refused) else {
            Issue.record("a command error is a refusal")
            return
        }
        guard case .redis = BatchFailure(classifying: RedisError.connectFailed(endpoint: "x", message: "y")) else {
            Issue.record("a Redis error stays one")
            return
        }
        guard case .raced = BatchFailure(classifying: BatchFailure.raced(collection: "c", message: "m")) else {
            Issue.record("kept as thrown")
            return
        }
        #expect("\(BatchFailure(Self.refused))".contains("not authorized"))
    }
}
