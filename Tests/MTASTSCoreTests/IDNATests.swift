// DomainName's non-ASCII path (libidn2) against IDNATable: Python's `idna` package, computed
// separately by idna_table.py (its header has the command and the rule) on the examples of RFC
// 3492, RFC 5892/5893, UTS #46 and the cases of issue 14. The table is ground truth from another
// implementation; nothing here is computed by the code under test.
import Testing
@testable import MTASTSCore

@Suite struct IDNATests {
    struct Row: Sendable, CustomTestStringConvertible {
        let input: String, aLabel: String?, why: String
        var testDescription: String { why }
    }

    static let rows = IDNATable.rows.map { Row(input: $0.input, aLabel: $0.aLabel, why: $0.why) }

    @Test(arguments: rows)
    func matchesPythonIDNA(_ r: Row) {
        #expect(DomainName.normalise(r.input) == r.aLabel, "\(r.input.debugDescription): \(r.why)")
        var bytes = r.input
        #expect(bytes.withUTF8 { DomainName.normalise(utf8: $0) } == r.aLabel)
    }

    @Test func tableCoversBothOutcomes() {
        // A table of only valid (or only invalid) names could not catch a path that accepts (or
        // rejects) everything.
        #expect(Self.rows.filter { $0.aLabel == nil }.count >= 10)
        #expect(Self.rows.filter { $0.aLabel != nil }.count >= 10)
    }

    @Test func tooLongIsRejectedBeforeConversion() {
        // 64k and 1M non-ASCII characters: once minutes of Punycode (issue 14), now a length check.
        for n in [DomainName.maxUnicodeOctets / 2 + 1, 65_536, 1 << 20] {
            #expect(DomainName.normalise(String(repeating: "ü", count: n)) == nil)
        }
        // At the bound a name is still converted: "ü" (2 octets) repeated stays under 4096.
        #expect(DomainName.normalise(String(repeating: "ü", count: 30) + ".test") != nil)
    }

    @Test func nulDoesNotCutTheName() {
        #expect(DomainName.normalise("b\u{FC}\0.evil.test") == nil)
    }
}
