/// Where a visit came from: referrer host, campaign parameters and a channel.
///
/// Channel rules, first match wins (docs/enrichment.md):
/// 1. `paid`: a paid click id (`gclid`, `msclkid`) or `utm_medium` naming paid
///    traffic (cpc, ppc, paid, paidsearch, paid_social, paid-social, display, cpm, banner, affiliate).
/// 2. `email`: `utm_medium` or `utm_source` mentioning email/newsletter, or a webmail referrer.
/// 3. `social`: `fbclid`, `utm_medium` social/social-network, or a social network referrer.
/// 4. `search`: a search engine referrer, or `utm_medium=organic`.
/// 5. `internal`: the referrer host is the page's own host.
/// 6. `referral`: any other referrer, or campaign parameters without a referrer.
/// 7. `direct`: no referrer and no campaign.
struct TrafficSource: Sendable, Equatable {
    /// The channels of the rules above.
    enum Channel: String, Sendable {
        case direct, search, social, email, paid, referral, `internal`
    }

    /// The referrer's host, lower-cased, without `www.`; nil without a referrer.
    var referrerHost: String?
    /// `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content` present on the page URL (keys without `utm_`).
    var utm: [(key: String, value: String)]
    /// `gclid`, `fbclid`, `msclkid` present on the page URL.
    var clickIds: [(key: String, value: String)]
    /// The channel.
    var channel: Channel

    static func == (lhs: TrafficSource, rhs: TrafficSource) -> Bool {
        lhs.referrerHost == rhs.referrerHost && lhs.channel == rhs.channel
            && lhs.utm.map { "\($0.key)=\($0.value)" } == rhs.utm.map { "\($0.key)=\($0.value)" }
            && lhs.clickIds.map { "\($0.key)=\($0.value)" } == rhs.clickIds.map { "\($0.key)=\($0.value)" }
    }

    /// Classifies a page view (or any event with a page URL and referrer).
    init(pageURL: String?, referrer: String?) {
        // One pass over the query: campaign keys in their documented order, click ids as found.
        var campaign: [String?] = Array(repeating: nil, count: Self.campaignKeys.count)
        var clicks: [(key: String, value: String)] = []
        for item in pageURL.map(PageURL.queryItems(of:)) ?? [] {
            if item.key.hasPrefix("utm_") {
                let name = String(item.key.dropFirst(4))
                if let slot = Self.campaignKeys.firstIndex(of: name), campaign[slot] == nil { campaign[slot] = item.value }
            } else if Self.clickIdKeys.contains(item.key), !clicks.contains(where: { $0.key == item.key }) {
                clicks.append(item)
            }
        }
        utm = zip(Self.campaignKeys, campaign).compactMap { key, value in value.map { (key, $0) } }
        clickIds = Self.clickIdKeys.compactMap { key in clicks.first { $0.key == key } }
        let referrerHost = referrer.flatMap(PageURL.host(of:))
        self.referrerHost = referrerHost
        let pageHost = referrerHost == nil ? nil : pageURL.flatMap(PageURL.host(of:))
        let medium = campaign[1]?.lowercased() ?? ""  // campaignKeys[1] == "medium"
        let source = campaign[0]?.lowercased() ?? ""
        let clickKeys = clickIds.map(\.key)

        if clickKeys.contains("gclid") || clickKeys.contains("msclkid") || Self.paidMedia.contains(medium) {
            channel = .paid
        } else if medium.containsBytes("email") || medium.containsBytes("newsletter") || source.containsBytes("email") || source.containsBytes("newsletter")
            || referrerHost.map(Self.isWebmail) == true
        {
            channel = .email
        } else if clickKeys.contains("fbclid") || medium == "social" || medium == "social-network" || medium == "social_network"
            || referrerHost.map(Self.isSocial) == true
        {
            channel = .social
        } else if medium == "organic" || referrerHost.map(Self.isSearch) == true {
            channel = .search
        } else if let referrerHost, referrerHost == pageHost {
            channel = .`internal`
        } else if referrerHost != nil || !utm.isEmpty {
            channel = .referral
        } else {
            channel = .direct
        }
    }

    static let campaignKeys = ["source", "medium", "campaign", "term", "content"]
    static let clickIdKeys = ["gclid", "fbclid", "msclkid"]
    static let paidMedia: Set<String> = [
        "cpc", "ppc", "paid", "paidsearch", "paid_search", "paid_social", "paid-social", "display", "cpm", "banner", "affiliate",
    ]
    static let socialHosts = [
        "facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com", "instagram.com", "l.instagram.com", "t.co", "twitter.com",
        "x.com", "linkedin.com", "lnkd.in", "reddit.com", "old.reddit.com", "pinterest.com", "youtube.com", "m.youtube.com", "tiktok.com",
        "news.ycombinator.com", "threads.net", "bsky.app", "mastodon.social", "vk.com", "weibo.com", "tumblr.com", "quora.com",
    ]
    static let searchEngines = [
        "google", "bing.com", "duckduckgo.com", "search.yahoo.com", "yahoo.com", "yandex", "baidu.com", "ecosia.org",
        "search.brave.com", "startpage.com", "qwant.com", "naver.com", "seznam.cz", "kagi.com",
    ]
    static let webmailHosts = ["mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com", "mail.yahoo.com", "mail.proton.me"]

    private static let socialSuffixes = socialHosts.map { "." + $0 }
    private static let searchSuffixes = searchEngines.filter { $0.contains(".") }.map { "." + $0 }
    /// Engines matched by a label anywhere in the host (google.com, news.google.co.uk): (label, "label.", ".label.", ".label").
    private static let searchLabels = searchEngines.filter { !$0.contains(".") }.map { ($0, $0 + ".", "." + $0 + ".", "." + $0) }

    static func isSocial(_ host: String) -> Bool {
        socialHosts.contains(host) || socialSuffixes.contains { host.hasSuffix($0) }
    }
    static func isWebmail(_ host: String) -> Bool { webmailHosts.contains(host) }
    static func isSearch(_ host: String) -> Bool {
        // "google" matches google.com, google.co.uk, google.de…; the others by host or subdomain.
        searchEngines.contains(host) || searchSuffixes.contains { host.hasSuffix($0) }
            || searchLabels.contains { host == $0.0 || host.hasPrefix($0.1) || host.containsBytes($0.2) || host.hasSuffix($0.3) }
    }
}

extension String {
    /// Whether `needle` occurs in this string, compared as UTF-8 bytes. The generic
    /// `contains(_: StringProtocol)` was most of the enrichment step's time.
    func containsBytes(_ needle: String) -> Bool {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard n.count <= h.count else { return false }
                guard let first = n.first else { return true }
                var index = 0
                while index + n.count <= h.count {
                    if h[index] == first && (1..<n.count).allSatisfy({ h[index + $0] == n[$0] }) { return true }
                    index += 1
                }
                return false
            }
        }
    }
}
