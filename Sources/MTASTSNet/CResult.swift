// The one place where a result code of libcurl (CURLcode, CURLMcode, CURLSHcode) or c-ares
// (ares_status) becomes a typed error, as `Database.check` does for SQLite in MTASTSStore. Every
// call of theirs that returns a code goes through here or handles the code where it is made,
// with a comment saying why; none is discarded. Codes that end one transfer are not errors of
// the loop: they become that transfer's CURLcode (CheckedOptions, `finish`) and so its evidence.
import CCares
import CCurl
import Foundation

/// A C library call that failed, with what was being done. Thrown while the loop is set up (a
/// scan then stops before it starts, with this message).
public struct CLibraryError: Error, CustomStringConvertible, Sendable {
    public enum Library: String, Sendable {
        case curl = "libcurl", curlMulti = "libcurl multi", curlShare = "libcurl share", cares = "c-ares", system
    }

    public let library: Library
    /// The library's own code (CURLcode, CURLMcode, CURLSHcode, ares_status or errno).
    public let code: Int32
    /// The library's text for the code.
    public let message: String
    /// What was being done: "setting CURLMOPT_SOCKETFUNCTION", "initialising c-ares"...
    public let context: String

    public var description: String { "\(library.rawValue): \(message) (code \(code)) while \(context)" }
}

enum Checked {
    static func curl(_ rc: CURLcode, _ context: @autoclosure () -> String) throws {
        guard rc != CURLE_OK else { return }
        throw CLibraryError(library: .curl, code: Int32(bitPattern: rc.rawValue), message: String(cString: curl_easy_strerror(rc)), context: context())
    }

    static func multi(_ rc: CURLMcode, _ context: @autoclosure () -> String) throws {
        guard rc != CURLM_OK else { return }
        throw CLibraryError(library: .curlMulti, code: rc.rawValue, message: String(cString: curl_multi_strerror(rc)), context: context())
    }

    static func share(_ rc: CURLSHcode, _ context: @autoclosure () -> String) throws {
        guard rc != CURLSHE_OK else { return }
        throw CLibraryError(library: .curlShare, code: Int32(bitPattern: rc.rawValue), message: String(cString: curl_share_strerror(rc)), context: context())
    }

    static func ares(_ rc: Int32, _ context: @autoclosure () -> String) throws {
        guard rc != ARES_SUCCESS else { return }
        throw CLibraryError(library: .cares, code: rc, message: String(cString: ares_strerror(rc)), context: context())
    }

    /// A system call returning -1 with errno.
    static func system(_ rc: Int32, _ context: @autoclosure () -> String) throws {
        guard rc == -1 else { return }
        let e = errno
        throw CLibraryError(library: .system, code: e, message: String(cString: strerror(e)), context: context())
    }

    /// A CURLMcode from inside the running loop, where nothing can be thrown to anyone: the
    /// transfers it concerns still end through curl_multi_info_read or their own timeout, so
    /// the code is counted (`EventLoop.multiFailures`, for tests and a debugger) and the loop goes
    /// on. CURLM_BAD_SOCKET is expected there: curl already closed a socket epoll reported.
    static func inLoop(_ rc: CURLMcode, _ loop: EventLoop) {
        if rc != CURLM_OK && rc != CURLM_BAD_SOCKET { loop.multiFailures += 1 }
    }
}
