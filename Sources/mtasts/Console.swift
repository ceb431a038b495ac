import ArgumentParser
import Foundation
import MTASTSStore

/// Status, progress and errors go to stderr; data to stdout (docs/CLI.md).
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Runs a command's body; a database or output failure becomes one line on stderr, prefixed
    /// with the command ("mtasts export: ..."), and exit status 1. Other errors pass through.
    static func reportingFailures(of command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as StoreError {
            error("mtasts \(command): \(e)")
            throw ExitCode(ExitStatus.failure)
        } catch let e as OutputFile.Failure {
            error("mtasts \(command): \(e.message)")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
