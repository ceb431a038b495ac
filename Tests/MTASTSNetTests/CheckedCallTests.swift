// Every libcurl and c-ares code goes through Checked (CResult.swift): a failure becomes a
// CLibraryError naming the library, its own code and text, and what was being done.
import CCares
import CCurl
import Testing
import MTASTSCore
@testable import MTASTSNet

@Suite struct CheckedCallTests {
    @Test func successPassesAndEveryFailureIsTyped() throws {
        try Checked.curl(CURLE_OK, "x")
        try Checked.multi(CURLM_OK, "x")
        try Checked.share(CURLSHE_OK, "x")
        try Checked.ares(ARES_SUCCESS, "x")
        // Expected texts are the libraries' own, asked independently of Checked.
        #expect(throws: CLibraryError(library: .curl, code: 28, message: String(cString: curl_easy_strerror(CURLE_OPERATION_TIMEDOUT)),
                                      context: "a")) { try Checked.curl(CURLE_OPERATION_TIMEDOUT, "a") }
        #expect(throws: CLibraryError(library: .curlMulti, code: CURLM_BAD_HANDLE.rawValue,
                                      message: String(cString: curl_multi_strerror(CURLM_BAD_HANDLE)), context: "b")) {
            try Checked.multi(CURLM_BAD_HANDLE, "b")
        }
        #expect(throws: CLibraryError(library: .curlShare, code: Int32(CURLSHE_BAD_OPTION.rawValue),
                                      message: String(cString: curl_share_strerror(CURLSHE_BAD_OPTION)), context: "c")) {
            try Checked.share(CURLSHE_BAD_OPTION, "c")
        }
        #expect(throws: CLibraryError(library: .cares, code: ARES_EBADSTR, message: String(cString: ares_strerror(ARES_EBADSTR)),
                                      context: "d")) { try Checked.ares(ARES_EBADSTR, "d") }
    }

    /// A real failure at set-up: c-ares refuses a resolver list it cannot parse, and the loop
    /// says which library, which code and which list (it said "bad --resolver list" by hand before).
    @Test func aBadResolverListIsAnAresError() throws {
        do {
            let loop = try EventLoop(config: NetConfig(resolvers: ["not an address"], userAgent: "t", ehloName: "t.invalid"))
            loop.shutdown()
            Issue.record("a loop started with resolver 'not an address'")
        } catch let e as CLibraryError {
            #expect(e.library == .cares)
            #expect(e.code != ARES_SUCCESS)
            #expect(e.description.contains("'not an address'"), "\(e)")
        }
    }
}

extension CLibraryError: Equatable {
    public static func == (a: CLibraryError, b: CLibraryError) -> Bool {
        a.library == b.library && a.code == b.code && a.message == b.message && a.context == b.context
    }
}

/// MTASTSCore judges CURLcodes by number (it links no C): its numbers must be curl.h's.
@Suite struct CurlCodeNumberTests {
    @Test func coreNumbersAreLibcurls() {
        let pairs: [(Int, CURLcode)] = [
            (CurlCode.ok, CURLE_OK), (CurlCode.failedInit, CURLE_FAILED_INIT), (CurlCode.urlMalformat, CURLE_URL_MALFORMAT),
            (CurlCode.couldntConnect, CURLE_COULDNT_CONNECT), (CurlCode.writeError, CURLE_WRITE_ERROR),
            (CurlCode.outOfMemory, CURLE_OUT_OF_MEMORY), (CurlCode.operationTimedOut, CURLE_OPERATION_TIMEDOUT),
            (CurlCode.sslConnectError, CURLE_SSL_CONNECT_ERROR), (CurlCode.gotNothing, CURLE_GOT_NOTHING),
            (CurlCode.recvError, CURLE_RECV_ERROR), (CurlCode.sslCertProblem, CURLE_SSL_CERTPROBLEM),
            (CurlCode.sslCipher, CURLE_SSL_CIPHER), (CurlCode.peerFailedVerification, CURLE_PEER_FAILED_VERIFICATION),
            (CurlCode.useSSLFailed, CURLE_USE_SSL_FAILED), (CurlCode.sslIssuerError, CURLE_SSL_ISSUER_ERROR),
            (CurlCode.sslPinnedPubKeyNotMatch, CURLE_SSL_PINNEDPUBKEYNOTMATCH), (CurlCode.sslInvalidCertStatus, CURLE_SSL_INVALIDCERTSTATUS),
        ]
        for (core, c) in pairs { #expect(core == Int(c.rawValue), "\(core) vs \(c.rawValue)") }
    }
}
