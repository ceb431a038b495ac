// Each (MX host, address) is probed once per scan and the result shared by every domain that uses
// it: most domains sit on a few providers' MX hosts. A per-address limit keeps us polite to
// addresses that serve many host names. The cache keeps the `capacity` most recently used pairs:
// a provider's hosts are used all the time and stay; a domain's own MX host, used once, goes, so
// memory does not grow with the input (a pair used again after falling out is probed again).
// The session without SNI is per address, not per pair: without SNI the host name plays no part,
// so every MX host name on one address shares its answer (one such session per address per scan).
// A host's own lookups (A, AAAA, TLSA) are shared the same way: a provider's host is looked up
// once per scan, not once per domain that names it. A lookup that failed is not kept: the next
// domain asks again, as it would have.
import Foundation
import MTASTSCore
import MTASTSNet

public actor ProbeCache {
    private var probes: TaskLRU<SMTPProbeEvidence>
    /// By address: the leaf certificate presented to a session without SNI (nil: no TLS).
    private var plainLeaves: TaskLRU<[UInt8]?>
    /// By MX host name: its A, AAAA and TLSA answers, in that order.
    private var hostLookups: TaskLRU<[DNSResult]>
    private let limiter: AddressLimiter
    private let loop: EventLoop
    private let port: Int

    private let exclusions: ExclusionList
    /// Whether an address that spoke TLS gets the second session, without SNI (--no-sni-probe
    /// turns it off: one STARTTLS session less per address, and mx-sni-dependent is never seen).
    private let sniProbe: Bool

    public init(loop: EventLoop, port: Int, perAddressConcurrency: Int, perAddressRate: Double = 0,
                perAddressBackoff: Double = 60, exclusions: ExclusionList = ExclusionList(), capacity: Int = 8192,
                sniProbe: Bool = true) {
        probes = TaskLRU(capacity: capacity)
        plainLeaves = TaskLRU(capacity: capacity)
        hostLookups = TaskLRU(capacity: capacity)
        self.loop = loop
        self.port = port
        self.limiter = AddressLimiter(limit: perAddressConcurrency, rate: perAddressRate, backoffSeconds: perAddressBackoff)
        self.exclusions = exclusions
        self.sniProbe = sniProbe
    }

    /// The probe of (host, address), shared by every domain that asks within the scan. A domain
    /// stops waiting for it at its `deadline` (outcome `deadline`); the probe itself goes on and
    /// serves the domains after it.
    public func probe(host: String, address: String, deadline: DomainDeadline? = nil) async -> SMTPProbeEvidence {
        // An address on the exclusion list is never contacted; the evidence says so.
        if exclusions.excludes(address: address) { return SMTPProbeEvidence(address: address, outcome: .excluded) }
        let key = host + "|" + address
        let task = probeTask(key: key, host: host, address: address)
        // A finished probe (a provider's host, asked by thousands of domains) is handed over as
        // it is: no race against the deadline, which cost two tasks per wait (issue 19).
        if deadline == nil { return await task.value }
        if let done = probes.finishedValue(key) { return done }
        return await beforeDeadline(deadline) { await task.value }
            ?? SMTPProbeEvidence(address: address, outcome: .deadline, detail: "the domain's deadline came first")
    }

    private func probeTask(key: String, host: String, address: String) -> Task<SMTPProbeEvidence, Never> {
        let (loop, port, limiter, sniProbe) = (self.loop, self.port, self.limiter, self.sniProbe)
        return probes.task(key) {
            Task {
                await limiter.acquire(address)
                var result = await loop.probeSTARTTLS(host: host, address: address, port: port)
                if result.outcome == .greetingRejected, result.banner?.hasPrefix("4") == true {
                    await limiter.backOff(address)   // 421 and friends: the server sheds load
                }
                // The slot goes back before the session without SNI, which takes one of its own.
                await limiter.release(address)
                if sniProbe, result.tls != nil, let plainLeaf = await self.plainLeaf(host: host, address: address) {
                    // §7.1: servers must not require SNI. A session without it shows whether the
                    // certificate depends on SNI (mx-sni-dependent).
                    result.noSNILeafDiffers = plainLeaf != result.tls?.chainDER.first
                }
                self.probeFinished(key, result)   // the task runs on this actor
                return result
            }
        }
    }

    private func probeFinished(_ key: String, _ result: SMTPProbeEvidence) {
        probes.setFinished(key, result)
    }

    /// The A, AAAA and TLSA (`_25._tcp.<host>`) answers for an MX host, asked once per scan
    /// while they succeed. A failed one (timeout, SERVFAIL...) is dropped once it is known, so
    /// a transient failure is not handed to every later domain on the host.
    public func lookups(host: String) async -> [DNSResult] {
        let loop = self.loop
        let task = hostLookups.task(host) {
            Task { await loop.queries(host, [QueryKind(.none, .a), QueryKind(.none, .aaaa), QueryKind(.smtpTLSA, .tlsa)]) }
        }
        let answers = await task.value
        if answers.contains(where: { $0.outcome.isFailure }) { hostLookups.forget(host, ifStill: task) }
        return answers
    }

    /// The leaf an address presents to a STARTTLS session without SNI, probed once per address.
    /// `host` only names the session in curl; without SNI the URL is the address itself.
    private func plainLeaf(host: String, address: String) async -> [UInt8]? {
        let (loop, port, limiter) = (self.loop, self.port, self.limiter)
        return await plainLeaves.task(address) {
            Task {
                await limiter.acquire(address)
                let plain = await loop.probeSTARTTLS(host: host, address: address, port: port, sni: false)
                await limiter.release(address)
                return plain.tls?.chainDER.first
            }
        }.value
    }
}

/// One task per key, shared by every caller, for the `capacity` most recently used keys. When
/// full it drops the least recently used quarter; a task still running stays reachable through
/// those awaiting it, so dropping its entry only means a later caller starts it again.
struct TaskLRU<Value: Sendable> {
    private var entries: [String: (task: Task<Value, Never>, lastUse: Int, value: Value?)] = [:]
    private var uses = 0
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(16, capacity) }

    /// The task for `key`, made by `make` when there is none.
    mutating func task(_ key: String, _ make: () -> Task<Value, Never>) -> Task<Value, Never> {
        uses += 1
        if let entry = entries[key] {
            entries[key] = (entry.task, uses, entry.value)
            return entry.task
        }
        if entries.count >= capacity {
            let cut = entries.values.map(\.lastUse).sorted()[entries.count / 4]
            entries = entries.filter { $0.value.lastUse >= cut }
        }
        let task = make()
        entries[key] = (task, uses, nil)
        return task
    }

    /// The value of `key`'s task once it has been recorded as finished (setFinished), else nil.
    func finishedValue(_ key: String) -> Value? { entries[key]?.value }

    /// Records the value of `key`'s finished task (nothing when the entry has gone meanwhile).
    mutating func setFinished(_ key: String, _ value: Value) {
        if let entry = entries[key], entry.value == nil { entries[key] = (entry.task, entry.lastUse, value) }
    }

    /// Drops `key`'s entry if it still holds `task` (a later caller may have replaced it).
    mutating func forget(_ key: String, ifStill task: Task<Value, Never>) {
        if entries[key]?.task == task { entries[key] = nil }
    }
}

/// Per destination address: at most `limit` sessions at once, at most `rate` new sessions a
/// second, and a pause after a 4xx greeting (the server asks us to come back later). The rest
/// wait in order; a waiter with a deadline leaves the queue when it comes (DomainDeadline).
actor AddressLimiter {
    private let limit: Int
    private let interval: Double
    private let backoff: Double
    private var active: [String: Int] = [:]
    /// A queued acquire: resumed with true when the slot passes to it, false at its deadline.
    /// Only a queued waiter with a deadline has a timer: an acquire that finds a free slot
    /// (nearly all of them) costs no task, where racing every wait against a timer task cost
    /// two tasks per policy fetch (issue 19: +6-12% CPU, ~50% more context switches).
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
        var timer: Task<Void, Never>?
    }
    private var waiting: [String: [Waiter]] = [:]
    private var lastWaiterID: UInt64 = 0
    /// When the next new session with the address may start (seconds, monotonic).
    private var nextStart: [String: Double] = [:]

    init(limit: Int, rate: Double = 0, backoffSeconds: Double = 60) {
        self.limit = max(1, limit)
        self.interval = rate > 0 ? 1 / rate : 0
        self.backoff = backoffSeconds
    }

    func acquire(_ address: String) async {
        _ = await acquire(address, deadline: nil)
    }

    /// True with a slot held (give it back with `release`); false when `deadline` came while
    /// queued for one (no slot held).
    func acquire(_ address: String, deadline: DomainDeadline?) async -> Bool {
        if active[address, default: 0] < limit {
            active[address, default: 0] += 1
        } else {
            if deadline?.isPast == true { return false }
            lastWaiterID += 1
            let id = lastWaiterID
            let granted = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                var waiter = Waiter(id: id, continuation: c, timer: nil)
                if let deadline {
                    let nanos = deadline.remainingNanos
                    waiter.timer = Task { [weak self] in
                        do { try await Task.sleep(nanoseconds: nanos) } catch { return }   // cancelled: served
                        await self?.expire(address, id)
                    }
                }
                waiting[address, default: []].append(waiter)
            }
            if !granted { return false }
        }
        await pace(address)
        return true
    }

    /// The deadline of a queued waiter: it leaves the queue without a slot.
    private func expire(_ address: String, _ id: UInt64) {
        guard var queue = waiting[address], let i = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: i)
        waiting[address] = queue.isEmpty ? nil : queue
        waiter.continuation.resume(returning: false)
    }

    /// Spaces new sessions with one address by `interval`, and honours a back-off.
    private func pace(_ address: String) async {
        guard interval > 0 || nextStart[address] != nil else { return }
        let now = Self.now()
        let start = max(now, nextStart[address] ?? now)
        nextStart[address] = start + interval
        if start > now { try? await Task.sleep(nanoseconds: UInt64((start - now) * 1e9)) }
    }

    /// A 4xx greeting: no new session with this address for `backoff` seconds.
    func backOff(_ address: String) {
        nextStart[address] = max(nextStart[address] ?? 0, Self.now() + backoff)
    }

    func release(_ address: String) {
        if var queue = waiting[address], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[address] = queue.isEmpty ? nil : queue
            next.timer?.cancel()
            next.continuation.resume(returning: true)   // the slot passes straight to the next waiter
        } else {
            active[address, default: 1] -= 1
            if active[address] == 0 { active[address] = nil }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
