// Where `export --output`, `report --html/--csv-dir`, `trends --csv/--html` and `diff --csv`
// write. A regular file (or a path that does not exist yet) is replaced atomically: the data goes
// to a temporary file beside it, renamed over it only when everything was written, so a reader
// never sees half an export and a failed run leaves the old file as it was. Anything else is
// written in place or refused: renaming a file over `/dev/null` as root (what
// FileManager.createFile did) turns the machine's /dev/null into a regular file and breaks every
// program that writes to it.
import Foundation

/// A buffered writer to a file, a character device, a FIFO or stdout (`-`): one system call per
/// 64 KiB, not per row; a failure (disk full, a closed pipe, a directory) is reported with the path.
final class OutputFile {
    struct Failure: Error { let message: String }

    private let path: String
    private let fd: Int32
    /// For a regular file: the temporary file being written, renamed to `target` by `close()`.
    private var temporary: String?
    private let target: String
    private var buffer: [UInt8] = []
    private var closed = false

    init(_ path: String) throws {
        self.path = path
        buffer.reserveCapacity(1 << 16)
        if path == "-" {
            fd = STDOUT_FILENO
            target = path
            return
        }
        var st = stat()
        if stat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                // Through a symbolic link the file it names is replaced, not the link.
                let real = realpath(path, nil).map { p in defer { free(p) }; return String(cString: p) } ?? path
                (fd, temporary) = try Self.temporaryFile(beside: real, mode: st.st_mode & 0o7777, owner: (st.st_uid, st.st_gid))
                target = real
            case S_IFCHR, S_IFIFO:
                // A device or a pipe: written in place, never replaced (a FIFO's open waits for its reader).
                let d = Self.retryingEINTR { open(path, O_WRONLY | O_CLOEXEC) }
                guard d >= 0 else { throw Self.failure("cannot write", path) }
                fd = d
                target = path
            case S_IFDIR:
                throw Failure(message: "cannot write '\(path)': it is a directory")
            default:
                // A block device (as root, writing there would overwrite a disk) or a socket.
                throw Failure(message: "cannot write '\(path)': not a regular file, a character device or a FIFO")
            }
        } else if errno == ENOENT {
            let mask = umask(0)
            umask(mask)
            (fd, temporary) = try Self.temporaryFile(beside: path, mode: 0o666 & ~mask, owner: nil)
            target = path
        } else {
            throw Self.failure("cannot write", path)
        }
    }

    deinit {
        // Not closed: the command failed; the target keeps its old content.
        if !closed {
            if fd != STDOUT_FILENO { Foundation.close(fd) }
            if let temporary { unlink(temporary) }
        }
    }

    func write(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("cannot write", path == "-" ? "stdout" : path)
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        guard !closed else { return }
        closed = true
        guard fd != STDOUT_FILENO else { return }
        if let temporary {
            // On disk before the rename: after a crash the target is the old file or the new one.
            let synced = fsync(fd) == 0
            let e = errno
            Foundation.close(fd)
            guard synced else { unlink(temporary); errno = e; throw Self.failure("cannot write", path) }
            guard rename(temporary, target) == 0 else {
                let e = errno
                unlink(temporary)
                errno = e
                throw Self.failure("cannot replace", path)
            }
        } else if Foundation.close(fd) != 0 {
            throw Self.failure("cannot write", path)
        }
    }

    /// A new file beside `target` (same directory, so the rename is atomic), with the mode (and,
    /// when it replaces one, the owner) the target has or would get.
    private static func temporaryFile(beside target: String, mode: mode_t, owner: (uid_t, gid_t)?) throws -> (Int32, String) {
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        var template = Array((dir + "/." + url.lastPathComponent + ".mtasts-XXXXXX").utf8CString)
        let d = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard d >= 0 else { throw failure("cannot write", target) }
        _ = fcntl(d, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fchmod(d, mode)
        if let (uid, gid) = owner, getuid() == 0 { _ = fchown(d, uid, gid) }
        return (d, temporary)
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(message: "\(what) '\(path)': \(String(cString: strerror(errno)))")
    }

    private static func retryingEINTR(_ body: () -> Int32) -> Int32 {
        while true {
            let r = body()
            if r >= 0 || errno != EINTR { return r }
        }
    }
}
