import Foundation
import SluiceCore
import SluiceRollups

/// Events as ingest writes them to a stream, at times inside one open hour.
enum TestEvents {
    /// Ten minutes into the hour before the current one: its hour and day buckets are
    /// still open (the test bed's roll-up window is two hours) and the next 50 minutes
    /// stay inside that hour.
    static let base: Int64 = {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return now / 3_600_000 * 3_600_000 - 3_600_000 + 600_000
    }()

    /// The hour and the day holding `base`, as partition 0's roll-up keys.
    static let hourKey = StreamLayout.rollupKey(bucket: RollupBucket(site: nil, granularity: .hour, containing: base).name, partition: 0)
    static let dayKey = StreamLayout.rollupKey(bucket: RollupBucket(site: nil, granularity: .day, containing: base).name, partition: 0)

    /// A page view of `path` by `visitor`, `offset` ms after `base`.
    static func pageView(_ id: String, _ visitor: String, _ path: String, at offset: Int64) -> String {
        #"{"id":"\#(id)","type":"pageview","visitorId":"\#(visitor)","timestamp":\#(base + offset),"url":"https://shop.example\#(path)"}"#
    }

    /// A user event (`ui`/`click`).
    static func click(_ id: String, _ visitor: String, at offset: Int64) -> String {
        #"{"id":"\#(id)","type":"event","visitorId":"\#(visitor)","timestamp":\#(base + offset),"eventType":"ui","eventName":"click"}"#
    }

    /// A chat with agent `support`, model `m-1`, language `de`.
    static func chat(_ id: String, _ visitor: String, at offset: Int64) -> String {
        #"{"id":"\#(id)","type":"chat","visitorId":"\#(visitor)","timestamp":\#(base + offset),"agentId":"support","model":"m-1","language":"de","responseTime":120}"#
    }

    /// Feedback on chat `interaction`.
    static func feedback(_ id: String, _ visitor: String, on interaction: String, satisfied: Bool, at offset: Int64) -> String {
        #"{"id":"\#(id)","type":"feedback","visitorId":"\#(visitor)","timestamp":\#(base + offset),"interactionId":"\#(interaction)","satisfied":\#(satisfied)}"#
    }
}
