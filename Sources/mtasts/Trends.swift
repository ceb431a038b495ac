// `mtasts trends`: the report's headline shares for every scan of a database, as a table
// (stdout), a long tidy CSV (--csv) and an HTML page with SVG line charts (--html).
import ArgumentParser
import MTASTSReport
import MTASTSStore

struct TrendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Adoption, validity and mode shares scan by scan.",
        discussion: "CSV columns: analysis/REPORTS.md. Shares use the denominators of `mtasts report`."
    )

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("Write one row per (scan, metric) as CSV.", valueName: "FILE"))
    var csv: String?

    @Option(help: ArgumentHelp("Write an HTML page with the charts.", valueName: "FILE"))
    var html: String?

    func run() throws {
        try Console.reportingFailures(of: "trends") {
            let store = try ScanStore(path: db, create: false)
            let trends = Trends(scans: try store.scans(), counts: try store.trendCounts())
            let out = try OutputFile("-")
            try out.write(trends.table.text)
            try out.close()
            if let csv { try ReportCommand.write(trends.csv, to: csv) }
            if let html { try ReportCommand.write(trends.html, to: html) }
        }
    }
}
