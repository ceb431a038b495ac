import ArgumentParser
import MTASTSCore
import MTASTSNet

/// Exit statuses of the command-line contract.
enum ExitStatus {
    static let done: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    /// `lint`: what was checked is not valid (a finding of severity error).
    static let notValid: Int32 = 4
}

struct MTASTS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mtasts",
        abstract: "Survey MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE deployment, RFC-exact.",
        discussion: """
        Subcommands: `lint` checks a record, policy or TLS-RPT record before it is published.
        Data goes to stdout, progress and errors to stderr. Exit status: 0 done, 1 failure,
        2 usage error, 4 (lint) not valid.
        """,
        version: "mtasts \(toolVersion)",
        subcommands: [Scan.self, Check.self, ExportCommand.self, Merge.self, Lint.self, ReclassifyCommand.self, ReportCommand.self, TrendsCommand.self, DiffCommand.self, Version.self]
    )
}

/// The version with the commit the binary was built from (`buildCommit`, written before every
/// build by Plugins/BuildCommit): `0.1.0 (commit 0123456789ab, dirty)`. Stored as each scan's
/// tool_version, so the report and export --scan-columns carry the same string.
let toolVersion = "\(MTASTSVersion.string) (\(buildCommit))"

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of mtasts and of the C libraries it runs on.")

    func run() {
        print("mtasts \(toolVersion)")
        print(LibraryVersions.summary)
    }
}
