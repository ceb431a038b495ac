// A DNS response message (RFC 1035 §4), read from the bytes the resolver sent: the RCODE and the
// AD bit from the header (c-ares 1.18 does not expose them), and the answer records a scan needs
// (CNAME, TXT, MX, A, AAAA, TLSA, and NS for the DNS-operator axis). Bounds-checked throughout; compression pointers must point
// backwards, so a hostile answer cannot loop.

public enum DNSType: UInt16, Sendable, Codable, CaseIterable {
    case a = 1, ns = 2, cname = 5, mx = 15, txt = 16, aaaa = 28, tlsa = 52

    public var name: String {
        switch self {
        case .a: return "A"
        case .ns: return "NS"
        case .cname: return "CNAME"
        case .mx: return "MX"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        case .tlsa: return "TLSA"
        }
    }
}

public struct DNSAnswer: Sendable, Hashable {
    public var rcode: Int
    public var authenticated: Bool
    public var truncated: Bool
    /// CNAME targets from the query name on, in order.
    public var cnameChain: [String]
    public var txt: [TXTRecord]
    public var mx: [MXEvidence.Host]
    public var addresses: [String]
    public var tlsaCount: Int
    /// NS host names (RFC 1035 §3.3.11), read as MX exchanges are (readName's checks and form).
    public var ns: [String] = []
    /// The TLSA records (RFC 6698 §2.1), as answered.
    public var tlsa: [TLSARecord] = []

    /// NOERROR, NXDOMAIN, SERVFAIL... as a scan records it. An answer still truncated (TC)
    /// when it reaches us, after the resolver library's retry over TCP, holds only part of its
    /// records: an empty one would read as "no record", so it is MALFORMED (dns-error).
    public var outcome: DNSOutcome {
        if truncated { return .malformed }
        switch rcode {
        case 0: return .noError
        case 1: return .formErr
        case 2: return .servFail
        case 3: return .nxDomain
        case 5: return .refused
        default: return .malformed
        }
    }
}

public enum DNSMessage {
    /// CNAMEs followed from the asked name before an answer counts as broken. Resolvers stop
    /// far sooner (unbound: 11 restarts, BIND: 16), so a longer chain is a loop or an attack.
    public static let maxCNAMEChain = 16

    /// Parses a response to a query for `qname`/`qtype`. Returns nil for a message too malformed
    /// to read (the caller records `MALFORMED`).
    public static func parse(_ m: [UInt8], qname: String, qtype: DNSType) -> DNSAnswer? {
        m.withUnsafeBufferPointer { parse($0, qname: qname, qtype: qtype) }
    }

    /// The same, read in place from the resolver's buffer: this runs for every answer of a scan,
    /// and a copy of each answer into an Array was a malloc, a memcpy and a free per query. Every
    /// read below is bounds-checked by hand (the guards), as it was on the Array.
    public static func parse(_ m: UnsafeBufferPointer<UInt8>, qname: String, qtype: DNSType) -> DNSAnswer? {
        // The asked name as a resolver echoes it: lower case, no final dot. Names are compared
        // on the wire, label by label; a String is made only for a name that is kept (a CNAME
        // target, an MX exchange). The names a scan asks are already in that form (normalised
        // input, names read by readName), so they are used in place, without a copy.
        var qname = qname
        return qname.withUTF8 { q in
            if q.last != ASCII.dot, !q.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
                return parse(m, asked: q, qtype: qtype)
            }
            var asked = Array(q)
            for k in asked.indices where asked[k] >= 0x41 && asked[k] <= 0x5A { asked[k] |= 0x20 }
            if asked.last == ASCII.dot { asked.removeLast() }
            return asked.withUnsafeBufferPointer { parse(m, asked: $0, qtype: qtype) }
        }
    }

    private static func parse(_ m: UnsafeBufferPointer<UInt8>, asked: UnsafeBufferPointer<UInt8>, qtype: DNSType) -> DNSAnswer? {
        guard m.count >= 12 else { return nil }
        let flags = Int(m[2]) << 8 | Int(m[3])
        var answer = DNSAnswer(rcode: flags & 0x0F, authenticated: flags & 0x0020 != 0, truncated: flags & 0x0200 != 0,
                               cnameChain: [], txt: [], mx: [], addresses: [], tlsaCount: 0)
        let qd = Int(m[4]) << 8 | Int(m[5])
        let an = Int(m[6]) << 8 | Int(m[7])
        // Exactly our one question: a message without it cannot be matched to the query.
        guard qd == 1 else { return nil }
        var i = 12
        // The answer must be to our question: name and type, or it is someone else's answer.
        for _ in 0..<qd {
            guard let (next, same) = walkName(m, at: i, comparingWith: asked), next + 4 <= m.count else { return nil }
            let type = UInt16(m[next]) << 8 | UInt16(m[next + 1])
            guard same, type == qtype.rawValue else { return nil }
            i = next + 4
        }
        // Collect answer RRs by owner name, then walk the CNAME chain from the query name.
        var cnames: [String: String] = [:]
        var records: [(ownerAt: Int, ownsAsked: Bool, type: UInt16, rdata: Range<Int>)] = []
        // Sized once: appending one by one reallocated at the second record (two MX hosts). A
        // record takes 11 bytes at least, so a forged ANCOUNT cannot make this large.
        records.reserveCapacity(min(an, (m.count - i) / 11))
        for _ in 0..<an {
            guard let (next, ownsAsked) = walkName(m, at: i, comparingWith: asked), next + 10 <= m.count else { return nil }
            let type = UInt16(m[next]) << 8 | UInt16(m[next + 1])
            let rdlen = Int(m[next + 8]) << 8 | Int(m[next + 9])
            let start = next + 10
            guard start + rdlen <= m.count else { return nil }
            if type == DNSType.cname.rawValue {
                // A name in RDATA must end within RDLENGTH, or we read the next record as it.
                guard let (owner, _) = readName(m, at: i), let (target, end) = readName(m, at: start), end <= start + rdlen
                else { return nil }
                cnames[owner] = target
            } else {
                records.append((i, ownsAsked, type, start..<(start + rdlen)))
            }
            i = start + rdlen
        }
        // The records that answer: those owned by the asked name, or by the chain's last target.
        var final: String?
        if !cnames.isEmpty {
            var name = String(decoding: asked, as: UTF8.self)
            var seen: Set<String> = [name]
            while let target = cnames[name] {
                answer.cnameChain.append(target)
                name = target
                // A loop, or a chain longer than any resolver follows, is a broken answer
                // (dns-error), never "no record" (issue 14).
                guard seen.insert(name).inserted, seen.count <= DNSMessage.maxCNAMEChain + 1 else { return nil }
            }
            final = name
            // Addresses reached through a name that is not a host name (a CNAME to `u@1.2.3.4`)
            // are not a host's addresses: no sender's resolver path should lead there, and
            // the scanner would connect to where a hostile zone points (issue 14).
            if qtype == .a || qtype == .aaaa, answer.cnameChain.contains(where: { !DomainName.isValidHostname($0) }) {
                return nil
            }
        }
        switch qtype {
        case .mx: answer.mx.reserveCapacity(records.count)
        case .txt: answer.txt.reserveCapacity(records.count)
        case .a, .aaaa: answer.addresses.reserveCapacity(records.count)
        default: break
        }
        for r in records where r.type == qtype.rawValue {
            if let final {
                guard readName(m, at: r.ownerAt)?.0 == final else { continue }
            } else if !r.ownsAsked {
                continue
            }
            let rd = m[r.rdata]
            switch qtype {
            case .txt:
                var strings: [[UInt8]] = []
                var j = rd.startIndex
                while j < rd.endIndex {
                    let len = Int(rd[j])
                    guard j + 1 + len <= rd.endIndex else { return nil }
                    strings.append(Array(rd[(j + 1)..<(j + 1 + len)]))
                    j += 1 + len
                }
                answer.txt.append(strings)
            case .mx:
                guard rd.count >= 3, let (exchange, end) = readName(m, at: rd.startIndex + 2), end <= rd.endIndex
                else { return nil }
                let pref = Int(rd[rd.startIndex]) << 8 | Int(rd[rd.startIndex + 1])
                answer.mx.append(MXEvidence.Host(name: exchange.isEmpty ? "." : exchange, preference: pref))
            case .a:
                guard rd.count == 4 else { return nil }
                answer.addresses.append(rd.map(String.init).joined(separator: "."))
            case .aaaa:
                guard rd.count == 16 else { return nil }
                answer.addresses.append(ipv6(Array(rd)))
            case .tlsa:
                // Usage, selector, matching type, then the association data (RFC 6698 §2.1);
                // fewer than three octets is no TLSA record.
                guard rd.count >= 3 else { return nil }
                answer.tlsaCount += 1
                let s = rd.startIndex
                answer.tlsa.append(TLSARecord(usage: rd[s], selector: rd[s + 1], matchingType: rd[s + 2], data: Array(rd[(s + 3)...])))
            case .ns:
                // NSDNAME is the whole RDATA: a name that ends before or after RDLENGTH is broken.
                guard let (host, end) = readName(m, at: rd.startIndex), end == rd.endIndex else { return nil }
                answer.ns.append(host.isEmpty ? "." : host)
            case .cname:
                break
            }
        }
        // An RRset has no order (RFC 2181 §5) and resolvers rotate it (unbound's
        // rrset-roundrobin): TLSA records are kept in one canonical order, so two lookups of the
        // same RRset store the same evidence (a scan and a `check` of it agree).
        answer.tlsa.sort { a, b in
            (a.usage, a.selector, a.matchingType) != (b.usage, b.selector, b.matchingType)
                ? (a.usage, a.selector, a.matchingType) < (b.usage, b.selector, b.matchingType)
                : a.data.lexicographicallyPrecedes(b.data)
        }
        return answer
    }

    /// Walks a possibly compressed name from `start` with RFC 1035's checks (labels of at most
    /// 63 octets, 255 octets in all, compression pointers only backwards, so no loops), handing
    /// each label's byte range to `label` in order. Returns the offset after the name in place,
    /// or nil for a malformed name. The one place these checks live: readName and walkName
    /// both go through it.
    static func walkLabels(_ m: UnsafeBufferPointer<UInt8>, at start: Int, _ label: (Range<Int>) -> Void) -> Int? {
        var i = start
        var end: Int?
        var jumps = 0
        var total = 0
        while true {
            guard i < m.count else { return nil }
            let len = Int(m[i])
            if len == 0 {
                if end == nil { end = i + 1 }
                break
            }
            if len & 0xC0 == 0xC0 {
                guard i + 1 < m.count else { return nil }
                let target = (len & 0x3F) << 8 | Int(m[i + 1])
                guard target < i, jumps < 64 else { return nil }   // only backwards: no loops
                if end == nil { end = i + 2 }
                i = target
                jumps += 1
                continue
            }
            guard len <= 63, i + 1 + len <= m.count else { return nil }
            total += len + 1
            guard total < 255 else { return nil }   // §3.1: 255 octets, the root's zero included
            label((i + 1)..<(i + 1 + len))
            i += 1 + len
        }
        return end
    }

    /// Whether the name at `start` equals `name` (lower case, no final dot) as readName would
    /// spell it, without building it; and the offset after the name in place.
    static func walkName(_ m: UnsafeBufferPointer<UInt8>, at start: Int, comparingWith name: UnsafeBufferPointer<UInt8>) -> (Int, Bool)? {
        var p = 0          // how much of `name` matched so far
        var same = true
        guard let end = walkLabels(m, at: start, { r in
            guard same else { return }
            if p > 0 {
                same = p < name.count && name[p] == ASCII.dot
                p += 1
            }
            guard same, p + r.count <= name.count else { same = false; return }
            // A '.' byte inside a label is not the separator the asked name's dots are: a
            // one-label "a.b" is another name than "a.b" (no escaping in `name`, which is ours).
            for k in r where ASCII.lower(m[k]) != name[p + k - r.lowerBound] || m[k] == ASCII.dot {
                same = false
                return
            }
            p += r.count
        }) else { return nil }
        return (end, same && p == name.count)
    }

    /// Reads a possibly compressed name; returns it lower-cased without the final dot, and the
    /// offset after the name in place. A label byte that is not printable ASCII, and a '.' or '\'
    /// inside a label, are written in RFC 1035 §5.1's presentation form (`\.`, `\\`, `\DDD`):
    /// a name is data from a server nobody controls, so a label `a.b` or `u@1.2.3.4` must stay
    /// one visibly odd name, never read as two labels or reach a URL as it is (issue 14). Every
    /// host name is checked as LDH (DomainName.isValidHostname) before it is used, and a
    /// backslash never passes that check.
    static func readName(_ m: [UInt8], at start: Int) -> (String, Int)? {
        m.withUnsafeBufferPointer { readName($0, at: start) }
    }

    static func readName(_ m: UnsafeBufferPointer<UInt8>, at start: Int) -> (String, Int)? {
        // Lower-cased bytes and dots into one buffer, one String at the end: a String per label
        // and a join were most of this function's cost.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        guard let end = walkLabels(m, at: start, { r in
            if !bytes.isEmpty { bytes.append(ASCII.dot) }
            for k in r {
                let c = m[k]
                if c > 0x20, c < 0x7F, c != ASCII.dot, c != 0x5C {
                    bytes.append(ASCII.lower(c))
                } else if c == ASCII.dot || c == 0x5C {
                    bytes.append(0x5C); bytes.append(c)
                } else {
                    bytes.append(0x5C)
                    bytes.append(0x30 + c / 100); bytes.append(0x30 + c / 10 % 10); bytes.append(0x30 + c % 10)
                }
            }
        }) else { return nil }
        return (String(decoding: bytes, as: UTF8.self), end)
    }

    /// RFC 5952 text form: lower case, longest run of zero groups as "::".
    static func ipv6(_ b: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { Int(b[$0]) << 8 | Int(b[$0 + 1]) }
        var bestStart = -1, bestLen = 0, curStart = -1, curLen = 0
        for (k, g) in groups.enumerated() {
            if g == 0 {
                if curStart < 0 { curStart = k; curLen = 0 }
                curLen += 1
                if curLen > bestLen { bestStart = curStart; bestLen = curLen }
            } else {
                curStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLen >= 2 else { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLen)...].joined(separator: ":")
        return head + "::" + tail
    }
}
