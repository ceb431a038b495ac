import Foundation

/// Status, progress and errors go to stderr; data to stdout (docs/CLI.md).
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
