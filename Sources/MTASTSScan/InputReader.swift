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
        while let raw = nextRawLine() {
            lineNumber += 1
            if let line = Self.parse(raw, number: lineNumber) { return line }
        }
        return nil
    }

    public static func parse(_ raw: String, number: Int) -> InputLine? {
        var text = Substring(raw)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        var rank: Int?
        var name = Substring(trimmed)
        if let comma = trimmed.firstIndex(of: ",") {
            let head = trimmed[..<comma].trimmingCharacters(in: .whitespaces)
            guard let r = Int(head), r >= 0 else {
                return InputLine(number: number, text: trimmed, rank: nil, domain: nil)
            }
            rank = r
            name = Substring(trimmed[trimmed.index(after: comma)...].trimmingCharacters(in: .whitespaces))
        }
        return InputLine(number: number, text: trimmed, rank: rank, domain: DomainName.normalise(String(name)))
    }

    private func nextRawLine() -> String? {
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                var end = nl
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = nl + 1
                return line
            }
            if eof {
                guard position < buffer.count else { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                return line
            }
            buffer.removeFirst(position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { eof = true } else {
                bytesRead += chunk.count
                buffer.append(contentsOf: chunk)
            }
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
