// The MX stage (RFC 8461 §4, Appendix B): every MX host, every address, not only the best one
// (§8.4: a broken backup stays hidden until the primary fails).

public enum MXClassifier {
    /// Returns mx_status, one verdict per host (result null when not probed), and the findings.
    public static func classify(_ mx: MXEvidence, domain: String, policy patterns: [String]?,
                                scanTime: Int64) -> (MXStatus, [MXHostVerdict], [Finding]) {
        var findings: [Finding] = []
        if mx.lookup.isFailure {
            return (.dnsError, [], [Finding(.mxDNSError, detail: "MX lookup: \(mx.lookup.rawValue)")])
        }
        if mx.isNullMX {
            return (.nullMX, [], [Finding(.mxNull)])
        }
        if mx.implicit || mx.hosts.isEmpty {
            findings.append(Finding(.mxImplicit, detail: "no MX records: mail goes to \(domain) itself"))
        }
        let hosts = mx.hosts.isEmpty ? [MXEvidence.Host(name: domain, preference: 0)] : mx.hosts
        guard mx.probed else {
            return (.notProbed, hosts.map { MXHostVerdict(host: $0.name, preference: $0.preference, result: nil) }, findings)
        }
        var verdicts: [MXHostVerdict] = []
        for host in hosts {
            let (result, hostFindings) = classifyHost(host, patterns: patterns, scanTime: scanTime)
            // Every address of the host is on the exclusion list: not probed, result null.
            verdicts.append(MXHostVerdict(host: host.name, preference: host.preference, result: result))
            findings += hostFindings
            if host.tlsaRecords > 0 {
                findings.append(Finding(.daneTLSA, host: host.name,
                                        detail: "\(host.tlsaRecords) TLSA record(s), DNSSEC \(host.tlsa?.authenticated == true ? "validated" : "not validated")"))
            }
        }
        let judged = verdicts.filter { $0.result != nil }
        guard !judged.isEmpty else { return (.notProbed, verdicts, findings) }
        let passing = judged.filter { $0.result == .pass }.count
        let status: MXStatus = passing == judged.count ? .allPass : passing == 0 ? .nonePass : .partial
        return (status, verdicts, findings)
    }

    /// One host: the first cause in the order of the results table wins; every cause is a
    /// finding. A host passes when its name matches the policy and at least one of its addresses
    /// passes every TLS check (a sender tries the next address of the host); the failing
    /// addresses still leave their findings.
    static func classifyHost(_ host: MXEvidence.Host, patterns: [String]?, scanTime: Int64) -> (MXResult?, [Finding]) {
        if !host.probes.isEmpty && host.probes.allSatisfy({ $0.outcome == .excluded }) {
            return (nil, [])
        }
        var findings: [Finding] = []
        var causes = Set<MXResult>()
        let name = host.name

        if let patterns, !MXPattern.matchesAny(patterns, host: name) {
            causes.insert(.patternMismatch)
            findings.append(Finding(.mxPatternMismatch, host: name, detail: "policy mx: \(patterns.joined(separator: ", "))"))
        }
        if host.addresses.isEmpty {
            if let outcome = host.addressLookup, outcome.isFailure {
                causes.insert(.dnsError)
                findings.append(Finding(.mxDNSError, host: name, detail: "address lookup: \(outcome.rawValue)"))
            } else {
                causes.insert(.unreachable)
                findings.append(Finding(.mxUnreachable, host: name, detail: "no A or AAAA record"))
            }
        }
        var anyAddressPasses = false
        for probe in host.probes where probe.outcome != .excluded {
            let probeCauses = addressCauses(probe, host: name, scanTime: scanTime, findings: &findings)
            if probeCauses.isEmpty { anyAddressPasses = true }
            causes.formUnion(probeCauses)
        }
        if causes.contains(.patternMismatch) { return (.patternMismatch, findings) }
        if anyAddressPasses { return (.pass, findings) }
        // Order of the table in docs/VERDICTS.md, which is MXResult's declaration order.
        let first = MXResult.allCases.dropFirst().first { causes.contains($0) } ?? .unreachable
        return (first, findings)
    }

    static func addressCauses(_ p: SMTPProbeEvidence, host: String, scanTime: Int64, findings: inout [Finding]) -> Set<MXResult> {
        let at = "\(p.address)"
        switch p.outcome {
        case .excluded:
            return []
        case .connectFailed, .timeout, .greetingRejected:
            findings.append(Finding(.mxUnreachable, host: host, detail: "\(at): \(p.outcome.rawValue)\(p.banner.map { " (\($0))" } ?? "")"))
            return [.unreachable]
        case .starttlsNotOffered, .starttlsRefused:
            findings.append(Finding(.mxSTARTTLSNotSupported, host: host, detail: "\(at): \(p.outcome.rawValue)"))
            return [.starttlsNotSupported]
        case .tlsHandshakeFailed:
            findings.append(Finding(.mxTLSFailure, host: host, detail: "\(at): handshake failed"))
            return [.tlsFailure]
        case .completed, .failedAfterTLS:
            guard let tls = p.tls else {
                findings.append(Finding(.mxTLSFailure, host: host, detail: "\(at): no TLS facts"))
                return [.tlsFailure]
            }
            var c = Set<MXResult>()
            if !DNSID.anyMatches(tls.leafDNSNames, reference: host) {
                c.insert(.certificateHostMismatch)
                findings.append(Finding(.mxCertHostMismatch, host: host,
                                        detail: "\(at): " + (tls.leafDNSNames.isEmpty ? "no subjectAltName dNSName" : tls.leafDNSNames.joined(separator: ", "))))
            }
            if CertificateCheck.isOutsideValidity(tls, at: scanTime) {
                c.insert(.certificateExpired)
                findings.append(Finding(.mxCertExpired, host: host, detail: at))
            }
            if CertificateCheck.isUntrusted(tls) {
                c.insert(.certificateNotTrusted)
                findings.append(Finding(.mxCertNotTrusted, host: host, detail: "\(at): verify result \(tls.verifyResult)"))
            }
            if p.noSNILeafDiffers == true {
                findings.append(Finding(.mxSNIDependent, host: host, detail: "\(at): another certificate without SNI"))
            }
            if !tls.versionAtLeast12 {
                c.insert(.tlsFailure)
                findings.append(Finding(.mxTLSFailure, host: host, detail: "\(at): \(tls.version ?? "unknown TLS version")"))
            }
            return c
        }
    }
}
