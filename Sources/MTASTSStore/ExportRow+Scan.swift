// `export --scan-columns`: every row carries the scan it comes from (id, label, start time, the
// input's SHA-256, the tool version that scanned it), so exports of several scans can be
// concatenated, or turned into one Parquet file, and still say where each row came from. An
// option: the default rows (docs/CLI.md, analysis/SCHEMA.md) stay exactly as they are.
import MTASTSCore

public struct ExportScanColumns: Sendable, Hashable {
    /// Appended after the export's own CSV columns.
    public static let csvHeader = ["scan_id", "scan_label", "scan_started_at", "scan_input_sha256", "scan_tool_version"]

    public let cells: [String]
    /// The JSONL key `scan`, appended after the row's own keys.
    public let json: JSONValue

    public init(_ s: ScanSummary) {
        cells = [String(s.id), s.meta.label, String(s.meta.startedAt), s.meta.inputSHA256, s.meta.toolVersion]
        json = .object([("id", .int(Int(s.id))), ("label", .string(s.meta.label)), ("started_at", .int(Int(s.meta.startedAt))),
                         ("input_sha256", .string(s.meta.inputSHA256)), ("tool_version", .string(s.meta.toolVersion))])
    }
}

extension ExportRow {
    public func jsonLine(scan: ExportScanColumns) -> String {
        guard case .object(let pairs) = json else { return jsonLine }
        return JSONValue.object(pairs + [("scan", scan.json)]).rendered()
    }

    public func csvLine(scan: ExportScanColumns) -> String { CSV.line(csvCells + scan.cells) }
}
