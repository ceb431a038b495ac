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
        verdicts.reserveCapacity(hosts.count)
        var judged = 0, passing = 0
        // By index: `for host in hosts` copied each Host, retaining every one of its arrays.
        if let limit = mx.probeLimit, hosts.count > limit {
            findings.append(Finding(.mxTooManyHosts, detail: "\(hosts.count) MX hosts; the \(limit) most preferred were probed"))
        }
        for i in hosts.indices {
            // Beyond the probe limit: not looked up, not probed, result null.
            let result = mx.withinProbeLimit(i)
                ? classifyHost(hosts[i], patterns: patterns, scanTime: scanTime, findings: &findings) : nil
            // Every address of the host is on the exclusion list: not probed, result null.
            verdicts.append(MXHostVerdict(host: hosts[i].name, preference: hosts[i].preference, result: result))
            if let result { judged += 1; if result == .pass { passing += 1 } }
            let tlsa = hosts[i].tlsaRecords
            if tlsa > 0 {
                findings.append(Finding(.daneTLSA, host: hosts[i].name,
                                        detail: "\(tlsa) TLSA record(s), DNSSEC \(hosts[i].tlsa?.authenticated == true ? "validated" : "not validated")"))
            }
        }
        guard judged > 0 else { return (.notProbed, verdicts, findings) }
        let status: MXStatus = passing == judged ? .allPass : passing == 0 ? .nonePass : .partial
        return (status, verdicts, findings)
    }

    /// One host: the first cause in the order of the results table wins; every cause is a
    /// finding. A host passes when its name matches the policy and at least one of its addresses
    /// passes every TLS check (a sender tries the next address of the host); the failing
    /// addresses still leave their findings, appended to `findings`.
    static func classifyHost(_ host: MXEvidence.Host, patterns: [String]?, scanTime: Int64,
                             findings: inout [Finding]) -> MXResult? {
        let name = host.name
        // An MX target that is not a host name (a label with '@', '/', ':' or a dot, an IP
        // literal...): no sender can deliver to it, and the scan never resolved or contacted it.
        if !host.hasValidName {
            findings.append(Finding(.mxInvalidHostname, host: name, detail: "not looked up or contacted"))
            if let patterns, !MXPattern.matchesAny(patterns, host: name) {
                findings.append(Finding(.mxPatternMismatch, host: name, detail: "policy mx: \(patterns.joined(separator: ", "))"))
                return .patternMismatch
            }
            return .unreachable
        }
        // Every address excluded, or not reached before the scan's deadline: not judged.
        for p in host.probes where p.outcome == .deadline {
            findings.append(Finding(.scanDeadline, host: name, detail: "\(p.address): not probed before the domain's deadline"))
        }
        if !host.probes.isEmpty && host.probes.allSatisfy({ $0.outcome == .excluded || $0.outcome == .deadline }) {
            return nil
        }
        var causes = Causes()

        if let patterns, !MXPattern.matchesAny(patterns, host: name) {
            causes.insert(.patternMismatch)
            findings.append(Finding(.mxPatternMismatch, host: name, detail: "policy mx: \(patterns.joined(separator: ", "))"))
        }
        if host.addresses.isEmpty {
            // The pair judged again when kept (AddressLookup): SERVFAIL beside NODATA is a DNS
            // error, not a host without address.
            if let outcome = host.judgedAddressLookup, outcome.isFailure {
                causes.insert(.dnsError)
                findings.append(Finding(.mxDNSError, host: name, detail: "address lookup: \(outcome.rawValue)"))
            } else {
                causes.insert(.unreachable)
                findings.append(Finding(.mxUnreachable, host: name, detail: "no A or AAAA record"))
            }
        }
        var anyAddressPasses = false
        for j in host.probes.indices where host.probes[j].outcome != .excluded && host.probes[j].outcome != .deadline {
            let probeCauses = addressCauses(host.probes[j], host: name, scanTime: scanTime, findings: &findings)
            if probeCauses.isEmpty { anyAddressPasses = true }
            causes.formUnion(probeCauses)
        }
        if causes.contains(.patternMismatch) { return .patternMismatch }
        if anyAddressPasses { return .pass }
        // Order of the table in docs/VERDICTS.md, which is MXResult's declaration order.
        return causes.firstInTableOrder ?? .unreachable
    }

    /// A set of MXResult as bits, one per case in declaration order: a Set<MXResult> was
    /// allocated and hashed for every host and address.
    struct Causes {
        private var bits: UInt16 = 0

        init() {}
        init(_ r: MXResult) { insert(r) }

        var isEmpty: Bool { bits == 0 }
        mutating func insert(_ r: MXResult) { bits |= Self.bit(r) }
        mutating func formUnion(_ other: Causes) { bits |= other.bits }
        func contains(_ r: MXResult) -> Bool { bits & Self.bit(r) != 0 }
        /// The first cause after `pass` in declaration order.
        var firstInTableOrder: MXResult? { Self.order.dropFirst().first { contains($0) } }

        /// Held: a synthesized `allCases` builds a new array on every use.
        private static let order = MXResult.allCases
        private static func bit(_ r: MXResult) -> UInt16 { 1 << order.firstIndex(of: r)! }
    }

    static func addressCauses(_ p: SMTPProbeEvidence, host: String, scanTime: Int64, findings: inout [Finding]) -> Causes {
        let at = "\(p.address)"
        switch p.outcome {
        case .excluded, .deadline:
            return Causes()
        case .connectFailed, .timeout, .greetingRejected:
            findings.append(Finding(.mxUnreachable, host: host, detail: "\(at): \(p.outcome.rawValue)\(p.banner.map { " (\($0))" } ?? "")"))
            return Causes(.unreachable)
        case .starttlsNotOffered, .starttlsRefused:
            findings.append(Finding(.mxSTARTTLSNotSupported, host: host, detail: "\(at): \(p.outcome.rawValue)"))
            return Causes(.starttlsNotSupported)
        case .tlsHandshakeFailed:
            findings.append(Finding(.mxTLSFailure, host: host, detail: "\(at): handshake failed"))
            return Causes(.tlsFailure)
        case .completed, .failedAfterTLS:
            guard let tls = p.tls else {
                findings.append(Finding(.mxTLSFailure, host: host, detail: "\(at): no TLS facts"))
                return Causes(.tlsFailure)
            }
            var c = Causes()
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
