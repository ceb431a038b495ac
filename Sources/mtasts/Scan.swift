// `mtasts scan`: the survey. Wires the input, the I/O loop, the pipeline and the store.
import ArgumentParser
import Foundation
import MTASTSCore
import MTASTSNet
import MTASTSScan
import MTASTSStore

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan a list of domains for MTA-STS, TLS-RPT and DANE; store evidence and verdicts in SQLite.",
        discussion: """
        INPUT holds one domain per line, or Tranco's `rank,domain`; blank lines and # comments are
        skipped; a line that is not a domain is recorded as invalid-input and the scan goes on.
        A status line is printed on stderr every second; a summary at the end.
        Example (a Tranco list, politely):
          mtasts scan top-1m.csv --db survey.db --label "tranco-XXXX 2026-11-29" \\
              --contact https://example.org/mtasts-scan --ehlo-name scanner.example.org
        Stop with Ctrl-C: the batch in flight is committed; `--resume` continues the scan.
        """)

    @Argument(help: ArgumentHelp("The input list, or - for stdin.", valueName: "INPUT"))
    var input: String = "-"

    @Option(help: ArgumentHelp("The SQLite database; created if absent; this scan is added to it.", valueName: "FILE"))
    var db: String

    @Option(help: "A name for this scan (e.g. the list and its date). Default: the input's name.")
    var label: String?

    @OptionGroup var network: NetworkOptions

    @Option(help: "Domains in flight at once.")
    var concurrency: Int = 1000

    @Option(help: "At most N new domains started per second (0: no limit).")
    var rate: Double = 0

    @Option(help: ArgumentHelp("Domains (and their subdomains) and CIDR ranges never to contact; excluded domains are recorded as `excluded`.", valueName: "FILE"))
    var exclude: String?

    @Option(help: "Split the input into N shards by a stable hash of the domain.")
    var shards: Int = 1

    @Option(help: "Scan only shard I (0-based) of --shards N.")
    var shard: Int = 0

    @Flag(help: "Continue the newest unfinished scan in --db of the same input; domains already stored are not scanned again.")
    var resume = false

    @Flag(help: "With --resume: scan again the domains stored as dns-error (e.g. after the resolver stopped answering).")
    var retryErrors = false

    func validate() throws {
        guard concurrency >= 1, concurrency <= 100_000 else { throw ValidationError("--concurrency must be 1 to 100000") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more") }
        guard shards >= 1, (0..<shards).contains(shard) else { throw ValidationError("--shard must be 0 to --shards - 1") }
        if resume && input == "-" { throw ValidationError("--resume needs an input file (stdin cannot be read again)") }
        if retryErrors && !resume { throw ValidationError("--retry-errors goes with --resume") }
    }

    func run() async throws {
        let scanTime = Int64(Date().timeIntervalSince1970)
        let (reader, size, sha) = openInput()
        let exclusions = try loadExclusions()
        let store: ScanStore
        do { store = try ScanStore(path: db) } catch { fail("cannot open database '\(db)': \(error)") }

        var skip = LineSet()
        let scanID: Int64
        if resume, let sha, let id = try resumableScan(store, sha: sha) {
            scanID = id
            if retryErrors {
                let n = try store.forgetDomains(scanID: id, statuses: [DomainStatus.dnsError.rawValue])
                Console.error("mtasts scan: --retry-errors: \(n) dns-error rows of scan \(id) will be scanned again")
            }
            skip = try store.completedLineNumbers(scanID: id)
            Console.error("mtasts scan: resuming scan \(id), \(skip.count) lines already stored")
        } else {
            if resume { Console.error("mtasts scan: no unfinished scan of this input in \(db); starting a new one") }
            let meta = ScanMeta(label: label ?? (input == "-" ? "stdin" : URL(fileURLWithPath: input).lastPathComponent),
                                toolVersion: toolVersion, flags: flagsJSON(), inputName: input, inputSHA256: sha ?? (input == "-" ? "stdin" : "pipe"), shardCount: shards,
                                shardIndex: shard, contact: network.contact, startedAt: scanTime)
            scanID = try store.beginScan(meta)
        }

        let loop: EventLoop
        do { loop = try EventLoop(config: try network.netConfig()) } catch let e as ValidationError { throw e } catch { fail("\(error)") }
        defer { loop.shutdown() }
        let options = network.scanOptions(scanTime: scanTime)
        let probes = ProbeCache(loop: loop, port: options.smtpPort, perAddressConcurrency: options.perAddressConcurrency,
                                perAddressRate: options.perAddressRate,
                                perAddressBackoff: options.perAddressBackoff,
                                exclusions: exclusions, sniProbe: !network.noSNIProbe)
        let runner = ScanRunner(scanner: DomainScanner(loop: loop, options: options, probes: probes, exclusions: exclusions),
                                config: RunnerConfig(concurrency: concurrency, rate: rate, exclusions: exclusions,
                                                     shardCount: shards, shardIndex: shard),
                                store: store, scanID: scanID)
        let signals = SignalHandling.install(stop: runner.stopRequested)
        defer { signals.forEach { $0.cancel() } }
        let progress = runner.progress
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                if !Task.isCancelled { Console.error(progress.statusLine()) }
            }
        }
        let counts: ScanCounts
        do {
            counts = try await runner.run(reader: reader, skip: skip, inputSize: size)
        } catch {
            ticker.cancel()
            fail("scan \(scanID) stopped: \(error) (what was committed is kept; rerun with --resume)")
        }
        ticker.cancel()
        if runner.stopRequested.isSet {
            Console.error(runner.progress.summary(scanID: scanID) + "interrupted: rerun with --resume to finish scan \(scanID)")
            throw ExitCode(130)
        }
        if let e = reader.readError {
            fail("scan \(scanID) stopped: cannot read input \(input == "-" ? "stdin" : "'\(input)'"): \(e) (what was committed is kept)")
        }
        // Stdin or a pipe was hashed as it was read: its digest is known only now.
        try store.finishScan(id: scanID, counts: counts, inputSHA256: sha == nil ? reader.sha256Hex : nil)
        Console.error(runner.progress.summary(scanID: scanID)
                      + "  lines read: \(counts.linesRead), invalid: \(counts.invalid), duplicates skipped: \(counts.duplicates), excluded: \(counts.excluded)")
    }

    /// The newest unfinished scan of this input and shard; with --retry-errors a finished one
    /// too, since its dns-error rows are what is to be scanned again.
    func resumableScan(_ store: ScanStore, sha: String) throws -> Int64? {
        if let id = try store.findResumableScan(inputSHA256: sha, shardCount: shards, shardIndex: shard) { return id }
        guard retryErrors else { return nil }
        return try store.scans().last { $0.meta.inputSHA256 == sha && $0.meta.shardCount == shards && $0.meta.shardIndex == shard }?.id
    }

    func fail(_ message: String) -> Never {
        Console.error("mtasts scan: " + message)
        Foundation.exit(ExitStatus.failure)
    }

    /// The input's reader, its size (for the ETA) and its SHA-256 (a scan's provenance; the key of
    /// --resume). A regular file is hashed first, then read again from its start. Stdin or a pipe
    /// (a FIFO, `<(...)`) cannot be read twice: it is hashed as it is read, its digest stored when
    /// the scan finishes (nil here). A directory, a closed stdin or an unreadable path is a clear
    /// error before any scan row exists.
    func openInput() -> (InputReader, Int?, String?) {
        let name = input == "-" ? "stdin" : "'\(input)'"
        let fd: Int32
        if input == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(input, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { fail("cannot read input \(name): \(String(cString: strerror(errno)))") }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            fail(errno == EBADF ? "stdin is closed: give an input file, or a list on stdin" : "cannot read input \(name): \(String(cString: strerror(errno)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            fail("input \(name) is a directory: give a file with one domain per line")
        case S_IFREG:
            // From where it stands (stdin redirected from a file may be read partly already).
            let start = lseek(fd, 0, SEEK_CUR)
            var sha = SHA256()
            var size = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { fail("cannot read input \(name): \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                sha.update(chunk[..<n])
                size += n
            }
            guard start >= 0, lseek(fd, start, SEEK_SET) == start else { fail("cannot read input \(name) twice: \(String(cString: strerror(errno)))") }
            return (InputReader(fileDescriptor: fd), size, SHA256.hexString(sha.finish()))
        case S_IFIFO, S_IFCHR, S_IFSOCK:
            if resume { fail("--resume needs a regular file as input; \(name) can be read only once") }
            return (InputReader(fileDescriptor: fd, hashing: true), nil, nil)
        default:
            // A closed stdin: the runtime's own descriptors (an eventfd, an epoll) take number 0
            // before main runs, so fstat succeeds on something that is no file at all.
            fail(input == "-" ? "stdin is closed: give an input file, or a list on stdin"
                              : "input \(name) is not a file, a pipe or a device")
        }
    }

    func loadExclusions() throws -> ExclusionList {
        guard let exclude else { return ExclusionList() }
        guard let data = FileManager.default.contents(atPath: exclude) else { fail("cannot read --exclude file '\(exclude)'") }
        let list = ExclusionList(text: String(decoding: data, as: UTF8.self))
        for r in list.rejected { Console.error("mtasts scan: --exclude \(exclude):\(r.line): '\(r.text)' is neither a domain nor a CIDR range; ignored") }
        return list
    }

    /// The options that shaped this scan, recorded in its row.
    func flagsJSON() -> String {
        JSONValue.object([
            ("resolvers", .array(network.resolvers.map(JSONValue.string))), ("ca_file", .optional(network.caFile)),
            ("https_port", .int(network.httpsPort)), ("smtp_port", .int(network.smtpPort)),
            ("timeout", .string(String(network.timeout))), ("retries", .int(network.retries)),
            ("no_smtp", .bool(network.noSMTP)), ("no_sni_probe", .bool(network.noSNIProbe)),
            ("probe_all_mx", .bool(network.probeAllMX)),
            ("ehlo_name", .optional(network.ehloName)), ("concurrency", .int(concurrency)),
            ("rate", .string(String(rate))), ("exclude", .optional(exclude)),
            ("shards", .int(shards)), ("shard", .int(shard)),
            ("per_address_concurrency", .int(network.perAddressConcurrency)),
            ("per_address_rate", .string(String(network.perAddressRate))),
            ("per_address_backoff", .string(String(network.perAddressBackoff))),
            ("max_mx_hosts", .int(network.maxMXHosts)),
            ("domain_timeout", .string(String(network.domainTimeout ?? DomainDeadline.defaultSeconds(timeout: network.timeout, retries: network.retries)))),
        ]).rendered()
    }
}

/// SIGINT (Ctrl-C) or SIGTERM: stop reading input, finish and commit what is in flight. A second
/// SIGINT stops at once (everything committed so far is kept; --resume continues).
///
/// SIGTERM never stops at once, however often it comes: it is how batch systems and service
/// managers ask for a clean stop, and they send it more than once. A Slurm requeue or scancel
/// signals every process of the task, so mtasts gets SIGTERM from Slurm and again from the batch
/// script passing it on; GNU parallel repeats it (--termseq TERM,200,TERM,100,...). Each of them
/// sends SIGKILL after its grace time, which is the "stop at once" of that path. Only a person
/// pressing Ctrl-C twice means "do not wait".
enum SignalHandling {
    static func install(stop: StopFlag) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isSet {
                    guard sig == SIGINT else {
                        Console.error("mtasts scan: SIGTERM again: still finishing the domains in flight (SIGINT twice or SIGKILL stops at once)")
                        return
                    }
                    Console.error("mtasts scan: second interrupt, stopping now")
                    // _exit, not exit: exit runs atexit handlers and static destructors while the
                    // I/O thread and the writer still run, which crashed (SIGSEGV, exit 139, seen
                    // by the E2E double-SIGINT test). Committed batches are safe in the WAL.
                    _exit(130)
                }
                let what = sig == SIGINT ? "interrupt" : "SIGTERM"
                let again = sig == SIGINT ? "Ctrl-C again to stop at once" : "SIGINT twice or SIGKILL stops at once"
                Console.error("mtasts scan: \(what): finishing the domains in flight (\(again))")
                stop.set()
            }
            source.resume()
            return source
        }
    }
}
