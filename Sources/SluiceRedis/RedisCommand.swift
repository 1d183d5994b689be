/// One Redis command, its arguments packed into one buffer so a pipeline of
/// thousands costs one allocation per command, not one per argument.
public struct RedisCommand: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var lengths: [Int] = []

    /// A command from string arguments, e.g. `RedisCommand("XLEN", key)`.
    public init(_ arguments: String...) {
        for argument in arguments { append(argument) }
    }

    /// A command from an array of string arguments.
    public init(arguments: [String]) {
        for argument in arguments { append(argument) }
    }

    /// Appends a text argument.
    public mutating func append(_ argument: String) {
        bytes.append(contentsOf: argument.utf8)
        lengths.append(argument.utf8.count)
    }

    /// Appends a binary argument.
    public mutating func append(bytes argument: [UInt8]) {
        bytes.append(contentsOf: argument)
        lengths.append(argument.count)
    }

    /// The command name, for error messages.
    public var name: String {
        guard let first = lengths.first else { return "(empty)" }
        return String(decoding: bytes[0..<first], as: UTF8.self).uppercased()
    }

    /// Number of arguments.
    public var argumentCount: Int { lengths.count }
}
