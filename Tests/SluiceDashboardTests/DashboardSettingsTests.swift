import SluiceCore
import SluiceDashboard
import SluiceTestSupport
import Testing

/// `DashboardSettings` is the one declaration of every setting sluice-dashboard reads: README's
/// table and the start-up summary agree with it.
@Suite struct DashboardSettingsTests {
    @Test func readmesTableListsExactlyTheDeclaredSettingsWithTheirFlagsAndDefaults() throws {
        let declared = DashboardSettings.all.map { (variable: $0.variable, flag: $0.flag, defaultValue: $0.defaultValue) }
        #expect(try ReadmeSettingsTable.problems(process: "dashboard", declared: declared) == [])
    }

    @Test func eachSettingHasItsOwnVariableAndFlagAndTheSummaryNamesOnlyDeclaredOnes() throws {
        let variables = DashboardSettings.all.map(\.variable)
        #expect(Set(variables).count == variables.count)
        #expect(Set(DashboardSettings.all.map(\.flag)).count == variables.count)
        let summary = try DashboardConfiguration(settings: Settings(environment: [:])).summary.map(\.0)
        #expect(summary.filter { !variables.contains($0) } == [])
        #expect(Set(variables).subtracting(summary).sorted() == [], "declared but not on the start-up summary")
    }
}
