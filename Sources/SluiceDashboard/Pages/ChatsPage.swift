import SluiceReports

/// `/chats`: conversations, satisfaction rate (satisfied / rated), feedback and response
/// times per agent and per model, most used first, and the chats' languages.
enum ChatsPage {
    /// The page's view from the chat report.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let report = try source.chats(site: query.site, range: query.range, audience: query.audience, limit: query.limit)
        return ReportView(
            headlines: [
                .init("conversations", "Conversations", .count, Double(report.chats)),
                .init("feedback", "Feedback", .count, Double(report.satisfied + report.unsatisfied)),
                .init("satisfactionRate", "Satisfaction rate", .rate, report.satisfactionRate),
            ],
            tables: report.tables.map { ReportView.NamedTable($0) },
            lead:
                #"<p class="muted">Satisfaction rate: satisfied chats of those that got feedback. Response times are the upper bound of their histogram bin (at most 25% high).</p>"#
        )
    }
}
