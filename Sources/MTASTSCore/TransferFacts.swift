// What the network boundary observed of one HTTPS fetch or SMTP session, before any judgement:
// libcurl's result code and text, the SMTP replies in order with their times, the negotiated TLS,
// curl's step times. The outcome words (`connect-failed`, `greeting-rejected`...) are judged from
// these by TransferJudge, a pure function: at scan time by the I/O layer, and again by
// `mtasts reclassify`, so a wrong judgement is mended without the network (issue 15). Evidence
// stored before these facts were kept (format 1) has none and keeps its stored words.

/// One HTTPS fetch or SMTP session with one address (a policy fetch may try several; curl's
/// `primaryIP` says which it used last), as libcurl and OpenSSL reported it.
public struct TransferFacts: Sendable, Hashable, Codable {
    /// libcurl's CURLcode (numbers are libcurl's ABI: 0 OK, 7 couldn't connect, 28 timed out...).
    public var curlCode: Int
    /// curl's error buffer, else curl_easy_strerror; nil when the code is 0.
    public var curlText: String?
    /// The connection guard (MTASTSNet/ConnectionGuard.swift) stopped the transfer: nothing was
    /// contacted. Nil: it did not.
    public var refusedByGuard: Bool?
    /// CURLINFO_PRIMARY_IP: the address of the last connection curl made (nil: none was made).
    public var primaryIP: String?
    /// The timeout the transfer ran under, in ms (connect and total alike).
    public var timeoutMillis: Int
    /// curl's step times in microseconds from the transfer's start (CURLINFO_CONNECT_TIME_T,
    /// APPCONNECT_TIME_T, STARTTRANSFER_TIME_T, TOTAL_TIME_T); 0 when the step was not reached.
    /// For SMTP, the TLS step is STARTTLS's handshake and the first byte is the NOOP's reply's.
    public var connectMicros: Int
    public var tlsMicros: Int
    public var firstByteMicros: Int
    public var totalMicros: Int
    /// The TLS session as read just before the request (HTTP GET, SMTP NOOP), and when, in
    /// microseconds from the start: nil when the transfer never got there. For SMTP that is after
    /// STARTTLS and the EHLO that follows it.
    public var tlsVersion: String?
    public var tlsCipher: String?
    public var tlsSeenMicros: Int?
    /// The first fatal TLS alert of the handshake, "sent: ..." or "received: ..." in OpenSSL's
    /// words ("received: handshake failure"); nil when none was seen.
    public var tlsAlert: String?
    /// SMTP only: every reply in the order received (greeting, EHLO, STARTTLS, EHLO after TLS,
    /// NOOP; fewer when the session ended early). Nil for HTTPS.
    public var replies: [SMTPReply]?

    public init(curlCode: Int, curlText: String? = nil, refusedByGuard: Bool? = nil, primaryIP: String? = nil,
                timeoutMillis: Int, connectMicros: Int = 0, tlsMicros: Int = 0, firstByteMicros: Int = 0, totalMicros: Int = 0,
                tlsVersion: String? = nil, tlsCipher: String? = nil, tlsSeenMicros: Int? = nil, tlsAlert: String? = nil,
                replies: [SMTPReply]? = nil) {
        self.curlCode = curlCode
        self.curlText = curlText
        self.refusedByGuard = refusedByGuard
        self.primaryIP = primaryIP
        self.timeoutMillis = timeoutMillis
        self.connectMicros = connectMicros
        self.tlsMicros = tlsMicros
        self.firstByteMicros = firstByteMicros
        self.totalMicros = totalMicros
        self.tlsVersion = tlsVersion
        self.tlsCipher = tlsCipher
        self.tlsSeenMicros = tlsSeenMicros
        self.tlsAlert = tlsAlert
        self.replies = replies
    }

    /// The SMTP steps by position (the session is always EHLO, STARTTLS, EHLO, NOOP).
    public var greeting: SMTPReply? { reply(0) }
    public var ehlo: SMTPReply? { reply(1) }
    public var starttls: SMTPReply? { reply(2) }
    public var ehloAfterTLS: SMTPReply? { reply(3) }
    private func reply(_ i: Int) -> SMTPReply? { replies.flatMap { i < $0.count ? $0[i] : nil } }
}

/// One SMTP reply (RFC 5321 §4.2), possibly of several lines.
public struct SMTPReply: Sendable, Hashable, Codable {
    /// The three digits of its first line; -1 when they are not three digits.
    public var code: Int
    /// Its last line as received (without CR LF). A last line with '-' after the code is a
    /// reply the server never finished.
    public var line: String
    /// When its last line arrived, microseconds from the transfer's start.
    public var micros: Int

    public init(code: Int, line: String, micros: Int) {
        self.code = code
        self.line = line
        self.micros = micros
    }

    /// The code of a reply line: its first three bytes as digits, else -1.
    public static func code(of line: String) -> Int {
        var n = 0, count = 0
        for b in line.utf8.prefix(3) {
            guard b >= 0x30, b <= 0x39 else { return -1 }
            n = n * 10 + Int(b - 0x30)
            count += 1
        }
        return count == 3 ? n : -1
    }
}

/// libcurl's CURLcode numbers that the judgement distinguishes. They are libcurl's ABI (curl.h
/// never renumbers); MTASTSNetTests checks them against the header.
public enum CurlCode {
    public static let ok = 0
    public static let failedInit = 2
    public static let urlMalformat = 3
    public static let couldntConnect = 7
    public static let writeError = 23
    public static let outOfMemory = 27
    public static let operationTimedOut = 28
    public static let sslConnectError = 35
    public static let gotNothing = 52
    public static let recvError = 56
    public static let sslCertProblem = 58
    public static let sslCipher = 59
    public static let peerFailedVerification = 60
    public static let useSSLFailed = 64
    public static let sslIssuerError = 83
    public static let sslPinnedPubKeyNotMatch = 90
    public static let sslInvalidCertStatus = 91

    /// The codes of a TLS handshake that failed.
    public static let tlsHandshake: Set<Int> = [sslConnectError, peerFailedVerification, sslCertProblem, sslCipher,
                                                sslIssuerError, sslPinnedPubKeyNotMatch, sslInvalidCertStatus]
}

// The stored members (EvidenceLayout.swift): a property added above is added here too.

extension TransferFacts: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("connectMicros", &connectMicros)
        v.member("curlCode", &curlCode)
        v.member("curlText", &curlText)
        v.member("firstByteMicros", &firstByteMicros)
        v.member("primaryIP", &primaryIP)
        v.member("refusedByGuard", &refusedByGuard)
        v.member("replies", &replies)
        v.member("timeoutMillis", &timeoutMillis)
        v.member("tlsAlert", &tlsAlert)
        v.member("tlsCipher", &tlsCipher)
        v.member("tlsMicros", &tlsMicros)
        v.member("tlsSeenMicros", &tlsSeenMicros)
        v.member("tlsVersion", &tlsVersion)
        v.member("totalMicros", &totalMicros)
    }
}

extension SMTPReply: EvidenceMembers {
    @inlinable public mutating func members<V: EvidenceVisitor>(_ v: inout V) {
        v.member("code", &code)
        v.member("line", &line)
        v.member("micros", &micros)
    }
}
