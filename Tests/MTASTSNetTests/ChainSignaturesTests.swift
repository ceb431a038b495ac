// ChainSignatures.links against `openssl verify`: certificates made by openssl in the test (CAs
// with RSA, P-256, P-384 and Ed25519 keys, a leaf under each, and an impostor CA with the P-256
// CA's own name but a key of its own), and each link's truth from `openssl verify -partial_chain
// -trusted ISSUER CERT`, a separate process that shares no code with the function under test.
import Foundation
import MTASTSNet
import Testing

final class SignedChains: Sendable {
    /// name -> DER
    let der: [String: [UInt8]]
    /// (cert, issuer) -> openssl verify's answer
    let verified: [String: Bool]
    /// CA name -> its SubjectPublicKeyInfo DER (`openssl pkey -pubin -outform DER`)
    let spki: [String: [UInt8]]
    static let shared: SignedChains? = try? SignedChains()
    static let keys: [(name: String, args: [String])] = [
        ("rsa", ["-newkey", "rsa:2048"]),
        ("p256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        ("p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        ("ed25519", ["-newkey", "ed25519"]),
    ]
    /// Every certificate name: a CA per key kind, a leaf under each, and the impostor pair.
    static var names: [String] { keys.flatMap { ["ca-\($0.name)", "leaf-\($0.name)"] } + ["ca-impostor", "leaf-impostor"] }

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigs-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func p(_ n: String) -> String { dir.appendingPathComponent(n).path }
        try "subjectAltName=DNS:mx.sig.test\n".write(toFile: p("ext.cnf"), atomically: true, encoding: .utf8)
        // The impostor CA takes the P-256 CA's subject, with its own P-256 key.
        for (name, args) in Self.keys + [("impostor", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])] {
            let cn = name == "impostor" ? "p256" : name
            try Self.run(["req", "-x509"] + args + ["-nodes", "-keyout", p("ca-\(name).key"), "-out", p("ca-\(name).pem"),
                         "-days", "30", "-subj", "/CN=\(cn) signature test CA", "-addext", "basicConstraints=critical,CA:TRUE"])
            try Self.run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", p("leaf-\(name).key"), "-out", p("leaf-\(name).csr"), "-subj", "/CN=mx.sig.test"])
            try Self.run(["x509", "-req", "-in", p("leaf-\(name).csr"), "-CA", p("ca-\(name).pem"), "-CAkey", p("ca-\(name).key"),
                          "-CAcreateserial", "-out", p("leaf-\(name).pem"), "-days", "30", "-extfile", p("ext.cnf")])
        }
        var der: [String: [UInt8]] = [:], verified: [String: Bool] = [:]
        for n in Self.names {
            try Self.run(["x509", "-in", p("\(n).pem"), "-outform", "DER", "-out", p("\(n).der")])
            der[n] = Array(try Data(contentsOf: URL(fileURLWithPath: p("\(n).der"))))
        }
        for cert in Self.names {
            for issuer in Self.names where issuer.hasPrefix("ca-") {
                let ok = (try? Self.run(["verify", "-partial_chain", "-no_check_time", "-trusted", p("\(issuer).pem"), p("\(cert).pem")])) != nil
                verified["\(cert) < \(issuer)"] = ok
            }
        }
        var spki: [String: [UInt8]] = [:]
        for n in Self.names where n.hasPrefix("ca-") {
            try Self.run(["x509", "-in", p("\(n).pem"), "-pubkey", "-noout", "-out", p("\(n).pub")])
            try Self.run(["pkey", "-pubin", "-in", p("\(n).pub"), "-outform", "DER", "-out", p("\(n).spki")])
            spki[n] = Array(try Data(contentsOf: URL(fileURLWithPath: p("\(n).spki"))))
        }
        self.der = der
        self.verified = verified
        self.spki = spki
    }

    @discardableResult
    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        struct Failed: Error { let args: [String] }
        guard p.terminationStatus == 0 else { throw Failed(args: args) }
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite struct ChainSignaturesTests {
    static func chains() throws -> SignedChains { try #require(SignedChains.shared, "openssl could not make the test certificates") }

    // Every (certificate, CA) pair as a two-certificate chain: the link is what openssl verify says.
    @Test func everyPairAgreesWithOpenSSLVerify() throws {
        let c = try Self.chains()
        var trues = 0
        for cert in SignedChains.names {
            for issuer in SignedChains.names where issuer.hasPrefix("ca-") {
                let want = try #require(c.verified["\(cert) < \(issuer)"])
                #expect(ChainSignatures.links([c.der[cert]!, c.der[issuer]!]) == [want], "\(cert) under \(issuer)")
                trues += want ? 1 : 0
            }
        }
        // The truth itself is not degenerate: each leaf under its own CA, and each self-signed CA
        // under itself (the impostor's leaf under the impostor only), verify; nothing else.
        #expect(trues == SignedChains.keys.count * 2 + 2)
    }

    // The impostor: same issuer name as the P-256 CA, another key. Linked by name, not by signature.
    @Test func impostorLeafIsNotSignedByTheNamedCA() throws {
        let c = try Self.chains()
        #expect(c.verified["leaf-impostor < ca-p256"] == false)
        #expect(ChainSignatures.links([c.der["leaf-impostor"]!, c.der["ca-p256"]!]) == [false])
        #expect(ChainSignatures.links([c.der["leaf-p256"]!, c.der["ca-p256"]!, c.der["ca-p256"]!]) == [true, true])
    }

    // A TA published by its key alone (2 1 0): its SPKI verifies the certificate it signed, by
    // openssl verify's truth, for every (certificate, CA key) pair; broken keys are false.
    @Test func keySignsAgreesWithOpenSSLVerify() throws {
        let c = try Self.chains()
        for cert in SignedChains.names {
            for issuer in SignedChains.names where issuer.hasPrefix("ca-") {
                let want = try #require(c.verified["\(cert) < \(issuer)"])
                #expect(ChainSignatures.keySigns(spki: c.spki[issuer]!, certificate: c.der[cert]!) == want, "\(cert) by \(issuer)'s key")
            }
        }
        let key = c.spki["ca-p256"]!, leaf = c.der["leaf-p256"]!
        #expect(ChainSignatures.keySigns(spki: key, certificate: leaf))
        #expect(!ChainSignatures.keySigns(spki: c.spki["ca-impostor"]!, certificate: leaf))
        #expect(!ChainSignatures.keySigns(spki: key + [0], certificate: leaf))
        #expect(!ChainSignatures.keySigns(spki: Array(key.dropLast()), certificate: leaf))
        #expect(!ChainSignatures.keySigns(spki: [], certificate: leaf))
        #expect(!ChainSignatures.keySigns(spki: key, certificate: []))
        #expect(!ChainSignatures.keySigns(spki: leaf, certificate: leaf))   // a certificate is no key
    }

    // Hostile or broken input is a `false` link, never a crash: garbage, an empty certificate, a
    // certificate with a byte after it, a truncated one, a one-certificate chain (no links).
    @Test func brokenInputIsUnsigned() throws {
        let c = try Self.chains()
        let leaf = c.der["leaf-rsa"]!, ca = c.der["ca-rsa"]!
        #expect(ChainSignatures.links([]) == [])
        #expect(ChainSignatures.links([leaf]) == [])
        #expect(ChainSignatures.links([leaf, ca]) == [true])
        #expect(ChainSignatures.links([leaf + [0], ca]) == [false])
        #expect(ChainSignatures.links([leaf, ca + [0]]) == [false])
        #expect(ChainSignatures.links([Array(leaf.dropLast()), ca]) == [false])
        #expect(ChainSignatures.links([[], ca]) == [false])
        #expect(ChainSignatures.links([leaf, [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]]) == [false])
        var flipped = leaf
        flipped[flipped.count - 5] ^= 0x01            // inside the signature value
        #expect(ChainSignatures.links([flipped, ca]) == [false])
    }
}
