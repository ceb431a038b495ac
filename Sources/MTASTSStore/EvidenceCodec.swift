// How an `Evidence` value is stored: JSON (EvidenceJSON.swift writes it, Foundation's decoder
// reads it; format 1) without the two bulky
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
    /// Bumped when the JSON shape changes incompatibly; stored in `evidence.format`.
    static let format = 1

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
        var slot = 0
        if let tls = e.policyFetch?.tls {
            if !tls.chainDER.isEmpty { try body(slot, tls.chainDER) }
            slot += 1
        }
        guard let mx = e.mx else { return }
        for h in mx.hosts {
            for p in h.probes {
                guard let tls = p.tls else { continue }
                if !tls.chainDER.isEmpty { try body(slot, tls.chainDER) }
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
