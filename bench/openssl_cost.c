/* What OpenSSL 3 costs per TLS connection before any byte is sent, measured in CPU time:
 *   SSL_CTX_new + SSL_CTX_free: libcurl 7.88 builds a fresh SSL_CTX for every connection;
 *   d2i_X509 + X509_free of a certificate: done once per certificate a server presents (OpenSSL
 *   3.0 decodes the public key through its provider decoders, which is most of the cost).
 * Usage: openssl_cost CERT.pem. bench/profile.sh builds and runs it with one of the test world's
 * certificates. */
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const int n = 2000;
    if (argc != 2) { fprintf(stderr, "usage: %s CERT.pem\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (!x) { fprintf(stderr, "%s: cannot read a PEM certificate\n", argv[1]); return 1; }
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);

    double t0 = cpu_seconds();
    for (int i = 0; i < n; i++) SSL_CTX_free(SSL_CTX_new(TLS_client_method()));
    double t1 = cpu_seconds();
    for (int i = 0; i < n; i++) {
        const unsigned char *p = der;
        X509_free(d2i_X509(NULL, &p, len));
    }
    double t2 = cpu_seconds();
    printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("  SSL_CTX_new + free                 %6.1f µs CPU (per connection, in libcurl)\n", (t1 - t0) / n * 1e6);
    printf("  d2i_X509 + free, %4d-byte cert    %6.1f µs CPU (per certificate received)\n", len, (t2 - t1) / n * 1e6);
    OPENSSL_free(der);
    X509_free(x);
    return 0;
}
