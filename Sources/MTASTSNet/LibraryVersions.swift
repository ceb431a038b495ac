// The C libraries this module drives, as linked at run time. `mtasts --version` prints these so
// that every scan records exactly which resolver, HTTP and TLS code produced its evidence.
import CCares
import CCurl
import CLinux

public enum LibraryVersions {
    public static var curl: String {
        guard let info = mtasts_curl_version_info() else { return "unknown" }
        return String(cString: info.pointee.version)
    }

    public static var cares: String { String(cString: ares_version(nil)) }

    public static var openssl: String { String(cString: OpenSSL_version(numericCast(OPENSSL_VERSION))) }

    /// True when the kernel gives us the epoll set and eventfd the I/O loop is built on.
    public static var eventLoopPrimitivesAvailable: Bool {
        let ep = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard ep >= 0 else { return false }
        defer { close(ep) }
        let ev = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard ev >= 0 else { return false }
        defer { close(ev) }
        return mtasts_epoll_ctl(ep, EPOLL_CTL_ADD, ev, EPOLLIN.rawValue) == 0
    }

    public static var summary: String {
        "libcurl \(curl), c-ares \(cares), \(openssl)"
    }
}
