// `mtasts merge --into FILE SHARD_DB...`: the shards of one scan become one scan.
import ArgumentParser
import Foundation
import MTASTSStore

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the shard databases of one scan (same input, options and shard count) into one scan.",
        discussion: """
        Each shard database holds one finished scan made with `--shards N --shard I`; all N shards
        must be given, each once. Example: mtasts merge --into survey.db shard-*.db
        """)

    @Option(help: ArgumentHelp("The database to merge into (created if absent).", valueName: "FILE"))
    var into: String

    @Argument(help: ArgumentHelp("The shard databases.", valueName: "SHARD_DB"))
    var shards: [String]

    func run() throws {
        do {
            let store = try ScanStore(path: into)
            let r = try store.merge(shardPaths: shards)
            Console.error("merged \(shards.count) shards into scan \(r.scanID) of \(into): \(r.domains) domains")
        } catch {
            Console.error("mtasts merge: \(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
