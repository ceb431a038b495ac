// Streams the input list: one domain per line, or Tranco's `rank,domain`. Blank lines and
// comments are skipped; every other line becomes an InputLine, valid or not, so that a bad line
// is recorded and never stops a scan. Memory stays flat: lines are read in chunks.
import Foundation
import MTASTSCore
import MTASTSStore

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
    /// The longest line read whole, in bytes (its end not counted). A domain is at most 253 octets,
    /// and its U-label form in UTF-8 at most a few times that; 4096 leaves room for a rank and a
    /// comment. A longer line is never buffered: its first `keptBytes` are kept as its text, it
    /// is `invalid-input` (domain nil), and the rest is dropped up to its end as it is read, so a
    /// 100 MB line costs one 64 KiB buffer and no conversion at all.
    public static let maxLineBytes = 4096
    /// How much of an over-long line is kept as its text (then "…").
    public static let keptBytes = 256

    private let fd: Int32
    /// Keeps a FileHandle alive (it closes its descriptor when released).
    private let handle: FileHandle?
    /// Set when the input is hashed as it is read (stdin, a pipe: they cannot be read twice).
    private var digest: SHA256?
    private var buffer: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 1 << 16)
    private var position = 0
    private var eof = false
    /// Inside an over-long line: its bytes are dropped until its end.
    private var skipping = false
    /// The last line ended with CR: an LF right after it is the same line end (CR LF).
    private var afterCR = false
    /// A UTF-8 byte order mark is dropped once, at the very start.
    private var bomChecked = false
    public private(set) var lineNumber = 0
    /// Raw bytes read so far, for the progress line.
    public private(set) var bytesRead = 0
    /// Why reading stopped early (a read error, as strerror says it); nil at a normal end.
    public private(set) var readError: String?

    /// Reads `fileDescriptor` (not closed here) from where it stands; with `hashing`, the
    /// SHA-256 of every byte read is `sha256Hex` at the end.
    public init(fileDescriptor: Int32, hashing: Bool = false) {
        fd = fileDescriptor
        handle = nil
        digest = hashing ? SHA256() : nil
    }

    public init(handle: FileHandle, hashing: Bool = false) {
        fd = handle.fileDescriptor
        self.handle = handle
        digest = hashing ? SHA256() : nil
    }

    /// The SHA-256 (lower-case hex) of all the input, once read to its end without error, when
    /// the reader was hashing.
    public var sha256Hex: String? {
        guard eof, readError == nil, var d = digest else { return nil }
        return SHA256.hexString(d.finish())
    }

    /// The next non-blank, non-comment line, or nil at the end. A line ends with LF, CR LF or
    /// CR alone (old Mac files): each counts as one line end.
    public func next() -> InputLine? {
        while true {
            if !bomChecked {
                if buffer.count - position < 3 && !eof { read(); continue }
                if buffer.count - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB,
                   buffer[position + 2] == 0xBF { position += 3 }
                bomChecked = true
            }
            // The buffered lines in one access to `buffer`: the runtime checks exclusivity on
            // each access to a class's array, and per line that was ~10% of this path's CPU.
            var at = position, number = lineNumber, skip = skipping, cr = afterCR
            let atEOF = eof
            let line = buffer.withUnsafeBufferPointer { b -> InputLine? in
                while at < b.count {
                    if cr {
                        cr = false
                        if b[at] == 0x0A { at += 1; continue }
                    }
                    // The line's end, looked for no further than one byte past the longest line.
                    let limit = skip ? b.count : min(b.count, at + Self.maxLineBytes + 1)
                    var end = at
                    while end < limit, b[end] != 0x0A, b[end] != 0x0D { end += 1 }
                    if end < limit {
                        cr = b[end] == 0x0D
                        let start = at
                        at = end + 1
                        if skip { skip = false; continue }
                        number += 1
                        if let line = Self.parse(UnsafeBufferPointer(rebasing: b[start..<end]), number: number) { return line }
                        continue
                    }
                    if skip { at = b.count; return nil }   // still inside the over-long line: drop it
                    if end - at > Self.maxLineBytes {
                        // Too long: recorded now, from its first bytes; the rest is skipped.
                        number += 1
                        let kept = Self.prefix(UnsafeBufferPointer(rebasing: b[at..<end]))
                        skip = true
                        at = end   // what follows is looked at in skip mode, from here
                        return InputLine(number: number, text: kept, rank: nil, domain: nil)
                    }
                    guard atEOF else { return nil }   // a partial line: read more first
                    // The last line, without an end.
                    let start = at
                    at = b.count
                    number += 1
                    if let line = Self.parse(UnsafeBufferPointer(rebasing: b[start..<b.count]), number: number) { return line }
                }
                return nil
            }
            position = min(at, buffer.count)
            lineNumber = number
            skipping = skip
            afterCR = cr
            if let line { return line }
            if eof { return nil }
            read()
        }
    }

    /// An over-long line's text: its first `keptBytes`, cut at a character boundary, then "…".
    static func prefix(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var n = min(b.count, keptBytes)
        while n > 0, n < b.count, b[n] & 0xC0 == 0x80 { n -= 1 }   // not inside a UTF-8 sequence
        let head = trimmed(UnsafeBufferPointer(rebasing: b[..<n]))
        return String(decoding: head, as: UTF8.self) + "\u{2026}"
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

    /// Drops the lines already parsed and appends the next chunk. A read error ends the input
    /// (`readError` says why): the caller reports it, nothing crashes.
    private func read() {
        buffer.removeFirst(position)
        position = 0
        var n = 0
        repeat {
            n = scratch.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
        } while n < 0 && errno == EINTR
        if n > 0 {
            buffer.append(contentsOf: scratch[..<n])
            digest?.update(scratch[..<n])
        }
        if n < 0 {
            readError = String(cString: strerror(errno))
            eof = true
        } else if n == 0 {
            eof = true
        } else {
            bytesRead += n
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
