// Streams the input list: one domain per line, or Tranco's `rank,domain`. Blank lines and
// comments are skipped; every other line becomes an InputLine, valid or not, so that a bad line
// is recorded and never stops a scan. Memory stays flat: lines are read in chunks.
import Foundation
import MTASTSCore

public struct InputLine: Sendable {
    /// 1-based line number in the input: the key that makes a resumed scan exact.
    public var number: Int
    /// The line as read, comment and surrounding whitespace removed.
    public var text: String
    public var rank: Int?
    /// Normalised A-label form; nil when the line is not a domain name.
    public var domain: String?
}

public final class InputReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    public private(set) var lineNumber = 0
    /// Raw bytes read so far, for the progress line.
    public private(set) var bytesRead = 0

    public init(handle: FileHandle) { self.handle = handle }

    /// The next non-blank, non-comment line, or nil at the end.
    public func next() -> InputLine? {
        while true {
            // The buffered lines in one access to `buffer`: the runtime checks exclusivity on
            // each access to a class's array, and per line that was ~10% of this path's CPU.
            var at = position, number = lineNumber
            let atEOF = eof
            let line = buffer.withUnsafeBufferPointer { b -> InputLine? in
                while at < b.count {
                    let nl = b[at...].firstIndex(of: 0x0A)
                    guard nl != nil || atEOF else { return nil }   // a partial line: read more first
                    let end = nl ?? b.count
                    defer { at = end + 1 }
                    number += 1
                    if let line = Self.parse(UnsafeBufferPointer(rebasing: b[at..<end]), number: number) { return line }
                }
                return nil
            }
            position = min(at, buffer.count)
            lineNumber = number
            if let line { return line }
            if eof { return nil }
            read()
        }
    }

    public static func parse(_ raw: String, number: Int) -> InputLine? {
        var raw = raw
        return raw.withUTF8 { parse($0, number: number) }
    }

    /// One line's bytes, straight from the read buffer: the only Strings made are the ones
    /// returned (parsing was ~1.5% of a scan's CPU when each line went String, bytes, String).
    static func parse(_ raw: UnsafeBufferPointer<UInt8>, number: Int) -> InputLine? {
        var bytes = raw
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes = UnsafeBufferPointer(rebasing: bytes[..<hash]) }
        bytes = trimmed(bytes)
        if bytes.isEmpty { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        var rank: Int?
        var name = bytes
        if let comma = bytes.firstIndex(of: UInt8(ascii: ",")) {
            let head = trimmed(UnsafeBufferPointer(rebasing: bytes[..<comma]))
            guard !head.isEmpty, head.count <= 18, head.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return InputLine(number: number, text: text, rank: nil, domain: nil)
            }
            rank = head.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            name = trimmed(UnsafeBufferPointer(rebasing: bytes[(comma + 1)...]))
        }
        // Without a rank the name is the whole text: an already normal name is then `text` itself.
        let domain = DomainName.normalise(utf8: name, same: rank == nil ? text : nil)
        return InputLine(number: number, text: text, rank: rank, domain: domain)
    }

    /// Without surrounding spaces, tabs, CR, LF, and other ASCII whitespace.
    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        var start = 0, end = b.count
        while start < end, isSpace(b[start]) { start += 1 }
        while end > start, isSpace(b[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: b[start..<end])
    }

    /// Drops the lines already parsed and appends the next chunk of the file.
    private func read() {
        buffer.removeFirst(position)
        position = 0
        let chunk = handle.readData(ofLength: 1 << 16)
        if chunk.isEmpty { eof = true } else {
            bytesRead += chunk.count
            buffer.append(contentsOf: chunk)
        }
    }
}

/// Domains seen so far, to scan a domain listed twice only once. 64-bit hashes, not strings: 8
/// bytes a domain (plus the set's overhead), so a million-line list costs ~16 MB, not ~100 MB.
public struct SeenDomains {
    private var hashes = Set<UInt64>()
    public init() {}

    /// True when the domain is new.
    public mutating func insert(_ domain: String) -> Bool {
        hashes.insert(StableHash.fnv1a64(domain)).inserted
    }
}

public enum StableHash {
    /// FNV-1a, 64-bit: stable across runs and machines (Swift's Hasher is seeded per process).
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
