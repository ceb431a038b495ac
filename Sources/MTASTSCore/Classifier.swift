// From evidence to verdict: a pure function, the only place where statuses are decided.
// Stages follow RFC 8461 Appendix B: TXT record, policy fetch, policy body, then the MX hosts.

public enum Classifier {
    /// Builds the verdict from locals and once, at the end: filling in a Verdict as it went copied
    /// the whole struct (~200 bytes and its references) on every call (perf, ClassifyBenchTests).
    public static func classify(_ e: Evidence) -> Verdict {
        var findings: [Finding] = []
        var record: STSRecordResult?
        var policy: PolicyResult?
        let status = recordAndPolicyStatus(e, record: &record, policy: &policy, findings: &findings)
        let mode = status == .valid ? policy?.mode : nil

        // TLS-RPT beside MTA-STS (RFC 8460 §3).
        var tlsrpt: TLSRPTResult?
        if let lookup = e.tlsrpt {
            let t: TLSRPTResult
            if lookup.outcome.isFailure {
                t = TLSRPTResult(status: .dnsError, rua: [], raw: nil, findings: [])
            } else if lookup.txt.isEmpty {
                // What the parser returns for no records, without its arrays: most domains.
                t = TLSRPTResult(status: .absent, rua: [], raw: nil, findings: [])
            } else {
                t = TLSRPTParser.parse(lookup.txt)
            }
            if !t.findings.isEmpty { findings += t.findings }
            if t.status == .absent, status == .valid {
                findings.append(Finding(.tlsrptMissing, detail: "no _smtp._tls record: failures go unreported"))
            }
            tlsrpt = t
        }

        // MX stage (§4): what the lookup alone decides, then each probed host.
        var mxStatus = MXStatus.notProbed
        var mxHosts: [MXHostVerdict] = []
        if let mx = e.mx {
            let (s, hosts, mxFindings) = MXClassifier.classify(mx, domain: e.domain,
                                                               policy: usablePolicy(status, mode, policy),
                                                               scanTime: e.scanTime)
            mxStatus = s
            mxHosts = hosts
            if !mxFindings.isEmpty { findings += mxFindings }
            // From the names alone (probed or not): the mail moved to another provider.
            if let migrated = ProviderMigration.finding(patterns: usablePolicy(status, mode, policy), mx: mx, domain: e.domain) {
                findings.append(migrated)
            }
            if s == .nonePass && mode == .enforce {
                findings.append(Finding(.enforceBlocksAllMX, detail: "no MX host passes: compliant senders refuse mail"))
            } else if s == .nonePass && mode == .testing {
                findings.append(Finding(.testingWouldFail, detail: "no MX host passes: enforce would stop mail"))
            }
        }

        var verdict = Verdict(status: status, mode: mode, mxStatus: mxStatus, mx: mxHosts, findings: findings,
                              record: record, policy: policy, tlsrpt: tlsrpt)
        // DANE (RFC 7672) of the probed MX hosts, then DANE beside MTA-STS (RFC 8461 §2).
        // A null MX or a failed MX lookup has no host to judge: no DANE verdict, as unprobed.
        if let mx = e.mx, mx.probed, !mx.isNullMX, !mx.lookup.isFailure {
            let dane = DANE.judge(e)
            if !dane.findings.isEmpty { verdict.findings += dane.findings }
            verdict.dane = dane
            verdict.combined = DANE.combine(dane, verdict)
        }
        return verdict
    }

    /// The mx patterns count against a valid policy in mode testing or enforce; otherwise only the
    /// TLS checks do, so "what if this domain turned on enforce" can be asked too.
    static func usablePolicy(_ status: DomainStatus, _ mode: PolicyMode?, _ policy: PolicyResult?) -> [String]? {
        guard status == .valid, let mode, mode != .none else { return nil }
        return policy?.mx
    }

    /// The record and policy stages (§3.1–§3.3). Returns the status and fills in record, policy and
    /// their findings.
    static func recordAndPolicyStatus(_ e: Evidence, record recordOut: inout STSRecordResult?, policy policyOut: inout PolicyResult?,
                                      findings: inout [Finding]) -> DomainStatus {
        guard let txt = e.txt else { return .noRecord }
        if txt.outcome.isFailure {
            return .dnsError
        }
        // No TXT records (NXDOMAIN, most domains): the parser would find no STS record either.
        if txt.txt.isEmpty { return .noRecord }
        let record = STSRecordParser.parse(txt.txt)
        recordOut = record.kind == .absent ? nil : record
        guard record.kind != .absent else { return .noRecord }
        findings += record.findings
        if !txt.cnameChain.isEmpty {
            findings.append(Finding(.txtCNAME, detail: txt.cnameChain.joined(separator: " -> ")))
        }
        guard record.kind == .valid else { return .recordInvalid }

        guard let fetch = e.policyFetch else { return .policyFetchError }
        let host = e.policyHost
        var fetchErrors: [Finding] = []
        var pkixErrors: [Finding] = []

        switch Self.addressJudged(fetch) {
        case .hostNXDOMAIN: fetchErrors.append(Finding(.policyHostNXDOMAIN, host: host))
        case .hostNoAddress: fetchErrors.append(Finding(.policyHostNoAddress, host: host))
        case .hostDNSError:
            // Our lookup failed: the address is unknown, not absent.
            let raw = fetch.aLookup.flatMap { a in fetch.aaaaLookup.map { "A \(a.rawValue), AAAA \($0.rawValue)" } }
            fetchErrors.append(Finding(.policyHostNoAddress, host: host, detail: "address lookup failed" + (raw.map { ": " + $0 } ?? "")))
        case .connectFailed: fetchErrors.append(Finding(.policyConnectFailed, host: host))
        case .timeout: fetchErrors.append(Finding(.policyTimeout, host: host))
        case .tlsHandshakeFailed: pkixErrors.append(Finding(.policyTLSHandshakeFailed, host: host))
        case .deadline:
            // The scanner's own deadline, not the domain's fault: counted as a fetch error (the
            // policy is unknown), with a finding that says why; `--resume --retry-errors` does not
            // pick it up, a rescan does.
            fetchErrors.append(Finding(.scanDeadline, host: host, detail: "policy not fetched before the domain's deadline"))
        case .response: break
        }
        if let tls = fetch.tls {
            pkixErrors += webPKIFindings(tls, host: host, scanTime: e.scanTime)
        }
        if fetch.outcome == .response {
            if let status = fetch.httpStatus, status != 200 {
                if (300...399).contains(status) {
                    fetchErrors.append(Finding(.policyRedirect, host: host, detail: "\(status) Location: \(fetch.location ?? "(none)")"))
                } else {
                    fetchErrors.append(Finding(.policyHTTPStatus, host: host, detail: "HTTP \(status)"))
                }
            }
            // verdicts.md: "body over 64 KiB". The stored body (at most the limit plus one byte) says
            // so too, so stored evidence reclassifies the same way even without the flag.
            if fetch.bodyTooLarge || (fetch.body?.count ?? 0) > PolicyFetchEvidence.maxBodyBytes {
                fetchErrors.append(Finding(.policyTooLarge, host: host, detail: "over \(PolicyFetchEvidence.maxBodyBytes) bytes"))
            }
        }
        findings += fetchErrors + pkixErrors
        if !fetchErrors.isEmpty { return .policyFetchError }
        if !pkixErrors.isEmpty { return .policyWebPKIInvalid }

        var invalid = false
        if !MediaType.isTextPlain(fetch.contentType) {
            findings.append(Finding(.policyContentType, host: host, detail: fetch.contentType ?? "(no Content-Type)"))
            invalid = true
        }
        let policy = PolicyParser.parse(fetch.body ?? [])
        policyOut = policy
        findings += policy.findings
        if !policy.isValid { invalid = true }
        return invalid ? .policyInvalid : .valid
    }

    /// PKIX as §3.3 asks of the policy host: TLS ≥ 1.2, a chain to a trusted root, within its
    /// validity at the scan's time, and a SAN DNS-ID matching the host name.
    /// The fetch's outcome, with a host-* outcome judged again from the A and AAAA outcomes
    /// when they were kept (AddressLookup), so that stored evidence follows the judgement.
    static func addressJudged(_ fetch: PolicyFetchEvidence) -> PolicyFetchEvidence.Outcome {
        let hostOutcomes: [PolicyFetchEvidence.Outcome] = [.hostNXDOMAIN, .hostNoAddress, .hostDNSError]
        guard hostOutcomes.contains(fetch.outcome), let a = fetch.aLookup, let aaaa = fetch.aaaaLookup else { return fetch.outcome }
        switch AddressLookup.outcome(a: a, aaaa: aaaa, foundAddresses: false) {
        case .noError: return .hostNoAddress
        case .nxDomain: return .hostNXDOMAIN
        default: return .hostDNSError
        }
    }

    static func webPKIFindings(_ tls: TLSFacts, host: String, scanTime: Int64) -> [Finding] {
        var f: [Finding] = []
        if !tls.versionAtLeast12 {
            f.append(Finding(.policyTLSVersionTooOld, host: host, detail: tls.version ?? "unknown version"))
        }
        if CertificateCheck.isOutsideValidity(tls, at: scanTime) {
            f.append(Finding(.policyCertExpired, host: host))
        }
        if CertificateCheck.isUntrusted(tls) {
            f.append(Finding(.policyCertNotTrusted, host: host, detail: "verify result \(tls.verifyResult)"))
        }
        if !DNSID.anyMatches(tls.leafDNSNames, reference: host) {
            f.append(Finding(.policyCertHostMismatch, host: host,
                             detail: tls.leafDNSNames.isEmpty ? "no subjectAltName dNSName" : tls.leafDNSNames.joined(separator: ", ")))
        }
        return f
    }
}

/// Certificate facts shared by the policy host and MX hosts.
public enum CertificateCheck {
    /// OpenSSL verify codes about time: X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED.
    static let timeCodes: Set<Int> = [9, 10]

    public static func isOutsideValidity(_ tls: TLSFacts, at time: Int64) -> Bool {
        if timeCodes.contains(tls.verifyResult) { return true }
        if let nb = tls.notBefore, time < nb { return true }
        if let na = tls.notAfter, time > na { return true }
        return false
    }

    /// Any verify failure other than the time ones means the chain does not reach a trusted root.
    public static func isUntrusted(_ tls: TLSFacts) -> Bool {
        tls.verifyResult != 0 && !timeCodes.contains(tls.verifyResult)
    }
}

/// RFC 8461 §3.2: the policy's media type MUST be `text/plain`; parameters (charset) are ignored.
public enum MediaType {
    public static func isTextPlain(_ header: String?) -> Bool {
        guard let header else { return false }
        let type = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingSpaces().lowercased() == "text/plain"
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
