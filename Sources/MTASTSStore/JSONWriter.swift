// JSON's tokens into a reused byte buffer (JSONBytes.swift), with Foundation's `.sortedKeys`:
// the writer under JSONVisitor (and StoredEncoder), on the hot path of every scan. Foundation's
// JSONEncoder took half of a scan's CPU (perf on the realistic world), and String appends most of
// the first hand-written writer's (StoreWriteBenchTests), so bytes are written in place and no
// String is made.
//
// Keys come in the order a type lists its members (MTASTSCore/EvidenceLayout.swift; for the
// generic Encoder, its declaration order); the stored form has them in byte order, as
// JSONEncoder's `.sortedKeys` wrote format 1. The writer notes where each member of an open
// object starts, and when the object closes puts its members in key order if they came in
// another: one copy of the object's bytes through a reused scratch buffer. Only Evidence's own
// list is out of key order (its policy fetch comes before the MX set: the slot order). Keys are
// compared as bytes (for ASCII names, String's own order).

/// One document at a time into its reused buffer (`out`), with the TLS chains JSONVisitor took
/// out of it (`chains`; EvidenceCodec keeps them in `evidence_certs`).
struct JSONWriter: ~Copyable {
    private(set) var out: ByteBuffer
    private var needComma = false
    /// The open objects and arrays, innermost last.
    private var frames: [Frame] = []
    /// The members of the open objects, innermost object's last.
    private var members: [Member] = []
    /// Where an object's members are put in key order (reused), and that order.
    private var scratch = ByteBuffer(capacity: 256)
    private var order: [Int] = []
    /// The chains of the document by slot, non-empty ones only (JSONVisitor).
    var chains: [(slot: Int, chain: [[UInt8]])] = []
    /// The chains met so far in the document, empty ones included: the next one's slot.
    var slots = 0

    private struct Frame {
        var isObject: Bool
        /// Its members so far came in key order.
        var sorted = true
        /// Index in `members` of its first member.
        var firstMember: Int
    }

    /// A member of an object: where its key starts in `out` (the opening quote) and the key's
    /// length with its quotes. The member runs to the comma before the next one, or to the end.
    private struct Member {
        var start: Int
        var keyLength: Int
    }

    init(capacity: Int = 1024) { out = ByteBuffer(capacity: capacity) }

    /// Empties the buffer and the chains, keeping their memory for the next document.
    mutating func reset() {
        out.removeAll()
        needComma = false
        frames.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        chains.removeAll(keepingCapacity: true)
        slots = 0
    }

    /// Objects and arrays open.
    var depth: Int { frames.count }

    mutating func openObject() {
        comma()
        out.append(UInt8(ascii: "{"))
        frames.append(Frame(isObject: true, firstMember: members.count))
        needComma = false
    }

    mutating func openArray() {
        comma()
        out.append(UInt8(ascii: "["))
        frames.append(Frame(isObject: false, firstMember: members.count))
        needComma = false
    }

    /// Closes what is open beyond `depth` objects and arrays.
    @inline(__always) mutating func close(downTo depth: Int) {
        while frames.count > depth { closeInnermost() }
    }

    private mutating func closeInnermost() {
        let frame = frames.removeLast()
        if frame.isObject {
            if !frame.sorted { putInKeyOrder(from: frame.firstMember) }
            members.removeSubrange(frame.firstMember...)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(UInt8(ascii: "]"))
        }
        needComma = true
    }

    /// `,"k":` for a member of the innermost open object, `k` being the key's UTF-8.
    mutating func key(_ k: UnsafeBufferPointer<UInt8>) {
        comma()
        let start = out.count
        JSONBytes.escape(utf8: k, into: &out)
        out.append(UInt8(ascii: ":"))
        noteMember(Member(start: start, keyLength: out.count - 1 - start))
    }

    /// `,"k":` with one capacity check, for a key that needs no escaping (a property's name, as
    /// the evidence types list them): a key is written for every member of every document.
    mutating func key(_ k: StaticString) {
        let n = k.utf8CodeUnitCount
        out.reserve(n + 4)
        if needComma { out.append(UInt8(ascii: ",")) }
        let start = out.count
        let p = out.base + start
        p.pointee = UInt8(ascii: "\"")
        k.withUTF8Buffer { (p + 1).update(from: $0.baseAddress!, count: n) }
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        out.commit(n + 3)
        noteMember(Member(start: start, keyLength: n + 2))
    }

    /// Notes a member of the innermost object, and whether it came out of key order.
    @inline(__always) private mutating func noteMember(_ member: Member) {
        needComma = false
        let top = frames.count - 1
        if members.count > frames[top].firstMember && !precedes(members[members.count - 1], member) {
            frames[top].sorted = false
        }
        members.append(member)
    }

    mutating func string(_ s: String) { comma(); JSONBytes.escape(s, into: &out); needComma = true }
    mutating func int(_ i: Int64) { comma(); JSONBytes.decimal(i, into: &out); needComma = true }
    mutating func uint(_ i: UInt64) { comma(); JSONBytes.decimal(i, into: &out); needComma = true }

    mutating func bool(_ b: Bool) { literal(b ? "true" : "false") }
    mutating func null() { literal("null") }

    /// `{}`: what JSONEncoder writes for a value that encoded nothing.
    mutating func emptyObject() { literal("{}") }
    mutating func emptyArray() { literal("[]") }

    /// A finite number as JSONEncoder writes it: Swift's shortest round-trip `description`,
    /// without a trailing `.0`.
    mutating func double(_ d: Double) {
        var text = d.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        comma()
        text.withUTF8 { out.append($0) }
        needComma = true
    }

    /// Integers as arrays of numbers: what Codable makes of `[UInt8]` (DNS TXT strings).
    mutating func bytes(_ b: [UInt8]) {
        openArray()
        b.withUnsafeBufferPointer { b in
            for i in b.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONBytes.decimal(UInt64(b[i]), into: &out)
            }
        }
        close(downTo: frames.count - 1)
    }

    mutating func strings(_ a: [String]) {
        openArray()
        for s in a { string(s) }
        close(downTo: frames.count - 1)
    }

    private mutating func literal(_ text: StaticString) {
        comma()
        text.withUTF8Buffer { out.append($0) }
        needComma = true
    }

    @inline(__always) private mutating func comma() { if needComma { out.append(UInt8(ascii: ",")) } }

    /// The key of `a` sorts before the key of `b`: their bytes between the quotes, compared as
    /// unsigned bytes, a prefix first.
    private func precedes(_ a: Member, _ b: Member) -> Bool {
        let p = out.base + a.start + 1, q = out.base + b.start + 1
        let m = a.keyLength - 2, n = b.keyLength - 2
        for i in 0..<min(m, n) where p[i] != q[i] { return p[i] < q[i] }
        return m < n
    }

    /// Rewrites the members of the innermost object, `members[first...]`, in key order.
    /// Insertion sort: an object has a handful of members. Equal keys keep their order.
    private mutating func putInKeyOrder(from first: Int) {
        let n = members.count - first
        order.removeAll(keepingCapacity: true)
        for i in 0..<n {
            var j = order.count
            while j > 0 && precedes(members[first + i], members[first + order[j - 1]]) { j -= 1 }
            order.insert(i, at: j)
        }
        let start = members[first].start, end = out.count
        scratch.removeAll()
        for (k, i) in order.enumerated() {
            if k > 0 { scratch.append(UInt8(ascii: ",")) }
            let from = members[first + i].start
            let to = i + 1 < n ? members[first + i + 1].start - 1 : end   // before the next comma
            scratch.append(UnsafeBufferPointer(start: out.base + from, count: to - from))
        }
        (out.base + start).update(from: scratch.base, count: scratch.count)
    }
}
