// `rfc`: RFC 8461 and RFC 7672 as written (docs/PROFILES.md). The policy is the classifier's
// (Classifier.recordAndPolicyStatus, the project's reading of §3); a host with DNSSEC-validated
// TLSA records is DANE's (RFC 8461 §2, RFC 7672 §2.2), any other host MTA-STS's (§4, §5).

enum RFCProfile {
    static func outcome(_ e: Evidence, dane: DANEView) -> ProfileOutcome {
        var record: STSRecordResult?
        var policy: PolicyResult?
        var f: [Finding] = []
        let status = Classifier.recordAndPolicyStatus(e, record: &record, policy: &policy, findings: &f)
        var reasons: [String] = []
        let level: HostLevel
        if status == .valid, let p = policy, let mode = p.mode {
            switch mode {
            case .enforce: level = .sts(patterns: p.mx, enforce: true)
            case .testing: level = .sts(patterns: p.mx, enforce: false)
            case .none:
                level = .opportunistic
                reasons = [ProfileReason.policyModeNone.rawValue]
            }
        } else {
            // §5: no usable policy (and none cached) means delivery as without MTA-STS.
            level = .opportunistic
            // A fetch the scan's own deadline stopped: the policy is not known.
            let deadline = e.policyFetch?.outcome == .deadline
            reasons = (deadline ? [ProfileReason.policyNotFetched.rawValue] : []) + [ProfileReason.noPolicy.rawValue] + (status == .dnsError ? [ProfileReason.txtLookupFailed.rawValue] : [])
                + f.filter { $0.severity == .error }.map(\.code.rawValue)
        }
        return Delivery.outcome(.rfc, e, policyReasons: reasons) { host in
            let s = dane.state(of: host.name)
            return s == .notApplicable ? level : .dane(s)
        }
    }
}
