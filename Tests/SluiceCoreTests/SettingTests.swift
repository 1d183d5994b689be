import SluiceCore
import Testing

/// A `Setting` declares a variable once: its help text, its default and how flags layer over the environment.
@Suite struct SettingTests {
    @Test func helpTextNamesTheVariableAndTheDefaultOrItsPhrase() {
        #expect(Setting.partitions.helpText == "Number of stream partitions; the same in every process (SLUICE_PARTITIONS, default 4).")
        let none = Setting.text("SLUICE_X", flag: "x", help: "Something")
        #expect(none.helpText == "Something (SLUICE_X).")
        let phrased = Setting.text("SLUICE_X", flag: "x", help: "Something", defaultPhrase: "default: none, open")
        #expect(phrased.helpText == "Something (SLUICE_X, default: none, open).")
        #expect(Setting.adminToken.helpText.hasSuffix("(SLUICE_ADMIN_TOKEN; prefer the variable: flags show in ps)."))
    }

    @Test func describedKeepsTheVariableFlagAndDefault() throws {
        let window = Setting.rollupWindow.described("The workers' window")
        #expect(window.variable == "SLUICE_ROLLUP_WINDOW" && window.flag == "rollup-window" && window.defaultValue == "172800")
        #expect(window.helpText == "The workers' window (SLUICE_ROLLUP_WINDOW, default 172800).")
        #expect(try Settings(environment: [:]).number(window) == 172_800)
    }

    @Test func flagsGivenWinAndFlagsNotGivenLeaveTheEnvironment() throws {
        let port: Int? = 8
        let url: String? = nil
        let settings = Settings(
            environment: ["SLUICE_PARTITIONS": "2", "SLUICE_REDIS_URL": "redis://env:1"], flags: [Setting.partitions: port, Setting.redisURL: url])
        #expect(try settings.partitions() == 8)
        #expect(settings.redisURL == "redis://env:1")
    }

    @Test func numbersUseTheDeclaredRangeAndSecondsSaySeconds() throws {
        #expect(try Settings(environment: [:]).number(Setting.partitions) == 4)
        do {
            _ = try Settings(environment: ["SLUICE_ROLLUP_WINDOW": "5"]).number(Setting.rollupWindow)
            Issue.record("accepted a window below its range")
        } catch {
            #expect("\(error)" == "SLUICE_ROLLUP_WINDOW=5 is not valid: expected whole seconds from 3600 to 2678400")
        }
    }
}
