// A domain stops waiting at its deadline (issue 14): `beforeDeadline` gives the work's value when
// it comes first, and nil when the deadline does, without waiting for the work.
import Foundation
import Testing
@testable import MTASTSScan

@Suite struct DomainDeadlineTests {
    @Test func theWorkWinsWhenItIsQuick() async {
        let value = await beforeDeadline(DomainDeadline(secondsFromNow: 60)) { 42 }
        #expect(value == 42)
        #expect(await beforeDeadline(nil) { 7 } == 7)
    }

    @Test func theDeadlineWinsOverWorkThatTakesLonger() async {
        let start = Date()
        // Work of 120 s against a deadline of 0.2 s. The bound below is generous (a busy CI
        // machine may hold the cooperative threads for seconds); waiting for the work fails it.
        let value = await beforeDeadline(DomainDeadline(secondsFromNow: 0.2)) { () -> Int in
            try? await Task.sleep(nanoseconds: 120_000_000_000)
            return 1
        }
        #expect(value == nil)
        #expect(Date().timeIntervalSince(start) < 90)
    }

    @Test func aPastDeadlineDoesNotStartTheWait() async {
        let value = await beforeDeadline(DomainDeadline(secondsFromNow: 0)) { 1 }
        #expect(value == nil)
    }

    /// The natural bound is the longest a domain takes without waiting for a slot (docs/CLI.md):
    /// first lookups and the policy host's, each (retries + 1) tries, then a fetch and a legacy
    /// TLS retry; with the defaults (10 s, 2 retries) 100 s. The default deadline is ten minutes
    /// unless that bound is longer.
    @Test func theDefaultFollowsTimeoutAndRetries() {
        #expect(DomainDeadline.naturalSeconds(timeout: 10, retries: 2) == 100)
        #expect(DomainDeadline.naturalSeconds(timeout: 2, retries: 0) == 12)
        #expect(DomainDeadline.defaultSeconds(timeout: 10, retries: 2) == 600)
        #expect(DomainDeadline.defaultSeconds(timeout: 60, retries: 3) == 720)
    }
}
