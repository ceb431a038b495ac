// Hands items from any thread (the I/O loop, probe tasks) to one waiting task, in bulk. The scan
// loop takes everything that arrived since it last looked in one go: when it is busy, answers pile
// up and cost no wake-up at all; when it is idle, the first answer wakes it once. A task and a
// resumption per domain cost more CPU than the domain's lookups (perf, realistic world).
import Foundation

final class Mailbox<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Item] = []
    private var waiter: CheckedContinuation<[Item], Never>?

    init() { items.reserveCapacity(1024) }

    /// Adds an item; wakes the taker if it is waiting. Never blocks for long.
    func post(_ item: Item) {
        let woken: CheckedContinuation<[Item], Never>? = lock.withLock {
            if let w = waiter {
                waiter = nil
                return w
            }
            items.append(item)
            return nil
        }
        woken?.resume(returning: [item])
    }

    /// Adds an item without waking the taker: for a producer that calls `wake()` once after a
    /// burst (the I/O loop, at the end of its turn).
    func postQuietly(_ item: Item) {
        lock.withLock { items.append(item) }
    }

    /// Hands what is there to the taker if it waits.
    func wake() {
        let handoff: (CheckedContinuation<[Item], Never>, [Item])? = lock.withLock {
            guard let w = waiter, !items.isEmpty else { return nil }
            waiter = nil
            return (w, drain())
        }
        if let (w, ready) = handoff { w.resume(returning: ready) }
    }

    /// Everything posted so far, waiting for at least one item. One taker at a time.
    func take() async -> [Item] {
        if let ready = takeReady() { return ready }
        return await withCheckedContinuation { c in
            let ready: [Item]? = lock.withLock {
                if items.isEmpty {
                    waiter = c
                    return nil
                }
                return drain()
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    private func takeReady() -> [Item]? {
        lock.withLock { items.isEmpty ? nil : drain() }
    }

    /// Called with the lock held. The array is handed over and a new one started (no
    /// `removeAll(keepingCapacity:)`: with the old buffer still referenced by the taker, that
    /// allocated a second buffer as large as the largest turn ever seen, and kept it).
    private func drain() -> [Item] {
        let out = items
        items = []
        items.reserveCapacity(min(out.count, 1024))
        return out
    }
}
