import SluiceCore
import Testing

/// The settings every process shares: one default each, flags over the environment.
@Suite struct SharedSettingsTests {
    @Test func unsetSettingsTakeTheOneDefault() throws {
        let settings = Settings(environment: [:])
        #expect(settings.redisURL == "redis://127.0.0.1:6379" && settings.mongoURL == "mongodb://127.0.0.1:27017/sluice")
        #expect(try settings.partitions() == 4)
    }

    @Test func setSettingsWinAndABadPartitionCountSaysWhatIsExpected() throws {
        let settings = Settings(
            environment: ["SLUICE_REDIS_URL": "redis://r:6380", "SLUICE_PARTITIONS": "8"], overrides: ["SLUICE_MONGO_URL": "mongodb://m/db"])
        #expect(settings.redisURL == "redis://r:6380" && settings.mongoURL == "mongodb://m/db")
        #expect(try settings.partitions() == 8)
        #expect(throws: ConfigurationError.self) { try Settings(environment: ["SLUICE_PARTITIONS": "0"]).partitions() }
        do {
            _ = try Settings(environment: ["SLUICE_PARTITIONS": "many"]).partitions()
            Issue.record("accepted a non-number")
        } catch {
            #expect("\(error)".contains("SLUICE_PARTITIONS") && "\(error)".contains("1 to 1024"))
        }
    }
}
