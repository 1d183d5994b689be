extension StreamLayout {
    /// The hash under which each worker publishes its drain rate (`<rate>:<epoch ms>`
    /// per consumer name); ingest reads it for `Retry-After`.
    public static let drainKey = "sluice:drain"

    /// A visitor's current-session hash `{id, last}` (DESIGN.md, "Sessions").
    public static func sessionKey(visitorId: String) -> String { "sess:{\(visitorId)}" }

    /// The cookieless secret of one UTC day (`day` = epoch ms / 86,400,000).
    public static func saltKey(day: Int64) -> String { "sluice:salt:\(day)" }

    /// A token bucket's key: `kind` is `address`, `visitor`, `site` or `server`.
    public static func rateLimitKey(_ kind: String, _ name: String) -> String { "rl:\(kind):\(name)" }
}
