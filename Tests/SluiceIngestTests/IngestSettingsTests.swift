import SluiceCore
import SluiceIngest
import SluiceTestSupport
import Testing

/// `IngestSettings` is the one declaration of every setting sluice-ingest reads: README's
/// table and the start-up summary agree with it.
@Suite struct IngestSettingsTests {
    @Test func readmesTableListsExactlyTheDeclaredSettingsWithTheirFlagsAndDefaults() throws {
        let declared = IngestSettings.all.map { (variable: $0.variable, flag: $0.flag, defaultValue: $0.defaultValue) }
        #expect(try ReadmeSettingsTable.problems(process: "ingest", declared: declared) == [])
    }

    @Test func eachSettingHasItsOwnVariableAndFlagAndTheSummaryNamesOnlyDeclaredOnes() throws {
        let variables = IngestSettings.all.map(\.variable)
        #expect(Set(variables).count == variables.count)
        #expect(Set(IngestSettings.all.map(\.flag)).count == variables.count)
        let summary = try IngestConfiguration(settings: Settings(environment: [:])).summary.map(\.0)
        #expect(summary.filter { !variables.contains($0) } == [])
        #expect(Set(variables).subtracting(summary).sorted() == [], "declared but not on the start-up summary")
    }
}
