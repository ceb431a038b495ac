// A host's A and AAAA lookups judged together: what "this host has no address" may be said of.
// Under load a resolver can SERVFAIL (or time out) one family while the other answers NODATA;
// read as "no address" that became policy-host-no-address / mx-unreachable, a finding about the
// domain, when the truth is that our lookup failed (issue 19 follow-up).

public enum AddressLookup {
    /// The outcome of the pair. Addresses found: NOERROR (the host is reachable through them).
    /// None found: a failure on either family wins (the missing family may hold the address),
    /// so SERVFAIL + NODATA is SERVFAIL, never "no address"; NXDOMAIN only when both say so;
    /// else NOERROR with no address (NODATA, or NXDOMAIN beside NODATA).
    public static func outcome(a: DNSOutcome, aaaa: DNSOutcome, foundAddresses: Bool) -> DNSOutcome {
        if foundAddresses { return .noError }
        if a.isFailure { return a }
        if aaaa.isFailure { return aaaa }
        if a == .nxDomain && aaaa == .nxDomain { return .nxDomain }
        return .noError
    }
}

extension MXEvidence.Host {
    /// The host's address lookup as judged now: from the kept A and AAAA outcomes when present
    /// (so reclassify follows AddressLookup), else as stored.
    public var judgedAddressLookup: DNSOutcome? {
        guard let a = aLookup, let aaaa = aaaaLookup else { return addressLookup }
        return AddressLookup.outcome(a: a, aaaa: aaaa, foundAddresses: !addresses.isEmpty)
    }
}
