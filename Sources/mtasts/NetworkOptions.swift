// The network options shared by `scan` and `check` (docs/CLI.md).
import ArgumentParser
import Foundation
import MTASTSCore
import MTASTSNet
import MTASTSScan

struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("resolver"), help: ArgumentHelp("A recursive resolver, ADDR or ADDR:PORT ([::1]:53 for IPv6). Repeat for several, used round-robin. Default: the nameservers of /etc/resolv.conf.", valueName: "ADDR[:PORT]"))
    var resolvers: [String] = []

    @Option(help: ArgumentHelp("Trusted roots (PEM) for HTTPS and SMTP validation. Default: the system bundle \(NetConfig.systemCABundle).", valueName: "PEM"))
    var caFile: String?

    @Option(help: "Port for policy fetches.")
    var httpsPort: Int = 443

    @Option(help: "Port for STARTTLS probes.")
    var smtpPort: Int = 25

    @Option(help: "Seconds for one DNS query, one HTTPS fetch, one SMTP probe.")
    var timeout: Double = 10

    @Option(help: "Retries of a DNS query that timed out.")
    var retries: Int = 2

    @Flag(help: "Do not probe MX hosts (mx_status not-probed).")
    var noSMTP = false

    @Flag(name: .customLong("no-sni-probe"), help: "Do not open the second STARTTLS session without SNI to each MX address (one session less per address; the finding mx-sni-dependent is then never seen).")
    var noSNIProbe = false

    @Flag(help: "Probe the MX hosts of every domain, not only of those with an MTA-STS record.")
    var probeAllMX = false

    @Option(help: ArgumentHelp("Who is scanning: a URL put in the User-Agent and in the scan's record. Required when ports 443 or 25 are used.", valueName: "URL"))
    var contact: String?

    @Option(help: ArgumentHelp("The name sent in EHLO. Default: this machine's FQDN.", valueName: "FQDN"))
    var ehloName: String?

    @Option(help: "At most this many STARTTLS sessions at once with one address.")
    var perAddressConcurrency: Int = 4

    @Option(help: "At most this many new STARTTLS sessions a second with one address (0: no limit).")
    var perAddressRate: Double = 10

    @Option(help: "Seconds without new STARTTLS sessions to an address after it greeted with 4xx (e.g. 421).")
    var perAddressBackoff: Double = 60

    @Option(name: .customLong("max-mx-hosts"), help: "At most N MX hosts of a domain are looked up and probed, the most preferred first; a domain with more gets the finding mx-too-many-hosts.")
    var maxMXHosts: Int = 10

    @Option(help: ArgumentHelp("Seconds from a domain's start after which it stops waiting for a per-address slot behind other domains; such a step is stored as `deadline` (finding scan-deadline). Default: 600, or (2 x (retries + 1) + 4) x --timeout (the longest a domain takes when it never waits) if that is longer.", valueName: "SECONDS"))
    var domainTimeout: Double?

    @Option(name: .customLong("dns-in-flight"), help: ArgumentHelp("At most N DNS queries under a second old with the resolver at once; the rest wait in the scanner. Older ones (zones that never answer) stop counting, up to 4 x N in all. Keep N under what the resolver holds from one client: deploy/unbound sets num-queries-per-thread 4096 and wait-limit 0; a stock unbound 1.20+ (or Debian 12) drops queries past 1000 waiting per client address, so use 512 with one.", valueName: "N"))
    var dnsInFlight: Int = NetConfig.defaultDNSInFlight

    func validate() throws {
        let realPorts = httpsPort == 443 || (smtpPort == 25 && !noSMTP)
        if realPorts && (contact ?? "").isEmpty {
            throw ValidationError("--contact URL is required when scanning ports 443 or 25: say who is scanning and how to opt out")
        }
        guard perAddressConcurrency >= 1, perAddressRate >= 0, perAddressBackoff >= 0 else { throw ValidationError("--per-address-concurrency must be 1 or more, --per-address-rate 0 or more") }
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        guard (0...10).contains(retries) else { throw ValidationError("--retries must be 0 to 10") }
        guard (1...65535).contains(httpsPort), (1...65535).contains(smtpPort) else { throw ValidationError("ports are 1 to 65535") }
        guard (1...16384).contains(dnsInFlight) else { throw ValidationError("--dns-in-flight must be 1 to 16384") }
        guard (1...100).contains(maxMXHosts) else { throw ValidationError("--max-mx-hosts must be 1 to 100") }
        if let domainTimeout, !(domainTimeout > 0 && domainTimeout <= 86_400) {
            throw ValidationError("--domain-timeout must be between 0 and 86400 seconds")
        }
        // The contact URL goes into every User-Agent header: a space, CR or LF would break or
        // forge header lines.
        if let contact, !contact.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw ValidationError("--contact must be a URL of printable ASCII without spaces")
        }
        if let ehloName, !DomainName.isValidHostname(ehloName) || !ehloName.contains(".") {
            throw ValidationError("--ehlo-name '\(ehloName)' is not a fully qualified domain name")
        }
    }

    func resolvedEHLOName() throws -> String {
        if let ehloName { return ehloName }
        let fqdn = Self.machineFQDN()
        guard DomainName.isValidHostname(fqdn), fqdn.contains(".") else {
            throw ValidationError("this machine's name '\(fqdn)' is not a fully qualified domain name; give --ehlo-name FQDN")
        }
        return fqdn
    }

    func netConfig() throws -> NetConfig {
        let ua = "mtasts/\(MTASTSVersion.string)" + (contact.map { " (+\($0))" } ?? "")
        return NetConfig(resolvers: resolvers, timeoutMillis: Int(timeout * 1000), dnsRetries: retries, caFile: caFile,
                         userAgent: ua, ehloName: try resolvedEHLOName(), dnsInFlight: dnsInFlight)
    }

    func scanOptions(scanTime: Int64) -> ScanOptions {
        ScanOptions(httpsPort: httpsPort, smtpPort: smtpPort, probeAllMX: probeAllMX, noSMTP: noSMTP,
                    perAddressConcurrency: perAddressConcurrency, perAddressRate: perAddressRate,
                    perAddressBackoff: perAddressBackoff, scanTime: scanTime, maxMXHosts: maxMXHosts,
                    domainTimeout: domainTimeout ?? DomainDeadline.defaultSeconds(timeout: timeout, retries: retries))
    }

    /// gethostname, made canonical through the system's resolver configuration (/etc/hosts first).
    static func machineFQDN() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let name = String(cString: buf)
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &res) == 0, let res else { return name }
        defer { freeaddrinfo(res) }
        return res.pointee.ai_canonname.map { String(cString: $0) } ?? name
    }
}
