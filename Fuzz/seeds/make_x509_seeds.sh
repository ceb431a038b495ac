#!/usr/bin/env bash
# Writes the FuzzX509 seeds (DER certificates) into Fuzz/seeds/x509 with the openssl CLI. The
# committed files were made by this script once (keys are random, so a rerun gives other bytes
# of the same shapes); it is kept to show how, and to make more.
set -euo pipefail
cd "$(dirname "$0")/x509"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Self-signed, SANs, validity in UTCTime (years before 2050).
ec "$tmp/k1"
openssl req -x509 -new -key "$tmp/k1" -days 90 -subj "/CN=mta-sts.example.com" \
  -addext "subjectAltName=DNS:mta-sts.example.com,DNS:*.example.com" -outform DER -out selfsigned-utctime.der

# notAfter past 2049, so in GeneralizedTime (RFC 5280 §4.1.2.5); no SAN, a CN only.
ec "$tmp/k2"
openssl req -x509 -new -key "$tmp/k2" -days 36500 -subj "/O=Example/CN=mx1.example.net" \
  -outform DER -out selfsigned-generalizedtime-cn-only.der

# A leaf signed by a CA: issuer CN and O, a critical SAN with several names, other extensions.
ec "$tmp/ca"
openssl req -x509 -new -key "$tmp/ca" -days 3650 -subj "/C=US/O=Example Test CA/CN=Example Root" -out "$tmp/ca.pem"
ec "$tmp/k3"
openssl req -new -key "$tmp/k3" -subj "/CN=mail.example.org" -out "$tmp/leaf.csr"
printf '%s\n' "subjectAltName=critical,DNS:mail.example.org,DNS:mta-sts.example.org,DNS:*.mx.example.org,IP:127.0.0.1,email:postmaster@example.org" \
  "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" > "$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca" -CAcreateserial -days 397 \
  -extfile "$tmp/ext" -outform DER -out leaf-signed-by-ca.der 2>/dev/null
openssl x509 -in "$tmp/ca.pem" -outform DER -out ca.der

# Ed25519, a SAN with one name (the smallest real certificate).
openssl genpkey -algorithm ED25519 -out "$tmp/k4"
openssl req -x509 -new -key "$tmp/k4" -days 30 -subj "/CN=a.example" -addext "subjectAltName=DNS:a.example" \
  -outform DER -out ed25519.der
ls -l
