// `mtasts trends`: the report's headline shares for every scan of a database, as a table
// (stdout), a long tidy CSV (--csv), an HTML page with SVG line charts (--html) and one SVG +
// CSV per chart (--figures-dir). Scans are placed by their start time.
import ArgumentParser
import MTASTSReport
import MTASTSStore

struct TrendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Adoption, validity and mode shares scan by scan.",
        discussion: """
        CSV columns: analysis/REPORTS.md. Shares use the denominators of `mtasts report`. When \
        consecutive scans are of different inputs (input_sha256 differs) a warning is printed on \
        stderr: domains entering or leaving a list move the shares as much as adoption does; \
        --panel counts only the domains present in every chosen scan.
        """
    )

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(name: .customLong("scan"), help: ArgumentHelp("A scan to include (repeatable); default every scan.", valueName: "ID"))
    var scans: [Int64] = []

    @Flag(help: "Count only the domains present in every chosen scan (a panel), so that list churn does not look like adoption change.")
    var panel = false

    @Flag(name: .customLong("log-y"), help: "Draw the charts' y axis on a log scale.")
    var logY = false

    @Option(help: ArgumentHelp("Write one row per (scan, metric) as CSV.", valueName: "FILE"))
    var csv: String?

    @Option(help: ArgumentHelp("Write an HTML page with the charts.", valueName: "FILE"))
    var html: String?

    @Option(name: .customLong("figures-dir"), help: ArgumentHelp("Write each chart as DIR/<name>.svg with the numbers behind it as DIR/<name>.csv, and DIR/captions.txt.", valueName: "DIR"))
    var figuresDir: String?

    @Option(name: .customLong("findings-csv"), help: ArgumentHelp("Per-domain histories of findings: one row per (scan pair, domain, code) added, kept or removed, for domains present in both scans of each consecutive pair; a summary table on stdout.", valueName: "FILE"))
    var findingsCSV: String?

    func run() throws {
        try Console.reportingFailures(of: "trends") {
            let store = try ScanStore(path: db, create: false)
            for id in scans { _ = try store.resolveScan(id) }
            let chosen = Set(scans)
            let all = try store.scans().filter { chosen.isEmpty || chosen.contains($0.id) }
            var trends = Trends(scans: all, counts: try store.trendCounts(scanIDs: all.map(\.id), panel: panel))
            trends.panel = panel
            trends.logY = logY
            if let w = trends.inputWarning { Console.error("mtasts trends: warning: " + w) }
            let out = try OutputFile("-")
            try out.write(trends.table.text)
            try out.close()
            if let csv { try ReportCommand.write(trends.csv, to: csv) }
            if let html { try ReportCommand.write(trends.html, to: html) }
            if let figuresDir { try ReportCommand.writeFigures(trends.figures, to: figuresDir) }
            if let findingsCSV {
                var h = FindingHistory(keepRows: true)
                let ids = trends.points.map(\.scan.id)
                for (a, b) in zip(ids, ids.dropFirst()) {
                    h.beginPair(a, b)
                    try store.findingPairs(old: a, new: b) { h.add($0, $1, $2) }
                }
                let out = try OutputFile("-")
                try out.write("\n" + h.table.text)
                try out.close()
                try ReportCommand.write(h.csv, to: findingsCSV)
            }
        }
    }
}
