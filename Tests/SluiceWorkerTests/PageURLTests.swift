import Testing

@testable import SluiceWorker

@Suite("PageURL")
struct PageURLTests {
    @Test(arguments: [
        ("https://a.com/x/y?q=1#f", "/x/y"),
        ("https://a.com/x/y/", "/x/y/"),
        ("http://a.com:8080/p#frag", "/p"),
        ("https://user@a.com/p?q", "/p"),
        ("https://a.com/login?next=https://b.com/z", "/login"),
    ])
    func absoluteURLs(url: String, expected: String) {
        #expect(PageURL.path(of: url) == expected)
    }

    @Test(arguments: ["https://a.com", "https://a.com/", "https://a.com?q=1", "https://a.com#top"])
    func absoluteURLWithoutPathIsRoot(url: String) {
        #expect(PageURL.path(of: url) == "/")
    }

    @Test(arguments: [
        ("/docs/intro?x=1", "/docs/intro"),
        ("/docs#section", "/docs"),
        ("/", "/"),
        ("docs/intro", "docs/intro"),
        ("/login?next=https://b.com/z", "/login"),
        ("/a#https://b.com/z", "/a"),
    ])
    func relativeURLs(url: String, expected: String) {
        #expect(PageURL.path(of: url) == expected)
    }

    @Test(arguments: ["", "?q=1", "#f", "?next=https://b.com/z"])
    func emptyPathIsRoot(url: String) {
        #expect(PageURL.path(of: url) == "/")
    }
}
