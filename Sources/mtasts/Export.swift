// `mtasts export`: one scan as JSONL or CSV (docs/CLI.md; the rendering is MTASTSStore's
// ExportRow, shared with `check --json`). Rows in input line order, streamed.
import ArgumentParser
import Foundation
import MTASTSStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one scan's domains as JSONL or CSV.",
        discussion: """
        JSONL: one object per domain with every key present (null when unknown), in input line \
        order. CSV: the same fields flattened, lists joined with a space, RFC 4180 quoting, a \
        header row; a cell starting with = + - @ tab or CR gets a leading ' so that spreadsheets \
        show it instead of running it. Columns: analysis/SCHEMA.md.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("The scan to export (see the scans table); default the newest.", valueName: "ID"))
    var scan: Int64?

    @Option(help: "jsonl or csv.")
    var format: Format

    @Option(help: ArgumentHelp("Where to write; - for stdout.", valueName: "FILE|-"))
    var output: String = "-"

    @Flag(name: .customLong("scan-columns"), help: "Add the scan to every row: CSV columns scan_id, scan_label, scan_started_at, scan_input_sha256, scan_tool_version after the others; JSONL key `scan`.")
    var scanColumns = false

    func run() throws {
        try Console.reportingFailures(of: "export") {
            let store = try ScanStore(path: db, create: false)
            let id = try store.resolveScan(scan)
            let meta: ExportScanColumns? = scanColumns ? try store.scans().first { $0.id == id }.map(ExportScanColumns.init) : nil
            let out = try OutputFile(output)
            if format == .csv { try out.write(meta == nil ? CSV.headerLine : CSV.line(CSV.header + ExportScanColumns.csvHeader)) }
            try store.exportRows(scanID: id) { row in
                if let meta {
                    try out.write(format == .jsonl ? row.jsonLine(scan: meta) + "\n" : row.csvLine(scan: meta))
                } else {
                    try out.write(format == .jsonl ? row.jsonLine + "\n" : row.csvLine)
                }
            }
            try out.close()
        }
    }
}
