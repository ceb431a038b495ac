// From the raw facts of a transfer (TransferFacts) to its outcome word: the one place where a
// CURLcode or an SMTP reply is judged. Pure, so the I/O layer uses it at scan time and
// `mtasts reclassify` uses it again on stored evidence: a change here mends old scans (issue 15).
// `asIfTimeout` replays the facts as a scanner with a shorter --timeout would have seen them:
// every step time is stored, so what had not happened by then is cut away.

public enum TransferJudge {
    /// The policy fetch's outcome. A response is any HTTP response, and a body cut at the size
    /// limit (curl ends such a transfer with a write error that we caused).
    public static func policyOutcome(_ f: TransferFacts, bodyTooLarge: Bool) -> PolicyFetchEvidence.Outcome {
        if f.curlCode == CurlCode.ok || (f.curlCode == CurlCode.writeError && bodyTooLarge) { return .response }
        if f.refusedByGuard == true { return .connectFailed }   // nothing was contacted
        switch f.curlCode {
        case CurlCode.couldntConnect: return .connectFailed
        case CurlCode.operationTimedOut: return .timeout
        case _ where CurlCode.tlsHandshake.contains(f.curlCode): return .tlsHandshakeFailed
        default:
            // Garbage instead of TLS, or a close mid-handshake, fails before the session is seen;
            // a close after it (no response) is a broken connection.
            return f.tlsVersion == nil ? .tlsHandshakeFailed : .connectFailed
        }
    }

    /// The STARTTLS probe's outcome. `ehlo` is the EHLO response's lines (for "STARTTLS offered").
    public static func smtpOutcome(_ f: TransferFacts, ehlo: [String]) -> SMTPProbeEvidence.Outcome {
        if f.tlsVersion != nil { return f.curlCode == CurlCode.ok ? .completed : .failedAfterTLS }
        if f.refusedByGuard == true { return .connectFailed }
        let greeting = f.greeting
        if let greeting, greeting.code / 100 != 2 {
            return .greetingRejected   // 421 and friends: the server sheds load or refuses us
        }
        switch f.curlCode {
        case CurlCode.couldntConnect: return .connectFailed
        case CurlCode.operationTimedOut: return .timeout
        case CurlCode.useSSLFailed:
            let offered = ehlo.contains { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }
            return offered ? .starttlsRefused : .starttlsNotOffered
        default:
            if greeting == nil { return .greetingRejected }   // no greeting at all
            if f.starttls?.code == 220 { return .tlsHandshakeFailed }   // accepted, then the handshake failed
            return .greetingRejected
        }
    }

    /// The evidence with every fetch and probe that has facts judged again; with `timeoutMillis`,
    /// as a scan with that --timeout would have judged it (`asIfTimeout`). Fetches and probes
    /// without facts (format 1, or never started: deadline, excluded, DNS failures) are kept.
    public static func rejudged(_ e: Evidence, timeoutMillis: Int? = nil) -> Evidence {
        rejudged(e, policyTimeoutMillis: timeoutMillis, smtpTimeoutMillis: timeoutMillis)
    }

    /// The same with one timeout for the policy fetch and another for the SMTP probes (a sender
    /// profile's: its HTTPS client and its SMTP client differ), nil for no cut.
    public static func rejudged(_ e: Evidence, policyTimeoutMillis: Int?, smtpTimeoutMillis: Int?) -> Evidence {
        var e = e
        if var p = e.policyFetch, p.facts != nil {
            if let t = policyTimeoutMillis { p = asIfTimeout(p, millis: t) }
            if let f = p.facts { p.outcome = policyOutcome(f, bodyTooLarge: p.bodyTooLarge) }
            e.policyFetch = p
        }
        guard var mx = e.mx else { return e }
        for h in mx.hosts.indices {
            for i in mx.hosts[h].probes.indices where mx.hosts[h].probes[i].facts != nil {
                var p = mx.hosts[h].probes[i]
                if let t = smtpTimeoutMillis { p = asIfTimeout(p, millis: t) }
                if let f = p.facts { p.outcome = smtpOutcome(f, ehlo: p.ehlo) }
                mx.hosts[h].probes[i] = p
            }
        }
        e.mx = mx
        return e
    }

    /// The facts as a transfer stopped after `millis` would have left them: nil when the
    /// transfer ended by then, or ran under a timeout no longer than `millis` (what it would
    /// have seen later is unknown).
    public static func cut(_ f: TransferFacts, atMillis millis: Int) -> TransferFacts? {
        let limit = millis * 1000
        guard f.totalMicros > limit, millis < f.timeoutMillis else { return nil }
        var c = f
        c.curlCode = CurlCode.operationTimedOut
        c.curlText = "timed out after \(millis) ms (as if --timeout \(Double(millis) / 1000))"
        c.timeoutMillis = millis
        c.totalMicros = limit
        if c.connectMicros > limit { c.connectMicros = 0 }
        if c.tlsMicros > limit { c.tlsMicros = 0 }
        if c.firstByteMicros > limit { c.firstByteMicros = 0 }
        if let seen = c.tlsSeenMicros, seen > limit {
            c.tlsVersion = nil
            c.tlsCipher = nil
            c.tlsSeenMicros = nil
        }
        if c.tlsMicros == 0 { c.tlsAlert = nil }
        c.replies = c.replies?.filter { $0.micros <= limit }
        return c
    }

    /// A policy fetch as a scan with `millis` as its timeout would have stored it: no response
    /// unless it had all arrived, TLS facts only when the session had been seen.
    public static func asIfTimeout(_ p: PolicyFetchEvidence, millis: Int) -> PolicyFetchEvidence {
        guard let f = p.facts, let c = cut(f, atMillis: millis) else { return p }
        var q = PolicyFetchEvidence(outcome: .timeout, detail: c.curlText, millis: millis)
        q.facts = c
        q.outcome = policyOutcome(c, bodyTooLarge: false)
        // The TLS facts of this transfer, if it got that far. (A fetch that failed its handshake
        // carries the legacy session's facts instead; a timeout would not have asked for them.)
        if c.tlsVersion != nil { q.tls = p.tls }
        return q
    }

    /// An SMTP probe as a scan with `millis` as its timeout would have stored it: the replies
    /// received by then, TLS facts only when the session had been seen.
    public static func asIfTimeout(_ p: SMTPProbeEvidence, millis: Int) -> SMTPProbeEvidence {
        guard let f = p.facts, let c = cut(f, atMillis: millis) else { return p }
        let kept = c.replies?.count ?? 0
        var q = SMTPProbeEvidence(address: p.address, outcome: .timeout, banner: kept > 0 ? p.banner : nil,
                                  ehlo: kept > 1 ? p.ehlo : [], ehloTLS: kept > 3 ? p.ehloTLS : [],
                                  tls: c.tlsVersion != nil ? p.tls : nil, millis: millis, detail: c.curlText)
        q.facts = c
        q.outcome = smtpOutcome(c, ehlo: q.ehlo)
        // The session without SNI is made only after a session that reached TLS.
        q.noSNILeafDiffers = q.tls != nil ? p.noSNILeafDiffers : nil
        return q
    }
}
