// The git commit in `mtasts --version` and in every scan's tool_version: a prebuild command runs
// commit.sh before every build (a build command would run only when its inputs change, and
// nothing SwiftPM tracks changes with a commit). Output: BuildCommit.swift, compiled into the
// `mtasts` target only, so a new commit recompiles one small file of the command line.
import Foundation
import PackagePlugin

@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "generated")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let package = context.package.directoryURL
        return [.prebuildCommand(displayName: "BuildCommit: the git commit of \(package.path)",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [package.appending(path: "Plugins/BuildCommit/commit.sh").path, package.path, out.path],
                                 outputFilesDirectory: out)]
    }
}
