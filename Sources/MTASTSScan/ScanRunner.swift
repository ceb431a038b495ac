// The scan loop: stream the input, keep a bounded window of domains in flight, write finished
// domains to SQLite in batches. Memory does not grow with the input: only the window, the
// MX-probe cache and the seen-domain hashes live in RAM; the database holds the rest.
import Foundation
import MTASTSCore
import MTASTSNet
import MTASTSStore

public struct RunnerConfig: Sendable {
    public var concurrency: Int
    /// New domains started per second at most; 0 for no limit.
    public var rate: Double
    public var exclusions: ExclusionList
    public var shardCount: Int
    public var shardIndex: Int
    public var batchSize: Int

    public init(concurrency: Int = 1000, rate: Double = 0, exclusions: ExclusionList = ExclusionList(),
                shardCount: Int = 1, shardIndex: Int = 0, batchSize: Int = 1000) {
        self.concurrency = concurrency
        self.rate = rate
        self.exclusions = exclusions
        self.shardCount = shardCount
        self.shardIndex = shardIndex
        self.batchSize = batchSize
    }

    /// Stable shard of a normalised name: the same on every machine and in every input order.
    public func inShard(_ domain: String) -> Bool {
        shardCount <= 1 || Int(StableHash.fnv1a64(domain) % UInt64(shardCount)) == shardIndex
    }
}

public final class ScanRunner {
    let scanner: DomainScanner
    let config: RunnerConfig
    let store: ScanStore
    let scanID: Int64
    public let progress = ScanProgress()
    /// Set from a signal handler: stop reading input, finish what is in flight.
    public let stopRequested = StopFlag()

    public init(scanner: DomainScanner, config: RunnerConfig, store: ScanStore, scanID: Int64) {
        self.scanner = scanner
        self.config = config
        self.store = store
        self.scanID = scanID
    }

    /// What the scan loop hears back: a domain's first lookups answered (from the I/O loop), or
    /// the rest of a domain done (from its task).
    enum Event: Sendable {
        case firstLookups(slot: Int, [DNSResult])
        /// Indirect: an Evidence inline made every Event ~500 bytes, and the mailbox's array
        /// holds a whole turn's answers (tens of thousands when a wave of timeouts ends at once).
        indirect case finished(slot: Int, Evidence)
        /// The grace after a stop request is over: what is still in flight is left unstored
        /// (a --resume scans it again), so that Ctrl-C never waits for slow servers.
        case abandon
    }

    /// Seconds the domains in flight get to finish after a stop request (Ctrl-C, SIGTERM).
    public var stopGraceSeconds: Double = 2

    /// A domain in flight, kept by slot number while its lookups run.
    struct InFlight {
        var lineNo: Int
        /// The line as read when it differs from `domain` (a rank, upper case, a U-label...);
        /// nil for the usual line that is its own normalised name: one String, not two, per
        /// domain in flight (a name over 15 bytes is a heap allocation of its own).
        var inputIfDifferent: String?
        var rank: Int?
        var domain: String
        var startedNanos: UInt64

        var input: String { inputIfDifferent ?? domain }
    }

    /// Batches handed to the I/O loop in groups of this many while the window fills, so that
    /// filling a window of 50000 does not first build 50000 batches in one array.
    static let submitChunk = 1024

    /// Scans every line of `reader` not in `skip` (lines stored by an earlier, interrupted run).
    ///
    /// No task per domain: the loop hands each domain's first three lookups to the I/O loop in
    /// bulk, and takes the answers back in bulk from a mailbox. A domain with nothing more to ask
    /// (no record, ~98%) is finished right here; only one with a policy to fetch or MX hosts to
    /// probe gets a task of its own, which posts its evidence to the same mailbox.
    public func run(reader: InputReader, skip: LineSet, inputSize: Int?) async throws -> ScanCounts {
        var counts = ScanCounts(linesRead: 0, domains: 0, invalid: 0, duplicates: 0, excluded: 0)
        var seen = SeenDomains()
        var pending: [DomainRecord] = []
        pending.reserveCapacity(config.batchSize)
        var lastFlush = Date()
        let rateStart = Date()
        var started = 0
        let scanner = self.scanner
        let inbox = Mailbox<Event>()
        // Room for the whole window at once (--concurrency is at most 100000): an array that
        // grows by doubling holds the old and the new buffer at each step.
        var slots: [InFlight?] = []
        slots.reserveCapacity(config.concurrency)
        var freeSlots: [Int] = []
        var inFlight = 0
        var inputDone = false

        func flush() throws {
            guard !pending.isEmpty else { return }
            _ = try store.write(pending, scanID: scanID)
            pending.removeAll(keepingCapacity: true)
            lastFlush = Date()
        }
        func add(_ r: DomainRecord, inFlight: Bool) throws {
            progress.finished(r.verdict, wasInFlight: inFlight)
            pending.append(r)
            if pending.count >= config.batchSize || Date().timeIntervalSince(lastFlush) >= 1 { try flush() }
        }
        func complete(_ slot: Int, _ evidence: Evidence) throws {
            let d = slots[slot].take()!   // moved out: no copy of its strings
            freeSlots.append(slot)
            inFlight -= 1
            let millis = Int((DispatchTime.now().uptimeNanoseconds - d.startedNanos) / 1_000_000)
            try add(DomainRecord(lineNo: d.lineNo, input: d.input, rank: d.rank, domain: d.domain, evidence: evidence,
                                 verdict: Classifier.classify(evidence), millis: millis), inFlight: true)
        }
        // One delivery for every batch: the batch's tag is its slot.
        let deliverFirst: @Sendable (Int, [DNSResult]) -> Void = { slot, answers in
            inbox.postQuietly(.firstLookups(slot: slot, answers))
        }
        /// Reads input until the window is full, handing the lookups to the I/O loop as it goes.
        func fill() async throws {
            var batches: [QueryBatch] = []
            defer { scanner.loop.submit(batches, deliver: deliverFirst) }
            while inFlight < config.concurrency, !stopRequested.isSet, let line = reader.next() {
                if let size = inputSize, size > 0, line.number % 256 == 0 {
                    progress.input(fraction: Double(reader.bytesRead) / Double(size))
                }
                guard let domain = line.domain else {
                    // A bad line has no name to hash: shard 0 records it, so a merge has it once.
                    guard config.shardIndex == 0 else { continue }
                    counts.invalid += 1
                    counts.domains += 1   // a stored row (analysis/SCHEMA.md: scans.domains)
                    if !skip.contains(line.number) {
                        try add(.invalidInput(lineNo: line.number, input: line.text, rank: line.rank), inFlight: false)
                    }
                    continue
                }
                guard config.inShard(domain) else { continue }
                guard seen.insert(domain) else { counts.duplicates += 1; continue }
                counts.domains += 1
                if skip.contains(line.number) { continue }
                if config.exclusions.excludes(domain: domain) {
                    counts.excluded += 1
                    try add(.excluded(lineNo: line.number, input: line.text, rank: line.rank, domain: domain), inFlight: false)
                    continue
                }
                if config.rate > 0 {
                    let due = rateStart.addingTimeInterval(Double(started) / config.rate)
                    let wait = due.timeIntervalSinceNow
                    if wait > 0 {
                        // Hand over what is collected before sleeping, so it does not wait too.
                        scanner.loop.submit(batches, deliver: deliverFirst)
                        batches = []
                        try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                    }
                }
                let d = InFlight(lineNo: line.number, inputIfDifferent: line.text == domain ? nil : line.text,
                                 rank: line.rank, domain: domain, startedNanos: DispatchTime.now().uptimeNanoseconds)
                let slot: Int
                if let free = freeSlots.popLast() {
                    slot = free
                    slots[slot] = d
                } else {
                    slot = slots.count
                    slots.append(d)
                }
                batches.append(QueryBatch(domain, DomainScanner.firstQueries, tag: slot, startsDomain: true))
                if batches.count >= Self.submitChunk {
                    scanner.loop.submit(batches, deliver: deliverFirst)
                    batches = []
                }
                inFlight += 1
                started += 1
                progress.started()
            }
            if inFlight < config.concurrency { inputDone = true }
        }

        // The answers of one turn of the I/O loop wake this loop once, not once each.
        scanner.loop.observeTurns { inbox.wake() }
        let grace = stopGraceSeconds
        stopRequested.whenSet {
            inbox.post(.abandon)   // not yet: wakes the loop, which stops reading input
            Task {
                try? await Task.sleep(nanoseconds: UInt64(grace * 1e9))
                inbox.post(.abandon)
            }
        }
        let domainTimeout = scanner.options.domainTimeout
        var abandonRequests = 0
        scanning: while true {
            if !inputDone { try await fill() }
            if inFlight == 0 { break }
            for event in await inbox.take() {
                switch event {
                case .firstLookups(let slot, let answers):
                    let d = slots[slot]!
                    switch scanner.afterFirstLookups(d.domain, answers) {
                    case .done(let evidence):
                        try complete(slot, evidence)
                    case .more(let rest):
                        let deadline = domainTimeout.map { DomainDeadline(startedNanos: d.startedNanos, seconds: $0) }
                        Task { inbox.post(.finished(slot: slot, await scanner.finish(rest, deadline: deadline))) }
                    }
                case .finished(let slot, let evidence):
                    try complete(slot, evidence)
                case .abandon:
                    abandonRequests += 1
                    // The first comes at once (the stop request), the second after the grace.
                    if abandonRequests >= 2 { break scanning }
                }
            }
        }
        progress.abandoned(inFlight)
        try flush()
        // Every line read, comments and blanks included (analysis/SCHEMA.md `lines_read`): the
        // reader's count, not the lines it returned.
        counts.linesRead = reader.lineNumber
        return counts
    }
}

/// A flag a signal handler sets and the scan loop reads.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    private var observers: [@Sendable () -> Void] = []
    public var isSet: Bool { lock.withLock { value } }

    public func set() {
        let toRun: [@Sendable () -> Void] = lock.withLock {
            guard !value else { return [] }
            value = true
            defer { observers = [] }
            return observers
        }
        for o in toRun { o() }
    }

    /// Runs `observer` once when the flag is set (at once if it already is).
    public func whenSet(_ observer: @escaping @Sendable () -> Void) {
        let now: Bool = lock.withLock {
            if value { return true }
            observers.append(observer)
            return false
        }
        if now { observer() }
    }
}
