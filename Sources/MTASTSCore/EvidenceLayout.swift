// The stored layout of the evidence, listed once per type: each evidence type's `members` names
// its stored members in one list, beside its properties, and every writer and traversal of the
// stored form is a visitor of those lists (MTASTSStore: the JSON writer, the chain traversal
// that numbers certificate chains by slot, and the one that restores them). So the JSON, the
// slots and their restoring cannot disagree, and a member is added in one line.
//
// Generic and @inlinable, so that the store's visitors are specialized: a visit is a direct,
// inlined call, as fast as the hand-written writer it replaces (StoreWriteBenchTests). Codable
// stays synthesized from the properties; the store's tests compare the JSON written from these
// lists with JSONEncoder's (sorted keys), so a member missing here, or misnamed, shows.
//
// The list's order is the order chains are met, hence their slots (analysis/SCHEMA.md: the
// policy fetch before the MX hosts); the JSON writer puts the keys in byte order itself.
//
// Adding a stored member:
//   1. the property, Optional (rows stored before it must still decode: synthesized Decodable
//      wants every non-optional key), and its init parameter defaulting to nil;
//   2. one line in its type's `members`: `v.member("name", &name)`, the key being the
//      property's name (Codable's); anywhere in the list unless it holds a TLSFacts;
//   3. a value for it in StoredEncoderTests.withNewMembers, and a line in analysis/SCHEMA.md.
// Strings, integers, Bools, string arrays, String enums and EvidenceMembers types (alone,
// optional or in arrays) are written by specialized code; a new struct type of members is made
// an EvidenceMembers with its own list. Any other Codable type works through the store's
// generic Encoder, more slowly.

/// An evidence type with its stored members listed.
public protocol EvidenceMembers: Codable {
    /// Calls `v` once for every stored member, with the member's JSON key (its property's name).
    /// Mutating only so that a traversal can restore chains; writers do not change a thing.
    mutating func members<V: EvidenceVisitor>(_ v: inout V)
}

/// What a traversal of the stored members sees. Every member is passed `inout`, in place.
public protocol EvidenceVisitor {
    mutating func member(_ key: StaticString, _ value: inout String)
    mutating func member(_ key: StaticString, _ value: inout String?)
    mutating func member(_ key: StaticString, _ value: inout Int)
    mutating func member(_ key: StaticString, _ value: inout Int?)
    mutating func member(_ key: StaticString, _ value: inout Int64)
    mutating func member(_ key: StaticString, _ value: inout Int64?)
    mutating func member(_ key: StaticString, _ value: inout Bool)
    mutating func member(_ key: StaticString, _ value: inout Bool?)
    mutating func member(_ key: StaticString, _ value: inout [String])
    mutating func member(_ key: StaticString, _ value: inout [String]?)
    /// DNS TXT answers: each record as its character-strings.
    mutating func member(_ key: StaticString, _ value: inout [TXTRecord])
    /// An enum stored as its raw value.
    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E) where E.RawValue == String
    mutating func member<E: RawRepresentable & Codable>(_ key: StaticString, _ value: inout E?) where E.RawValue == String
    /// A nested evidence type, optional, or an array of them.
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T)
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout T?)
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T])
    mutating func member<T: EvidenceMembers>(_ key: StaticString, _ value: inout [T]?)
    /// Any other Codable member (written through its Codable conformance: slower, and chains
    /// inside it are not seen).
    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T)
    mutating func member<T: Codable>(_ key: StaticString, _ value: inout T?)

    /// A certificate chain, leaf first, as DER (`TLSFacts.chainDER`). Stored outside the JSON
    /// (by slot: the number of chains met before it in the document).
    mutating func chain(_ key: StaticString, _ value: inout [[UInt8]])
    /// A body stored outside the JSON (`PolicyFetchEvidence.body`).
    mutating func body(_ key: StaticString, _ value: inout [UInt8]?)
}
