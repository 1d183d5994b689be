import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SluiceCore

/// Decides which site a request speaks for, from its write key and origin.
///
/// The key is read from `X-Sluice-Key`, else the user of HTTP Basic
/// authentication, else a `writeKey` field in the body (for
/// `navigator.sendBeacon`, which cannot set headers). Without a sites file
/// every request is accepted and no site is stamped.
///
/// A server key is refused from anything that looks like a browser (an `Origin`
/// or `Sec-Fetch-Site` header): it would otherwise be readable in a page.
struct SiteAccess: Sendable {
    /// Who a request speaks for.
    struct Sender: Sendable, Equatable {
        /// The site id to stamp, nil in open mode.
        var siteId: String?
        /// The request carried one of the site's server keys.
        var isServer = false
    }

    /// The sites in force (reloaded on SIGHUP).
    let directory: SiteDirectory

    /// The sender to stamp; throws the 401/403 to answer.
    func authorize(_ request: Request, body: JSONValue, logger: Logger) throws -> Sender {
        guard let registry = directory.snapshot?.registry else { return Sender() }
        let key = request.headers[.sluiceKey] ?? basicUser(request) ?? body.objectValue?["writeKey"]?.stringValue
        guard let key, !key.isEmpty else {
            throw IngestError(
                status: .unauthorized, code: "unauthorized",
                details: [
                    ValidationProblem(
                        field: "writeKey", problem: "missing: send the site's write key in X-Sluice-Key, as the Basic user, or as writeKey in the body")
                ])
        }
        guard let match = registry.match(forKey: key) else {
            throw IngestError(status: .unauthorized, code: "unauthorized", details: [ValidationProblem(field: "writeKey", problem: "unknown write key")])
        }
        let site = match.site
        if match.isServerKey {
            let browserHeader = request.headers[.origin] != nil ? "origin" : request.headers[.secFetchSite] != nil ? "sec-fetch-site" : nil
            if let browserHeader {
                logger.warning(
                    "server key refused: sent by a browser (rotate it if it is in a page)",
                    metadata: ["sluice.site": "\(site.id)", "sluice.header": "\(browserHeader)", "sluice.origin": "\(request.headers[.origin] ?? "-")"])
                throw IngestError(
                    status: .forbidden, code: "server_key_from_browser",
                    details: [
                        ValidationProblem(
                            field: browserHeader, problem: "a server key of site \(site.id) is never accepted from a browser; pages send a write key")
                    ])
            }
            return Sender(siteId: site.id, isServer: true)
        }
        if let origin = request.headers[.origin], !site.origins.isEmpty, !site.origins.contains(SiteRegistry.normalisedOrigin(origin)) {
            throw IngestError(
                status: .forbidden, code: "forbidden_origin",
                details: [ValidationProblem(field: "origin", problem: "\(origin) is not an allowed origin of site \(site.id)")])
        }
        return Sender(siteId: site.id)
    }

    private func basicUser(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8)
        else { return nil }
        let user = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return user?.isEmpty == false ? user : nil
    }
}
