import Foundation
import NIOCore
import SluiceCore
import SluiceWorker
import Testing

/// What the worker says when it stops: the metrics address only when binding it failed.
@Suite struct WorkerFailureTests {
    /// An error the store or a URL parser might throw.
    struct StoreRefused: Error, CustomStringConvertible {
        var description: String { "the MongoDB URL has no host" }
    }

    let configuration = try! WorkerConfiguration(settings: Settings(environment: ["SLUICE_WORKER_HOST": "10.9.8.7", "SLUICE_WORKER_PORT": "3116"]))

    @Test func anErrorOutsideTheMetricsServerDoesNotNameItsAddress() {
        let text = WorkerFailure(StoreRefused(), configuration: configuration).description
        #expect(text == "stopped by an error: the MongoDB URL has no host")
        #expect(!text.contains("3116"))
    }

    @Test func bindErrorsNameTheAddressAndTheSetting() {
        let taken = WorkerFailure(IOError(errnoCode: EADDRINUSE, reason: "bind"), configuration: configuration).description
        #expect(taken.contains("10.9.8.7:3116") && taken.contains("SLUICE_WORKER_PORT"))
        let foreign = WorkerFailure(IOError(errnoCode: EADDRNOTAVAIL, reason: "bind"), configuration: configuration).description
        #expect(foreign.contains("10.9.8.7:3116") && foreign.contains("SLUICE_WORKER_HOST"))
    }
}
