// libFuzzer target: the _mta-sts and _smtp._tls TXT parsers. The input is cut into
// character-strings at 0x00 bytes and into records at 0x01 bytes, so the fuzzer explores
// multi-string and multi-record RRsets too. Invariants are checked with precondition: a
// violation is a crash libFuzzer reports and minimises.
import MTASTSCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let records: [TXTRecord] = bytes.split(separator: 0x01, omittingEmptySubsequences: false).map {
        $0.split(separator: 0x00, omittingEmptySubsequences: false).map(Array.init)
    }
    let r = STSRecordParser.parse(records)
    switch r.kind {
    case .valid:
        precondition(r.id != nil && !r.findings.hasError, "a valid record has an id and no error")
        precondition(r.id!.utf8.count <= 32 && r.id!.utf8.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) })
    case .invalid:
        precondition(r.findings.hasError, "an invalid record names its error")
    case .absent:
        precondition(r.findings.isEmpty && r.id == nil)
    }
    let t = TLSRPTParser.parse(records)
    if t.status == .valid { precondition(!t.rua.isEmpty && t.findings.isEmpty) }
    return 0
}
