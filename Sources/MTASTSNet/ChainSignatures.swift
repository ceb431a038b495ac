// Which certificates of a presented chain signed the one below them: the raw fact DANE-TA(2)
// needs (RFC 7671 §5.2.2: the TA must be on a path that validates to the leaf), kept as evidence so
// that MTASTSCore's judge, which has no public-key code, can read it again on `reclassify`.
//
// Why libcrypto here, at probe time (issue 17 follow-up, option b): OpenSSL is already linked
// through libcurl (CCurl links "crypto"), so it costs no build time and covers every signature
// algorithm a server may use (RSA PKCS#1 and PSS, ECDSA on any curve, Ed25519/Ed448); a pure
// check in Core would have needed swift-crypto and BoringSSL compiled into every build (CI, the
// Fuzz package, the Docker image) and would still miss RSA-PSS parameters and other curves.
import CCurl

public enum ChainSignatures {
    /// For each adjacent pair of `chain` (leaf first), whether certificate k+1's public key
    /// verifies certificate k's signature (OpenSSL's X509_verify, which also requires the
    /// signature algorithm inside the signed part to equal the outer one). False when either
    /// certificate cannot be parsed, the key is of a kind OpenSSL cannot use, or the signature is
    /// wrong: nothing about names, dates or CA flags, which the judge checks itself.
    public static func links(_ chain: [[UInt8]]) -> [Bool] {
        guard chain.count > 1 else { return [] }
        let certs = chain.map(parse)
        defer {
            for c in certs { if let c { X509_free(c) } }
            // A failed verify leaves errors on this thread's OpenSSL error queue, which libcurl
            // reads on its next TLS error: clear them so they are not reported as curl's.
            ERR_clear_error()
        }
        return (0..<(chain.count - 1)).map { k in
            guard let cert = certs[k], let issuer = certs[k + 1], let key = X509_get0_pubkey(issuer) else { return false }
            return X509_verify(cert, key) == 1
        }
    }

    /// Whether the key in `spki` (a SubjectPublicKeyInfo DER, as a TLSA `2 1 0` record carries
    /// it) verifies `certificate`'s signature: a trust anchor published only by its key and left
    /// out of the chain (RFC 7671 §5.2.2) signed the top of the presented chain. False for a key
    /// or certificate that cannot be read, or with bytes after it.
    public static func keySigns(spki: [UInt8], certificate: [UInt8]) -> Bool {
        guard !spki.isEmpty, let cert = parse(certificate) else { return false }
        defer {
            X509_free(cert)
            ERR_clear_error()
        }
        let key: OpaquePointer? = spki.withUnsafeBufferPointer { buf in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            guard let k = d2i_PUBKEY(nil, &p, buf.count) else { return nil }
            guard let end = p, end == buf.baseAddress! + buf.count else {
                EVP_PKEY_free(k)
                return nil
            }
            return k
        }
        guard let key else { return false }
        defer { EVP_PKEY_free(key) }
        return X509_verify(cert, key) == 1
    }

    /// One DER certificate as an X509 (the caller frees it), or nil when it is not one whole
    /// certificate (d2i_X509 bounded by the buffer's length; trailing bytes are refused).
    static func parse(_ der: [UInt8]) -> OpaquePointer? {
        guard !der.isEmpty else { return nil }
        return der.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            guard let x = d2i_X509(nil, &p, buf.count) else { return nil }
            guard let end = p, end == buf.baseAddress! + buf.count else {
                X509_free(x)
                return nil
            }
            return x
        }
    }
}
