// The curl half of the loop: policy fetches (HTTPS) and STARTTLS probes (SMTP) as easy handles on
// one multi handle. Curl never resolves a name: the addresses c-ares found are pinned with
// CURLOPT_RESOLVE. Certificates are judged from one connection: OpenSSL verifies against our
// store and records the result without aborting (VERIFYPEER 0 + our store), the chain is read in
// PREREQFUNCTION, and the name and date checks are MTASTSCore's.
import CCurl
import Foundation
import MTASTSCore

enum TransferResult {
    case policyResult(PolicyFetchEvidence)
    case smtpResult(SMTPProbeEvidence)

    var policy: PolicyFetchEvidence? { if case .policyResult(let p) = self { return p } else { return nil } }
    var smtp: SMTPProbeEvidence? { if case .smtpResult(let s) = self { return s } else { return nil } }
}

/// One easy handle's state; passed to curl's callbacks as their user pointer.
final class Transfer {
    enum Kind { case policy, smtp }
    let kind: Kind
    let host: String
    let addresses: [String]
    let port: Int
    let continuation: CheckedContinuation<TransferResult, Never>
    /// Send SNI (the host name). Off: connect to the address literal, so no SNI is sent (§7.1:
    /// servers must not require SNI; a different certificate without it is worth knowing).
    var sni = true
    /// Allow TLS 1.0 and 1.1 and weak ciphers, only to learn what an old server speaks after a
    /// failed handshake at the TLS 1.2 floor.
    var legacyTLS = false

    var easy: UnsafeMutableRawPointer?
    /// The easy handle is in the multi handle: only then does `finish` remove it from there.
    var added = false
    /// This transfer's own DNS cache (see startTransfer).
    var share: UnsafeMutableRawPointer?
    var resolveList: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var bodyLimit = 65_536
    var tooLarge = false
    var lines: [String] = []
    /// SMTP: when each line of `lines` arrived, microseconds from `startedAt` (the step times).
    var lineMicros: [Int] = []
    var tlsVersion: String?
    var tlsCipher: String?
    var tlsSeenMicros: Int?
    /// The first fatal TLS alert of the handshake (the SSL_CTX's info callback, below).
    var tlsAlert: String?
    /// The trust store, for the SSL_CTX callback (whose data pointer is this transfer).
    var trustStore: OpaquePointer?
    var verifyResult = -1
    var chain: [[UInt8]] = []
    var startedAt: UInt64 = 0
    /// `startedAt` in microseconds, for the step times.
    var startedMicros: UInt64 = 0
    /// Where curl may connect (ConnectionGuard.swift); set before the handle exists.
    var peers: PinnedPeers?
    /// Why the guard stopped this transfer (ConnectionGuard.swift), for the evidence's detail.
    var refusal: String?
    /// CURLOPT_ERRORBUFFER must outlive the transfer, so it is allocated here, not borrowed.
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(kind: Kind, host: String, addresses: [String], port: Int, continuation: CheckedContinuation<TransferResult, Never>) {
        self.kind = kind
        self.host = host
        self.addresses = addresses
        self.port = port
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }
}

extension EventLoop {
    func setUpCurl() throws {
        guard let m = curl_multi_init() else { throw NetError("libcurl: curl_multi_init failed") }
        multi = m
        let me = Unmanaged.passUnretained(self).toOpaque()
        try Checked.multi(mtasts_curl_multi_setopt_socketfn(m) { _, fd, what, userp, _ in
            let loop = Unmanaged<EventLoop>.fromOpaque(userp!).takeUnretainedValue()
            switch what {
            case CURL_POLL_REMOVE: loop.watch(fd, owner: .curl, read: false, write: false)
            default: loop.watch(fd, owner: .curl, read: what & CURL_POLL_IN != 0, write: what & CURL_POLL_OUT != 0)
            }
            return 0
        }, "setting CURLMOPT_SOCKETFUNCTION")
        try Checked.multi(mtasts_curl_multi_setopt_pointer(m, CURLMOPT_SOCKETDATA, me), "setting CURLMOPT_SOCKETDATA")
        try Checked.multi(mtasts_curl_multi_setopt_timerfn(m) { _, timeoutMillis, userp in
            let loop = Unmanaged<EventLoop>.fromOpaque(userp!).takeUnretainedValue()
            loop.curlDeadline = timeoutMillis < 0 ? nil : EventLoop.monotonicMillis() + UInt64(timeoutMillis)
            return 0
        }, "setting CURLMOPT_TIMERFUNCTION")
        try Checked.multi(mtasts_curl_multi_setopt_pointer(m, CURLMOPT_TIMERDATA, me), "setting CURLMOPT_TIMERDATA")
    }

    func loadTrustStore() throws {
        let path = config.caFile ?? NetConfig.systemCABundle
        guard let store = X509_STORE_new() else { throw NetError("OpenSSL: X509_STORE_new failed") }
        guard X509_STORE_load_file(store, path) == 1 else {
            X509_STORE_free(store)
            throw NetError("cannot load trusted roots from '\(path)' (give --ca-file PEM)")
        }
        trustStore = store
    }

    func startTransfer(_ t: Transfer) {
        // Nothing from a DNS answer reaches curl unchecked (ConnectionGuard.swift).
        t.startedAt = Self.monotonicMillis()
        t.startedMicros = Self.monotonicMicros()
        t.trustStore = trustStore
        guard t.hostIsSafe, let peers = PinnedPeers(addresses: t.addresses, port: t.port) else {
            t.refusal = "not started: '\(t.host)' is not a host name, or an address is not an IP literal"
            finish(t, code: CURLE_URL_MALFORMAT)
            return
        }
        t.peers = peers
        guard let easy = curl_easy_init() else {
            finish(t, code: CURLE_FAILED_INIT)
            return
        }
        t.easy = easy
        t.bodyLimit = config.maxBodyBytes
        let me = Unmanaged.passRetained(t).toOpaque()   // released in finish()
        // Every option's result is checked: one that failed (an option this libcurl lacks, no
        // memory) would silently drop a guard or a limit, so the transfer then does not start.
        var options = CheckedOptions(easy)

        let pinned = t.addresses.map(Self.literal).joined(separator: ",")
        t.resolveList = curl_slist_append(nil, "\(t.host):\(t.port):\(pinned)")
        guard t.resolveList != nil else {   // no memory: without the pin curl would resolve the name
            finish(t, code: CURLE_OUT_OF_MEMORY)
            return
        }
        // The pinned addresses go into a DNS cache of this transfer's own. In the multi handle's
        // shared cache a CURLOPT_RESOLVE entry never expires, and curl walks the whole cache on
        // every transfer: one entry per host scanned made that quadratic (perf: curl's
        // hostcache_timestamp_remove was the top libcurl entry at 100k domains), and two probes
        // of one MX host on different addresses would overwrite each other's entry.
        // Without it the pins would pile up in the shared cache again: the transfer does not start.
        guard let share = curl_share_init() else {
            finish(t, code: CURLE_OUT_OF_MEMORY)
            return
        }
        t.share = share
        guard mtasts_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue)) == CURLSHE_OK else {
            finish(t, code: CURLE_FAILED_INIT)
            return
        }
        options.pointer(CURLOPT_SHARE, share)
        options.slist(CURLOPT_RESOLVE, t.resolveList)
        // The last word on where curl connects: only a pinned (address, port).
        options.check(mtasts_curl_setopt_opensocket(easy) { clientp, _, address in
            let t = Unmanaged<Transfer>.fromOpaque(clientp!).takeUnretainedValue()
            guard let address, t.peers?.permits(address) == true else {
                t.refusal = "refused a connection to an address or port the scanner did not resolve"
                return CURL_SOCKET_BAD
            }
            return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
        })
        options.pointer(CURLOPT_OPENSOCKETDATA, me)
        options.string(CURLOPT_PROTOCOLS_STR, t.kind == .policy ? "https" : "smtp")
        options.pointer(CURLOPT_PRIVATE, me)
        options.pointer(CURLOPT_ERRORBUFFER, t.errorBuffer)
        options.long(CURLOPT_NOSIGNAL, 1)
        options.long(CURLOPT_TIMEOUT_MS, config.timeoutMillis)
        options.long(CURLOPT_CONNECTTIMEOUT_MS, config.timeoutMillis)
        options.long(CURLOPT_FORBID_REUSE, 1)
        // Each host is contacted once per scan, and a resumed session would show no chain.
        options.long(CURLOPT_SSL_SESSIONID_CACHE, 0)
        // TLS: verify against our store, record the verdict, never abort on it (see file header).
        options.long(CURLOPT_SSL_VERIFYPEER, 0)
        options.long(CURLOPT_SSL_VERIFYHOST, 0)
        if t.legacyTLS {
            options.long(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_0) | Int(CURL_SSLVERSION_MAX_TLSv1_1))
            options.string(CURLOPT_SSL_CIPHER_LIST, "DEFAULT@SECLEVEL=0")
        } else {
            options.long(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        }
        options.check(mtasts_curl_setopt_sslctx(easy) { _, sslctx, parm in
            let t = Unmanaged<Transfer>.fromOpaque(parm!).takeUnretainedValue()
            let ctx = OpaquePointer(sslctx)
            SSL_CTX_set1_cert_store(ctx, t.trustStore)
            // VERIFY_NONE still runs chain verification and records the result for
            // SSL_get_verify_result; it only stops the handshake from failing on it.
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
            // curl makes an SSL_CTX per connection: its app data finds this transfer again in
            // the info callback, which sees the alerts.
            guard SSL_CTX_set_ex_data(ctx, 0, parm) == 1 else { return CURLE_OUT_OF_MEMORY }
            SSL_CTX_set_info_callback(ctx) { ssl, where_, ret in
                // Only a fatal alert ("F"), looked at before the transfer is: close_notify, the
                // one alert of a connection closed as its transfer finishes, is a warning ("W").
                guard where_ & SSL_CB_ALERT != 0, SSL_alert_type_string(ret).pointee == CChar(UInt8(ascii: "F")),
                      let ssl, let ctx = SSL_get_SSL_CTX(ssl), let data = SSL_CTX_get_ex_data(ctx, 0) else { return }
                let t = Unmanaged<Transfer>.fromOpaque(data).takeUnretainedValue()
                guard t.tlsAlert == nil, t.tlsVersion == nil else { return }   // the first one, of the handshake
                t.tlsAlert = (where_ & SSL_CB_READ != 0 ? "received: " : "sent: ") + String(cString: SSL_alert_desc_string_long(ret))
            }
            return CURLE_OK
        })
        options.pointer(CURLOPT_SSL_CTX_DATA, me)
        options.check(mtasts_curl_setopt_prereq(easy) { clientp, _, _, _, _ in
            let t = Unmanaged<Transfer>.fromOpaque(clientp!).takeUnretainedValue()
            t.captureTLS()
            return 0   // CURL_PREREQFUNC_OK
        })
        options.pointer(CURLOPT_PREREQDATA, me)
        options.check(mtasts_curl_setopt_write(easy, CURLOPT_HEADERFUNCTION) { ptr, size, n, userp in
            let t = Unmanaged<Transfer>.fromOpaque(userp!).takeUnretainedValue()
            let count = size * n
            if t.lines.count < 200, let ptr {
                // Without the line's CR LF; bytes, not Foundation's trimming, on every header line.
                var raw = UnsafeRawBufferPointer(start: ptr, count: min(count, 1024))
                while let last = raw.last, last == 0x0A || last == 0x0D { raw = UnsafeRawBufferPointer(rebasing: raw.dropLast()) }
                t.lines.append(String(decoding: raw, as: UTF8.self))
                if t.kind == .smtp { t.lineMicros.append(Int(EventLoop.monotonicMicros() - t.startedMicros)) }
            }
            return count
        })
        options.pointer(CURLOPT_HEADERDATA, me)
        options.check(mtasts_curl_setopt_write(easy, CURLOPT_WRITEFUNCTION) { ptr, size, n, userp in
            let t = Unmanaged<Transfer>.fromOpaque(userp!).takeUnretainedValue()
            let count = size * n
            // The size limit lives here: MAXFILESIZE misses chunked bodies of unknown length.
            let room = t.bodyLimit - t.body.count
            if count > room {
                t.tooLarge = true
                return 0   // aborts the transfer with CURLE_WRITE_ERROR
            }
            if let ptr { t.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: count)) }
            return count
        })
        options.pointer(CURLOPT_WRITEDATA, me)

        switch t.kind {
        case .policy:
            options.string(CURLOPT_URL, "https://\(t.host):\(t.port)/.well-known/mta-sts.txt")
            options.long(CURLOPT_FOLLOWLOCATION, 0)   // §3.3: never follow
            options.string(CURLOPT_USERAGENT, config.userAgent)
            options.long(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .smtp:
            // The URL's path is the EHLO name; CUSTOMREQUEST NOOP with no MAIL/RCPT makes curl send
            // EHLO, STARTTLS, EHLO, NOOP, QUIT and nothing else.
            let target = t.sni ? t.host : Self.literal(t.addresses[0])
            options.string(CURLOPT_URL, "smtp://\(target):\(t.port)/\(config.ehloName)")
            options.long(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
            options.string(CURLOPT_CUSTOMREQUEST, "NOOP")
        }
        if let failed = options.firstFailure {
            finish(t, code: failed)
            return
        }
        if curl_multi_add_handle(multi, easy) == CURLM_OK {
            t.added = true
        } else {
            finish(t, code: CURLE_FAILED_INIT)
        }
    }

    /// An address as curl wants it in a URL or CURLOPT_RESOLVE: IPv6 in brackets.
    static func literal(_ address: String) -> String { address.contains(":") ? "[\(address)]" : address }

    func collectFinishedTransfers() {
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle else { continue }
            let code = mtasts_curlmsg_result(msg)
            var priv: UnsafeMutablePointer<CChar>?
            // CURLINFO_PRIVATE only reads back the pointer startTransfer set (it was checked
            // there) and cannot fail for a handle of ours; one without it is a bug, not a state.
            guard mtasts_curl_getinfo_string(easy, CURLINFO_PRIVATE, &priv) == CURLE_OK, let priv else {
                preconditionFailure("a finished curl handle without its Transfer")
            }
            let t = Unmanaged<Transfer>.fromOpaque(UnsafeRawPointer(priv)).takeUnretainedValue()
            finish(t, code: code)
        }
    }

    func finish(_ t: Transfer, code: CURLcode) {
        let millis = Int(Self.monotonicMillis() - t.startedAt)
        let curlText = t.errorBuffer[0] != 0 ? String(cString: t.errorBuffer) : (code == CURLE_OK ? nil : String(cString: curl_easy_strerror(code)))
        let detail = t.refusal.map { r in curlText.map { "\(r) (\($0))" } ?? r } ?? curlText
        let result: TransferResult
        switch t.kind {
        case .policy: result = .policyResult(policyEvidence(t, code: code, detail: detail, curlText: curlText))
        case .smtp: result = .smtpResult(smtpEvidence(t, code: code, detail: detail, curlText: curlText, millis: millis))
        }
        if let easy = t.easy {
            // Removing a handle that was added fails only for a handle or multi that is not
            // curl's (CURLM_BAD_HANDLE, CURLM_BAD_EASY_HANDLE): a bug, checked in debug builds.
            if t.added {
                let removed = curl_multi_remove_handle(multi, easy)
                assert(removed == CURLM_OK, "curl_multi_remove_handle: \(removed)")
            }
            curl_easy_cleanup(easy)
            Unmanaged<Transfer>.passUnretained(t).release()   // the +1 taken in startTransfer
        }
        if let share = t.share {
            // After the handle that used it; CURLSHE_IN_USE would mean a handle still holds it,
            // which the cleanup just above rules out.
            let cleaned = curl_share_cleanup(share)
            assert(cleaned == CURLSHE_OK, "curl_share_cleanup: \(cleaned)")
        }
        curl_slist_free_all(t.resolveList)
        t.continuation.resume(returning: result)
    }
}

/// curl_easy_setopt's results, each checked: the first failure is kept, and the transfer does not
/// start with an option missing (a dropped guard or limit would go unnoticed otherwise).
struct CheckedOptions {
    let easy: UnsafeMutableRawPointer
    private(set) var firstFailure: CURLcode?

    init(_ easy: UnsafeMutableRawPointer) { self.easy = easy }

    mutating func check(_ rc: CURLcode) { if rc != CURLE_OK, firstFailure == nil { firstFailure = rc } }
    mutating func long(_ o: CURLoption, _ v: Int) { check(mtasts_curl_setopt_long(easy, o, v)) }
    mutating func string(_ o: CURLoption, _ v: String) { check(mtasts_curl_setopt_string(easy, o, v)) }
    mutating func pointer(_ o: CURLoption, _ v: UnsafeMutableRawPointer?) { check(mtasts_curl_setopt_pointer(easy, o, v)) }
    mutating func slist(_ o: CURLoption, _ v: UnsafeMutablePointer<curl_slist>?) { check(mtasts_curl_setopt_slist(easy, o, v)) }
}
