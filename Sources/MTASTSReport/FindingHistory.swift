// Per-domain histories of findings across scans: for each pair of consecutive scans (in start
// order), each finding code of each domain present in BOTH scans is added (only in the later),
// kept (in both) or removed (only in the earlier). Domains in one scan only are left out: their
// findings did not change, the list did (`trends --panel` says the same for shares).
import MTASTSStore

public struct FindingHistory: Sendable {
    public struct Counts: Sendable, Hashable {
        public var added = 0
        public var kept = 0
        public var removed = 0
    }

    /// (old scan, new scan) in order.
    public private(set) var pairs: [(Int64, Int64)] = []
    /// Per pair: code → counts.
    public private(set) var counts: [[String: Counts]] = []
    /// Per pair: domains present in both scans.
    public private(set) var compared: [Int] = []
    /// The tidy rows of the CSV, when kept.
    public private(set) var csv = CSV.line(Self.csvHeader)
    let keepRows: Bool

    public static let csvHeader = ["old_scan", "new_scan", "domain", "code", "change"]

    public init(keepRows: Bool) { self.keepRows = keepRows }

    public mutating func beginPair(_ old: Int64, _ new: Int64) {
        pairs.append((old, new))
        counts.append([:])
        compared.append(0)
    }

    /// One domain of the current pair.
    public mutating func add(_ domain: String, _ old: Set<String>?, _ new: Set<String>?) {
        guard let old, let new, !pairs.isEmpty else { return }
        let i = pairs.count - 1
        compared[i] += 1
        for (code, change) in old.union(new).sorted().map({ ($0, old.contains($0) ? (new.contains($0) ? "kept" : "removed") : "added") }) {
            var c = counts[i][code] ?? Counts()
            switch change {
            case "added": c.added += 1
            case "removed": c.removed += 1
            default: c.kept += 1
            }
            counts[i][code] = c
            if keepRows { csv += CSV.line([String(pairs[i].0), String(pairs[i].1), domain, code, change]) }
        }
    }

    /// One row per (pair, code): domains where the code was added, kept, removed.
    public var table: Table {
        var rows: [[Cell]] = []
        for (i, p) in pairs.enumerated() {
            for (code, c) in counts[i].sorted(by: { ($0.value.added + $0.value.removed, $1.key) > ($1.value.added + $1.value.removed, $0.key) }) {
                rows.append([.int(Int(p.0)), .int(Int(p.1)), .text(code), .int(c.added), .int(c.kept), .int(c.removed),
                             .int(c.kept + c.removed), share(c.removed, of: c.kept + c.removed)])
            }
        }
        return Table(name: "finding_changes", title: "Findings across scans: domains where a code was added, kept, removed",
                     columns: ["old_scan", "new_scan", "code", "added", "kept", "removed", "had_before", "removed_share_of_before"], rows: rows,
                     note: "consecutive scans in start order; only domains present in both scans (\(zip(pairs, compared).map { "\($0.0.0) -> \($0.0.1): \($0.1)" }.joined(separator: ", ")) domains); most changed codes first")
    }
}
