import SluiceCore

extension DeadLetter {
    /// Every field, one per line, with `e` pretty-printed last (`dead show`).
    var detail: String {
        let others = fields.filter { $0.name != StreamLayout.eventField }
        let width = max(others.map(\.name.count).max() ?? 0, 2)
        func line(_ name: String, _ value: String) -> String {
            name + String(repeating: " ", count: width - name.count) + "  " + value
        }
        var lines = [line("id", id)]
        lines += others.map { line($0.name, String(decoding: $0.value, as: UTF8.self)) }
        switch event {
        case .success(let value)?:
            lines.append(StreamLayout.eventField + ":")
            lines.append(PrettyJSON.string(of: value))
        case .failure(let error)?:
            lines.append(StreamLayout.eventField + " (not valid JSON: \(error)):")
            lines.append(text(StreamLayout.eventField) ?? "")
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
        return JSONWriter.string(of: .object(JSONObject([("id", .string(id)), ("fields", .object(JSONObject(members)))])))
    }
}
