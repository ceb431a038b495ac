// The PSL matcher against the list's own rules (https://publicsuffix.org/list/ "Formal
// algorithm"): exact, wildcard, exception, ICANN section only, the fallback; and, when Debian's
// file is installed, a few names against the real list.
import Foundation
import Testing
@testable import MTASTSReport

@Suite struct PublicSuffixTests {
    let psl = PublicSuffixList(text: World.psl)

    @Test(arguments: [
        ("mx1.mailhost.co.uk", "mailhost.co.uk"),   // the longest rule wins (co.uk over uk)
        ("a.b.example.com", "example.com"),
        ("MX.Example.COM.", "example.com"),          // case and final dot
        ("co.uk", "co.uk"),                          // a public suffix has no registrable domain: itself
        ("foo.bar.ck", "foo.bar.ck"),                // *.ck: bar.ck is a suffix
        ("www.ck", "www.ck"),                        // !www.ck: the exception makes ck the suffix
        ("a.www.ck", "www.ck"),
        ("x.blogspot.com", "blogspot.com"),          // PRIVATE section ignored
        ("mx.b.test", "b.test"),                     // not listed: the default rule "*"
        ("localhost", "localhost"),
        ("a..b.com", "a..b.com"),                    // empty label: returned as is, never grouped wrongly
    ])
    func registrable(_ host: String, _ expected: String) {
        #expect(psl.registrableDomain(host) == expected)
    }

    @Test func fallbackIsTheLastTwoLabels() {
        #expect(!PublicSuffixList.lastTwoLabels.isList)
        #expect(PublicSuffixList.lastTwoLabels.registrableDomain("mx1.mailhost.co.uk") == "co.uk")
        #expect(PublicSuffixList.lastTwoLabels.registrableDomain("aspmx.l.google.com") == "google.com")
    }

    @Test func theRealListWhenInstalled() throws {
        let path = "/usr/share/publicsuffix/public_suffix_list.dat"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let real = PublicSuffixList(text: String(decoding: data, as: UTF8.self))
        #expect(real.registrableDomain("alt1.aspmx.l.google.com") == "google.com")
        #expect(real.registrableDomain("mx1.example.co.uk") == "example.co.uk")
        #expect(real.registrableDomain("example-com.mail.protection.outlook.com") == "outlook.com")
        #expect(real.registrableDomain("mx.city.kawasaki.jp") == "city.kawasaki.jp") // !city.kawasaki.jp
    }
}
