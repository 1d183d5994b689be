import Testing

@testable import SluiceWorker

@Suite("Enrichment primitives")
struct EnrichmentPrimitivesTests {
    @Test(
        arguments: [
            ("https://a.example/?gclid=1", "https://google.com/", TrafficSource.Channel.paid),
            ("https://a.example/?utm_medium=cpc", nil, .paid),
            ("https://a.example/?utm_source=newsletter", nil, .email),
            ("https://a.example/", "https://mail.google.com/mail/u/0", .email),
            ("https://a.example/?fbclid=x", nil, .social),
            ("https://a.example/", "https://t.co/abc", .social),
            ("https://a.example/", "https://www.google.co.uk/search?q=x", .search),
            ("https://a.example/", "https://duckduckgo.com/", .search),
            ("https://a.example/", "https://news.google.com/", .search),
            ("https://a.example/?utm_medium=Spring-Email-Blast", nil, .email),
            ("https://a.example/", "https://googlefans.example/", .referral),
            ("https://a.example/b", "https://a.example/a", .`internal`),
            ("https://a.example/", "https://blog.other.example/post", .referral),
            ("https://a.example/?utm_campaign=x", nil, .referral),
            ("https://a.example/", nil, .direct),
        ] as [(String, String?, TrafficSource.Channel)])
    func channelsFollowTheDocumentedRules(url: String, referrer: String?, channel: TrafficSource.Channel) {
        #expect(TrafficSource(pageURL: url, referrer: referrer).channel == channel)
    }

    @Test func campaignAndReferrerFieldsAreExtracted() {
        let source = TrafficSource(
            pageURL: "https://a.example/p?utm_source=news%20letter&utm_medium=email&x=1&gclid=G1#top", referrer: "https://WWW.Example.org:8443/x")
        #expect(source.utm.map(\.key) == ["source", "medium"])
        #expect(source.utm.first?.value == "news letter")
        #expect(source.clickIds.map(\.value) == ["G1"])
        #expect(source.referrerHost == "example.org")
    }

    @Test func clockSkewFollowsTheSegmentRule() {
        let corrected = ClockSkew(timestamp: 1_000_000, sentAt: 1_010_000, receivedAt: 5_000_000, maxAgeMilliseconds: 86_400_000)
        #expect(corrected.timestamp == 4_990_000)
        #expect(corrected.adjusted)
        let future = ClockSkew(timestamp: 9_000_000, sentAt: nil, receivedAt: 5_000_000, maxAgeMilliseconds: 86_400_000)
        #expect(future.timestamp == 5_000_000)
        let old = ClockSkew(timestamp: 1_000, sentAt: nil, receivedAt: 100_000_000, maxAgeMilliseconds: 86_400_000)
        #expect(old.late && !old.adjusted)
    }
}
