// The Public Suffix List algorithm (https://publicsuffix.org/list/, "Formal algorithm"), pure:
// the command reads the file (Debian's `publicsuffix` package puts it at
// /usr/share/publicsuffix/public_suffix_list.dat) and hands the text in.
//
// Why: "top MX providers" must group aspmx.l.google.com and alt1.aspmx.l.google.com under
// google.com, and mx1.example.co.uk under example.co.uk, not co.uk. Only the ICANN section is
// used: the PRIVATE section splits one operator's hosts (e.g. regional amazonaws.com names)
// into many groups, which is the opposite of what a provider table wants.
//
// Rules are kept in their ASCII (Punycode A-label) form: the list writes IDN rules in Unicode
// (`公司.cn`), while stored names are A-labels (`xn--55qx5d.cn`); compared as written, an IDN
// rule would never match.
import MTASTSCore

public struct PublicSuffixList: Sendable {
    /// Exact rules ("com", "co.uk"), wildcard bases ("ck" for "*.ck"), exceptions ("www.ck" for "!www.ck").
    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []
    /// False for the fallback (no list): the registrable domain is the last two labels.
    public let isList: Bool
    /// The list's `// VERSION:` (and `// COMMIT:`) header when it has one, else empty; the report
    /// adds the file's SHA-256, which identifies a copy without such a header.
    public private(set) var version = ""
    /// Rules read (ICANN section).
    public private(set) var ruleCount = 0

    /// Parses the list's text: one rule per line, `//` comments, only up to the end of the ICANN section.
    public init(text: String) {
        isList = true
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            if raw.contains("===END ICANN DOMAINS===") { break }
            if raw.hasPrefix("// VERSION: ") || raw.hasPrefix("// COMMIT: ") {
                version += (version.isEmpty ? "" : " ") + String(raw.dropFirst(3)).trimmingTrailingSpaces()
            }
            if line.isEmpty || line.hasPrefix("//") { continue }
            ruleCount += 1
            let rule = Self.ascii(line)
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()))
            } else if rule.hasPrefix("*.") {
                wildcards.insert(String(rule.dropFirst(2)))
            } else {
                rules.insert(rule)
            }
        }
    }

    private init() { isList = false }

    /// A rule in A-label form: each label normalised as an input name is (lower case, Punycode);
    /// `*` and a leading `!` kept. A label that does not normalise stays lower-cased as written.
    static func ascii(_ rule: String) -> String {
        let bang = rule.hasPrefix("!")
        let labels = (bang ? String(rule.dropFirst()) : rule).split(separator: ".", omittingEmptySubsequences: false)
        let out = labels.map { l -> String in
            l == "*" ? "*" : (DomainName.normalise(String(l)) ?? l.lowercased())
        }.joined(separator: ".")
        return (bang ? "!" : "") + out
    }

    /// No list available: every name's suffix is its last label (the "*" default rule alone).
    public static let lastTwoLabels = PublicSuffixList()

    /// The number of labels of the name's public suffix.
    func suffixLabelCount(_ labels: [Substring]) -> Int {
        guard isList else { return 1 }
        var best = 1 // the default rule "*"
        for i in labels.indices {
            let name = labels[i...].joined(separator: ".")
            let count = labels.count - i
            // An exception rule wins over everything: its suffix is the rule minus its first label.
            if exceptions.contains(name) { return count - 1 }
            if rules.contains(name) { best = max(best, count) }
            if i + 1 < labels.count, wildcards.contains(labels[(i + 1)...].joined(separator: ".")) { best = max(best, count) }
        }
        return best
    }

    /// The public suffix of a name (`co.uk` for `mx.example.co.uk`), lower-cased, no final dot.
    public func publicSuffix(_ host: String) -> String {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count > 1, !labels.contains(where: \.isEmpty) else { return h }
        let n = min(suffixLabelCount(labels), labels.count)
        return labels[(labels.count - n)...].joined(separator: ".")
    }

    /// The registrable domain (public suffix plus one label), lower-cased, without a final dot;
    /// the name itself when it is a public suffix or has one label (nothing to group it under).
    public func registrableDomain(_ host: String) -> String {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count > 1, !labels.contains(where: \.isEmpty) else { return h }
        let n = suffixLabelCount(labels)
        guard n < labels.count else { return h }
        return labels[(labels.count - n - 1)...].joined(separator: ".")
    }
}
