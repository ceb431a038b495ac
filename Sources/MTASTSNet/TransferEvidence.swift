// From a finished curl transfer to evidence values: the raw facts (TransferFacts) as libcurl and
// OpenSSL report them. Which outcome word they make is MTASTSCore's TransferJudge, not this
// layer's: it only observes, so `reclassify` can judge stored facts again (issue 15).
import CCurl
import Foundation
import MTASTSCore

extension Transfer {
    /// Runs in PREREQFUNCTION: after the handshake (for SMTP after STARTTLS and the second EHLO)
    /// and before the request, when the live SSL* is still there.
    func captureTLS() {
        guard let easy, let ssl = mtasts_curl_ssl(easy) else { return }
        tlsVersion = String(cString: SSL_get_version(ssl))
        if let cipher = SSL_get_current_cipher(ssl) { tlsCipher = String(cString: SSL_CIPHER_get_name(cipher)) }
        tlsSeenMicros = Int(EventLoop.monotonicMicros() - startedMicros)
        verifyResult = Int(SSL_get_verify_result(ssl))
        guard let stack = SSL_get_peer_cert_chain(ssl) else { return }
        // A hostile server could send a huge chain: keep at most 10 certificates of 100 KiB
        // (OpenSSL's own cap on a whole certificate list, SSL_CTX_set_max_cert_list, so nothing
        // a handshake accepted is cut). A certificate that cannot be kept ends the chain there:
        // skipping it would make the next one look like the leaf (a leaf with 2000 names, 65 KiB
        // of DER, was skipped and the CA's names judged in its place: Tests/Hostile/README.md).
        for i in 0..<min(Int(mtasts_x509_stack_count(stack)), 10) {
            var der: UnsafeMutablePointer<UInt8>?
            let n = mtasts_x509_to_der(mtasts_x509_stack_at(stack, Int32(i)), &der)
            defer { if let der { mtasts_openssl_free(der) } }
            guard n > 0, n <= 102_400, let der else { break }
            chain.append(Array(UnsafeBufferPointer(start: der, count: Int(n))))
        }
    }

    /// `linkSignatures`: record which certificate signed which, for DANE-TA (ChainSignatures).
    /// Only an SMTP probe needs it (DANE is for SMTP, RFC 7672); the policy fetch is judged by
    /// OpenSSL's own verification, so it skips the up-to-9 signature checks. The live SSL* is
    /// gone by now, so the kept DER is parsed again.
    func tlsFacts(linkSignatures: Bool) -> TLSFacts? {
        guard let tlsVersion else { return nil }
        return TLSFacts(version: tlsVersion, verifyResult: verifyResult, chainDER: chain,
                        chainLinksSigned: linkSignatures ? ChainSignatures.links(chain) : nil)
    }

    /// SMTP replies as curl's header callback saw them, grouped into multi-line responses:
    /// greeting, EHLO, STARTTLS, EHLO again, NOOP. With each, its code and when it ended.
    var smtpResponses: (lines: [[String]], replies: [SMTPReply]) {
        var responses: [[String]] = []
        var replies: [SMTPReply] = []
        var current: [String] = []
        var currentMicros = 0
        for (line, micros) in zip(lines, lineMicros) where line.count >= 3 {
            current.append(line)
            currentMicros = micros
            let b = Array(line.utf8)
            if b.count == 3 || b[3] != UInt8(ascii: "-") {   // "250 ok" ends a response, "250-x" goes on
                replies.append(SMTPReply(code: SMTPReply.code(of: current[0]), line: line, micros: micros))
                responses.append(current)
                current = []
            }
        }
        if let last = current.last {   // a response the server never finished
            replies.append(SMTPReply(code: SMTPReply.code(of: current[0]), line: last, micros: currentMicros))
            responses.append(current)
        }
        return (responses, replies)
    }

    /// What libcurl and OpenSSL reported of this transfer: the evidence's raw facts.
    func facts(code: CURLcode, curlText: String?, timeoutMillis: Int, replies: [SMTPReply]?) -> TransferFacts {
        var f = TransferFacts(curlCode: Int(code.rawValue), curlText: curlText, refusedByGuard: refusal != nil ? true : nil,
                              timeoutMillis: timeoutMillis, tlsVersion: tlsVersion, tlsCipher: tlsCipher,
                              tlsSeenMicros: tlsSeenMicros, tlsAlert: tlsAlert, replies: replies)
        guard let easy else {   // never started: no step was reached
            f.totalMicros = Int(EventLoop.monotonicMicros() - startedMicros)
            return f
        }
        // A getinfo that fails leaves the step at 0, "not reached": these read fields curl keeps
        // for every handle, so they fail only for a libcurl without them (7.61 and older).
        func micros(_ info: CURLINFO) -> Int {
            var v: curl_off_t = 0
            return mtasts_curl_getinfo_off_t(easy, info, &v) == CURLE_OK ? Int(v) : 0
        }
        f.connectMicros = micros(CURLINFO_CONNECT_TIME_T)
        f.tlsMicros = micros(CURLINFO_APPCONNECT_TIME_T)
        f.firstByteMicros = micros(CURLINFO_STARTTRANSFER_TIME_T)
        f.totalMicros = micros(CURLINFO_TOTAL_TIME_T)
        var ip: UnsafeMutablePointer<CChar>?
        if mtasts_curl_getinfo_string(easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK, let ip, ip[0] != 0 { f.primaryIP = String(cString: ip) }
        return f
    }
}

extension EventLoop {
    /// The fetch's facts and what they are judged to be (TransferJudge, in MTASTSCore); the
    /// response's fields only when it is judged a response.
    func policyEvidence(_ t: Transfer, code: CURLcode, detail: String?, curlText: String?) -> PolicyFetchEvidence {
        let millis = Int(Self.monotonicMillis() - t.startedAt)
        let facts = t.facts(code: code, curlText: curlText, timeoutMillis: config.timeoutMillis, replies: nil)
        var e = PolicyFetchEvidence(outcome: TransferJudge.policyOutcome(facts, bodyTooLarge: t.tooLarge), tls: t.tlsFacts(linkSignatures: false),
                                    detail: detail, millis: millis)
        e.facts = facts
        e.bodyTooLarge = t.tooLarge
        guard e.outcome == .response else { return e }
        var status = 0
        // A transfer that got a response has a status; nil if curl cannot say (not 0).
        if mtasts_curl_getinfo_long(t.easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK { e.httpStatus = status }
        e.headers = t.lines.filter { !$0.isEmpty }   // the blank line that ends them is not one
        var ct: UnsafeMutablePointer<CChar>?
        if mtasts_curl_getinfo_string(t.easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK, let ct { e.contentType = String(cString: ct) }
        var location: UnsafeMutablePointer<CChar>?
        if mtasts_curl_getinfo_string(t.easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK, let location {
            e.location = String(cString: location)
        }
        e.body = t.body
        return e
    }

    func smtpEvidence(_ t: Transfer, code: CURLcode, detail: String?, curlText: String?, millis: Int) -> SMTPProbeEvidence {
        let (responses, replies) = t.smtpResponses
        let banner = responses.first?.first
        let ehlo = responses.count > 1 ? responses[1] : []
        let ehloTLS = responses.count > 3 ? responses[3] : []
        let facts = t.facts(code: code, curlText: curlText, timeoutMillis: config.timeoutMillis, replies: replies)
        var e = SMTPProbeEvidence(address: t.addresses.first ?? "", outcome: TransferJudge.smtpOutcome(facts, ehlo: ehlo),
                                  banner: banner, ehlo: ehlo, ehloTLS: ehloTLS, tls: t.tlsFacts(linkSignatures: true), millis: millis, detail: detail)
        e.facts = facts
        return e
    }
}
