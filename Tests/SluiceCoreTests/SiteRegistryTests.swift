import SluiceCore
import Testing

@Suite("SiteRegistry")
struct SiteRegistryTests {
    @Test func sitesFilesAreValidatedAndKeysLookedUp() throws {
        let registry = try SiteRegistry(
            json: Array(#"{"sites":[{"id":"shop","writeKeys":["wk_0123456789abcdef"],"origins":["https://Shop.example/"]}]}"#.utf8), source: "sites.json")
        #expect(registry.site(forKey: "wk_0123456789abcdef")?.id == "shop")
        #expect(registry.site(forKey: "wk_0123456789abcdeX") == nil)
        #expect(registry.allOrigins == ["https://shop.example"])
        for bad in [#"{}"#, #"{"sites":[{"id":"","writeKeys":["wk_0123456789abcdef"]}]}"#, #"{"sites":[{"id":"a","writeKeys":["short"]}]}"#, "not json"] {
            #expect(throws: ConfigurationError.self) { try SiteRegistry(json: Array(bad.utf8), source: "sites.json") }
        }
    }
}

@Suite("ConstantTime")
struct ConstantTimeTests {
    @Test func equalOnlyWhenEveryByteAndTheWholeLengthMatch() {
        #expect(ConstantTime.equal("wk_shop_0123456789abcdef", "wk_shop_0123456789abcdef"))
        #expect(!ConstantTime.equal("wk_shop_0123456789abcdef", "wk_shop_0123456789abcdeg"))
        #expect(!ConstantTime.equal("key", "key" + String(repeating: "\u{0}", count: 256)), "a length difference of 256 must count")
        #expect(!ConstantTime.equal("", String(repeating: "\u{0}", count: 512)))
        #expect(ConstantTime.equal("", ""))
    }
}
