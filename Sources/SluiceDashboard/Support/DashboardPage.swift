/// The dashboard's pages, in the order the navigation bar lists them.
enum DashboardPage: String, CaseIterable, Sendable {
    case overview, realtime, chats, tools, lab, journey, funnels, performance

    /// The page's path.
    var path: String { self == .overview ? "/" : "/\(rawValue)" }

    /// The page's name in the navigation bar and its title.
    var title: String {
        switch self {
        case .overview: "Overview"
        case .realtime: "Real-time"
        case .chats: "Chats"
        case .tools: "Tools"
        case .lab: "Lab"
        case .journey: "Journey"
        case .funnels: "Funnels"
        case .performance: "Performance"
        }
    }
}
