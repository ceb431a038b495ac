// The c-ares half of the loop. c-ares 1.18 has no event thread of its own: it tells us which
// sockets to watch through sock_state_cb, and we call ares_process_fd when epoll says so.
import CCares
import CLinux
import Foundation
import MTASTSCore

/// The outcome of one query: the RCODE read from the answer's header (or TIMEOUT, MALFORMED),
/// and the parsed answer when there is one.
public struct DNSResult: Sendable {
    public var outcome: DNSOutcome
    public var answer: DNSAnswer?

    /// As stored evidence: outcome, AD bit, CNAME chain and TXT strings.
    public var lookup: DNSLookup {
        DNSLookup(outcome: outcome, authenticated: answer?.authenticated ?? false,
                  cnameChain: answer?.cnameChain ?? [], txt: answer?.txt ?? [])
    }
}

/// One c-ares channel and its share of the load. Queries beyond its window (QueryWindow) wait in
/// the scanner (WaitingQueries) rather than at the resolver: unbound drops queries past
/// `num-queries-per-thread` (1024 by default; 4096 in deploy/unbound), and a dropped query costs
/// a full timeout and a retry.
final class DNSChannel {
    let channel: ares_channel
    let index: Int
    /// A channel that asks over TCP what came back truncated over UDP, one query at a time: in
    /// c-ares 1.18 a TCP connection that breaks ends every query in flight on that server
    /// (handle_error), so a server that hangs up on one query must have no other to take along.
    let tcp: Bool
    /// Which of its queries with c-ares count against its share of --dns-in-flight.
    var window: QueryWindow
    /// The message IDs of its queries with c-ares: a new query never takes one of them. c-ares
    /// 1.18 hands an answer to the first query in flight with its ID, and drops it when the
    /// question differs, so a second query with the same ID could lose its answer and wait out
    /// a timeout. With random IDs that happened to 841 queries of a 100k scan at
    /// --dns-in-flight 1024 (up to 256 outstanding per channel).
    var idsInUse = IDSet()
    /// Where its queries wait for room: one queue shared by all the UDP channels, one of its own
    /// for a TCP channel (WaitingQueries says why).
    let waiting: WaitingQueries

    init(channel: ares_channel, index: Int, tcp: Bool, udpLimit: Int, waiting: WaitingQueries) {
        self.channel = channel
        self.index = index
        self.tcp = tcp
        self.waiting = waiting
        // TCP: one query per connection, however old (see `tcp`).
        window = tcp ? QueryWindow(limit: 1, outstandingLimit: 1)
                     : QueryWindow(limit: udpLimit, outstandingLimit: udpLimit * EventLoop.outstandingPerWindow)
    }

    var inFlight: Int { window.outstanding }
    var hasRoom: Bool { window.hasRoom }
    var hasWaiting: Bool { !waiting.isEmpty }
    var waitingCount: Int { waiting.count }
    func wait(_ q: PendingQuery) { waiting.wait(q) }
    func nextWaiting() -> PendingQuery? { waiting.next() }
}

/// Queries waiting for room on a channel, in two queues: those of domains already under way (a
/// policy host's addresses, an MX host's, a retry of theirs) go before the first lookups of new
/// domains. In one queue, a follow-up waited behind every new domain's first lookups: at
/// --concurrency 10000 a domain with a record spent ~2.4 s after its first lookups instead of
/// ~0.24 s, and its task (tens of KB, where a domain waiting for its first lookups is a few
/// hundred bytes) lived that much longer (issue 19, bench/latency/README.md).
///
/// The UDP channels share one: whichever channel has room takes the next query. With a queue per
/// channel, filled round-robin, the channels whose sockets the kernel had hashed onto the
/// resolver's less busy thread emptied their queues and sat a third full, while the others held
/// ~1,500 queries each: on the latency world at 10,000 in flight 5 of 16 channels had 80-150
/// young queries of their 256 and none waiting, and only ~3,000 of the 4,096 young queries the
/// window allows were with the resolver. Shared, a channel that answers sooner is refilled sooner,
/// so the less busy thread gets more of the work.
final class WaitingQueries {
    private var underWay = QueryQueue()
    private var newDomains = QueryQueue()

    var isEmpty: Bool { underWay.isEmpty && newDomains.isEmpty }
    var count: Int { underWay.count + newDomains.count }

    /// Queues `q` behind the others of its kind (DNSBatch.startsDomain). A retry, or the ask over
    /// TCP after a truncated answer, is of a domain under way whichever batch it is of.
    func wait(_ q: PendingQuery) {
        if q.batch.startsDomain && q.attempt == 0 && !q.afterTruncation { newDomains.append(q) } else { underWay.append(q) }
    }

    /// The next query to start: one of a domain under way if there is one.
    func next() -> PendingQuery? {
        underWay.popFirst() ?? newDomains.popFirst()
    }
}

/// A FIFO of queries: entries before `head` have been taken and are nil. Taking an entry moves it
/// out, so the queue holds nothing of a started query (its batch and answers).
struct QueryQueue {
    private var items: [PendingQuery?] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ q: PendingQuery) { items.append(q) }

    mutating func popFirst() -> PendingQuery? {
        guard head < items.count else { return nil }
        let q = items[head].take()
        head += 1
        // In a long scan the queue seldom runs empty (a thousand domains want three queries
        // each, and c-ares has slots for 512), so the taken part is cut off once it is the
        // larger half, not only when all is taken: otherwise the array grew with the scan.
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return q
    }
}

/// A query to ask: which query of which batch, and how it has fared so far. Its name and type
/// are the batch's (DNSBatch.name(_:)), built into a String only when the query is started: at
/// --concurrency 50000 nearly every domain waits here, and a String per query name (names over 15
/// bytes are heap-allocated) plus the type and a completion was 48 bytes of queue entry and 64 of
/// name, three times per domain. Now an entry is 16 bytes (a reference and three small counters);
/// bench/latency/waiting_memory.sh measures the whole domain.
struct PendingQuery {
    let batch: DNSBatch
    /// Its place in the batch (asked and answered in that order).
    let index: UInt16
    /// 0 for the first try; retries are ours, not c-ares's (see makeChannel).
    var attempt: UInt8 = 0
    /// Its UDP answer was truncated: this is the ask over TCP.
    var afterTruncation = false

    init(batch: DNSBatch, index: Int) {
        self.batch = batch
        self.index = UInt16(index)
    }

    var name: String { batch.name(Int(index)) }
    var type: DNSType { batch.kinds[Int(index)].type }
    func complete(_ r: DNSResult) { batch.set(Int(index), r) }
}

/// A retry waiting out its delay (EventLoop.retryDelayMillis) before it joins its channel's queue.
struct DelayedRetry {
    var due: UInt64
    var channel: Int32
    var query: PendingQuery
}

/// A set of 16-bit message IDs as a bitmap (8 KiB): O(1), no hashing, no allocation per query.
struct IDSet {
    private var words = [UInt64](repeating: 0, count: 1024)

    func contains(_ id: UInt16) -> Bool { words[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0 }
    mutating func insert(_ id: UInt16) { words[Int(id >> 6)] |= 1 << UInt64(id & 63) }
    mutating func remove(_ id: UInt16) { words[Int(id >> 6)] &= ~(1 << UInt64(id & 63)) }
}

/// DNS message IDs for our queries (RFC 5452 §9.2: unpredictable, so an off-path attacker must
/// guess them). c-ares 1.18's ares_send keeps whatever ID the query carries; only ares_query
/// picks one. With ID 0 on every query, an answer could be matched by its question alone, and
/// c-ares compared it with every query in flight on the channel (two name expansions each): 9%
/// of a scan's CPU at 100k domains. Random bytes come from the kernel in blocks of 4 KiB.
struct QueryIDs {
    private var pool: [UInt16] = []

    mutating func next() -> UInt16 {
        if pool.isEmpty { refill() }
        return pool.removeLast()
    }

    private mutating func refill() {
        pool = [UInt16](repeating: 0, count: 2048)
        let filled = pool.withUnsafeMutableBytes { mtasts_getrandom($0.baseAddress, $0.count) }
        if filled != pool.count * 2 {
            // getrandom cannot fail for a small request once the pool is seeded; should it, the
            // IDs still differ from each other.
            var g = SystemRandomNumberGenerator()
            for i in pool.indices { pool[i] = UInt16.random(in: .min ... .max, using: &g) }
        }
    }
}

/// sock_state_cb's data: which loop, which channel.
final class ChannelTag {
    weak var loop: EventLoop?
    let index: Int
    init(loop: EventLoop, index: Int) {
        self.loop = loop
        self.index = index
    }
}

/// A label pair put before a batch's name: the scan asks `_mta-sts.D`, `D` and `_smtp._tls.D`
/// of one stored name D, and an MX host's TLSA at `_25._tcp.H` beside its A and AAAA.
public enum QueryPrefix: String, Sendable {
    case none = ""
    case mtaSTS = "_mta-sts."
    case smtpTLS = "_smtp._tls."
    case smtpTLSA = "_25._tcp."
}

/// One query of a batch, without its name: a prefix and a type (two bytes).
public struct QueryKind: Sendable, Equatable {
    public var prefix: QueryPrefix
    public var type: DNSType

    public init(_ prefix: QueryPrefix = .none, _ type: DNSType) {
        self.prefix = prefix
        self.type = type
    }
}

/// Queries asked together whose answers are handed on together, in the order asked. A batch
/// names one name and the kinds asked of it (a `static let` array of kinds is shared, not copied
/// per domain), so a domain's three first lookups hold one String; `tag` tells the delivery
/// which batch it is (the scan's window slot), so one closure serves every batch of a submit.
public struct QueryBatch: Sendable {
    /// The name every query is asked of, prefix first; or, for batches of unrelated names (only
    /// `EventLoop.queries(_:)` with several names), one name per query.
    enum Names: Sendable {
        case one(String)
        case each([String])
    }
    var names: Names
    var kinds: [QueryKind]
    public var tag: Int
    /// The first lookups of a domain not yet under way: these wait behind every query of a
    /// domain that is (WaitingQueries), so that the scan finishes what it started before it
    /// starts more. Only the bulk scan's first lookups set it.
    public var startsDomain = false

    public init(_ name: String, _ kinds: [QueryKind], tag: Int = 0, startsDomain: Bool = false) {
        names = .one(name)
        self.kinds = kinds
        self.tag = tag
        self.startsDomain = startsDomain
    }

    /// Queries of any names (no prefix is factored out): one String per query.
    public init(_ queries: [(String, DNSType)], tag: Int = 0) {
        if let first = queries.first?.0, queries.allSatisfy({ $0.0 == first }) {
            names = .one(first)
        } else {
            names = .each(queries.map(\.0))
        }
        kinds = queries.map { QueryKind(.none, $0.1) }
        self.tag = tag
    }

    var count: Int { kinds.count }
}

/// A batch on the loop thread, while its queries wait, run and are answered. Its queries
/// (PendingQuery) point at it for their name, type and the slot their answer goes to.
final class DNSBatch {
    // Stored in this order so that the object is 80 bytes, not 96 (jemalloc's size classes):
    // `names` takes 17 bytes and the two-byte count fits after it.
    let kinds: [QueryKind]
    let tag: Int
    /// Placeholders until each answer arrives (every slot is set before delivery); not optionals,
    /// so the array is handed on as it is, without a copy per batch. Made at the first answer,
    /// not before: at --concurrency 10000 most domains in flight wait in the channels' queues
    /// with no answer yet, and three placeholder DNSResults (~80 bytes each, DNSAnswer inline)
    /// plus the array were ~0.3 KB of each waiting domain (issue 19: memory per domain in flight).
    private var results: [DNSResult] = []
    /// Shared by all the batches of one submit (see QueryBatch.tag): no closure per domain.
    private let deliver: (Int, [DNSResult]) -> Void
    let names: QueryBatch.Names
    private var remaining: UInt16
    /// QueryBatch.startsDomain (fits in the bytes after `remaining`: still 80 bytes).
    let startsDomain: Bool

    init(_ b: QueryBatch, deliver: @escaping (Int, [DNSResult]) -> Void) {
        precondition(b.count <= Int(UInt16.max), "a DNS batch of more than 65535 queries")
        names = b.names
        kinds = b.kinds
        tag = b.tag
        remaining = UInt16(b.count)
        startsDomain = b.startsDomain
        self.deliver = deliver
        if remaining == 0 { deliver(tag, []) }
    }

    /// The full name of query `i`, built when it is asked (the prefix's concatenation allocates
    /// only for the query being started, not for every query waiting).
    func name(_ i: Int) -> String {
        switch names {
        case .one(let n):
            let prefix = kinds[i].prefix
            return prefix == .none ? n : prefix.rawValue + n
        case .each(let all):
            return all[i]
        }
    }

    func set(_ i: Int, _ r: DNSResult) {
        if results.isEmpty { results = Array(repeating: DNSResult(outcome: .timeout, answer: nil), count: kinds.count) }
        results[i] = r
        remaining -= 1
        if remaining == 0 { deliver(tag, results) }
    }
}

/// What c-ares carries for one query in flight (the callback's `arg` points at it): a slot of the
/// loop's fixed table, not an object per query. An object per query, with its allocation and its
/// retains of the loop, the channel and the name, was ~1% of a scan's CPU.
struct QuerySlot {
    var loop: Unmanaged<EventLoop>
    var index: Int32
    var channel: Int32
    var query: PendingQuery
    /// When it was handed to c-ares, in QueryWindow ticks.
    var startTick: UInt64
    /// Its message ID, held in its channel's `idsInUse` until it ends.
    var id: UInt16
    /// The name as asked, built at the start (PendingQuery keeps none): the answer is parsed
    /// against it. Only queries with c-ares have one (at most 4 x --dns-in-flight of them).
    var name: String
}

/// The slots: at most `outstandingLimit` queries per channel are with c-ares at once, so a table of
/// `querySlotCount` never runs out. Loop thread only.
final class QuerySlots {
    let base: UnsafeMutablePointer<QuerySlot>
    private var free: [Int32]

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        free = (0..<Int32(capacity)).reversed()
    }

    /// Stores a query; nil when every slot is taken (never, while inFlight stays bounded).
    func take(_ make: (Int32) -> QuerySlot) -> UnsafeMutablePointer<QuerySlot>? {
        guard let i = free.popLast() else { return nil }
        (base + Int(i)).initialize(to: make(i))
        return base + Int(i)
    }

    /// Moves the query out of its slot and frees the slot.
    func release(_ slot: UnsafeMutablePointer<QuerySlot>) -> QuerySlot {
        let q = slot.move()
        free.append(q.index)
        return q
    }

    /// Only after every channel is destroyed: c-ares has then called back for every query.
    func deallocate() { base.deallocate() }
}

extension EventLoop {
    /// Channels; each opens its own UDP socket (source port) per resolver. A resolver with
    /// SO_REUSEPORT hashes each socket onto one of its threads: with 4, the latency world's unbound
    /// put all four on one of its two threads (its `requestlist` stats: thread 1 answered 0
    /// queries), so one thread's request list and CPU served the whole scan. 16 spread over 2
    /// threads all on one with odds 2^-15, and even over 8 threads roughly evenly.
    static let channelCount = 16
    /// TCP channels (DNSChannel.tcp), after the UDP ones: truncated answers are rare, so a few
    /// connections of one query each are enough.
    static let tcpChannelCount = 4
    /// All queries with c-ares, young or old, at most this many times --dns-in-flight (QueryWindow):
    /// room for the queries of zones that never answer beside a full window of live ones.
    static let outstandingPerWindow = 4
    /// Slots for every query that can be with c-ares at once.
    static func querySlotCount(_ config: NetConfig) -> Int {
        channelCount * maxInFlightPerChannel(config) * outstandingPerWindow + tcpChannelCount
    }
    /// Young queries per UDP channel: --dns-in-flight shared by the channels. The sockets hash
    /// onto the resolver's threads, and past a thread's num-queries-per-thread unbound "jostles"
    /// out queries waiting longer than 200 ms: with unbound's default of 1024 that dropped queries
    /// three tries in a row at 4 x 250, as timeouts in a make test run; the world and
    /// deploy/unbound now set 4096 a thread, which the default window's young queries alone fill
    /// only if every socket hashed onto one thread. NetConfig.dnsInFlight says why the default is 4096.
    static func maxInFlightPerChannel(_ config: NetConfig) -> Int {
        max(1, (config.dnsInFlight + channelCount - 1) / channelCount)
    }

    func setUpResolver() throws {
        for index in 0..<(Self.channelCount + Self.tcpChannelCount) {
            let tcp = index >= Self.channelCount
            channels.append(DNSChannel(channel: try makeChannel(index: index, tcp: tcp), index: index, tcp: tcp,
                                       udpLimit: Self.maxInFlightPerChannel(config),
                                       waiting: tcp ? WaitingQueries() : udpWaiting))
        }
    }

    func makeChannel(index: Int, tcp: Bool) throws -> ares_channel {
        var options = ares_options()
        // Not NOCHECKRESP: that flag also makes c-ares accept an answer whose question differs
        // from the query's (a late answer to an earlier query with the same id), which under
        // load gave NOERROR-without-records to the wrong query (when every query carried ID 0;
        // see QueryIDs). Without it SERVFAIL comes back as ARES_ESERVFAIL after the retries,
        // which is what we record.
        // EDNS: answers up to 1232 bytes over UDP; larger ones come truncated and c-ares retries
        // over TCP. ROTATE spreads queries over several --resolver addresses.
        // STAYOPEN: c-ares 1.18 closes a channel's sockets whenever its last query ends, and a
        // scan's channels empty and refill all the time: a new socket, connect and two epoll_ctl
        // calls each time, for nothing.
        // IGNTC: a truncated UDP answer comes back to us (retryOrComplete), which asks again over
        // TCP on a channel of its own instead of on this channel's shared connection.
        options.flags = tcp ? ARES_FLAG_USEVC | ARES_FLAG_STAYOPEN : ARES_FLAG_EDNS | ARES_FLAG_STAYOPEN | ARES_FLAG_IGNTC
        options.ednspsz = 1232
        options.timeout = Int32(config.timeoutMillis)
        // One try per ares_send; the retries are ours (retryOrComplete). c-ares 1.18 doubles the
        // wait on every retry (timeout << try), so --retries 2 made one unanswered query take
        // 1 + 2 + 4 = 7 times --timeout. Retrying ourselves gives each try the same --timeout:
        // (retries + 1) x --timeout at most. It also retries a query that another query's
        // failure ended: when a resolver closes the TCP connection of one truncated answer,
        // c-ares 1.18 ends every query in flight on that server with ECONNREFUSED.
        options.tries = 1
        options.sock_state_cb = { data, fd, readable, writable in
            // The data pointer is a ChannelTag: which loop, and which channel the socket is of.
            let box = Unmanaged<ChannelTag>.fromOpaque(data!).takeUnretainedValue()
            box.loop?.watch(fd, owner: .ares(box.index), read: readable != 0, write: writable != 0)
        }
        let tag = ChannelTag(loop: self, index: index)
        channelTags.append(tag)
        options.sock_state_cb_data = Unmanaged.passUnretained(tag).toOpaque()
        var mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_EDNSPSZ
        if config.resolvers.count > 1 { mask |= ARES_OPT_ROTATE }
        var ch: ares_channel?
        try Checked.ares(ares_init_options(&ch, &options, mask), "initialising the resolver")
        guard let ch else { throw NetError("c-ares: ares_init_options gave no channel") }
        datagrams.adopt(ch)
        if !config.resolvers.isEmpty {
            let csv = config.resolvers.joined(separator: ",")
            do {
                try Checked.ares(ares_set_servers_ports_csv(ch, csv), "setting the --resolver list '\(csv)'")
            } catch {
                ares_destroy(ch)
                throw error
            }
        }
        return ch
    }

    /// Round-robin over the UDP channels. A query that finds the next one full, or others already
    /// waiting, joins the shared queue (WaitingQueries), which any channel with room draws from.
    func enqueueQuery(_ q: PendingQuery) {
        let channel = channels[nextChannel]
        nextChannel = (nextChannel + 1) % Self.channelCount
        if channel.hasRoom && !channel.hasWaiting {
            startQuery(q, on: channel)
        } else {
            channel.wait(q)
        }
    }

    /// A batch's queries, each to the next channel (enqueueQuery).
    func enqueueBatch(_ b: QueryBatch, deliver: @escaping (Int, [DNSResult]) -> Void) {
        let batch = DNSBatch(b, deliver: deliver)
        for i in 0..<b.count { enqueueQuery(PendingQuery(batch: batch, index: i)) }
    }

    /// Queues `q` to be asked over TCP: on an idle TCP channel if there is one, else behind the
    /// shortest queue. Started at the end of the turn (startRequeuedQueries).
    func enqueueOverTCP(_ q: PendingQuery) {
        let tcp = channels[Self.channelCount...]
        let channel = tcp.first { $0.inFlight == 0 && !$0.hasWaiting } ?? tcp.min { $0.waitingCount < $1.waitingCount }!
        channel.wait(q)
    }

    /// Sends the queries c-ares queued this turn. A socket whose send failed is read at once, so
    /// c-ares hears of the error (and moves its queries on) as it would have from send itself.
    func flushQueries() {
        for _ in 0..<3 {   // a moved query is queued again; a resolver that refuses twice waits a turn
            let failed = datagrams.flush()
            if failed.isEmpty { return }
            for fd in failed {
                guard case .ares(let index) = owners[fd] else { continue }
                ares_process_fd(channels[index].channel, fd, ARES_SOCKET_BAD)
                startWaitingQueries(index)
            }
        }
    }

    func startWaitingQueries(_ index: Int) {
        let channel = channels[index]
        while channel.hasRoom, let q = channel.nextWaiting() {
            startQuery(q, on: channel)
        }
    }

    func startQuery(_ q: PendingQuery, on channel: DNSChannel) {
        var buf: UnsafeMutablePointer<UInt8>?
        var len: Int32 = 0
        // withCString: the String's own bytes, where passing `name` itself made a copy.
        let name = q.name
        var id = queryIDs.next()
        // A channel holds at most 4 x its share of --dns-in-flight of the 65536 (4096 at the most).
        while channel.idsInUse.contains(id) { id = queryIDs.next() }
        let rc = name.withCString { ares_create_query($0, Int32(ns_c_in.rawValue), Int32(q.type.rawValue), id, 1, &buf, &len, 1232) }
        guard rc == ARES_SUCCESS, let buf else {
            // A name c-ares cannot put on the wire (a label over 63 bytes...): no query is sent.
            q.complete(DNSResult(outcome: .malformed, answer: nil))
            return
        }
        // Ask for the AD bit: a validating resolver sets it in the answer only when asked.
        buf[3] |= 0x20
        let loop = Unmanaged.passUnretained(self)
        // Counted before ares_send, which may call back at once (and then ends it again).
        let tick = channel.window.started(now: QueryWindow.tick(millis: EventLoop.monotonicMillis()))
        guard let slot = querySlots.take({ QuerySlot(loop: loop, index: $0, channel: Int32(channel.index), query: q,
                                                     startTick: tick, id: id, name: name) }) else {
            // Every query with c-ares holds a slot and counts in its channel's window, whose
            // outstandingLimit both callers check: a slot is always free.
            preconditionFailure("more DNS queries in flight than QuerySlots holds")
        }
        channel.idsInUse.insert(id)
        ares_send(channel.channel, buf, len, { arg, status, _, abuf, alen in
            let slot = arg!.assumingMemoryBound(to: QuerySlot.self)
            let loop = slot.pointee.loop.takeUnretainedValue()
            let q = loop.querySlots.release(slot)
            loop.channels[Int(q.channel)].window.ended(startedAt: q.startTick)
            loop.channels[Int(q.channel)].idsInUse.remove(q.id)
            loop.retryOrComplete(q, status: status, abuf: abuf, alen: alen)
        }, UnsafeMutableRawPointer(slot))
        ares_free_string(buf)
    }

    /// A try that failed without an answer the resolver stands by (a timeout, a refused or broken
    /// connection, SERVFAIL or REFUSED) is tried again, up to --retries times, as c-ares did
    /// before its retries became ours. The retry waits in the channel's queue, not in c-ares:
    /// this runs inside c-ares's callback, possibly while it walks the very list a new query
    /// would join. The loop starts it at the end of the turn (startRequeuedQueries).
    ///
    /// A UDP answer with TC set (c-ares hands it back: IGNTC) is asked again over TCP, on a TCP
    /// channel of one query (DNSChannel.tcp). That answer must then hold records: a server that
    /// said "there is more than fits" and then has nothing is broken (dns-error), not NODATA.
    func retryOrComplete(_ slot: QuerySlot, status: Int32, abuf: UnsafeMutablePointer<UInt8>?, alen: Int32) {
        var q = slot.query
        if status == ARES_SUCCESS, let abuf, alen >= 12, abuf[2] & 0x02 != 0, !q.afterTruncation {
            q.afterTruncation = true
            enqueueOverTCP(q)
            return
        }
        let transient = status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED || status == ARES_ESERVFAIL
            || status == ARES_EREFUSED
        if transient, Int(q.attempt) < config.dnsRetries {
            q.attempt += 1
            if status == ARES_ETIMEOUT {
                channels[Int(slot.channel)].wait(q)
            } else {
                delayedRetries.append(DelayedRetry(due: EventLoop.monotonicMillis() + Self.retryDelayMillis(config),
                                                   channel: slot.channel, query: q))
            }
            return
        }
        if q.afterTruncation, status == ARES_SUCCESS, let abuf, alen >= 12, abuf[3] & 0x0F == 0, abuf[6] == 0, abuf[7] == 0 {
            q.complete(DNSResult(outcome: .malformed, answer: nil))
            return
        }
        q.complete(EventLoop.result(status: status, abuf: abuf, alen: alen, name: slot.name, type: q.type))
    }

    /// How long a query that failed at once (SERVFAIL, REFUSED, a refused connection) waits before
    /// its retry. Asked again at once, a resolver that has just given up on a zone gives the same
    /// answer: on the latency world at --dns-in-flight 2048, 5108 of 5226 such retries came back
    /// failed again within 100 ms, and 12-108 domains that the world answers ended dns-error after
    /// three failures in a row. A second later the resolver has moved on. Timeouts have already
    /// waited --timeout and go again at once.
    static func retryDelayMillis(_ config: NetConfig) -> UInt64 {
        UInt64(min(1000, max(config.timeoutMillis / 2, 1)))
    }

    /// Moves the delayed retries that are due to their channels' queues (started by the caller).
    func releaseDueRetries(now: UInt64) {
        guard !delayedRetries.isEmpty else { return }
        var kept: [DelayedRetry] = []
        for r in delayedRetries {
            if r.due <= now { channels[Int(r.channel)].wait(r.query) } else { kept.append(r) }
        }
        delayedRetries = kept
    }

    /// Queries queued by retryOrComplete (or waiting for room) on a channel with room: started
    /// once per turn, after c-ares's callbacks have returned.
    func startRequeuedQueries() {
        for i in channels.indices where channels[i].hasWaiting && channels[i].hasRoom {
            startWaitingQueries(i)
        }
    }

    /// c-ares status and answer bytes to our outcome. One place for the mapping.
    static func result(status: Int32, abuf: UnsafeMutablePointer<UInt8>?, alen: Int32, name: String, type: DNSType) -> DNSResult {
        switch status {
        case ARES_SUCCESS:
            guard let abuf, alen > 0,
                  let answer = DNSMessage.parse(UnsafeBufferPointer(start: abuf, count: Int(alen)), qname: name, qtype: type)
            else { return DNSResult(outcome: .malformed, answer: nil) }
            return DNSResult(outcome: answer.outcome, answer: answer)
        case ARES_ETIMEOUT:
            return DNSResult(outcome: .timeout, answer: nil)
        case ARES_ESERVFAIL:
            return DNSResult(outcome: .servFail, answer: nil)
        case ARES_ENOTFOUND:
            return DNSResult(outcome: .nxDomain, answer: nil)
        case ARES_EREFUSED:
            return DNSResult(outcome: .refused, answer: nil)
        case ARES_ECONNREFUSED:
            // c-ares 1.18 ends a query with ECONNREFUSED when its connection to the resolver
            // failed: the resolver's port is closed, or a TCP connection broke (another query's,
            // see retryOrComplete). Only after every retry failed the same way does it get here;
            // the resolver gave no answer, which a scan records as SERVFAIL (dns-error).
            return DNSResult(outcome: .servFail, answer: nil)
        default:
            return DNSResult(outcome: .malformed, answer: nil)
        }
    }
}
