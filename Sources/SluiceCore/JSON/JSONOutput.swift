/// Bytes being written as JSON: a growable buffer whose appends are a capacity
/// check and a copy. `Array.append` checks uniqueness and capacity on every call,
/// which cost more than the copying. Reused across the events of a batch, so it is
/// allocated once per request and each event's bytes are copied out at their size.
/// Package-wide so ingest's `EventValidator` writes each canonical event straight into it.
package struct JSONOutput: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    package private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    package init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, as an array of exactly their size.
    package var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Appends the bytes written to `array`.
    func copy(to array: inout [UInt8]) {
        array.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes written, keeping the room.
    package mutating func removeAll() { count = 0 }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    @inline(never)
    private mutating func grow(toHold needed: Int) {
        capacity = max(needed, capacity * 2)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
    }

    /// Appends one byte.
    @inline(__always)
    package mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends bytes.
    @inline(__always)
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        appendReserved(bytes)
    }

    /// Appends bytes there is already room for.
    @inline(__always)
    private mutating func appendReserved(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends a literal's UTF-8 as it is (no quoting or escaping).
    @inline(__always)
    package mutating func append(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends an integer in decimal, without making a `String` of it.
    package mutating func appendDecimal(_ value: Int64) {
        reserve(20)
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        var position = count + digits
        repeat {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count += digits
    }

    /// Appends a UTF-8 string quoted, escaping what JSON requires. Runs of bytes that
    /// need no escape are found eight bytes at a time and copied whole.
    mutating func appendQuoted(_ utf8: UnsafeRawBufferPointer) {
        reserve(utf8.count + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        var position = 0
        while true {
            let end = JSONStringScan.endOfPlainRun(utf8, from: position).end
            appendReserved(UnsafeRawBufferPointer(rebasing: utf8[position..<end]))
            guard end < utf8.count else { break }
            // An escape is at most six bytes for one; the run after it and the
            // closing quote are still within what was reserved.
            reserve(5 + utf8.count - end + 1)
            appendEscape(utf8[end])
            position = end + 1
        }
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    /// Appends a string quoted and escaped.
    @inline(__always)
    package mutating func appendQuoted(_ string: String) {
        var string = string
        string.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0)) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Appends the escape of a byte that ends a plain run (room reserved).
    private mutating func appendEscape(_ byte: UInt8) {
        base[count] = UInt8(ascii: "\\")
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): base[count + 1] = byte
        case 0x0A: base[count + 1] = UInt8(ascii: "n")
        case 0x0D: base[count + 1] = UInt8(ascii: "r")
        case 0x09: base[count + 1] = UInt8(ascii: "t")
        default:
            let hex = Self.hexDigits.utf8Start
            base[count + 1] = UInt8(ascii: "u")
            base[count + 2] = UInt8(ascii: "0")
            base[count + 3] = UInt8(ascii: "0")
            base[count + 4] = hex[Int(byte >> 4)]
            base[count + 5] = hex[Int(byte & 0xF)]
            count += 6
            return
        }
        count += 2
    }

    /// Appends a value's compact JSON.
    package mutating func append(_ value: borrowing JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): if b { append("true") } else { append("false") }
        case .int(let i): appendDecimal(i)
        case .double(let d):
            // Parsed doubles are finite; a non-finite one from code is written as null.
            if d.isFinite {
                var text = "\(d)"
                text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
            } else {
                append("null")
            }
        case .string(let s): appendQuoted(s)
        case .array(let elements):
            append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                append(element)
            }
            append(UInt8(ascii: "]"))
        case .object(let object):
            append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                appendQuoted(member.key)
                append(UInt8(ascii: ":"))
                append(member.value)
            }
            append(UInt8(ascii: "}"))
        }
    }
}
