import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore

/// Decides which site a request speaks for, from its write key and origin.
///
/// The key is read from `X-Sluice-Key`, else the user of HTTP Basic
/// authentication, else a `writeKey` field in the body (for
/// `navigator.sendBeacon`, which cannot set headers). Without a sites file
/// every request is accepted and no site is stamped.
struct SiteAccess: Sendable {
    /// The sites in force (reloaded on SIGHUP).
    let directory: SiteDirectory

    /// The site id to stamp, nil in open mode; throws the 401/403 to answer.
    func authorize(_ request: Request, body: JSONValue) throws -> String? {
        guard let registry = directory.snapshot?.registry else { return nil }
        let key = request.headers[.sluiceKey] ?? basicUser(request) ?? body.objectValue?["writeKey"]?.stringValue
        guard let key, !key.isEmpty else {
            throw IngestError(
                status: .unauthorized, code: "unauthorized",
                details: [ValidationProblem(field: "writeKey", problem: "missing: send the site's write key in X-Sluice-Key, as the Basic user, or as writeKey in the body")])
        }
        guard let site = registry.site(forKey: key) else {
            throw IngestError(status: .unauthorized, code: "unauthorized", details: [ValidationProblem(field: "writeKey", problem: "unknown write key")])
        }
        if let origin = request.headers[.origin], !site.origins.isEmpty, !site.origins.contains(SiteRegistry.normalisedOrigin(origin)) {
            throw IngestError(
                status: .forbidden, code: "forbidden_origin",
                details: [ValidationProblem(field: "origin", problem: "\(origin) is not an allowed origin of site \(site.id)")])
        }
        return site.id
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
