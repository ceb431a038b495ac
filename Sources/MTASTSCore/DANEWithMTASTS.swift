// DANE beside MTA-STS, as a sender that implements both treats a domain (RFC 8461 §2: "senders
// who implement MTA-STS validation MUST NOT allow MTA-STS Policy validation to override a failing
// DANE validation"; RFC 7672 §2.2). Host by host: where DANE applies (a DNSSEC-validated TLSA
// RRset) it decides; elsewhere the MTA-STS policy does; without either, opportunistic TLS.
// Where the RFCs leave a choice (DANE records all unusable while an MTA-STS policy would
// authenticate the host) the DANE outcome is kept: RFC 8461 §2 only forbids the opposite
// override, and the choice is stated in docs/VERDICTS.md. Sender profiles may decide otherwise.

/// Which mechanism decides a host's delivery.
public enum TransportPolicy: String, Sendable, Codable {
    case dane
    case mtaSTS = "mta-sts"
    /// Neither: opportunistic STARTTLS, unauthenticated.
    case none
}

/// What the sender does with one MX host.
public enum HostDelivery: String, Sendable, Codable {
    /// Over TLS authenticated by DANE or by MTA-STS (enforce or testing, the host passing).
    case authenticated
    /// Delivered, but not authenticated (opportunistic TLS, DANE unusable, MTA-STS testing or
    /// none with a failing host).
    case unauthenticated
    /// Not delivered to this host (DANE mismatch, no TLS, TLSA lookup failure; MTA-STS enforce
    /// with a failing host).
    case deferred = "defer"
    /// Not known from the evidence (not probed, not judged).
    case unknown
}

/// A domain's combined verdict, over its judged MX hosts.
public enum DomainDelivery: String, Sendable, Codable, CaseIterable {
    /// Every judged host delivers authenticated.
    case authenticated
    /// Every judged host delivers; some or all without authentication.
    case unauthenticated
    /// Some judged hosts defer, others take mail (a sender tries them in preference order).
    case partlyDeferred = "partly-deferred"
    /// Every judged host defers: mail waits in the sender's queue.
    case deferred = "defer"
}

public struct CombinedHost: Sendable, Hashable, Codable {
    public var host: String
    public var policy: TransportPolicy
    public var delivery: HostDelivery
}

public struct CombinedVerdict: Sendable, Hashable, Codable {
    public var hosts: [CombinedHost]
    /// Nil when no host could be judged (MX not probed, null MX, MX lookup failed).
    public var delivery: DomainDelivery?
}

extension DANE {
    /// The combined verdict of a classified domain: its DANE judgement and its MTA-STS verdict.
    public static func combine(_ dane: DANEDomainJudgement, _ v: Verdict) -> CombinedVerdict {
        let stsMode: PolicyMode? = v.status == .valid ? v.mode : nil
        var hosts: [CombinedHost] = []
        let stsPolicy: TransportPolicy = stsMode == .enforce || stsMode == .testing ? .mtaSTS : .none
        for m in v.mx {
            // Not probed (or past the probe limit): nothing known.
            guard let result = m.result else { continue }
            let d = dane.hosts.first(where: { $0.host == m.host })
            let daneApplies = d?.secureTLSA == true || d?.status == .lookupFailed
            func add(_ p: TransportPolicy, _ delivery: HostDelivery) { hosts.append(CombinedHost(host: m.host, policy: p, delivery: delivery)) }
            switch d?.senderAction {
            case .deliverAuthenticated?: add(.dane, .authenticated); continue
            case .deliverUnauthenticatedTLS?: add(.dane, .unauthenticated); continue
            case .deferHost?: add(.dane, .deferred); continue
            default: break
            }
            // A host no session reached takes no mail, whatever the policy.
            if result == .unreachable || result == .dnsError { add(daneApplies ? .dane : stsPolicy, .deferred); continue }
            if daneApplies { add(.dane, .unknown); continue }               // old evidence, or not matched
            switch stsMode {
            case .enforce?: add(.mtaSTS, result == .pass ? .authenticated : .deferred)
            case .testing?: add(.mtaSTS, result == .pass ? .authenticated : .unauthenticated)
            // No usable policy, or mode none: opportunistic STARTTLS, unauthenticated (a host
            // without STARTTLS still takes mail in clear text).
            case .none?, nil: add(.none, .unauthenticated)
            }
        }
        let judged = hosts.map(\.delivery).filter { $0 != .unknown }
        let domain: DomainDelivery?
        if judged.isEmpty { domain = nil }
        else if judged.allSatisfy({ $0 == .deferred }) { domain = .deferred }
        else if judged.contains(.deferred) { domain = .partlyDeferred }
        else if judged.allSatisfy({ $0 == .authenticated }) { domain = .authenticated }
        else { domain = .unauthenticated }
        return CombinedVerdict(hosts: hosts, delivery: domain)
    }
}
