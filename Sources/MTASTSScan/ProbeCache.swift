// Each (MX host, address) is probed once per scan and the result shared by every domain that uses
// it: most domains sit on a few providers' MX hosts. A per-address limit keeps us polite to
// addresses that serve many host names.
import MTASTSCore
import MTASTSNet

public actor ProbeCache {
    private var probes: [String: Task<SMTPProbeEvidence, Never>] = [:]
    private let limiter: AddressLimiter
    private let loop: EventLoop
    private let port: Int
    public private(set) var sessionsStarted = 0

    private let exclusions: ExclusionList

    public init(loop: EventLoop, port: Int, perAddressConcurrency: Int, exclusions: ExclusionList = ExclusionList()) {
        self.loop = loop
        self.port = port
        self.limiter = AddressLimiter(limit: perAddressConcurrency)
        self.exclusions = exclusions
    }

    public func probe(host: String, address: String) async -> SMTPProbeEvidence {
        // An address on the exclusion list is never contacted; the evidence says so.
        if exclusions.excludes(address: address) { return SMTPProbeEvidence(address: address, outcome: .excluded) }
        let key = host + "|" + address
        if let task = probes[key] { return await task.value }
        sessionsStarted += 1
        let (loop, port, limiter) = (self.loop, self.port, self.limiter)
        let task = Task {
            await limiter.acquire(address)
            var result = await loop.probeSTARTTLS(host: host, address: address, port: port)
            if result.tls != nil {
                // §7.1: servers must not require SNI. A second session without it shows whether
                // the certificate depends on SNI (mx-sni-dependent).
                let plain = await loop.probeSTARTTLS(host: host, address: address, port: port, sni: false)
                if let plainLeaf = plain.tls?.chainDER.first { result.noSNILeafDiffers = plainLeaf != result.tls?.chainDER.first }
            }
            await limiter.release(address)
            return result
        }
        probes[key] = task
        return await task.value
    }

    public var count: Int { probes.count }
}

/// At most `limit` sessions at once per destination address; the rest wait in order.
actor AddressLimiter {
    private let limit: Int
    private var active: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire(_ address: String) async {
        if active[address, default: 0] < limit {
            active[address, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[address, default: []].append($0) }
    }

    func release(_ address: String) {
        if var queue = waiting[address], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[address] = queue.isEmpty ? nil : queue
            next.resume()   // the slot passes straight to the next waiter
        } else {
            active[address, default: 1] -= 1
            if active[address] == 0 { active[address] = nil }
        }
    }
}
