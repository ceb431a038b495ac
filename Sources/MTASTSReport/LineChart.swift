// The trends chart: shares over time, one line with markers per series. Why these choices:
//   - x is the scan's start time, not its position: three scans a month, a month and a year
//     apart must not look evenly spaced;
//   - y is scaled to the data (0 to a round number above the largest share), because a real
//     adoption of 0.9% -> 1.75% drawn on a fixed 0-100% axis is a flat line on zero; `logY`
//     draws shares of very different sizes (valid 1%, enforce 60% of valid) on one axis;
//   - every point has a marker, of a different shape per series, so the chart reads in black
//     and white and a series of one scan still shows;
//   - x labels keep the whole date (and the time of day when the scans span under three days);
//     a label that would overlap the previous one is left out, its tick stays.
// Pure: values in, SVG text out (inline in the HTML page, or a standalone file via `SVG.file`).

public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var color: String
        /// One share (0...1) per x value; nil where undefined (a zero denominator).
        public var values: [Double?]
        public init(_ name: String, _ color: String, _ values: [Double?]) {
            self.name = name; self.color = color; self.values = values
        }
    }

    public var series: [Series]
    /// Seconds since 1970, one per point, ascending.
    public var times: [Int64]
    public var yTitle: String
    public var xTitle = "scan start (UTC)"
    public var logY = false
    public var title: String
    public var width = 900
    public var height = 360

    public init(series: [Series], times: [Int64], yTitle: String, logY: Bool = false, title: String) {
        self.series = series
        self.times = times
        self.yTitle = yTitle
        self.logY = logY
        self.title = title
    }

    /// The y axis: its range and ticks (shares, 0...1).
    struct Axis {
        var lo: Double
        var hi: Double
        var ticks: [Double]
    }

    /// A "nice" step (1, 2, 2.5 or 5 times a power of ten) for about `count` intervals up to `hi`.
    static func niceStep(_ hi: Double, count: Int) -> Double {
        let raw = hi / Double(count)
        var p = 1.0
        while p > raw { p /= 10 }
        while p * 10 <= raw { p *= 10 }
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * p >= raw { return m * p }
        return 10 * p
    }

    static func linearAxis(_ maxV: Double) -> Axis {
        guard maxV > 0 else { return Axis(lo: 0, hi: 0.01, ticks: [0, 0.0025, 0.005, 0.0075, 0.01]) }
        let step = niceStep(min(1, maxV * 1.08), count: 5)
        var ticks: [Double] = [0], t = 0.0
        while t < maxV * 1.04 { t += step; ticks.append(t) }
        return Axis(lo: 0, hi: ticks.last!, ticks: ticks)
    }

    /// Decades that hold every positive value, ticks at 1, 2 and 5 of each decade.
    static func logAxis(_ positives: [Double]) -> Axis {
        // No positive value (no scan, or every share zero): one decade, nothing drawn on it.
        guard let mn = positives.min(), let mx = positives.max() else { return Axis(lo: 0.001, hi: 0.01, ticks: [0.001, 0.002, 0.005, 0.01]) }
        var lo = 1.0, hi = 1.0
        while lo > mn { lo /= 10 }
        while hi / 10 >= mx { hi /= 10 }
        if hi < mx { hi *= 10 }
        if hi <= lo { hi = lo * 10 }
        var ticks: [Double] = [], d = lo
        while d <= hi * 1.0001 {
            for m in [1.0, 2.0, 5.0] where d * m <= hi * 1.0001 { ticks.append(d * m) }
            d *= 10
        }
        return Axis(lo: lo, hi: hi, ticks: ticks)
    }

    var axis: Axis {
        let all = series.flatMap { $0.values.compactMap { $0 } }
        return logY ? Self.logAxis(all.filter { $0 > 0 }) : Self.linearAxis(all.max() ?? 0)
    }

    /// A tick label: as few decimals as tell the ticks apart.
    static func tickLabel(_ v: Double, step: Double) -> String {
        var digits = 0, s = step * 100
        while digits < 4 && (s - s.rounded()).magnitude > 1e-9 { digits += 1; s *= 10 }
        return Cell.fixed(v * 100, digits) + "%"
    }

    public var svg: String {
        let left = 78, right = 210, top = 16, bottom = height - 70
        let plotW = width - left - right, plotH = bottom - top
        let ax = axis
        func y(_ v: Double) -> Double {
            if logY { return Double(bottom) - (log10Pure(v) - log10Pure(ax.lo)) / (log10Pure(ax.hi) - log10Pure(ax.lo)) * Double(plotH) }
            return Double(bottom) - (v - ax.lo) / (ax.hi - ax.lo) * Double(plotH)
        }
        let t0 = times.min() ?? 0, t1 = times.max() ?? 0
        // A margin inside the plot so that the first and last markers and labels are not on the frame.
        let inset = 36
        func x(_ i: Int) -> Double {
            t1 == t0 ? Double(left + plotW / 2)
                : Double(left + inset) + Double(times[i] - t0) / Double(t1 - t0) * Double(plotW - 2 * inset)
        }
        func f(_ d: Double) -> String { Cell.fixed(d, 1) }

        var s = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(SVG.escape(title))\">"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#cbd5e1\"/>"
        let step = ax.ticks.count > 1 ? ax.ticks[1] - ax.ticks[0] : ax.hi
        for t in ax.ticks {
            let yy = f(y(t))
            s += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(left + plotW)\" y2=\"\(yy)\" stroke=\"#e2e8f0\"/>"
            let label = logY ? Self.tickLabel(t, step: t) : Self.tickLabel(t, step: step)
            s += "<text x=\"\(left - 6)\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\" class=\"v\">\(label)</text>"
        }
        // y title, rotated, and x title under the labels
        s += "<text transform=\"translate(16 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\" class=\"l\">\(SVG.escape(yTitle + (logY ? " (log scale)" : "")))</text>"
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"l\">\(SVG.escape(xTitle))</text>"

        let withTime = t1 - t0 < 3 * 86_400
        var lastLabelX = -1000.0
        for i in times.indices {
            let xx = x(i)
            s += "<line x1=\"\(f(xx))\" y1=\"\(bottom)\" x2=\"\(f(xx))\" y2=\"\(bottom + 5)\" stroke=\"#64748b\"/>"
            guard xx - lastLabelX >= 96 else { continue }
            lastLabelX = xx
            let stamp = utc(times[i]) // 2025-06-15 14:13:20Z
            s += "<text x=\"\(f(xx))\" y=\"\(bottom + 20)\" text-anchor=\"middle\" class=\"l\">\(stamp.prefix(10))</text>"
            // the time of day when the scans span under three days; with seconds under an hour
            let clock = stamp.dropFirst(11).prefix(t1 - t0 < 3600 ? 8 : 5)
            if withTime { s += "<text x=\"\(f(xx))\" y=\"\(bottom + 35)\" text-anchor=\"middle\" class=\"v\">\(clock)Z</text>" }
        }

        for (k, se) in series.enumerated() {
            let pts: [(Double, Double)] = se.values.indices.compactMap { i in
                guard i < times.count, let v = se.values[i], !logY || v > 0 else { return nil }
                return (x(i), y(v))
            }
            if pts.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(se.color)\" stroke-width=\"2.2\" points=\"\(pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>"
            }
            for p in pts { s += Self.marker(k, p.0, p.1, se.color) }
            let ly = Double(top + 12 + k * 24)
            s += Self.marker(k, Double(left + plotW + 22), ly - 4, se.color)
            let last = se.values.last.flatMap { $0 }.map { " " + Cell.percent($0) } ?? ""
            s += "<text x=\"\(left + plotW + 34)\" y=\"\(f(ly))\" class=\"l\">\(SVG.escape(SVG.clip(se.name, 24) + last))</text>"
        }
        return s + "</svg>"
    }

    /// Circle, square, triangle, diamond, then again.
    static func marker(_ k: Int, _ x: Double, _ y: Double, _ color: String) -> String {
        func f(_ d: Double) -> String { Cell.fixed(d, 1) }
        switch k % 4 {
        case 0: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(color)\"/>"
        case 1: return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\"/>"
        case 2: return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 4.5)),\(f(y + 3.5)) \(f(x - 4.5)),\(f(y + 3.5))\" fill=\"\(color)\"/>"
        default: return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y)) \(f(x)),\(f(y + 5)) \(f(x - 5)),\(f(y))\" fill=\"\(color)\"/>"
        }
    }
}

/// log10 without Foundation (MTASTSReport is pure Swift): ln via the series of atanh.
func log10Pure(_ x: Double) -> Double {
    guard x > 0 else { return -.infinity }
    var m = x, e = 0.0
    while m >= 10 { m /= 10; e += 1 }
    while m < 1 { m *= 10; e -= 1 }
    // ln(m) for m in [1, 10): 2 atanh((m-1)/(m+1))
    let z = (m - 1) / (m + 1), z2 = z * z
    var term = z, sum = 0.0
    for n in stride(from: 1, through: 59, by: 2) { sum += term / Double(n); term *= z2 }
    return e + 2 * sum / 2.302585092994046
}
