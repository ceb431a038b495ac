// The stored evidence JSON (format 1) must stay byte for byte what it has always been: existing
// databases hold it and JSONDecoder reads it back. `ReferenceJSONWriter` below is the original
// String-based writer, kept verbatim as the definition of the format; the store's writer (now
// StoredEncoder, driven by the types' Codable conformance) is compared with it on evidence that
// uses every field and every escape. A field added to the evidence types after format 2 is
// written by the encoder without a line here; give it a value in `rich` so that the round trip
// and the comparison with JSONEncoder (StoredEncoderTests) cover it.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

/// The String-based writer as it was before the byte writer replaced it (do not "improve" it: it
/// is the reference).
struct ReferenceJSONWriter {
    var out = ""
    private var needComma = false

    mutating func open() { comma(); out += "{"; needComma = false }
    mutating func close() { out += "}"; needComma = true }
    mutating func openArray() { comma(); out += "["; needComma = false }
    mutating func closeArray() { out += "]"; needComma = true }
    mutating func key(_ k: StaticString) { comma(); out += "\""; out += k.description; out += "\":"; needComma = false }
    mutating func string(_ s: String) { comma(); JSONValue.escapeString(s, into: &out); needComma = true }
    mutating func int<I: BinaryInteger>(_ i: I) { comma(); out += String(i); needComma = true }
    mutating func bool(_ b: Bool) { comma(); out += b ? "true" : "false"; needComma = true }
    mutating func bytes(_ b: [UInt8]) {
        openArray()
        var first = true
        for x in b {
            if !first { out += "," }
            out += String(x)
            first = false
        }
        closeArray()
    }
    mutating func strings(_ a: [String]) { openArray(); for s in a { string(s) }; closeArray() }
    private mutating func comma() { if needComma { out += "," } }

    mutating func evidence(_ e: Evidence) {
        open()
        key("domain"); string(e.domain)
        if let m = e.mx { key("mx"); mx(m) }
        // Added with the DNS-operator axis (issue 16): optional, absent from older rows.
        if let n = e.ns { key("ns"); open(); key("hosts"); strings(n.hosts); key("lookup"); string(n.lookup.rawValue); close() }
        if let p = e.policyFetch { key("policyFetch"); policy(p) }
        key("scanTime"); int(e.scanTime)
        if let t = e.tlsrpt { key("tlsrpt"); lookup(t) }
        if let t = e.txt { key("txt"); lookup(t) }
        close()
    }
    mutating func lookup(_ l: DNSLookup) {
        open()
        key("authenticated"); bool(l.authenticated)
        key("cnameChain"); strings(l.cnameChain)
        key("outcome"); string(l.outcome.rawValue)
        key("txt"); openArray(); for rr in l.txt { openArray(); for s in rr { bytes(s) }; closeArray() }; closeArray()
        close()
    }
    mutating func tls(_ t: TLSFacts) {
        open()
        key("chainDER"); openArray(); for c in t.chainDER { bytes(c) }; closeArray()
        // Added with DANE-TA's signature check (issue 17 follow-up): optional, absent from older rows.
        if let l = t.chainLinksSigned { key("chainLinksSigned"); openArray(); for b in l { bool(b) }; closeArray() }
        key("leafDNSNames"); strings(t.leafDNSNames)
        if let v = t.notAfter { key("notAfter"); int(v) }
        if let v = t.notBefore { key("notBefore"); int(v) }
        // Added with DANE-TA keys not in the chain (issue 17 follow-up): optional.
        if let v = t.topSignerKeysSHA256 { key("topSignerKeysSHA256"); openArray(); for d in v { bytes(d) }; closeArray() }
        key("verifyResult"); int(t.verifyResult)
        if let v = t.version { key("version"); string(v) }
        close()
    }
    mutating func policy(_ p: PolicyFetchEvidence) {
        open()
        if let b = p.body { key("body"); bytes(b) }
        key("bodyTooLarge"); bool(p.bodyTooLarge)
        if let v = p.contentType { key("contentType"); string(v) }
        if let v = p.detail { key("detail"); string(v) }
        // Added with format 2 (issue 15): absent from format 1 rows, which decode without it.
        if let f = p.facts { key("facts"); facts(f) }
        // Added with the response headers: an optional key, absent from rows written before.
        if let v = p.headers { key("headers"); strings(v) }
        if let v = p.httpStatus { key("httpStatus"); int(v) }
        if let v = p.location { key("location"); string(v) }
        key("millis"); int(p.millis)
        key("outcome"); string(p.outcome.rawValue)
        if let t = p.tls { key("tls"); tls(t) }
        close()
    }
    mutating func mx(_ m: MXEvidence) {
        open()
        // Added with format 3 (issue 17, DANE): the MX answer's AD bit, when the hosts were probed.
        if let v = m.authenticated { key("authenticated"); bool(v) }
        key("hosts"); openArray(); for h in m.hosts { host(h) }; closeArray()
        key("implicit"); bool(m.implicit)
        key("lookup"); string(m.lookup.rawValue)
        // Added with issue 14 (--max-mx-hosts): written only when the limit cut the MX set, so
        // evidence without it is byte for byte what it was.
        if let v = m.probeLimit { key("probeLimit"); int(v) }
        key("probed"); bool(m.probed)
        close()
    }
    mutating func host(_ h: MXEvidence.Host) {
        open()
        if let v = h.addressLookup { key("addressLookup"); string(v.rawValue) }
        key("addresses"); strings(h.addresses)
        key("name"); string(h.name)
        key("preference"); int(h.preference)
        key("probes"); openArray(); for p in h.probes { probe(p) }; closeArray()
        if let t = h.tlsa { key("tlsa"); lookup(t) }
        // Format 3: the TLSA records, association data as lower-case hex (TLSARecord's Codable).
        if let rs = h.tlsaAnswers {
            key("tlsaAnswers"); openArray()
            for r in rs {
                open(); key("data"); string(r.data.map { String(format: "%02x", $0) }.joined())
                key("matchingType"); int(r.matchingType); key("selector"); int(r.selector); key("usage"); int(r.usage); close()
            }
            closeArray()
        }
        key("tlsaRecords"); int(h.tlsaRecords)
        close()
    }
    mutating func probe(_ p: SMTPProbeEvidence) {
        open()
        key("address"); string(p.address)
        if let v = p.banner { key("banner"); string(v) }
        if let v = p.detail { key("detail"); string(v) }
        key("ehlo"); strings(p.ehlo)
        key("ehloTLS"); strings(p.ehloTLS)
        if let f = p.facts { key("facts"); facts(f) }   // format 2
        key("millis"); int(p.millis)
        if let v = p.noSNILeafDiffers { key("noSNILeafDiffers"); bool(v) }
        key("outcome"); string(p.outcome.rawValue)
        if let t = p.tls { key("tls"); tls(t) }
        close()
    }
    mutating func facts(_ f: TransferFacts) {
        open()
        key("connectMicros"); int(f.connectMicros)
        key("curlCode"); int(f.curlCode)
        if let v = f.curlText { key("curlText"); string(v) }
        key("firstByteMicros"); int(f.firstByteMicros)
        if let v = f.primaryIP { key("primaryIP"); string(v) }
        if let v = f.refusedByGuard { key("refusedByGuard"); bool(v) }
        if let r = f.replies {
            key("replies"); openArray()
            for x in r { open(); key("code"); int(x.code); key("line"); string(x.line); key("micros"); int(x.micros); close() }
            closeArray()
        }
        key("timeoutMillis"); int(f.timeoutMillis)
        if let v = f.tlsAlert { key("tlsAlert"); string(v) }
        if let v = f.tlsCipher { key("tlsCipher"); string(v) }
        key("tlsMicros"); int(f.tlsMicros)
        if let v = f.tlsSeenMicros { key("tlsSeenMicros"); int(v) }
        if let v = f.tlsVersion { key("tlsVersion"); string(v) }
        key("totalMicros"); int(f.totalMicros)
        close()
    }
}

@Suite struct EvidenceJSONTests {
    /// Every escape of JSONValue.escape and its neighbours: quote, backslash, the named controls,
    /// other C0 controls, DEL, U+2028/U+2029 (and U+2027/U+202A, same lead bytes, not escaped),
    /// non-ASCII of two, three and four bytes, a CR LF grapheme, NUL inside text, the empty string.
    static let awkward = [
        "", "plain.example", "a\"b", "back\\slash", "line\nfeed", "cr\rlf\r\n", "tab\there", "nul\u{0}inside",
        "\u{1}\u{8}\u{B}\u{C}\u{1F}", "del\u{7F}", "\u{80}", "sep\u{2028}para\u{2029}", "\u{2027}\u{202A}\u{2000}\u{20AC}",
        "é日本😀", "e\u{301}", "/slash/", "\u{FEFF}bom", "\u{FFFD}", String(repeating: "x\u{2028}\"", count: 50),
    ]

    static func tls(_ seed: Int, chain: [[UInt8]]) -> TLSFacts {
        TLSFacts(version: seed % 2 == 0 ? "TLSv1.3" : nil, verifyResult: seed, leafDNSNames: [awkward[seed % awkward.count], "*.example"],
                 notBefore: seed % 3 == 0 ? nil : Int64.min + Int64(seed), notAfter: seed % 3 == 1 ? nil : Int64.max - Int64(seed),
                 chainDER: chain, chainLinksSigned: seed % 4 == 0 ? nil : seed % 4 == 1 ? [] : [true, false],
                 topSignerKeysSHA256: seed % 3 == 0 ? nil : seed % 3 == 1 ? [] : [[0, 255], [7]])
    }

    /// Raw facts with every member, optional ones present and absent by seed.
    static func facts(_ seed: Int, smtp: Bool) -> TransferFacts {
        let s = { (k: Int) in awkward[(seed + k) % awkward.count] }
        let odd = seed % 2 == 1
        return TransferFacts(curlCode: seed % 100, curlText: odd ? nil : s(1), refusedByGuard: odd ? nil : seed % 4 == 0,
                             primaryIP: odd ? s(2) : nil, timeoutMillis: Int.max - seed, connectMicros: -seed, tlsMicros: seed,
                             firstByteMicros: Int.min + seed, totalMicros: seed * 7, tlsVersion: odd ? nil : "TLSv1.3",
                             tlsCipher: odd ? s(3) : nil, tlsSeenMicros: odd ? nil : seed, tlsAlert: odd ? nil : s(4),
                             replies: smtp ? [SMTPReply(code: -1, line: s(5), micros: 0), SMTPReply(code: 250, line: "250 ok", micros: seed)] : nil)
    }

    /// Evidence using every field, optional members both present and absent, negative and extreme
    /// integers, bytes 0 and 255, and an awkward string wherever a string goes.
    static func rich(_ i: Int) -> Evidence {
        let s = { (k: Int) in awkward[(i + k) % awkward.count] }
        let lookup = { (k: Int) in
            DNSLookup(outcome: DNSOutcome.allCases[(i + k) % DNSOutcome.allCases.count], authenticated: (i + k) % 2 == 0,
                      cnameChain: k % 2 == 0 ? [] : [s(k), s(k + 1)],
                      txt: [[[0, 255, 10, 34, 92]], [Array(s(k).utf8), []], []])
        }
        let probe = { (k: Int) in
            var p = SMTPProbeEvidence(address: k % 2 == 0 ? "192.0.2.\(k)" : "2001:db8::\(k)", outcome: .completed,
                                      banner: k % 2 == 0 ? nil : "220 \(s(k))", ehlo: [s(k), "250 STARTTLS"], ehloTLS: [],
                                      tls: k % 3 == 0 ? nil : tls(i + k, chain: [[1, 2, 3], [UInt8(k % 256)]]),
                                      millis: -k, detail: k % 2 == 1 ? nil : s(k + 2))
            p.noSNILeafDiffers = k % 3 == 0 ? nil : k % 3 == 1
            p.facts = k % 2 == 0 ? nil : facts(i + k, smtp: true)
            return p
        }
        let hosts = (0..<3).map { h in
            MXEvidence.Host(name: s(h), preference: h == 0 ? -1 : Int.max - h, addressLookup: h == 1 ? nil : .servFail,
                            addresses: ["192.0.2.1", s(h)], probes: h == 2 ? [] : [probe(h), probe(h + 1)],
                            tlsa: h == 0 ? nil : lookup(h), tlsaRecords: h,
                            tlsaAnswers: h == 0 ? nil : (0..<h).map { TLSARecord(usage: UInt8(h + $0), selector: 255, matchingType: UInt8($0),
                                                                                 data: $0 == 0 ? [] : [0, 0x0F, 0xA0, 0xFF, UInt8(i % 256)]) })
        }
        return Evidence(domain: s(0), scanTime: Int64(i) - 1_000_000, txt: i % 4 == 3 ? nil : lookup(1),
                        policyFetch: i % 4 == 2 ? nil : PolicyFetchEvidence(outcome: .response, tls: tls(i, chain: [[9, 9], [8]]),
                                                                            httpStatus: i % 2 == 0 ? 200 : nil, contentType: s(3),
                                                                            location: i % 2 == 0 ? nil : s(4),
                                                                            headers: i % 3 == 0 ? nil : ["HTTP/1.1 200 OK", s(6), ""],
                                                                            body: [0, 1, 255],
                                                                            bodyTooLarge: i % 2 == 1, detail: s(5), millis: Int.min,
                                                                            facts: i % 5 == 0 ? nil : facts(i, smtp: i % 7 == 0)),
                        tlsrpt: i % 4 == 1 ? nil : lookup(2), mx: i % 4 == 0 ? nil : MXEvidence(lookup: .noError, hosts: hosts,
                                                                                                probed: true, implicit: i % 2 == 0,
                                                                                                probeLimit: i % 3 == 0 ? 2 : nil,
                                                                                                authenticated: i % 3 == 1 ? nil : i % 2 == 0),
                        ns: i % 3 == 2 ? nil : NSEvidence(lookup: DNSOutcome.allCases[i % DNSOutcome.allCases.count],
                                                          hosts: i % 3 == 1 ? [] : [s(7), "ns2.provider.example"]))
    }

    /// The slots as analysis/SCHEMA.md defines them and the store has always numbered them,
    /// spelled out here independently of the encoder: the policy fetch's TLS first, then each MX
    /// host's probes in order, counting only connections with TLS facts.
    static func slotOrder(_ e: inout Evidence, _ body: (Int, inout TLSFacts) -> Void) {
        var slot = 0
        if var tls = e.policyFetch?.tls {
            body(slot, &tls)
            e.policyFetch?.tls = tls
            slot += 1
        }
        guard var mx = e.mx else { return }
        for h in mx.hosts.indices {
            for p in mx.hosts[h].probes.indices {
                guard var tls = mx.hosts[h].probes[p].tls else { continue }
                body(slot, &tls)
                mx.hosts[h].probes[p].tls = tls
                slot += 1
            }
        }
        e.mx = mx
    }

    /// The evidence as its JSON holds it: no chains, no policy body (stored elsewhere).
    static func stripped(_ e: Evidence) -> Evidence {
        var stripped = e
        slotOrder(&stripped) { _, tls in tls.chainDER = [] }
        stripped.policyFetch?.body = nil
        return stripped
    }

    /// What format 1 has always stored: the reference writer on the evidence without its chains
    /// and policy body (EvidenceCodec keeps those elsewhere).
    static func reference(_ e: Evidence) -> String {
        var w = ReferenceJSONWriter()
        w.evidence(stripped(e))
        return w.out
    }

    @Test func storedJSONIsByteIdenticalToFormat1() throws {
        var writer = JSONWriter(), smallWriter = JSONWriter(capacity: 1)
        for i in 0..<40 {
            let e = Self.rich(i)
            let expected = Array(Self.reference(e).utf8)
            #expect(Array(try EvidenceCodec.encode(e).json.utf8) == expected, "evidence \(i)")
            // The write path's way: one writer reused from row to row, and one that must grow.
            try EvidenceCodec.writeJSON(e, into: &writer)
            #expect(writer.out.array == expected, "evidence \(i)")
            try EvidenceCodec.writeJSON(e, into: &smallWriter)
            #expect(smallWriter.out.array == expected, "evidence \(i)")
        }
        // A no-record domain as the scanner stores millions of them, spelled out.
        let plain = Fixture.noRecordEvidence("plain.example")
        #expect(try EvidenceCodec.encode(plain).json == #"""
            {"domain":"plain.example","mx":{"hosts":[{"addresses":[],"name":"mx.provider.example","preference":5,"probes":[],"tlsaRecords":0}],"implicit":false,"lookup":"NOERROR","probed":false},"scanTime":1750000000,"tlsrpt":{"authenticated":false,"cnameChain":[],"outcome":"NXDOMAIN","txt":[]},"txt":{"authenticated":false,"cnameChain":[],"outcome":"NXDOMAIN","txt":[]}}
            """#)
    }

    /// Rows stored before the DNS-operator axis have no `ns` key: they decode with `ns` nil, and a
    /// domain without it is written without the key (byte for byte the older rows).
    @Test func evidenceWithoutNSDecodesAndIsWrittenWithoutTheKey() throws {
        let plain = Fixture.noRecordEvidence("plain.example")
        #expect(plain.ns == nil)
        let json = try EvidenceCodec.encode(plain).json
        #expect(!json.contains("\"ns\""))
        #expect(try JSONDecoder().decode(Evidence.self, from: Data(json.utf8)).ns == nil)
        var withNS = plain
        withNS.ns = NSEvidence(lookup: .noError, hosts: ["ns1.provider1.example", "ns2.provider1.example"])
        let written = try EvidenceCodec.encode(withNS).json
        #expect(written.contains(#""mx":{"#) && written.contains(#"},"ns":{"hosts":["ns1.provider1.example","ns2.provider1.example"],"lookup":"NOERROR"},"scanTime":"#))
        #expect(try JSONDecoder().decode(Evidence.self, from: Data(written.utf8)) == withNS)
    }

    @Test func byteEscapingMatchesJSONValue() {
        let controlsAndASCII = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        let aroundSeparators = (0x1FF0...0x2040).map { String(UnicodeScalar(UInt32($0))!) }
        for s in Self.awkward + controlsAndASCII + aroundSeparators + [controlsAndASCII.joined(), aroundSeparators.joined()] {
            var expected = ""
            JSONValue.escapeString(s, into: &expected)
            var bytes = ByteBuffer(capacity: 1)
            JSONBytes.escape(s, into: &bytes)
            #expect(bytes.array == Array(expected.utf8), "\(s.unicodeScalars.map(\.value))")
        }
    }

    @Test func decimalsAreWhatStringWrites() {
        for n: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 255, 1_750_000_000, .max, .min, .max - 1, .min + 1] {
            var bytes = ByteBuffer(capacity: 1)
            JSONBytes.decimal(n, into: &bytes)
            #expect(bytes.array == Array(String(n).utf8))
        }
    }

    @Test func storedJSONDecodesAndTheEvidenceRoundTrips() throws {
        for i in 0..<8 {
            let e = Self.rich(i)
            let stored = try EvidenceCodec.encode(e)
            #expect(try JSONDecoder().decode(Evidence.self, from: Data(stored.json.utf8)) == Self.stripped(e), "evidence \(i)")
            #expect(try EvidenceCodec.decode(stored) == e, "evidence \(i)")
        }
    }

    /// The encoder numbers the chains as SCHEMA.md's slots (existing databases hold them so), and
    /// the decoder puts each back where it was: every slot's chain is distinct here, so a chain
    /// restored to another connection shows.
    @Test func chainsAreNumberedAsTheStoreHasAlwaysNumberedThem() throws {
        for i in 0..<12 {
            var e = Self.rich(i)
            Self.slotOrder(&e) { slot, tls in if slot % 3 != 2 { tls.chainDER = [[UInt8(slot), 0x30], [0xEE, UInt8(i)]] } else { tls.chainDER = [] } }
            var expected: [(Int, [[UInt8]])] = []
            Self.slotOrder(&e) { slot, tls in if !tls.chainDER.isEmpty { expected.append((slot, tls.chainDER)) } }
            #expect(!expected.isEmpty, "evidence \(i)")
            let stored = try EvidenceCodec.encode(e)
            #expect(stored.chains.map(\.slot) == expected.map(\.0), "evidence \(i)")
            #expect(stored.chains.map(\.chain) == expected.map(\.1), "evidence \(i)")
            #expect(try EvidenceCodec.decode(stored) == e, "evidence \(i)")
            // A chain under another slot lands elsewhere: the test can tell.
            var shifted = stored
            shifted.chains = stored.chains.map { (slot: $0.slot + 1, chain: $0.chain) }
            #expect(try EvidenceCodec.decode(shifted) != e, "evidence \(i)")
        }
    }

    @Test func richEvidenceRoundTripsThroughTheStore() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let records = (0..<8).map { DomainRecord(lineNo: $0 + 1, input: "in\($0)", domain: "d\($0).example", evidence: Self.rich($0),
                                                 verdict: Classifier.classify(Self.rich($0))) }
        #expect(try store.write(records, scanID: scan) == records.count)
        for r in records {
            let row = try #require(try store.domainRowID(scanID: scan, lineNo: r.lineNo))
            #expect(try store.evidence(domainRowID: row) == r.evidence)
        }
    }
}
