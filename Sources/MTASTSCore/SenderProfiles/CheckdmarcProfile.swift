// `checkdmarc`: the checker checkdmarc 6.0.4 (PyPI wheel; files and lines in docs/PROFILES.md):
// what its MTA-STS check (mta_sts.py check_mta_sts) and its MX/STARTTLS check (smtp.py) predict
// a sender does. Lenient where a sender is strict: a wrong or missing Content-Type and a body over
// 64 KiB are not errors. Its MX check matches patterns as §4.1 does (mta_sts.py
// mx_in_mta_sts_patterns) and tests STARTTLS with Python's default context (chain, host name,
// TLS 1.2). It does no DANE in its MTA-STS verdict.

enum CheckdmarcProfile {
    static func outcome(_ e: Evidence) -> ProfileOutcome {
        let (policy, reasons) = fetchPolicy(e)
        var why = reasons
        let level: HostLevel
        switch policy?.mode {
        case .enforce?: level = .sts(patterns: policy!.mx, enforce: true)
        case .testing?: level = .sts(patterns: policy!.mx, enforce: false)
        case .none?:
            level = .opportunistic
            why.append(ProfileReason.policyModeNone.rawValue)
        case nil: level = .opportunistic
        }
        return Delivery.outcome(.checkdmarc, e, policyReasons: why) { _ in level }
    }

    struct Policy {
        var mode: PolicyMode
        var mx: [String]
    }

    static func fetchPolicy(_ e: Evidence) -> (Policy?, [String]) {
        let none = ProfileReason.noPolicy.rawValue
        guard let txt = e.txt else { return (nil, [none]) }
        if txt.outcome.isFailure { return (nil, [none, ProfileReason.txtLookupFailed.rawValue]) }
        // query_mta_sts_record: records matching `v=STSv1 *;` (WSP before ';' allowed); more than
        // one is an error. parse_mta_sts_record then applies the §3.1 grammar (id 1-32 alnum).
        let joined = txt.txt.map { $0.flatMap { $0 } }
        let sts = joined.filter(isRecordStart)
        guard sts.count == 1 else { return (nil, sts.isEmpty ? [none] : [none, FindingCode.txtMultipleSTSRecords.rawValue]) }
        let record = STSRecordParser.parse([[sts[0]]])
        guard record.kind == .valid else { return (nil, [none] + record.findings.filter { $0.severity == .error }.map(\.code.rawValue)) }
        guard let fetch = e.policyFetch else { return (nil, [ProfileReason.policyNotFetched.rawValue]) }
        // requests verifies the chain and host name; download_mta_sts_policy: allow_redirects=False,
        // only 200; Content-Type only warned about.
        if let r = StrictPolicyFetch.rejection(fetch, of: e) { return (nil, r) }
        // No size limit: a body longer than the scan kept is not known.
        if fetch.bodyTooLarge || (fetch.body?.count ?? 0) > PolicyFetchEvidence.maxBodyBytes {
            return (nil, [ProfileReason.undocumented.rawValue, FindingCode.policyTooLarge.rawValue])
        }
        // response.text: the charset of the header, else requests' guess; modelled as UTF-8 when
        // valid, else Latin-1 (every byte decodes).
        let bytes = fetch.body ?? []
        let text = String(validating: bytes, as: UTF8.self) ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        guard let p = parse(text) else { return (nil, [none, ProfileReason.policyRejected.rawValue]) }
        return (p, [])
    }

    static func isRecordStart(_ b: [UInt8]) -> Bool {
        let v = Array("v=STSv1".utf8)
        guard b.starts(with: v) else { return false }
        var i = v.count
        while i < b.count, ASCII.isWSP(b[i]) { i += 1 }
        return i < b.count && b[i] == ASCII.semicolon
    }

    /// parse_mta_sts_policy: nil where it raises MTASTSPolicySyntaxError.
    static func parse(_ text: String) -> Policy? {
        var seen = Set<String>()
        var mode: PolicyMode?
        var mx: [String] = []
        // By scalars: a Swift Character joins CR LF into one, Python's str does not.
        for raw in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var scalars = raw
            if scalars.last == "\r" { scalars = scalars.dropLast() }   // removesuffix("\r")
            if scalars.contains("\r") { return nil }                   // a stray CR
            let line = Substring(scalars)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let rawKey = line[line.startIndex..<colon]
            let key = PythonText.strip(rawKey)
            guard key == rawKey else { return nil }             // whitespace around the name
            let value = PythonText.strip(line[line.index(after: colon)...])
            let known = ["version", "mode", "max_age", "mx"]
            if !known.contains(String(key)) {
                // sts-policy-extension grammar for name and value
                guard STSRecordParser.isExtName(Array(key.utf8)[...]), PolicyParser.isExtValue(Array(value.utf8)[...]) else { return nil }
                continue
            }
            if key != "mx" && seen.contains(String(key)) { continue }   // the first counts
            seen.insert(String(key))
            switch key {
            case "version": guard value == "STSv1" else { return nil }
            case "mode":
                guard let m = PolicyMode(rawValue: String(value)) else { return nil }
                mode = m
            case "max_age":
                guard (1...10).contains(value.utf8.count), value.utf8.allSatisfy(ASCII.isDigit),
                      let n = Int(value), n <= 31_557_600 else { return nil }
            default:   // mx: MTA_STS_MX_REGEX, ["*."] Domain
                guard MXPattern.isValid(value.utf8) else { return nil }
                mx.append(String(value))
            }
        }
        guard seen.isSuperset(of: ["version", "mode", "max_age"]), let mode else { return nil }
        if mode != .none && mx.isEmpty { return nil }
        return Policy(mode: mode, mx: mx)
    }
}
