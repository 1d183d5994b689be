/// Finds literal text that every match of a uap-core regex must contain, so most rules can
/// be skipped without calling PCRE2 (see `TrigramSet`).
///
/// The result is a set of lowercase ASCII strings, at least one of which occurs in any
/// string the regex matches (ignoring ASCII case), or nil when the analysis cannot tell.
/// It understands the syntax uap-core uses — literals, escapes, classes, `.`, anchors,
/// groups, alternation and quantifiers — and gives up (nil, so the rule always runs) on
/// anything else, such as lookarounds, backreferences or inline options.
enum RequiredLiterals {
    /// Literals shorter than this cannot be checked by trigrams, so they are not worth keeping.
    static let minimumLength = 3

    static func of(_ pattern: String) -> [String]? {
        var analyzer = Analyzer(scalars: Array(pattern.unicodeScalars))
        guard let requirement = try? analyzer.alternation(), analyzer.position == analyzer.scalars.count else {
            return nil
        }
        return requirement
    }

    private struct Unsupported: Error {}

    private struct Analyzer {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        /// Branches separated by `|`, up to a `)` or the end: any branch may match, so the
        /// requirement is the union of the branches', and nil if one branch has none.
        mutating func alternation() throws(Unsupported) -> [String]? {
            var union: [String]? = try sequence()
            while position < scalars.count, scalars[position] == "|" {
                position += 1
                let branch = try sequence()
                union = union.flatMap { left in branch.map { left + $0 } }
            }
            return union
        }

        /// Consecutive atoms: all are required, so the single most selective candidate is kept.
        mutating func sequence() throws(Unsupported) -> [String]? {
            var best: [String]?
            var run = ""
            func consider(_ candidate: [String]?) {
                guard let candidate, let shortest = candidate.map(\.count).min(),
                    shortest >= RequiredLiterals.minimumLength
                else { return }
                guard let current = best else {
                    best = candidate
                    return
                }
                // Fewer alternatives first, then longer literals.
                let currentShortest = current.map(\.count).min() ?? 0
                if candidate.count < current.count
                    || (candidate.count == current.count && shortest > currentShortest)
                {
                    best = candidate
                }
            }
            func flush() {
                if !run.isEmpty { consider([run]) }
                run = ""
            }

            while position < scalars.count {
                let scalar = scalars[position]
                if scalar == "|" || scalar == ")" { break }
                let atom = try self.atom()
                let minimum = try quantifierMinimum()
                switch atom {
                case .literal(let character):
                    if let minimum {
                        if minimum >= 1 { run.unicodeScalars.append(character) }
                        flush()
                    } else {
                        run.unicodeScalars.append(character)
                    }
                case .group(let requirement):
                    flush()
                    if (minimum ?? 1) >= 1 { consider(requirement) }
                case .other:
                    flush()
                }
            }
            flush()
            return best
        }

        enum Atom {
            case literal(Unicode.Scalar)
            case group([String]?)
            case other
        }

        mutating func atom() throws(Unsupported) -> Atom {
            let scalar = scalars[position]
            position += 1
            switch scalar {
            case "\\":
                guard position < scalars.count else { throw Unsupported() }
                let escaped = scalars[position]
                position += 1
                if escaped.properties.isAlphabetic || ("0"..."9").contains(escaped) {
                    // Classes and word boundaries are fine; \x, \u, \p, backreferences are not handled.
                    guard "dDwWsSbB".unicodeScalars.contains(escaped) else { throw Unsupported() }
                    return .other
                }
                return literal(escaped)
            case "[":
                try skipClass()
                return .other
            case "(":
                if position < scalars.count, scalars[position] == "?" {
                    guard position + 1 < scalars.count, scalars[position + 1] == ":" else { throw Unsupported() }
                    position += 2
                }
                let requirement = try alternation()
                guard position < scalars.count, scalars[position] == ")" else { throw Unsupported() }
                position += 1
                return .group(requirement)
            case ".", "^", "$":
                return .other
            case "*", "+", "?", "{":
                // A quantifier with nothing to repeat, or a literal brace; give up rather than guess.
                throw Unsupported()
            default:
                return literal(scalar)
            }
        }

        /// ASCII literals are lowercased; other characters could fold to ASCII in a
        /// case-insensitive pattern, so they count as unknown.
        func literal(_ scalar: Unicode.Scalar) -> Atom {
            guard scalar.isASCII else { return .other }
            return .literal(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }

        mutating func skipClass() throws(Unsupported) {
            if position < scalars.count, scalars[position] == "^" { position += 1 }
            // A `]` right after `[` or `[^` is a literal member.
            if position < scalars.count, scalars[position] == "]" { position += 1 }
            while position < scalars.count {
                let scalar = scalars[position]
                position += 1
                if scalar == "\\" {
                    position += 1
                } else if scalar == "[" {
                    throw Unsupported()  // POSIX classes such as [:alpha:]
                } else if scalar == "]" {
                    return
                }
            }
            throw Unsupported()
        }

        /// The minimum repeat count of a quantifier at the current position, or nil if none.
        mutating func quantifierMinimum() throws(Unsupported) -> Int? {
            guard position < scalars.count else { return nil }
            let minimum: Int
            switch scalars[position] {
            case "*", "?":
                minimum = 0
                position += 1
            case "+":
                minimum = 1
                position += 1
            case "{":
                var index = position + 1
                var digits = ""
                while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    digits.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard let value = Int(digits), index < scalars.count else { throw Unsupported() }
                if scalars[index] == "," {
                    index += 1
                    while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
                }
                guard index < scalars.count, scalars[index] == "}" else { throw Unsupported() }
                minimum = value
                position = index + 1
            default:
                return nil
            }
            // Lazy or possessive suffix.
            if position < scalars.count, scalars[position] == "?" || scalars[position] == "+" { position += 1 }
            return minimum
        }
    }
}
