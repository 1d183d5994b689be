import ArgumentParser
import Foundation
import SluiceCore
import SluiceMongo

/// Where the pipeline's MongoDB is, for the commands that read or change documents.
struct MongoOptions: ParsableArguments {
    /// How long a command waits for a server before it gives up (unless the URL says otherwise):
    /// libmongoc's default of 30 s is long for a person at a terminal.
    static let serverSelectionTimeoutMS = 5000

    @Option(help: ArgumentHelp(Setting.mongoURL.helpText, valueName: "url"))
    var mongoURL: String?

    /// The URL after flag and environment are merged, with a short server selection timeout
    /// unless it sets one.
    func resolvedURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let settings = Settings(environment: environment, flags: [Setting.mongoURL: mongoURL])
        return Self.withServerSelectionTimeout(settings.mongoURL)
    }

    /// `url` with `serverSelectionTimeoutMS` added when it has none.
    static func withServerSelectionTimeout(_ url: String) -> String {
        // Anything else is left as it is, for libmongoc to reject with the URL as given.
        guard url.hasPrefix("mongodb://") || url.hasPrefix("mongodb+srv://") else { return url }
        if url.lowercased().contains("serverselectiontimeoutms=") { return url }
        let option = "serverSelectionTimeoutMS=\(serverSelectionTimeoutMS)"
        if url.contains("?") { return url + (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") + option }
        let authority = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        // libmongoc wants the path's slash before the options, even with no database.
        return url + (authority.contains("/") ? "?" : "/?") + option
    }

    /// A store for the URL (it connects lazily), or a usage error for a URL libmongoc cannot parse.
    func store() throws -> MongoStore {
        do {
            return try MongoStore(url: resolvedURL(), appName: "sluicectl")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Checks that the store's server answers, or fails with one clear line saying why not.
    static func ping(_ store: MongoStore) throws {
        do {
            try store.ping()
        } catch {
            throw ControlError("\(error)")
        }
    }
}
