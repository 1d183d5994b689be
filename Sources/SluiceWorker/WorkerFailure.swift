import Foundation
import NIOCore

/// Why a worker process ended with an error, worded for the operator who has to act on it.
public struct WorkerFailure: Error, CustomStringConvertible {
    public let description: String

    /// Explains `error`, thrown by the worker's service group: a metrics address that cannot be
    /// bound is named with its setting, anything else (a store that refuses, a bad URL) is
    /// passed on as the group reported it, without the metrics address it has nothing to do with.
    public init(_ error: any Error, configuration: WorkerConfiguration) {
        let address = "\(configuration.metricsHost):\(configuration.metricsPort)"
        switch (error as? IOError)?.errnoCode {
        case EADDRINUSE:
            description =
                "cannot serve /metrics, /healthz and /readyz on \(address): the port \(configuration.metricsPort) is already in use; stop what holds it, or set SLUICE_WORKER_PORT (--metrics-port) to a free port (0 picks one)"
        case EACCES:
            description =
                "cannot serve /metrics, /healthz and /readyz on \(address): permission denied for port \(configuration.metricsPort); use a port above 1023 in SLUICE_WORKER_PORT (--metrics-port)"
        case EADDRNOTAVAIL:
            description =
                "cannot serve /metrics, /healthz and /readyz on \(address): \(configuration.metricsHost) is not an address of this machine; set SLUICE_WORKER_HOST (--metrics-host) to one of its addresses, or 0.0.0.0 for all"
        default:
            description = "stopped by an error: \(error)"
        }
    }
}
