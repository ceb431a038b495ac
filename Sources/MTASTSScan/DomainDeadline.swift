// A domain's deadline (--domain-timeout). Every network step is bounded by itself: a DNS try by
// --timeout and at most --retries more, a connection by --timeout. What is not bounded is the wait
// for a per-address slot behind other domains' sessions with the same address (a provider's MX
// host, a hoster's policy server): a thousand domains on one slow address would otherwise wait
// each other out. The deadline ends that wait for this domain only; the step is recorded as
// `deadline` (finding scan-deadline), the work itself goes on and still serves other domains.
import Foundation

public struct DomainDeadline: Sendable {
    /// On the monotonic clock (DispatchTime's uptime), nanoseconds.
    let uptimeNanos: UInt64

    public init(secondsFromNow seconds: Double) {
        uptimeNanos = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    public init(startedNanos: UInt64, seconds: Double) {
        uptimeNanos = startedNanos + UInt64(max(0, seconds) * 1e9)
    }

    var remainingNanos: UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        return uptimeNanos > now ? uptimeNanos - now : 0
    }

    var isPast: Bool { remainingNanos == 0 }

    /// The longest a domain takes when it never waits for a slot: its first lookups, then the
    /// policy host's lookups, the fetch and one legacy-TLS retry (the MX branch, side by side,
    /// takes no longer: host lookups, a probe and the probe without SNI).
    public static func naturalSeconds(timeout: Double, retries: Int) -> Double {
        Double(2 * (retries + 1) + 4) * timeout
    }

    /// The default deadline: ten minutes, or the natural bound if that is longer. Waiting for a
    /// slot is normal at scale and must not be cut: a provider that serves many customers' MX
    /// host names on one address (one name per customer) gets --concurrency domains queued
    /// behind its per-address rate, 1000 / 10 per second = 100 s with the defaults, and those
    /// domains must still be judged. The deadline is for what is pathological beyond that.
    public static func defaultSeconds(timeout: Double, retries: Int) -> Double {
        max(600, naturalSeconds(timeout: timeout, retries: retries))
    }
}

/// `work`'s value, or nil when the deadline comes first. The work is not cancelled: its own
/// timeouts end it, and a shared probe's result still serves the other domains that wait for it.
func beforeDeadline<T: Sendable>(_ deadline: DomainDeadline?, _ work: @escaping @Sendable () async -> T) async -> T? {
    guard let deadline else { return await work() }
    if deadline.isPast { return nil }
    let race = FirstOf<T>()
    return await withCheckedContinuation { c in
        race.begin(c)
        let timer = Task {
            try? await Task.sleep(nanoseconds: deadline.remainingNanos)
            race.finish(nil)
        }
        Task {
            let value = await work()
            race.finish(value)
            timer.cancel()
        }
    }
}

/// Resumes a continuation once, with whichever result comes first.
private final class FirstOf<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T?, Never>?

    func begin(_ c: CheckedContinuation<T?, Never>) { lock.withLock { continuation = c } }

    func finish(_ value: T?) {
        let c: CheckedContinuation<T?, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        c?.resume(returning: value)
    }
}
