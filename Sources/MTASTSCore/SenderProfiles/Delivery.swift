// How a sender delivers to a domain once it knows what it requires of each MX host: it tries the
// hosts in preference order (RFC 5321 §5.1) and delivers at the first one its requirement allows;
// when none does, the mail waits in its queue (defers). Shared by every profile.

/// What a sender requires of one MX host: Postfix's TLS security levels, and RFC 8461's check.
enum HostLevel {
    /// Postfix `may`: TLS when offered, else plaintext; the peer is never authenticated.
    case opportunistic
    /// Postfix `encrypt`: TLS required, the peer not authenticated.
    case encrypt
    /// RFC 8461 §4: the host name matches a pattern (§4.1) and TLS passes PKIX with the host name
    /// (§4.2). Testing (`enforce` false): a failure is reported, the mail goes out anyway.
    case sts(patterns: [String], enforce: Bool)
    /// Postfix `secure match=...`: a trusted chain whose leaf names a `match` entry. The MX host's
    /// own name is not compared (postconf(5) smtp_tls_enforce_sts_mx_patterns, "old behavior").
    case postfixSecure(match: [String])
    /// DANE decides the host (RFC 7672).
    case dane(DANEHostState)
}

enum HostResult { case authenticated, unauthenticated, refused, unknown }

struct HostJudgement {
    var result: HostResult
    var reasons: [String]
}

enum Delivery {
    /// The domain's outcome when the sender requires `level(host)` of each MX host.
    static func outcome(_ profile: SenderProfile, _ e: Evidence, policyReasons: [String],
                        level: (MXEvidence.Host) -> HostLevel) -> ProfileOutcome {
        // The sender would have a policy the scan never fetched (or one the evidence does not
        // decide, as a body longer than the scan kept): nothing more can be said.
        if policyReasons.contains(ProfileReason.policyNotFetched.rawValue) || policyReasons.contains(ProfileReason.undocumented.rawValue) {
            return ProfileOutcome(profile: profile, outcome: .unknown, reasons: policyReasons)
        }
        guard let mx = e.mx else {
            return ProfileOutcome(profile: profile, outcome: .unknown, reasons: policyReasons + [ProfileReason.mxNotProbed.rawValue])
        }
        if mx.lookup.isFailure {
            return ProfileOutcome(profile: profile, outcome: .defers, reasons: policyReasons + [FindingCode.mxDNSError.rawValue])
        }
        if mx.isNullMX {   // RFC 7505: the domain accepts no mail; the sender bounces it
            return ProfileOutcome(profile: profile, outcome: .defers, reasons: policyReasons + [FindingCode.mxNull.rawValue])
        }
        guard mx.probed else {
            return ProfileOutcome(profile: profile, outcome: .unknown, reasons: policyReasons + [ProfileReason.mxNotProbed.rawValue])
        }
        let hosts = mx.hosts.isEmpty ? [MXEvidence.Host(name: e.domain, preference: 0)] : mx.hosts
        var reasons = policyReasons
        for i in hosts.indices {
            guard mx.withinProbeLimit(i) else {
                return ProfileOutcome(profile: profile, outcome: .unknown, reasons: reasons + [ProfileReason.mxNotProbed.rawValue])
            }
            let j = judge(hosts[i], level: level(hosts[i]), scanTime: e.scanTime)
            reasons += j.reasons
            switch j.result {
            case .refused: continue
            case .unknown: return ProfileOutcome(profile: profile, outcome: .unknown, reasons: reasons)
            case .authenticated: return ProfileOutcome(profile: profile, outcome: .deliversAuthenticated, reasons: reasons, host: hosts[i].name)
            case .unauthenticated: return ProfileOutcome(profile: profile, outcome: .deliversUnauthenticated, reasons: reasons, host: hosts[i].name)
            }
        }
        return ProfileOutcome(profile: profile, outcome: .defers, reasons: reasons)
    }

    /// One host under one level.
    static func judge(_ h: MXEvidence.Host, level: HostLevel, scanTime: Int64) -> HostJudgement {
        if case .dane(let state) = level {
            switch state {
            case .matched: return HostJudgement(result: .authenticated, reasons: [ProfileReason.daneMatched.rawValue])
            case .mismatched: return HostJudgement(result: .refused, reasons: [ProfileReason.daneMismatch.rawValue])
            case .lookupFailed: return HostJudgement(result: .refused, reasons: [ProfileReason.daneLookupFailed.rawValue])
            case .unusable:
                var j = judge(h, level: .encrypt, scanTime: scanTime)
                j.reasons.insert(ProfileReason.daneUnusable.rawValue, at: 0)
                return j
            case .notApplicable: return judge(h, level: .opportunistic, scanTime: scanTime)
            case .unknown: return HostJudgement(result: .unknown, reasons: [ProfileReason.daneUnknown.rawValue])
            }
        }
        guard h.hasValidName else { return HostJudgement(result: .refused, reasons: [FindingCode.mxInvalidHostname.rawValue]) }
        if h.addresses.isEmpty {
            let failed = h.judgedAddressLookup?.isFailure == true
            return HostJudgement(result: .refused, reasons: [(failed ? FindingCode.mxDNSError : .mxUnreachable).rawValue])
        }
        let probes = h.probes.filter { $0.outcome != .excluded && $0.outcome != .deadline }
        if probes.isEmpty {
            let deadline = h.probes.contains { $0.outcome == .deadline }
            return HostJudgement(result: .unknown, reasons: [deadline ? FindingCode.scanDeadline.rawValue : ProfileReason.mxNotProbed.rawValue])
        }
        switch level {
        case .dane: fatalError("handled above")
        case .opportunistic:
            // Postfix `may` falls back to plaintext when STARTTLS is missing, refused or fails
            // (TLS_README, "Opportunistic TLS"): any session past the greeting delivers.
            if probes.contains(where: { Self.pastGreeting.contains($0.outcome) }) {
                return HostJudgement(result: .unauthenticated, reasons: [])
            }
            return HostJudgement(result: .refused, reasons: [FindingCode.mxUnreachable.rawValue])
        case .encrypt:
            if probes.contains(where: { $0.tls != nil && ($0.outcome == .completed || $0.outcome == .failedAfterTLS) }) {
                return HostJudgement(result: .unauthenticated, reasons: [])
            }
            return HostJudgement(result: .refused, reasons: causes(probes, host: h.name, scanTime: scanTime))
        case .sts(let patterns, let enforce):
            var f: [Finding] = []
            let r = MXClassifier.classifyHost(h, patterns: patterns, scanTime: scanTime, findings: &f)
            if r == .pass { return HostJudgement(result: .authenticated, reasons: []) }
            if r == nil { return HostJudgement(result: .unknown, reasons: [FindingCode.scanDeadline.rawValue]) }
            let codes = f.filter { $0.severity != .info }.map(\.code.rawValue)
            if enforce { return HostJudgement(result: .refused, reasons: codes) }
            var j = judge(h, level: .opportunistic, scanTime: scanTime)   // testing: report, deliver
            j.reasons = codes + j.reasons
            return j
        case .postfixSecure(let match):
            var reasons: [String] = []
            for p in probes {
                guard let tls = p.tls, p.outcome == .completed || p.outcome == .failedAfterTLS else {
                    reasons += causes([p], host: h.name, scanTime: scanTime)
                    continue
                }
                let trusted = !CertificateCheck.isUntrusted(tls), inTime = !CertificateCheck.isOutsideValidity(tls, at: scanTime)
                let named = tls.leafDNSNames.contains { PostfixMatch.matches(certificateName: $0, list: match) }
                if trusted && inTime && named { return HostJudgement(result: .authenticated, reasons: reasons) }
                if !trusted { reasons.append(FindingCode.mxCertNotTrusted.rawValue) }
                if !inTime { reasons.append(FindingCode.mxCertExpired.rawValue) }
                if !named { reasons.append(ProfileReason.postfixMatchFailed.rawValue) }
            }
            return HostJudgement(result: .refused, reasons: reasons)
        }
    }

    /// Outcomes of a session that got past the server's greeting.
    static let pastGreeting: Set<SMTPProbeEvidence.Outcome> = [.completed, .failedAfterTLS, .starttlsNotOffered,
                                                                .starttlsRefused, .tlsHandshakeFailed]

    /// The finding codes of failed sessions, as the MX classifier words them (no name check).
    static func causes(_ probes: [SMTPProbeEvidence], host: String, scanTime: Int64) -> [String] {
        var f: [Finding] = []
        for p in probes { _ = MXClassifier.addressCauses(p, host: host, scanTime: scanTime, findings: &f) }
        return f.filter { $0.code != .mxCertHostMismatch && $0.severity != .info }.map(\.code.rawValue)
    }
}

/// Postfix's matching of a certificate name against a `match=` list, as postfix-mta-sts-resolver
/// and postfix-tlspol hand it over (`*.` of a pattern becomes `.`): an entry with a leading dot
/// matches any name below it, at any depth; other entries match the same name, or a wildcard
/// certificate name of one label more (docs/PROFILES.md says where this comes from).
enum PostfixMatch {
    static func matches(certificateName: String, list: [String]) -> Bool {
        let name = MXPattern.normalise(certificateName)
        return list.contains { raw in
            let entry = MXPattern.normalise(raw)
            guard !entry.isEmpty else { return false }
            if entry.hasPrefix(".") { return name.count > entry.count && name.hasSuffix(entry) }
            if name == entry { return true }
            if name.hasPrefix("*."), let dot = entry.firstIndex(of: "."), entry[entry.index(after: dot)...] == name.dropFirst(2) {
                return true
            }
            return false
        }
    }
}
