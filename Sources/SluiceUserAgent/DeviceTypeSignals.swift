/// Derives `DeviceType` from uap-core details plus a few user-agent tokens.
///
/// The rules, in order, are documented on `DeviceType`. Token checks run as PCRE2 JIT
/// patterns on the same UTF-8 bytes as the uap-core rules, so they cost well under a
/// microsecond each.
struct DeviceTypeSignals: Sendable {
    /// Crawlers, AI agents, link-preview fetchers, monitors, headless browsers and script
    /// clients that uap-core's `Spider` rule does not always catch; matched case-insensitively.
    static let crawlerTokens = [
        // AI crawlers and agents
        "GPTBot", "ChatGPT-User", "OAI-SearchBot", "ClaudeBot", "Claude-Web", "Claude-User",
        "Claude-SearchBot", "anthropic-ai", "PerplexityBot", "Perplexity-User", "Google-Extended",
        "Google-CloudVertexBot", "CCBot", "Bytespider", "Amazonbot", "Applebot", "cohere-ai",
        "Diffbot", "YouBot", "meta-externalagent", "meta-externalfetcher", "Timpibot", "ImagesiftBot",
        // search engines
        "Googlebot", "GoogleOther", "Google-InspectionTool", "AdsBot-Google", "Mediapartners-Google",
        "bingbot", "BingPreview", "YandexBot", "YandexMobileBot", "DuckDuckBot", "Baiduspider",
        "PetalBot", "SeznamBot", "Sogou web spider",
        // link previews
        "facebookexternalhit", "Twitterbot", "Slackbot", "LinkedInBot", "Discordbot", "TelegramBot",
        "WhatsApp", "Pinterestbot",
        // SEO tools and monitors
        "AhrefsBot", "SemrushBot", "MJ12bot", "DotBot", "DataForSeoBot", "UptimeRobot", "Pingdom",
        "StatusCake", "Chrome-Lighthouse",
        // scripts and headless browsers
        "curl/", "Wget", "python-requests", "python-urllib", "aiohttp", "python-httpx", "Go-http-client",
        "libwww-perl", "Scrapy", "HeadlessChrome", "PhantomJS",
    ]

    /// TVs, consoles and set-top boxes, which would otherwise pass for Android tablets or phones.
    static let screenTokens = [
        "SMART-TV", "SmartTV", "Smart-TV", "HbbTV", "GoogleTV", "Android TV", "AndroidTV", "BRAVIA",
        "CrKey", "AppleTV", "Roku", "Web0S", "NetCast", "PlayStation", "Xbox", "Nintendo",
    ]

    private static let mobileOperatingSystems: Set<String> = [
        "iOS", "Android", "Windows Phone", "Windows Mobile", "BlackBerry OS", "Symbian OS", "Symbian^3",
        "Symbian^3 Anna", "Symbian^3 Belle", "Nokia Series 40", "Nokia Series 30 Plus", "KaiOS",
        "Firefox OS", "Bada", "BREW", "Brew MP", "Sailfish", "MeeGo", "Maemo", "WatchOS",
    ]

    private static let desktopOperatingSystems: Set<String> = [
        "Windows", "Mac OS X", "Mac OS", "Chrome OS", "Linux", "Linux Mint", "Ubuntu", "Kubuntu",
        "Lubuntu", "Debian", "Fedora", "Red Hat", "CentOS", "openSUSE", "SUSE", "Mageia", "Mandriva",
        "Gentoo", "Slackware", "Arch Linux", "PCLinuxOS", "Puppy", "BackTrack", "FreeBSD", "OpenBSD",
        "NetBSD", "BSD", "Solaris", "SerenityOS",
    ]

    private let crawler: PCRE2Pattern
    private let screen: PCRE2Pattern
    /// `iPad`, `Kindle`, `Silk/`, `PlayBook`: tablets whatever uap-core's device rule said.
    private let tabletToken: PCRE2Pattern
    /// `tablet` in any case (Firefox for Android tablets, Opera Tablet, …).
    private let tabletWord: PCRE2Pattern
    /// Phones: `Mobi` anywhere (MDN's rule of thumb), or a J2ME/WAP feature phone marker.
    private let phoneToken: PCRE2Pattern
    /// Android HTTP stacks omit `Mobile` on phones too.
    private let androidHTTPStack: PCRE2Pattern

    /// Every pattern, so the parser can size its match data.
    var patterns: [PCRE2Pattern] { [crawler, screen, tabletToken, tabletWord, phoneToken, androidHTTPStack] }

    init() throws(PCRE2Pattern.CompileFailure) {
        crawler = try PCRE2Pattern(Self.alternation(Self.crawlerTokens), caseInsensitive: true)
        screen = try PCRE2Pattern(Self.alternation(Self.screenTokens), caseInsensitive: false)
        tabletToken = try PCRE2Pattern(
            Self.alternation(["iPad", "Kindle", "Silk/", "PlayBook"]), caseInsensitive: false)
        tabletWord = try PCRE2Pattern("tablet", caseInsensitive: true)
        phoneToken = try PCRE2Pattern(Self.alternation(["Mobi", "MIDP", "CLDC", "UP.Browser"]), caseInsensitive: false)
        androidHTTPStack = try PCRE2Pattern(Self.alternation(["Dalvik/", "okhttp"]), caseInsensitive: true)
    }

    func deviceType(of details: UserAgentDetails, _ input: MatchInput) -> DeviceType {
        func has(_ pattern: PCRE2Pattern) -> Bool { pattern.matches(input.subject, scratch: input.scratch) }
        let device = details.device
        let os = details.os

        if input.subject.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return .other }
        if device.family == "Spider" || has(crawler) { return .bot }
        if has(screen) { return .other }

        let windowsMajor = os.family == "Windows" ? (os.major ?? "") : ""
        let model = device.model ?? ""
        if device.family.contains("iPad") || model.contains("iPad") || device.family.hasPrefix("Kindle")
            || device.family == "Generic Tablet" || device.brand == "Generic_Android_Tablet"
            || os.family == "BlackBerry Tablet OS" || windowsMajor.hasPrefix("RT") || has(tabletToken)
            || (os.family != "Windows" && has(tabletWord))
            || (os.family == "Android" && !has(phoneToken) && !has(androidHTTPStack))
        {
            return .tablet
        }

        if device.family.hasPrefix("iPhone") || device.family.hasPrefix("iPod")
            || device.family == "Generic Smartphone" || device.family == "Generic Feature Phone"
            || Self.mobileOperatingSystems.contains(os.family) || windowsMajor == "CE" || has(phoneToken)
            // A maker and model but no OS: feature phones (Samsung SGH-…, LG…, DoCoMo, MOT-…).
            || (os.family == "Other" && device.family != "Other" && device.brand != nil
                && device.brand != "Generic_Inettv")
        {
            return .mobile
        }

        let isMac = device.brand == "Apple" && os.family.hasPrefix("Mac OS")
        if Self.desktopOperatingSystems.contains(os.family) && (device.family == "Other" || isMac) {
            return .desktop
        }
        return .other
    }

    /// A regex matching any of `tokens` literally.
    private static func alternation(_ tokens: [String]) -> String {
        tokens.map { token in
            token.unicodeScalars.map { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) ? String(scalar) : "\\" + String(scalar)
            }.joined()
        }.joined(separator: "|")
    }
}
