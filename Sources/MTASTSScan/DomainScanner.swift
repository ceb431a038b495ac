// One domain, the way a compliant sender looks at it (RFC 8461 Appendix B), asking only what the
// next step needs: no policy fetch without a valid record, no MX probe without an STS record
// (unless --probe-all-mx). Returns evidence; the verdict is MTASTSCore's pure function of it.
import MTASTSCore
import MTASTSNet

public struct DomainScanner: Sendable {
    let loop: EventLoop
    let options: ScanOptions
    let probes: ProbeCache
    let exclusions: ExclusionList
    /// Policy fetches per destination address, as STARTTLS sessions are (ProbeCache): two
    /// thousand policy hosts of one hoster on one address, fetched all at once, timed out by the
    /// hundred at --concurrency 1000 and by none at 50, so the verdict depended on our own load.
    /// Only the number at once is limited (not the rate): a fetch is one short HTTPS request.
    let policyLimiter: AddressLimiter

    public init(loop: EventLoop, options: ScanOptions, probes: ProbeCache, exclusions: ExclusionList = ExclusionList()) {
        self.loop = loop
        self.options = options
        self.probes = probes
        self.exclusions = exclusions
        self.policyLimiter = AddressLimiter(limit: options.perAddressConcurrency)
    }

    /// The three lookups every domain needs, asked as one batch of the domain's name: for the
    /// ~98% of domains without a record nothing else follows. `_mta-sts.D` TXT, `D` MX,
    /// `_smtp._tls.D` TXT; the names are built as each query starts (QueryBatch says why).
    public static let firstQueries: [QueryKind] = [QueryKind(.mtaSTS, .txt), QueryKind(.none, .mx), QueryKind(.smtpTLS, .txt)]

    /// What is left of a domain after its first lookups: a policy to fetch, MX hosts to probe.
    public struct Pending: Sendable {
        /// With the MX set as looked up; `finish` adds the probes and the policy fetch.
        var evidence: Evidence
        var fetchPolicy: Bool
        /// The domain has an `_mta-sts` record: its NS set is asked too (the DNS-operator axis).
        /// Only these domains (about 1% of a top list), so the query mix barely grows.
        var askNS = false
    }

    public enum AfterFirstLookups: Sendable {
        /// Nothing more to ask: the evidence is complete.
        case done(Evidence)
        /// More to do; `finish` does it.
        case more(Pending)
    }

    /// One domain, start to end (what `check` uses; the bulk scan calls the two halves itself).
    public func scan(_ domain: String) async -> Evidence {
        let deadline = options.domainTimeout.map { DomainDeadline(secondsFromNow: $0) }
        switch afterFirstLookups(domain, await loop.queries(domain, Self.firstQueries)) {
        case .done(let evidence): return evidence
        case .more(let pending): return await finish(pending, deadline: deadline)
        }
    }

    /// The first lookups' answers (in `firstQueries` order) to evidence, or to what is left to
    /// do. Synchronous and cheap: the scan loop runs it for every domain without a task.
    public func afterFirstLookups(_ domain: String, _ first: [DNSResult]) -> AfterFirstLookups {
        let (txt, mxAnswer, tlsrpt) = (first[0], first[1], first[2])
        var evidence = Evidence(domain: domain, scanTime: options.scanTime, txt: txt.lookup, tlsrpt: tlsrpt.lookup)
        let record = txt.outcome == .noError ? STSRecordParser.parse(txt.answer?.txt ?? []) : nil
        let hasRecord = record.map { $0.kind != .absent } ?? false
        let probe = !options.noSMTP && (hasRecord || options.probeAllMX)
        let fetch = record?.kind == .valid
        let mx = mxLookup(domain, answer: mxAnswer, probe: probe)
        evidence.mx = mx
        if !fetch && !Self.needsProbes(mx) && !hasRecord { return .done(evidence) }
        return .more(Pending(evidence: evidence, fetchPolicy: fetch, askNS: hasRecord))
    }

    /// The policy fetch and the MX probes, side by side. A wait for a per-address slot ends at
    /// `deadline` (DomainDeadline).
    public func finish(_ pending: Pending, deadline: DomainDeadline? = nil) async -> Evidence {
        var evidence = pending.evidence
        let domain = evidence.domain
        async let policy: PolicyFetchEvidence? = pending.fetchPolicy ? await fetchPolicy(domain, deadline: deadline) : nil
        async let ns: NSEvidence? = pending.askNS ? await nameServers(domain) : nil
        if let mx = evidence.mx, Self.needsProbes(mx) { evidence.mx = await probed(mx, deadline: deadline) }
        evidence.policyFetch = await policy
        evidence.ns = await ns
        return evidence
    }

    /// §3.3: the policy host's addresses from our resolver, then the GET pinned to them.
    func fetchPolicy(_ domain: String, deadline: DomainDeadline? = nil) async -> PolicyFetchEvidence {
        let host = "mta-sts." + domain
        let found = await addresses(of: host)
        let (outcome, addresses) = (found.outcome, found.addresses)
        guard !addresses.isEmpty else {
            var e: PolicyFetchEvidence
            switch outcome {
            case .nxDomain: e = PolicyFetchEvidence(outcome: .hostNXDOMAIN)
            case _ where outcome.isFailure:
                e = PolicyFetchEvidence(outcome: .hostDNSError, detail: "A \(found.a.rawValue), AAAA \(found.aaaa.rawValue)")
            default: e = PolicyFetchEvidence(outcome: .hostNoAddress)
            }
            (e.aLookup, e.aaaaLookup) = (found.a, found.aaaa)
            return e
        }
        let allowed = addresses.filter { !exclusions.excludes(address: $0) }
        guard !allowed.isEmpty else {
            // Recorded, never silently dropped: the policy host sits in an excluded range.
            return PolicyFetchEvidence(outcome: .hostNoAddress, detail: "every address of \(host) is excluded by --exclude")
        }
        let (loop, port, limiter) = (self.loop, options.httpsPort, policyLimiter)
        // curl tries the addresses in order: the first is the one the fetch loads.
        let first = allowed[0]
        // The deadline ends only the wait for the address's slot (the limiter keeps a timer for
        // a queued wait alone); the fetch itself is bounded by --timeout.
        let late = PolicyFetchEvidence(outcome: .deadline, detail: "the domain's deadline came first")
        if deadline?.isPast == true { return late }
        guard await limiter.acquire(first, deadline: deadline) else { return late }
        var fetch = await loop.fetchPolicy(host: host, addresses: allowed, port: port)
        if fetch.outcome == .tlsHandshakeFailed, fetch.tls == nil {
            // Learn whether the server only speaks TLS below 1.2 (policy-tls-version-too-old).
            fetch.tls = await loop.legacyTLSFacts(host: host, addresses: allowed, port: port)
        }
        await limiter.release(first)
        return fetch
    }

    /// The domain's NS set as answered (through a CNAME at the apex, as any resolver follows it).
    func nameServers(_ domain: String) async -> NSEvidence {
        let r = await loop.queries(domain, [QueryKind(.none, .ns)])[0]
        return NSEvidence(lookup: r.outcome, hosts: r.outcome.isFailure ? [] : r.answer?.ns ?? [])
    }

    /// A and AAAA together, judged by MTASTSCore's AddressLookup (a failure of either family with
    /// no address found is that failure, never "no address"); the raw outcomes are returned too,
    /// for the evidence.
    func addresses(of host: String) async -> Addresses {
        let both = await loop.queries(host, [QueryKind(.none, .a), QueryKind(.none, .aaaa)])
        return Self.combine(a: both[0], aaaa: both[1])
    }

    struct Addresses {
        var outcome: DNSOutcome
        var addresses: [String]
        var a: DNSOutcome
        var aaaa: DNSOutcome
    }

    static func combine(a ra: DNSResult, aaaa raaaa: DNSResult) -> Addresses {
        let addresses = (ra.answer?.addresses ?? []) + (raaaa.answer?.addresses ?? [])
        let outcome = AddressLookup.outcome(a: ra.outcome, aaaa: raaaa.outcome, foundAddresses: !addresses.isEmpty)
        return Addresses(outcome: outcome, addresses: addresses, a: ra.outcome, aaaa: raaaa.outcome)
    }

    /// The MX set as looked up (RFC 5321 §5.1: no MX means the domain itself), marked `probed`
    /// when its hosts are to be probed (a failed lookup has no hosts and is never probed).
    func mxLookup(_ domain: String, answer: DNSResult, probe: Bool) -> MXEvidence {
        guard !answer.outcome.isFailure else { return MXEvidence(lookup: answer.outcome, hosts: []) }
        var hosts = answer.answer?.mx ?? []
        if hosts.count > 1 { hosts.sort { ($0.preference, $0.name) < ($1.preference, $1.name) } }
        let implicit = hosts.isEmpty
        if implicit { hosts = [MXEvidence.Host(name: domain, preference: 0)] }
        // Every host is kept as answered; only the most preferred maxMXHosts are probed.
        let limit = hosts.count > options.maxMXHosts ? options.maxMXHosts : nil
        // The AD bit matters for DANE (RFC 7672 §2.2.1), which is judged only of probed hosts:
        // kept then, so the millions of unprobed rows stay as they were.
        return MXEvidence(lookup: answer.outcome, hosts: hosts, probed: probe, implicit: implicit, probeLimit: limit,
                          authenticated: probe ? answer.answer?.authenticated ?? false : nil)
    }

    /// A null MX (RFC 7505) takes no mail: nothing to probe even when asked.
    static func needsProbes(_ mx: MXEvidence) -> Bool { mx.probed && !mx.isNullMX }

    /// Every host of the MX set within the probe limit probed, side by side. A name that is not
    /// a host name (`u@127.0.0.1`, `127.0.0.1/x`, an IP literal: legal on the wire) is never
    /// looked up or contacted; the classifier reports it (mx-invalid-hostname).
    func probed(_ mx: MXEvidence, deadline: DomainDeadline? = nil) async -> MXEvidence {
        var mx = mx
        let hosts = mx.hosts
        let limit = mx
        mx.hosts = await withTaskGroup(of: (Int, MXEvidence.Host).self) { group in
            for (i, host) in hosts.enumerated() where limit.withinProbeLimit(i) && host.hasValidName {
                group.addTask { (i, await probeHost(host, deadline: deadline)) }
            }
            var out = hosts
            for await (i, h) in group { out[i] = h }
            return out
        }
        return mx
    }

    /// Every address of the host (IPv4 and IPv6), each probed once per scan, and its TLSA; the
    /// host's lookups too are shared by the scan's domains (ProbeCache.lookups).
    func probeHost(_ host: MXEvidence.Host, deadline: DomainDeadline? = nil) async -> MXEvidence.Host {
        var h = host
        let answers = await probes.lookups(host: host.name)   // once per host per scan
        let found = Self.combine(a: answers[0], aaaa: answers[1])
        let addresses = found.addresses
        h.addressLookup = found.outcome
        h.addresses = addresses
        if addresses.isEmpty { (h.aLookup, h.aaaaLookup) = (found.a, found.aaaa) }
        h.probes = await withTaskGroup(of: (Int, SMTPProbeEvidence).self) { group in
            for (i, address) in addresses.enumerated() {
                group.addTask { (i, await probes.probe(host: host.name, address: address, deadline: deadline)) }
            }
            var out = [SMTPProbeEvidence?](repeating: nil, count: addresses.count)
            for await (i, p) in group { out[i] = p }
            return out.compactMap { $0 }
        }
        let t = answers[2]
        h.tlsa = t.lookup
        h.tlsaRecords = t.answer?.tlsaCount ?? 0
        // The records themselves for the DANE judge; nil when there are none (most hosts).
        if let records = t.answer?.tlsa, !records.isEmpty { h.tlsaAnswers = records }
        Self.recordTopSigners(&h)
        return h
    }

    /// For each DANE-TA key published in full (`2 1 0`), whether it signed the last certificate
    /// of each chain the host presented (RFC 7671 §5.2.2: the TA key need not be in the chain).
    /// The TLSA answer is in hand here, before the judge runs, and the check needs OpenSSL
    /// (MTASTSNet); the answer is kept as a fact, so `reclassify` reads it. Hosts without such
    /// records (nearly all) are left as they were.
    static func recordTopSigners(_ h: inout MXEvidence.Host) {
        let keys = Set((h.tlsaAnswers ?? []).filter { $0.usage == DANE.daneTA && $0.selector == 1 && $0.matchingType == 0 }.map(\.data))
        guard !keys.isEmpty else { return }
        for i in h.probes.indices {
            guard let top = h.probes[i].tls?.chainDER.last else { continue }
            h.probes[i].tls?.topSignerKeysSHA256 = keys.sorted { $0.lexicographicallyPrecedes($1) }
                .filter { ChainSignatures.keySigns(spki: $0, certificate: top) }.map { SHA256.digest($0) }
        }
    }
}
