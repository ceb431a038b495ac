import MTASTSCore

/// A finding as `lint` and `check` print it: severity, code, host, RFC section, what it means,
/// what was seen, and the fix.
enum FindingText {
    static func render(_ f: Finding, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let more = pad + String(repeating: " ", count: 8)
        let x = f.code.explanation
        var out = pad + "\(f.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(f.code.rawValue)"
        out += (f.host.map { " (\($0))" } ?? "") + "  [\(x.section)]\n"
        out += more + x.meaning + "\n"
        if let d = f.detail { out += more + "seen: \(d)\n" }
        out += more + "fix:  \(x.fix)\n"
        return out
    }

    /// Errors first, then warnings, then facts.
    static func render(_ findings: [Finding], indent: Int) -> String {
        findings.sorted { $0.severity < $1.severity }.map { render($0, indent: indent) }.joined()
    }
}
