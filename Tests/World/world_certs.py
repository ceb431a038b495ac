"""Deterministic test PKI for the world.

Every key is derived from the seed (no entropy), every serial from the host names, and every
signature is deterministic ECDSA (RFC 6979, `ecdsa_deterministic=True`), so the same seed gives
byte-identical certificates.  One leaf key is shared by all leaf certificates: nginx and postfix
then need one key file, and DANE TLSA records can pin it (3 1 1).
"""
import datetime
import hashlib
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

D = datetime.datetime
CA_VALID = (D(2019, 1, 1), D(2040, 1, 1))
VALID = (D(2024, 1, 1), D(2036, 12, 31))      # covers "today" (2026) and later scans
EXPIRED = (D(2020, 1, 1), D(2021, 6, 30))
NOT_YET = (D(2035, 1, 1), D(2037, 12, 31))

# variant -> (issuer, validity, how names are used, include intermediate in the chain file)
VARIANTS = {
    "good":              ("root", VALID, "san", False),
    "inter":             ("inter", VALID, "san", True),
    "missing-inter":     ("inter", VALID, "san", False),
    "expired":           ("root", EXPIRED, "san", False),
    "notyet":            ("root", NOT_YET, "san", False),
    "wrongname":         ("root", VALID, "wrong", False),
    "expired-wrongname": ("root", EXPIRED, "wrong", False),
    "cnonly":            ("root", VALID, "cn", False),
    "untrusted":         ("untrusted", VALID, "san", False),
    "selfsigned":        ("self", VALID, "san", False),
    # DANE-TA impostor (issue 17 follow-up): a leaf signed by a second key under the intermediate
    # CA's own name, served with the real intermediate's certificate. Linked by names, not by
    # signature: a TLSA 2 x x record for the intermediate must not authenticate it.
    "inter-forged":      ("impostor", VALID, "san", True),
}
_N_P256 = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


def derive_key(seed, label):
    h = hashlib.sha256(("mtasts-world/%s/%s" % (seed, label)).encode()).digest()
    return ec.derive_private_key(int.from_bytes(h, "big") % (_N_P256 - 1) + 1, ec.SECP256R1())


def _serial(*parts):
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:16], "big") >> 1 | 1


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ku(ca):
    return x509.KeyUsage(digital_signature=True, key_cert_sign=ca, crl_sign=ca,
                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, encipher_only=False, decipher_only=False)


def _sign(builder, key):
    try:
        return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    except TypeError:        # cryptography < 44: valid certificates, but not byte-identical
        return builder.sign(key, hashes.SHA256())


def _ca_cert(cn, key, issuer_cn=None, issuer_key=None, path_len=None):
    issuer_key = issuer_key or key
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer_cn or cn))
         .public_key(key.public_key()).serial_number(_serial("ca", cn))
         .not_valid_before(CA_VALID[0]).not_valid_after(CA_VALID[1])
         .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
         .add_extension(_ku(True), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    return _sign(b, issuer_key)


class PKI:
    """The CAs and the shared leaf key, rebuilt from the seed in every worker process."""

    def __init__(self, seed):
        self.root_key = derive_key(seed, "root-ca")
        self.inter_key = derive_key(seed, "intermediate-ca")
        self.untrusted_key = derive_key(seed, "untrusted-ca")
        self.leaf_key = derive_key(seed, "leaf")
        self.root = _ca_cert("MTA-STS World Test Root CA", self.root_key)
        self.inter = _ca_cert("MTA-STS World Test Intermediate CA", self.inter_key,
                              "MTA-STS World Test Root CA", self.root_key, path_len=0)
        self.untrusted = _ca_cert("MTA-STS World Untrusted CA", self.untrusted_key)
        self.impostor_key = derive_key(seed, "impostor-intermediate-ca")
        self.impostor = _ca_cert("MTA-STS World Test Intermediate CA", self.impostor_key,
                                 "MTA-STS World Test Root CA", self.root_key, path_len=0)
        self.issuers = {"root": (self.root, self.root_key), "inter": (self.inter, self.inter_key),
                        "untrusted": (self.untrusted, self.untrusted_key),
                        "impostor": (self.impostor, self.impostor_key)}

    def leaf_chain(self, variant, names):
        """PEM bytes: the leaf for `names` (first = CN) in `variant`, plus intermediate if served."""
        issuer, (nb, na), use, with_inter = VARIANTS[variant]
        if use == "wrong":          # a real certificate, for somebody else's name
            names = ["wrong-name.invalid"]
        pub = self.leaf_key.public_key()
        b = (x509.CertificateBuilder().subject_name(_name(names[0][:64]))
             .public_key(pub).serial_number(_serial(variant, *names))
             .not_valid_before(nb).not_valid_after(na)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(_ku(False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if use != "cn":
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                critical=False)
        if issuer == "self":
            b = b.issuer_name(_name(names[0][:64]))
            cert = _sign(b, self.leaf_key)
        else:
            icert, ikey = self.issuers[issuer]
            b = b.issuer_name(icert.subject).add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ikey.public_key()), critical=False)
            cert = _sign(b, ikey)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        if with_inter:
            pem += self.inter.public_bytes(serialization.Encoding.PEM)
        return pem

    def write_ca_files(self, ca_dir):
        os.makedirs(ca_dir, exist_ok=True)
        pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
        key = lambda k: k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        files = {"ca.crt": pem(self.root),                      # the one trust anchor
                 "intermediate.crt": pem(self.inter),
                 "untrusted-ca.crt": pem(self.untrusted),       # never to be trusted
                 "leaf.key": key(self.leaf_key)}
        for f, data in files.items():
            with open(os.path.join(ca_dir, f), "wb") as fh:
                fh.write(data)
        os.chmod(os.path.join(ca_dir, "leaf.key"), 0o644)  # test key: nginx/postfix workers read it

    def leaf_spki_sha256(self):
        return self.tlsa_data("leaf-spki", 1)

    def tlsa_data(self, what, matching_type):
        """TLSA association data in hex (RFC 6698 §2.1): `what` is leaf-spki, inter-spki,
        untrusted-spki (a SubjectPublicKeyInfo, selector 1) or inter-cert (a certificate's DER,
        selector 0); matching type 0 the bytes, 1 SHA-256, 2 SHA-512, others SHA-256 too."""
        owner, part = what.split("-")
        if part == "cert":
            data = {"inter": self.inter, "root": self.root}[owner].public_bytes(serialization.Encoding.DER)
        else:
            key = {"leaf": self.leaf_key, "inter": self.inter_key, "untrusted": self.untrusted_key}[owner]
            data = key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
        if matching_type == 0:
            return data.hex()
        return (hashlib.sha512 if matching_type == 2 else hashlib.sha256)(data).hexdigest()


_PKI = None


def _init_worker(seed):
    global _PKI
    _PKI = PKI(seed)


def _write_batch(batch):
    """batch: list of (path, variant, names); returns how many certificates were written."""
    for path, variant, names in batch:
        with open(path, "wb") as f:
            f.write(_PKI.leaf_chain(variant, names))
    return len(batch)


def write_certs(seed, work, procs):
    """Write all certificates in `work` with `procs` processes (a pool only when it pays)."""
    if len(work) < 2000 or procs <= 1:
        _init_worker(seed)
        return _write_batch(work)
    from concurrent.futures import ProcessPoolExecutor
    chunks = [work[i:i + 1000] for i in range(0, len(work), 1000)]
    with ProcessPoolExecutor(procs, initializer=_init_worker, initargs=(seed,)) as ex:
        return sum(ex.map(_write_batch, chunks))
