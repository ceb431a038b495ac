// Verdicts: the words of a scan (see docs/VERDICTS.md). Stored and exported verbatim; never
// renamed or reused.

/// Exactly one per domain, decided in the order of the cases below.
public enum DomainStatus: String, Sendable, Codable, CaseIterable {
    case invalidInput = "invalid-input"
    case excluded
    case dnsError = "dns-error"
    case noRecord = "no-record"
    case recordInvalid = "record-invalid"
    case policyFetchError = "policy-fetch-error"
    case policyWebPKIInvalid = "policy-webpki-invalid"
    case policyInvalid = "policy-invalid"
    case valid
}

public enum MXStatus: String, Sendable, Codable, CaseIterable {
    case allPass = "all-pass"
    case partial
    case nonePass = "none-pass"
    case nullMX = "null-mx"
    case dnsError = "dns-error"
    case notProbed = "not-probed"
}

/// One per MX host; when several causes hold, the first case here (after `pass`) wins.
public enum MXResult: String, Sendable, Codable, CaseIterable {
    case pass
    case patternMismatch = "pattern-mismatch"
    case starttlsNotSupported = "starttls-not-supported"
    case certificateHostMismatch = "certificate-host-mismatch"
    case certificateExpired = "certificate-expired"
    case certificateNotTrusted = "certificate-not-trusted"
    case tlsFailure = "tls-failure"
    case unreachable
    case dnsError = "dns-error"
}

public struct MXHostVerdict: Sendable, Hashable, Codable {
    public var host: String
    public var preference: Int
    /// Null when the host was not probed.
    public var result: MXResult?

    public init(host: String, preference: Int, result: MXResult?) {
        self.host = host
        self.preference = preference
        self.result = result
    }
}

public struct Verdict: Sendable, Hashable, Codable {
    public var status: DomainStatus
    /// Set only when `status` is `valid`.
    public var mode: PolicyMode?
    public var mxStatus: MXStatus
    public var mx: [MXHostVerdict]
    public var findings: [Finding]
    public var record: STSRecordResult?
    public var policy: PolicyResult?
    public var tlsrpt: TLSRPTResult?
    /// DANE of the probed MX hosts (RFC 7672); nil when the hosts were not probed.
    public var dane: DANEDomainJudgement?
    /// DANE and MTA-STS together, host by host (RFC 8461 §2); nil when the hosts were not probed.
    public var combined: CombinedVerdict?

    /// Public so that the scan pipeline and the store can state the verdicts no evidence decides
    /// (`invalid-input`, `excluded`) and read stored ones back.
    public init(status: DomainStatus, mode: PolicyMode? = nil, mxStatus: MXStatus, mx: [MXHostVerdict] = [],
                findings: [Finding] = [], record: STSRecordResult? = nil, policy: PolicyResult? = nil,
                tlsrpt: TLSRPTResult? = nil) {
        self.status = status
        self.mode = mode
        self.mxStatus = mxStatus
        self.mx = mx
        self.findings = findings
        self.record = record
        self.policy = policy
        self.tlsrpt = tlsrpt
    }
}
