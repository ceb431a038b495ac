// libFuzzer target: the X.509 reader (X509Reader.facts(der:)), which reads certificates sent by
// servers nobody controls. Invariants are checked with precondition: a violation is a crash
// libFuzzer reports and minimises.
import MTASTSCore

/// The reader's date range, written independently of it: UTCTime covers 1950-2049 and
/// GeneralizedTime years 0000-9999 (RFC 5280 §4.1.2.5), so a time read is at least 0000-01-01
/// 00:00:00 and before 10000-01-01 00:00:00 (seconds since 1970, proleptic Gregorian).
let earliest: Int64 = -62_167_219_200
let end: Int64 = 253_402_300_800

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let der = Array(UnsafeBufferPointer(start: data, count: size))
    let facts = X509Reader.facts(der: der)
    precondition(X509Reader.facts(der: der) == facts, "facts(der:) is not deterministic")
    guard let f = facts else { return 0 }
    precondition(f.notBefore >= earliest && f.notBefore < end, "notBefore out of range: \(f.notBefore)")
    precondition(f.notAfter >= earliest && f.notAfter < end, "notAfter out of range: \(f.notAfter)")
    // Each dNSName is a TLV of at least 2 bytes inside the input, and its text is made from its
    // bytes (an invalid UTF-8 byte becomes one U+FFFD): the count and the lengths are bounded by
    // the input's size.
    precondition(f.dnsNames.count <= size / 2, "more names than the input can hold")
    var scalars = 0
    for name in f.dnsNames { scalars += name.unicodeScalars.count }
    precondition(scalars <= size, "names longer than the input")
    for s in [f.subjectCN, f.issuerCN, f.issuerO].compactMap({ $0 }) {
        precondition(s.unicodeScalars.count <= size, "a name attribute longer than the input")
    }
    // A certificate whose validity is read must be a SEQUENCE (0x30) at the start.
    precondition(der.first == 0x30)
    return 0
}
