// StoredEncoder against Foundation's JSONEncoder (sorted keys, slashes unescaped): the stored
// JSON is documented as JSONEncoder's form (analysis/SCHEMA.md), and a member added to the
// evidence types later is written by StoredEncoder from its Codable conformance alone, so the
// encoder must write what JSONEncoder writes for any shape a member can take: members declared
// out of key order, nested structs, optionals present and absent, arrays of structs, of arrays
// and of optionals, enums, every integer width at its limits, floating point, empty values.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct StoredEncoderTests {
    enum Kind: String, Codable { case a, bLonger = "b-longer" }

    struct Inner: Codable, Equatable {
        var zeta: Int
        var alpha: String?
        var mid: [UInt8]
    }

    struct Empty: Codable, Equatable {}

    /// Keys declared in no order, two that differ only in case, one a prefix of another.
    struct Shape: Codable, Equatable {
        var zz: String
        var b: Bool
        var aB: Int8
        var ab: UInt8
        var a: Int16
        var abc: Int32?
        var nested: Inner
        var nestedOptional: Inner?
        var list: [Inner]
        var grid: [[Int64]]
        var maybe: [String?]
        var kind: Kind
        var kinds: [Kind]
        var u64: UInt64
        var i64: Int64
        var u: UInt
        var u16: UInt16
        var u32: UInt32
        var d: Double
        var f: Float
        var empty: Empty
        var emptyList: [Empty]
    }

    static func shape(_ i: Int) -> Shape {
        let inner = { (k: Int) in Inner(zeta: k - 3, alpha: k % 2 == 0 ? nil : "x\(k)", mid: k % 3 == 0 ? [] : [0, 255, UInt8(k)]) }
        return Shape(zz: "z\"\\\n\u{1}é😀\(i)", b: i % 2 == 0, aB: i % 2 == 0 ? .min : .max, ab: UInt8(i), a: .min + Int16(i),
                     abc: i % 3 == 0 ? nil : .max - Int32(i), nested: inner(i), nestedOptional: i % 2 == 0 ? nil : inner(i + 1),
                     list: (0..<(i % 4)).map(inner), grid: [[], [Int64.min, 0, Int64.max], [Int64(i)]],
                     maybe: [nil, "s", nil], kind: i % 2 == 0 ? .a : .bLonger, kinds: [.bLonger, .a],
                     u64: i % 2 == 0 ? .max : 0, i64: i % 2 == 0 ? .min : .max, u: .max - UInt(i), u16: .max, u32: .max,
                     d: [0.0, -0.0, 1.0, 0.5, -2.25, 1e100, 1.0e-300, 123456789.0, 0.1][i % 9], f: [0, 1.5, -3][i % 3],
                     empty: Empty(), emptyList: i % 2 == 0 ? [] : [Empty(), Empty()])
    }

    static func jsonEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func stored<T: Encodable>(_ value: T) throws -> [UInt8] {
        var writer = JSONWriter(capacity: 1)
        writer.reset()
        try withUnsafeMutablePointer(to: &writer) { try StoredEncoder(w: $0).value(value) }
        return writer.out.array
    }

    @Test func writesWhatJSONEncoderWritesForEveryShape() throws {
        for i in 0..<18 {
            let value = Self.shape(i)
            let ours = try Self.stored(value)
            let theirs = try Self.jsonEncoder().encode(value)
            #expect(String(decoding: ours, as: UTF8.self) == String(decoding: theirs, as: UTF8.self), "shape \(i)")
            #expect(try JSONDecoder().decode(Shape.self, from: Data(ours)) == value, "shape \(i)")
        }
    }

    /// Members added to the evidence types after format 2 get a value here (the reference test
    /// of EvidenceJSONTests pins format 2's bytes, so its `rich` evidence leaves them out), so
    /// that the comparison with JSONEncoder and the round trips below cover them.
    static func withNewMembers(_ e: Evidence, _ i: Int) -> Evidence {
        var e = e
        // Issue 19's per-family outcomes, kept when no address was found.
        let outcomes = DNSOutcome.allCases
        if e.policyFetch != nil, i % 2 == 0 {
            e.policyFetch?.aLookup = outcomes[i % outcomes.count]
            e.policyFetch?.aaaaLookup = i % 4 == 0 ? nil : outcomes[(i + 1) % outcomes.count]
        }
        if var mx = e.mx, !mx.hosts.isEmpty {
            mx.hosts[0].aLookup = outcomes[(i + 2) % outcomes.count]
            mx.hosts[0].aaaaLookup = i % 3 == 0 ? nil : outcomes[(i + 3) % outcomes.count]
            e.mx = mx
        }
        return e
    }

    static func evidence(_ i: Int) -> Evidence { withNewMembers(EvidenceJSONTests.rich(i), i) }

    /// The evidence itself, where its strings are ones both escape alike (JSONEncoder and the
    /// stored form escape some controls differently; EvidenceJSONTests pins those).
    @Test func writesWhatJSONEncoderWritesForEvidence() throws {
        for i in 0..<12 {
            var e = EvidenceJSONTests.stripped(Self.evidence(i))
            e.domain = "plain\(i).example"
            let theirs = String(decoding: try Self.jsonEncoder().encode(e), as: UTF8.self)
            let ours = try EvidenceCodec.encode(e).json
            #expect(ours == theirs || Self.escapesDiffer(ours, theirs), "evidence \(i)")
        }
        // A valid domain as a scan stores it, whose strings need no escapes: identical.
        let valid = EvidenceJSONTests.stripped(StoreWriteBenchTests.valid(7))
        #expect(try EvidenceCodec.encode(valid).json == String(decoding: try Self.jsonEncoder().encode(valid), as: UTF8.self))
    }

    @Test func evidenceRoundTripsThroughTheStore() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let records = (0..<8).map { DomainRecord(lineNo: $0 + 1, input: "in\($0)", domain: "d\($0).example", evidence: Self.evidence($0),
                                                 verdict: Classifier.classify(Self.evidence($0))) }
        #expect(try store.write(records, scanID: scan) == records.count)
        for r in records {
            let row = try #require(try store.domainRowID(scanID: scan, lineNo: r.lineNo))
            #expect(try store.evidence(domainRowID: row) == r.evidence)
        }
    }

    /// The two texts decode to the same JSON value (only string escapes differ).
    static func escapesDiffer(_ a: String, _ b: String) -> Bool {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8)),
              let y = try? JSONSerialization.jsonObject(with: Data(b.utf8)) else { return false }
        return (x as? NSDictionary) == (y as? NSDictionary)
    }

    @Test func nonFiniteNumbersAreAnErrorNotText() {
        struct F: Encodable { var x: Double }
        #expect(throws: EncodingError.self) { try Self.stored(F(x: .nan)) }
        #expect(throws: EncodingError.self) { try Self.stored(F(x: -.infinity)) }
    }
}
