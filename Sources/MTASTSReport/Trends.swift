// `trends`: the report's headline shares scan by scan, from per-scan group counts. Shares use
// the same denominators as `report` (scanned for adoption, valid for modes), so a trend line and
// a report of one scan never disagree.
import MTASTSStore

public struct Trends: Sendable {
    public struct Point: Sendable {
        public var scan: ScanSummary
        public var rows = 0
        public var scanned = 0
        public var record = 0
        public var valid = 0
        public var mode: [String: Int] = [:]
        public var status: [String: Int] = [:]
        public var tlsrpt = 0
        public var dane = 0
    }

    public private(set) var points: [Point]
    /// The statuses shown: the most frequent over all scans, besides valid and no-record.
    public let topStatuses: [String]

    public init(scans: [ScanSummary], counts: [TrendCount], topStatuses n: Int = 4) {
        var byID: [Int64: Point] = [:]
        for s in scans { byID[s.id] = Point(scan: s) }
        var totals: [String: Int] = [:]
        for c in counts {
            guard var p = byID[c.scanID] else { continue }
            p.rows += c.domains
            p.status[c.status, default: 0] += c.domains
            let reached = Funnel.reached(c.status)
            if reached >= 1 { p.scanned += c.domains }
            if reached >= 2 { p.record += c.domains }
            if c.status == "valid" { p.valid += c.domains }
            if let m = c.mode { p.mode[m, default: 0] += c.domains }
            if c.tlsrptValid { p.tlsrpt += c.domains }
            if c.dane { p.dane += c.domains }
            byID[c.scanID] = p
            totals[c.status, default: 0] += c.domains
        }
        points = scans.compactMap { byID[$0.id] }
        topStatuses = ScanReport.top(totals.filter { $0.key != "valid" && $0.key != "no-record" }, n, by: { $0 }).map(\.0)
    }

    /// (metric, count, denominator) per point, in column order.
    func metrics(_ p: Point) -> [(String, Int, Int)] {
        [("record", p.record, p.scanned), ("valid", p.valid, p.scanned)]
            + modeOrder.map { ("mode " + $0, p.mode[$0] ?? 0, p.valid) }
            + [("tlsrpt valid", p.tlsrpt, p.scanned), ("dane", p.dane, p.scanned)]
            + topStatuses.map { ("status " + $0, p.status[$0] ?? 0, p.rows) }
    }

    /// Wide, for people: one row per scan.
    public var table: Table {
        let names = points.first.map { metrics($0).map(\.0) } ?? []
        return Table(name: "trends", title: "Trends over \(points.count) scans",
                     columns: ["scan_id", "label", "scanned"] + names,
                     rows: points.map { p in
                         [.int(Int(p.scan.id)), .text(p.scan.meta.label), .int(p.scanned)] + metrics(p).map { share($0.1, of: $0.2) }
                     },
                     note: "record, valid, tlsrpt, dane: share of scanned; modes: share of valid; statuses: share of all rows")
    }

    public static let csvHeader = ["scan_id", "label", "started_at", "metric", "domains", "denominator", "share"]

    /// Long and tidy, for plotting: one row per (scan, metric).
    public var csv: String {
        CSV.line(Self.csvHeader) + points.flatMap { p in
            metrics(p).map { m in
                CSV.line([String(p.scan.id), p.scan.meta.label, String(p.scan.meta.startedAt), m.0, String(m.1), String(m.2),
                          share(m.1, of: m.2).csv])
            }
        }.joined()
    }

    public var html: String {
        func series(_ name: String, _ color: String, _ f: (Point) -> (Int, Int)) -> (name: String, color: String, values: [Double?]) {
            (name, color, points.map { let (n, d) = f($0); return d == 0 ? nil : Double(n) / Double(d) })
        }
        let labels = points.map { "#\($0.scan.id) \($0.scan.meta.label)" }
        let adoption = SVG.lines([
            series("record (of scanned)", SVG.palette[0]) { ($0.record, $0.scanned) },
            series("valid (of scanned)", SVG.palette[1]) { ($0.valid, $0.scanned) },
            series("TLS-RPT (of scanned)", SVG.palette[4]) { ($0.tlsrpt, $0.scanned) },
            series("DANE (of scanned)", SVG.palette[5]) { ($0.dane, $0.scanned) },
        ], xLabels: labels, title: "adoption over scans")
        let modes = SVG.lines([
            series("enforce (of valid)", "#16a34a") { ($0.mode["enforce"] ?? 0, $0.valid) },
            series("testing (of valid)", "#f59e0b") { ($0.mode["testing"] ?? 0, $0.valid) },
            series("none (of valid)", "#94a3b8") { ($0.mode["none"] ?? 0, $0.valid) },
        ], xLabels: labels, title: "modes over scans")
        let body = "<h1>MTA-STS trends</h1><p class=\"sub\">\(points.count) scans of one database</p>"
            + HTMLReport.card("Adoption", adoption, wide: true) + "<div style=\"height:14px\"></div>"
            + HTMLReport.card("Modes of valid policies", modes, wide: true) + "<div style=\"height:14px\"></div>"
            + HTMLReport.tableHTML(table)
        return HTMLReport.document(title: "MTA-STS trends", body: body)
    }
}
