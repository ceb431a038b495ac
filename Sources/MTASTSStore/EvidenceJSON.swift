// Evidence to JSON by hand, on the hot path of every scan: Foundation's JSONEncoder took half of
// a scan's CPU (profiled with perf on the realistic world). The shape is exactly what the
// synthesized Codable conformance reads back (property names as keys, nil members left out, enums
// as raw values, byte arrays as arrays of numbers), so `JSONDecoder` still decodes it for
// `reclassify` and `report`, which are not hot. It writes UTF-8 bytes into a reused buffer, not a
// String: String appends were most of the writer's cost (perf, StoreWriteBenchTests). The bytes
// are format 2 exactly as the String writer wrote them (EvidenceJSONTests keeps a copy of it):
// format 1 plus the transfers' raw facts (`facts`), which format 1 rows lack.
// Keys are StaticStrings, whose UTF-8 is static memory: no String is made for them either.
import MTASTSCore

/// Writes one document at a time into its reused buffer (`out`; JSONBytes.swift).
struct JSONWriter: ~Copyable {
    private(set) var out: ByteBuffer
    private var needComma = false

    init(capacity: Int = 1024) { out = ByteBuffer(capacity: capacity) }

    /// Empties the buffer, keeping its memory for the next document.
    mutating func reset() { out.removeAll(); needComma = false }

    mutating func open() { comma(); out.append(UInt8(ascii: "{")); needComma = false }
    mutating func close() { out.append(UInt8(ascii: "}")); needComma = true }
    mutating func openArray() { comma(); out.append(UInt8(ascii: "[")); needComma = false }
    mutating func closeArray() { out.append(UInt8(ascii: "]")); needComma = true }

    /// `,"k":` with one capacity check: a key is written for every member of every document.
    mutating func key(_ k: StaticString) {
        let n = k.utf8CodeUnitCount
        out.reserve(n + 4)
        var p = out.base + out.count
        if needComma { p.pointee = UInt8(ascii: ","); p += 1 }
        p.pointee = UInt8(ascii: "\"")
        k.withUTF8Buffer { (p + 1).update(from: $0.baseAddress!, count: n) }
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        out.commit(n + 3 + (needComma ? 1 : 0))
        needComma = false
    }

    mutating func string(_ s: String) { comma(); JSONBytes.escape(s, into: &out); needComma = true }
    mutating func int(_ i: Int) { comma(); JSONBytes.decimal(Int64(i), into: &out); needComma = true }
    mutating func int(_ i: Int64) { comma(); JSONBytes.decimal(i, into: &out); needComma = true }

    mutating func bool(_ b: Bool) {
        comma()
        let text: StaticString = b ? "true" : "false"
        text.withUTF8Buffer { out.append($0) }
        needComma = true
    }

    mutating func bytes(_ b: [UInt8]) {
        openArray()
        for (i, x) in b.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.decimal(Int64(x), into: &out)
        }
        closeArray()
    }

    mutating func strings(_ a: [String]) { openArray(); for s in a { string(s) }; closeArray() }

    private mutating func comma() { if needComma { out.append(UInt8(ascii: ",")) } }
}

// The stored shape (EvidenceCodec): every chainDER is written as [] and the policy body is left
// out, since both are stored elsewhere; format 1 has always held them so. Writing them so here
// spares copying the evidence to strip them.
extension JSONWriter {
    /// By pointer to an Optional that holds a value (EvidenceCodec.writeJSON says why).
    mutating func storedEvidence(_ e: UnsafePointer<Evidence?>) {
        open()
        key("domain"); string(e.pointee!.domain)
        if let m = e.pointee!.mx { key("mx"); mx(m) }
        if let n = e.pointee!.ns { key("ns"); ns(n) }
        if let p = e.pointee!.policyFetch { key("policyFetch"); policy(p) }
        key("scanTime"); int(e.pointee!.scanTime)
        if let t = e.pointee!.tlsrpt { key("tlsrpt"); lookup(t) }
        if let t = e.pointee!.txt { key("txt"); lookup(t) }
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

    /// Optional, keyed so that rows without it (before the DNS-operator axis, and every domain
    /// without a record) are byte for byte what they were.
    mutating func ns(_ n: NSEvidence) {
        open()
        key("hosts"); strings(n.hosts)
        key("lookup"); string(n.lookup.rawValue)
        close()
    }

    mutating func tls(_ t: TLSFacts) {
        open()
        key("chainDER"); openArray(); closeArray()
        key("leafDNSNames"); strings(t.leafDNSNames)
        if let v = t.notAfter { key("notAfter"); int(v) }
        if let v = t.notBefore { key("notBefore"); int(v) }
        key("verifyResult"); int(t.verifyResult)
        if let v = t.version { key("version"); string(v) }
        close()
    }

    mutating func policy(_ p: PolicyFetchEvidence) {
        open()
        if let v = p.aLookup { key("aLookup"); string(v.rawValue) }
        if let v = p.aaaaLookup { key("aaaaLookup"); string(v.rawValue) }
        key("bodyTooLarge"); bool(p.bodyTooLarge)
        if let v = p.contentType { key("contentType"); string(v) }
        if let v = p.detail { key("detail"); string(v) }
        if let f = p.facts { key("facts"); facts(f) }
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
        if let v = m.authenticated { key("authenticated"); bool(v) }   // format 3
        // By pointer: `for h in m.hosts`, and `host(m.hosts[i])`, copied each Host, retaining
        // each of its arrays.
        key("hosts"); openArray()
        m.hosts.withUnsafeBufferPointer { for i in $0.indices { host($0.baseAddress! + i) } }
        closeArray()
        key("implicit"); bool(m.implicit)
        key("lookup"); string(m.lookup.rawValue)
        if let v = m.probeLimit { key("probeLimit"); int(v) }
        key("probed"); bool(m.probed)
        close()
    }

    mutating func host(_ h: UnsafePointer<MXEvidence.Host>) {
        open()
        if let v = h.pointee.aLookup { key("aLookup"); string(v.rawValue) }
        if let v = h.pointee.aaaaLookup { key("aaaaLookup"); string(v.rawValue) }
        if let v = h.pointee.addressLookup { key("addressLookup"); string(v.rawValue) }
        key("addresses"); strings(h.pointee.addresses)
        key("name"); string(h.pointee.name)
        key("preference"); int(h.pointee.preference)
        key("probes"); openArray(); for i in h.pointee.probes.indices { probe(h.pointee.probes[i]) }; closeArray()
        if let t = h.pointee.tlsa { key("tlsa"); lookup(t) }
        if let records = h.pointee.tlsaAnswers {                    // format 3
            key("tlsaAnswers"); openArray()
            for r in records {
                open()
                key("data"); string(r.hex)
                key("matchingType"); int(Int(r.matchingType))
                key("selector"); int(Int(r.selector))
                key("usage"); int(Int(r.usage))
                close()
            }
            closeArray()
        }
        key("tlsaRecords"); int(h.pointee.tlsaRecords)
        close()
    }

    mutating func probe(_ p: SMTPProbeEvidence) {
        open()
        key("address"); string(p.address)
        if let v = p.banner { key("banner"); string(v) }
        if let v = p.detail { key("detail"); string(v) }
        key("ehlo"); strings(p.ehlo)
        key("ehloTLS"); strings(p.ehloTLS)
        if let f = p.facts { key("facts"); facts(f) }
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
            for x in r {
                open()
                key("code"); int(x.code)
                key("line"); string(x.line)
                key("micros"); int(x.micros)
                close()
            }
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
