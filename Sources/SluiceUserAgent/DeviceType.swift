/// The coarse kind of device behind a user agent, as stored in `device.type`.
///
/// Derived by `UserAgentParser.device(_:)` from the uap-core details and a few tokens of
/// the raw user agent; the first rule that applies wins:
///
/// 1. `other`: the user agent is empty or only whitespace.
/// 2. `bot`: uap-core's device family is `Spider`, or the user agent contains, in any
///    case, one of `DeviceTypeSignals.crawlerTokens`: AI crawlers and agents (GPTBot,
///    ChatGPT-User, OAI-SearchBot, ClaudeBot, Claude-Web, anthropic-ai, PerplexityBot,
///    CCBot, Bytespider, Amazonbot, Applebot, …), search engines (Googlebot, bingbot,
///    YandexBot, DuckDuckBot, Baiduspider, …), link previews (facebookexternalhit,
///    Twitterbot, Slackbot, …), SEO tools and monitors, and scripts or headless browsers
///    (curl/, Wget, python-requests, Go-http-client, HeadlessChrome, PhantomJS, …).
/// 3. `other`: TVs, consoles and set-top boxes, by token (SMART-TV, SmartTV, HbbTV,
///    GoogleTV, Android TV, BRAVIA, CrKey, AppleTV, Roku, Web0S, NetCast, PlayStation,
///    Xbox, Nintendo); without this rule Android TVs would count as tablets.
/// 4. `tablet`: device family or model contains `iPad`; device family starts with
///    `Kindle`, is `Generic Tablet`, or brand is `Generic_Android_Tablet`; OS is
///    `BlackBerry Tablet OS` or Windows `RT`; the user agent contains `iPad`, `Kindle`,
///    `Silk/` (Kindle Fire) or `PlayBook`, or `tablet` in any case on a non-Windows OS
///    (Windows "Tablet PC" markers are on desktops); or the OS is Android and the user
///    agent has no phone token (next rule) and is not an Android HTTP stack (`Dalvik/`,
///    `okhttp`): Android browsers send `Mobile` on phones and omit it on tablets.
/// 5. `mobile`: device family starts with `iPhone` or `iPod`, or is `Generic Smartphone`
///    or `Generic Feature Phone`; a mobile OS (iOS, Android, Windows Phone, Windows
///    Mobile, Windows CE, BlackBerry OS, Symbian, Nokia Series 30+/40, KaiOS, Firefox OS,
///    Bada, BREW, Sailfish, MeeGo, Maemo, WatchOS); a phone token (`Mobi`, MDN's rule of
///    thumb, or the feature-phone markers `MIDP`, `CLDC`, `UP.Browser`); or uap-core
///    found a device brand (other than `Generic_Inettv`) but no OS, which in practice
///    means feature phones (`SAMSUNG-SGH-…`, `LG…`, `DoCoMo/…`, `MOT-…`).
/// 6. `desktop`: a desktop OS (Windows, Mac OS X, Chrome OS, Linux and its
///    distributions, the BSDs, Solaris) with device family `Other`, or an Apple device on
///    Mac OS (uap-core's device family `Mac`).
/// 7. `other`: anything else (unknown clients, desktop-mode browsers on phones).
///
/// iPads since iPadOS 13 send a Mac user agent by default and are counted as desktops;
/// the user agent alone cannot tell them apart.
public enum DeviceType: String, Sendable, CaseIterable {
    /// A desktop or laptop computer.
    case desktop
    /// A phone (smartphone or feature phone) or a watch.
    case mobile
    /// A tablet or e-reader.
    case tablet
    /// A crawler, AI agent, link-preview fetcher, monitor, headless browser or script.
    case bot
    /// Anything else: empty or unknown user agents, TVs, consoles.
    case other
}
