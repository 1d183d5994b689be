import SluiceValidation
import Testing

@Suite("URLScrubber")
struct URLScrubberTests {
    let scrubber = URLScrubber()

    @Test(arguments: [
        ("https://a.example/p?x=1", "https://a.example/p?x=1"),
        ("https://a.example/p#section", "https://a.example/p"),
        ("https://u:pw@a.example/p?q=1", "https://a.example/p?q=1"),
        (
            "https://a.example/?access_token=t&id_token=i&refresh_token=r",
            "https://a.example/?access_token=[redacted]&id_token=[redacted]&refresh_token=[redacted]"
        ),
        (
            "https://a.example/?Password=p&SECRET=s&api_key=k&key=k2",
            "https://a.example/?Password=[redacted]&SECRET=[redacted]&api_key=[redacted]&key=[redacted]"
        ),
        ("https://a.example/?access%5Ftoken=t", "https://a.example/?access%5Ftoken=[redacted]"),
        ("https://a.example/?to=bob%40example.com&n=2", "https://a.example/?to=[redacted]&n=2"),
        ("https://a.example/?utm_source=news&gclid=abc&utm_campaign=x", "https://a.example/?utm_source=news&gclid=abc&utm_campaign=x"),
        ("https://a.example/?utm_content=bob%40example.com&utm_source=mail", "https://a.example/?utm_content=[redacted]&utm_source=mail"),
        (
            "https://s3.example/f?X-Amz-Signature=ab12&private_key=k&x-api-key=z",
            "https://s3.example/f?X-Amz-Signature=[redacted]&private_key=[redacted]&x-api-key=[redacted]"
        ),
        ("/relative/path?sessionid=9&page=1", "/relative/path?sessionid=[redacted]&page=1"),
        ("https://a.example/?&&=x&token", "https://a.example/?&&=x&token"),
        ("https://a.example/mail@host/page", "https://a.example/mail@host/page"),
    ])
    func secretsAreTakenOutAndTheRestKept(input: String, expected: String) {
        let (url, changed) = scrubber.scrub(input)
        #expect(url == expected)
        #expect(changed == (input != expected))
    }

    @Test func operatorPatternsReplaceTheDefaults() {
        let custom = URLScrubber(secretParameters: ["ref*", "*_pin", "exact"])
        #expect(
            custom.scrub("https://a.example/?referral=1&card_pin=2&exact=3&exactly=4&token=5").url
                == "https://a.example/?referral=[redacted]&card_pin=[redacted]&exact=[redacted]&exactly=4&token=5")
    }

    @Test func manyParametersAreHandledOneByOne() {
        let query = (0..<2000).map { "p\($0)=v" }.joined(separator: "&")
        let (url, changed) = scrubber.scrub("https://a.example/?" + query + "&token=t")
        #expect(url == "https://a.example/?" + query + "&token=[redacted]")
        #expect(changed)
    }
}
