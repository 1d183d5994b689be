import SluiceCore
import Testing

@Suite("CookieHeader")
struct CookieHeaderTests {
    @Test func findsTheNamedCookieAmongOthers() {
        #expect(CookieHeader.value(of: "sluice_visitor", in: ["_ga=GA1.2.3; sluice_visitor=abc-123;theme=dark"]) == "abc-123")
        #expect(CookieHeader.value(of: "theme", in: ["_ga=GA1.2.3; sluice_visitor=abc-123;theme=dark"]) == "dark")
        #expect(CookieHeader.value(of: "_ga", in: ["_ga=GA1.2.3; x=y"]) == "GA1.2.3")
    }

    @Test func looksThroughEveryCookieHeaderAndTheFirstMatchWins() {
        #expect(CookieHeader.value(of: "b", in: ["a=1", "b=2", "b=3"]) == "2")
        #expect(CookieHeader.value(of: "b", in: ["b=2; b=3"]) == "2")
    }

    @Test func namesMatchExactly() {
        #expect(CookieHeader.value(of: "sluice_visitor", in: ["sluice_visitor2=x; xsluice_visitor=y; sluice_visito=z"]) == nil)
        #expect(CookieHeader.value(of: "a", in: ["A=1"]) == nil)
        #expect(CookieHeader.value(of: "a", in: ["a =1"]) == nil, "like Hummingbird: the name is everything before '='")
    }

    @Test func valuesAreAsSentIncludingEmptyAndEqualsSigns() {
        #expect(CookieHeader.value(of: "a", in: ["a="]) == "")
        #expect(CookieHeader.value(of: "a", in: ["a=x=y; b=2"]) == "x=y")
        #expect(CookieHeader.value(of: "a", in: ["\ta=\"quoted\""]) == "\"quoted\"")
    }

    @Test func pairsWithoutEqualsAndEmptyPiecesAreSkipped() {
        #expect(CookieHeader.value(of: "a", in: ["junk; ;; a=1"]) == "1")
        #expect(CookieHeader.value(of: "a", in: ["", ";", "a"]) == nil)
        #expect(CookieHeader.value(of: "a", in: []) == nil)
    }

    @Test func nonASCIIBytesDoNotConfuseTheSplit() {
        #expect(CookieHeader.value(of: "a", in: ["é=1; a=€; b=2"]) == "€")
    }
}
