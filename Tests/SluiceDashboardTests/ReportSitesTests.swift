import Foundation
import Hummingbird
import HummingbirdTesting
import SluiceCore
import Testing

@testable import SluiceDashboard

/// The report pages with a sites file: the site selector, and each site's time zone
/// (the file's `timeZone`) unless `tz` names another.
@Suite struct ReportSitesTests {
    static let sitesFile = #"""
        {"sites": [
          {"id": "shop", "writeKeys": ["wk_shop_0123456789"], "timeZone": "America/New_York"},
          {"id": "blog", "writeKeys": ["wk_blog_0123456789"]}
        ]}
        """#

    @Test func theSitesZoneUnlessTzNamesAnotherAndAnUnknownSiteIsA400() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sites-\(UUID().uuidString).json").path
        try Self.sitesFile.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await DashboardTestBed.run(settings: ["SLUICE_SITES": path]) { bed in
            let zone = { (query: String) async throws -> JSONValue? in
                try await bed.json("/api/dashboard/overview?\(query)").body["range"]?.objectValue?["timeZone"]
            }
            #expect(try await zone("") == .string("America/New_York"), "the first site, in its zone")
            #expect(try await bed.json("/api/dashboard/overview").body["site"] == .string("shop"))
            #expect(try await zone("site=blog") == .string("UTC"), "a site without a zone: UTC")
            #expect(try await zone("site=shop&tz=Europe/Paris") == .string("Europe/Paris"), "tz wins over the site's zone")

            let (status, json) = try await bed.json("/api/dashboard/chats?site=elsewhere")
            #expect(status == .badRequest)
            #expect(json["details"]?.items?.first?.objectValue?["field"] == .string("site"))
            let page = String(buffer: try await bed.send(.get, "/?site=blog", bearer: DashboardTestBed.token).body)
            #expect(page.contains(#"<select name="site"><option value="shop">shop</option><option value="blog" selected>blog</option></select>"#))
        }
    }

    @Test func aSiteZoneThatIsNotAnIANANameStopsTheStart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sites-\(UUID().uuidString).json").path
        try #"{"sites": [{"id": "shop", "writeKeys": ["wk_shop_0123456789"], "timeZone": "Mars/Olympus"}]}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try DashboardConfiguration(settings: Settings(environment: ["SLUICE_SITES": path]))
        #expect(throws: ConfigurationError.self) { try DashboardSites(configuration: configuration) }
    }
}
