// A TCP listener on 127.0.0.1 that only counts the connections it accepts (and closes each at
// once): for tests that prove the scanner did, or did not, contact an address and port.
import Foundation

public final class ConnectionCounter: @unchecked Sendable {
    public let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var stopped = false

    /// Listens on `address` (a loopback IPv4 literal) at a port the kernel picks.
    public init(address: String = "127.0.0.1") throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr(address)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 && listen(s, 64) == 0
            }
        }
        guard s >= 0, ok else {
            if s >= 0 { close(s) }
            throw LoopbackSocketError()
        }
        fd = s
        port = UInt16(bigEndian: addr.sin_port)
        let t = Thread { [self] in self.acceptLoop() }
        t.start()
    }

    public var count: Int { lock.withLock { accepted } }

    public func stop() {
        lock.withLock { stopped = true }
    }

    private func acceptLoop() {
        while !lock.withLock({ stopped }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let c = accept(fd, nil, nil)
            if c >= 0 {
                lock.withLock { accepted += 1 }
                close(c)
            }
        }
        close(fd)
    }
}
