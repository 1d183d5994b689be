import SluiceCore
import Testing

@testable import SluiceIngest

/// The server senders' settings: the cookie domain and the server bucket.
@Suite struct IngestConfigurationTests {
    private func configuration(_ values: [String: String]) throws -> IngestConfiguration {
        try IngestConfiguration(settings: Settings(environment: values))
    }

    @Test func theCookieDomainMustBeAParentDomain() throws {
        #expect(try configuration([:]).cookieDomain == nil)
        #expect(try configuration(["SLUICE_COOKIE_DOMAIN": ".Example.com"]).cookieDomain == ".example.com")
        #expect(try configuration(["SLUICE_COOKIE_DOMAIN": "shop.example.co.uk"]).cookieDomain == "shop.example.co.uk")
        for bad in [".com", "com", "example..com", "exa mple.com", ".example.com;path=/", "https://example.com"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { _ = try configuration(["SLUICE_COOKIE_DOMAIN": bad]) }
        }
        #expect(try configuration(["SLUICE_COOKIE_DOMAIN": ".example.com"]).summary.contains { $0 == ("SLUICE_COOKIE_DOMAIN", ".example.com") })
    }

    @Test func theServerBucketHasADefaultAndCanBeTurnedOff() throws {
        #expect(try configuration([:]).serverRateLimit == RateLimit(rate: 5000, burst: 50000))
        #expect(try configuration(["SLUICE_RATE_LIMIT_SERVER": "off"]).serverRateLimit == nil)
        #expect(throws: ConfigurationError.self) { _ = try configuration(["SLUICE_RATE_LIMIT_SERVER": "fast"]) }
    }

    @Test func aServerKeyDrawsFromTheServerBucketNotTheAddressOne() throws {
        let limiter = RateLimiter(
            perSite: nil, perAddress: RateLimit(rate: 1, burst: 5), perVisitor: nil, perServer: RateLimit(rate: 10, burst: 50),
            addressHashKey: try AddressHashKey(settings: Settings(environment: [:])))
        let browser = try #require(limiter.charge(cost: 1, site: "shop", visitor: nil, address: "192.0.2.1", now: 0))
        #expect(browser.keys.count == 1 && browser.keys[0].hasPrefix(StreamLayout.rateLimitKey("address", "")))
        let server = try #require(limiter.charge(cost: 1, site: "shop", visitor: nil, address: "192.0.2.1", fromServer: true, now: 0))
        #expect(server.keys == [StreamLayout.rateLimitKey("server", "shop")])
        #expect(server.arguments == ["0", "1", "10.0", "50"])
    }
}
