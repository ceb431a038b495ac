// What changed for one domain between two scans, and the four cross-scan findings of
// docs/VERDICTS.md. Pure: `compare` takes the two stored sides and returns the changes.
//
// Definitions (analysis/REPORTS.md):
//   - a domain "has a record" when its status is record-invalid or later (an STS record was found);
//   - policy-changed-id-unchanged (error): valid in both scans, the same record id, and policy
//     bodies that differ byte for byte. Senders that cached the old policy never refetch it;
//   - policy-id-changed-body-same (info): valid in both, ids differ, bodies identical;
//   - mode-changed (info): valid in both, modes differ (old and new mode in the change row);
//   - record-removed (warning): a record in the old scan, status no-record in the new one. A
//     dns-error in the new scan is not a removal: adoption is then unknown.
// Bodies are compared as bytes: the RFC ties the id to the policy, and a byte change that a
// parser reads the same (line endings, key order) is still a change the operator made.
import MTASTSCore
import MTASTSStore

public struct Change: Sendable, Hashable {
    /// status, mode, mx_status, record, policy_id, policy_body, mx_set, domain, finding
    public var kind: String
    public var old: String
    public var new: String
    /// For kind `finding`: the code and its severity.
    public var code: String?
    public var severity: String?

    /// The transition as counted and printed: `testing -> enforce`, `record removed`.
    public var transition: String {
        switch kind {
        case "record", "domain": return "\(kind) \(new.isEmpty ? "removed" : "added")"
        case "policy_id": return "policy id changed"
        case "policy_body": return "policy body changed"
        case "mx_set": return "MX set changed"
        case "finding": return code ?? ""
        default: return "\(old.isEmpty ? "-" : old) -> \(new.isEmpty ? "-" : new)"
        }
    }
}

public enum DomainDiff {
    static let recordStatuses: Set<String> = ["record-invalid", "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"]

    public static func hasRecord(_ status: String) -> Bool { recordStatuses.contains(status) }

    static func finding(_ code: FindingCode, _ old: String, _ new: String) -> Change {
        Change(kind: "finding", old: old, new: new, code: code.rawValue, severity: code.severity.rawValue)
    }

    /// Every change of one domain, in a fixed order: presence, status, mode, mx_status, record,
    /// policy, MX set, then the cross-scan findings.
    public static func compare(_ o: DiffSide?, _ n: DiffSide?) -> [Change] {
        guard let o, let n else {
            return [Change(kind: "domain", old: o == nil ? "" : "present", new: n == nil ? "" : "present")]
        }
        var out: [Change] = []
        if o.status != n.status { out.append(Change(kind: "status", old: o.status, new: n.status)) }
        // A mode change is its own transition only when both are valid; otherwise the status says it.
        if let om = o.mode, let nm = n.mode, om != nm { out.append(Change(kind: "mode", old: om, new: nm)) }
        if o.mxStatus != n.mxStatus { out.append(Change(kind: "mx_status", old: o.mxStatus, new: n.mxStatus)) }
        let oRec = hasRecord(o.status), nRec = hasRecord(n.status)
        if oRec != nRec && o.status != "dns-error" && n.status != "dns-error" {
            out.append(Change(kind: "record", old: oRec ? "present" : "", new: nRec ? "present" : ""))
        }
        if oRec && nRec && o.recordID != n.recordID {
            out.append(Change(kind: "policy_id", old: o.recordID ?? "", new: n.recordID ?? ""))
        }
        if let ob = o.policyBody, let nb = n.policyBody, ob != nb {
            out.append(Change(kind: "policy_body", old: "\(ob.count) bytes", new: "\(nb.count) bytes"))
        }
        if let oh = o.mxHosts, let nh = n.mxHosts, oh != nh {
            out.append(Change(kind: "mx_set", old: oh.joined(separator: " "), new: nh.joined(separator: " ")))
        }

        let bothValid = o.status == "valid" && n.status == "valid"
        if bothValid, let oi = o.recordID, oi == n.recordID, let ob = o.policyBody, let nb = n.policyBody, ob != nb {
            out.append(finding(.policyChangedIDUnchanged, oi, oi))
        }
        if bothValid, o.recordID != n.recordID, let ob = o.policyBody, ob == n.policyBody {
            out.append(finding(.policyIDChangedBodySame, o.recordID ?? "", n.recordID ?? ""))
        }
        if bothValid, let om = o.mode, let nm = n.mode, om != nm { out.append(finding(.modeChanged, om, nm)) }
        if oRec && n.status == "no-record" { out.append(finding(.recordRemoved, o.recordID ?? "", "")) }
        return out
    }
}

/// Counts by transition and the changed domains, accumulated domain by domain.
public struct DiffSummary: Sendable {
    public let oldScan: Int64
    public let newScan: Int64
    public private(set) var compared = 0
    public private(set) var changedDomains = 0
    /// (kind, transition) → domains.
    public private(set) var transitions: [String: [String: Int]] = [:]
    /// Cross-scan finding code → domains.
    public private(set) var findings: [String: Int] = [:]
    /// Every change row, when kept (diff keeps them for --csv and the list; report does not).
    public private(set) var rows: [(domain: String, change: Change)] = []
    let keepRows: Bool

    public init(oldScan: Int64, newScan: Int64, keepRows: Bool) {
        self.oldScan = oldScan
        self.newScan = newScan
        self.keepRows = keepRows
    }

    public mutating func add(_ o: DiffSide?, _ n: DiffSide?) {
        compared += 1
        let changes = DomainDiff.compare(o, n)
        guard !changes.isEmpty else { return }
        changedDomains += 1
        let domain = (o ?? n)!.domain
        for c in changes {
            if c.kind == "finding" { findings[c.code ?? "", default: 0] += 1 }
            transitions[c.kind, default: [:]][c.transition, default: 0] += 1
            if keepRows { rows.append((domain, c)) }
        }
    }

    static let kindOrder = ["domain", "status", "mode", "mx_status", "record", "policy_id", "policy_body", "mx_set", "finding"]

    public var transitionTable: Table {
        var rows: [[Cell]] = []
        for k in Self.kindOrder {
            for (t, n) in (transitions[k] ?? [:]).sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                rows.append([.text(k), .text(t), .int(n), share(n, of: compared)])
            }
        }
        return Table(name: "transitions", title: "Changes from scan \(oldScan) to scan \(newScan): \(changedDomains) of \(compared) domains changed",
                     columns: ["kind", "transition", "domains", "share_of_compared"], rows: rows,
                     note: "compared: domain names in either scan; a domain counts once per transition")
    }

    public func findingsTable(title: String) -> Table {
        let codes: [FindingCode] = [.policyChangedIDUnchanged, .policyIDChangedBodySame, .modeChanged, .recordRemoved]
        return Table(name: "cross_scan_findings", title: title, columns: ["code", "severity", "domains"],
                     rows: codes.map { [.text($0.rawValue), .text($0.severity.rawValue), .int(findings[$0.rawValue] ?? 0)] },
                     note: "scan \(oldScan) -> scan \(newScan); definitions in analysis/REPORTS.md")
    }

    public static let csvHeader = ["old_scan", "new_scan", "domain", "kind", "transition", "old", "new", "code", "severity"]

    /// One row per (domain, change): the tidy form of the diff.
    public var csv: String {
        CSV.line(Self.csvHeader) + rows.map { r in
            CSV.line([String(oldScan), String(newScan), r.domain, r.change.kind, r.change.transition, r.change.old, r.change.new,
                      r.change.code ?? "", r.change.severity ?? ""])
        }.joined()
    }

    /// The changed domains, one line each: `domain: status valid -> policy-fetch-error; ...`.
    public func domainList(limit: Int) -> String {
        var out = "", lastDomain = "", lines = 0
        for r in rows {
            if r.domain != lastDomain {
                if lines == limit { out += "... (\(changedDomains - limit) more domains; --csv writes all)\n"; break }
                if !lastDomain.isEmpty { out += "\n" }
                out += r.domain + ":"
                lastDomain = r.domain
                lines += 1
            }
            out += "  [\(r.change.kind)] \(r.change.transition)"
        }
        return out + (out.hasSuffix("\n") ? "" : "\n")
    }
}
