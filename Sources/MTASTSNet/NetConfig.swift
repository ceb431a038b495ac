// What the I/O loop needs to know, decided once per scan by the command line.

public struct NetConfig: Sendable {
    /// Resolvers as "ADDR" or "ADDR:PORT" ("[::1]:53" for IPv6). Empty: /etc/resolv.conf.
    public var resolvers: [String]
    /// One DNS query's timeout, one HTTPS fetch's, one SMTP probe's.
    public var timeoutMillis: Int
    /// Retries of a DNS query that timed out (c-ares tries = retries + 1).
    public var dnsRetries: Int
    /// Trusted roots (PEM). Nil: the system bundle.
    public var caFile: String?
    /// `mtasts/<version> (+contact URL)`.
    public var userAgent: String
    /// The name sent in EHLO.
    public var ehloName: String
    /// The policy body limit; one byte more is `policy-too-large`.
    public var maxBodyBytes: Int
    /// DNS queries with the resolver at once over UDP that are under a second old, spread over
    /// the channels; the rest wait in the scanner. With internet latency (tens to hundreds of ms
    /// per cold name) this window bounds throughput: 1024 at ~0.1 s a query is ~10k queries/s.
    /// Older queries (zones that never answer) stop counting, up to 4 x this many in all
    /// (QueryWindow): counted for their whole --timeout, 1% of dead zones held most of the window
    /// and the latency world's scan ran at half the speed (issue 19).
    /// Why 4096: on the latency world (bench/latency/README.md) the resolver is fastest with about
    /// 4096 queries outstanding from its one client (dnsperf's sweep), and so is the scanner.
    /// Alternated scans at 10,000 in flight gave, in domains/s steady: 1024: 4146-4548 (five);
    /// 2048: 4155, 4694; 3072: 4620, 4763; 4096: 4448, 5310-5370 (four); 8192: 5328, 5377; and
    /// at 50,000 in flight 5306 against 4657 at 1024. No answered domain ended dns-error in any.
    /// It needs the resolver to hold that much from one client: deploy/unbound sets
    /// num-queries-per-thread 4096 (per thread; two threads or more, over which the 16 sockets
    /// spread, EventLoop.channelCount) and wait-limit 0; unbound's stock wait-limit (1000 waiting
    /// queries per client address, unbound 1.20 and Debian 12's security updates) dropped live
    /// queries at 1024. Use 512 with such a resolver.
    /// The window is sent in bursts: the resolver's UDP receive buffer must hold them (so-rcvbuf
    /// 4m in deploy/unbound; a server with the system's ~210 KB dropped them, Tests/Hostile).
    public var dnsInFlight: Int

    public static let defaultDNSInFlight = 4096

    public static let systemCABundle = "/etc/ssl/certs/ca-certificates.crt"

    public init(resolvers: [String] = [], timeoutMillis: Int = 10_000, dnsRetries: Int = 2, caFile: String? = nil,
                userAgent: String, ehloName: String, maxBodyBytes: Int = 65_536, dnsInFlight: Int = NetConfig.defaultDNSInFlight) {
        self.resolvers = resolvers
        self.timeoutMillis = timeoutMillis
        self.dnsRetries = dnsRetries
        self.caFile = caFile
        self.userAgent = userAgent
        self.ehloName = ehloName
        self.maxBodyBytes = maxBodyBytes
        self.dnsInFlight = max(1, dnsInFlight)
    }
}

/// A failure to set up the loop: these stop a scan before it starts, with a clear message.
public struct NetError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
