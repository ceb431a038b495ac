// Runs the real `mtasts` binary from bash, for what Process cannot set up itself: a closed stdin,
// a directory as stdin, `<(...)`, a FIFO, /usr/bin/time around the command. `$MTASTS` is the binary.
import Foundation

enum Shell {
    static func run(_ script: String, in dir: URL) throws -> CLIResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["MTASTS"] = CLI.binary.path
        p.environment = env
        // Output to files, not pipes: nothing to drain while waiting.
        let outURL = dir.appendingPathComponent(".shell-stdout"), errURL = dir.appendingPathComponent(".shell-stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let o = try Data(contentsOf: outURL), e = try Data(contentsOf: errURL)
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }

    /// A fresh directory under the system's temporary one.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Scan flags that never leave the machine: the resolver is a closed loopback port, so every
    /// domain is dns-error at once; invalid lines need no network at all.
    static let offline = "--resolver 127.0.0.1:9 --timeout 1 --retries 0 --contact http://scan.test --ehlo-name scanner.test"
}
