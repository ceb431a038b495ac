// The charts of `mtasts report`, each with the table of its numbers: drawn inline in the HTML
// page and written as files by --figures-dir (Figures.swift). Chart and CSV come from the same
// counters, so a figure and its data cannot disagree.

extension ScanReport {
    public var figures: [Figure] {
        let s = stats, scanned = s.scanned, c = s.cuts
        let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let scope = "scan \(scan.id) (\(scan.meta.label), \(utc(scan.meta.startedAt).prefix(10)))"
        var f: [Figure] = []
        func add(_ name: String, _ table: String, _ caption: String, _ svg: String) {
            f.append(Figure(name: name, text: caption, source: scope, svg: svg, data: byName[table]!))
        }

        let modeColors = ["enforce": "#16a34a", "testing": "#f59e0b", "none": "#94a3b8"]
        let funnelColors = ["#1e3a8a", "#2563eb", "#3b82f6", "#0d9488"]
        add("funnel", "funnel", "Deployment funnel: domains per stage, with their share of \(scanned) scanned domains.",
            SVG.horizontalBars(Funnel.stages.indices.map { i in
                SVG.Bar(Funnel.stages[i].name, s.funnel[i], color: funnelColors[i], suffix: "  (\(SVG.percent(s.funnel[i], scanned)))")
            } + modeOrder.map { SVG.Bar("valid, \($0)", s.mode[$0] ?? 0, color: modeColors[$0]!, suffix: "  (\(SVG.percent(s.mode[$0] ?? 0, scanned)))") },
            labelWidth: 130, title: "funnel"))
        add("mode", "mode", "Mode of the \(s.valid) valid policies.",
            SVG.stackedBar(modeOrder.map { SVG.Bar($0, s.mode[$0] ?? 0, color: modeColors[$0]!) }, title: "modes"))
        add("status", "status", "Every status, share of all \(s.rows) rows.",
            SVG.horizontalBars(ScanReport.ordered(s.status, statusOrder).map {
                SVG.Bar($0, s.status[$0]!, color: $0 == "valid" ? "#16a34a" : ($0 == "no-record" ? "#94a3b8" : "#ea580c"),
                        suffix: "  (\(SVG.percent(s.status[$0]!, s.rows)))")
            }, labelWidth: 150, title: "statuses"))
        add("mail_domains", "mail_domains", "Adoption among all \(c.all.scanned) scanned domains and among the \(c.mailOnly.scanned) mail domains (an MX that is not null).",
            SVG.horizontalBars([
                SVG.Bar.share("record, of scanned", c.all.record, of: c.all.scanned, color: SVG.palette[0], suffix: "  (\(c.all.record))"),
                SVG.Bar.share("record, of mail domains", c.mailOnly.record, of: c.mailOnly.scanned, color: SVG.palette[5], suffix: "  (\(c.mailOnly.record))"),
                SVG.Bar.share("valid, of scanned", c.all.valid, of: c.all.scanned, color: SVG.palette[1], suffix: "  (\(c.all.valid))"),
                SVG.Bar.share("valid, of mail domains", c.mailOnly.valid, of: c.mailOnly.scanned, color: SVG.palette[7], suffix: "  (\(c.mailOnly.valid))"),
            ], labelWidth: 180, title: "mail domains"))
        var rankBars: [SVG.Bar] = []
        for (i, top) in RankBucket.tops.enumerated() where c.rankTops[i].scanned > 0 && (i == 0 || c.rankTops[i] != c.rankTops[i - 1]) {
            let k = c.rankTops[i]
            rankBars.append(.share(RankBucket.name(top), k.record, of: k.scanned, color: SVG.palette[0], suffix: "  (\(k.record) of \(k.scanned))"))
        }
        if c.unranked.scanned > 0 {
            rankBars.append(.share("unranked", c.unranked.record, of: c.unranked.scanned, color: SVG.palette[9], suffix: "  (\(c.unranked.record) of \(c.unranked.scanned))"))
        }
        add("rank_buckets", "rank_buckets", "Share of scanned domains with an MTA-STS record, by rank bucket (cumulative: the top 10k includes the top 1k).",
            SVG.horizontalBars(rankBars, labelWidth: 110, title: "rank buckets"))
        add("tld", "tld", "Share of scanned domains with an MTA-STS record, for the 12 public suffixes with the most scanned domains.",
            SVG.horizontalBars(ScanReport.top(c.tld, 12, by: { $0.scanned }).map {
                .share($0.0, $0.1.record, of: $0.1.scanned, color: SVG.palette[4], suffix: "  (\($0.1.record) of \($0.1.scanned))")
            }, labelWidth: 150, title: "tld"))
        add("misconfiguration", "misconfiguration", "Misconfigured domains by category, share of the \(c.all.record) domains with an MTA-STS record.",
            SVG.horizontalBars(Misconfiguration.categories.map {
                .share($0.name, c.misconfigured[$0.name] ?? 0, of: c.all.record, color: "#ea580c", suffix: "  (\(c.misconfigured[$0.name] ?? 0))")
            } + [.share("any of the above", c.misconfigured.values.reduce(0, +), of: c.all.record, color: "#dc2626",
                        suffix: "  (\(c.misconfigured.values.reduce(0, +)))")], labelWidth: 170, title: "misconfiguration"))
        add("findings", "findings", "The 12 most frequent findings: domains, share of scanned (red error, amber warning, blue info).",
            SVG.horizontalBars(ScanReport.top(s.findingDomains, 12, by: { $0 }).map {
                SVG.Bar($0.0, $0.1, color: SVG.severityColor(s.findingSeverity[$0.0] ?? ""), suffix: "  (\(SVG.percent($0.1, scanned)))")
            }, labelWidth: 210, title: "findings"))
        add("mx_providers", "mx_providers", "Top MX providers (registrable domain of the MX hosts): domains, and of them with an MTA-STS record.",
            SVG.horizontalBars(ScanReport.top(s.providers, 12, by: { $0.all }).map {
                SVG.Bar($0.0, $0.1.all, color: SVG.palette[5], suffix: "  (\($0.1.record) with record)")
            }, labelWidth: 190, title: "providers"))
        // Teal, not red: a count of operators is no error.
        add("dns_operators", "dns_operators", "Top DNS operators (registrable domain of the NS hosts) of the \(s.withRecord) domains with an MTA-STS record: domains, and of them valid.",
            SVG.horizontalBars(ScanReport.top(s.dnsOperators, 12, by: { $0.record }).map {
                SVG.Bar($0.0, $0.1.record, color: "#0d9488", suffix: "  (\($0.1.valid) valid, \($0.1.misconfigured) misconfigured)")
            }, labelWidth: 190, title: "DNS operators"))
        add("max_age", "max_age", "Policy max_age of valid policies.",
            SVG.columns(MaxAgeBucket.names.indices.map { SVG.Bar(MaxAgeBucket.names[$0], s.maxAgeValid[$0], color: SVG.palette[4]) }, title: "max_age"))
        let adoption = [("MTA-STS record", s.withRecord), ("MTA-STS valid", s.valid),
                        ("TLS-RPT valid", s.tlsrpt["valid"] ?? 0), ("DANE (TLSA)", s.findingDomains["dane-tlsa"] ?? 0),
                        ("STS + TLS-RPT", s.overlap[6] + s.overlap[7]), ("STS + DANE", s.overlap[5] + s.overlap[7]), ("all three", s.overlap[7])]
        add("adoption", "adoption", "MTA-STS, TLS-RPT and DANE: domains, share of scanned.",
            SVG.horizontalBars(adoption.enumerated().map {
                SVG.Bar($0.element.0, $0.element.1, color: SVG.palette[$0.offset % 3], suffix: "  (\(SVG.percent($0.element.1, scanned)))")
            }, labelWidth: 130, title: "adoption"))
        return f
    }
}
