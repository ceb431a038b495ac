// The report as ONE self-contained HTML file: inline CSS, inline SVG, no script, no font, no
// image, no URL to fetch, so it opens offline, archives with a paper's data, and leaks nothing
// to a third party when opened. The tables are the same `Table` values as the text and CSV.

public enum HTMLReport {
    static let css = """
    :root{--fg:#0f172a;--mut:#64748b;--bd:#e2e8f0;--bg:#f8fafc}
    *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    main{max-width:1220px;margin:0 auto;padding:24px 28px 48px}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}
    .sub{color:var(--mut);margin:0 0 20px;font-size:13px;word-break:break-all}
    .kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin-bottom:18px}
    .kpi{background:#fff;border:1px solid var(--bd);border-radius:10px;padding:12px 14px}
    .kpi b{display:block;font-size:24px}.kpi span{color:var(--mut);font-size:12px}
    .kpi.bad b{color:#dc2626}
    .grid{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin-bottom:18px}
    .card{background:#fff;border:1px solid var(--bd);border-radius:10px;padding:14px 16px;break-inside:avoid;overflow-x:auto}
    .wide{grid-column:1 / -1}
    svg text{font:12px system-ui,-apple-system,"DejaVu Sans",sans-serif;fill:#334155}svg text.v{fill:#475569}svg text.in{fill:#fff;font-weight:600}
    .tables{columns:2;column-gap:14px}.tables .card{margin-bottom:14px;display:inline-block;width:100%}
    table{border-collapse:collapse;width:100%;font-size:12.5px}
    th,td{padding:3px 8px;border-bottom:1px solid var(--bd);text-align:left;vertical-align:top}
    th{color:var(--mut);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    td{word-break:break-word}.note{color:var(--mut);font-size:12px;margin:6px 0 0}
    td:first-child{word-break:normal;overflow-wrap:normal}.sub.words{word-break:normal}
    footer{color:var(--mut);font-size:12px;margin-top:20px}
    @media (max-width:900px){.grid{grid-template-columns:1fr}.tables{columns:1}.kpis{grid-template-columns:repeat(2,1fr)}}
    """

    public static func escape(_ s: String) -> String { SVG.escape(s) }

    public static func tableHTML(_ t: Table) -> String {
        var h = "<div class=\"card\" id=\"\(escape(t.name))\"><h2>\(escape(t.title))</h2><table><thead><tr>"
        let numeric = t.columns.indices.map { i in !t.rows.isEmpty && t.rows.allSatisfy { i < $0.count && $0[i].isNumeric } }
        // A break opportunity after each `_`: long snake_case headers wrap instead of widening the table.
        for c in t.columns { h += "<th>\(escape(c).split(separator: "_", omittingEmptySubsequences: false).joined(separator: "_<wbr>"))</th>" }
        h += "</tr></thead><tbody>"
        for r in t.rows {
            h += "<tr>" + r.enumerated().map { i, c in "<td\(i < numeric.count && numeric[i] ? " class=\"n\"" : "")>\(escape(c.display))</td>" }.joined() + "</tr>"
        }
        if t.rows.isEmpty { h += "<tr><td colspan=\"\(t.columns.count)\">(none)</td></tr>" }
        h += "</tbody></table>"
        if let n = t.note { h += "<p class=\"note\">\(escape(n))</p>" }
        return h + "</div>"
    }

    static func card(_ title: String, _ body: String, wide: Bool = false) -> String {
        "<div class=\"card\(wide ? " wide" : "")\"><h2>\(escape(title))</h2>\(body)</div>"
    }

    /// A whole page around the given body.
    public static func document(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<title>\(escape(title))</title><style>\(css)</style></head><body><main>\(body)</main></body></html>\n"
    }

    public static func page(_ r: ScanReport) -> String {
        let s = r.stats, scanned = s.scanned
        let m = r.scan.meta
        var b = "<h1>MTA-STS report — scan \(r.scan.id): \(escape(m.label))</h1>"
        b += "<p class=\"sub\">input \(escape(m.inputName)) · SHA-256 \(escape(m.inputSHA256)) · mtasts \(escape(m.toolVersion)) · \(s.rows) rows</p>"

        func kpi(_ value: String, _ label: String, bad: Bool = false) -> String {
            "<div class=\"kpi\(bad ? " bad" : "")\"><b>\(escape(value))</b><span>\(escape(label))</span></div>"
        }
        let enforce = s.mode["enforce"] ?? 0
        b += "<div class=\"kpis\">" + kpi(String(scanned), "domains scanned")
            + kpi(SVG.percent(s.withRecord, scanned), "\(s.withRecord) publish an MTA-STS record")
            + kpi(SVG.percent(s.valid, scanned), "\(s.valid) have a valid policy")
            + kpi(SVG.percent(enforce, s.valid), "of valid policies enforce (\(enforce))")
            + kpi(String(s.blocksAllMX), "enforce-blocks-all-mx: mail refused", bad: s.blocksAllMX > 0) + "</div>"

        var g = "<div class=\"grid\">"
        for f in r.figures { g += card(f.text, f.svg) }
        g += "</div>"
        b += g

        // Tables of more than five columns (the cuts) get the full width: in a half column they overflow.
        let tables = r.tables
        b += "<div class=\"tables\">" + tables.filter { $0.columns.count <= 5 }.map(tableHTML).joined() + "</div>"
        b += tables.filter { $0.columns.count > 5 }.map { tableHTML($0) + "<div style=\"height:14px\"></div>" }.joined()
        b += "<footer>Generated by mtasts report from the scan database; the same tables are in the text output and in --csv-dir. Definitions: analysis/REPORTS.md.</footer>"
        return document(title: "MTA-STS report, scan \(r.scan.id)", body: b)
    }
}
