// Entry point. ArgumentParser exits 64 on a usage error; our contract (docs/CLI.md) says 2, so
// errors are mapped here, in one place. Async commands (scan, check) need an async main.
import ArgumentParser
import Foundation

@main
enum Entry {
    static func main() async {
        do {
            var command = try MTASTS.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = MTASTS.exitCode(for: error)
            let message = MTASTS.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { Console.error(message) }
            exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}
