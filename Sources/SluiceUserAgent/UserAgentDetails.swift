/// The raw result of the three uap-core parser lists for one user agent.
///
/// Families default to `"Other"` when no rule matches; every other field is `nil` when
/// absent or empty after trimming, as the ua-parser specification asks.
public struct UserAgentDetails: Sendable, Equatable {
    /// A family with up to four version components: what the agent and OS lists both give.
    public struct Release: Sendable, Equatable {
        /// Family, e.g. `"Chrome"`, `"Googlebot"` (agent) or `"Mac OS X"`, `"Android"` (OS).
        public var family: String
        /// Major version.
        public var major: String?
        /// Minor version.
        public var minor: String?
        /// Patch version.
        public var patch: String?
        /// Fourth version component, when a rule supplies one.
        public var patchMinor: String?

        /// Creates a result.
        public init(
            family: String, major: String? = nil, minor: String? = nil, patch: String? = nil,
            patchMinor: String? = nil
        ) {
            self.family = family
            self.major = major
            self.minor = minor
            self.patch = patch
            self.patchMinor = patchMinor
        }
    }

    /// The browser or client, from `user_agent_parsers`.
    public typealias Agent = Release
    /// The operating system, from `os_parsers`.
    public typealias OperatingSystem = Release

    /// The physical device, from `device_parsers`.
    public struct Device: Sendable, Equatable {
        /// Device family, e.g. `"iPhone"`, `"Samsung SM-G960F"`, `"Spider"`, `"Mac"`.
        public var family: String
        /// Manufacturer, e.g. `"Apple"`, `"Samsung"`, `"Generic_Android"`.
        public var brand: String?
        /// Model, e.g. `"iPad"`, `"SM-G960F"`.
        public var model: String?

        /// Creates a device result.
        public init(family: String, brand: String? = nil, model: String? = nil) {
            self.family = family
            self.brand = brand
            self.model = model
        }
    }

    /// Browser or client.
    public var userAgent: Agent
    /// Operating system.
    public var os: OperatingSystem
    /// Device.
    public var device: Device

    /// Creates a result from its three parts.
    public init(userAgent: Agent, os: OperatingSystem, device: Device) {
        self.userAgent = userAgent
        self.os = os
        self.device = device
    }
}
