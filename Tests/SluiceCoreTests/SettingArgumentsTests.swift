import Foundation
import SluiceCore
import Testing

/// A server's command line is its declared settings' flags, read into `Settings` overrides.
@Suite struct SettingArgumentsTests {
    private let declared: [Setting] = [.redisURL, .partitions, .rollupWindow, .logLevel]

    @Test func readsBothSpellingsAndLayersOverTheEnvironment() throws {
        let settings = try Settings(
            environment: ["SLUICE_PARTITIONS": "2", "SLUICE_LOG_LEVEL": "debug"],
            arguments: ["--redis-url", "redis://flag:1", "--partitions=8"], declared: declared)
        #expect(settings.redisURL == "redis://flag:1")
        #expect(try settings.partitions() == 8)
        #expect(settings.string(Setting.logLevel) == "debug")
    }

    @Test func noArgumentsLeaveTheEnvironmentAndDefaults() throws {
        #expect(try SettingArguments([], declared: declared).overrides.isEmpty)
        #expect(try Settings(environment: [:], arguments: [], declared: declared).partitions() == 4)
    }

    @Test func aFlagGivenTwiceTakesTheLastValueSoAnAppendedOverrideWins() throws {
        let overrides = try SettingArguments(["--partitions", "2", "--log-level", "info", "--partitions=3"], declared: declared).overrides
        #expect(overrides == ["SLUICE_PARTITIONS": "3", "SLUICE_LOG_LEVEL": "info"])
    }

    @Test func aValueMayContainEqualsSignsAndBeEmptyAfterEquals() throws {
        let overrides = try SettingArguments(["--redis-url=redis://:a=b@host:1", "--log-level="], declared: declared).overrides
        #expect(overrides == ["SLUICE_REDIS_URL": "redis://:a=b@host:1", "SLUICE_LOG_LEVEL": ""])
    }

    @Test(arguments: [
        (["--partition", "2"], SettingArgumentError.unknownFlag("--partition", closest: "--partitions")),
        (["--zzzzzzzz", "2"], .unknownFlag("--zzzzzzzz", closest: nil)),
        (["--partitions"], .missingValue("--partitions")),
        (["--partitions", "--log-level", "debug"], .missingValue("--partitions")),
        (["--partitions", "many"], .invalidValue("--partitions", value: "many", expected: "a whole number from 1 to 1024")),
        (["--rollup-window=60"], .invalidValue("--rollup-window", value: "60", expected: "whole seconds from 3600 to 2678400")),
        (["redis://host:1"], .unexpected(position: 1, nil)),
        (["--log-level=", "s3cret-token"], .unexpected(position: 2, nil)),
        (["-p", "2"], .unexpected(position: 1, "-p")),
    ])
    func refusesWhatNoSettingAccepts(words: [String], expected: SettingArgumentError) {
        #expect(throws: expected) { try SettingArguments(words, declared: declared) }
    }

    @Test func errorsNameTheFlagAndWhatToDo() {
        #expect(
            "\(SettingArgumentError.unknownFlag("--partition", closest: "--partitions"))"
                == "unknown option --partition; did you mean --partitions? (--help lists every option)")
        #expect("\(SettingArgumentError.missingValue("--partitions"))" == "--partitions needs a value: --partitions <value> or --partitions=<value>")
        #expect(
            "\(SettingArgumentError.invalidValue("--partitions", value: "0", expected: "a whole number from 1 to 1024"))"
                == "--partitions 0 is not valid: expected a whole number from 1 to 1024")
        // A stray value is not repeated: it may be a secret split from its flag by a space.
        #expect(
            "\(SettingArgumentError.unexpected(position: 2, nil))"
                == "unexpected argument 2 (a value with no --flag before it?): every option is --flag <value> (--help lists them)")
    }

    @Test func helpListsEveryFlagWithItsHelpTextWithinTheWidth() {
        let listing = SettingArguments.helpListing(declared)
        let lines = listing.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 79 })
        for setting in declared {
            #expect(listing.contains("  --\(setting.flag) <value>  "))
        }
        // Wrapped lines put back together give each flag's whole help text.
        let joined = listing.replacingOccurrences(of: "\n      ", with: " ")
        for setting in declared {
            #expect(joined.contains("--\(setting.flag) <value>  \(setting.helpText)"))
        }
    }
}
