// The probe cache's store: one task per key shared by every caller, the most recently used kept,
// so a provider's MX address is probed once per scan and memory stays bounded.
import Testing
@testable import MTASTSScan

@Suite struct TaskLRUTests {
    @Test func oneTaskPerKey() async {
        var lru = TaskLRU<Int>(capacity: 16)
        var made = 0
        let first = lru.task("a") { made += 1; return Task { 1 } }
        let again = lru.task("a") { made += 1; return Task { 2 } }
        #expect(made == 1)
        #expect(await first.value == 1)
        #expect(await again.value == 1)
    }

    @Test func fullDropsTheLeastRecentlyUsedQuarter() async {
        var lru = TaskLRU<Int>(capacity: 16)
        var made: [String] = []
        func use(_ key: String) { _ = lru.task(key) { made.append(key); return Task { 0 } } }
        for i in 0..<16 { use("k\(i)") }
        use("k0")                       // k0 becomes the most recently used
        use("new")                      // full: the 4 least recently used (k1...k4) go
        made.removeAll()
        for key in ["k0", "k5", "k15", "new", "k1", "k4"] { use(key) }
        #expect(made == ["k1", "k4"])   // kept: k0, k5...k15 and new; k1 and k4 were dropped
    }

    @Test func forgetDropsOnlyTheTaskItWasGiven() async {
        var lru = TaskLRU<Int>(capacity: 16)
        let old = lru.task("a") { Task { 1 } }
        lru.forget("a", ifStill: old)
        let new = lru.task("a") { Task { 2 } }      // made afresh
        #expect(await new.value == 2)
        lru.forget("a", ifStill: old)               // a stale forget leaves the new task
        let again = lru.task("a") { Task { 3 } }
        #expect(await again.value == 2)
    }

    // issue 19: a finished probe is handed over without racing the domain's deadline.
    @Test func aFinishedValueIsKeptWithItsEntry() async {
        var lru = TaskLRU<Int>(capacity: 16)
        _ = lru.task("a") { Task { 5 } }
        #expect(lru.finishedValue("a") == nil)      // not recorded yet
        lru.setFinished("a", 5)
        #expect(lru.finishedValue("a") == 5)
        lru.setFinished("gone", 1)                  // no entry: nothing recorded
        #expect(lru.finishedValue("gone") == nil)
        _ = lru.task("a") { Task { 9 } }            // a use keeps the recorded value
        #expect(lru.finishedValue("a") == 5)
    }
}
