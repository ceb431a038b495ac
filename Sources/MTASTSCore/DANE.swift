// DANE for SMTP (RFC 7672, with RFC 6698 and its update RFC 7671): a pure judge of the stored
// evidence, the way an RFC 7672 sender treats each MX host. Per host: the `_25._tcp` TLSA RRset,
// trusted only when the validating resolver set the AD bit, matched against the certificate chain
// the host presented. Per domain: a summary over the hosts. The classifier turns the results into
// findings, and sender profiles (which differ on, e.g., insecure MX RRsets) read the same results.
//
// What a sender does per host (RFC 7672 §2.2, §3.1):
// - no TLSA RRset, or one that is not DNSSEC-validated ("insecure"): DANE does not apply to the
//   host; the sender falls back to MTA-STS or opportunistic TLS (`notApplicable`).
// - a validated RRset with at least one usable record: TLS is mandatory and the chain must match
//   a usable record (`authenticated`), or the sender defers for that host (`mismatch`, `noTLS`).
// - a validated RRset whose records are all unusable: TLS is mandatory but not authenticated
//   (`unusable`).
// - the TLSA lookup failed (SERVFAIL, a bogus answer, a timeout): the sender cannot tell whether
//   DANE applies and defers for that host (`lookupFailed`).
//
// Matching (RFC 7672 §3.1): only DANE-TA(2) and DANE-EE(3) are usable for SMTP; PKIX-TA(0) and
// PKIX-EE(1) are not (§3.1.3). Selectors 0 (the certificate's DER) and 1 (its
// SubjectPublicKeyInfo DER), matching types 0 (exact), 1 (SHA-256), 2 (SHA-512). DANE-EE(3)
// ignores names and dates (§3.1.1). DANE-TA(2) needs the trust anchor among the presented
// certificates above the leaf and the leaf's DNS-ID to match the MX host name (§3.1.2, §3.2.2),
// and every certificate from the leaf up to the trust anchor signed by the one above it (RFC 7671
// §5.2.2), so that a server cannot pair a TA certificate that matches with a leaf the TA's key
// never signed. Core has no public-key code: the signatures are checked by OpenSSL at probe time
// and stored per link (TLSFacts.chainLinksSigned); the judge also requires each issuer name to
// be the next subject. Evidence without the links (stored before they were recorded) gives a
// DANE-TA match `unknown`. A TA given by its full key (2 1 0) and left out of the chain (RFC 7671
// §5.2.2) matches when the stored fact TLSFacts.topSignerKeysSHA256 (checked by OpenSSL once the
// TLSA answer was in hand) says that key signed the chain's last certificate. Limit: a TA given
// by a digest of its key (2 1 1, 2 1 2) and left out of the chain cannot be checked.

/// What DANE decides for one MX host.
public enum DANEHostStatus: String, Sendable, Codable, CaseIterable {
    /// No validated TLSA RRset: DANE does not apply (no records, NXDOMAIN, or not AD-validated).
    case notApplicable = "not-applicable"
    /// A usable record matched the presented chain.
    case authenticated
    /// Usable validated records, and a presented chain matched none: the sender defers.
    case mismatch
    /// Usable validated records, and the host offered no TLS (no STARTTLS, refused, the
    /// handshake failed): TLS is mandatory, so the sender defers.
    case noTLS = "no-tls"
    /// Validated records, all unusable: TLS is required, without authentication.
    case unusable
    /// The TLSA lookup failed: the sender defers for this host.
    case lookupFailed = "lookup-failed"
    /// Not judged: the TLSA RRset was not looked up, the host has no address, or it has validated
    /// usable records but no session reached TLS (unreachable, excluded, past the deadline).
    case unjudged
    /// Evidence stored before TLSA records were kept (formats 1 and 2): only their count is known;
    /// or a DANE-TA(2) record matched a chain stored before its signatures were checked
    /// (`chainLinksSigned` absent), and no other record or address decides.
    case unknown
}

/// What a sender that follows RFC 7672 does with one host.
public enum DANESenderAction: String, Sendable, Codable {
    /// DANE does not apply: the sender's other policy (MTA-STS, opportunistic TLS) decides.
    case notApplicable = "not-applicable"
    /// Delivers over TLS authenticated by DANE.
    case deliverAuthenticated = "deliver-authenticated"
    /// Delivers over TLS, unauthenticated, and only over TLS.
    case deliverUnauthenticatedTLS = "deliver-unauthenticated-tls"
    /// Defers (does not deliver to this host).
    case deferHost = "defer"
    /// The evidence does not say.
    case unknown
}

public struct DANEHostResult: Sendable, Hashable, Codable {
    public var host: String
    public var status: DANEHostStatus
    /// The TLSA RRset is DNSSEC-validated (AD) and holds at least one record.
    public var secureTLSA: Bool
    /// The MX RRset was DNSSEC-validated (RFC 7672 §2.2.1); nil when not recorded. RFC 7672 lets
    /// a sender use DANE for hosts of an insecure MX RRset (MAY); some senders do not.
    public var mxSecure: Bool?
    /// Records of the validated RRset that are usable for SMTP (usage 2 or 3, known selector and
    /// matching type, data of the right length).
    public var usableRecords: Int
    /// The record that matched, when `authenticated`.
    public var matched: TLSARecord?
    /// Why, as finding codes (dane-mismatch, dane-no-tls, dane-unusable, dane-lookup-failed,
    /// dane-tlsa-unsigned), with the host set.
    public var findings: [Finding]

    public var senderAction: DANESenderAction {
        switch status {
        case .notApplicable: return .notApplicable
        case .authenticated: return .deliverAuthenticated
        case .unusable: return .deliverUnauthenticatedTLS
        case .mismatch, .noTLS, .lookupFailed: return .deferHost
        case .unjudged, .unknown: return .unknown
        }
    }
}

/// A domain's DANE summary.
public enum DANEStatus: String, Sendable, Codable, CaseIterable {
    /// No MX host has a validated TLSA RRset: DANE does not apply.
    case none
    /// Every judged MX host authenticated by DANE.
    case allAuthenticated = "all-authenticated"
    /// Some MX hosts have validated TLSA records (all of those authenticated), others have none.
    case partial
    /// At least one host with usable validated records presented no matching chain, or no TLS.
    case mismatch
    /// At least one host's validated records are all unusable (and none mismatched).
    case unusable
    /// At least one host's TLSA lookup failed (and none mismatched).
    case lookupFailed = "lookup-failed"
    /// Hosts have validated records, but none could be matched (not reached by TLS).
    case unjudged
    /// Evidence from before TLSA records were kept.
    case unknown
    /// The MX hosts' TLSA records were not looked up (hosts not probed).
    case notProbed = "not-probed"
}

public struct DANEDomainJudgement: Sendable, Hashable, Codable {
    public var status: DANEStatus
    /// One per MX host within the probe limit, in preference order.
    public var hosts: [DANEHostResult]
    /// The hosts' findings, then the domain's (dane-partial).
    public var findings: [Finding]
}

public enum DANE {
    /// TLSA certificate usages (RFC 7218).
    public static let pkixTA: UInt8 = 0, pkixEE: UInt8 = 1, daneTA: UInt8 = 2, daneEE: UInt8 = 3

    public static func judge(_ e: Evidence) -> DANEDomainJudgement {
        guard let mx = e.mx, !mx.lookup.isFailure, !mx.isNullMX else {
            return DANEDomainJudgement(status: .notProbed, hosts: [], findings: [])
        }
        let hosts = mx.hosts.isEmpty ? [MXEvidence.Host(name: e.domain, preference: 0)] : mx.hosts
        var results: [DANEHostResult] = []
        for i in hosts.indices where mx.withinProbeLimit(i) && hosts[i].hasValidName {
            results.append(judgeHost(hosts[i], mxSecure: mx.authenticated))
        }
        return summarise(results)
    }

    /// The summary over per-host results (see DANEStatus), with dane-partial when some hosts have
    /// validated TLSA records and others were looked up and have none.
    public static func summarise(_ hosts: [DANEHostResult]) -> DANEDomainJudgement {
        var findings = hosts.flatMap(\.findings)
        let lookedUp = hosts.filter { $0.status != .unjudged || $0.secureTLSA }
        guard !hosts.isEmpty, hosts.contains(where: { $0.status != .unjudged }) || hosts.contains(where: \.secureTLSA) else {
            return DANEDomainJudgement(status: .notProbed, hosts: hosts, findings: findings)
        }
        func any(_ s: DANEHostStatus) -> Bool { hosts.contains { $0.status == s } }
        let secure = hosts.filter { $0.secureTLSA || $0.status == .lookupFailed }
        let without = lookedUp.filter { $0.status == .notApplicable }
        if !secure.isEmpty, !without.isEmpty {
            findings.append(Finding(.danePartial, detail: "validated TLSA at \(secure.map(\.host).joined(separator: ", ")); none at \(without.map(\.host).joined(separator: ", "))"))
        }
        let status: DANEStatus
        if any(.unknown) { status = .unknown }
        else if secure.isEmpty { status = .none }
        else if any(.mismatch) || any(.noTLS) { status = .mismatch }
        else if any(.lookupFailed) { status = .lookupFailed }
        else if any(.unusable) { status = .unusable }
        else if !without.isEmpty { status = .partial }
        else if any(.authenticated) { status = .allAuthenticated }
        else { status = .unjudged }
        return DANEDomainJudgement(status: status, hosts: hosts, findings: findings)
    }

    public static func judgeHost(_ h: MXEvidence.Host, mxSecure: Bool? = nil) -> DANEHostResult {
        var r = DANEHostResult(host: h.name, status: .unjudged, secureTLSA: false, mxSecure: mxSecure,
                               usableRecords: 0, matched: nil, findings: [])
        guard let lookup = h.tlsa else { return r }                     // not looked up
        // No address: no sender connects, and RFC 7672 §2.2.2 has the TLSA lookup follow the
        // address lookup, so nothing of DANE is judged (the MX stage reports the host).
        guard !h.addresses.isEmpty else { return r }
        if lookup.outcome.isFailure {
            r.status = .lookupFailed
            r.findings.append(Finding(.daneLookupFailed, host: h.name, detail: "_25._tcp.\(h.name) TLSA: \(lookup.outcome.rawValue)"))
            return r
        }
        let count = h.tlsaAnswers?.count ?? h.tlsaRecords
        guard lookup.outcome == .noError, count > 0 else {
            r.status = .notApplicable
            return r
        }
        guard lookup.authenticated else {
            r.status = .notApplicable
            r.findings.append(Finding(.daneTLSAUnsigned, host: h.name, detail: "\(count) TLSA record(s) without DNSSEC validation: senders ignore them"))
            return r
        }
        r.secureTLSA = true
        guard let records = h.tlsaAnswers else {
            r.status = .unknown
            return r
        }
        let usable = records.filter(isUsable)
        r.usableRecords = usable.count
        if usable.isEmpty {
            r.status = .unusable
            // Sorted: the resolver may rotate an RRset's order between answers (unbound's
            // rrset-roundrobin), and `check` then disagreed with the stored scan on the detail.
            let shown = records.map(\.presentation).map { String($0.prefix(24)) }.sorted()
            r.findings.append(Finding(.daneUnusable, host: h.name, detail: shown.joined(separator: "; ")))
            return r
        }
        var sawChain = false, sawNoTLS = false, sawUnverified = false
        for p in h.probes {
            switch p.outcome {
            case .starttlsNotOffered, .starttlsRefused, .tlsHandshakeFailed:
                sawNoTLS = true
            case .completed, .failedAfterTLS:
                guard let tls = p.tls, !tls.chainDER.isEmpty else { continue }
                sawChain = true
                let results = usable.map { match($0, chain: tls.chainDER, host: h.name, leafDNSNames: tls.leafDNSNames,
                                                 linksSigned: tls.chainLinksSigned, topSignerKeysSHA256: tls.topSignerKeysSHA256) }
                if let i = results.firstIndex(of: .matched) {
                    r.status = .authenticated
                    r.matched = usable[i]
                    return r
                }
                sawUnverified = sawUnverified || results.contains(.unverified)
            default:
                continue
            }
        }
        if sawUnverified {
            // A DANE-TA record matched by name a chain whose signatures were not recorded: whether
            // the TA signed the leaf is not in the evidence.
            r.status = .unknown
        } else if sawChain {
            r.status = .mismatch
            r.findings.append(Finding(.daneMismatch, host: h.name, detail: "no usable TLSA record matches the presented chain (\(usable.count) usable)"))
        } else if sawNoTLS {
            r.status = .noTLS
            r.findings.append(Finding(.daneNoTLS, host: h.name, detail: "validated TLSA records, but no TLS session"))
        }
        return r
    }

    /// Usable for SMTP (RFC 7672 §3.1.3; RFC 6698 §2.1): DANE-TA or DANE-EE, selector 0 or 1,
    /// matching type 0 with data, 1 with 32 bytes, 2 with 64 bytes (a digest of another length
    /// can never match, RFC 7671 §5.4's "unusable" records).
    public static func isUsable(_ r: TLSARecord) -> Bool {
        guard r.usage == daneTA || r.usage == daneEE, r.selector <= 1 else { return false }
        switch r.matchingType {
        case 0: return !r.data.isEmpty
        case 1: return r.data.count == 32
        case 2: return r.data.count == 64
        default: return false
        }
    }

    /// The bytes a record's selector and matching type make of one certificate, or nil when the
    /// certificate cannot be read (or the record's selector or matching type is unknown).
    public static func association(of certificate: [UInt8], selector: UInt8, matchingType: UInt8) -> [UInt8]? {
        let selected: [UInt8]
        switch selector {
        case 0: selected = certificate
        case 1:
            guard let parts = X509Reader.daneParts(der: certificate) else { return nil }
            selected = parts.subjectPublicKeyInfo
        default: return nil
        }
        switch matchingType {
        case 0: return selected
        case 1: return SHA256.digest(selected)
        case 2: return SHA512.digest(selected)
        default: return nil
        }
    }

    /// How a record meets a presented chain.
    public enum ChainMatch: Sendable, Hashable {
        /// It matches: the leaf (DANE-EE), or a trust anchor the leaf's path is signed up to (DANE-TA).
        case matched
        /// DANE-TA: a certificate linked to the leaf by names matches, but the chain's signatures
        /// were not recorded (evidence from before `chainLinksSigned`).
        case unverified
        /// No match.
        case none
    }

    /// Whether a usable record matches a presented chain (leaf first) for `host`. `linksSigned`
    /// is TLSFacts.chainLinksSigned: entry k says whether certificate k+1 signed certificate k.
    /// `topSignerKeysSHA256` is TLSFacts.topSignerKeysSHA256: the `2 1 0` keys that signed the
    /// chain's last certificate (a TA key not in the chain, RFC 7671 §5.2.2).
    public static func match(_ r: TLSARecord, chain: [[UInt8]], host: String, leafDNSNames: [String],
                             linksSigned: [Bool]?, topSignerKeysSHA256: [[UInt8]]? = nil) -> ChainMatch {
        guard isUsable(r), !chain.isEmpty else { return .none }
        func hit(_ cert: [UInt8]) -> Bool { association(of: cert, selector: r.selector, matchingType: r.matchingType) == r.data }
        if r.usage == daneEE { return hit(chain[0]) ? .matched : .none }
        // DANE-TA: the leaf must name the host (§3.2.2), and a certificate above it must match,
        // on a path from the leaf where each certificate's issuer is the next one's subject and
        // each was signed by the next one's key. A link not signed ends the path: nothing above
        // it can anchor the leaf (a second key under the TA's name signed it, or none did).
        guard DNSID.anyMatches(leafDNSNames, reference: host) else { return .none }
        let parts = chain.map(X509Reader.daneParts(der:))
        for k in chain.indices.dropFirst() {
            guard let below = parts[k - 1], let this = parts[k], below.issuer == this.subject else { return .none }
            let signed: Bool? = linksSigned.map { k - 1 < $0.count && $0[k - 1] }
            if signed == false { return .none }
            if hit(chain[k]) { return signed == true ? .matched : .unverified }
        }
        // A TA key (2 1 0) that is not in the chain: it must have signed the last certificate,
        // and every link below it must be signed (the loop above returned on a name break).
        if r.selector == 1, r.matchingType == 0, let keys = topSignerKeysSHA256, keys.contains(SHA256.digest(r.data)),
           let links = linksSigned, links.count == chain.count - 1, links.allSatisfy({ $0 }),
           !chain.contains(where: { hit($0) }) {
            return .matched
        }
        return .none
    }
}
