// The opt-out list (`--exclude FILE`): domains, which cover their subdomains, and CIDR ranges,
// which cover MX and policy host addresses. One entry per line; `#` starts a comment.

public struct ExclusionList: Sendable {
    private var domains = Set<String>()
    private var ranges: [(bytes: [UInt8], prefix: Int)] = []
    /// Lines that were neither a domain nor a CIDR range, with their line numbers.
    public private(set) var rejected: [(line: Int, text: String)] = []

    public init() {}

    public init(text: String) {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingSpaces().trimmingCharacters(in: "\r")
            if entry.isEmpty { continue }
            if entry.contains("/") || IPAddress.parse(String(entry)) != nil {
                if let r = IPAddress.parseCIDR(String(entry)) { ranges.append(r); continue }
            } else if let d = DomainName.normalise(String(entry)) {
                domains.insert(d)
                continue
            }
            rejected.append((n + 1, String(entry)))
        }
    }

    public var isEmpty: Bool { domains.isEmpty && ranges.isEmpty }
    public var count: Int { domains.count + ranges.count }

    /// The domain or one of its parents is listed.
    public func excludes(domain: String) -> Bool {
        guard !domains.isEmpty else { return false }
        var name = Substring(domain)
        while true {
            if domains.contains(String(name)) { return true }
            guard let dot = name.firstIndex(of: ".") else { return false }
            name = name[name.index(after: dot)...]
        }
    }

    public func excludes(address: String) -> Bool {
        guard !ranges.isEmpty, let bytes = IPAddress.parse(address) else { return false }
        return ranges.contains { r in
            guard r.bytes.count == bytes.count else { return false }
            var bits = r.prefix
            for i in 0..<bytes.count where bits > 0 {
                let take = min(8, bits)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if bytes[i] & mask != r.bytes[i] & mask { return false }
                bits -= take
            }
            return true
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.last == set { s = s.dropLast() }
        return s
    }
}

/// IPv4 and IPv6 text forms to bytes, for CIDR matching.
public enum IPAddress {
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parse6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    static func parse6(_ text: String) -> [UInt8]? {
        // Split at "::" (a run of zero groups); more than one "::" is invalid.
        let chars = Array(text)
        var halves: [Substring] = []
        var i = 0, start = 0
        while i + 1 < chars.count {
            if chars[i] == ":" && chars[i + 1] == ":" {
                halves.append(Substring(String(chars[start..<i])))
                start = i + 2
                i += 2
                continue
            }
            i += 1
        }
        halves.append(Substring(String(chars[min(start, chars.count)...])))
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring) -> [UInt16]? {
            if s.isEmpty { return [] }
            var g: [UInt16] = []
            for part in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(part.count), let v = UInt16(part, radix: 16) else { return nil }
                g.append(v)
            }
            return g
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    public static func parseCIDR(_ text: String) -> (bytes: [UInt8], prefix: Int)? {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let bytes = parse(String(parts[0])) else { return nil }
        let maxPrefix = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix
        guard let prefix, (0...maxPrefix).contains(prefix) else { return nil }
        return (bytes, prefix)
    }
}

