// DANE's view of a domain's MX hosts from its stored evidence, for the sender profiles: the DANE
// judge's per-host results (DANE.judge, RFC 7672) in the words the profiles take.

extension DANEView {
    public static func judged(_ e: Evidence) -> DANEView {
        let j = DANE.judge(e)
        var hosts: [String: DANEHostState] = [:]
        for h in j.hosts { hosts[h.host] = state(h.status) }
        return DANEView(hosts: hosts, mxSecure: e.mx?.authenticated)
    }

    static func state(_ s: DANEHostStatus) -> DANEHostState {
        switch s {
        case .notApplicable: return .notApplicable
        case .authenticated: return .matched
        case .mismatch, .noTLS: return .mismatched     // usable records, nothing matched: defer
        case .unusable: return .unusable
        case .lookupFailed: return .lookupFailed
        // Unjudged: no TLSA lookup, no address, or no session reached TLS. DANE decides nothing
        // there; the host's MX result (unreachable, dns-error, the scan's deadline) does.
        case .unjudged: return .notApplicable
        case .unknown: return .unknown
        }
    }
}
