// The report's sender-profile tables (issue 17): counts per profile and the refusal list, against
// counts made by hand from the rows fed in.
import Testing
import MTASTSCore
@testable import MTASTSReport
@testable import MTASTSStore

struct ProfileTablesTests {
    static func row(_ domain: String, _ outcomes: [DeliveryOutcome], reason: String = "mx-cert-expired") -> ProfileRow {
        ProfileRow(domain: domain, outcomes: zip(SenderProfile.allCases, outcomes).map {
            ProfileOutcome(profile: $0, outcome: $1, reasons: $1 == .defers ? [reason] : [], host: nil)
        })
    }

    @Test func countsAndRefusals() throws {
        var s = ProfileStatistics(listLimit: 2)
        s.add(Self.row("a.test", [.deliversAuthenticated, .deliversAuthenticated, .deliversAuthenticated, .deliversAuthenticated]))
        s.add(Self.row("b.test", [.defers, .deliversAuthenticated, .defers, .defers]))
        s.add(Self.row("c.test", [.deliversUnauthenticated, .defers, .deliversUnauthenticated, .unknown]))
        s.add(Self.row("d.test", [.defers, .defers, .defers, .defers]))
        let t = s.tables
        let outcomes = try #require(t.first { $0.name == "sender_outcomes" })
        #expect(outcomes.columns == ["profile", "delivers_authenticated", "delivers_unauthenticated", "defers", "unknown", "defers_share"])
        // rfc: a auth; b, d defer; c unauth. resolver: a, b auth; c, d defer.
        #expect(outcomes.rows[0] == [.text("rfc"), .int(1), .int(1), .int(2), .int(0), .share(0.5)])
        #expect(outcomes.rows[1] == [.text("postfix-mta-sts-resolver"), .int(2), .int(0), .int(2), .int(0), .share(0.5)])
        #expect(outcomes.rows[3] == [.text("checkdmarc"), .int(1), .int(0), .int(2), .int(1), .share(0.5)])
        let refusals = try #require(t.first { $0.name == "sender_refusals" })
        #expect(refusals.title.hasSuffix(": 3 domains"))
        // b, c, d are refused by someone; the list stops at the limit, in the order fed.
        #expect(refusals.rows.map { $0[0] } == [.text("b.test"), .text("c.test")])
        #expect(refusals.rows[0][5] == .text("rfc: mx-cert-expired; postfix-tlspol: mx-cert-expired; checkdmarc: mx-cert-expired"))
        #expect(refusals.note?.contains("first 2 of 3") == true)
    }

    @Test func emptyScan() throws {
        let t = ProfileStatistics().tables
        #expect(t.first { $0.name == "sender_outcomes" }?.rows.first?.last == .share(nil))
        #expect(t.first { $0.name == "sender_refusals" }?.text.contains("(none)") == true)
    }
}
