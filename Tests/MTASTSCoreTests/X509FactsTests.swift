// The validity times of X509Reader (RFC 5280 §4.1.2.5): UTCTime and GeneralizedTime read as
// seconds since 1970, and impossible calendar dates refused. Certificates are built by hand from
// the DER layout (X.690 §8, RFC 5280 §4.1) with only the fields the reader walks; every expected
// time was computed independently with Python's calendar.timegm.

import Testing
@testable import MTASTSCore

private enum DER {
    static func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        precondition(body.count < 0x80)   // short-form lengths are enough here
        return [tag, UInt8(body.count)] + body
    }
    static func utcTime(_ s: String) -> [UInt8] { tlv(0x17, Array(s.utf8)) }
    static func generalizedTime(_ s: String) -> [UInt8] { tlv(0x18, Array(s.utf8)) }

    /// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }, the TBS with
    /// version, serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo.
    static func certificate(notBefore: [UInt8], notAfter: [UInt8]) -> [UInt8] {
        let tbs = tlv(0xA0, tlv(0x02, [2])) + tlv(0x02, [1]) + tlv(0x30, []) + tlv(0x30, [])
            + tlv(0x30, notBefore + notAfter) + tlv(0x30, []) + tlv(0x30, [])
        return tlv(0x30, tlv(0x30, tbs) + tlv(0x30, []) + tlv(0x03, [0]))
    }
}

struct X509TimeCase: Sendable, CustomTestStringConvertible {
    let time: [UInt8]
    /// calendar.timegm of the date, or nil when it is no date.
    let seconds: Int64?
    var testDescription: String { String(decoding: time.dropFirst(2), as: UTF8.self) }
}

struct X509FactsTests {
    static let cases: [X509TimeCase] = [
        .init(time: DER.utcTime("260228000000Z"), seconds: 1_772_236_800),
        .init(time: DER.utcTime("240229120000Z"), seconds: 1_709_208_000),          // leap year
        .init(time: DER.utcTime("260430000000Z"), seconds: 1_777_507_200),
        .init(time: DER.utcTime("491231235959Z"), seconds: 2_524_607_999),          // UTCTime's last year
        .init(time: DER.utcTime("500101000000Z"), seconds: -631_152_000),           // and its first
        .init(time: DER.generalizedTime("20000229000000Z"), seconds: 951_782_400),  // divisible by 400
        // No such dates: the reader read them as days of the next month (February 31, 2026 as
        // March 3), which FuzzX509's round-trip invariant found (issue 15).
        .init(time: DER.utcTime("260231045009Z"), seconds: nil),
        .init(time: DER.utcTime("260229000000Z"), seconds: nil),                   // 2026 is no leap year
        .init(time: DER.utcTime("260431000000Z"), seconds: nil),                   // April has 30 days
        .init(time: DER.generalizedTime("21000229000000Z"), seconds: nil),         // 2100: century, not leap
        .init(time: DER.generalizedTime("19000229000000Z"), seconds: nil),
        .init(time: DER.utcTime("261301000000Z"), seconds: nil),                   // month 13
    ]

    @Test(arguments: cases)
    func notBeforeAndNotAfter(_ c: X509TimeCase) {
        let valid = DER.generalizedTime("20000101000000Z")   // 946684800
        let asNotBefore = X509Reader.facts(der: DER.certificate(notBefore: c.time, notAfter: valid))
        let asNotAfter = X509Reader.facts(der: DER.certificate(notBefore: valid, notAfter: c.time))
        #expect(asNotBefore?.notBefore == c.seconds)
        #expect(asNotAfter?.notAfter == c.seconds)
        if c.seconds != nil {
            #expect(asNotBefore?.notAfter == 946_684_800)
            #expect(asNotAfter?.notBefore == 946_684_800)
        }
    }
}
