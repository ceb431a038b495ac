// The stored form's two traversals of the evidence, both visitors of the types' member lists
// (MTASTSCore/EvidenceLayout.swift), so they follow the lists and each other:
//   - JSONVisitor writes `evidence.json` and takes out what is kept elsewhere: each chain
//     (written `[]`) into `JSONWriter.chains` under its slot, the policy body (left out);
//   - ChainRestorer puts them back into decoded evidence, counting slots the same way.
// A slot is the number of chains met before in the document, in the lists' order.
import MTASTSCore

/// Writes the evidence's JSON into a JSONWriter. Specialized through the lists' generics: each
/// member is a direct call. Records in arrays are visited in place, by pointer: a copy retained
/// each of their Strings and Arrays (perf of StoreWriteBenchTests). Nothing is changed.
struct JSONVisitor: EvidenceVisitor {
    let w: UnsafeMutablePointer<JSONWriter>
    /// What a member written through its Codable conformance threw (a non-finite number).
    var error: (any Error)?

    init(_ w: UnsafeMutablePointer<JSONWriter>) { self.w = w }

    /// One record, as an object.
    @inline(__always) mutating func record<T: EvidenceMembers>(_ value: inout T) {
        let depth = w.pointee.depth
        w.pointee.openObject()
        value.members(&self)
        w.pointee.close(downTo: depth)
    }

    mutating func member(_ key: StaticString, _ value: inout String) { w.pointee.key(key); w.pointee.string(value) }
    mutating func member(_ key: StaticString, _ value: inout String?) { if let v = value { w.pointee.key(key); w.pointee.string(v) } }
    mutating func member(_ key: StaticString, _ value: inout Int) { w.pointee.key(key); w.pointee.int(Int64(value)) }
    mutating func member(_ key: StaticString, _ value: inout Int?) { if let v = value { w.pointee.key(key); w.pointee.int(Int64(v)) } }
    mutating func member(_ key: StaticString, _ value: inout Int64) { w.pointee.key(key); w.pointee.int(value) }
    mutating func member(_ key: StaticString, _ value: inout Int64?) { if let v = value { w.pointee.key(key); w.pointee.int(v) } }
    mutating func member(_ key: StaticString, _ value: inout Bool) { w.pointee.key(key); w.pointee.bool(value) }
    mutating func member(_ key: StaticString, _ value: inout Bool?) { if let v = value { w.pointee.key(key); w.pointee.bool(v) } }
    mutating func member(_ key: StaticString, _ value: inout [String]) { w.pointee.key(key); w.pointee.strings(value) }
    mutating func member(_ key: StaticString, _ value: inout [String]?) { if let v = value { w.pointee.key(key); w.pointee.strings(v) } }

    mutating func member(_ key: StaticString, _ value: inout [TXTRecord]) {
        w.pointee.key(key)
        let depth = w.pointee.depth
        w.pointee.openArray()
        for record in value {
            w.pointee.openArray()
            for s in record { w.pointee.bytes(s) }
            w.pointee.close(downTo: depth + 1)
        }
        w.pointee.close(downTo: depth)
    }

    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E) where E.RawValue == String {
        w.pointee.key(key)
        w.pointee.string(value.rawValue)
    }

    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E?) where E.RawValue == String {
        if let v = value { w.pointee.key(key); w.pointee.string(v.rawValue) }
    }

    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T) { w.pointee.key(key); record(&value) }

    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T?) {
        guard value != nil else { return }
        w.pointee.key(key)
        record(&value!)
    }

    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T]) {
        w.pointee.key(key)
        let depth = w.pointee.depth
        w.pointee.openArray()
        value.withUnsafeBufferPointer { records in
            for i in records.indices { record(&UnsafeMutablePointer(mutating: records.baseAddress! + i).pointee) }
        }
        w.pointee.close(downTo: depth)
    }

    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T]?) {
        if value != nil { member(key, &value!) }
    }

    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T) {
        w.pointee.key(key)
        do { try StoredEncoder(w: w).value(value) } catch { self.error = error; w.pointee.null() }
    }

    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T?) {
        if value != nil { member(key, &value!) }
    }

    /// Written as `[]`; the chain itself goes to `evidence_certs` under its slot.
    mutating func chain(_ key: StaticString, _ value: inout [[UInt8]]) {
        w.pointee.key(key)
        w.pointee.emptyArray()
        if !value.isEmpty { w.pointee.chains.append((slot: w.pointee.slots, chain: value)) }
        w.pointee.slots += 1
    }

    /// Left out: `evidence.policy_body` holds it.
    mutating func body(_ key: StaticString, _ value: inout [UInt8]?) {}
}

/// Puts the chains and the policy body back into decoded evidence, slot by slot.
struct ChainRestorer: EvidenceVisitor {
    let chains: [Int: [[UInt8]]]
    let policyBody: [UInt8]?
    private var slot = 0

    init(chains: [Int: [[UInt8]]], policyBody: [UInt8]?) {
        self.chains = chains
        self.policyBody = policyBody
    }

    mutating func member(_ key: StaticString, _ value: inout String) {}
    mutating func member(_ key: StaticString, _ value: inout String?) {}
    mutating func member(_ key: StaticString, _ value: inout Int) {}
    mutating func member(_ key: StaticString, _ value: inout Int?) {}
    mutating func member(_ key: StaticString, _ value: inout Int64) {}
    mutating func member(_ key: StaticString, _ value: inout Int64?) {}
    mutating func member(_ key: StaticString, _ value: inout Bool) {}
    mutating func member(_ key: StaticString, _ value: inout Bool?) {}
    mutating func member(_ key: StaticString, _ value: inout [String]) {}
    mutating func member(_ key: StaticString, _ value: inout [String]?) {}
    mutating func member(_ key: StaticString, _ value: inout [TXTRecord]) {}
    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E) where E.RawValue == String {}
    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E?) where E.RawValue == String {}
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T) { value.members(&self) }
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T?) { if value != nil { value!.members(&self) } }
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T]) {
        for i in value.indices { value[i].members(&self) }
    }
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T]?) { if value != nil { member(key, &value!) } }
    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T) {}
    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T?) {}

    mutating func chain(_ key: StaticString, _ value: inout [[UInt8]]) {
        if let chain = chains[slot] { value = chain }
        slot += 1
    }

    mutating func body(_ key: StaticString, _ value: inout [UInt8]?) { value = policyBody }
}
