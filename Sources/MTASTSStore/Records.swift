// The values the store takes and gives: a scan's metadata and counts, and one domain's record.
import MTASTSCore

/// What a scan row records so that every number traces back to a run (style.md item 9).
public struct ScanMeta: Sendable, Hashable {
    public var label: String
    public var toolVersion: String
    /// The scan's options as JSON text (the caller renders them, e.g. with `JSONValue`).
    public var flags: String
    /// The input's path, or "-" for stdin.
    public var inputName: String
    /// Lower-case hex SHA-256 of the input's bytes (`SHA256.hex(_:)` computes it).
    public var inputSHA256: String
    public var shardCount: Int
    public var shardIndex: Int
    public var contact: String?
    /// Seconds since 1970.
    public var startedAt: Int64

    public init(label: String, toolVersion: String = MTASTSVersion.string, flags: String, inputName: String,
                inputSHA256: String, shardCount: Int = 1, shardIndex: Int = 0, contact: String? = nil, startedAt: Int64) {
        self.label = label
        self.toolVersion = toolVersion
        self.flags = flags
        self.inputName = inputName
        self.inputSHA256 = inputSHA256
        self.shardCount = shardCount
        self.shardIndex = shardIndex
        self.contact = contact
        self.startedAt = startedAt
    }
}

/// The input's counts, written when a scan finishes.
public struct ScanCounts: Sendable, Hashable {
    /// Every line read, comments and blanks included.
    public var linesRead: Int
    /// Domains stored (one row each), invalid-input and excluded rows included.
    public var domains: Int
    public var invalid: Int
    /// Lines naming a domain already seen in this input: not stored again.
    public var duplicates: Int
    public var excluded: Int

    public init(linesRead: Int, domains: Int, invalid: Int, duplicates: Int, excluded: Int) {
        self.linesRead = linesRead
        self.domains = domains
        self.invalid = invalid
        self.duplicates = duplicates
        self.excluded = excluded
    }
}

/// One row of `scans`, as listed by `ScanStore.scans()`.
public struct ScanSummary: Sendable, Hashable {
    public var id: Int64
    public var meta: ScanMeta
    public var finishedAt: Int64?
    /// Nil while the scan is unfinished.
    public var counts: ScanCounts?
    /// Rows in `domains` for this scan now (also while it runs).
    public var storedDomains: Int
}

/// One input line scanned: what `ScanStore.write` stores and what `ExportRow(record:)` renders.
public struct DomainRecord: Sendable, Hashable {
    /// 1-based line number in the input; unique per scan (the key that makes --resume safe).
    public var lineNo: Int
    /// The line as read, comment and surrounding whitespace removed.
    public var input: String
    /// The Tranco rank when the line was `rank,domain`.
    public var rank: Int?
    /// Normalised (lower-case A-labels, no final dot); nil for invalid input.
    public var domain: String?
    /// Nil when nothing was looked up (invalid input, excluded).
    public var evidence: Evidence?
    public var verdict: Verdict
    /// Wall time spent on this domain.
    public var millis: Int

    public init(lineNo: Int, input: String, rank: Int? = nil, domain: String?, evidence: Evidence?, verdict: Verdict,
                millis: Int = 0) {
        self.lineNo = lineNo
        self.input = input
        self.rank = rank
        self.domain = domain
        self.evidence = evidence
        self.verdict = verdict
        self.millis = millis
    }

    /// A line that is not a domain name: recorded, never dropped (docs/VERDICTS.md).
    public static func invalidInput(lineNo: Int, input: String, rank: Int? = nil) -> DomainRecord {
        DomainRecord(lineNo: lineNo, input: input, rank: rank, domain: nil, evidence: nil,
                     verdict: Verdict(status: .invalidInput, mxStatus: .notProbed))
    }

    /// A domain on the exclusion list: nothing was sent.
    public static func excluded(lineNo: Int, input: String, rank: Int? = nil, domain: String) -> DomainRecord {
        DomainRecord(lineNo: lineNo, input: input, rank: rank, domain: domain, evidence: nil,
                     verdict: Verdict(status: .excluded, mxStatus: .notProbed))
    }
}
