// libcurl 7.88 and OpenSSL 3 for Swift. Every wrapper exists because Swift cannot call a C
// variadic function, or read a C union, or expand a macro; each says which.
#ifndef MTASTS_CCURL_SHIM_H
#define MTASTS_CCURL_SHIM_H
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/err.h>

// curl_easy_setopt is variadic: one typed wrapper per argument kind.
static inline CURLcode mtasts_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mtasts_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mtasts_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mtasts_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mtasts_curl_setopt_write(CURL *h, CURLoption o, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, o, f); }
static inline CURLcode mtasts_curl_setopt_sslctx(CURL *h, CURLcode (*f)(CURL *, void *, void *)) { return curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, f); }
static inline CURLcode mtasts_curl_setopt_prereq(CURL *h, int (*f)(void *, char *, char *, int, int)) { return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, f); }
static inline CURLcode mtasts_curl_setopt_opensocket(CURL *h, curl_socket_t (*f)(void *, curlsocktype, struct curl_sockaddr *)) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f); }

// curl_share_setopt is variadic.
static inline CURLSHcode mtasts_curl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }

// curl_easy_getinfo is variadic too.
static inline CURLcode mtasts_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode mtasts_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode mtasts_curl_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }

// curl_multi_setopt is variadic.
static inline CURLMcode mtasts_curl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode mtasts_curl_multi_setopt_socketfn(CURLM *m, int (*f)(CURL *, curl_socket_t, int, void *, void *)) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f); }
static inline CURLMcode mtasts_curl_multi_setopt_timerfn(CURLM *m, int (*f)(CURLM *, long, void *)) { return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f); }

// CURLVERSION_NOW is a macro naming whichever enum case matches the headers; Swift cannot see it.
static inline curl_version_info_data *mtasts_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }

// CURLMsg.data is a union; Swift imports it, but reading .result through it is clearer here.
static inline CURLcode mtasts_curlmsg_result(const CURLMsg *m) { return m->data.result; }

// SSL_CTX_set_verify's callback and the X509 stack are macros/typed generics in OpenSSL 3.
static inline int mtasts_x509_stack_count(const STACK_OF(X509) *s) { return sk_X509_num(s); }
static inline X509 *mtasts_x509_stack_at(const STACK_OF(X509) *s, int i) { return sk_X509_value(s, i); }

// i2d_X509 allocates; OPENSSL_free is a macro (it passes __FILE__/__LINE__), so both live here.
static inline int mtasts_x509_to_der(X509 *x, unsigned char **out) { *out = NULL; return i2d_X509(x, out); }
static inline void mtasts_openssl_free(void *p) { OPENSSL_free(p); }

// The live SSL* of a transfer, from CURLINFO_TLS_SSL_PTR (NULL outside PREREQFUNCTION).
static inline SSL *mtasts_curl_ssl(CURL *h) {
    struct curl_tlssessioninfo *info = NULL;
    if (curl_easy_getinfo(h, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == NULL) return NULL;
    if (info->backend != CURLSSLBACKEND_OPENSSL) return NULL;
    return (SSL *)info->internals;
}

#endif
