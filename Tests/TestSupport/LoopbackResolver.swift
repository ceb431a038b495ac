// A DNS resolver for unit tests, on a UDP socket on 127.0.0.1: no real resolver reports the
// message IDs and questions it was sent, which is what these tests check. It answers every query
// at once with the query itself turned into an answer (same ID, same question, no records) and
// the RCODE `rcode(name)` picks. Shared by MTASTSNetTests and MTASTSScanTests.
import Foundation

public struct LoopbackSocketError: Error, CustomStringConvertible {
    public var description: String { "test: cannot bind a UDP socket to 127.0.0.1" }
}

/// A UDP socket bound to 127.0.0.1 on a port the kernel picks, and that port.
public func bindLoopbackUDP() throws -> (Int32, UInt16) {
    let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
    }
    guard s >= 0, bound else {
        if s >= 0 { close(s) }
        throw LoopbackSocketError()
    }
    return (s, UInt16(bigEndian: addr.sin_port))
}

/// A loopback UDP port that nothing listens on: bound to learn a free one, then closed. (Not a
/// LoopbackResolver's socket: its thread, blocked in recvfrom, would keep the socket open until
/// a first query arrived, and swallow that query.)
public func closedLoopbackUDPPort() throws -> UInt16 {
    let (s, port) = try bindLoopbackUDP()
    close(s)
    return port
}

public final class LoopbackResolver: @unchecked Sendable {
    public let port: UInt16
    private let fd: Int32
    private let rcode: @Sendable (String) -> UInt8
    private let silent: @Sendable (String) -> Bool
    private let silentPortCount: Int
    private var silentPorts: Set<UInt16> = []
    private let lock = NSLock()
    private var seenIDs: [UInt16] = []
    private var seenPorts: [UInt16] = []
    private var asked: [String: Int] = [:]

    /// `rcode`: the RCODE for a question name (3, NXDOMAIN, unless told otherwise). `silent`: the
    /// names it never answers, as a zone whose servers are dead. `silentPorts`: it never answers
    /// the first this many source ports it hears from, as a resolver thread that is stuck (a
    /// resolver with SO_REUSEPORT hashes each of the scanner's sockets onto one of its threads).
    public init(rcode: @escaping @Sendable (String) -> UInt8 = { _ in 3 },
                silent: @escaping @Sendable (String) -> Bool = { _ in false }, silentPorts: Int = 0) throws {
        (fd, port) = try bindLoopbackUDP()
        self.rcode = rcode
        self.silent = silent
        self.silentPortCount = silentPorts
        var rcvbuf: Int32 = 1 << 20   // room for a burst, where the kernel allows it
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, socklen_t(MemoryLayout<Int32>.size))
        Thread { [self] in serve() }.start()
    }

    /// The message IDs of the queries received, in order.
    public var ids: [UInt16] { lock.withLock { seenIDs } }

    /// The message IDs received, by the source port they came from (one per c-ares channel).
    public var idsByPort: [UInt16: [UInt16]] {
        lock.withLock { Dictionary(zip(seenPorts, seenIDs).map { ($0, [$1]) }, uniquingKeysWith: +) }
    }

    /// How many queries asked about `name`.
    public func count(_ name: String) -> Int { lock.withLock { asked[name, default: 0] } }

    /// How many distinct names it has been asked about that satisfy `filter`.
    public func names(where filter: (String) -> Bool) -> Int { lock.withLock { asked.keys.filter(filter).count } }

    private func serve() {
        var buf = [UInt8](repeating: 0, count: 4096)
        var from = sockaddr_storage()
        while true {
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buf, buf.count, 0, $0, &fromLen) }
            }
            guard n >= 12 else { return }
            // The question's name, label by label (the scanner's queries are never compressed).
            var labels: [String] = []
            var i = 12
            while i < n, buf[i] != 0, i + 1 + Int(buf[i]) <= n {
                labels.append(String(decoding: buf[(i + 1)..<(i + 1 + Int(buf[i]))], as: UTF8.self))
                i += 1 + Int(buf[i])
            }
            let name = labels.joined(separator: ".")
            let port = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
            let stuck = lock.withLock {
                seenIDs.append(UInt16(buf[0]) << 8 | UInt16(buf[1]))
                seenPorts.append(port)
                asked[name, default: 0] += 1
                if silentPorts.count < silentPortCount && !seenPorts.dropLast().contains(port) { silentPorts.insert(port) }
                return silentPorts.contains(port)
            }
            if stuck || silent(name) { continue }
            buf[2] = 0x81                     // QR, RD
            buf[3] = 0x80 | rcode(name)       // RA, the RCODE
            _ = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buf, n, 0, $0, fromLen) }
            }
        }
    }
}
