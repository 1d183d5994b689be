import SluiceCore

extension DeadLetter {
    /// Every field, one per line, with `e` pretty-printed last (`dead show`); control
    /// characters in names and values are escaped.
    var detail: String {
        let others = fields.filter { $0.name != StreamLayout.eventField }.map { (name: Terminal.escaped($0.name), value: $0.value) }
        let width = max(others.map(\.name.count).max() ?? 0, 5)
        func line(_ name: String, _ value: String) -> String {
            name + String(repeating: " ", count: width - name.count) + "  " + value
        }
        var lines = [line("id", Terminal.escaped(id)), line("where", place.rawValue)]
        lines += others.map { line($0.name, Terminal.escaped(String(decoding: $0.value, as: UTF8.self))) }
        switch event {
        case .success(let value)?:
            lines.append(StreamLayout.eventField + ":")
            // JSON escapes C0 in strings itself; DEL, C1 and bidi controls it leaves as they are.
            lines.append(Terminal.escaped(PrettyJSON.string(of: value), keepingNewlines: true))
        case .failure(let error)?:
            lines.append(StreamLayout.eventField + " (not valid JSON: \(Terminal.escaped("\(error)"))):")
            lines.append(Terminal.escaped(text(StreamLayout.eventField) ?? ""))
        case nil:
            lines.append(line(StreamLayout.eventField, "(missing)"))
        }
        return lines.joined(separator: "\n")
    }

    /// `{"id":…,"fields":{…}}` with `e` as parsed JSON (a string if it does not parse).
    var detailJSON: String {
        let members: [(String, JSONValue)] = fields.map { field in
            if field.name == StreamLayout.eventField, case .success(let value)? = event { return (field.name, value) }
            return (field.name, .string(String(decoding: field.value, as: UTF8.self)))
        }
        return Terminal.escaped(
            JSONWriter.string(of: .object(JSONObject([("id", .string(id)), ("where", .string(place.rawValue)), ("fields", .object(JSONObject(members)))]))))
    }
}
