/// What one field of an event must look like.
struct FieldRule: Sendable {
    /// The accepted JSON shapes of a field.
    enum Shape: Sendable {
        /// A string of at most `maxLength` UTF-8 bytes.
        case string(maxLength: Int)
        /// A non-empty string of at most `maxLength` UTF-8 bytes (ids: an empty one would collide).
        case identifier(maxLength: Int)
        /// A finite number within the range.
        case number(ClosedRange<Double>)
        /// An integer within the range.
        case integer(ClosedRange<Int64>)
        case bool
        /// An ISO 8601 string or epoch milliseconds.
        case timestamp
        /// A JSON object whose keys are checked for MongoDB operator injection.
        case freeFormObject
        /// Any JSON value; nested object keys are checked for operator injection.
        case freeForm
    }

    /// The field's name in the body and in storage.
    let name: String
    /// The accepted shape.
    let shape: Shape
    /// Whether the event is invalid without it.
    let required: Bool

    /// A rule for `name`.
    init(_ name: String, _ shape: Shape, required: Bool = false) {
        self.name = name
        self.shape = shape
        self.required = required
    }
}
