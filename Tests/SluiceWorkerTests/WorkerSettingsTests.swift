import SluiceCore
import SluiceTestSupport
import SluiceWorker
import Testing

/// `WorkerSettings` is the one declaration of every setting sluice-worker reads: README's
/// table and the start-up summary agree with it.
@Suite struct WorkerSettingsTests {
    @Test func readmesTableListsExactlyTheDeclaredSettingsWithTheirFlagsAndDefaults() throws {
        let declared = WorkerSettings.all.map { (variable: $0.variable, flag: $0.flag, defaultValue: $0.defaultValue) }
        #expect(try ReadmeSettingsTable.problems(process: "worker", declared: declared) == [])
    }

    @Test func eachSettingHasItsOwnVariableAndFlagAndTheSummaryNamesOnlyDeclaredOnes() throws {
        let variables = WorkerSettings.all.map(\.variable)
        #expect(Set(variables).count == variables.count)
        #expect(Set(WorkerSettings.all.map(\.flag)).count == variables.count)
        let summary = try WorkerConfiguration(settings: Settings(environment: [:])).summary.map(\.0)
        #expect(summary.filter { !variables.contains($0) } == [])
        #expect(Set(variables).subtracting(summary).sorted() == [], "declared but not on the start-up summary")
    }
}
