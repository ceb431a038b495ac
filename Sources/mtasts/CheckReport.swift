// The human explanation printed by `mtasts check`.
import MTASTSCore

enum CheckReport {
    static func text(evidence e: Evidence, verdict v: Verdict) -> String {
        var out = "\(e.domain)\n"
        out += "  status: \(v.status.rawValue)" + (v.mode.map { " (mode \($0.rawValue))" } ?? "") + "\n"
        out += "  mx_status: \(v.mxStatus.rawValue)\n\n"
        out += "1. TXT _mta-sts.\(e.domain)  [RFC 8461 §3.1]\n"
        if let txt = e.txt {
            out += "   \(txt.outcome.rawValue)" + (txt.cnameChain.isEmpty ? "" : " via CNAME \(txt.cnameChain.joined(separator: " -> "))") + "\n"
            for rr in txt.txt { out += "   \"" + rr.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\" \"") + "\"\n" }
        }
        out += "2. HTTPS https://mta-sts.\(e.domain)/.well-known/mta-sts.txt  [RFC 8461 §3.3]\n"
        if let p = e.policyFetch {
            out += "   \(p.outcome.rawValue)" + (p.httpStatus.map { ", HTTP \($0)" } ?? "") + (p.contentType.map { ", \($0)" } ?? "")
            out += (p.tls.map { ", \($0.version ?? "?"), verify \($0.verifyResult)" } ?? "") + (p.detail.map { " (\($0))" } ?? "") + "\n"
            if let body = p.body, !body.isEmpty {
                for line in String(decoding: body.prefix(2048), as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix(20) {
                    out += "   | \(line)\n"
                }
            }
        } else {
            out += "   not fetched (no valid record)\n"
        }
        out += "3. MX \(e.domain)  [RFC 8461 §4]\n"
        if let mx = e.mx {
            out += "   \(mx.lookup.rawValue)\(mx.implicit ? " (no MX: implicit MX)" : "")\(mx.probed ? "" : ", hosts not probed")\n"
            for (h, hv) in zip(mx.hosts, v.mx) {
                out += "   \(h.preference) \(h.name): \(hv.result?.rawValue ?? "not probed")\n"
                for p in h.probes {
                    out += "      \(p.address): \(p.outcome.rawValue)" + (p.tls.map { ", \($0.version ?? "?"), verify \($0.verifyResult), SAN \($0.leafDNSNames.joined(separator: " "))" } ?? "") + "\n"
                }
            }
        }
        out += "4. TXT _smtp._tls.\(e.domain)  [RFC 8460 §3]\n"
        out += "   \(v.tlsrpt?.status.rawValue ?? "not looked up")" + ((v.tlsrpt?.rua.isEmpty ?? true) ? "" : ": " + v.tlsrpt!.rua.joined(separator: ", ")) + "\n"
        out += "5. DANE, TLSA _25._tcp.<MX host>  [RFC 7672; beside MTA-STS: RFC 8461 §2]\n"
        if let dane = v.dane, let combined = v.combined {
            out += "   dane_status: \(dane.status.rawValue); delivery: \(combined.delivery?.rawValue ?? "unknown")\n"
            for h in dane.hosts {
                let tlsa = e.mx?.hosts.first { $0.name == h.host }
                let lookup = tlsa?.tlsa.map { "\($0.outcome.rawValue)\($0.authenticated ? ", AD" : ", no AD")" } ?? "not looked up"
                let c = combined.hosts.first { $0.host == h.host }
                out += "   \(h.host): \(h.status.rawValue) (TLSA \(lookup), \(tlsa?.tlsaAnswers?.count ?? tlsa?.tlsaRecords ?? 0) record(s))"
                out += (c.map { "; decided by \($0.policy.rawValue): \($0.delivery.rawValue)" } ?? "") + "\n"
                for r in tlsa?.tlsaAnswers ?? [] {
                    out += "      \(r.presentation)\(r == h.matched ? "  <- matched" : DANE.isUsable(r) ? "" : "  (unusable)")\n"
                }
            }
        } else {
            out += "   not judged (MX hosts not probed)\n"
        }
        out += profiles(e)
        if let ns = e.ns {   // asked only with a record: who operates the domain's DNS
            out += "7. NS \(e.domain)  (DNS operator)\n   \(ns.lookup.rawValue)" + (ns.hosts.isEmpty ? "" : ": " + ns.hosts.joined(separator: " ")) + "\n\n"
        }
        if v.findings.isEmpty { out += "No findings.\n" }
        out += FindingText.render(v.findings, indent: 0)
        return out
    }

    /// What each sender profile (docs/PROFILES.md) does with the domain's mail.
    static func profiles(_ e: Evidence) -> String {
        var out = "6. Sender profiles  [docs/PROFILES.md]\n"
        for o in SenderProfile.outcomes(e, dane: DANEView.judged(e)) {
            out += "   \(o.profile.rawValue): \(o.outcome.rawValue)" + (o.host.map { " via \($0)" } ?? "")
            out += (o.reasons.isEmpty ? "" : " (" + o.reasons.joined(separator: ", ") + ")") + "\n"
        }
        return out + "\n"
    }
}
