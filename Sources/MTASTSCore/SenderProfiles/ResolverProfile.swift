// `postfix-mta-sts-resolver`: Postfix with postfix-mta-sts-resolver 1.5.1 in its default
// configuration (docs/PROFILES.md cites each rule by file:line of the 1.5.1 wheel). The resolver
// answers Postfix's policy lookup; Postfix then delivers under what it answered:
//   - no policy (NOTFOUND): Postfix's own default level, `may` (Debian's main.cf);
//   - mode testing: NOTFOUND too (strict_testing false, responder.py:222);
//   - mode enforce: `secure match=<patterns, '*' stripped> servername=hostname` (responder.py:226-229).
// The resolver does no DANE, and its answer overrides Postfix's DANE (its README's warning).

enum ResolverProfile {
    static func outcome(_ e: Evidence) -> ProfileOutcome {
        let (policy, reasons) = fetchPolicy(e)
        let level: HostLevel
        var why = reasons
        switch policy?.mode {
        case "enforce":
            // responder.py:226: `mx.lstrip('*')` over the set of patterns
            let match = Set(policy!.mx).map { String($0.drop { $0 == "*" }) }.sorted()
            level = .postfixSecure(match: match)
        case "testing":
            level = .opportunistic
            why.append(ProfileReason.testingIgnored.rawValue)
        case "none":
            level = .opportunistic
            why.append(ProfileReason.policyModeNone.rawValue)
        default:
            level = .opportunistic
        }
        return Delivery.outcome(.postfixMTASTSResolver, e, policyReasons: why) { _ in level }
    }

    struct Policy {
        var mode: String
        var mx: [String]
    }

    /// resolver.py `STSResolver.resolve` on the stored evidence: the policy, or nil with why.
    static func fetchPolicy(_ e: Evidence) -> (Policy?, [String]) {
        let none = ProfileReason.noPolicy.rawValue
        guard let txt = e.txt, !txt.outcome.isFailure else {
            // resolver.py:64-79: a failed lookup is FETCH_ERROR; with no cache, NOTFOUND.
            return (nil, e.txt == nil ? [none] : [none, ProfileReason.txtLookupFailed.rawValue])
        }
        // resolver.py:82-90: ASCII records (utils.py filter_text) that start with v=STSv1; exactly one.
        let records = txt.txt.map { $0.flatMap { $0 } }
            .filter { $0.allSatisfy { $0 < 0x80 } && $0.starts(with: Array("v=STSv1".utf8)) }
        guard records.count == 1 else {
            return (nil, records.isEmpty ? [none] : [none, FindingCode.txtMultipleSTSRecords.rawValue])
        }
        // utils.py:142-144: split at ';', strip, partition at '=', later fields win.
        var fields: [String: String] = [:]
        for field in String(decoding: records[0], as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false) {
            let f = PythonText.strip(field)
            guard !f.isEmpty else { continue }
            let parts = f.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        guard fields["v"] == "STSv1", fields["id"] != nil else {   // resolver.py:94-96
            return (nil, [none, ProfileReason.recordRejected.rawValue])
        }
        guard let fetch = e.policyFetch else { return (nil, [ProfileReason.policyNotFetched.rawValue]) }
        // resolver.py:111-140: any failure of the GET is FETCH_ERROR (aiohttp verifies the
        // certificate and host name; redirects are not followed, allow_redirects=False); only
        // 200 (resolver.py:119).
        if let r = StrictPolicyFetch.rejection(fetch, of: e) { return (nil, r) }
        // resolver.py:121 utils.py:162-163: text/plain, parameters ignored, case-insensitive.
        let type = (fetch.contentType ?? "").lowercased().split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard PythonText.strip(type) == "text/plain" else { return (nil, [none, FindingCode.policyContentType.rawValue]) }
        // resolver.py:123-133: over 64 KiB (constants.py HARD_RESP_LIMIT) is refused.
        let body = fetch.body ?? []
        if fetch.bodyTooLarge || body.count > PolicyFetchEvidence.maxBodyBytes {
            return (nil, [none, FindingCode.policyTooLarge.rawValue])
        }
        // resolver.py:134-136: the charset of the Content-Type, else ascii.
        guard let text = decode(body, charset: charset(fetch.contentType)) else {
            return (nil, [none, ProfileReason.policyCharset.rawValue])
        }
        // utils.py:147-159: splitlines, rstrip, partition at ':', value lstrip; later keys win,
        // every mx line counts.
        var values: [String: String] = [:]
        var mx: [String] = []
        for line in PythonText.splitlines(text) {
            let l = PythonText.rstrip(line)
            let parts = l.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = parts.count > 1 ? String(PythonText.lstrip(parts[1])) : ""
            if key == "mx" { mx.append(value) } else { values[key] = value }
        }
        let rejected = [none, ProfileReason.policyRejected.rawValue]
        guard values["version"] == "STSv1" else { return (nil, rejected) }                   // resolver.py:148
        guard let age = PythonText.int((values["max_age"] ?? "-1")[...]), (0...31_557_600).contains(age) else {
            return (nil, rejected)                                                             // resolver.py:151-158
        }
        guard let mode = values["mode"] else { return (nil, rejected) }                       // resolver.py:160
        if mode == "none" { return (Policy(mode: mode, mx: mx), []) }                         // resolver.py:164
        guard mode == "testing" || mode == "enforce", !mx.isEmpty else { return (nil, rejected) }   // resolver.py:167-171
        return (Policy(mode: mode, mx: mx), [])
    }

    /// aiohttp's `resp.charset`: the charset parameter of the Content-Type, lower-cased.
    static func charset(_ contentType: String?) -> String? {
        guard let ct = contentType else { return nil }
        for param in ct.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1)
            if kv.count == 2, PythonText.strip(kv[0]).lowercased() == "charset" {
                return unquote(PythonText.strip(kv[1])).lowercased()
            }
        }
        return nil
    }

    /// bytes.decode(charset): ASCII when none is given. UTF-8 and Latin-1 are modelled; any
    /// other charset counts as undecodable (Python knows more codecs; see docs/PROFILES.md).
    static func decode(_ body: [UInt8], charset: String?) -> String? {
        switch charset ?? "ascii" {
        case "ascii", "us-ascii": return body.allSatisfy { $0 < 0x80 } ? String(decoding: body, as: UTF8.self) : nil
        case "utf-8", "utf8": return String(validating: body, as: UTF8.self)
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1":
            return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }
}

/// A parameter value without its surrounding double quotes.
private func unquote(_ s: Substring) -> String {
    var s = s
    while s.first == "\"" { s = s.dropFirst() }
    while s.last == "\"" { s = s.dropLast() }
    return String(s)
}
