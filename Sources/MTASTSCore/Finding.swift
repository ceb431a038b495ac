// The findings vocabulary: one closed, stable set of codes. These strings are stored verbatim in
// SQLite, exported verbatim and compared across years of scans, so a code is never renamed or
// reused; new codes are added at the end of their group.

/// How bad a finding is. `error`: the RFC is violated and a compliant sender is affected.
/// `warning`: legal but risky, or a point where implementations disagree. `info`: a fact.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case error, warning, info

    private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

public enum FindingCode: String, Sendable, Codable, CaseIterable {
    // TXT record _mta-sts (RFC 8461 §3.1)
    case txtMultipleSTSRecords = "txt-multiple-sts-records"
    case txtSyntaxError = "txt-syntax-error"
    case txtMissingID = "txt-missing-id"
    case txtInvalidID = "txt-invalid-id"
    case txtNotASCII = "txt-not-ascii"
    case txtSpaceBeforeSemicolon = "txt-space-before-semicolon"
    case txtUnknownField = "txt-unknown-field"
    case txtMultiString = "txt-multi-string"
    case txtCNAME = "txt-cname"
    case txtDuplicateField = "txt-duplicate-field"

    // Policy fetch (§3.3)
    case policyHostNXDOMAIN = "policy-host-nxdomain"
    case policyHostNoAddress = "policy-host-no-address"
    case policyConnectFailed = "policy-connect-failed"
    case policyTimeout = "policy-timeout"
    case policyTLSHandshakeFailed = "policy-tls-handshake-failed"
    case policyTLSVersionTooOld = "policy-tls-version-too-old"
    case policyCertNotTrusted = "policy-cert-not-trusted"
    case policyCertExpired = "policy-cert-expired"
    case policyCertHostMismatch = "policy-cert-host-mismatch"
    case policyHTTPStatus = "policy-http-status"
    case policyRedirect = "policy-redirect"
    case policyTooLarge = "policy-too-large"
    case policyContentType = "policy-content-type"

    // Policy body (§3.2)
    case policyEmpty = "policy-empty"
    case policyBOM = "policy-bom"
    case policyBareCR = "policy-bare-cr"
    case policyLFLineEndings = "policy-lf-line-endings"
    case policyMixedLineEndings = "policy-mixed-line-endings"
    case policyBlankLine = "policy-blank-line"
    case policyLeadingWhitespace = "policy-leading-whitespace"
    case policyMalformedLine = "policy-malformed-line"
    case policyMissingVersion = "policy-missing-version"
    case policyInvalidVersion = "policy-invalid-version"
    case policyMissingMode = "policy-missing-mode"
    case policyInvalidMode = "policy-invalid-mode"
    case policyMissingMaxAge = "policy-missing-max-age"
    case policyInvalidMaxAge = "policy-invalid-max-age"
    case policyMaxAgeTooLarge = "policy-max-age-too-large"
    case policyMaxAgeShort = "policy-max-age-short"
    case policyMissingMX = "policy-missing-mx"
    case policyInvalidMXPattern = "policy-invalid-mx-pattern"
    case policyDuplicateKey = "policy-duplicate-key"
    case policyUnknownKey = "policy-unknown-key"
    case policyVersionNotFirst = "policy-version-not-first"
    case policyWildcardMX = "policy-wildcard-mx"

    // MX hosts (§4, §4.1, §4.2)
    case mxPatternMismatch = "mx-pattern-mismatch"
    case mxSTARTTLSNotSupported = "mx-starttls-not-supported"
    case mxCertHostMismatch = "mx-cert-host-mismatch"
    case mxCertExpired = "mx-cert-expired"
    case mxCertNotTrusted = "mx-cert-not-trusted"
    case mxTLSFailure = "mx-tls-failure"
    case mxUnreachable = "mx-unreachable"
    case mxNull = "mx-null"
    case mxImplicit = "mx-implicit"
    case mxDNSError = "mx-dns-error"
    case mxSNIDependent = "mx-sni-dependent"
    /// An MX target that is not a host name (LDH labels): never looked up or contacted.
    case mxInvalidHostname = "mx-invalid-hostname"
    /// More MX hosts than a scan probes per domain (--max-mx-hosts): the least preferred were not.
    case mxTooManyHosts = "mx-too-many-hosts"
    /// No MX host matches the policy's patterns, and the hosts lie in one provider namespace the
    /// patterns do not name (ProviderMigration): the mail moved, the policy did not.
    case mxProviderMigrated = "mx-provider-migrated"

    // Domain
    case enforceBlocksAllMX = "enforce-blocks-all-mx"
    case testingWouldFail = "testing-would-fail"
    case tlsrptMissing = "tlsrpt-missing"
    case tlsrptInvalid = "tlsrpt-invalid"
    case tlsrptMultiple = "tlsrpt-multiple"
    case daneTLSA = "dane-tlsa"
    /// The scanner's own per-domain deadline came before a step was done: that step is unknown.
    case scanDeadline = "scan-deadline"
    /// DANE (RFC 7672), judged by `DANE.judge`: a validated TLSA RRset's usable records match no
    /// presented chain; an RFC 7672 sender defers for that host.
    case daneMismatch = "dane-mismatch"
    /// Validated TLSA records, and the host offered no TLS: an RFC 7672 sender defers.
    case daneNoTLS = "dane-no-tls"
    /// Validated TLSA records, all unusable for SMTP: TLS required, not authenticated.
    case daneUnusable = "dane-unusable"
    /// Some MX hosts have validated TLSA records and others have none.
    case danePartial = "dane-partial"
    /// TLSA records without DNSSEC validation (AD bit unset): senders ignore them.
    case daneTLSAUnsigned = "dane-tlsa-unsigned"
    /// The TLSA lookup failed (SERVFAIL, bogus, timeout): an RFC 7672 sender defers for the host.
    case daneLookupFailed = "dane-lookup-failed"

    // Across scans of one database
    case policyChangedIDUnchanged = "policy-changed-id-unchanged"
    case policyIDChangedBodySame = "policy-id-changed-body-same"
    case modeChanged = "mode-changed"
    case recordRemoved = "record-removed"

    /// Each code has exactly one severity, fixed here, so that counts by severity are comparable
    /// across scans.
    public var severity: Severity {
        switch self {
        case .txtSpaceBeforeSemicolon, .txtDuplicateField: return .warning
        case .txtUnknownField, .txtMultiString, .txtCNAME: return .info
        case .txtMultipleSTSRecords, .txtSyntaxError, .txtMissingID, .txtInvalidID, .txtNotASCII: return .error

        case .policyHostNXDOMAIN, .policyHostNoAddress, .policyConnectFailed, .policyTimeout,
             .policyTLSHandshakeFailed, .policyTLSVersionTooOld, .policyCertNotTrusted,
             .policyCertExpired, .policyCertHostMismatch, .policyHTTPStatus, .policyRedirect,
             .policyTooLarge, .policyContentType: return .error

        case .policyLFLineEndings, .policyUnknownKey, .policyVersionNotFirst, .policyWildcardMX: return .info
        case .policyMixedLineEndings, .policyBlankLine, .policyMaxAgeShort, .policyDuplicateKey: return .warning
        case .policyEmpty, .policyBOM, .policyBareCR, .policyLeadingWhitespace, .policyMalformedLine,
             .policyMissingVersion, .policyInvalidVersion, .policyMissingMode, .policyInvalidMode,
             .policyMissingMaxAge, .policyInvalidMaxAge, .policyMaxAgeTooLarge, .policyMissingMX,
             .policyInvalidMXPattern: return .error

        case .mxPatternMismatch, .mxSTARTTLSNotSupported, .mxCertHostMismatch, .mxCertExpired,
             .mxCertNotTrusted, .mxTLSFailure: return .error
        case .mxInvalidHostname: return .error
        case .mxUnreachable, .mxDNSError, .mxSNIDependent, .mxTooManyHosts, .mxProviderMigrated: return .warning
        case .mxNull, .mxImplicit: return .info

        case .enforceBlocksAllMX, .tlsrptInvalid, .tlsrptMultiple: return .error
        case .testingWouldFail, .tlsrptMissing: return .warning
        case .daneTLSA, .scanDeadline: return .info
        case .daneMismatch, .daneNoTLS: return .error
        case .daneUnusable, .danePartial, .daneTLSAUnsigned, .daneLookupFailed: return .warning

        case .policyChangedIDUnchanged: return .error
        case .recordRemoved: return .warning
        case .policyIDChangedBodySame, .modeChanged: return .info
        }
    }
}

/// One finding about a domain: a stable code, its severity, the MX host it concerns (if any), and
/// a short human detail (the offending line, the stored header, the host's name...).
public struct Finding: Hashable, Sendable, Codable {
    public let code: FindingCode
    public let host: String?
    public let detail: String?

    public var severity: Severity { code.severity }

    public init(_ code: FindingCode, host: String? = nil, detail: String? = nil) {
        self.code = code
        self.host = host
        self.detail = detail
    }
}

extension Array where Element == Finding {
    /// True when any finding is of severity `error`: the thing it describes is not usable.
    public var hasError: Bool { contains { $0.severity == .error } }

    public func contains(_ code: FindingCode) -> Bool { contains { $0.code == code } }
}
