// How an `Evidence` value is stored: JSON (written by JSONVisitor from the types' member lists,
// MTASTSCore/EvidenceLayout.swift; read by Foundation's decoder; format 2, which reads format 1
// too) without the two bulky byte fields, which go elsewhere:
//   - the policy body, as a BLOB in `evidence.policy_body` (as JSON numbers it would be ~4x);
//   - every certificate chain (`TLSFacts.chainDER`), as fingerprints in `evidence_certs`, the DER
//     itself once per distinct certificate in `certificates`: a provider's MX certificate shared
//     by 100k domains is stored once.
// Chains are numbered by "slot": the order in which the member lists meet the TLSFacts present
// (the policy fetch first, then each MX host's probes in order). The writer numbers them as it
// writes, ChainRestorer as it puts them back (StoredVisitors.swift): no traversal of its own.
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
    /// path uses `writeJSON` and the writer's `chains` instead, with no intermediate copies.
    static func encode(_ e: Evidence) throws -> StoredEvidence {
        var writer = JSONWriter()
        try writeJSON(e, into: &writer)
        return StoredEvidence(json: String(decoding: writer.out.bytes, as: UTF8.self), policyBody: e.policyFetch?.body,
                              chains: writer.chains)
    }

    /// The JSON text of `evidence.json`, and the chains by slot, into a reused writer.
    static func writeJSON(_ e: Evidence, into writer: inout JSONWriter) throws {
        try withUnsafePointer(to: Optional(e)) { try writeJSON($0, into: &writer) }
    }

    /// The write path's form, by pointer to the record's evidence (which holds a value): an
    /// Evidence passed by value was copied, retaining each of its Strings and Arrays, for every
    /// domain. The visitor reads the evidence in place and changes nothing.
    static func writeJSON(_ e: UnsafePointer<Evidence?>, into writer: inout JSONWriter) throws {
        writer.reset()
        try withUnsafeMutablePointer(to: &writer) { w in
            var visitor = JSONVisitor(w)
            visitor.record(&UnsafeMutablePointer(mutating: e).pointee!)
            if let error = visitor.error { throw error }
        }
    }

    static func decode(_ stored: StoredEvidence) throws -> Evidence {
        var e = try JSONDecoder().decode(Evidence.self, from: Data(stored.json.utf8))
        var bySlot: [Int: [[UInt8]]] = [:]
        for (slot, chain) in stored.chains { bySlot[slot] = chain }
        var restorer = ChainRestorer(chains: bySlot, policyBody: stored.policyBody)
        e.members(&restorer)
        return e
    }
}
