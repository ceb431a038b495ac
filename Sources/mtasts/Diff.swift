// `mtasts diff`: what changed per domain between two scans of one database, counted by
// transition, with the cross-scan findings (docs/VERDICTS.md). The domains are joined by name
// in the store (a merge of two sorted cursors); MTASTSReport decides what counts as a change.
import ArgumentParser
import MTASTSReport
import MTASTSStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Domains whose status, mode, mx_status, policy or MX set changed between two scans.",
        discussion: """
        Prints counts by transition, the cross-scan findings, and the changed domains (the first \
        --limit). --csv writes one row per (domain, change); columns in analysis/REPORTS.md.
        """
    )

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Argument(help: ArgumentHelp("The earlier scan's id.", valueName: "OLD_SCAN"))
    var oldScan: Int64

    @Argument(help: ArgumentHelp("The later scan's id.", valueName: "NEW_SCAN"))
    var newScan: Int64

    @Option(help: ArgumentHelp("Write every change as CSV.", valueName: "FILE"))
    var csv: String?

    @Option(help: "Changed domains listed on stdout (0: none).")
    var limit: Int = 100

    func run() throws {
        try Console.reportingFailures(of: "diff") {
            let store = try ScanStore(path: db, create: false)
            let old = try store.resolveScan(oldScan), new = try store.resolveScan(newScan)
            var d = DiffSummary(oldScan: old, newScan: new, keepRows: csv != nil || limit > 0)
            try store.diffPairs(old: old, new: new) { d.add($0, $1) }
            let out = try OutputFile("-")
            try out.write(d.transitionTable.text + "\n")
            try out.write(d.findingsTable(title: "Cross-scan findings").text)
            if limit > 0 && d.changedDomains > 0 { try out.write("\nChanged domains\n===============\n" + d.domainList(limit: limit)) }
            try out.close()
            if let csv { try ReportCommand.write(d.csv, to: csv) }
        }
    }
}
