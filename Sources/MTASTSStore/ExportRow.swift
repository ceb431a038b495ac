// One domain as `mtasts export` writes it (docs/CLI.md) and as `mtasts check --json` prints it.
// There is one rendering: both the database reader (`ScanStore.exportRows`) and a fresh
// `DomainRecord` (`ExportRow(record:)`, for check, with no database) build this value, and
// `json` / `csvCells` render it. Keys are always present; unknown values are null.
import MTASTSCore

public struct ExportRow: Sendable, Hashable {
    public struct FindingRow: Sendable, Hashable {
        public var code: String
        public var severity: String
        public var host: String?
        public var detail: String?
    }

    public struct MXRow: Sendable, Hashable {
        public var host: String
        public var preference: Int
        /// Null when the host was not probed.
        public var result: String?
        /// The host's DANE result (DANEHostStatus); null when the hosts were not probed.
        public var dane: String?
    }

    public var domain: String?
    public var input: String
    public var rank: Int?
    public var status: String
    public var mode: String?
    public var mxStatus: String
    public var findings: [FindingRow]
    public var recordID: String?
    public var recordRaw: String?
    public var policyMaxAge: Int?
    /// The policy's mx patterns; nil when no policy body was parsed.
    public var policyMX: [String]?
    public var httpStatus: Int?
    public var contentType: String?
    /// Nil when the MX set was not looked up (invalid input, excluded).
    public var mx: [MXRow]?
    public var tlsrptStatus: String?
    /// Nil when `_smtp._tls` was not looked up.
    public var tlsrptRUA: [String]?
    /// DANE's domain summary (DANEStatus) and DANE beside MTA-STS (DomainDelivery); null when the
    /// MX hosts were not probed, and in rows stored before they were computed.
    public var daneStatus: String?
    public var delivery: String?

    /// Builds the row straight from a record, as the store would give it back after `write`.
    public init(record r: DomainRecord) {
        let v = r.verdict
        domain = r.domain
        input = r.input
        rank = r.rank
        status = v.status.rawValue
        mode = v.mode?.rawValue
        mxStatus = v.mxStatus.rawValue
        findings = v.findings.map { FindingRow(code: $0.code.rawValue, severity: $0.severity.rawValue, host: $0.host, detail: $0.detail) }
        recordID = v.record?.id
        recordRaw = v.record?.raw
        policyMaxAge = v.policy?.maxAge
        policyMX = v.policy?.mx
        httpStatus = r.evidence?.policyFetch?.httpStatus
        contentType = r.evidence?.policyFetch?.contentType
        mx = r.evidence?.mx == nil ? nil : v.mx.map { h in
            MXRow(host: h.host, preference: h.preference, result: h.result?.rawValue,
                  dane: v.dane?.hosts.first { $0.host == h.host }?.status.rawValue)
        }
        tlsrptStatus = v.tlsrpt?.status.rawValue
        tlsrptRUA = v.tlsrpt?.rua
        daneStatus = v.dane?.status.rawValue
        delivery = v.combined?.delivery?.rawValue
    }

    /// For the database reader: every field given.
    init(domain: String?, input: String, rank: Int?, status: String, mode: String?, mxStatus: String,
         findings: [FindingRow], recordID: String?, recordRaw: String?, policyMaxAge: Int?, policyMX: [String]?,
         httpStatus: Int?, contentType: String?, mx: [MXRow]?, tlsrptStatus: String?, tlsrptRUA: [String]?,
         daneStatus: String? = nil, delivery: String? = nil) {
        self.domain = domain
        self.input = input
        self.rank = rank
        self.status = status
        self.mode = mode
        self.mxStatus = mxStatus
        self.findings = findings
        self.recordID = recordID
        self.recordRaw = recordRaw
        self.policyMaxAge = policyMaxAge
        self.policyMX = policyMX
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.mx = mx
        self.tlsrptStatus = tlsrptStatus
        self.tlsrptRUA = tlsrptRUA
        self.daneStatus = daneStatus
        self.delivery = delivery
    }

    /// The JSONL object, keys in the order of docs/CLI.md, `input` after `domain`.
    public var json: JSONValue {
        func strings(_ a: [String]?) -> JSONValue { a.map { .array($0.map(JSONValue.string)) } ?? .null }
        return .object([
            ("domain", .optional(domain)),
            ("input", .string(input)),
            ("rank", .optional(rank)),
            ("status", .string(status)),
            ("mode", .optional(mode)),
            ("mx_status", .string(mxStatus)),
            ("findings", .array(findings.map {
                .object([("code", .string($0.code)), ("severity", .string($0.severity)),
                         ("host", .optional($0.host)), ("detail", .optional($0.detail))])
            })),
            ("record", .object([("id", .optional(recordID)), ("raw", .optional(recordRaw))])),
            ("policy", .object([("max_age", .optional(policyMaxAge)), ("mx", strings(policyMX)),
                                ("http_status", .optional(httpStatus)), ("content_type", .optional(contentType))])),
            ("mx", mx.map { .array($0.map {
                .object([("host", .string($0.host)), ("preference", .int($0.preference)), ("result", .optional($0.result)),
                         ("dane", .optional($0.dane))])
            }) } ?? .null),
            ("tlsrpt", .object([("status", .optional(tlsrptStatus)), ("rua", strings(tlsrptRUA))])),
            ("dane", .object([("status", .optional(daneStatus)), ("delivery", .optional(delivery))])),
        ])
    }

    /// One JSONL line, without the newline.
    public var jsonLine: String { json.rendered() }
}
