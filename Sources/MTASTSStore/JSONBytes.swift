// The byte level of the evidence JSON writer (EvidenceJSON.swift): a growable byte buffer and
// JSON's tokens written into it with no String in between. An Array<UInt8> paid a uniqueness
// check on every append and a copy in `reverse()` of a slice; these appends are a capacity check
// and a store (perf of StoreWriteBenchTests). A struct, mutated in place: as a class, its stored
// properties paid Swift's dynamic exclusivity check (swift_beginAccess) on every append, which
// made it twice as slow as the Array.

/// A growable byte buffer, reused from document to document: the store binds its bytes to SQLite
/// without a copy. Noncopyable, since it owns its memory.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    var array: [UInt8] { Array(bytes) }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { count = 0 }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func append(_ p: UnsafeBufferPointer<UInt8>) {
        guard let src = p.baseAddress, !p.isEmpty else { return }
        if count + p.count > capacity { grow(to: count + p.count) }
        (base + count).update(from: src, count: p.count)
        count += p.count
    }

    /// Room for `n` more bytes, to be written at `base + count` and then `commit`ted.
    @inline(__always) mutating func reserve(_ n: Int) { if count + n > capacity { grow(to: count + n) } }
    @inline(__always) mutating func commit(_ n: Int) { count += n }

    private mutating func grow(to minimum: Int) {
        let newCapacity = max(minimum, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

/// JSON tokens as bytes.
enum JSONBytes {
    /// What `String(n)` writes: optional minus, decimal digits.
    static func decimal(_ n: Int64, into out: inout ByteBuffer) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        decimal(n.magnitude, into: &out)
    }

    /// What `String(n)` writes for an unsigned number: decimal digits.
    static func decimal(_ n: UInt64, into out: inout ByteBuffer) {
        var m = n
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20 && m >= limit { digits += 1; limit &*= 10 }
        out.reserve(digits)
        var p = out.base + out.count + digits
        repeat {
            p -= 1
            p.pointee = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: m % 10)
            m /= 10
        } while m > 0
        out.commit(digits)
    }

    /// JSONValue.escapeString's rules on the UTF-8 bytes (EvidenceJSONTests compares the two):
    /// `"` `\` and \n \r \t escaped by name; other C0 controls, DEL, U+2028 and U+2029 as \u and
    /// four lower-case hex digits; every other byte as is. A Swift String is valid UTF-8, so E2 80
    /// A8/A9 is always U+2028/U+2029 and no other scalar needs decoding. Runs of plain bytes are
    /// copied whole.
    static func escape(_ s: String, into out: inout ByteBuffer) {
        var s = s
        s.withUTF8 { escape(utf8: $0, into: &out) }
    }

    /// `escape` on the UTF-8 of a String (a CodingKey's name, as the encoder has it).
    static func escape(utf8 u: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
        out.append(UInt8(ascii: "\""))
        var plain = 0, i = 0
        while i < u.count {
            let b = u[i]
            // The one test most bytes take: nothing below 0x20, no `"` `\` DEL, no E2 lead.
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F && b != 0xE2 { i += 1; continue }
            let separator = b == 0xE2 && i + 2 < u.count && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)
            if b == 0xE2 && !separator { i += 1; continue }
            out.append(UnsafeBufferPointer(rebasing: u[plain..<i]))
            out.append(UInt8(ascii: "\\"))
            switch b {
            case 0x22, 0x5C: out.append(b)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default: unicodeEscape(separator ? 0x2028 + UInt16(u[i + 2] - 0xA8) : UInt16(b), into: &out)
            }
            i += separator ? 3 : 1
            plain = i
        }
        out.append(UnsafeBufferPointer(rebasing: u[plain..<u.count]))
        out.append(UInt8(ascii: "\""))
    }

    /// `u` and four lower-case hex digits (the backslash is written by the caller).
    private static func unicodeEscape(_ v: UInt16, into out: inout ByteBuffer) {
        out.append(UInt8(ascii: "u"))
        for shift: UInt16 in [12, 8, 4, 0] {
            let d = UInt8(truncatingIfNeeded: v >> shift) & 0xF
            out.append(d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10)
        }
    }
}
