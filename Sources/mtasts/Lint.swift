// `mtasts lint`: check what an operator is about to publish, with no network.
import ArgumentParser
import Foundation
import MTASTSCore

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an _mta-sts record, a policy file or a TLS-RPT record before publishing it.",
        discussion: """
        Examples:
          mtasts lint --record 'v=STSv1; id=20240501'
          mtasts lint --policy mta-sts.txt
          curl -s https://mta-sts.example.com/.well-known/mta-sts.txt | mtasts lint --policy -
          mtasts lint --tlsrpt 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com'
        Each finding is printed with its severity, the RFC section it rests on and how to fix it.
        Exit status: 0 valid, 4 not valid (a finding of severity error), 1 failure, 2 usage.
        """
    )

    @Option(name: .customLong("record"), help: ArgumentHelp("One TXT record of _mta-sts, its strings already joined. Repeat for several records.", valueName: "TEXT"))
    var records: [String] = []

    @Option(name: .customLong("policy"), help: ArgumentHelp("A policy file, read byte for byte as it would be served; - for stdin.", valueName: "FILE|-"))
    var policy: String?

    @Option(name: .customLong("tlsrpt"), help: ArgumentHelp("One TXT record of _smtp._tls. Repeat for several records.", valueName: "TEXT"))
    var tlsrpt: [String] = []

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if records.isEmpty && policy == nil && tlsrpt.isEmpty {
            throw ValidationError("give at least one of --record, --policy or --tlsrpt")
        }
    }

    func run() throws {
        var report = LintReport()
        if !records.isEmpty {
            report.addRecord(STSRecordParser.parse(texts: records))
        }
        if let policy {
            guard let bytes = Self.read(policy) else {
                Console.error("mtasts lint: cannot read policy file '\(policy)'")
                throw ExitCode(ExitStatus.failure)
            }
            report.addPolicy(PolicyParser.parse(bytes))
        }
        if !tlsrpt.isEmpty {
            report.addTLSRPT(TLSRPTParser.parse(texts: tlsrpt))
        }
        print(json ? report.json.rendered() : report.text, terminator: json ? "\n" : "")
        if !report.isValid { throw ExitCode(ExitStatus.notValid) }
    }

    static func read(_ path: String) -> [UInt8]? {
        if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
}

/// What lint found, gathered over the record, policy and TLS-RPT checks asked for.
struct LintReport {
    var sections: [(title: String, findings: [Finding])] = []
    var id: String?
    var mode: PolicyMode?
    var maxAge: Int?
    var mx: [String]?
    var rua: [String]?

    var findings: [Finding] { sections.flatMap(\.findings) }
    var isValid: Bool { !findings.hasError }

    mutating func addRecord(_ r: STSRecordResult) {
        var f = r.findings
        if r.kind == .absent {
            f.append(Finding(.txtSyntaxError, detail: "not an MTA-STS record: it must begin with `v=STSv1` followed by ';'"))
        }
        id = r.id
        sections.append(("_mta-sts record", f))
    }

    mutating func addPolicy(_ p: PolicyResult) {
        mode = p.mode
        maxAge = p.maxAge
        mx = p.mx
        sections.append(("policy", p.findings))
    }

    mutating func addTLSRPT(_ t: TLSRPTResult) {
        var f = t.findings
        if t.status == .absent {
            f.append(Finding(.tlsrptInvalid, detail: "not a TLS-RPT record: it must begin with `v=TLSRPTv1` followed by ';'"))
        }
        rua = t.rua
        sections.append(("_smtp._tls record", f))
    }

    var json: JSONValue {
        .object([
            ("valid", .bool(isValid)),
            ("mode", .optional(mode?.rawValue)),
            ("id", .optional(id)),
            ("max_age", .optional(maxAge)),
            ("mx", mx.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("rua", rua.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("findings", .array(findings.map { f in
                .object([("code", .string(f.code.rawValue)), ("severity", .string(f.severity.rawValue)),
                         ("detail", .optional(f.detail)), ("section", .string(f.code.explanation.section))])
            })),
        ])
    }

    var text: String {
        var out = ""
        for (title, findings) in sections {
            let errors = findings.filter { $0.severity == .error }.count
            out += "\(title): " + (errors == 0 ? "valid" : "NOT valid (\(errors) error\(errors == 1 ? "" : "s"))") + "\n"
            out += FindingText.render(findings, indent: 2)
        }
        if let id { out += "id: \(id)\n" }
        if let mode { out += "mode: \(mode.rawValue)\n" }
        if let maxAge { out += "max_age: \(maxAge)\n" }
        if let mx, !mx.isEmpty { out += "mx: \(mx.joined(separator: ", "))\n" }
        if let rua, !rua.isEmpty { out += "rua: \(rua.joined(separator: ", "))\n" }
        out += isValid ? "result: valid\n" : "result: NOT valid\n"
        return out
    }
}
