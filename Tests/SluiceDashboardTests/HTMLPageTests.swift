import Testing

@testable import SluiceDashboard

/// Data shown in a page is escaped for HTML text and quoted attributes.
@Suite struct HTMLPageTests {
    @Test func pageTextIsEscaped() {
        #expect(HTMLPage.escaped(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }
}
