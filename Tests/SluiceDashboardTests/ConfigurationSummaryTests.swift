import SluiceCore
import Testing

@testable import SluiceDashboard

/// The configuration printed at start-up names every setting the dashboard reads.
@Suite struct ConfigurationSummaryTests {
    @Test func theSummaryNamesEverySettingTheLogLevelToo() throws {
        let quiet = try DashboardConfiguration(settings: Settings(environment: ["SLUICE_LOG_LEVEL": "Warning"]))
        #expect(quiet.summary.first { $0.0 == "SLUICE_LOG_LEVEL" }?.1 == "warning")
        let plain = try DashboardConfiguration(settings: Settings(environment: [:]))
        #expect(
            plain.summary.map(\.0) == [
                "SLUICE_REDIS_URL", "SLUICE_MONGO_URL", "SLUICE_DASHBOARD_HOST", "SLUICE_DASHBOARD_PORT", "SLUICE_PARTITIONS", "SLUICE_COOKIE_NAME",
                "SLUICE_SITES",
                "SLUICE_ADMIN_TOKEN", "SLUICE_LOG_LEVEL", "SLUICE_FUNNELS", "SLUICE_DASHBOARD_CACHE_SECONDS", "SLUICE_ROLLUP_WINDOW",
            ])
        #expect(plain.summary.first { $0.0 == "SLUICE_LOG_LEVEL" }?.1 == "info")
    }
}
