// DomainName.normalise and isValidHostname on all-ASCII names (the one-pass fast path) against the
// String-level code they replaced (kept here, verbatim but for names, as the oracle): every
// string of up to 5 pieces over a small alphabet, then seeded random strings whose pieces reach
// the 63- and 253-octet limits. The byte entry point must agree with the String one. Names with
// non-ASCII bytes go through libidn2 and are held to Python's idna in IDNATests.
import Testing
@testable import MTASTSCore

@Suite struct DomainNameTests {
    static func oldNormalise(_ text: String) -> String? {
        var s = text.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        guard !s.isEmpty, !s.hasSuffix(".") else { return nil }
        var labels: [String] = []
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard label.unicodeScalars.allSatisfy({ $0.isASCII }) else { return nil }   // not this oracle's
            labels.append(String(label))
        }
        let name = labels.joined(separator: ".")
        return oldIsValidHostname(name) ? name : nil
    }

    static func oldIsValidHostname(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = splitBytes(bytes[...], on: ASCII.dot)
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != ASCII.hyphen, label.last != ASCII.hyphen,
                  label.allSatisfy({ ASCII.isAlnum($0) || $0 == ASCII.hyphen })
            else { return false }
        }
        return !labels.last!.allSatisfy(ASCII.isDigit)
    }

    static func agree(_ s: String) -> Bool {
        let expected = oldNormalise(s)
        var bytes = s
        let viaBytes = bytes.withUTF8 { DomainName.normalise(utf8: $0) }
        return DomainName.normalise(s) == expected && viaBytes == expected
            && DomainName.isValidHostname(s) == oldIsValidHostname(s)
    }

    @Test func everyShortString() {
        let alphabet = ["a", "Z", "1", "-", ".", "_", "\u{7F}"]
        var strings = [""], failures: [String] = []
        for _ in 1...5 {
            strings = strings.flatMap { s in alphabet.map { s + $0 } }
            failures += strings.filter { !Self.agree($0) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func randomStringsNearTheLimits() {
        let pieces = ["a", "B", "0", "7", "-", ".", ".", "..", "_", " ", "\t", "xn--", "\r", "\0", "@", "/",
                      String(repeating: "q", count: 61), String(repeating: "Q", count: 62),
                      String(repeating: "9", count: 63)]
        var rng = SplitMix64(seed: 8461)   // RecordConformanceTests' generator: a failure reproduces
        var failures: [String] = []
        for _ in 0..<20_000 {
            let s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if !Self.agree(s) { failures.append(s) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func exactLengthLimits() {
        // Names of 4 labels from 59 to 64 octets each (reaching 239-259 octets), with and without the final dot.
        var failures: [String] = []
        for a in 59...64 { for b in 59...64 { for c in 59...64 { for d in [59, 61, 62, 63, 64] {
            let name = [a, b, c, d].map { String(repeating: "x", count: $0) }.joined(separator: ".")
            for s in [name, name + ".", name.uppercased() + "."] where !Self.agree(s) { failures.append(s) }
        } } } }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }
}
