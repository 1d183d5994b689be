import Foundation
import PackagePlugin

/// Embeds a target's data files in its code at build time: every file of the target that is
/// neither source nor resource (for sluice-ingest, `tracker.js` and `openapi.json`) becomes
/// a static byte array of `EmbeddedFile`, so the executable needs no resource bundle beside it.
@main
struct EmbedFiles: BuildToolPlugin {
    /// One build command that regenerates `EmbeddedFile.swift` whenever an embedded file changes.
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let files = module.sourceFiles.filter { $0.type == .unknown }.map(\.url).sorted { $0.path < $1.path }
        guard !files.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFile.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.map(\.lastPathComponent).joined(separator: ", ")) in \(target.name)",
                executable: try context.tool(named: "sluice-embed-files").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
