/* What one policy fetch costs the client in CPU, with libcurl and OpenSSL set up as mtasts sets
 * them (EventLoop's startTransfer): a fresh connection per host, no session cache, our trust store
 * put in through CURLOPT_SSL_CTX_FUNCTION, verification recorded but not enforced, HTTP/1.1, the
 * address pinned with CURLOPT_RESOLVE in a private DNS cache. Fetches run one after another, so
 * the figure is the library floor: TLS handshake, certificate decoding and checking, TCP on
 * loopback and curl, with no scanner around it. A scan makes one such connection per policy host
 * and per probed MX address; this bounds what any scanner on libcurl 7.88 and OpenSSL 3.0 pays.
 * Usage: tls_fetch_cost HOSTS_FILE N CA.pem PORT ADDRESS (bench/profile.sh runs it). */
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static X509_STORE *store;

static CURLcode use_our_store(CURL *c, void *ctx, void *p) {
    (void)c; (void)p;
    SSL_CTX_set1_cert_store(ctx, store);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return CURLE_OK;
}

static size_t discard(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s HOSTS N CA.pem PORT ADDRESS\n", argv[0]); return 2; }
    FILE *hosts = fopen(argv[1], "r");
    int n = atoi(argv[2]), warm = 20, ok = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    store = X509_STORE_new();
    if (!hosts || !store || X509_STORE_load_file(store, argv[3]) != 1) { fprintf(stderr, "cannot read inputs\n"); return 1; }
    CURLM *multi = curl_multi_init();
    char host[256];
    double t0 = 0;
    for (int i = 0; i < n + warm && fgets(host, sizeof host, hosts); i++) {
        if (i == warm) t0 = cpu_seconds();   /* after curl's and OpenSSL's one-time set-up */
        host[strcspn(host, "\r\n")] = 0;
        char url[512], pin[512];
        snprintf(url, sizeof url, "https://%s:%s/.well-known/mta-sts.txt", host, argv[4]);
        snprintf(pin, sizeof pin, "%s:%s:%s", host, argv[4], argv[5]);
        struct curl_slist *resolve = curl_slist_append(NULL, pin);
        CURLSH *share = curl_share_init();
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_SHARE, share);
        curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
        curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, use_our_store);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, e);
        int running = 1;
        while (running) {
            curl_multi_perform(multi, &running);
            if (running) curl_multi_poll(multi, NULL, 0, 100, NULL);
        }
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)))
            if (m->msg == CURLMSG_DONE && m->data.result == CURLE_OK && i >= warm) ok++;
        curl_multi_remove_handle(multi, e);
        curl_easy_cleanup(e);
        curl_share_cleanup(share);
        curl_slist_free_all(resolve);
    }
    double t = cpu_seconds() - t0;
    printf("  %.0f µs CPU per HTTPS policy fetch, client side (%d of %d fetches answered)\n", t * 1e6 / n, ok, n);
    return ok == n ? 0 : 1;
}
