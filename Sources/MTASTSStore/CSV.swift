// The CSV form of an export row (docs/CLI.md; columns documented in analysis/SCHEMA.md).
//   - RFC 4180: a header row, CRLF line ends, a cell with `"`, `,`, CR or LF is quoted and its
//     `"` doubled. UTF-8, no byte-order mark.
//   - Lists are joined with one space: codes, host names, mx patterns and rua URIs never contain
//     a space (a URI must percent-encode it). MX hosts are three aligned columns (host,
//     preference, result); `mx_results` is empty when the hosts were not probed.
//   - Null and an empty list are both an empty cell.
//   - Formula injection: a cell a spreadsheet would run as a formula (first character `=`, `+`,
//     `-`, `@`, tab or CR) gets a leading `'`, so `=cmd()` is shown, never run. Only text from the
//     network or the input can start so (a TXT record, an input line, a Content-Type).

public enum CSV {
    public static let header: [String] = [
        "domain", "input", "rank", "status", "mode", "mx_status", "findings",
        "record_id", "record_raw", "policy_max_age", "policy_mx", "policy_http_status", "policy_content_type",
        "mx_hosts", "mx_preferences", "mx_results", "tlsrpt_status", "tlsrpt_rua",
        "dane_status", "delivery",
    ]

    public static var headerLine: String { line(header) }

    /// One record: cells made inert, quoted where needed, joined by commas, ending in CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map { quote(inert($0)) }.joined(separator: ",") + "\r\n"
    }

    static func inert(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first else { return cell }
        switch first {
        case "=", "+", "-", "@", "\t", "\r": return "'" + cell
        default: return cell
        }
    }

    static func quote(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0 == "\"" || $0 == "," || $0 == "\r" || $0 == "\n" }) else { return cell }
        return "\"" + cell.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension ExportRow {
    /// The cells in the order of `CSV.header`.
    public var csvCells: [String] {
        func s(_ v: String?) -> String { v ?? "" }
        func n(_ v: Int?) -> String { v.map(String.init) ?? "" }
        func list(_ a: [String]?) -> String { (a ?? []).joined(separator: " ") }
        let hosts = mx ?? []
        let results: String = hosts.allSatisfy({ $0.result != nil }) ? hosts.map { $0.result! }.joined(separator: " ") : ""
        return [
            s(domain), input, n(rank), status, s(mode), mxStatus, findings.map(\.code).joined(separator: " "),
            s(recordID), s(recordRaw), n(policyMaxAge), list(policyMX), n(httpStatus), s(contentType),
            hosts.map(\.host).joined(separator: " "), hosts.map { String($0.preference) }.joined(separator: " "), results,
            s(tlsrptStatus), list(tlsrptRUA), s(daneStatus), s(delivery),
        ]
    }

    public var csvLine: String { CSV.line(csvCells) }
}

extension String {
    /// By Unicode scalar, not Character: a `"` followed by a combining mark is one Character
    /// that is not `"`, yet a CSV reader still sees a quote byte.
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            if u == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }
}
