import Foundation
import NIOCore

/// Why a worker process ended with an error, worded for the operator who has to act on it.
public struct WorkerFailure: Error, CustomStringConvertible {
    public let description: String

    /// Explains `error`, thrown by the worker's service group: a metrics port that cannot be
    /// bound is named with its setting, anything else is passed on as the group reported it.
    public init(_ error: any Error, configuration: WorkerConfiguration) {
        let address = "\(configuration.metricsHost):\(configuration.metricsPort)"
        switch (error as? IOError)?.errnoCode {
        case EADDRINUSE:
            description =
                "cannot serve /metrics, /healthz and /readyz on \(address): the port \(configuration.metricsPort) is already in use; stop what holds it, or set SLUICE_WORKER_PORT (--metrics-port) to a free port (0 picks one)"
        case EACCES:
            description =
                "cannot serve /metrics, /healthz and /readyz on \(address): permission denied for port \(configuration.metricsPort); use a port above 1023 in SLUICE_WORKER_PORT (--metrics-port)"
        default:
            description = "stopped by an error (metrics on \(address)): \(error)"
        }
    }
}
