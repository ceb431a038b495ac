// Politeness per destination address: sessions at once, new sessions a second, and the pause after
// a 4xx greeting. Lower bounds on time are asserted (a busy machine can make things slower, never
// faster), and one upper bound with a margin of minutes.
import Foundation
import Testing
@testable import MTASTSScan

@Suite struct AddressLimiterTests {
    @Test func rateSpacesNewSessions() async {
        let limiter = AddressLimiter(limit: 10, rate: 20)   // one new session every 50 ms
        let start = AddressLimiter.now()
        for _ in 0..<5 {
            await limiter.acquire("192.0.2.1")
            await limiter.release("192.0.2.1")
        }
        #expect(AddressLimiter.now() - start >= 0.19)        // 4 gaps of 50 ms
    }

    @Test func otherAddressesAreNotSlowed() async {
        // The one upper bound in this file, so its margin is wide: a back-off that leaked to
        // other addresses would hold this acquire for 600 s; a busy machine never adds 300 s.
        let limiter = AddressLimiter(limit: 1, rate: 0, backoffSeconds: 600)
        await limiter.backOff("192.0.2.1")
        let start = AddressLimiter.now()
        await limiter.acquire("192.0.2.2")
        #expect(AddressLimiter.now() - start < 300)
        await limiter.release("192.0.2.2")
    }

    @Test func backOffAfter4xxPausesTheAddress() async {
        let limiter = AddressLimiter(limit: 4, rate: 0, backoffSeconds: 0.3)
        await limiter.backOff("192.0.2.1")
        let start = AddressLimiter.now()
        await limiter.acquire("192.0.2.1")
        #expect(AddressLimiter.now() - start >= 0.29)
        await limiter.release("192.0.2.1")
    }

    @Test func concurrencyLimitQueuesTheRest() async {
        let limiter = AddressLimiter(limit: 1, rate: 0)
        await limiter.acquire("192.0.2.1")
        let waiter = Task { await limiter.acquire("192.0.2.1"); return AddressLimiter.now() }
        try? await Task.sleep(nanoseconds: 200_000_000)
        let released = AddressLimiter.now()
        await limiter.release("192.0.2.1")
        let got = await waiter.value
        #expect(got >= released)
    }

    // issue 19: the domain's deadline ends a queued wait inside the limiter, with no task per
    // acquire. A waiter whose deadline came leaves the queue and holds no slot.
    @Test func aQueuedWaitEndsAtItsDeadlineWithoutASlot() async {
        let limiter = AddressLimiter(limit: 1, rate: 0)
        await limiter.acquire("192.0.2.1")                      // the slot is taken
        let start = AddressLimiter.now()
        let got = await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 0.2))
        #expect(got == false)
        #expect(AddressLimiter.now() - start < 90)               // generous: a busy machine
        await limiter.release("192.0.2.1")
        // The expired waiter took nothing: the slot is free for the next one at once.
        let next = await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 600))
        #expect(next == true)
    }

    @Test func aQueuedWaitServedBeforeItsDeadlineHoldsTheSlot() async {
        let limiter = AddressLimiter(limit: 1, rate: 0)
        await limiter.acquire("192.0.2.1")
        let waiter = Task { await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 600)) }
        try? await Task.sleep(nanoseconds: 100_000_000)
        await limiter.release("192.0.2.1")
        #expect(await waiter.value == true)
        // The waiter holds the slot now: a third acquire with a past-due deadline gets none.
        #expect(await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 0)) == false)
    }

    @Test func aFreeSlotIsTakenWhateverTheDeadline() async {
        let limiter = AddressLimiter(limit: 2, rate: 0)
        #expect(await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 600)) == true)
        #expect(await limiter.acquire("192.0.2.1", deadline: nil) == true)
        #expect(await limiter.acquire("192.0.2.1", deadline: DomainDeadline(secondsFromNow: 0)) == false)
    }
}
