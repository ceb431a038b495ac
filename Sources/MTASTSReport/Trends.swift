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
    /// The statuses drawn in the status chart: the most frequent besides valid, no-record and the
    /// input's own (invalid-input, excluded).
    public let chartStatuses: [String]
    /// True when the counts are restricted to the domains present in every scan (`--panel`).
    public var panel = false
    /// Draw the charts' y axis on a log scale.
    public var logY = false

    /// Scans in the order of their start time (the x axis), then id.
    public init(scans: [ScanSummary], counts: [TrendCount], topStatuses n: Int = 4) {
        let scans = scans.sorted { ($0.meta.startedAt, $0.id) < ($1.meta.startedAt, $1.id) }
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
        // The chart's own choice among the statuses of adoption: at about 1% adoption the 6
        // invalid lines and 5 exclusions of an input outnumber each misconfigured status, and,
        // left out of the chart as the input's, they left it showing one status besides valid.
        chartStatuses = ScanReport.top(totals.filter { !["valid", "no-record", "invalid-input", "excluded"].contains($0.key) },
                                       n, by: { $0 }).map(\.0)
    }

    /// Pairs of consecutive scans (in start order) whose inputs differ (input_sha256): there,
    /// domains that entered or left the list move the shares as much as adoption does.
    public var inputChanges: [(ScanSummary, ScanSummary)] {
        zip(points, points.dropFirst()).compactMap { a, b in
            a.scan.meta.inputSHA256 == b.scan.meta.inputSHA256 ? nil : (a.scan, b.scan)
        }
    }

    /// The warning `trends` prints when inputs differ and --panel is not given; nil otherwise.
    public var inputWarning: String? {
        let c = inputChanges
        guard !c.isEmpty else { return nil }
        let pairs = c.map { "\($0.0.id) -> \($0.1.id)" }.joined(separator: ", ")
        return panel
            ? "scans of different inputs (input_sha256 differs: \(pairs)); --panel: only the domains present in every scan are counted"
            : "scans of different inputs (input_sha256 differs: \(pairs)): domains entering or leaving the list move the shares as much as adoption does; --panel counts only the domains present in every scan"
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
                     note: "record, valid, tlsrpt, dane: share of scanned; modes: share of valid; statuses: share of all rows"
                         + (panel ? "; panel: only the domains present in every scan" : ""))
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

    typealias SeriesDef = (name: String, color: String, f: (Point) -> (Int, Int))

    /// One chart and the table of its numbers: per (scan, series) the count, denominator, share.
    func figure(_ name: String, _ caption: String, yTitle: String, _ defs: [SeriesDef]) -> Figure {
        let chart = LineChart(series: defs.map { d in
            LineChart.Series(d.name, d.color, points.map { let (n, den) = d.f($0); return den == 0 ? nil : Double(n) / Double(den) })
        }, times: points.map(\.scan.meta.startedAt), yTitle: yTitle, logY: logY, title: name)
        var rows: [[Cell]] = []
        for p in points {
            for d in defs {
                let (n, den) = d.f(p)
                rows.append([.int(Int(p.scan.id)), .text(p.scan.meta.label), .text(utc(p.scan.meta.startedAt)), .text(d.name),
                             .int(n), .int(den), share(n, of: den)])
            }
        }
        let table = Table(name: name, title: caption, columns: ["scan_id", "label", "started_utc", "series", "domains", "denominator", "share"],
                          rows: rows)
        return Figure(name: name, text: caption, svg: chart.svg, data: table)
    }

    var scope: String {
        let n = points.count
        let span = points.isEmpty ? "" : ", \(utc(points.first!.scan.meta.startedAt).prefix(10)) to \(utc(points.last!.scan.meta.startedAt).prefix(10))"
        return "\(n) scan\(n == 1 ? "" : "s")\(span)" + (panel ? ", panel of the domains present in every scan" : "")
    }

    /// The charts of the page and of --figures-dir.
    public var figures: [Figure] {
        let statusColors = [SVG.palette[3], SVG.palette[2], SVG.palette[8], SVG.palette[6], SVG.palette[9], SVG.palette[7]]
        return [
            figure("trends_adoption", "MTA-STS, TLS-RPT and DANE adoption, share of scanned domains, by scan date (\(scope)).",
                   yTitle: "share of scanned domains", [
                       ("MTA-STS record", SVG.palette[0], { ($0.record, $0.scanned) }),
                       ("MTA-STS valid", SVG.palette[1], { ($0.valid, $0.scanned) }),
                       ("TLS-RPT valid", SVG.palette[4], { ($0.tlsrpt, $0.scanned) }),
                       ("DANE (TLSA)", SVG.palette[5], { ($0.dane, $0.scanned) }),
                   ]),
            figure("trends_modes", "Mode of valid MTA-STS policies, share of valid policies, by scan date (\(scope)).",
                   yTitle: "share of valid policies", [
                       ("enforce", "#16a34a", { ($0.mode["enforce"] ?? 0, $0.valid) }),
                       ("testing", "#f59e0b", { ($0.mode["testing"] ?? 0, $0.valid) }),
                       ("none", "#94a3b8", { ($0.mode["none"] ?? 0, $0.valid) }),
                   ]),
            figure("trends_status", "Domains by status, share of all rows, by scan date (\(scope)); no-record (the rest), invalid-input and excluded are left out.",
                   yTitle: "share of all rows",
                   // invalid-input and excluded are the input's, not adoption: table only
                   (["valid"] + chartStatuses).enumerated().map { i, st in
                       (st, i == 0 ? SVG.palette[1] : statusColors[(i - 1) % statusColors.count], { ($0.status[st] ?? 0, $0.rows) })
                   }),
        ]
    }

    public var html: String {
        var body = "<h1>MTA-STS trends</h1><p class=\"sub\">\(HTMLReport.escape(scope))</p>"
        if let w = inputWarning { body += "<p class=\"sub words\"><b>Note:</b> \(HTMLReport.escape(w))</p>" }
        for f in figures {
            body += HTMLReport.card(f.text, f.svg, wide: true) + "<div style=\"height:14px\"></div>"
        }
        body += HTMLReport.tableHTML(table)
        return HTMLReport.document(title: "MTA-STS trends", body: body)
    }
}
