// libFuzzer target: the policy parser (RFC 8461 §3.2) on raw bytes, plus MX pattern validation
// and matching on each line. Invariants are checked with precondition.
import MTASTSCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let p = PolicyParser.parse(bytes)
    if p.isValid {
        precondition(p.version == "STSv1" && p.mode != nil && p.maxAge != nil, "a valid policy has its fields")
        precondition(p.maxAge! <= PolicyParser.maxAgeLimit)
        if p.mode != PolicyMode.none { precondition(!p.mx.isEmpty, "testing/enforce need mx") }
    }
    for pattern in p.mx {
        precondition(MXPattern.isValid(pattern), "only valid patterns are kept")
        let host = pattern.hasPrefix("*.") ? "x" + pattern.dropFirst(1) : pattern
        precondition(MXPattern.matches(pattern: pattern, host: host.uppercased() + "."), "a pattern matches its own host")
    }
    return 0
}
