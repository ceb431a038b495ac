// One table of a report, and its three renderings: aligned text (stdout), tidy CSV (one file per
// table, --csv-dir) and HTML (report.html). Every report number is a cell of some `Table`, so the
// three outputs can never disagree: they render the same values.
import MTASTSStore

/// A cell: text, a count, or a share (a fraction 0...1, nil when its denominator is 0).
public enum Cell: Sendable, Hashable {
    case text(String)
    case int(Int)
    case share(Double?)

    /// For people: counts as is, shares as a percentage ("–" when undefined) with one decimal,
    /// or more below 1% so that a small share keeps two significant digits (`percent`).
    public var display: String {
        switch self {
        case .text(let s): return s
        case .int(let n): return String(n)
        case .share(let x): return x.map(Self.percent) ?? "–"
        }
    }

    /// For CSV: shares as a fraction with 6 decimals (so sums stay exact enough), empty when undefined.
    public var csv: String {
        switch self {
        case .text(let s): return s
        case .int(let n): return String(n)
        case .share(let x): return x.map { Self.fixed($0, 6) } ?? ""
        }
    }

    var isNumeric: Bool { if case .text = self { return false } else { return true } }

    /// One decimal from 1% up; below, enough decimals for two significant digits (at most 4), so
    /// 2 of 9,989 prints 0.020%, not 0.0%, and a nonzero share never prints as zero unless it is
    /// under 0.00005%.
    static func percent(_ x: Double) -> String { fixed(x * 100, percentDigits(x * 100)) + "%" }

    static func percentDigits(_ p: Double) -> Int {
        let a = abs(p)
        guard a > 0, a < 1 else { return 1 }
        var digits = 2, bound = 0.1   // 0.1 <= a < 1: two decimals (0.50%)
        while a < bound && digits < 4 { digits += 1; bound /= 10 }
        // 0.9996% rounds to 1.00%: from 1% on, one decimal, as everywhere else
        return fixed(a, digits).hasPrefix("1.") && a > 0.5 ? 1 : digits
    }

    /// Fixed-point without Foundation's locale-dependent formatters.
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return "–" }   // never a trap on NaN, infinity or overflow
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((abs(x) * scale).rounded())
        let whole = n / Int(scale), frac = n % Int(scale)
        var f = String(frac)
        while f.count < digits { f = "0" + f }
        return (x < 0 && n > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + f : "")
    }
}

/// A share that is nil when there is nothing to divide by (never a silent 0%).
public func share(_ n: Int, of d: Int) -> Cell { .share(d == 0 ? nil : Double(n) / Double(d)) }

public struct Table: Sendable, Hashable {
    /// The CSV file stem and the HTML anchor: `funnel` → funnel.csv.
    public var name: String
    public var title: String
    /// CSV header names (snake_case, documented in analysis/REPORTS.md).
    public var columns: [String]
    public var rows: [[Cell]]
    /// What the reader must know to read the numbers right (a denominator, a fallback).
    public var note: String?

    public init(name: String, title: String, columns: [String], rows: [[Cell]], note: String? = nil) {
        self.name = name
        self.title = title
        self.columns = columns
        self.rows = rows
        self.note = note
    }

    /// The CSV file: a header row, then one line per row (RFC 4180, formula-inert: the store's CSV rules).
    public var csv: String {
        CSV.line(columns) + rows.map { CSV.line($0.map(\.csv)) }.joined()
    }

    /// Aligned columns, numbers right-aligned, under a title line and an underline.
    public var text: String {
        var out = title + "\n" + String(repeating: "=", count: title.count) + "\n"
        if let note { out += note + "\n" }
        if rows.isEmpty { return out + "(none)\n" }
        let cells = rows.map { $0.map(\.display) }
        var widths = columns.map(\.count)
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        let numeric = columns.indices.map { i in rows.allSatisfy { i < $0.count && $0[i].isNumeric } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return numeric[i] ? pad + c : c + pad
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        out += line(columns)
        out += line(widths.map { String(repeating: "-", count: $0) })
        for r in cells { out += line(r) }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Seconds since 1970 as `2025-06-15 14:13:20Z`, without Foundation's formatters (pure and
/// locale-free). Days to civil date: Howard Hinnant's `civil_from_days`.
public func utc(_ t: Int64) -> String {
    let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
    let secs = t - days * 86_400
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(y)-\(two(m))-\(two(d)) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))Z"
}
