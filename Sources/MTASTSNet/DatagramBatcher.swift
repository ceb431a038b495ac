// c-ares's sockets, handed to it through ares_set_socket_functions, so that its UDP traffic costs
// a few system calls per loop turn instead of one per query and one per answer: a query c-ares
// "sends" is queued and goes out with the turn's other queries in one sendmmsg; answers are read
// with recvmmsg, up to 16 at a time, and handed to c-ares one by one as it asks. TCP (c-ares's
// fallback for truncated answers) goes straight through. Loop thread only.
import CCares
import CLinux
import Foundation

final class DatagramBatcher {
    /// One UDP socket's queued queries and unread answers.
    final class UDPSocket {
        static let slotSize = 4097   // c-ares 1.18 reads UDP into 4097 bytes; the same cut here
        static let slots = Int(MTASTS_RECV_BATCH)

        var queued: [UInt8] = []
        var queuedLengths: [Int32] = []
        let answers = UnsafeMutablePointer<UInt8>.allocate(capacity: slots * slotSize)
        var answerLengths = [Int32](repeating: 0, count: slots)
        var sources = [sockaddr_storage](repeating: sockaddr_storage(), count: slots)
        var sourceLengths = [UInt32](repeating: 0, count: slots)
        var next = 0, count = 0
        /// The last recvmmsg filled fewer slots than it had: the socket was empty then. c-ares
        /// reads until a read fails, so without this each turn's reading of a socket ended with
        /// a recvmmsg that found nothing (half of all recvmmsg calls in a 100k scan).
        var drained = false
        /// Why the last sendmmsg failed, reported at c-ares's next read as recvfrom would have.
        var sendError: Int32 = 0

        deinit { answers.deallocate() }
    }

    /// By fd; nil for TCP sockets and closed fds.
    private var udp: [UDPSocket?] = []
    /// UDP sockets with queued queries.
    private var pending: [Int32] = []

    /// The table c-ares calls through. c-ares keeps the pointer, so it lives as long as the process.
    nonisolated(unsafe) static let functions: UnsafeMutablePointer<ares_socket_functions> = {
        let f = UnsafeMutablePointer<ares_socket_functions>.allocate(capacity: 1)
        f.initialize(to: ares_socket_functions(
            asocket: { domain, type, proto, data in
                let fd = socket(domain, type, proto)
                if fd >= 0 { batcher(data).opened(fd, udp: type & Int32(SOCK_DGRAM.rawValue) != 0 && type & Int32(SOCK_STREAM.rawValue) == 0) }
                return fd
            },
            aclose: { fd, data in
                batcher(data).closed(fd)
                return close(fd)
            },
            aconnect: { fd, address, length, data in connect(fd, address, length) },
            arecvfrom: { fd, buffer, length, flags, from, fromLength, data in
                batcher(data).receive(fd, buffer, length, flags, from, fromLength)
            },
            asendv: { fd, vectors, count, data in batcher(data).send(fd, vectors, count) }))
        return f
    }()

    private static func batcher(_ data: UnsafeMutableRawPointer?) -> DatagramBatcher {
        Unmanaged<DatagramBatcher>.fromOpaque(data!).takeUnretainedValue()
    }

    /// Makes `channel` use this batcher's sockets. The batcher must outlive the channel.
    func adopt(_ channel: ares_channel) {
        ares_set_socket_functions(channel, Self.functions, Unmanaged.passUnretained(self).toOpaque())
    }

    private func opened(_ fd: Int32, udp isUDP: Bool) {
        let i = Int(fd)
        if udp.count <= i { udp.append(contentsOf: [UDPSocket?](repeating: nil, count: i + 1 - udp.count)) }
        udp[i] = isUDP ? UDPSocket() : nil
    }

    private func closed(_ fd: Int32) {
        if Int(fd) < udp.count { udp[Int(fd)] = nil }
    }

    private func socketFor(_ fd: Int32) -> UDPSocket? { Int(fd) < udp.count ? udp[Int(fd)] : nil }

    private func send(_ fd: Int32, _ vectors: UnsafePointer<iovec>?, _ count: Int32) -> ares_ssize_t {
        guard let s = socketFor(fd), let vectors else { return writev(fd, vectors, count) }
        var total = 0
        if s.queuedLengths.isEmpty { pending.append(fd) }
        for v in UnsafeBufferPointer(start: vectors, count: Int(count)) {
            s.queued.append(contentsOf: UnsafeRawBufferPointer(start: v.iov_base, count: v.iov_len))
            total += v.iov_len
        }
        s.queuedLengths.append(Int32(total))
        return total
    }

    private func receive(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ length: Int, _ flags: Int32,
                         _ from: UnsafeMutablePointer<sockaddr>?, _ fromLength: UnsafeMutablePointer<ares_socklen_t>?) -> ares_ssize_t {
        guard let s = socketFor(fd) else { return recvfrom(fd, buffer, length, flags, from, fromLength) }
        if s.sendError != 0 {
            errno = s.sendError
            s.sendError = 0
            return -1
        }
        if s.next == s.count {
            if s.drained {
                // Ends this read loop as EAGAIN would. Whatever came in since is still queued,
                // and epoll (level-triggered) reports the socket again on the next turn.
                s.drained = false
                errno = EAGAIN
                return -1
            }
            let n = s.answerLengths.withUnsafeMutableBufferPointer { lengths in
                s.sources.withUnsafeMutableBufferPointer { sources in
                    s.sourceLengths.withUnsafeMutableBufferPointer { sourceLengths in
                        mtasts_recv_datagrams(fd, s.answers, Int32(UDPSocket.slotSize), lengths.baseAddress,
                                              sources.baseAddress, sourceLengths.baseAddress)
                    }
                }
            }
            if n < 0 { return -1 }   // errno is recvmmsg's: EAGAIN ends c-ares's read loop
            if n == 0 { errno = EAGAIN; return -1 }   // not seen (MSG_DONTWAIT fails instead); never read a stale slot
            s.next = 0
            s.count = Int(n)
            s.drained = s.count < UDPSocket.slots
        }
        let i = s.next
        s.next += 1
        let size = min(Int(s.answerLengths[i]), length)
        if let buffer { buffer.copyMemory(from: s.answers + i * UDPSocket.slotSize, byteCount: size) }
        if let from, let fromLength {
            let have = Int(s.sourceLengths[i])
            withUnsafeBytes(of: &s.sources[i]) { src in
                UnsafeMutableRawPointer(from).copyMemory(from: src.baseAddress!, byteCount: min(have, Int(fromLength.pointee)))
            }
            fromLength.pointee = ares_socklen_t(have)
        }
        return size
    }

    /// Sends every queued query. Returns the sockets whose send failed (their queries are lost,
    /// as a dropped datagram is): the caller lets c-ares read them, so it sees the error as it
    /// would have seen it from send or recvfrom.
    func flush() -> [Int32] {
        guard !pending.isEmpty else { return [] }
        var failed: [Int32] = []
        for fd in pending {
            guard let s = socketFor(fd), !s.queuedLengths.isEmpty else { continue }
            let sent = s.queued.withUnsafeBufferPointer { bytes in
                s.queuedLengths.withUnsafeBufferPointer { lengths in
                    mtasts_send_datagrams(fd, bytes.baseAddress, lengths.baseAddress, Int32(lengths.count))
                }
            }
            if sent < s.queuedLengths.count {
                let e = errno
                // EAGAIN/ENOBUFS: the kernel is full; c-ares resends after its timeout. Anything
                // else (ECONNREFUSED after an ICMP error) is c-ares's to handle.
                if sent < 0, e != EAGAIN, e != ENOBUFS {
                    s.sendError = e
                    failed.append(fd)
                }
            }
            s.queued.removeAll(keepingCapacity: true)
            s.queuedLengths.removeAll(keepingCapacity: true)
        }
        pending.removeAll(keepingCapacity: true)
        return failed
    }
}
