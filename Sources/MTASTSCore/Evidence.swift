// Evidence: what a scan saw, as values. The classifier is a pure function of these, so stored
// evidence can be classified again (`mtasts reclassify`) and tests can feed hand-made evidence.

/// The outcome of one DNS lookup, in the words researchers know from zdns.
public enum DNSOutcome: String, Sendable, Codable, CaseIterable {
    case noError = "NOERROR", nxDomain = "NXDOMAIN", servFail = "SERVFAIL", refused = "REFUSED"
    case formErr = "FORMERR", timeout = "TIMEOUT", malformed = "MALFORMED"

    /// Failures that say nothing about whether the name exists: adoption is unknown.
    public var isFailure: Bool { self != .noError && self != .nxDomain }
}

public struct DNSLookup: Sendable, Hashable, Codable {
    public var outcome: DNSOutcome
    /// The AD bit of the answer: the resolver validated it with DNSSEC.
    public var authenticated: Bool
    /// CNAMEs followed from the queried name, in order (empty when none).
    public var cnameChain: [String]
    /// TXT answers, each record as its character-strings.
    public var txt: [TXTRecord]

    public init(outcome: DNSOutcome, authenticated: Bool = false, cnameChain: [String] = [], txt: [TXTRecord] = []) {
        self.outcome = outcome
        self.authenticated = authenticated
        self.cnameChain = cnameChain
        self.txt = txt
    }
}

/// What one TLS connection showed. Chain verification is OpenSSL's (its X509_V_* code); the name
/// and date checks are ours (DNSID, and `notBefore`/`notAfter` against the scan's time).
public struct TLSFacts: Sendable, Hashable, Codable {
    /// Negotiated protocol, "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"...
    public var version: String?
    /// OpenSSL's verify result: 0 trusted; 9 not yet valid; 10 expired; 18/19/20/21 untrusted.
    public var verifyResult: Int
    /// subjectAltName dNSName entries of the leaf (the CN is never used).
    public var leafDNSNames: [String]
    /// Validity of the leaf, seconds since 1970.
    public var notBefore: Int64?
    public var notAfter: Int64?
    /// The presented chain, leaf first, as DER: the raw evidence the facts above come from.
    public var chainDER: [[UInt8]]
    /// For each adjacent pair of `chainDER` (k, k+1): whether certificate k+1's public key
    /// verifies certificate k's signature, as OpenSSL found at probe time (MTASTSNet's
    /// ChainSignatures; Core has no public-key code). DANE-TA(2) needs it (docs/VERDICTS.md,
    /// "DANE"). Nil in evidence stored before it was recorded: a DANE-TA match is then `unknown`.
    public var chainLinksSigned: [Bool]?
    /// The SHA-256 of each trust-anchor key, from the host's `2 1 0` TLSA records (DANE-TA, the
    /// full SubjectPublicKeyInfo), whose key verifies the signature of the chain's last
    /// certificate, as OpenSSL found when the host was probed: RFC 7671 §5.2.2 lets a TA given by
    /// its key be left out of the chain. Nil when the host had no such record (or before it was
    /// recorded).
    public var topSignerKeysSHA256: [[UInt8]]?

    public init(version: String?, verifyResult: Int, leafDNSNames: [String], notBefore: Int64?, notAfter: Int64?,
                chainDER: [[UInt8]] = [], chainLinksSigned: [Bool]? = nil, topSignerKeysSHA256: [[UInt8]]? = nil) {
        self.version = version
        self.verifyResult = verifyResult
        self.leafDNSNames = leafDNSNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.chainDER = chainDER
        self.chainLinksSigned = chainLinksSigned
        self.topSignerKeysSHA256 = topSignerKeysSHA256
    }

    /// TLS 1.2 or later (RFC 8461 §7.2 and RFC 8996).
    public var versionAtLeast12: Bool {
        guard let version else { return false }
        return version == "TLSv1.2" || version == "TLSv1.3"
    }
}

/// The HTTPS GET of the policy (§3.3).
public struct PolicyFetchEvidence: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// An HTTP response came back (any status).
        case response
        case hostNXDOMAIN = "host-nxdomain"
        case hostNoAddress = "host-no-address"
        case hostDNSError = "host-dns-error"
        case connectFailed = "connect-failed"
        case timeout
        case tlsHandshakeFailed = "tls-handshake-failed"
        /// Not fetched: the scan's per-domain deadline came while the fetch waited for its
        /// per-address limit or ran (the scanner's limit, not the domain's fault).
        case deadline
    }

    public var outcome: Outcome
    public var tls: TLSFacts?
    public var httpStatus: Int?
    public var contentType: String?
    public var location: String?
    /// The response's header lines as received, status line first, without line ends (at most
    /// 200 lines of 1024 bytes). Nil when no response came back, and in evidence stored before
    /// headers were kept.
    public var headers: [String]?
    /// The body as received, at most the limit plus one byte.
    public var body: [UInt8]?
    /// The server sent more than `PolicyFetchEvidence.maxBodyBytes`.
    public var bodyTooLarge: Bool
    /// The negotiated HTTP exchange's error, as the HTTP library put it (for people, not rules).
    public var detail: String?
    public var millis: Int
    /// What libcurl and OpenSSL reported, from which `outcome` is judged (TransferJudge). Nil in
    /// evidence stored before they were kept (format 1), and for a fetch never started.
    public var facts: TransferFacts?
    /// The policy host's A and AAAA outcomes as answered, kept when no address was found (the
    /// host-* outcomes), so that AddressLookup's judgement of the pair can be made again by
    /// reclassify. Nil otherwise, and in evidence stored before they were kept.
    public var aLookup: DNSOutcome?
    public var aaaaLookup: DNSOutcome?

    /// §3.3 suggests 64 kilobytes; 65,536 bytes is still accepted.
    public static let maxBodyBytes = 65_536

    public init(outcome: Outcome, tls: TLSFacts? = nil, httpStatus: Int? = nil, contentType: String? = nil,
                location: String? = nil, headers: [String]? = nil, body: [UInt8]? = nil, bodyTooLarge: Bool = false,
                detail: String? = nil, millis: Int = 0, facts: TransferFacts? = nil) {
        self.outcome = outcome
        self.facts = facts
        self.tls = tls
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.location = location
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.detail = detail
        self.millis = millis
    }
}

/// Everything gathered about one domain. Stages not reached are nil.
public struct Evidence: Sendable, Hashable, Codable {
    public var domain: String
    /// Seconds since 1970 at which certificates are judged (the scan's time).
    public var scanTime: Int64
    public var txt: DNSLookup?
    public var policyHost: String { "mta-sts." + domain }
    public var policyFetch: PolicyFetchEvidence?
    public var tlsrpt: DNSLookup?
    /// The MX stage: filled by the scan engine (MX lookup, addresses, STARTTLS probes).
    public var mx: MXEvidence?
    /// The domain's NS set, asked only for domains with an `_mta-sts` record (the DNS-operator
    /// axis of the report). Nil when not asked, and in evidence stored before it was kept.
    public var ns: NSEvidence?

    public init(domain: String, scanTime: Int64, txt: DNSLookup? = nil, policyFetch: PolicyFetchEvidence? = nil,
                tlsrpt: DNSLookup? = nil, mx: MXEvidence? = nil, ns: NSEvidence? = nil) {
        self.ns = ns
        self.domain = domain
        self.scanTime = scanTime
        self.txt = txt
        self.policyFetch = policyFetch
        self.tlsrpt = tlsrpt
        self.mx = mx
    }
}

/// The NS lookup of a domain: who operates its DNS (the names as answered, in answer order).
public struct NSEvidence: Sendable, Hashable, Codable {
    public var lookup: DNSOutcome
    public var hosts: [String]

    public init(lookup: DNSOutcome, hosts: [String] = []) {
        self.lookup = lookup
        self.hosts = hosts
    }
}

/// The MX lookup of a domain and, when probed, what each host showed.
public struct MXEvidence: Sendable, Hashable, Codable {
    public struct Host: Sendable, Hashable, Codable {
        public var name: String
        public var preference: Int
        /// The A and AAAA lookups together, as AddressLookup judges the pair.
        public var addressLookup: DNSOutcome?
        /// The A and AAAA outcomes as answered, kept when no address was found (as for the policy
        /// host), so the judgement can be made again. Nil otherwise, and in older evidence.
        public var aLookup: DNSOutcome?
        public var aaaaLookup: DNSOutcome?
        public var addresses: [String]
        /// One probe per address, shared across every domain using this (host, address) in a scan.
        public var probes: [SMTPProbeEvidence]
        /// `_25._tcp.<host>` TLSA (RFC 7672), with the AD bit of the answer.
        public var tlsa: DNSLookup?
        public var tlsaRecords: Int
        /// The TLSA records themselves (RFC 6698 §2.1), for the DANE judge. Nil in evidence
        /// stored before they were kept (formats 1 and 2: only the count was).
        public var tlsaAnswers: [TLSARecord]?

        /// The name is a host name (LDH labels; one final dot allowed): only then is it looked up,
        /// contacted or matched. A name is an answer's data, and `u@127.0.0.1` is legal on the wire.
        public var hasValidName: Bool {
            DomainName.isValidHostname(name) || (name.hasSuffix(".") && DomainName.isValidHostname(String(name.dropLast())))
        }

        public init(name: String, preference: Int, addressLookup: DNSOutcome? = nil, addresses: [String] = [],
                    probes: [SMTPProbeEvidence] = [], tlsa: DNSLookup? = nil, tlsaRecords: Int = 0,
                    tlsaAnswers: [TLSARecord]? = nil) {
            self.name = name
            self.preference = preference
            self.addressLookup = addressLookup
            self.addresses = addresses
            self.probes = probes
            self.tlsa = tlsa
            self.tlsaRecords = tlsaRecords
            self.tlsaAnswers = tlsaAnswers
        }
    }

    public var lookup: DNSOutcome
    /// The AD bit of the MX answer (RFC 7672 §2.2.1: a "secure" MX RRset). Nil in evidence stored
    /// before it was kept.
    public var authenticated: Bool?
    /// MX records as answered; a single `0 .` is a null MX (RFC 7505). Empty with NOERROR or
    /// NXDOMAIN: no MX records, the domain itself is the implicit MX (RFC 5321 §5.1).
    public var hosts: [Host]
    /// The hosts were probed (STS record present, or --probe-all-mx, and not --no-smtp).
    public var probed: Bool
    /// No MX records were answered and `hosts` holds the domain itself (RFC 5321 §5.1).
    public var implicit: Bool
    /// Set when the MX set had more hosts than a scan probes per domain (--max-mx-hosts): only
    /// the first `probeLimit` hosts in preference order were looked up and probed. Nil: all were.
    public var probeLimit: Int?

    public init(lookup: DNSOutcome, hosts: [Host], probed: Bool = false, implicit: Bool = false, probeLimit: Int? = nil,
                authenticated: Bool? = nil) {
        self.lookup = lookup
        self.authenticated = authenticated
        self.hosts = hosts
        self.probed = probed
        self.implicit = implicit
        self.probeLimit = probeLimit
    }

    /// Whether host `i` (in `hosts`' preference order) is within the probe limit.
    public func withinProbeLimit(_ i: Int) -> Bool { probeLimit.map { i < $0 } ?? true }

    public var isNullMX: Bool { hosts.count == 1 && (hosts[0].name == "." || hosts[0].name.isEmpty) }
}

/// One STARTTLS session with one address of an MX host: EHLO, STARTTLS, EHLO, NOOP, QUIT. Never
/// MAIL or RCPT.
public struct SMTPProbeEvidence: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The session went through TLS and the NOOP.
        case completed
        case connectFailed = "connect-failed"
        case timeout
        /// No greeting, or a 4xx/5xx greeting (421: the server sheds load).
        case greetingRejected = "greeting-rejected"
        /// EHLO did not list STARTTLS.
        case starttlsNotOffered = "starttls-not-offered"
        /// STARTTLS was answered with an error.
        case starttlsRefused = "starttls-refused"
        case tlsHandshakeFailed = "tls-handshake-failed"
        /// The session failed after TLS was up (the TLS facts are still valid evidence).
        case failedAfterTLS = "failed-after-tls"
        /// An address this scan was asked not to contact.
        case excluded
        /// Not probed: the scan's per-domain deadline came first (it waited for the address's
        /// per-address limit behind other domains' sessions). Unknown, not the host's fault.
        case deadline
    }

    public var address: String
    public var outcome: Outcome
    public var banner: String?
    /// EHLO response lines before and after STARTTLS.
    public var ehlo: [String]
    public var ehloTLS: [String]
    public var tls: TLSFacts?
    public var millis: Int
    /// The SMTP library's error text, for people, not rules.
    public var detail: String?
    /// A second session without SNI presented another leaf certificate (nil: not tried, or it
    /// did not reach TLS). The fact is kept rather than the DER, which every domain on a shared
    /// MX host would otherwise carry.
    public var noSNILeafDiffers: Bool?
    /// What libcurl and OpenSSL reported, from which `outcome` is judged (TransferJudge). Nil in
    /// evidence stored before they were kept (format 1), and for a probe never started
    /// (excluded, deadline).
    public var facts: TransferFacts?

    public init(address: String, outcome: Outcome, banner: String? = nil, ehlo: [String] = [], ehloTLS: [String] = [],
                tls: TLSFacts? = nil, millis: Int = 0, detail: String? = nil, facts: TransferFacts? = nil) {
        self.address = address
        self.facts = facts
        self.outcome = outcome
        self.banner = banner
        self.ehlo = ehlo
        self.ehloTLS = ehloTLS
        self.tls = tls
        self.millis = millis
        self.detail = detail
    }
}

// The stored members of each type (EvidenceLayout.swift): a property added above is added to
// its type's list here too, in one line; the store's tests fail while it is not.

extension Evidence: EvidenceMembers {
    /// The policy fetch before the MX set: the order of their chains' slots (SCHEMA.md).
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("domain", &domain)
        v.member("policyFetch", &policyFetch)
        v.member("mx", &mx)
        v.member("ns", &ns)
        v.member("scanTime", &scanTime)
        v.member("tlsrpt", &tlsrpt)
        v.member("txt", &txt)
    }
}

extension NSEvidence: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("hosts", &hosts)
        v.member("lookup", &lookup)
    }
}

extension DNSLookup: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("authenticated", &authenticated)
        v.member("cnameChain", &cnameChain)
        v.member("outcome", &outcome)
        v.member("txt", &txt)
    }
}

extension TLSFacts: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.chain("chainDER", &chainDER)
        // Issue 17's signature facts (DANE-TA): written through the store's generic Encoder.
        v.member("chainLinksSigned", &chainLinksSigned)
        v.member("leafDNSNames", &leafDNSNames)
        v.member("notAfter", &notAfter)
        v.member("notBefore", &notBefore)
        v.member("topSignerKeysSHA256", &topSignerKeysSHA256)
        v.member("verifyResult", &verifyResult)
        v.member("version", &version)
    }
}

extension PolicyFetchEvidence: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("aLookup", &aLookup)
        v.member("aaaaLookup", &aaaaLookup)
        v.body("body", &body)
        v.member("bodyTooLarge", &bodyTooLarge)
        v.member("contentType", &contentType)
        v.member("detail", &detail)
        v.member("facts", &facts)
        v.member("headers", &headers)
        v.member("httpStatus", &httpStatus)
        v.member("location", &location)
        v.member("millis", &millis)
        v.member("outcome", &outcome)
        v.member("tls", &tls)
    }
}

extension MXEvidence: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("authenticated", &authenticated)
        v.member("hosts", &hosts)
        v.member("implicit", &implicit)
        v.member("lookup", &lookup)
        v.member("probeLimit", &probeLimit)
        v.member("probed", &probed)
    }
}

extension MXEvidence.Host: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("aLookup", &aLookup)
        v.member("aaaaLookup", &aaaaLookup)
        v.member("addressLookup", &addressLookup)
        v.member("addresses", &addresses)
        v.member("name", &name)
        v.member("preference", &preference)
        v.member("probes", &probes)
        v.member("tlsa", &tlsa)
        // Rare (hosts with TLSA records) and hex-encoded by TLSARecord's own Codable: written
        // through the store's generic Encoder.
        v.member("tlsaAnswers", &tlsaAnswers)
        v.member("tlsaRecords", &tlsaRecords)
    }
}

extension SMTPProbeEvidence: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("address", &address)
        v.member("banner", &banner)
        v.member("detail", &detail)
        v.member("ehlo", &ehlo)
        v.member("ehloTLS", &ehloTLS)
        v.member("facts", &facts)
        v.member("millis", &millis)
        v.member("noSNILeafDiffers", &noSNILeafDiffers)
        v.member("outcome", &outcome)
        v.member("tls", &tls)
    }
}
