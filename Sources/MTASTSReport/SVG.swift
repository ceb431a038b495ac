// Inline SVG charts, hand-written: the report must be one file that opens offline, with no
// script and no external asset, so a chart library is out. Text is escaped; sizes are fixed
// pixel values (viewBox), so the page scales them and prints them.

public enum SVG {
    public static let palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#475569"]
    public static func severityColor(_ s: String) -> String {
        switch s { case "error": return "#dc2626"; case "warning": return "#f59e0b"; default: return "#2563eb" }
    }

    public struct Bar: Sendable {
        public var label: String
        public var value: Int
        public var color: String
        /// Printed after the count, e.g. a share "(12.3%)".
        public var suffix: String
        /// Printed instead of the value (a share drawn as bars: the value is its millionths).
        public var shown: String?
        public init(_ label: String, _ value: Int, color: String = SVG.palette[0], suffix: String = "", shown: String? = nil) {
            self.label = label; self.value = value; self.color = color; self.suffix = suffix; self.shown = shown
        }

        /// A share 0...1 as a bar, printed as a percentage, then the suffix.
        public static func share(_ label: String, _ n: Int, of d: Int, color: String, suffix: String = "") -> Bar {
            Bar(label, d == 0 ? 0 : Int((Double(n) / Double(d) * 1_000_000).rounded()), color: color, suffix: suffix, shown: SVG.percent(n, d))
        }
    }

    public static func escape(_ s: String) -> String {
        var o = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    /// Horizontal bars: label on the left, bar, count and suffix on the right.
    public static func horizontalBars(_ bars: [Bar], width: Int = 600, labelWidth: Int = 190, title: String) -> String {
        let row = 26, top = 8
        let height = top * 2 + max(1, bars.count) * row
        let maxV = max(1, bars.map(\.value).max() ?? 1)
        // Room on the right for the longest "count (suffix)" text, at ~6.6 px a character.
        let reserve = 16 + Int(Double(bars.map { ($0.shown ?? String($0.value)).count + $0.suffix.count }.max() ?? 8) * 6.6)
        let barMax = max(60, width - labelWidth - reserve)
        var s = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\">"
        for (i, b) in bars.enumerated() {
            let y = top + i * row
            let w = b.value == 0 ? 0 : max(2, b.value * barMax / maxV)
            s += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"l\">\(escape(clip(b.label, 28)))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(w)\" height=\"\(row - 8)\" rx=\"3\" fill=\"\(b.color)\"/>"
            s += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 17)\" class=\"v\">\(escape(b.shown ?? String(b.value)))\(escape(b.suffix))</text>"
        }
        if bars.isEmpty { s += "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" class=\"l\">no data</text>" }
        return s + "</svg>"
    }

    /// One bar split into parts (the mode split), with a legend under it.
    public static func stackedBar(_ parts: [Bar], width: Int = 600, title: String) -> String {
        let total = parts.reduce(0) { $0 + $1.value }
        var s = "<svg viewBox=\"0 0 \(width) 86\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\">"
        var x = 0
        for (i, p) in parts.enumerated() where total > 0 {
            let w = i == parts.count - 1 ? width - x : p.value * width / total
            s += "<rect x=\"\(x)\" y=\"6\" width=\"\(w)\" height=\"34\" fill=\"\(p.color)\"/>"
            if w > 60 {
                s += "<text x=\"\(x + w / 2)\" y=\"28\" text-anchor=\"middle\" class=\"in\">\(escape(percent(p.value, total)))</text>"
            }
            x += w
        }
        var lx = 0
        for p in parts {
            s += "<rect x=\"\(lx)\" y=\"56\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(p.color)\"/>"
            let label = "\(p.label): \(p.value) (\(percent(p.value, total)))"
            s += "<text x=\"\(lx + 18)\" y=\"67\" class=\"l\">\(escape(label))</text>"
            lx += 30 + label.count * 7
        }
        return s + "</svg>"
    }

    /// Vertical bars with a label under each (the max_age histogram).
    public static func columns(_ bars: [Bar], width: Int = 600, height: Int = 220, title: String) -> String {
        let bottom = height - 30, topPad = 22
        let maxV = max(1, bars.map(\.value).max() ?? 1)
        let slot = width / max(1, bars.count)
        var s = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<line x1=\"0\" y1=\"\(bottom)\" x2=\"\(width)\" y2=\"\(bottom)\" stroke=\"#cbd5e1\"/>"
        for (i, b) in bars.enumerated() {
            let h = b.value == 0 ? 0 : max(2, b.value * (bottom - topPad) / maxV)
            let x = i * slot + slot / 6
            s += "<rect x=\"\(x)\" y=\"\(bottom - h)\" width=\"\(slot * 2 / 3)\" height=\"\(h)\" rx=\"3\" fill=\"\(b.color)\"/>"
            s += "<text x=\"\(x + slot / 3)\" y=\"\(bottom - h - 6)\" text-anchor=\"middle\" class=\"v\">\(b.value)</text>"
            s += "<text x=\"\(x + slot / 3)\" y=\"\(bottom + 18)\" text-anchor=\"middle\" class=\"l\">\(escape(b.label))</text>"
        }
        return s + "</svg>"
    }

    public static func percent(_ n: Int, _ d: Int) -> String { d == 0 ? "–" : Cell.percent(Double(n) / Double(d)) }
}
