// libFuzzer target: the X.509 reader (X509Reader.facts(der:)), which reads certificates sent by
// servers nobody controls. Invariants are checked with precondition: a violation is a crash
// libFuzzer reports and minimises.
import Glibc
import MTASTSCore

/// The reader's date range, written independently of it: UTCTime covers 1950-2049 and
/// GeneralizedTime years 0000-9999 (RFC 5280 §4.1.2.5), so a time read is at least 0000-01-01
/// 00:00:00 and before 10000-01-01 00:00:00 (seconds since 1970, proleptic Gregorian).
let earliest: Int64 = -62_167_219_200
let end: Int64 = 253_402_300_800

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let der = Array(UnsafeBufferPointer(start: data, count: size))
    // DANE's parts (issue 17): each a whole TLV found inside the input, so never longer than it,
    // and the SPKI a SEQUENCE.
    if let parts = X509Reader.daneParts(der: der) {
        for part in [parts.issuer, parts.subject, parts.subjectPublicKeyInfo] {
            precondition(part.count >= 2 && part.count <= size, "a DANE part is not inside the input")
        }
        precondition(parts.subjectPublicKeyInfo.first == 0x30, "the SPKI is not a SEQUENCE")
    }
    let facts = X509Reader.facts(der: der)
    precondition(X509Reader.facts(der: der) == facts, "facts(der:) is not deterministic")
    guard let f = facts else { return 0 }
    precondition(f.notBefore >= earliest && f.notBefore < end, "notBefore out of range: \(f.notBefore)")
    precondition(f.notAfter >= earliest && f.notAfter < end, "notAfter out of range: \(f.notAfter)")
    // Round trip: the time read, written back by gmtime_r as UTCTime or GeneralizedTime, is in
    // the input. Catches a date read wrongly (a month 13 or a February 30 moved
    // into the next month, a digit taken from the wrong place).
    precondition(appearsAsTime(f.notBefore, in: der), "notBefore \(f.notBefore) is not a time in the input")
    precondition(appearsAsTime(f.notAfter, in: der), "notAfter \(f.notAfter) is not a time in the input")
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

/// The contents of `t` as UTCTime (when its year is 1950-2049) and GeneralizedTime, with a
/// leap second (ss = 60) for a time one second after hh:mm:59. Contents only: a BER length in
/// long form (0x81 0x0D) is read too, so the tag and length are not part of the pattern.
func encodings(_ t: Int64) -> [[UInt8]] {
    func fields(_ t: Int64) -> tm {
        var time = time_t(t), out = tm()
        precondition(gmtime_r(&time, &out) != nil)
        return out
    }
    func digits(_ v: Int32, _ n: Int) -> [UInt8] {
        var v = Int(v), out = [UInt8](repeating: 0x30, count: n)
        for k in (0..<n).reversed() { out[k] = 0x30 + UInt8(v % 10); v /= 10 }
        return out
    }
    func encode(_ tm: tm, second: Int32) -> [[UInt8]] {
        let year = tm.tm_year + 1900
        let rest = digits(tm.tm_mon + 1, 2) + digits(tm.tm_mday, 2) + digits(tm.tm_hour, 2)
            + digits(tm.tm_min, 2) + digits(second, 2) + [UInt8(ascii: "Z")]
        var out = [digits(year, 4) + rest]
        if year >= 1950 && year <= 2049 { out.append(digits(year % 100, 2) + rest) }
        return out
    }
    let now = fields(t)
    var out = encode(now, second: now.tm_sec)
    let before = fields(t - 1)
    if before.tm_sec == 59 { out += encode(before, second: 60) }
    return out
}

func appearsAsTime(_ t: Int64, in der: [UInt8]) -> Bool {
    encodings(t).contains { pattern in
        der.count >= pattern.count && (0...(der.count - pattern.count)).contains { at in
            der[at] == pattern[0] && der[at..<(at + pattern.count)].elementsEqual(pattern)
        }
    }
}
