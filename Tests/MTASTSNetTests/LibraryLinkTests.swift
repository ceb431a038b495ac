// The C libraries are usable from Swift: each module links and answers. (The I/O loop's own tests
// against the loopback world come with the scan engine.)
import Testing
@testable import MTASTSNet

@Suite struct LibraryLinkTests {
    @Test func curlIsTheOpenSSLBuild() {
        // Debian 12 ships 7.88; anything else means a different libcurl was linked.
        #expect(LibraryVersions.curl.hasPrefix("7.") || LibraryVersions.curl.hasPrefix("8."))
        #expect(LibraryVersions.openssl.hasPrefix("OpenSSL 3"))
    }

    @Test func caresIs118OrLater() {
        let parts = LibraryVersions.cares.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count == 3)
        #expect(parts[0] > 1 || (parts[0] == 1 && parts[1] >= 18))
    }

    @Test func epollAndEventfdWork() {
        #expect(LibraryVersions.eventLoopPrimitivesAvailable)
    }
}
