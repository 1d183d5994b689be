extension Duration {
    /// The duration in seconds, as `Thread.sleep(forTimeInterval:)` and rates want it.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
