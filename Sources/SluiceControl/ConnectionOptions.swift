import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// Where the pipeline's Redis is; shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
    // Help as the servers' --help words it, from the one declaration of each setting.
    @Option(help: ArgumentHelp(Setting.redisURL.helpText, valueName: "url"))
    var redisURL: String?

    @Option(help: ArgumentHelp(Setting.partitions.helpText, valueName: "count"))
    var partitions: Int?

    /// The settings after flags and environment are merged.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (endpoint: RedisEndpoint, partitions: Int) {
        let settings = Settings(environment: environment, flags: [Setting.redisURL: redisURL, Setting.partitions: partitions])
        do {
            let endpoint = try RedisEndpoint(url: settings.redisURL)
            let partitions = try settings.partitions()
            StreamLayout.usePartitionTags(endpoint.partitionTags(partitions: partitions))
            return (endpoint, partitions)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A connection, or a clean exit with the reason if Redis cannot be reached.
    func connect() throws -> (connection: RedisConnection, partitions: Int) {
        let (endpoint, partitions) = try resolved()
        do {
            return (try RedisConnection(endpoint: endpoint, connectTimeout: 3, readTimeout: 10), partitions)
        } catch {
            throw ControlError("\(error)")
        }
    }
}

/// A failure reported to the operator as one line on stderr and exit status 1.
struct ControlError: Error, CustomStringConvertible {
    let description: String
    /// An error saying `description`, its control characters escaped: it may quote stored data.
    init(_ description: String) { self.description = Terminal.escaped(description) }
}
