// `postfix-tlspol`: Postfix with postfix-tlspol (Zuplu/postfix-tlspol; files and commits in
// docs/PROFILES.md). DANE and MTA-STS are looked up together; a non-empty DANE answer wins
// (server.go queryDomain), else the MTA-STS answer, else Postfix's own level (`dane`, as the
// README configures it, which is `may` for hosts without TLSA records).

enum TLSPolProfile {
    static func outcome(_ e: Evidence, dane: DANEView) -> ProfileOutcome {
        // dane.go checkDane: a failed MX lookup or TLSA lookup is TEMP: Postfix defers the mail.
        if e.mx?.lookup.isFailure == true {
            return ProfileOutcome(profile: .postfixTLSPol, outcome: .defers, reasons: [FindingCode.mxDNSError.rawValue])
        }
        let hosts = e.mx.map { $0.hosts.isEmpty ? [MXEvidence.Host(name: e.domain, preference: 0)] : $0.hosts } ?? []
        let states = hosts.map { dane.state(of: $0.name) }
        if states.contains(.lookupFailed) {
            return ProfileOutcome(profile: .postfixTLSPol, outcome: .defers, reasons: [ProfileReason.daneLookupFailed.rawValue])
        }
        // dane.go getDanePolicy: `dane-only` when every host has usable TLSA records, `dane` when
        // any host has TLSA records at all; Postfix then judges each host (matched, mismatched,
        // unusable: `encrypt`; no TLSA: `may` under `dane`).
        if states.contains(where: { $0 != .notApplicable }) {
            // Postfix uses TLSA records only for MX hosts of a DNSSEC-validated MX lookup (TLS_README,
            // "dane" level): with an insecure MX RRset every host falls back to `may`.
            if dane.mxSecure == false {
                return Delivery.outcome(.postfixTLSPol, e, policyReasons: [ProfileReason.daneInsecureMX.rawValue]) { _ in .opportunistic }
            }
            return Delivery.outcome(.postfixTLSPol, e, policyReasons: []) { .dane(dane.state(of: $0.name)) }
        }
        let (match, reasons) = policy(e)
        guard let match else {
            return Delivery.outcome(.postfixTLSPol, e, policyReasons: reasons) { _ in .opportunistic }
        }
        if match.isEmpty {
            // `secure match= servername=hostname`: what Postfix makes of an empty list is not
            // documented.
            return ProfileOutcome(profile: .postfixTLSPol, outcome: .unknown, reasons: [ProfileReason.undocumented.rawValue])
        }
        return Delivery.outcome(.postfixTLSPol, e, policyReasons: reasons) { _ in .postfixSecure(match: match) }
    }

    /// mta-sts.go checkMtaSts on the stored evidence: the `match=` list of an enforce policy, or
    /// nil (no policy) with why.
    static func policy(_ e: Evidence) -> ([String]?, [String]) {
        let none = ProfileReason.noPolicy.rawValue
        // checkMtaStsRecord: any TXT string starting with v=STSv1 is a record; SERVFAIL is no
        // record; other failures are retried once, then no policy.
        guard let txt = e.txt else { return (nil, [none]) }
        if txt.outcome.isFailure { return (nil, [none, ProfileReason.txtLookupFailed.rawValue]) }
        let prefix = Array("v=STSv1".utf8)
        guard txt.txt.contains(where: { $0.contains { $0.starts(with: prefix) } }) else { return (nil, [none]) }
        guard let fetch = e.policyFetch else { return (nil, [ProfileReason.policyNotFetched.rawValue]) }
        // Go's TLS client: chain, host name, MinVersion TLS 1.2; CheckRedirect returns
        // ErrUseLastResponse: a 3xx is the response, and not 200.
        if let r = StrictPolicyFetch.rejection(fetch, of: e) { return (nil, r) }
        // No Content-Type check and no size limit; a body longer than the scan kept is unknown.
        if fetch.bodyTooLarge || (fetch.body?.count ?? 0) > PolicyFetchEvidence.maxBodyBytes {
            return (nil, [ProfileReason.undocumented.rawValue, FindingCode.policyTooLarge.rawValue])
        }
        var mode = ""
        var match: [String] = []
        var seen = Set<String>()
        let rejected = [none, ProfileReason.policyRejected.rawValue]
        // bufio.Scanner with ScanLines: LF ends a line, one CR before it is dropped.
        for raw in (fetch.body ?? []).split(separator: ASCII.lf, omittingEmptySubsequences: false) {
            var lineBytes = raw
            if lineBytes.last == ASCII.cr { lineBytes = lineBytes.dropLast() }
            // A line over bufio.MaxScanTokenSize (64 KiB) stops the scan; its error is not checked.
            if lineBytes.count > 65_536 { break }
            guard parseLine(lineBytes, mode: &mode, match: &match, seen: &seen) != nil else { return (nil, rejected) }
        }
        // The last "line" after a final LF is empty and skipped, as Scan does.
        guard mode == "enforce" else {
            return (nil, [none] + (mode == "testing" ? [ProfileReason.testingIgnored.rawValue] : mode == "none" ? [ProfileReason.policyModeNone.rawValue] : []))
        }
        return (match, [])
    }

    /// mta-sts.go parseLine: nil when the line makes the policy invalid.
    static func parseLine(_ bytes: ArraySlice<UInt8>, mode: inout String, match: inout [String], seen: inout Set<String>) -> Bool? {
        let line = goTrimSpace(bytes)
        if line.isEmpty { return true }
        let printable = line.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
        if !printable && String(validating: line, as: UTF8.self) == nil { return nil }
        if line.contains(UInt8(ascii: "{")) || line.contains(UInt8(ascii: "}")) { return true }
        guard let colon = line.firstIndex(of: ASCII.colon) else { return nil }
        let key = String(decoding: goTrimSpace(line[line.startIndex..<colon]), as: UTF8.self)
        var value = String(decoding: goTrimSpace(line[(colon + 1)...]), as: UTF8.self)
        if key != "mx" && seen.contains(key) { return true }   // the first of a repeated key counts
        seen.insert(key)
        switch key {
        case "mx":
            if value.hasPrefix("*.") { value = "." + value.dropFirst(2) }
            guard isDNSName(value) else { return nil }
            match.append(value.lowercased())
        case "mode":
            mode = value
        case "max_age":
            guard !value.isEmpty, value.utf8.allSatisfy(ASCII.isDigit), value.utf8.count <= 20,
                  UInt64(value) != nil else { return nil }   // strconv.ParseUint(val, 10, 64)
        default: break
        }
        return true
    }

    /// internal/utils/valid IsDNSName: LDH labels of 1-63, no label starting or ending with '-',
    /// one final dot allowed, not an IP address. A leading dot (a rewritten `*.`) is refused.
    static func isDNSName(_ s: String) -> Bool {
        var b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 253 else { return false }
        if b.last == ASCII.dot { b.removeLast(); if b.isEmpty { return false } }
        if isIPAddress(b) { return false }
        for label in b.split(separator: ASCII.dot, omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.first != ASCII.hyphen, label.last != ASCII.hyphen,
                  label.allSatisfy({ ASCII.isAlnum($0) || $0 == ASCII.hyphen }) else { return false }
        }
        return true
    }

    /// net.ParseIP: a dotted quad (each part 0-255) or anything with a ':' (IPv6; never LDH).
    static func isIPAddress(_ b: [UInt8]) -> Bool {
        let parts = b.split(separator: ASCII.dot, omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(ASCII.isDigit) && (Int(String(decoding: p, as: UTF8.self)) ?? 256) <= 255
        }
    }

    /// strings.TrimSpace for ASCII whitespace (Go also trims Unicode spaces; policy lines are ASCII).
    static func goTrimSpace(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        var t = s
        while let f = t.first, space.contains(f) { t = t.dropFirst() }
        while let l = t.last, space.contains(l) { t = t.dropLast() }
        return t
    }
}
