import SluiceCore
import Testing

@Suite("Settings")
struct SettingsTests {
    @Test func flagOverridesEnvironment() {
        let settings = Settings(environment: ["SLUICE_REDIS_URL": "redis://env:1"], overrides: ["SLUICE_REDIS_URL": "redis://flag:2"])
        #expect(settings.string("SLUICE_REDIS_URL", default: "d") == "redis://flag:2")
    }

    @Test func environmentIsUsedWithoutAFlag() throws {
        let settings = Settings(environment: ["SLUICE_REDIS_URL": "redis://env:1", "SLUICE_PARTITIONS": "4"], overrides: ["SLUICE_OTHER": "x"])
        #expect(settings.string("SLUICE_REDIS_URL", default: "d") == "redis://env:1")
        #expect(try settings.integer("SLUICE_PARTITIONS", default: 1, range: 1...64) == 4)
    }

    @Test func unsetOrEmptyFallsBackToTheDefault() throws {
        let settings = Settings(environment: ["SLUICE_COOKIE_NAME": "", "SLUICE_PARTITIONS": ""])
        #expect(settings.string("SLUICE_COOKIE_NAME", default: "sluice_visitor") == "sluice_visitor")
        #expect(settings.string("SLUICE_MISSING", default: "fallback") == "fallback")
        #expect(settings.optionalString("SLUICE_COOKIE_NAME") == nil)
        #expect(settings.optionalString("SLUICE_MISSING") == nil)
        #expect(try settings.integer("SLUICE_PARTITIONS", default: 8, range: 1...64) == 8)
        #expect(try settings.seconds("SLUICE_SESSION_TIMEOUT", default: 1800, range: 1...86_400) == 1800)
    }

    @Test func optionalStringReturnsTheValue() {
        #expect(Settings(environment: ["SLUICE_ADMIN_TOKEN": "t0k"]).optionalString("SLUICE_ADMIN_TOKEN") == "t0k")
    }

    @Test(arguments: ["16", " 16 ", "1", "64"])
    func integersWithinRangeAreAccepted(text: String) throws {
        let value = try Settings(environment: ["SLUICE_PARTITIONS": text]).integer("SLUICE_PARTITIONS", default: 8, range: 1...64)
        #expect(value == Int(text.filter { $0 != " " }))
    }

    @Test(arguments: ["0", "65", "-1", "abc", "8x", "1.5", "99999999999999999999999"])
    func badIntegersNameTheVariable(text: String) {
        let settings = Settings(environment: ["SLUICE_PARTITIONS": text])
        do {
            let value = try settings.integer("SLUICE_PARTITIONS", default: 8, range: 1...64)
            Issue.record("expected an error, got \(value)")
        } catch {
            #expect(error.variable == "SLUICE_PARTITIONS")
            #expect(error.value == text)
            #expect(error.description.contains("SLUICE_PARTITIONS"))
            #expect(error.description.contains("1 to 64"))
        }
    }

    @Test func secondsAreWholeSeconds() throws {
        #expect(try Settings(environment: ["SLUICE_SESSION_TIMEOUT": "1800"]).seconds("SLUICE_SESSION_TIMEOUT", default: 60, range: 1...86_400) == 1800)
        let settings = Settings(environment: ["SLUICE_SESSION_TIMEOUT": "30m"])
        #expect {
            try settings.seconds("SLUICE_SESSION_TIMEOUT", default: 60, range: 1...86_400)
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "SLUICE_SESSION_TIMEOUT" && error?.value == "30m"
                && error?.description.contains("SLUICE_SESSION_TIMEOUT") == true && error?.description.contains("seconds") == true
        }
    }

    @Test(arguments: [
        ("redis://:secret@h:1", "redis://:****@h:1"),
        ("mongodb://u:p@h/db", "mongodb://u:****@h/db"),
        ("mongodb://admin:s3cr3t@db1:27017,db2:27017/sluice?replicaSet=rs0", "mongodb://admin:****@db1:27017,db2:27017/sluice?replicaSet=rs0"),
        ("redis://:p@ss@h:6379/0", "redis://:****@h:6379/0"),
        ("redis://secret@h:1", "redis://****@h:1"),
        ("redis://:secret@h1:7000,h2:7001", "redis://:****@h1:7000,h2:7001"),
    ])
    func maskedURLHidesThePassword(url: String, expected: String) {
        #expect(maskedURL(url) == expected)
        #expect(!maskedURL(url).contains("secret"))
    }

    @Test(arguments: ["redis://127.0.0.1:6379", "mongodb://127.0.0.1:27017/sluice", "mongodb://user@h/db", "not a url", ""])
    func maskedURLLeavesPasswordlessURLsUnchanged(url: String) {
        #expect(maskedURL(url) == url)
    }

    @Test func maskedSecretOnlyTellsWhetherItIsSet() {
        #expect(maskedSecret(nil) == "(not set)")
        #expect(maskedSecret("") == "(not set)")
        #expect(maskedSecret("hunter2") == "****")
    }

    @Test func logLevelComesFromSettings() throws {
        let logger = try makeLogger(label: "test", settings: Settings(environment: ["SLUICE_LOG_LEVEL": "DEBUG"]))
        #expect(logger.logLevel == .debug)
        #expect(try makeLogger(label: "test", settings: Settings(environment: [:])).logLevel == .info)
        #expect(throws: ConfigurationError.self) { try makeLogger(label: "test", settings: Settings(environment: ["SLUICE_LOG_LEVEL": "loud"])) }
    }
}
