// The line numbers of a scan already stored, for `--resume`. A bitset indexed by line number: one
// bit per line up to the highest stored, so 1M lines cost 125 KB where a Set<Int> of 1M entries
// costs tens of MB. Lookups are one shift and one mask, in input order as the reader goes.

public struct LineSet: Sendable, Hashable {
    private var words: [UInt64] = []
    public private(set) var count = 0

    public init() {}

    public func contains(_ line: Int) -> Bool {
        guard line >= 0 else { return false }
        let w = line >> 6
        return w < words.count && words[w] & (1 << UInt64(line & 63)) != 0
    }

    public mutating func insert(_ line: Int) {
        precondition(line >= 0, "line numbers are not negative")
        let w = line >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        let bit: UInt64 = 1 << UInt64(line & 63)
        if words[w] & bit == 0 {
            words[w] |= bit
            count += 1
        }
    }

    /// The highest line stored, or nil when empty.
    public var max: Int? {
        guard let w = words.lastIndex(where: { $0 != 0 }) else { return nil }
        return w * 64 + 63 - words[w].leadingZeroBitCount
    }

    /// Bytes of memory held by the bits (for the documentation's claim, and a test).
    public var byteSize: Int { words.count * 8 }
}
