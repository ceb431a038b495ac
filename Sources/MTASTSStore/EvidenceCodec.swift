// How an `Evidence` value is stored: JSON (EvidenceJSON.swift writes it, Foundation's decoder
// reads it; format 2, which reads format 1 too) without the two bulky
// byte fields, which go elsewhere:
//   - the policy body, as a BLOB in `evidence.policy_body` (as JSON numbers it would be ~4x);
//   - every certificate chain (`TLSFacts.chainDER`), as fingerprints in `evidence_certs`, the DER
//     itself once per distinct certificate in `certificates`: a provider's MX certificate shared
//     by 100k domains is stored once.
// Chains are numbered by "slot": the order in which `forEachTLS` visits the TLSFacts present
// (the policy fetch first, then each MX host's probes in order). Decoding visits the same order.
import Foundation
import MTASTSCore

struct StoredEvidence {
    var json: String
    var policyBody: [UInt8]?
    /// (slot, chain leaf first) for every TLSFacts with a non-empty chain.
    var chains: [(slot: Int, chain: [[UInt8]])]
}

enum EvidenceCodec {
    /// Stored in `evidence.format`. 2: fetches and probes carry their raw facts (`facts`,
    /// TransferFacts). Format 1 rows decode too, without them (every new member is optional):
    /// reclassify keeps their stored outcome words. 3: probed MX sets carry the MX answer's AD bit
    /// (`mx.authenticated`) and hosts with TLSA records the records (`tlsaAnswers`), for the DANE
    /// judge; format 1 and 2 rows have only the count, and DANE judges them `unknown`.
    static let format = 3

    /// The stored form as one value, for callers off the write path (tests, tools). The write
    /// path uses `writeJSON` and `forEachChain` instead, with no intermediate copies.
    static func encode(_ e: Evidence) -> StoredEvidence {
        var writer = JSONWriter()
        writeJSON(e, into: &writer)
        var chains: [(slot: Int, chain: [[UInt8]])] = []
        forEachChain(e) { chains.append((slot: $0, chain: $1)) }
        return StoredEvidence(json: String(decoding: writer.out.bytes, as: UTF8.self), policyBody: e.policyFetch?.body, chains: chains)
    }

    /// The JSON text of `evidence.json`, into a reused writer.
    static func writeJSON(_ e: Evidence, into writer: inout JSONWriter) {
        withUnsafePointer(to: Optional(e)) { writeJSON($0, into: &writer) }
    }

    /// The write path's form, by pointer to the record's evidence (which holds a value), here and
    /// in `forEachChain`: an Evidence passed by value was copied, retaining each of its Strings
    /// and Arrays, for every domain.
    static func writeJSON(_ e: UnsafePointer<Evidence?>, into writer: inout JSONWriter) {
        writer.reset()
        writer.storedEvidence(e)
    }

    static func decode(_ stored: StoredEvidence) throws -> Evidence {
        var e = try JSONDecoder().decode(Evidence.self, from: Data(stored.json.utf8))
        if e.policyFetch != nil { e.policyFetch?.body = stored.policyBody }
        var bySlot: [Int: [[UInt8]]] = [:]
        for (slot, chain) in stored.chains { bySlot[slot] = chain }
        forEachTLS(&e) { slot, tls in
            if let chain = bySlot[slot] { tls.chainDER = chain }
        }
        return e
    }

    /// Visits every non-empty chain with its slot: `forEachTLS`'s order and numbering, read-only
    /// (EvidenceJSONTests checks the two agree through the store).
    static func forEachChain(_ e: Evidence, _ body: (Int, [[UInt8]]) throws -> Void) rethrows {
        try withUnsafePointer(to: Optional(e)) { try forEachChain($0, body) }
    }

    static func forEachChain(_ e: UnsafePointer<Evidence?>, _ body: (Int, [[UInt8]]) throws -> Void) rethrows {
        var slot = 0
        if let chain = e.pointee?.policyFetch?.tls?.chainDER {
            if !chain.isEmpty { try body(slot, chain) }
            slot += 1
        }
        guard let hosts = e.pointee?.mx?.hosts else { return }
        // By index: `for h in hosts` copied each Host to look at its probes.
        for i in hosts.indices where !hosts[i].probes.isEmpty {
            for p in hosts[i].probes {
                guard let chain = p.tls?.chainDER else { continue }
                if !chain.isEmpty { try body(slot, chain) }
                slot += 1
            }
        }
    }

    /// Visits every TLSFacts of the evidence in a fixed order, numbering them from 0.
    static func forEachTLS(_ e: inout Evidence, _ body: (Int, inout TLSFacts) -> Void) {
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
}
