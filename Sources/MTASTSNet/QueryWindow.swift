// Which of a channel's queries count against --dns-in-flight. The window exists to keep the
// resolver's request list short; but a query that has waited a second for a resolver whose answers
// take tens of milliseconds is not being worked on any faster because we wait for it: it is a
// zone that never answers (about 1% of zones on the internet; bench/latency/README.md), and it
// holds its place at the resolver whether we count it or not. Counted, it held a slot for the
// whole --timeout (three times, with the retries): on the latency world 1% of domains in dead
// zones held 250-400 of the 512 slots, and the scan ran at 0.57 of what the resolver sustains
// (issue 19). So a query stops counting once it is `youngTicks` old; a second, wider bound on all
// queries with c-ares keeps a resolver that is merely slow (every answer late) from being flooded.
//
// Kept in 100 ms ticks, as a ring of per-tick counts: starting and ending a query is O(1), and
// ageing walks only the ticks that passed. Loop thread only; pure arithmetic, tested on its own.
struct QueryWindow {
    static let tickMillis: UInt64 = 100
    /// Queries older than this no longer count against `limit`: one second is past nearly every
    /// live answer (the latency world's p99 is 310 ms per zone; published cold-resolution p99s
    /// are 1-2 s, and a query that ages out early only lets one more in).
    static let youngMillis: UInt64 = 1000

    /// Young queries at most (the channel's share of --dns-in-flight).
    let limit: Int
    /// All queries with c-ares at most, young or not.
    let outstandingLimit: Int
    private(set) var young = 0
    private(set) var outstanding = 0
    private let youngTicks: UInt64
    /// Young queries by start tick, at index tick % count; ticks (agedThrough, now] are live.
    private var perTick: [Int32]
    /// Queries started at or before this tick are old.
    private var agedThrough: UInt64 = 0

    init(limit: Int, outstandingLimit: Int, youngMillis: UInt64 = QueryWindow.youngMillis) {
        self.limit = max(1, limit)
        self.outstandingLimit = max(self.limit, outstandingLimit)
        youngTicks = max(1, youngMillis / Self.tickMillis)
        perTick = [Int32](repeating: 0, count: Int(youngTicks) + 1)
    }

    static func tick(millis: UInt64) -> UInt64 { millis / tickMillis }

    var hasRoom: Bool { young < limit && outstanding < outstandingLimit }

    /// Moves the queries started `youngTicks` or more ago out of the count. `started` calls it
    /// first, so the live ticks never outnumber the ring.
    mutating func age(now: UInt64) {
        guard now > youngTicks else { return }
        let target = now - youngTicks
        guard target > agedThrough else { return }
        if target - agedThrough >= UInt64(perTick.count) {
            for i in perTick.indices { young -= Int(perTick[i]); perTick[i] = 0 }
        } else {
            var t = agedThrough
            while t < target {
                t += 1
                let i = Int(t % UInt64(perTick.count))
                young -= Int(perTick[i])
                perTick[i] = 0
            }
        }
        agedThrough = target
    }

    /// A query starts at tick `now`: returns the tick to hand back to `ended`.
    mutating func started(now: UInt64) -> UInt64 {
        age(now: now)
        perTick[Int(now % UInt64(perTick.count))] += 1
        young += 1
        outstanding += 1
        return now
    }

    /// The query started at `tick` is over (answered, failed or timed out).
    mutating func ended(startedAt tick: UInt64) {
        outstanding -= 1
        if tick > agedThrough {
            perTick[Int(tick % UInt64(perTick.count))] -= 1
            young -= 1
        }
    }
}
