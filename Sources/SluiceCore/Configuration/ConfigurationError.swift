/// A setting that cannot be used, naming the variable, the value and what is expected.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The environment variable (or its flag) at fault.
    public let variable: String
    /// The value given.
    public let value: String
    /// What a valid value looks like.
    public let expected: String

    /// An error for `variable`.
    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\(value) is not valid: expected \(expected)" }
}
