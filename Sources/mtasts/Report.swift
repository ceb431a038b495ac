// `mtasts report`: one scan's statistics as text tables (stdout), tidy CSVs (--csv-dir) and one
// self-contained HTML page (--html). The store reads, MTASTSReport counts and renders; this file
// only wires them and does the file I/O.
import ArgumentParser
import Foundation
import MTASTSCore
import MTASTSReport
import MTASTSStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Statistics of one scan: funnel, statuses, findings, providers, TLS-RPT, DANE and sender profiles.",
        discussion: """
        Prints the tables on stdout. --csv-dir writes each table as DIR/<name>.csv (columns in \
        analysis/REPORTS.md); --html writes one self-contained page with SVG charts. When the \
        database holds an earlier scan, the cross-scan findings against it are included. The \
        sender profiles (docs/PROFILES.md) are computed from the stored evidence: what each \
        sender does with each domain's mail, and the domains whose mail each would refuse.
        """
    )

    static let defaultPSL = "/usr/share/publicsuffix/public_suffix_list.dat"

    @Option(help: ArgumentHelp("The SQLite database written by `mtasts scan`.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("The scan to report; default the newest.", valueName: "ID"))
    var scan: Int64?

    @Option(name: .customLong("csv-dir"), help: ArgumentHelp("Write each table as a CSV file into this directory (created if absent).", valueName: "DIR"))
    var csvDir: String?

    @Option(help: ArgumentHelp("Write the report as one self-contained HTML file.", valueName: "FILE"))
    var html: String?

    @Option(help: ArgumentHelp("The Public Suffix List (Debian package publicsuffix), e.g. a newer copy of https://publicsuffix.org/list/public_suffix_list.dat. Without it MX hosts are grouped by their last two labels.", valueName: "FILE"))
    var psl: String = ReportCommand.defaultPSL

    @Option(name: .customLong("figures-dir"), help: ArgumentHelp("Write each chart as DIR/<name>.svg with the numbers behind it as DIR/<name>.csv, and DIR/captions.txt.", valueName: "DIR"))
    var figuresDir: String?

    @Option(help: "Rows in the top-N tables (providers, delegation targets).")
    var top: Int = 20

    func validate() throws {
        // a negative N trapped in prefix(_:) (found by attacking the option)
        guard top >= 0 else { throw ValidationError("--top must be 0 or more, not \(top)") }
    }

    func run() throws {
        try Console.reportingFailures(of: "report") {
            let store = try ScanStore(path: db, create: false)
            let id = try store.resolveScan(scan)
            guard let summary = try store.scans().first(where: { $0.id == id }) else { throw ExitCode(ExitStatus.failure) }
            let (list, source) = Self.loadPSLWithSource(psl)
            var stats = ScanStatistics(psl: list)
            try store.reportRows(scanID: id) { stats.add($0) }
            var cross: DiffSummary?
            if let prev = try store.previousScanID(before: id) {
                var d = DiffSummary(oldScan: prev, newScan: id, keepRows: false)
                try store.diffPairs(old: prev, new: id) { d.add($0, $1) }
                cross = d
            }
            var report = ScanReport(scan: summary, stats: stats, issuers: try store.issuerCounts(scanID: id), crossScan: cross)
            report.topN = top
            report.pslSource = source
            var profiles = ProfileStatistics()
            try store.profileRows(scanID: id) { profiles.add($0) }
            report.profiles = profiles
            let tables = report.tables
            let out = try OutputFile("-")
            try out.write(tables.map(\.text).joined(separator: "\n"))
            try out.close()
            if let csvDir { try Self.writeCSVs(tables, to: csvDir) }
            if let html { try Self.write(HTMLReport.page(report), to: html) }
            if let figuresDir { try Self.writeFigures(report.figures, to: figuresDir) }
        }
    }

    /// The list, or the last-two-labels fallback with a warning (the tables say so too).
    static func loadPSL(_ path: String) -> PublicSuffixList { loadPSLWithSource(path).0 }

    /// The list and where it came from (path, its VERSION header if any, SHA-256 of the file),
    /// so that a report says which list grouped its hosts.
    static func loadPSLWithSource(_ path: String) -> (PublicSuffixList, String) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            Console.error("mtasts: no Public Suffix List at \(path): grouping MX hosts by their last two labels")
            return (.lastTwoLabels, "none (\(path) not readable): last two labels")
        }
        let list = PublicSuffixList(text: String(decoding: data, as: UTF8.self))
        return (list, "\(path)" + (list.version.isEmpty ? "" : " (\(list.version))") + " sha256 \(SHA256.hex(data))")
    }

    static func writeCSVs(_ tables: [Table], to dir: String) throws {
        try makeDirectory(dir)
        for t in tables { try write(t.csv, to: (dir as NSString).appendingPathComponent(t.name + ".csv")) }
    }

    /// DIR/<name>.svg and DIR/<name>.csv per figure, and DIR/captions.txt.
    static func writeFigures(_ figures: [Figure], to dir: String) throws {
        try makeDirectory(dir)
        for f in figures {
            try write(f.svgFile, to: (dir as NSString).appendingPathComponent(f.name + ".svg"))
            try write(f.data.csv, to: (dir as NSString).appendingPathComponent(f.name + ".csv"))
        }
        try write(figures.map(\.captionLine).joined(), to: (dir as NSString).appendingPathComponent("captions.txt"))
    }

    static func makeDirectory(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue {
            throw OutputFile.Failure(message: "cannot create directory '\(dir)': a file of that name exists")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputFile.Failure(message: "cannot create directory '\(dir)': \(error.localizedDescription)")
        }
    }

    static func write(_ s: String, to path: String) throws {
        let f = try OutputFile(path)
        try f.write(s)
        try f.close()
    }
}
