// The I/O loop: one thread, one epoll set, driving the c-ares channel and the curl multi handle.
// Requests come in through a mutex-guarded queue and an eventfd. Results go back two ways: by
// continuation, for a task awaiting one operation (`query`, `fetchPolicy`, `probeSTARTTLS`); or by
// a delivery closure run on this thread (`submit(_:deliver:)`), for the bulk scan, which
// collects them and is woken once per turn (`observeTurns`). All C state lives in this class and
// is touched only on the loop thread (after init), which is why it can be `@unchecked Sendable`.
import CCares
import CCurl
import CLinux
import Foundation
import MTASTSCore

public final class EventLoop: @unchecked Sendable {
    let config: NetConfig
    let epfd: Int32
    let wakefd: Int32
    /// Several c-ares channels, each with its own UDP socket: a resolver with SO_REUSEPORT
    /// spreads sockets over its threads, and one socket would pin us to one resolver thread.
    var channels: [DNSChannel] = []
    /// Where queries wait for room on a UDP channel: one queue for all of them (WaitingQueries).
    let udpWaiting = WaitingQueries()
    var nextChannel = 0
    var channelTags: [ChannelTag] = []
    var queryIDs = QueryIDs()
    /// Retries that wait before going again (retryOrComplete), in the order they failed.
    var delayedRetries: [DelayedRetry] = []
    /// What c-ares carries for each query in flight (see QuerySlot).
    let querySlots: QuerySlots
    /// c-ares's sockets: its queries leave in one sendmmsg per socket per turn (see flushQueries).
    let datagrams = DatagramBatcher()
    var multi: UnsafeMutableRawPointer?
    /// The trust store, loaded once: per connection it would cost ~18 ms of CPU.
    var trustStore: OpaquePointer?

    /// Which library owns a registered fd, so an epoll event goes to the right one.
    enum Owner { case ares(Int), curl }
    var owners: [Int32: Owner] = [:]
    var curlDeadline: UInt64?
    /// When c-ares's timeouts are next looked at (see runExpiredTimers).
    var aresCheckAt: UInt64 = 0
    static let aresCheckIntervalMillis: UInt64 = 100

    /// Run on the loop thread after every turn (see `observeTurns`).
    private var turnObservers: [@Sendable () -> Void] = []

    private let lock = NSLock()
    private var queue: [Request] = []
    private var stopping = false
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    enum Request {
        /// Batches and the one closure that takes each batch's answers (with its tag).
        case dns([QueryBatch], @Sendable (Int, [DNSResult]) -> Void)
        case observeTurns(@Sendable () -> Void)
        case transfer(Transfer)
    }

    public init(config: NetConfig) throws {
        self.config = config
        querySlots = QuerySlots(capacity: EventLoop.querySlotCount(config))
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakefd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epfd >= 0, wakefd >= 0 else { throw NetError("epoll/eventfd: \(String(cString: strerror(errno)))") }
        try Checked.system(mtasts_epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, EPOLLIN.rawValue), "watching the loop's eventfd")
        try Self.globalInit.get()
        try setUpResolver()
        try setUpCurl()
        try loadTrustStore()
        let t = Thread { [unowned self] in self.run() }
        t.name = "mtasts-io"
        t.stackSize = 1 << 20
        thread = t
        t.start()
    }

    /// curl_global_init and ares_library_init once per process; a failure is every loop's.
    static let globalInit: Result<Void, CLibraryError> = {
        do {
            try Checked.curl(curl_global_init(Int(CURL_GLOBAL_DEFAULT)), "curl_global_init")
            try Checked.ares(ares_library_init(ARES_LIB_INIT_ALL), "ares_library_init")
            return .success(())
        } catch let e as CLibraryError {
            return .failure(e)
        } catch {
            preconditionFailure("Checked throws only CLibraryError")
        }
    }()

    /// CURLMcodes other than OK from curl_multi_socket_action in the running loop (Checked.inLoop).
    var multiFailures = 0
    /// Sockets epoll refused to watch (see `watch`); their work ends by its timeout.
    var unwatchedSockets = 0

    /// Stops the loop thread; requests still in flight are abandoned. Call once, at the end.
    public func shutdown() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake()
        stopped.wait()
        for c in channels { ares_destroy(c.channel) }
        querySlots.deallocate()
        if let multi {
            // Every transfer is finished or abandoned with the process: a failed cleanup (only
            // for a handle that is not a multi handle) leaves nothing to do but note it in debug.
            let rc = curl_multi_cleanup(multi)
            assert(rc == CURLM_OK, "curl_multi_cleanup: \(rc)")
        }
        if let trustStore { X509_STORE_free(trustStore) }
        // close of an fd we own fails only with EINTR/EIO, and the fd is released either way.
        close(epfd)
        close(wakefd)
    }

    // MARK: - The three operations

    /// DNS queries, with the AD bit asked for and read back (TCP fallback on truncation is
    /// c-ares's own), answered together in the order asked: one hand-over to the loop and one
    /// resumption for all of them.
    public func queries(_ qs: [(String, DNSType)]) async -> [DNSResult] {
        await withCheckedContinuation { c in submit(.dns([QueryBatch(qs)], { c.resume(returning: $1) })) }
    }

    /// The queries `kinds` of one name (`QueryKind(.mtaSTS, .txt)` asks `_mta-sts.<name>`).
    public func queries(_ name: String, _ kinds: [QueryKind]) async -> [DNSResult] {
        await withCheckedContinuation { c in submit(.dns([QueryBatch(name, kinds)], { c.resume(returning: $1) })) }
    }

    /// Many batches handed over at once (one lock, at most one wake-up, the array moved, not
    /// copied). `deliver` runs on the loop thread with a batch's tag and answers when its last
    /// query is answered. This is the bulk scan's path: a task per domain and a resumption per
    /// answer cost more CPU than the lookups themselves, so the scan loop collects deliveries in
    /// a mailbox and works through them in bulk; and one closure for all, with the batch's tag
    /// saying which, where a closure per batch was ~50 bytes of every domain in flight.
    public func submit(_ batches: [QueryBatch], deliver: @escaping @Sendable (Int, [DNSResult]) -> Void) {
        guard !batches.isEmpty else { return }
        submit(.dns(batches, deliver))
    }

    /// `observer` runs on the loop thread at the end of every turn of the loop, after all the
    /// deliveries of that turn: the place to wake a consumer once for all of them. Set it up
    /// before submitting work; it must be quick and must not block.
    public func observeTurns(_ observer: @escaping @Sendable () -> Void) {
        submit(.observeTurns(observer))
    }

    /// The HTTPS GET of `https://<host>/.well-known/mta-sts.txt`, to the given addresses only.
    public func fetchPolicy(host: String, addresses: [String], port: Int) async -> PolicyFetchEvidence {
        let result: TransferResult = await withCheckedContinuation { c in
            submit(.transfer(Transfer(kind: .policy, host: host, addresses: addresses, port: port, continuation: c)))
        }
        return result.policy!
    }

    /// EHLO, STARTTLS, EHLO, NOOP, QUIT with one address of an MX host. Never MAIL or RCPT.
    /// With `sni` false the session names the address, so no SNI is sent.
    public func probeSTARTTLS(host: String, address: String, port: Int, sni: Bool = true) async -> SMTPProbeEvidence {
        let result: TransferResult = await withCheckedContinuation { c in
            let t = Transfer(kind: .smtp, host: host, addresses: [address], port: port, continuation: c)
            t.sni = sni
            submit(.transfer(t))
        }
        return result.smtp!
    }

    /// After a handshake failed at the TLS 1.2 floor: which older version, if any, the policy
    /// host speaks, with its certificate facts. The GET goes out too, but only the TLS facts are
    /// kept as evidence.
    public func legacyTLSFacts(host: String, addresses: [String], port: Int) async -> TLSFacts? {
        let result: TransferResult = await withCheckedContinuation { c in
            let t = Transfer(kind: .policy, host: host, addresses: addresses, port: port, continuation: c)
            t.legacyTLS = true
            submit(.transfer(t))
        }
        return result.policy?.tls
    }

    // MARK: - Queue

    private func submit(_ r: Request) {
        lock.lock()
        queue.append(r)
        let first = queue.count == 1
        lock.unlock()
        if first { wake() }   // one wake-up per batch: the loop drains the whole queue
    }

    private func wake() {
        var one: UInt64 = 1
        // Fails only with EAGAIN, when the counter is already non-zero: the loop is woken anyway.
        _ = write(wakefd, &one, 8)
    }

    private func takeQueue() -> ([Request], Bool) {
        lock.lock()
        defer { lock.unlock() }
        let q = queue
        queue.removeAll(keepingCapacity: true)
        return (q, stopping)
    }

    // MARK: - The loop

    private func run() {
        var fds = [Int32](repeating: 0, count: Int(MTASTS_EPOLL_BATCH))
        var events = [UInt32](repeating: 0, count: Int(MTASTS_EPOLL_BATCH))
        while true {
            let n = mtasts_epoll_wait(epfd, &fds, &events, Int32(MTASTS_EPOLL_BATCH), nextTimeoutMillis())
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = fds[i], ev = events[i]
                    if fd == wakefd {
                        var value: UInt64 = 0
                        // Resets the counter; EAGAIN (already read) changes nothing: the queue is
                        // taken below either way.
                        _ = read(wakefd, &value, 8)
                        let (requests, stop) = takeQueue()
                        if stop { stopped.signal(); return }
                        for r in requests { start(r) }
                        continue
                    }
                    switch owners[fd] {
                    case .ares(let index):
                        let readable = ev & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
                        let writable = ev & EPOLLOUT.rawValue != 0
                        ares_process_fd(channels[index].channel, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD)
                        startWaitingQueries(index)
                    case .curl:
                        var flags: Int32 = 0
                        if ev & EPOLLIN.rawValue != 0 { flags |= CURL_CSELECT_IN }
                        if ev & EPOLLOUT.rawValue != 0 { flags |= CURL_CSELECT_OUT }
                        if ev & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { flags |= CURL_CSELECT_ERR }
                        var running: Int32 = 0
                        Checked.inLoop(curl_multi_socket_action(multi, fd, flags, &running), self)
                        collectFinishedTransfers()
                    case nil:
                        break
                    }
                }
            }
            runExpiredTimers()
            startRequeuedQueries()
            flushQueries()
            for observer in turnObservers { observer() }
            if n >= 0 && n < Self.coalesceBelowEvents { usleep(Self.coalesceMicros) }
        }
    }

    /// After a turn with only a few ready sockets the loop naps briefly, so that the next turn
    /// finds many answers waiting: one wake-up per packet was the scanner's largest kernel cost
    /// (context switches, ~1 per answer). A domain waits ~100 ms for its lookups anyway; a
    /// couple of milliseconds more change nothing but the CPU spent. Alternated 100k scans: 0.5,
    /// 1 and 2 ms each cut CPU; 4 ms (below 64 events) did not, and slowed the scan.
    static let coalesceBelowEvents = 32
    static let coalesceMicros: UInt32 = 2000

    /// The nearer of c-ares's next timeout and curl's timer, in ms (-1: none).
    private func nextTimeoutMillis() -> Int32 {
        var ms: Int64 = -1
        if !delayedRetries.isEmpty || channels.contains(where: { $0.inFlight > 0 }) {
            let now = Self.monotonicMillis()
            ms = aresCheckAt > now ? Int64(aresCheckAt - now) : 0
        }
        if let d = curlDeadline {
            let now = Self.monotonicMillis()
            let c = d > now ? Int64(d - now) : 0
            ms = ms < 0 ? c : min(ms, c)
        }
        return Int32(clamping: ms)
    }

    private func runExpiredTimers() {
        // c-ares finds expired queries by walking all of them (ares_timeout too): with a thousand
        // in flight, doing that on every loop turn was a tenth of the scanner's CPU. Query
        // timeouts are seconds long, so looking every 100 ms is enough (a timeout fires <=100 ms
        // late).
        let now = Self.monotonicMillis()
        if now >= aresCheckAt {
            aresCheckAt = now + Self.aresCheckIntervalMillis
            releaseDueRetries(now: now)
            let tick = QueryWindow.tick(millis: now)
            for (i, c) in channels.enumerated() {
                // Queries that have aged out of the window make room (QueryWindow).
                c.window.age(now: tick)
                if c.inFlight > 0 { ares_process_fd(c.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD) }
                if c.hasWaiting { startWaitingQueries(i) }
            }
        }
        if let d = curlDeadline, Self.monotonicMillis() >= d {
            curlDeadline = nil
            var running: Int32 = 0
            Checked.inLoop(curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running), self)
            collectFinishedTransfers()
        }
    }

    private func start(_ r: Request) {
        switch r {
        case .dns(let batches, let deliver):
            for b in batches { enqueueBatch(b, deliver: deliver) }
        case .transfer(let t): startTransfer(t)
        case .observeTurns(let observer): turnObservers.append(observer)
        }
    }

    // MARK: - epoll registration, shared by both libraries

    func watch(_ fd: Int32, owner: Owner, read: Bool, write: Bool) {
        var mask: UInt32 = 0
        if read { mask |= EPOLLIN.rawValue }
        if write { mask |= EPOLLOUT.rawValue }
        if mask == 0 {
            // The library may have closed the fd already (curl and c-ares say "remove" as they
            // close): the kernel then dropped it from the set itself, and EBADF/ENOENT is that.
            if owners.removeValue(forKey: fd) != nil { _ = mtasts_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0) }
            return
        }
        let op = owners[fd] == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        owners[fd] = owner
        if mtasts_epoll_ctl(epfd, op, fd, mask) != 0 {
            // A MOD fails when the fd was closed and reused behind our back: register it afresh.
            // If epoll refuses the fd (no memory, the user's epoll watch limit), the socket is not
            // watched and its transfer or query ends by its own timeout, as a timeout.
            if op == EPOLL_CTL_MOD && mtasts_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, mask) == 0 { return }
            unwatchedSockets += 1
        }
    }

    static func monotonicMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    static func monotonicMillis() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
