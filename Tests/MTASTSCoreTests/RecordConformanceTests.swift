// The `_mta-sts` TXT record, RFC 8461 §3.1, as a table of (RRset, expected) rows.
//
// Every expected value is read from the RFC (rule ids T1.. of shared/reference/rfc-checklist.md)
// and from the contract (shared/spec/verdicts.md), never from the parser's output. `codes` is the
// exact set of finding codes the record must produce.

import Testing
@testable import MTASTSCore

struct RecordCase: Sendable, CustomTestStringConvertible {
    /// The RFC section and rule the row rests on.
    let source: String
    /// The TXT RRset: one entry per record, each record as its character-strings.
    let rrset: [[String]]
    let kind: STSRecordResult.Kind
    let id: String?
    let codes: Set<FindingCode>

    var testDescription: String { "\(source) \(rrset)" }

    var txt: [TXTRecord] { rrset.map { $0.map { Array($0.utf8) } } }
}

/// One record of one string.
private func one(_ source: String, _ record: String, _ kind: STSRecordResult.Kind, id: String? = nil,
                 _ codes: Set<FindingCode> = []) -> RecordCase {
    RecordCase(source: source, rrset: [[record]], kind: kind, id: id, codes: codes)
}

/// Several records (each of one string), or records split into several strings.
private func set(_ source: String, _ rrset: [[String]], _ kind: STSRecordResult.Kind, id: String? = nil,
                 _ codes: Set<FindingCode> = []) -> RecordCase {
    RecordCase(source: source, rrset: rrset, kind: kind, id: id, codes: codes)
}

private let id32 = String(repeating: "a1", count: 16)          // 32 alphanumerics
private let id33 = id32 + "b"                                  // 33
private let name32 = "x" + String(repeating: "_-.9", count: 7) + "abc"  // 32 chars of ext-name
private let name33 = name32 + "d"

struct RecordConformanceTests {
    static let cases: [RecordCase] = [
        // MARK: valid records
        one("§3.1 example", "v=STSv1; id=20160831085700Z;", .valid, id: "20160831085700Z"),
        one("§3.1 T3 no WSP", "v=STSv1;id=1", .valid, id: "1"),
        one("§3.1 T3 trailing delimiter optional", "v=STSv1; id=1", .valid, id: "1"),
        one("§3.1 T3 trailing delimiter, no WSP", "v=STSv1;id=1;", .valid, id: "1"),
        one("§3.1 T3 WSP after the final ';'", "v=STSv1; id=1;   ", .valid, id: "1"),
        one("§3.1 T3 tab after ';' (WSP)", "v=STSv1;\tid=1", .valid, id: "1"),
        one("§3.1 T3 WSP before a later ';' (sts-field-delim = *WSP \";\" *WSP)", "v=STSv1; id=1 ;", .valid, id: "1"),
        one("§3.1 T3 several WSP around ';'", "v=STSv1;  \t id=1 \t ;  ", .valid, id: "1"),
        one("§3.1 T4 one character", "v=STSv1; id=a", .valid, id: "a"),
        one("§3.1 T4 ALPHA is both cases", "v=STSv1; id=AbC123xYz", .valid, id: "AbC123xYz"),
        one("§3.1 T4 32 alphanumerics", "v=STSv1; id=\(id32)", .valid, id: id32),
        one("§3.1 T4 32 digits", "v=STSv1; id=12345678901234567890123456789012", .valid,
            id: "12345678901234567890123456789012"),
        one("§3.1 T4 timestamp with a letter", "v=STSv1; id=20190429T010101;", .valid, id: "20190429T010101"),

        // MARK: id errors
        one("§3.1 T4 33 alphanumerics", "v=STSv1; id=\(id33)", .invalid, [.txtInvalidID]),
        one("§3.1 T4 '-' not allowed", "v=STSv1; id=2019-04-29", .invalid, [.txtInvalidID]),
        one("§3.1 T4 '_' not allowed", "v=STSv1; id=a_b", .invalid, [.txtInvalidID]),
        one("§3.1 T4 '.' not allowed", "v=STSv1; id=1.2", .invalid, [.txtInvalidID]),
        one("§3.1 T4 ':' not allowed", "v=STSv1; id=12:00", .invalid, [.txtInvalidID]),
        one("§3.1 T4 1*32: empty id", "v=STSv1; id=", .invalid, [.txtInvalidID]),
        one("§3.1 T4 id required: version alone", "v=STSv1", .invalid, [.txtMissingID]),
        one("§3.1 T3 1*(delim field): version and ';' only", "v=STSv1;", .invalid, [.txtMissingID]),
        one("§3.1 T4 id required: only an extension", "v=STSv1; foo=bar", .invalid, [.txtMissingID, .txtUnknownField]),
        // %s"id=" is case-sensitive; `ID=1` is an extension (ext-name "ID"), so id is missing.
        one("§3.1 T4 %s\"id=\" case-sensitive", "v=STSv1; ID=1", .invalid, [.txtMissingID, .txtUnknownField]),

        // MARK: extensions (T5)
        one("§3.1 T5 unknown field accepted", "v=STSv1; id=1; foo=bar", .valid, id: "1", [.txtUnknownField]),
        one("§3.1 T5/T6 extension before id", "v=STSv1; foo=bar; id=1", .valid, id: "1", [.txtUnknownField]),
        one("§3.1 T5 ext-name with _ - .", "v=STSv1; id=1; a_b-c.d=x", .valid, id: "1", [.txtUnknownField]),
        one("§3.1 T5 ext-name 32 chars", "v=STSv1; id=1; \(name32)=v", .valid, id: "1", [.txtUnknownField]),
        one("§3.1 T5 ext-name 33 chars", "v=STSv1; id=1; \(name33)=v", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T5 ext-name starts with ALPHA/DIGIT", "v=STSv1; id=1; _foo=bar", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T5 ext-value every allowed punctuation", "v=STSv1; id=1; x=!\"#$%&'()*+,-./:<>?@[\\]^_`{|}~",
            .valid, id: "1", [.txtUnknownField]),
        one("§3.1 T5 ext-value excludes '='", "v=STSv1; id=1; foo=a=b", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T5 ext-value 1*: empty", "v=STSv1; id=1; foo=", .invalid, id: "1", [.txtSyntaxError]),
        // ext-value stops at SP, so `foo=a` is a whole (unknown) field; ` b` then stands where a
        // delimiter must be.
        one("§3.1 T5 ext-value excludes SP", "v=STSv1; id=1; foo=a b", .invalid, id: "1",
            [.txtUnknownField, .txtSyntaxError]),
        one("§3.1 T3 field without '='", "v=STSv1; foo; id=1", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T3 empty field name", "v=STSv1; =x; id=1", .invalid, id: "1", [.txtSyntaxError]),

        // MARK: delimiters (T3)
        one("§3.1 T3 two ';' in a row is an empty field", "v=STSv1;; id=1", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T3 fields need ';' between them", "v=STSv1; id=1 foo=bar", .invalid, id: "1", [.txtSyntaxError]),
        one("§3.1 T3 id value stops at WSP", "v=STSv1; id=abc def", .invalid, id: "abc", [.txtSyntaxError]),
        // The ABNF has WSP only inside sts-field-delim, which needs its ';'. Strict reading of the ABNF,
        // which the contract's record-invalid ("not valid per the ABNF") adopts.
        one("§3.1 T3 trailing WSP without ';'", "v=STSv1; id=1 ", .invalid, id: "1", [.txtSyntaxError]),

        // MARK: what is an STS record at all (T6, T7; verdicts.md "An STS record is ...")
        one("§3.1 T6 version longer: v=STSv12", "v=STSv12; id=1", .absent),
        one("§3.1 T6 version suffixed: v=STSv1-x", "v=STSv1-x; id=1", .absent),
        one("§3.1 T3 %s\"v=STSv1\" case-sensitive", "v=stsv1; id=1", .absent),
        one("§3.1 T3 %s\"v=STSv1\" case-sensitive (V)", "V=STSv1; id=1", .absent),
        one("§3.1 T6 must begin with v=STSv1: leading SP", " v=STSv1; id=1", .absent),
        one("§3.1 T6 must begin with v=STSv1: id first", "id=1; v=STSv1", .absent),
        one("verdicts.md: WSP after version then no ';' is not an STS record", "v=STSv1 id=1", .absent),
        one("§3.1 T7 errata 6285: WSP before ';' is legal, warned", "v=STSv1 ; id=1", .valid, id: "1",
            [.txtSpaceBeforeSemicolon]),
        one("§3.1 T7 errata 6285: tab before ';'", "v=STSv1\t; id=1", .valid, id: "1", [.txtSpaceBeforeSemicolon]),
        set("§3.1 T7 empty RRset", [], .absent),
        set("§3.1 T7 only non-STS TXT", [["v=spf1 -all"], ["google-site-verification=abc"]], .absent),
        set("§3.1 T7 non-STS TXT beside the STS one is legal", [["v=spf1 -all"], ["v=STSv1; id=1"]], .valid, id: "1"),
        set("§3.1 T7 non-STS TXT after the STS one", [["v=STSv1; id=1"], ["hello world"]], .valid, id: "1"),
        set("§3.1 T7 v=STSv12 beside a real one is ignored", [["v=STSv12; id=1"], ["v=STSv1; id=2"]], .valid, id: "2"),
        // With several STS records there is no usable id; only the multiplicity is reported.
        set("§3.1 T7 two STS records", [["v=STSv1; id=1"], ["v=STSv1; id=2"]], .invalid, id: nil,
            [.txtMultipleSTSRecords]),
        set("§3.1 T7 two identical STS records still count as two", [["v=STSv1; id=1"], ["v=STSv1; id=1"]], .invalid,
            id: nil, [.txtMultipleSTSRecords]),
        set("§3.1 T7 STS record plus bare version", [["v=STSv1; id=1"], ["v=STSv1"]], .invalid, id: nil,
            [.txtMultipleSTSRecords]),

        // MARK: character-strings joined without spaces (T8)
        set("§3.1 T8 split inside the id", [["v=STSv1; id=2016", "0831085700Z;"]], .valid, id: "20160831085700Z",
            [.txtMultiString]),
        set("§3.1 T8 split after ';' adds no space", [["v=STSv1;", "id=1"]], .valid, id: "1", [.txtMultiString]),
        set("§3.1 T8 split inside the version", [["v=STS", "v1; id=1"]], .valid, id: "1", [.txtMultiString]),
        set("§3.1 T8 split right after 'id='", [["v=STSv1; id=", "1"]], .valid, id: "1", [.txtMultiString]),
        set("§3.1 T8 a space inside a string stays", [["v=STSv1; id=abc", " def"]], .invalid, id: "abc",
            [.txtMultiString, .txtSyntaxError]),
        set("§3.1 T8 three strings", [["v=", "STSv1; ", "id=1"]], .valid, id: "1", [.txtMultiString]),

        // MARK: US-ASCII (T2)
        one("§3.1 T2 non-ASCII in an extension value", "v=STSv1; id=1; x=caf\u{E9}", .invalid, id: "1",
            [.txtNotASCII, .txtSyntaxError]),
        // NBSP (C2 A0) is not WSP: it becomes part of the field name, so no id field is found.
        one("§3.1 T2 NBSP pasted after ';'", "v=STSv1;\u{A0}id=1", .invalid,
            [.txtNotASCII, .txtSyntaxError, .txtMissingID]),
        one("§3.1 T2 non-ASCII in the id", "v=STSv1; id=2024\u{2013}1", .invalid, [.txtNotASCII, .txtInvalidID]),

        // MARK: duplicated fields (T11: the first counts, the rest are ignored)
        one("§3.2 T11 duplicate id: first counts", "v=STSv1; id=1; id=2", .valid, id: "1", [.txtDuplicateField]),
        one("§3.2 T11 duplicate extension", "v=STSv1; id=1; foo=a; foo=b", .valid, id: "1",
            [.txtUnknownField, .txtDuplicateField]),
        // A later `v=STSv1` matches sts-extension by the ABNF (ext-name "v", ext-value "STSv1"), so the
        // record is valid; it duplicates the version field, which T11 says to ignore.
        one("§3.1 T5/T11 second v= field is a duplicate, ignored", "v=STSv1; id=1; v=STSv1", .valid, id: "1",
            [.txtDuplicateField]),
    ]

    @Test(arguments: cases)
    func record(_ c: RecordCase) {
        let r = STSRecordParser.parse(c.txt)
        #expect(r.kind == c.kind, "\(c.source)")
        #expect(r.id == c.id, "\(c.source)")
        #expect(Set(r.findings.map(\.code)) == c.codes, "\(c.source): \(r.findings)")
        // A record with no finding of severity error is valid, and only then (verdicts.md).
        if r.kind != .absent {
            #expect((r.kind == .valid) == !r.findings.hasError, "\(c.source)")
        } else {
            #expect(r.findings.isEmpty && r.raw == nil, "\(c.source)")
        }
    }

    /// `mtasts lint --record` passes texts; the text form must agree with the bytes form.
    @Test(arguments: cases.filter { $0.rrset.allSatisfy { $0.count == 1 } })
    func textsAgreeWithBytes(_ c: RecordCase) {
        #expect(STSRecordParser.parse(texts: c.rrset.map { $0[0] }) == STSRecordParser.parse(c.txt))
    }

    @Test func extensionsAreKeptInOrder() {
        let r = STSRecordParser.parse(texts: ["v=STSv1; b=2; id=1; a=1"])
        #expect(r.extensions.map(\.key) == ["b", "a"])
        #expect(r.extensions.map(\.value) == ["2", "1"])
    }

    // MARK: robustness: 1 MiB of garbage gives findings, never a crash

    @Test func megabyteOfGarbageAfterTheVersion() {
        var rng = SplitMix64(seed: 0x5754_5331)
        let garbage = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // 255-byte character-strings, as DNS would carry them.
        let strings = stride(from: 0, to: garbage.count, by: 255).map { Array(garbage[$0..<min($0 + 255, garbage.count)]) }
        let r = STSRecordParser.parse([[Array("v=STSv1;".utf8)] + strings])
        #expect(r.kind == .invalid)
        #expect(!r.findings.isEmpty)
        #expect(r.findings.contains(.txtMultiString))

        // Without the version, the same bytes are just some other TXT record.
        #expect(STSRecordParser.parse([strings]).kind == .absent)
    }

    @Test func megabyteOfSemicolons() {
        let r = STSRecordParser.parse([Array("v=STSv1".utf8) + Array(repeating: ASCII.semicolon, count: 1 << 20)].map { [$0] })
        #expect(r.kind == .invalid)
        #expect(r.findings.contains(.txtSyntaxError))
        #expect(r.findings.contains(.txtMissingID))
    }
}

/// A small deterministic generator, so a failing garbage test fails the same way every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
