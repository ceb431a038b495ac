// libFuzzer target: the DNS response parser (DNSMessage.parse), which reads bytes a resolver
// relays from servers nobody controls. The first input byte chooses the asked name (and whether
// it is spelled in upper case with a final dot), the second the asked type, the third the
// header's ANCOUNT and flag bits; the rest is read two ways:
//   1. as a whole message, asked for every DNSType (most inputs stop at the header or question);
//   2. as the answer section after a valid header and question for the chosen name and type, so
//      mutations reach the answer records instead of dying at the question check.
// Invariants are checked with precondition: a violation is a crash libFuzzer reports and
// minimises. The checks are independent of the parser: inet_pton for addresses, byte ranges for
// names, DomainName.isValidHostname (the check the scanner applies) for names on an address path.
import Glibc
import MTASTSCore

/// Asked names: ordinary, one label, a long one (near the 255-octet limit), and the names the
/// scanner really asks.
let qnames = [
    "example.com", "_mta-sts.example.com", "_smtp._tls.example.com", "mta-sts.example.com", "a",
    String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + "."
        + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 61),
    "mx1.example.net", "x.y",
]

/// RFC 1035 §3.1 wire form of a name we chose (plain LDH labels, no escaping needed).
func wireName(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for label in s.split(separator: ".") { out.append(UInt8(label.utf8.count)); out += label.utf8 }
    return out + [0]
}

func checkInvariants(_ a: DNSAnswer, qtype: DNSType) {
    _ = a.outcome
    precondition(a.cnameChain.count <= DNSMessage.maxCNAMEChain, "CNAME chain longer than the limit")
    // Names come out in presentation form: anything outside 0x21-0x7E is escaped as \DDD.
    for name in a.cnameChain + a.mx.map(\.name) {
        precondition(name.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "unescaped byte in a name")
    }
    for h in a.mx { precondition(h.preference >= 0 && h.preference <= 0xFFFF) }
    for record in a.txt {
        for s in record { precondition(s.count <= 255, "a character-string longer than 255 octets") }
    }
    precondition(a.rcode >= 0 && a.rcode <= 15)
    if qtype != .txt { precondition(a.txt.isEmpty) }
    if qtype != .mx { precondition(a.mx.isEmpty) }
    if qtype != .a && qtype != .aaaa { precondition(a.addresses.isEmpty) }
    if qtype != .tlsa { precondition(a.tlsaCount == 0) }
    precondition(a.tlsa.count == a.tlsaCount)
    for addr in a.addresses {
        var buf = [UInt8](repeating: 0, count: 16)
        if qtype == .a {
            // Dotted quad: four decimal parts 0-255 without leading zeros, and inet_pton agrees.
            let parts = addr.split(separator: ".", omittingEmptySubsequences: false)
            precondition(parts.count == 4 && parts.allSatisfy {
                !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber)
                    && Int($0)! <= 255 && ($0.count == 1 || $0.first != "0")
            }, "A address is not a dotted quad: \(addr)")
            precondition(inet_pton(AF_INET, addr, &buf) == 1, "inet_pton rejects \(addr)")
        } else {
            precondition(inet_pton(AF_INET6, addr, &buf) == 1, "AAAA address is not IPv6 text: \(addr)")
            precondition(addr == addr.lowercased(), "RFC 5952: lower case")
        }
    }
    // The scanner connects to these addresses: the names leading there must be host names.
    if (qtype == .a || qtype == .aaaa) && !a.cnameChain.isEmpty {
        precondition(a.cnameChain.allSatisfy(DomainName.isValidHostname), "address through a non-host CNAME")
    }
}

/// Parses, checks the invariants, and parses again: the same bytes give the same answer, and the
/// asked name's spelling (case, final dot) does not change it.
func parseAndCheck(_ m: [UInt8], qname: String, qtype: DNSType) {
    let a = DNSMessage.parse(m, qname: qname, qtype: qtype)
    if let a { checkInvariants(a, qtype: qtype) }
    precondition(DNSMessage.parse(m, qname: qname, qtype: qtype) == a, "parse is not deterministic")
    let shouted = DNSMessage.parse(m, qname: qname.uppercased() + ".", qtype: qtype)
    precondition(shouted == a, "the asked name's case or final dot changed the answer")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 3 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let qname = qnames[Int(bytes[0]) % qnames.count]
    let types = DNSType.allCases
    let qtype = types[Int(bytes[1]) % types.count]
    let rest = Array(bytes[3...])

    // 1. The rest as a whole message, asked for every type.
    for t in types { parseAndCheck(rest, qname: qname, qtype: t) }

    // 2. A valid header and question, then the rest as the answer section. Byte 2: ANCOUNT in
    // its low 5 bits, TC (0x20), AD (0x40), and an RCODE of 3 (NXDOMAIN) for 0x80.
    let b = bytes[2]
    let flags: UInt16 = 0x8180 | (b & 0x20 != 0 ? 0x0200 : 0) | (b & 0x40 != 0 ? 0x0020 : 0) | (b & 0x80 != 0 ? 3 : 0)
    var m: [UInt8] = [0xBE, 0xEF, UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 1, 0, b & 0x1F, 0, 0, 0, 0]
    m += wireName(qname) + [0, UInt8(qtype.rawValue), 0, 1]
    m += rest
    parseAndCheck(m, qname: qname, qtype: qtype)
    return 0
}
