// The conformance table of TransferJudge: raw transfer facts -> outcome word, for every class of
// CURLcode the judgement distinguishes and every class of SMTP reply (RFC 5321 §4.2.1: 2yz
// positive, 4yz transient, 5yz permanent; 220 "ready" to STARTTLS, RFC 3207 §4). The expected
// words are the docs' (docs/VERDICTS.md, "SMTP probe outcomes"), written here by hand, not
// computed by the code under test.
import MTASTSCore
import Testing

@Suite struct TransferJudgeTests {
    static func r(_ line: String, _ at: Int = 1000) -> SMTPReply { SMTPReply(code: SMTPReply.code(of: line), line: line, micros: at) }
    static let greet = r("220 mx.example ESMTP")
    static let ehloTLS = r("250 STARTTLS")
    static let ehloLinesTLS = ["250-mx.example", "250 STARTTLS"]
    static let ehloLinesPlain = ["250-mx.example", "250 8BITMIME"]

    static func smtp(_ code: Int, _ replies: [SMTPReply], tls: String? = nil, guarded: Bool = false) -> TransferFacts {
        TransferFacts(curlCode: code, refusedByGuard: guarded ? true : nil, timeoutMillis: 10_000, tlsVersion: tls, replies: replies)
    }

    /// (case, facts, EHLO lines, expected outcome)
    static let smtpTable: [(String, TransferFacts, [String], SMTPProbeEvidence.Outcome)] = [
        ("session through TLS and NOOP", smtp(0, [greet, ehloTLS, r("220 ready"), ehloTLS, r("250 ok")], tls: "TLSv1.3"), ehloLinesTLS, .completed),
        ("failure after TLS (NOOP refused)", smtp(8, [greet, ehloTLS, r("220 ready"), ehloTLS, r("502 no")], tls: "TLSv1.2"), ehloLinesTLS, .failedAfterTLS),
        ("timeout after TLS", smtp(28, [greet, ehloTLS, r("220 ready"), ehloTLS], tls: "TLSv1.2"), ehloLinesTLS, .failedAfterTLS),
        ("connection refused", smtp(7, []), [], .connectFailed),
        ("guard refused", smtp(7, [], guarded: true), [], .connectFailed),
        ("guard refused before start", smtp(3, [], guarded: true), [], .connectFailed),
        ("no greeting in time", smtp(28, []), [], .timeout),
        ("unfinished greeting (trickle)", smtp(28, [r("220-slow greeting")]), [], .timeout),
        ("greeting 421 (4yz)", smtp(8, [r("421 4.3.2 busy")]), [], .greetingRejected),
        ("greeting 421 then timeout", smtp(28, [r("421 busy")]), [], .greetingRejected),
        ("greeting 554 (5yz)", smtp(8, [r("554 go away")]), [], .greetingRejected),
        ("greeting not a reply", smtp(8, [r("HTTP/1.1 400 Bad")]), [], .greetingRejected),
        ("closed before a greeting", smtp(56, []), [], .greetingRejected),
        ("nothing at all", smtp(52, []), [], .greetingRejected),
        ("EHLO without STARTTLS", smtp(64, [greet, r("250 8BITMIME")]), ehloLinesPlain, .starttlsNotOffered),
        ("STARTTLS offered, 454 to it", smtp(64, [greet, ehloTLS, r("454 4.7.0 TLS not available")]), ehloLinesTLS, .starttlsRefused),
        ("STARTTLS offered, 501 to it", smtp(64, [greet, ehloTLS, r("501 5.5.4 no")]), ehloLinesTLS, .starttlsRefused),
        ("starttls in lower case", smtp(64, [greet, r("250 starttls")]), ["250-mx", "250 starttls"], .starttlsRefused),
        ("220 to STARTTLS, handshake failed", smtp(35, [greet, ehloTLS, r("220 ready")]), ehloLinesTLS, .tlsHandshakeFailed),
        ("220 to STARTTLS, then garbage", smtp(56, [greet, ehloTLS, r("220 ready")]), ehloLinesTLS, .tlsHandshakeFailed),
        ("220 to STARTTLS, then timeout", smtp(28, [greet, ehloTLS, r("220 ready")]), ehloLinesTLS, .timeout),
        ("closed after EHLO", smtp(56, [greet, ehloTLS]), ehloLinesTLS, .greetingRejected),
    ]

    @Test(arguments: 0..<smtpTable.count) func smtpConformance(_ i: Int) {
        let (name, facts, ehlo, expected) = Self.smtpTable[i]
        #expect(TransferJudge.smtpOutcome(facts, ehlo: ehlo) == expected, "\(name)")
    }

    static func https(_ code: Int, tls: String? = nil, guarded: Bool = false) -> TransferFacts {
        TransferFacts(curlCode: code, refusedByGuard: guarded ? true : nil, timeoutMillis: 10_000, tlsVersion: tls)
    }

    /// (case, facts, body over the limit, expected outcome)
    static let policyTable: [(String, TransferFacts, Bool, PolicyFetchEvidence.Outcome)] = [
        ("response", https(0, tls: "TLSv1.3"), false, .response),
        ("body cut at the limit", https(23, tls: "TLSv1.3"), true, .response),
        ("write error not ours", https(23, tls: "TLSv1.3"), false, .connectFailed),
        ("connection refused", https(7), false, .connectFailed),
        ("guard refused", https(3, guarded: true), false, .connectFailed),
        ("timeout", https(28), false, .timeout),
        ("timeout after TLS", https(28, tls: "TLSv1.2"), false, .timeout),
        ("SSL connect error", https(35), false, .tlsHandshakeFailed),
        ("cert problem", https(58), false, .tlsHandshakeFailed),
        ("cipher", https(59), false, .tlsHandshakeFailed),
        ("peer verification", https(60), false, .tlsHandshakeFailed),
        ("issuer", https(83), false, .tlsHandshakeFailed),
        ("pinned key", https(90), false, .tlsHandshakeFailed),
        ("cert status", https(91), false, .tlsHandshakeFailed),
        ("garbage instead of TLS", https(56), false, .tlsHandshakeFailed),
        ("nothing before TLS", https(52), false, .tlsHandshakeFailed),
        ("closed after TLS", https(52, tls: "TLSv1.3"), false, .connectFailed),
        ("recv error after TLS", https(56, tls: "TLSv1.3"), false, .connectFailed),
    ]

    @Test(arguments: 0..<policyTable.count) func policyConformance(_ i: Int) {
        let (name, facts, tooLarge, expected) = Self.policyTable[i]
        #expect(TransferJudge.policyOutcome(facts, bodyTooLarge: tooLarge) == expected, "\(name)")
    }

    @Test func replyCodes() {
        #expect(SMTPReply.code(of: "220 hi") == 220)
        #expect(SMTPReply.code(of: "421-busy") == 421)
        #expect(SMTPReply.code(of: "22") == -1)
        #expect(SMTPReply.code(of: "2x0 no") == -1)
        #expect(SMTPReply.code(of: "") == -1)
    }

    // MARK: - As if a shorter timeout

    /// A session that took 3 s to greet (a slow server) and completed under a 10 s timeout.
    static func slowProbe() -> SMTPProbeEvidence {
        let facts = TransferFacts(curlCode: 0, timeoutMillis: 10_000, connectMicros: 200, tlsMicros: 3_200_000,
                                  firstByteMicros: 3_400_000, totalMicros: 3_500_000, tlsVersion: "TLSv1.3",
                                  tlsCipher: "TLS_AES_256_GCM_SHA384", tlsSeenMicros: 3_300_000,
                                  replies: [r("220 mx", 3_000_000), r("250 STARTTLS", 3_050_000), r("220 go", 3_100_000),
                                            r("250 STARTTLS", 3_300_000), r("250 ok", 3_400_000)])
        var p = SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed, banner: "220 mx", ehlo: ["250 STARTTLS"],
                                  ehloTLS: ["250 STARTTLS"], tls: TLSFacts(version: "TLSv1.3", verifyResult: 0, leafDNSNames: ["mx"],
                                                                           notBefore: nil, notAfter: nil),
                                  millis: 3500, facts: facts)
        p.noSNILeafDiffers = false
        return p
    }

    @Test func aShorterTimeoutCutsWhatCameLater() {
        let p = Self.slowProbe()
        // Every step within 4 s: nothing changes. Not shorter than its own timeout: unknown, kept.
        #expect(TransferJudge.asIfTimeout(p, millis: 4000) == p)
        #expect(TransferJudge.asIfTimeout(p, millis: 20_000) == p)
        // 2 s: before the greeting, a timeout with nothing seen.
        let two = TransferJudge.asIfTimeout(p, millis: 2000)
        #expect(two.outcome == .timeout && two.banner == nil && two.ehlo.isEmpty && two.tls == nil && two.noSNILeafDiffers == nil)
        #expect(two.facts?.replies == [] && two.facts?.curlCode == CurlCode.operationTimedOut && two.facts?.tlsMicros == 0)
        // 3.06 s: greeting and EHLO seen, STARTTLS not answered yet: a timeout with the banner.
        let mid = TransferJudge.asIfTimeout(p, millis: 3060)
        #expect(mid.outcome == .timeout && mid.banner == "220 mx" && mid.ehlo == ["250 STARTTLS"] && mid.tls == nil)
        // 3.35 s: the session was seen, the NOOP not answered: failed after TLS, TLS facts kept.
        let late = TransferJudge.asIfTimeout(p, millis: 3350)
        #expect(late.outcome == .failedAfterTLS, "\(late)")
        #expect(late.tls == p.tls && late.noSNILeafDiffers == false)
    }

    @Test func rejudgingFollowsTheFactsNotTheStoredWord() {
        var p = Self.slowProbe()
        p.outcome = .tlsHandshakeFailed   // a stale word, as a wrong mapping would have stored
        var noFacts = Self.slowProbe()
        noFacts.facts = nil
        noFacts.outcome = .starttlsRefused   // format 1: no facts, the word is all there is
        let e = Evidence(domain: "d.example", scanTime: 0,
                         mx: MXEvidence(lookup: .noError, hosts: [MXEvidence.Host(name: "mx", preference: 1, addresses: ["192.0.2.1"],
                                                                                 probes: [p, noFacts])], probed: true))
        let again = TransferJudge.rejudged(e)
        #expect(again.mx?.hosts[0].probes.map(\.outcome) == [.completed, .starttlsRefused])
        let short = TransferJudge.rejudged(e, timeoutMillis: 2000)
        #expect(short.mx?.hosts[0].probes.map(\.outcome) == [.timeout, .starttlsRefused])
    }

    @Test func aSlowPolicyResponseBecomesATimeout() {
        let facts = TransferFacts(curlCode: 0, timeoutMillis: 10_000, connectMicros: 100, tlsMicros: 2000, firstByteMicros: 5_000_000,
                                  totalMicros: 5_000_100, tlsVersion: "TLSv1.3", tlsSeenMicros: 2100)
        let tls = TLSFacts(version: "TLSv1.3", verifyResult: 0, leafDNSNames: ["mta-sts.d.example"], notBefore: nil, notAfter: nil)
        let p = PolicyFetchEvidence(outcome: .response, tls: tls, httpStatus: 200, contentType: "text/plain", headers: ["HTTP/1.1 200 OK"],
                                    body: Array("version: STSv1\n".utf8), millis: 5000, facts: facts)
        let cut = TransferJudge.asIfTimeout(p, millis: 2000)
        #expect(cut.outcome == .timeout && cut.httpStatus == nil && cut.body == nil && cut.headers == nil && cut.tls == tls)
        #expect(TransferJudge.asIfTimeout(p, millis: 1) .tls == nil)
        #expect(TransferJudge.asIfTimeout(p, millis: 6000) == p)
    }
}
