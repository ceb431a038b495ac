// Figures as files (`report --figures-dir`, `trends --figures-dir`): for each chart, NAME.svg (a
// standalone SVG: its own fonts, a white background, the caption under the chart) and NAME.csv
// (the numbers behind it, the same Table as the text and HTML outputs), plus captions.txt with
// one line per figure. Ready to \includegraphics (after an SVG-to-PDF conversion) with the data
// archived beside it.

public struct Figure: Sendable {
    /// File stem: NAME.svg and NAME.csv.
    public var name: String
    /// What the chart shows (the HTML card's title).
    public var text: String
    /// Where the numbers come from (scan, label, date), appended to the caption of the file.
    public var source: String
    /// The chart as drawn inline in the HTML page.
    public var svg: String
    public var data: Table

    public init(name: String, text: String, source: String = "", svg: String, data: Table) {
        self.name = name
        self.text = text
        self.source = source
        self.svg = svg
        self.data = data
    }

    /// The caption of the file: what it shows, and its source.
    public var caption: String { source.isEmpty ? text : text + " Source: " + source + "." }

    /// The standalone SVG file: the inline chart nested at its own size, the caption under it.
    public var svgFile: String {
        let (w, h) = SVG.viewBoxSize(svg) ?? (900, 360)
        // Caption lines of about 120 characters at 12 px fit 900 px; wider charts take more.
        let perLine = max(60, w * 120 / 900)
        let lines = SVG.wrap(caption, perLine)
        let total = h + 14 + lines.count * 16
        var inner = svg
        if let r = inner.firstRange(of: "width=\"100%\"") { inner.replaceSubrange(r, with: "width=\"\(w)\" height=\"\(h)\"") }
        if !inner.hasPrefix("<svg xmlns") { inner = inner.replacingFirst("<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ") }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(total)\" width=\"\(w)\" height=\"\(total)\">"
        s += "<title>\(SVG.escape(name))</title><desc>\(SVG.escape(caption))</desc>"
        s += "<style>text{font:12px \"DejaVu Sans\",Arial,Helvetica,sans-serif;fill:#334155}text.v{fill:#475569}text.in{fill:#fff;font-weight:600}text.cap{fill:#0f172a}</style>"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>" + inner
        for (i, l) in lines.enumerated() {
            s += "<text x=\"4\" y=\"\(h + 14 + i * 16)\" class=\"cap\">\(SVG.escape(l))</text>"
        }
        return s + "</svg>\n"
    }

    /// `NAME.svg: caption`, the line of captions.txt.
    public var captionLine: String { "\(name).svg: \(caption)\n" }
}

extension SVG {
    /// (width, height) of the first `viewBox="0 0 W H"`.
    static func viewBoxSize(_ svg: String) -> (Int, Int)? {
        guard let r = svg.firstRange(of: "viewBox=\"0 0 ") else { return nil }
        let rest = svg[r.upperBound...].prefix { $0 != "\"" }.split(separator: " ")
        guard rest.count == 2, let w = Int(rest[0]), let h = Int(rest[1]) else { return nil }
        return (w, h)
    }

    /// Words into lines of at most `n` characters (a longer word stays whole).
    static func wrap(_ text: String, _ n: Int) -> [String] {
        var lines: [String] = [], cur = ""
        for w in text.split(separator: " ") {
            if !cur.isEmpty && cur.count + 1 + w.count > n { lines.append(cur); cur = "" }
            cur += (cur.isEmpty ? "" : " ") + w
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = firstRange(of: a) else { return self }
        var s = self
        s.replaceSubrange(r, with: b)
        return s
    }
}
