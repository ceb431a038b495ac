// Entry point. ArgumentParser exits 64 on a usage error; our contract (docs/CLI.md) says 2, so
// errors are mapped here, in one place.
import ArgumentParser
import MTASTSCore
#if canImport(Glibc)
import Glibc
#endif

do {
    var command = try MTASTS.parseAsRoot()
    try command.run()
} catch {
    let code = MTASTS.exitCode(for: error)
    let message = MTASTS.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    if !message.isEmpty { Console.error(message) }
    if code == .validationFailure { exit(ExitStatus.usage) }
    exit(code.rawValue)
}
