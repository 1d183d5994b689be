import Foundation

/// `sluice-embed-files <output.swift> <file>...`: writes a Swift source that holds each file's
/// bytes, so an executable serves them with nothing beside it (the EmbedFiles plugin runs it).
///
/// Each file becomes `EmbeddedFile.<name>`, named after the file (`tracker.js` → `trackerJs`),
/// its bytes carried as one base64 string literal: a long array literal of numbers takes the
/// type checker far longer than a string of the same data.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first, arguments.count > 1 else {
    FileHandle.standardError.write(Data("usage: sluice-embed-files <output.swift> <file>...\n".utf8))
    exit(64)
}

/// The Swift identifier for a file: its name's alphanumeric runs in lower camel case.
func identifier(forFileNamed name: String) -> String {
    let words = name.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    let head = words.first.map { $0.prefix(1).lowercased() + $0.dropFirst() } ?? "file"
    return head + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}

var source = """
    // Generated at build time by the EmbedFiles plugin (Plugins/EmbedFiles); do not edit.
    import Foundation

    /// Files of this module embedded in the executable at build time, so nothing has to be copied beside it.
    enum EmbeddedFile {

    """
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        FileHandle.standardError.write(Data("sluice-embed-files: cannot read \(path)\n".utf8))
        exit(66)
    }
    source += """
            /// The bytes of `\(url.lastPathComponent)` (\(data.count) bytes).
            static let \(identifier(forFileNamed: url.lastPathComponent)): [UInt8] = decoded("\(data.base64EncodedString())")

        """
}
source += """

        /// The bytes a base64 literal above holds; the literals are written by the generator, so always valid.
        private static func decoded(_ base64: String) -> [UInt8] {
            Array(Data(base64Encoded: base64) ?? Data())
        }
    }

    """
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("sluice-embed-files: cannot write \(output): \(error)\n".utf8))
    exit(73)
}
