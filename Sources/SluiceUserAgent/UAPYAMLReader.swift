import Yams

/// Reads uap-core's YAML files through Yams into the one shape they share.
///
/// `regexes.yaml` and the `tests/*.yaml` files are maps of top-level keys whose values are
/// lists of flat maps of scalars: `user_agent_parsers: [{regex: …, family_replacement: …}]`.
/// Every scalar is kept as its text (a plain `0` stays `"0"`); a null one (`~`, or nothing
/// after the colon) is an absent key. Anything of another shape is reported with its line
/// rather than guessed at, so a future uap-core that changes shape fails loudly at
/// start-up.
enum UAPYAMLReader {
    /// A problem at one line of the file (0 when the YAML parser could not place it).
    struct Failure: Error, Equatable {
        var line: Int
        var reason: String

        init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        /// Yams's error, with its line where it has one: where the construct it was reading
        /// began (an unterminated quote's line, not the end of the file), else the problem's.
        init(_ error: YamlError) {
            switch error {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                self.init(line: context?.mark.line ?? mark.line, reason: context.map { "\($0.text): \(problem)" } ?? problem)
            default:
                self.init(line: 0, reason: "\(error)")
            }
        }

        /// A shape problem at `node`.
        init(at node: Node, _ reason: String) {
            self.init(line: node.mark?.line ?? 0, reason: reason)
        }
    }

    /// Top-level key → list of maps; a null value is an absent key.
    typealias Document = [String: [[String: String]]]

    static func parse(_ bytes: [UInt8]) throws(Failure) -> Document {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(line: 0, reason: "the file is not UTF-8 text") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(error)
        } catch {
            throw Failure(line: 0, reason: "\(error)")
        }
        guard let root else { return [:] }
        guard let sections = root.mapping else { throw Failure(at: root, "the file must be a map of lists") }
        var document: Document = [:]
        for (key, value) in sections {
            let name = key.string ?? "?"
            guard let list = value.sequence else { throw Failure(at: key, "top-level key '\(name)' must introduce a list") }
            var items: [[String: String]] = []
            items.reserveCapacity(list.count)
            for element in list {
                guard let map = element.mapping else { throw Failure(at: element, "an item of '\(name)' must be a map ('key: value' lines)") }
                var item: [String: String] = [:]
                for (field, fieldValue) in map {
                    guard case .scalar = fieldValue, let fieldName = field.string else {
                        throw Failure(at: fieldValue, "'\(field.string ?? "?")' in '\(name)' must be a single value, not a list or map")
                    }
                    if fieldValue.tag.rawValue == Tag.Name.null.rawValue { continue }
                    item[fieldName] = fieldValue.string
                }
                items.append(item)
            }
            document[name] = items
        }
        return document
    }
}
