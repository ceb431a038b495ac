// What libcurl may connect to, decided before a transfer starts and enforced at the last moment
// curl asks for a socket. A host name comes from DNS answers nobody controls: a name such as
// `u@127.0.0.1` or `127.0.0.1/x` is legal on the wire and would become a URL whose host curl
// reads differently (user info, a path), so it would connect to an address the scanner never
// resolved or checked against --exclude (issue 14). Three layers, each enough alone:
//   1. the host must be an LDH host name and every address an IP literal, or nothing starts;
//   2. CURLOPT_RESOLVE pins the name to the scanner's addresses, CURLOPT_PROTOCOLS_STR allows
//      only the one protocol;
//   3. CURLOPT_OPENSOCKETFUNCTION refuses a socket for any address or port not pinned here.
import CCurl
import Foundation
import MTASTSCore

/// The (address, port) pairs one transfer may connect to, in binary form.
struct PinnedPeers {
    /// IPv4 addresses as 4 bytes, IPv6 as 16, each with the port in host order.
    private(set) var allowed: [([UInt8], UInt16)] = []

    /// Nil when an address is not an IP literal (the resolver's parser writes only literals, so
    /// this means a bug or a hostile path, and the transfer must not start).
    init?(addresses: [String], port: Int) {
        guard (1...65535).contains(port) else { return nil }
        for a in addresses {
            guard let bytes = Self.parse(a) else { return nil }
            allowed.append((bytes, UInt16(port)))
        }
        if allowed.isEmpty { return nil }
    }

    static func parse(_ literal: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether curl's chosen peer is one of ours. `addr` is declared as a 16-byte `struct
    /// sockaddr`, but curl hands storage of `addrlen` bytes (a sockaddr_in6 is 28): it is read
    /// through the pointer, as the family's own struct, never copied out of the declared field.
    func permits(_ address: UnsafePointer<curl_sockaddr>) -> Bool {
        let sa = UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
        let length = Int(address.pointee.addrlen)
        let bytes: [UInt8], port: UInt16
        switch address.pointee.family {
        case AF_INET:
            guard length >= MemoryLayout<sockaddr_in>.size else { return false }
            var sin = sa.loadUnaligned(as: sockaddr_in.self)
            bytes = withUnsafeBytes(of: &sin.sin_addr) { Array($0) }
            port = UInt16(bigEndian: sin.sin_port)
        case AF_INET6:
            guard length >= MemoryLayout<sockaddr_in6>.size else { return false }
            var sin6 = sa.loadUnaligned(as: sockaddr_in6.self)
            bytes = withUnsafeBytes(of: &sin6.sin6_addr) { Array($0) }
            port = UInt16(bigEndian: sin6.sin6_port)
        default:
            return false
        }
        return allowed.contains { $0.0 == bytes && $0.1 == port }
    }
}

extension Transfer {
    /// The host goes into the URL and CURLOPT_RESOLVE: it must be an LDH host name (the policy
    /// host, an MX host), so that curl reads the URL's host as exactly this name. (The session
    /// without SNI puts the pinned address literal in the URL instead.)
    var hostIsSafe: Bool { DomainName.isValidHostname(host) }
}
