// JSON for a member of any Codable type (JSONVisitor's fallback, for members the evidence
// types' lists do not name by type): an `Encoder` writing straight into the JSONWriter, keys in
// byte order as JSONEncoder's `.sortedKeys` writes them (JSONWriter sorts an object whose
// members come in another order). Slower than the lists' visitors, which are specialized: the
// values pass through existentials and each object allocates KeyedEncodingContainer's box. A
// chain inside such a member is not seen: chains belong in EvidenceMembers types.
//
// The encoder and its unkeyed and single-value containers are one pointer each, so the
// existentials Codable passes them in hold them without allocating. StoredEncoderTests checks
// it against JSONEncoder on every shape a member can take.
struct StoredEncoder: Encoder {
    let w: UnsafeMutablePointer<JSONWriter>

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        w.pointee.openObject()
        return KeyedEncodingContainer(ObjectWriter<Key>(encoder: self, depth: w.pointee.depth))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        w.pointee.openArray()
        return ArrayWriter(encoder: self, depth: w.pointee.depth)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ValueWriter(encoder: self) }

    /// Writes one value whole: what it opens is closed when it returns.
    func value<T: Encodable>(_ v: T) throws {
        if T.self == String.self { return w.pointee.string(unsafeBitCast(v, to: String.self)) }
        if T.self == [String].self { return w.pointee.strings(unsafeBitCast(v, to: [String].self)) }
        if T.self == [UInt8].self { return w.pointee.bytes(unsafeBitCast(v, to: [UInt8].self)) }
        let depth = w.pointee.depth, before = w.pointee.out.count
        try v.encode(to: self)
        w.pointee.close(downTo: depth)
        if w.pointee.out.count == before { w.pointee.emptyObject() }
    }

    static func invalid(_ d: Double) -> EncodingError {
        EncodingError.invalidValue(d, .init(codingPath: [], debugDescription: "\(d) is not a JSON number"))
    }
}

/// An object's members. `depth` is the writer's depth with this object open: a write here first
/// closes what a nested container of it left open.
private struct ObjectWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StoredEncoder
    let depth: Int

    var codingPath: [any CodingKey] { [] }

    @inline(__always) private func key(_ key: Key) {
        let w = encoder.w
        precondition(w.pointee.depth >= depth, "StoredEncoder: a container written to after its value was done")
        w.pointee.close(downTo: depth)
        var name = key.stringValue
        name.withUTF8 { w.pointee.key($0) }
    }

    mutating func encodeNil(forKey k: Key) throws { key(k); encoder.w.pointee.null() }
    mutating func encode(_ v: Bool, forKey k: Key) throws { key(k); encoder.w.pointee.bool(v) }
    mutating func encode(_ v: String, forKey k: Key) throws { key(k); encoder.w.pointee.string(v) }
    mutating func encode(_ v: Double, forKey k: Key) throws {
        guard v.isFinite else { throw StoredEncoder.invalid(v) }
        key(k); encoder.w.pointee.double(v)
    }
    mutating func encode(_ v: Float, forKey k: Key) throws { try encode(Double(v), forKey: k) }
    mutating func encode(_ v: Int, forKey k: Key) throws { key(k); encoder.w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int8, forKey k: Key) throws { key(k); encoder.w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int16, forKey k: Key) throws { key(k); encoder.w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int32, forKey k: Key) throws { key(k); encoder.w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int64, forKey k: Key) throws { key(k); encoder.w.pointee.int(v) }
    mutating func encode(_ v: UInt, forKey k: Key) throws { key(k); encoder.w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt8, forKey k: Key) throws { key(k); encoder.w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt16, forKey k: Key) throws { key(k); encoder.w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt32, forKey k: Key) throws { key(k); encoder.w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt64, forKey k: Key) throws { key(k); encoder.w.pointee.uint(v) }
    mutating func encode<T: Encodable>(_ v: T, forKey k: Key) throws { key(k); try encoder.value(v) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                                        forKey k: Key) -> KeyedEncodingContainer<NestedKey> {
        key(k)
        return encoder.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer(forKey k: Key) -> any UnkeyedEncodingContainer {
        key(k)
        return encoder.unkeyedContainer()
    }

    /// The encoder itself, after the key: what the caller encodes with it is the member's value.
    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey k: Key) -> any Encoder { key(k); return encoder }
}

/// An array's elements.
private struct ArrayWriter: UnkeyedEncodingContainer {
    let encoder: StoredEncoder
    let depth: Int
    private(set) var count = 0

    init(encoder: StoredEncoder, depth: Int) {
        self.encoder = encoder
        self.depth = depth
    }

    var codingPath: [any CodingKey] { [] }

    @inline(__always) private mutating func element() -> UnsafeMutablePointer<JSONWriter> {
        let w = encoder.w
        precondition(w.pointee.depth >= depth, "StoredEncoder: a container written to after its value was done")
        w.pointee.close(downTo: depth)
        count += 1
        return w
    }

    mutating func encodeNil() throws { element().pointee.null() }
    mutating func encode(_ v: Bool) throws { element().pointee.bool(v) }
    mutating func encode(_ v: String) throws { element().pointee.string(v) }
    mutating func encode(_ v: Double) throws {
        guard v.isFinite else { throw StoredEncoder.invalid(v) }
        element().pointee.double(v)
    }
    mutating func encode(_ v: Float) throws { try encode(Double(v)) }
    mutating func encode(_ v: Int) throws { element().pointee.int(Int64(v)) }
    mutating func encode(_ v: Int8) throws { element().pointee.int(Int64(v)) }
    mutating func encode(_ v: Int16) throws { element().pointee.int(Int64(v)) }
    mutating func encode(_ v: Int32) throws { element().pointee.int(Int64(v)) }
    mutating func encode(_ v: Int64) throws { element().pointee.int(v) }
    mutating func encode(_ v: UInt) throws { element().pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt8) throws { element().pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt16) throws { element().pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt32) throws { element().pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt64) throws { element().pointee.uint(v) }
    /// Array's conformance calls this generic form for every element, whatever its type.
    mutating func encode<T: Encodable>(_ v: T) throws {
        let w = element()
        if T.self == UInt8.self { return w.pointee.uint(UInt64(unsafeBitCast(v, to: UInt8.self))) }
        try encoder.value(v)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        _ = element()
        return encoder.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        _ = element()
        return encoder.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { _ = element(); return encoder }
}

/// One value (an enum's raw value, an Optional).
private struct ValueWriter: SingleValueEncodingContainer {
    let encoder: StoredEncoder

    var codingPath: [any CodingKey] { [] }

    private var w: UnsafeMutablePointer<JSONWriter> { encoder.w }

    mutating func encodeNil() throws { w.pointee.null() }
    mutating func encode(_ v: Bool) throws { w.pointee.bool(v) }
    mutating func encode(_ v: String) throws { w.pointee.string(v) }
    mutating func encode(_ v: Double) throws {
        guard v.isFinite else { throw StoredEncoder.invalid(v) }
        w.pointee.double(v)
    }
    mutating func encode(_ v: Float) throws { try encode(Double(v)) }
    mutating func encode(_ v: Int) throws { w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int8) throws { w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int16) throws { w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int32) throws { w.pointee.int(Int64(v)) }
    mutating func encode(_ v: Int64) throws { w.pointee.int(v) }
    mutating func encode(_ v: UInt) throws { w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt8) throws { w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt16) throws { w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt32) throws { w.pointee.uint(UInt64(v)) }
    mutating func encode(_ v: UInt64) throws { w.pointee.uint(v) }
    mutating func encode<T: Encodable>(_ v: T) throws { try encoder.value(v) }
}
