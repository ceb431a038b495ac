// Runs the real `mtasts` binary as a subprocess, the way a researcher's script would.
import Foundation

struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
    }
}

enum CLI {
    /// The binary built beside the test bundle (`.build/<config>/mtasts`), or $MTASTS_BIN.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["MTASTS_BIN"] { return URL(fileURLWithPath: path) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // The runner may sit inside `<name>.xctest/` or directly in the build folder.
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("mtasts").path),
              dir.pathComponents.count > 1 {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("mtasts")
    }

    static func run(_ arguments: [String], stdin: Data? = nil) throws -> CLIResult {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin) }
        try inp.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot deadlock.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }
}
