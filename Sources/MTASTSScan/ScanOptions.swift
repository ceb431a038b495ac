// The options of one scan that change what is asked and probed (the network ones are NetConfig).

public struct ScanOptions: Sendable {
    public var httpsPort: Int
    public var smtpPort: Int
    /// Probe the MX hosts of every domain, not only of those with an STS record.
    public var probeAllMX: Bool
    /// Probe no MX host at all (mx_status `not-probed`).
    public var noSMTP: Bool
    /// At most this many STARTTLS sessions at once with one address.
    public var perAddressConcurrency: Int
    /// At most this many new STARTTLS sessions a second with one address; 0 for no limit.
    public var perAddressRate: Double
    /// Seconds without new sessions to an address after a 4xx greeting.
    public var perAddressBackoff: Double
    /// Seconds since 1970 at which certificates are judged: the scan's start.
    public var scanTime: Int64
    /// At most this many MX hosts of a domain are looked up and probed, the most preferred first
    /// (a hostile MX set of hundreds of hosts on a tarpit would hold the domain for minutes).
    public var maxMXHosts: Int
    /// Seconds from a domain's start after which it no longer waits for a per-address slot
    /// (DomainDeadline); nil: no deadline.
    public var domainTimeout: Double?

    public init(httpsPort: Int = 443, smtpPort: Int = 25, probeAllMX: Bool = false, noSMTP: Bool = false,
                perAddressConcurrency: Int = 4, perAddressRate: Double = 0, perAddressBackoff: Double = 60, scanTime: Int64,
                maxMXHosts: Int = 10, domainTimeout: Double? = nil) {
        self.httpsPort = httpsPort
        self.smtpPort = smtpPort
        self.probeAllMX = probeAllMX
        self.noSMTP = noSMTP
        self.perAddressConcurrency = perAddressConcurrency
        self.perAddressRate = perAddressRate
        self.perAddressBackoff = perAddressBackoff
        self.scanTime = scanTime
        self.maxMXHosts = max(1, maxMXHosts)
        self.domainTimeout = domainTimeout
    }
}
