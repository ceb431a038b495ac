// For every finding: the RFC clause it rests on, what it means, and how an operator fixes it.
// `mtasts lint` and `mtasts check` print these; keep them worth reading.

public struct FindingExplanation: Sendable {
    public let section: String
    public let meaning: String
    public let fix: String
}

extension FindingCode {
    public var explanation: FindingExplanation {
        let e = FindingExplanation.init(section:meaning:fix:)
        switch self {
        case .txtMultipleSTSRecords: return e("RFC 8461 §3.1", "more than one TXT record at _mta-sts begins with v=STSv1; senders then ignore MTA-STS", "publish exactly one v=STSv1 record; delete the others")
        case .txtSyntaxError: return e("RFC 8461 §3.1", "the record does not match the ABNF (fields separated by ';', each name=value, no stray spaces)", "write it as `v=STSv1; id=20240501;`")
        case .txtMissingID: return e("RFC 8461 §3.1", "the record has no id field, which is required", "add `id=` with 1-32 letters and digits, e.g. `v=STSv1; id=20240501;`")
        case .txtInvalidID: return e("RFC 8461 §3.1", "the id must be 1 to 32 letters and digits (no '-', '_', '.', ':')", "use letters and digits only, e.g. a timestamp: `id=20240501T120000`")
        case .txtNotASCII: return e("RFC 8461 §3.1", "the record must be US-ASCII", "remove non-ASCII characters (often smart quotes or a non-breaking space pasted from a web page)")
        case .txtSpaceBeforeSemicolon: return e("RFC 8461 §3.1, erratum 6285", "`v=STSv1 ;` is legal by the ABNF, but senders that test the prefix `v=STSv1;` ignore the record", "remove the space: `v=STSv1; id=...`")
        case .txtUnknownField: return e("RFC 8461 §3.1", "a field other than v and id; senders ignore it", "nothing to fix unless the field is a typo of `id`")
        case .txtMultiString: return e("RFC 8461 §3.1", "the record is split into several character-strings, joined without spaces", "nothing to fix; check that no space was meant at a split")
        case .txtCNAME: return e("RFC 8461 §8.2", "_mta-sts is delegated by CNAME; the chain is followed", "nothing to fix; keep the target record current")
        case .txtDuplicateField: return e("RFC 8461 §3.1", "a field appears twice; the first counts", "remove the repeated field")

        case .policyHostNXDOMAIN: return e("RFC 8461 §3.3", "mta-sts.<domain> does not exist in DNS", "publish an A/AAAA (or CNAME) record for mta-sts.<domain>, or remove the _mta-sts record")
        case .policyHostNoAddress: return e("RFC 8461 §3.3", "mta-sts.<domain> has no usable address", "publish an A or AAAA record for mta-sts.<domain>")
        case .policyConnectFailed: return e("RFC 8461 §3.3", "no HTTPS connection to the policy host (refused or unreachable)", "serve HTTPS on port 443 of mta-sts.<domain>")
        case .policyTimeout: return e("RFC 8461 §3.3", "the policy host did not answer in time", "answer within the timeout (RFC suggests one minute)")
        case .policyTLSHandshakeFailed: return e("RFC 8461 §3.3", "the TLS handshake with the policy host failed", "serve a valid TLS 1.2+ configuration with SNI for mta-sts.<domain>")
        case .policyTLSVersionTooOld: return e("RFC 8461 §7.2, RFC 8996", "the policy host negotiated TLS below 1.2", "enable TLS 1.2 and 1.3")
        case .policyCertNotTrusted: return e("RFC 8461 §3.3", "the policy host's certificate does not chain to a trusted root", "install a certificate from a public CA and serve the full chain (intermediates too)")
        case .policyCertExpired: return e("RFC 8461 §3.3", "the policy host's certificate is expired or not yet valid", "renew the certificate (automate it, e.g. ACME)")
        case .policyCertHostMismatch: return e("RFC 8461 §3.3, RFC 6125", "no subjectAltName DNS name of the certificate matches mta-sts.<domain>", "issue a certificate whose SAN lists mta-sts.<domain> (delegates too, §8.2)")
        case .policyHTTPStatus: return e("RFC 8461 §3.3", "the policy URL did not answer 200 OK", "serve the file at https://mta-sts.<domain>/.well-known/mta-sts.txt with status 200")
        case .policyRedirect: return e("RFC 8461 §3.3", "the policy URL redirects; senders never follow redirects", "serve the file directly, without a 3xx")
        case .policyTooLarge: return e("RFC 8461 §3.3", "the body is over 64 KiB, the suggested limit senders apply", "serve only the policy, a few hundred bytes")
        case .policyContentType: return e("RFC 8461 §3.2", "the media type is not text/plain", "serve the file as `Content-Type: text/plain`")

        case .policyEmpty: return e("RFC 8461 §3.2", "the policy body is empty", "serve version, mode, mx and max_age lines")
        case .policyBOM: return e("RFC 8461 §3.2", "the body starts with a byte-order mark, so the first field name is not recognised", "save the file as UTF-8 without BOM")
        case .policyBareCR: return e("RFC 8461 §3.2", "a CR not followed by LF; lines end with LF or CRLF", "save the file with LF or CRLF line endings")
        case .policyLFLineEndings: return e("RFC 8461 §3.2, erratum 6253", "lines end with LF alone: allowed by the ABNF, while the prose says CRLF", "nothing required; CRLF suits the strictest senders")
        case .policyMixedLineEndings: return e("RFC 8461 §3.2", "some lines end with CRLF and others with LF", "use one line ending throughout")
        case .policyBlankLine: return e("RFC 8461 §3.2", "a blank line, or more than one final line break, which the ABNF does not allow", "remove blank lines")
        case .policyLeadingWhitespace: return e("RFC 8461 §3.2", "a line starts with whitespace; fields start at the first column", "remove the indentation")
        case .policyMalformedLine: return e("RFC 8461 §3.2", "a line is not `name: value` (no colon, a bad field name, or control characters)", "write every line as `key: value`; remove comments")
        case .policyMissingVersion: return e("RFC 8461 §3.2", "no version field", "add `version: STSv1`")
        case .policyInvalidVersion: return e("RFC 8461 §3.2", "the version is not exactly STSv1 (case-sensitive)", "write `version: STSv1`")
        case .policyMissingMode: return e("RFC 8461 §3.2", "no mode field", "add `mode: testing` (or enforce, or none)")
        case .policyInvalidMode: return e("RFC 8461 §3.2", "mode must be exactly enforce, testing or none (lower case)", "write e.g. `mode: enforce`")
        case .policyMissingMaxAge: return e("RFC 8461 §3.2", "no max_age field", "add `max_age: 604800` (one week) or longer")
        case .policyInvalidMaxAge: return e("RFC 8461 §3.2", "max_age must be 1 to 10 digits of seconds", "write e.g. `max_age: 604800`, no units or signs")
        case .policyMaxAgeTooLarge: return e("RFC 8461 §3.2", "max_age above 31557600 (one year)", "use at most `max_age: 31557600`")
        case .policyMaxAgeShort: return e("RFC 8461 §3.2", "max_age under one day protects little against a downgrade", "use weeks: `max_age: 604800` or more")
        case .policyMissingMX: return e("RFC 8461 §3.2", "modes testing and enforce need at least one mx line", "add an `mx:` line for every MX host (wildcards allowed)")
        case .policyInvalidMXPattern: return e("RFC 8461 §3.2, §4.1", "an mx value is not a host name or `*.` followed by one (no IPs, ports, lists, trailing dot, inner wildcards)", "one host per `mx:` line, e.g. `mx: mail.example.com` or `mx: *.example.net`")
        case .policyDuplicateKey: return e("RFC 8461 §3.2", "a field other than mx appears twice; the first counts", "remove the repeated field")
        case .policyUnknownKey: return e("RFC 8461 §3.2", "a field senders do not know; it is ignored", "nothing required; check for a typo of a known field")
        case .policyVersionNotFirst: return e("RFC 8461 §3.2", "version is not the first line: legal, but some senders' guides require it first", "put `version: STSv1` first")
        case .policyWildcardMX: return e("RFC 8461 §10.4", "a wildcard mx lets any holder of a matching certificate act as an MX", "list MX hosts by name where you can")

        case .mxPatternMismatch: return e("RFC 8461 §4.1", "the MX host matches no mx pattern of the policy", "add the host to the policy's mx lines, or fix the MX record")
        case .mxSTARTTLSNotSupported: return e("RFC 8461 §4.2", "the MX host does not offer STARTTLS", "enable STARTTLS on the MX host")
        case .mxCertHostMismatch: return e("RFC 8461 §4.2, RFC 6125", "no subjectAltName DNS name of the MX certificate matches the MX host name", "issue a certificate whose SAN lists the MX host name")
        case .mxCertExpired: return e("RFC 8461 §4.2", "the MX certificate is expired or not yet valid", "renew the MX certificate")
        case .mxCertNotTrusted: return e("RFC 8461 §4.2", "the MX certificate does not chain to a trusted root", "use a public CA and send the full chain")
        case .mxTLSFailure: return e("RFC 8461 §4.2, §7.2", "the TLS handshake with the MX failed, or used TLS below 1.2", "enable TLS 1.2+ with a valid certificate")
        case .mxUnreachable: return e("RFC 8461 §4.2", "no SMTP session with the MX host (no address, refused, timeout, or a 4xx/5xx greeting); may depend on the vantage point", "check the MX host's address and that port 25 is open")
        case .mxNull: return e("RFC 7505", "a null MX: the domain accepts no mail", "nothing to fix if intended; then MTA-STS is pointless")
        case .mxImplicit: return e("RFC 5321 §5.1", "no MX records: the domain itself is the mail host", "publish MX records")
        case .mxDNSError: return e("RFC 8461 §4", "the MX lookup or an MX host's address lookup failed", "fix the authoritative DNS servers")
        case .mxSNIDependent: return e("RFC 8461 §7.1", "the MX presents a different certificate with and without SNI", "serve a valid certificate without SNI too; servers must not require it")
        case .mxInvalidHostname: return e("RFC 5321 §2.3.5, RFC 1123 §2.1", "an MX target is not a host name (letters, digits and hyphens in labels of 1-63 octets); no sender can deliver to it, and mtasts never looks it up or connects to it (the name is stored as answered, with \\DDD escapes)", "point the MX record at the mail server's host name")
        case .mxTooManyHosts: return e("RFC 8461 §4, RFC 5321 §5.1", "the domain has more MX hosts than a scan probes per domain (--max-mx-hosts); the least preferred ones were not probed", "nothing required; a sender tries hosts in preference order, and rarely more than a few")
        case .mxProviderMigrated: return e("RFC 8461 §4.1, §3.2", "no MX host matches the policy's mx patterns, and the MX hosts lie under one provider namespace that no pattern names: the mail moved to another provider and the policy still names the old one (a `*.` pattern matches exactly one label, so `*.mx.example` does not cover `a.b.mx.example` either)", "list the new provider's MX hosts in the policy (a wildcard one label above them, or each host), publish it with a new id, and only then move the MX records")

        case .enforceBlocksAllMX: return e("RFC 8461 §5", "mode enforce and no MX host passes: compliant senders refuse to deliver mail", "fix the MX hosts or the policy's mx lines, or switch to `mode: testing` now")
        case .testingWouldFail: return e("RFC 8461 §5", "mode testing and no MX host passes: switching to enforce would stop mail", "fix the MX hosts before moving to enforce")
        case .tlsrptMissing: return e("RFC 8460 §3", "no TLS-RPT record: failures with this policy go unreported", "publish `_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\"`")
        case .tlsrptInvalid: return e("RFC 8460 §3", "the TLS-RPT record does not match the ABNF (rua required, mailto:/https: URIs, ',', '!' and ';' percent-encoded)", "write it as `v=TLSRPTv1; rua=mailto:tlsrpt@example.com`")
        case .tlsrptMultiple: return e("RFC 8460 §3", "more than one TLS-RPT record: senders use none", "publish exactly one v=TLSRPTv1 record")
        case .scanDeadline: return e("RFC 8461 §3.3, §5", "the scan's own per-domain deadline (--domain-timeout) came before this step was done (a policy fetch or an MX address waiting for its per-address limit): its result is unknown, not the domain's fault", "nothing to fix on the domain; rescan it, or scan with a longer --domain-timeout")
        case .daneMismatch: return e("RFC 7672 §2.2, §3.1", "the MX host's DNSSEC-validated TLSA records match none of the certificates it presented; DANE senders defer mail for this host (MTA-STS does not override it, RFC 8461 §2)", "publish TLSA records for the certificate in use (roll over with both old and new records) or serve the certificate they name")
        case .daneNoTLS: return e("RFC 7672 §2.2", "the MX host has DNSSEC-validated TLSA records but offered no TLS (no STARTTLS, or the handshake failed); DANE senders defer mail for this host", "enable STARTTLS with the certificate the TLSA records name")
        case .daneUnusable: return e("RFC 7672 §3.1.3, RFC 7671 §5", "every TLSA record of the host is unusable for SMTP (usage PKIX-TA/PKIX-EE, an unknown selector or matching type, or a digest of the wrong length); senders still require TLS but cannot authenticate it", "publish `3 1 1` (DANE-EE, SPKI, SHA-256) or `2 1 1` records")
        case .danePartial: return e("RFC 7672 §2.2", "some MX hosts have DNSSEC-validated TLSA records and others have none; mail through the others is not protected by DANE", "publish TLSA records for every MX host, in a signed zone")
        case .daneTLSAUnsigned: return e("RFC 7672 §2.2, RFC 6698 §4.1", "the host publishes TLSA records, but the answer was not DNSSEC-validated (no AD bit); senders ignore them", "sign the zone of the TLSA records (and its delegation) with DNSSEC")
        case .daneLookupFailed: return e("RFC 7672 §2.2", "the host's TLSA lookup failed (SERVFAIL, a bogus signature, a timeout); DANE senders cannot tell whether DANE applies and defer mail for this host; may depend on the vantage point", "fix the zone's DNSSEC signatures and the authoritative servers' answers for TLSA queries")
        case .daneTLSA: return e("RFC 7672, RFC 8461 §2", "an MX host publishes TLSA records (DANE); DANE takes precedence over MTA-STS", "nothing to fix; keep TLSA and certificates in step")

        case .policyChangedIDUnchanged: return e("RFC 8461 §3.1", "the policy body changed but the record's id did not: senders keep the old policy", "change the id whenever the policy changes")
        case .policyIDChangedBodySame: return e("RFC 8461 §3.1", "the id changed but the policy did not", "nothing required")
        case .modeChanged: return e("RFC 8461 §5", "the policy mode changed since the earlier scan", "nothing required")
        case .recordRemoved: return e("RFC 8461 §3.1, §8.3", "the record was removed: senders keep a cached policy until max_age runs out", "to retire MTA-STS, publish `mode: none` with a new id first")
        }
    }
}
