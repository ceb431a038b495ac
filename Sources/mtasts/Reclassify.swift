// `mtasts reclassify`: recompute statuses and findings of a stored scan from its stored evidence,
// after a classifier rule changed. No network.
import ArgumentParser
import MTASTSStore

struct ReclassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclassify",
        abstract: "Recompute the verdicts of a stored scan from its stored evidence.",
        discussion: """
        Rows without evidence (invalid-input, excluded) keep their status. Each batch of rows is \
        one transaction: an interrupted run leaves every row either old or new, never half.
        """
    )

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("The scan to reclassify; default the newest.", valueName: "ID"))
    var scan: Int64?

    func run() throws {
        try Console.reportingFailures(of: "reclassify") {
            let store = try ScanStore(path: db, create: false)
            let id = try store.resolveScan(scan)
            let r = try store.reclassify(scanID: id)
            Console.error("mtasts reclassify: scan \(id): \(r.reclassified) domains reclassified, \(r.changed) changed")
        }
    }
}
