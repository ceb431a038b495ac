// From a finished curl transfer to evidence values. The one place where CURLcode is compared.
import CCurl
import Foundation
import MTASTSCore

extension Transfer {
    /// Runs in PREREQFUNCTION: after the handshake (for SMTP after STARTTLS and the second EHLO)
    /// and before the request, when the live SSL* is still there.
    func captureTLS() {
        guard let easy, let ssl = mtasts_curl_ssl(easy) else { return }
        tlsVersion = String(cString: SSL_get_version(ssl))
        verifyResult = Int(SSL_get_verify_result(ssl))
        guard let stack = SSL_get_peer_cert_chain(ssl) else { return }
        // A hostile server could send a huge chain: keep at most 10 certificates of 64 KiB.
        for i in 0..<min(Int(mtasts_x509_stack_count(stack)), 10) {
            var der: UnsafeMutablePointer<UInt8>?
            let n = mtasts_x509_to_der(mtasts_x509_stack_at(stack, Int32(i)), &der)
            if n > 0, n <= 65_536, let der { chain.append(Array(UnsafeBufferPointer(start: der, count: Int(n)))) }
            if let der { mtasts_openssl_free(der) }
        }
    }

    var tlsFacts: TLSFacts? {
        guard let tlsVersion else { return nil }
        return TLSFacts(version: tlsVersion, verifyResult: verifyResult, chainDER: chain)
    }

    /// SMTP replies as curl's header callback saw them, grouped into multi-line responses:
    /// greeting, EHLO, STARTTLS, EHLO again, NOOP.
    var smtpResponses: [[String]] {
        var responses: [[String]] = []
        var current: [String] = []
        for line in lines where line.count >= 3 {
            current.append(line)
            let b = Array(line.utf8)
            if b.count == 3 || b[3] != UInt8(ascii: "-") {   // "250 ok" ends a response, "250-x" goes on
                responses.append(current)
                current = []
            }
        }
        if !current.isEmpty { responses.append(current) }
        return responses
    }
}

extension EventLoop {
    func policyEvidence(_ t: Transfer, code: CURLcode, detail: String?) -> PolicyFetchEvidence {
        let millis = Int(Self.monotonicMillis() - t.startedAt)
        var e = PolicyFetchEvidence(outcome: .response, tls: t.tlsFacts, detail: detail, millis: millis)
        let gotResponse = code == CURLE_OK || (code == CURLE_WRITE_ERROR && t.tooLarge)
        if gotResponse {
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
            e.bodyTooLarge = t.tooLarge
            return e
        }
        if t.refusal != nil {
            e.outcome = .connectFailed   // the connection guard stopped it: nothing was contacted
            return e
        }
        switch code {
        case CURLE_COULDNT_CONNECT:
            e.outcome = .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            e.outcome = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            e.outcome = .tlsHandshakeFailed
        default:
            // Garbage instead of TLS, or a close mid-handshake, fails before any TLS facts exist.
            e.outcome = t.tlsVersion == nil ? .tlsHandshakeFailed : .connectFailed
        }
        return e
    }

    func smtpEvidence(_ t: Transfer, code: CURLcode, detail: String?, millis: Int) -> SMTPProbeEvidence {
        let responses = t.smtpResponses
        let banner = responses.first?.first
        let ehlo = responses.count > 1 ? responses[1] : []
        let ehloTLS = responses.count > 3 ? responses[3] : []
        var e = SMTPProbeEvidence(address: t.addresses.first ?? "", outcome: .completed, banner: banner, ehlo: ehlo,
                                  ehloTLS: ehloTLS, tls: t.tlsFacts, millis: millis, detail: detail)
        if t.tlsVersion != nil {
            e.outcome = code == CURLE_OK ? .completed : .failedAfterTLS
            return e
        }
        if t.refusal != nil {
            e.outcome = .connectFailed   // the connection guard stopped it: nothing was contacted
            return e
        }
        if let banner, !banner.hasPrefix("2") {
            e.outcome = .greetingRejected   // 421 and friends: the server sheds load or refuses us
            return e
        }
        switch code {
        case CURLE_COULDNT_CONNECT:
            e.outcome = .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            e.outcome = .timeout
        case CURLE_USE_SSL_FAILED:
            let offered = ehlo.contains { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }
            e.outcome = offered ? .starttlsRefused : .starttlsNotOffered
        default:
            if banner == nil {
                e.outcome = .greetingRejected   // no greeting at all
            } else if responses.count > 2, responses[2].first?.hasPrefix("220") == true {
                e.outcome = .tlsHandshakeFailed // STARTTLS accepted, then the handshake failed
            } else {
                e.outcome = .greetingRejected
            }
        }
        return e
    }
}
