// Sender profiles (issue 17): what a given sending MTA would do with a domain's mail, judged from
// the stored evidence alone. Each profile is a pure function documented with its sources in
// docs/PROFILES.md, whose conformance tables are checked row by row by SenderProfileTests.
//
// A profile sees the evidence as a first contact does: no cached policy. The profile's timeouts
// are applied through the stored step times (TransferJudge.rejudged), as `reclassify --timeout`
// does; DNS timings are not stored and are not replayed.

/// What the sender does with a message for the domain.
public enum DeliveryOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Delivered over TLS whose peer was authenticated (MTA-STS validation or DANE).
    case deliversAuthenticated = "delivers-authenticated"
    /// Delivered, but without an authenticated channel (opportunistic TLS, or plaintext).
    case deliversUnauthenticated = "delivers-unauthenticated"
    /// Not delivered: queued and retried, or bounced (null MX). The refusals the report counts.
    case defers
    /// The evidence does not decide (MX hosts not probed, the scan's own deadline, a step the
    /// sender's documentation leaves open).
    case unknown
}

/// Reasons that are not findings of docs/VERDICTS.md (documented in docs/PROFILES.md). Every
/// other reason a profile gives is a FindingCode's raw value.
public enum ProfileReason: String, Sendable, Hashable, CaseIterable {
    /// The sender has no policy for the domain: it delivers as it does without MTA-STS.
    case noPolicy = "no-policy"
    /// The policy's mode is none.
    case policyModeNone = "policy-mode-none"
    /// The sender ignores a policy in mode testing (postfix-mta-sts-resolver without
    /// strict_testing, postfix-tlspol).
    case testingIgnored = "policy-testing-ignored"
    /// The sender's own parser rejected the record or the policy (the detail is in PROFILES.md).
    case recordRejected = "sender-rejects-record"
    case policyRejected = "sender-rejects-policy"
    /// The policy body is not in the charset the sender decodes it with.
    case policyCharset = "policy-charset"
    /// The TXT lookup failed: the sender treats the domain as having no policy.
    case txtLookupFailed = "txt-lookup-failed"
    /// The sender would fetch the policy, the scan did not (it fetches only for a record valid
    /// by RFC 8461 §3.1, or the scan's deadline came first): what the sender gets is unknown.
    case policyNotFetched = "policy-not-fetched"
    /// The MX hosts were not probed by the scan (or not all of them): their TLS is unknown.
    case mxNotProbed = "mx-not-probed"
    /// The sender's behaviour in this case is not documented by its code or documentation.
    case undocumented = "sender-undocumented"
    /// DANE (RFC 7672) decided the host: usable TLSA records, and one matched the chain.
    case daneMatched = "dane-matched"
    /// Usable TLSA records, none matched: the host is not used.
    case daneMismatch = "dane-mismatch"
    /// DNSSEC-validated TLSA records, none usable: mandatory TLS, not authenticated.
    case daneUnusable = "dane-unusable"
    /// The TLSA lookup failed: the host (postfix-tlspol: the domain) is not used.
    case daneLookupFailed = "dane-lookup-failed"
    /// DANE applies to the host but could not be judged (no TLS session to match, or evidence
    /// from before TLSA records were kept).
    case daneUnknown = "dane-unknown"
    /// Validated TLSA records, but the MX RRset was not validated: Postfix does not use them.
    case daneInsecureMX = "dane-insecure-mx"
    /// The certificate's names match none of the Postfix `match=` names the policy became.
    case postfixMatchFailed = "postfix-match-failed"
}

/// The outcome of one domain for one profile, with the reasons that decided it (FindingCode or
/// ProfileReason raw values, in the order they arose, each once).
public struct ProfileOutcome: Sendable, Hashable, Codable {
    public var profile: SenderProfile
    public var outcome: DeliveryOutcome
    public var reasons: [String]
    /// The MX host the mail goes to (nil when it defers or is unknown).
    public var host: String?

    public init(profile: SenderProfile, outcome: DeliveryOutcome, reasons: [String], host: String? = nil) {
        self.profile = profile
        self.outcome = outcome
        var seen = Set<String>()
        self.reasons = reasons.filter { seen.insert($0).inserted }
        self.host = host
    }
}

/// The senders modelled. Raw values are the names `--profile` takes and the store keeps.
public enum SenderProfile: String, Sendable, Hashable, Codable, CaseIterable {
    /// RFC 8461 and RFC 7672 as written, DANE before MTA-STS per MX host (RFC 8461 §2).
    case rfc
    /// Postfix with postfix-mta-sts-resolver 1.5.1 in its default configuration.
    case postfixMTASTSResolver = "postfix-mta-sts-resolver"
    /// Postfix with postfix-tlspol: DANE first, then MTA-STS.
    case postfixTLSPol = "postfix-tlspol"
    /// The checker checkdmarc 6.0.4: what its MTA-STS and STARTTLS checks predict a sender does.
    case checkdmarc

    /// The policy fetch's timeout (ms), replayed over the stored step times.
    public var policyTimeoutMillis: Int {
        switch self {
        case .rfc: return 60_000                   // RFC 8461 §3.3 suggests a minute
        case .postfixMTASTSResolver: return 4_000  // defaults.py:6 TIMEOUT = 4
        case .postfixTLSPol: return 2_000          // server.go REQUEST_TIMEOUT = 2 * time.Second
        case .checkdmarc: return 2_000             // _constants.py:28 DEFAULT_HTTP_TIMEOUT = 2.0
        }
    }

    /// The SMTP session's timeout (ms), nil when it is longer than any scan's (Postfix's own
    /// timeouts are 30 s and more; RFC 5321 §4.5.3.2 asks for minutes).
    public var smtpTimeoutMillis: Int? {
        self == .checkdmarc ? 5_000 : nil          // _constants.py:38 DEFAULT_SMTP_TIMEOUT = 5.0
    }

    /// The outcome for a domain. `dane` is what DANE says of each MX host (DANEView.none: no
    /// MX host has DNSSEC-validated TLSA records, or DANE was not judged).
    public func outcome(_ e: Evidence, dane: DANEView = .none) -> ProfileOutcome {
        let judged = TransferJudge.rejudged(e, policyTimeoutMillis: policyTimeoutMillis, smtpTimeoutMillis: smtpTimeoutMillis)
        switch self {
        case .rfc: return RFCProfile.outcome(judged, dane: dane)
        case .postfixMTASTSResolver: return ResolverProfile.outcome(judged)
        case .postfixTLSPol: return TLSPolProfile.outcome(judged, dane: dane)
        case .checkdmarc: return CheckdmarcProfile.outcome(judged)
        }
    }

    /// Every profile's outcome, in declaration order.
    public static func outcomes(_ e: Evidence, dane: DANEView = .none) -> [ProfileOutcome] {
        allCases.map { $0.outcome(e, dane: dane) }
    }
}

/// What DANE (RFC 7672) says of one MX host, as a sender that implements it sees it. Built from
/// the DANE judge's per-host results; tests construct it directly.
public enum DANEHostState: String, Sendable, Hashable, Codable, CaseIterable {
    /// No DNSSEC-validated TLSA records (none, or an insecure answer): DANE does not apply.
    case notApplicable = "none"
    /// Usable TLSA records (DANE-TA(2)/DANE-EE(3)), and one matched the presented chain.
    case matched
    /// Usable TLSA records, none matched (or no chain was presented).
    case mismatched
    /// Validated TLSA records, none usable: RFC 7672 §2.2, mandatory unauthenticated TLS.
    case unusable
    /// The TLSA lookup failed (SERVFAIL, bogus): RFC 7672 §2.2.1, the host is not used.
    case lookupFailed = "lookup-failed"
    /// Validated usable records, but nothing to match them against (the host was not reached by
    /// TLS or not probed), or evidence from before TLSA records were kept: not known.
    case unknown
}

/// DANE's view of a domain's MX hosts, by host name (lower case, no final dot).
public struct DANEView: Sendable, Hashable, Codable {
    public var hosts: [String: DANEHostState]
    /// The MX RRset was DNSSEC-validated (nil: not recorded). RFC 7672 §2.2.1 lets a sender use
    /// DANE for the hosts of an insecure MX RRset (MAY); Postfix does not.
    public var mxSecure: Bool?

    public init(hosts: [String: DANEHostState], mxSecure: Bool? = nil) {
        var h: [String: DANEHostState] = [:]
        for (k, v) in hosts { h[MXPattern.normalise(k)] = v }
        self.hosts = h
        self.mxSecure = mxSecure
    }

    public static let none = DANEView(hosts: [:])

    public func state(of host: String) -> DANEHostState { hosts[MXPattern.normalise(host)] ?? .notApplicable }
    /// Any host for which DANE applies.
    public var applies: Bool { hosts.values.contains { $0 != .notApplicable } }
}
