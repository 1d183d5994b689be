/// The device summary stored with each event (`device` in DESIGN.md).
///
/// Unknown values are nil: uap-core's `"Other"` family is reported as nil for `browser`,
/// `os` and `deviceFamily`.
public struct DeviceInfo: Sendable, Equatable {
    /// Coarse device kind.
    public var type: DeviceType
    /// Browser or client family, e.g. `"Chrome"`.
    public var browser: String?
    /// `major.minor.patch`, as many parts as the user agent gives, e.g. `"124.0.6367"`.
    public var browserVersion: String?
    /// OS family, e.g. `"Windows"`, `"iOS"`.
    public var os: String?
    /// `major.minor.patch.patchMinor`, as many parts as present, e.g. `"17.4"`.
    public var osVersion: String?
    /// uap-core device family, e.g. `"iPhone"`, `"Samsung SM-G991B"`, `"Mac"`.
    public var deviceFamily: String?
    /// Device manufacturer, e.g. `"Apple"`.
    public var brand: String?
    /// Device model, e.g. `"iPad"`.
    public var model: String?

    /// Creates a device summary.
    public init(
        type: DeviceType, browser: String? = nil, browserVersion: String? = nil, os: String? = nil,
        osVersion: String? = nil, deviceFamily: String? = nil, brand: String? = nil, model: String? = nil
    ) {
        self.type = type
        self.browser = browser
        self.browserVersion = browserVersion
        self.os = os
        self.osVersion = osVersion
        self.deviceFamily = deviceFamily
        self.brand = brand
        self.model = model
    }

    /// Summarises uap-core details with an already derived type.
    public init(type: DeviceType, details: UserAgentDetails) {
        let agent = details.userAgent
        let os = details.os
        self.init(
            type: type,
            browser: DeviceInfo.known(agent.family),
            browserVersion: DeviceInfo.version([agent.major, agent.minor, agent.patch]),
            os: DeviceInfo.known(os.family),
            osVersion: DeviceInfo.version([os.major, os.minor, os.patch, os.patchMinor]),
            deviceFamily: DeviceInfo.known(details.device.family),
            brand: details.device.brand,
            model: details.device.model)
    }

    private static func known(_ family: String) -> String? { family == "Other" ? nil : family }

    /// Joins the leading present components: `["17", "4", nil, "1"]` gives `"17.4"`.
    private static func version(_ parts: [String?]) -> String? {
        let present = parts.prefix(while: { $0 != nil }).compactMap { $0 }
        return present.isEmpty ? nil : present.joined(separator: ".")
    }
}
