import Foundation
import SluiceCore
import SluiceReports

/// The sites the reports' site selector offers and each site's time zone: the ids of
/// `SLUICE_SITES`, in file order, and the optional `"timeZone"` (an IANA name) of each
/// site entry. Without a sites file there is one unnamed site (`""`, as the roll-ups
/// key events without a site).
struct DashboardSites: Sendable {
    /// The site ids; empty without a sites file.
    let ids: [String]
    /// Each site's zone, for sites that name one.
    let zones: [String: TimeZone]

    /// The sites of `configuration`; a `timeZone` that is not an IANA name stops the start.
    init(configuration: DashboardConfiguration) throws(ConfigurationError) {
        ids = configuration.sites?.sites.map(\.id) ?? []
        guard let path = configuration.sitesPath, let contents = FileManager.default.contents(atPath: path),
            case .array(let entries)? = (try? JSONParser.parse(Array(contents)))?.objectValue?["sites"]
        else {
            zones = [:]
            return
        }
        var zones: [String: TimeZone] = [:]
        for entry in entries {
            guard let object = entry.objectValue, let id = object["id"]?.stringValue, let name = object["timeZone"]?.stringValue else { continue }
            guard let zone = TimeZone(identifier: name) else {
                throw ConfigurationError(
                    variable: Setting.sites.variable, value: path, expected: "site \(id): \"timeZone\" as an IANA name such as Europe/Paris, not \"\(name)\"")
            }
            zones[id] = zone
        }
        self.zones = zones
    }

    /// The site a report asks for: `requested` when given, else the first site (`""`
    /// without a sites file). Throws a 400 naming `site` for a site the file does not list.
    func site(_ requested: String?) throws(DashboardError) -> String {
        guard let requested, !requested.isEmpty else { return ids.first ?? "" }
        guard ids.isEmpty || ids.contains(requested) else {
            throw .invalidQuery("site", "unknown site \"\(requested.prefix(100))\": use one of \(ids.joined(separator: ", "))")
        }
        return requested
    }
}
