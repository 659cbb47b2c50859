/*
 * misuse: invalid handles passed to libssl must fail cleanly (ferrossl only).
 *
 * Every check passes one bad handle (NULL, freed, double-freed, a live object of the wrong
 * kind, or a pointer to garbage) to one libssl function, and requires that
 *   - the process does not crash (the test is built with -fsanitize=address, so a stray
 *     access or free in the test itself is reported too);
 *   - the function returns the failure value its OpenSSL 3.0 man page documents (NULL, 0, -1,
 *     "<= 0", "non-0" for the inverted SSL_[CTX_]set_alpn_protos, ...); void functions
 *     just return;
 *   - at least one error is left on the OpenSSL error queue, and the first one is from
 *     ERR_LIB_SSL. Exception: the documented no-ops on NULL (SSL_free(NULL),
 *     SSL_CTX_free(NULL), SSL_SESSION_free(NULL), SSL_CIPHER_get_name(NULL)) must leave the
 *     queue empty, as in OpenSSL, because a stale error would later make SSL_get_error()
 *     misreport; SSL_SESSION_get_time/get_timeout/set_timeout(NULL), documented to return 0,
 *     may or may not queue one;
 *   - the live objects used as "wrong kind" handles (and the SSL_CTX that a freed SSL was
 *     made from) are still alive and usable afterwards.
 *
 * OpenSSL itself dereferences almost every one of these pointers, so the test is meant for
 * ferrossl, whose handles are looked up in a table before use. `--fork --kinds=null` gives a
 * crash-contained survey of OpenSSL's own NULL handling.
 *
 * Output: one line per check ("PASS ..." or "FAIL ..."), then exactly "N passed, M failed".
 * Exit status 0 only if nothing failed.
 *
 * usage: misuse [--fork] [--kinds=null,freed,dfreed,wrong,garbage|all] [--only=SUBSTRING]
 *   --fork   run each check in its own child process, so one crash is reported as a FAIL
 *            line instead of ending the run (default: all checks in this one process).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* ------------------------------------------------------------------ handles under test */

enum htype { H_CTX, H_SSL, H_SESS, H_METHOD, H_CIPHER };

enum kind {
    K_NULL = 1 << 0,    /* NULL */
    K_FREED = 1 << 1,   /* a real handle whose last reference was dropped */
    K_DFREED = 1 << 2,  /* ... and then freed a second time */
    K_WRONG1 = 1 << 3,  /* a live handle of another kind */
    K_WRONG2 = 1 << 4,  /* a live handle of the third kind */
    K_GARBAGE = 1 << 5, /* a pointer to bytes that were never a handle */
};
#define K_WRONG (K_WRONG1 | K_WRONG2)
#define K_ALL (K_NULL | K_FREED | K_DFREED | K_WRONG | K_GARBAGE)
#define K_NOTNULL (K_ALL & ~K_NULL)

static SSL_CTX *live_ctx;    /* long-lived objects, also used as wrong-kind handles */
static SSL *live_ssl;
static SSL_SESSION *live_sess;
static SSL_CTX *parent_ctx;  /* the context freed_ssl/dfreed_ssl were made from; we hold
                              * its only other reference, so a double free of those SSLs
                              * that wrongly released the context again would kill it */
static SSL_CTX *freed_ctx, *dfreed_ctx;
static SSL *freed_ssl, *dfreed_ssl;
static SSL_SESSION *freed_sess, *dfreed_sess;
static unsigned char garbage[512];

static X509 *cert;           /* a valid certificate and key, so that only the handle is bad */
static EVP_PKEY *pkey;
static char cert_path[64] = "", key_path[64] = "";
static int devnull_fd = -1;

static const char *htype_name(enum htype t)
{
    switch (t) {
    case H_CTX: return "SSL_CTX*";
    case H_SSL: return "SSL*";
    case H_SESS: return "SSL_SESSION*";
    case H_METHOD: return "SSL_METHOD*";
    default: return "SSL_CIPHER*";
    }
}

/* The bad handle of kind k for a parameter of type t, and its description. */
static void *bad_handle(enum htype t, enum kind k, char *desc, size_t desclen)
{
    void *h = NULL;
    const char *tn = htype_name(t);

    switch (k) {
    case K_NULL:
        snprintf(desc, desclen, "NULL %s", tn);
        return NULL;
    case K_FREED:
        h = t == H_CTX ? (void *)freed_ctx : t == H_SSL ? (void *)freed_ssl : (void *)freed_sess;
        snprintf(desc, desclen, "freed %s", tn);
        return h;
    case K_DFREED:
        h = t == H_CTX ? (void *)dfreed_ctx : t == H_SSL ? (void *)dfreed_ssl : (void *)dfreed_sess;
        snprintf(desc, desclen, "double-freed %s", tn);
        return h;
    case K_WRONG1:
    case K_WRONG2: {
        /* WRONG1: CTX<-SSL, SSL<-CTX, SESS<-SSL; WRONG2: CTX<-SESS, SSL<-SESS, SESS<-CTX */
        enum htype other = t == H_CTX ? (k == K_WRONG1 ? H_SSL : H_SESS)
                         : t == H_SSL ? (k == K_WRONG1 ? H_CTX : H_SESS)
                         : (k == K_WRONG1 ? H_SSL : H_CTX);

        h = other == H_CTX ? (void *)live_ctx : other == H_SSL ? (void *)live_ssl : (void *)live_sess;
        snprintf(desc, desclen, "live %s as %s", htype_name(other), tn);
        return h;
    }
    case K_GARBAGE:
        snprintf(desc, desclen, "garbage as %s", tn);
        return garbage + 64;
    }
    return NULL;
}

/* ------------------------------------------------------------------ the table */

enum expect {
    E_NULL,   /* pointer result == NULL */
    E_EQ,     /* integer result == val */
    E_NE,     /* integer result != val */
    E_LE0,    /* integer result <= 0 */
    E_LT0,    /* integer result < 0 */
    E_STR,    /* string result equals str */
    E_VOID,   /* no result */
};

struct result {
    long i;
    const void *p;
    int extra_bad;          /* a call-specific post-condition failed */
    const char *extra_what;
};

struct check {
    const char *fn;         /* the function (or macro) called */
    const char *arg;        /* which parameter gets the bad handle, for 2-handle functions */
    enum htype ht;          /* that parameter's type */
    unsigned kinds;         /* the kinds that apply */
    void (*call)(void *h, struct result *r);
    enum expect ex;
    long val;
    const char *str;
    const char *doc;        /* what the man page says, printed on failure */
    unsigned flags;
};
#define F_NULL_NOERR 1u     /* NULL is a documented no-op: the queue must stay empty */
#define F_NULL_ANYERR 2u    /* NULL has a documented result: an error may or may not be queued */

#define CALL(name) static void name(void *h, struct result *r)
#define S ((SSL *)h)
#define C ((SSL_CTX *)h)
#define SS ((SSL_SESSION *)h)

static const unsigned char alpn_wire[] = "\x08http/1.1";

/* SSL* */
CALL(c_SSL_free) { (void)r; SSL_free(S); }
CALL(c_SSL_up_ref) { r->i = SSL_up_ref(S); }
CALL(c_SSL_read) { char b[64]; r->i = SSL_read(S, b, (int)sizeof(b)); }
CALL(c_SSL_read_ex) { char b[64]; size_t n = 0; r->i = SSL_read_ex(S, b, sizeof(b), &n); }
CALL(c_SSL_peek) { char b[64]; r->i = SSL_peek(S, b, (int)sizeof(b)); }
CALL(c_SSL_write) { r->i = SSL_write(S, "hello", 5); }
CALL(c_SSL_write_ex) { size_t n = 0; r->i = SSL_write_ex(S, "hello", 5, &n); }
CALL(c_SSL_connect) { r->i = SSL_connect(S); }
CALL(c_SSL_accept) { r->i = SSL_accept(S); }
CALL(c_SSL_do_handshake) { r->i = SSL_do_handshake(S); }
CALL(c_SSL_shutdown) { r->i = SSL_shutdown(S); }
CALL(c_SSL_clear) { r->i = SSL_clear(S); }
CALL(c_SSL_get_error) { r->i = SSL_get_error(S, -1); }
CALL(c_SSL_pending) { r->i = SSL_pending(S); }
CALL(c_SSL_set_fd) { r->i = SSL_set_fd(S, devnull_fd); }
CALL(c_SSL_get_fd) { r->i = SSL_get_fd(S); }
CALL(c_SSL_set_bio) { (void)r; SSL_set_bio(S, NULL, NULL); } /* NULL BIOs: no ownership question */
CALL(c_SSL_get_rbio) { r->p = SSL_get_rbio(S); }
CALL(c_SSL_get_version) { r->p = SSL_get_version(S); }
CALL(c_SSL_get_current_cipher) { r->p = SSL_get_current_cipher(S); }
CALL(c_SSL_set_options) { r->i = (long)SSL_set_options(S, SSL_OP_NO_TICKET); }
CALL(c_SSL_set_tlsext_host_name) { r->i = SSL_set_tlsext_host_name(S, "example.com"); }
CALL(c_SSL_set_min_proto_version) { r->i = SSL_set_min_proto_version(S, TLS1_2_VERSION); }
CALL(c_SSL_get_peer_tmp_key)
{
    EVP_PKEY *k = NULL;

    r->i = SSL_get_peer_tmp_key(S, &k);
    if (k != NULL) {
        r->extra_bad = 1;
        r->extra_what = "returned a key";
        EVP_PKEY_free(k);
    }
}
CALL(c_SSL_get_negotiated_group) { r->i = SSL_get_negotiated_group(S); }
CALL(c_SSL_group_to_name) { r->p = SSL_group_to_name(S, NID_X25519); }
CALL(c_SSL_get_verify_result) { r->i = SSL_get_verify_result(S); }
CALL(c_SSL_get1_peer_certificate)
{
    X509 *x = SSL_get1_peer_certificate(S);

    r->p = x;
    X509_free(x);
}
CALL(c_SSL_get_peer_cert_chain) { r->p = SSL_get_peer_cert_chain(S); }
CALL(c_SSL_set_session_ssl) { r->i = SSL_set_session(S, live_sess); }
CALL(c_SSL_get_session) { r->p = SSL_get_session(S); }
CALL(c_SSL_get1_session)
{
    SSL_SESSION *s = SSL_get1_session(S);

    r->p = s;
    if (s != NULL)
        SSL_SESSION_free(s);
}
CALL(c_SSL_get_ex_data) { r->p = SSL_get_ex_data(S, 0); }
CALL(c_SSL_set_ex_data) { r->i = SSL_set_ex_data(S, 0, garbage); }
CALL(c_SSL_get_SSL_CTX) { r->p = SSL_get_SSL_CTX(S); }
CALL(c_SSL_set_connect_state) { (void)r; SSL_set_connect_state(S); }
CALL(c_SSL_set_accept_state) { (void)r; SSL_set_accept_state(S); }
CALL(c_SSL_set_verify) { (void)r; SSL_set_verify(S, SSL_VERIFY_PEER, NULL); }
CALL(c_SSL_set1_host) { r->i = SSL_set1_host(S, "example.com"); }
CALL(c_SSL_set_alpn_protos) { r->i = SSL_set_alpn_protos(S, alpn_wire, sizeof(alpn_wire) - 1); }
CALL(c_SSL_get0_alpn_selected)
{
    const unsigned char *p = (const unsigned char *)"junk";
    unsigned int len = 4;

    SSL_get0_alpn_selected(S, &p, &len);
    if (p != NULL || len != 0) {
        r->extra_bad = 1;
        r->extra_what = "left *data/*len non-empty (callers would read them)";
    }
}
CALL(c_SSL_get_servername) { r->p = SSL_get_servername(S, TLSEXT_NAMETYPE_host_name); }
CALL(c_SSL_is_init_finished) { r->i = SSL_is_init_finished(S); }
CALL(c_SSL_set_cipher_list) { r->i = SSL_set_cipher_list(S, "HIGH"); }
CALL(c_SSL_use_certificate) { r->i = SSL_use_certificate(S, cert); }
CALL(c_SSL_get_client_random)
{
    unsigned char b[32];

    r->i = (long)SSL_get_client_random(S, b, sizeof(b));
}

/* SSL_CTX* */
CALL(c_SSL_CTX_free) { (void)r; SSL_CTX_free(C); }
CALL(c_SSL_CTX_up_ref) { r->i = SSL_CTX_up_ref(C); }
CALL(c_SSL_new)
{
    SSL *s = SSL_new(C);

    r->p = s;
    SSL_free(s);
}
CALL(c_SSL_CTX_set_options) { r->i = (long)SSL_CTX_set_options(C, SSL_OP_NO_TICKET); }
CALL(c_SSL_CTX_set_min_proto_version) { r->i = SSL_CTX_set_min_proto_version(C, TLS1_2_VERSION); }
CALL(c_SSL_CTX_ctrl)
{
    /* SSL_CTX_set_max_proto_version spelled out: "1 on success and 0 on failure" */
    r->i = SSL_CTX_ctrl(C, SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_3_VERSION, NULL);
}
CALL(c_SSL_ctrl) { r->i = SSL_ctrl(S, SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_3_VERSION, NULL); }
CALL(c_SSL_CTX_set_cipher_list) { r->i = SSL_CTX_set_cipher_list(C, "HIGH"); }
CALL(c_SSL_CTX_set_ciphersuites) { r->i = SSL_CTX_set_ciphersuites(C, "TLS_AES_128_GCM_SHA256"); }
CALL(c_SSL_CTX_load_verify_locations) { r->i = SSL_CTX_load_verify_locations(C, cert_path, NULL); }
CALL(c_SSL_CTX_set_default_verify_paths) { r->i = SSL_CTX_set_default_verify_paths(C); }
CALL(c_SSL_CTX_get_cert_store) { r->p = SSL_CTX_get_cert_store(C); }
CALL(c_SSL_CTX_set_verify) { (void)r; SSL_CTX_set_verify(C, SSL_VERIFY_PEER, NULL); }
CALL(c_SSL_CTX_use_certificate_file)
{
    r->i = SSL_CTX_use_certificate_file(C, cert_path, SSL_FILETYPE_PEM);
}
CALL(c_SSL_CTX_use_PrivateKey_file)
{
    r->i = SSL_CTX_use_PrivateKey_file(C, key_path, SSL_FILETYPE_PEM);
}
CALL(c_SSL_CTX_use_certificate) { r->i = SSL_CTX_use_certificate(C, cert); }
CALL(c_SSL_CTX_use_PrivateKey) { r->i = SSL_CTX_use_PrivateKey(C, pkey); }
CALL(c_SSL_CTX_check_private_key) { r->i = SSL_CTX_check_private_key(C); }
CALL(c_SSL_CTX_set_alpn_protos)
{
    r->i = SSL_CTX_set_alpn_protos(C, alpn_wire, sizeof(alpn_wire) - 1);
}
CALL(c_SSL_CTX_set_session_id_context)
{
    r->i = SSL_CTX_set_session_id_context(C, (const unsigned char *)"misuse", 6);
}
CALL(c_SSL_CTX_get_ex_data) { r->p = SSL_CTX_get_ex_data(C, 0); }
CALL(c_SSL_CTX_set_ex_data) { r->i = SSL_CTX_set_ex_data(C, 0, garbage); }

/* SSL_SESSION* */
CALL(c_SSL_SESSION_free) { (void)r; SSL_SESSION_free(SS); }
CALL(c_SSL_SESSION_up_ref) { r->i = SSL_SESSION_up_ref(SS); }
CALL(c_SSL_set_session_sess) { r->i = SSL_set_session(live_ssl, SS); }
CALL(c_SSL_SESSION_get_time) { r->i = SSL_SESSION_get_time(SS); }
CALL(c_SSL_SESSION_get_timeout) { r->i = SSL_SESSION_get_timeout(SS); }
CALL(c_SSL_SESSION_set_timeout) { r->i = SSL_SESSION_set_timeout(SS, 60); }
CALL(c_SSL_SESSION_get_protocol_version) { r->i = SSL_SESSION_get_protocol_version(SS); }
CALL(c_SSL_SESSION_is_resumable) { r->i = SSL_SESSION_is_resumable(SS); }
CALL(c_SSL_SESSION_get_master_key)
{
    unsigned char b[48];

    r->i = (long)SSL_SESSION_get_master_key(SS, b, sizeof(b));
}
CALL(c_SSL_SESSION_get0_cipher) { r->p = SSL_SESSION_get0_cipher(SS); }
CALL(c_SSL_SESSION_dup)
{
    SSL_SESSION *d = SSL_SESSION_dup(SS);

    r->p = d;
    if (d != NULL)
        SSL_SESSION_free(d);
}

/* not a handle, but a NULL the documentation talks about */
CALL(c_SSL_CTX_new) { SSL_CTX *c = SSL_CTX_new((const SSL_METHOD *)h); r->p = c; SSL_CTX_free(c); }
CALL(c_SSL_CIPHER_get_name) { r->p = SSL_CIPHER_get_name((const SSL_CIPHER *)h); }

#define T(fn, arg, ht, kinds, ex, val, str, doc, flags) \
    { #fn, arg, ht, kinds, c_##fn, ex, val, str, doc, flags }
/* the same function tested once per handle parameter: name, then the wrapper's suffix */
#define T2(fn, suffix, arg, ht, kinds, ex, val, str, doc, flags) \
    { #fn, arg, ht, kinds, c_##fn##_##suffix, ex, val, str, doc, flags }

static const struct check checks[] = {
    /* --- SSL* --- */
    T(SSL_free, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void; NULL: nothing is done", F_NULL_NOERR),
    T(SSL_up_ref, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 for success and 0 for failure", 0),
    T(SSL_read, NULL, H_SSL, K_ALL, E_LE0, 0, NULL, "<= 0: not successful", 0),
    T(SSL_read_ex, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 for success or 0 for failure", 0),
    T(SSL_peek, NULL, H_SSL, K_ALL, E_LE0, 0, NULL, "<= 0: not successful", 0),
    T(SSL_write, NULL, H_SSL, K_ALL, E_LE0, 0, NULL, "<= 0: not successful", 0),
    T(SSL_write_ex, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 for success or 0 for failure", 0),
    T(SSL_connect, NULL, H_SSL, K_ALL, E_LT0, 0, NULL, "<0: fatal error", 0),
    T(SSL_accept, NULL, H_SSL, K_ALL, E_LT0, 0, NULL, "<0: fatal error", 0),
    T(SSL_do_handshake, NULL, H_SSL, K_ALL, E_LT0, 0, NULL, "<0: fatal error", 0),
    T(SSL_shutdown, NULL, H_SSL, K_ALL, E_LT0, 0, NULL, "<0: not successful", 0),
    T(SSL_clear, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "0: could not be performed", 0),
    T(SSL_get_error, NULL, H_SSL, K_ALL, E_EQ, SSL_ERROR_SSL, NULL,
      "SSL_ERROR_SSL: non-recoverable error, details on the queue", 0),
    T(SSL_pending, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "number of pending bytes", 0),
    T(SSL_set_fd, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "0: the operation failed", 0),
    T(SSL_get_fd, NULL, H_SSL, K_ALL, E_EQ, -1, NULL, "-1: the operation failed", 0),
    T(SSL_set_bio, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void", 0),
    T(SSL_get_rbio, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no BIO", 0),
    T(SSL_get_version, NULL, H_SSL, K_ALL, E_STR, 0, "unknown",
      "one of SSLv3 ... TLSv1.3, or \"unknown\" (never NULL)", 0),
    T(SSL_get_current_cipher, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no session", 0),
    T(SSL_set_options, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "the new options bitmask", 0),
    T(SSL_ctrl, "SSL_CTRL_SET_MAX_PROTO_VERSION", H_SSL, K_ALL, E_EQ, 0, NULL,
      "setters: 1 on success and 0 on failure", 0),
    T(SSL_set_tlsext_host_name, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 on success, 0 on error", 0),
    T(SSL_set_min_proto_version, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 on success and 0 on failure", 0),
    T(SSL_get_peer_tmp_key, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 on success and 0 otherwise", 0),
    T(SSL_get_negotiated_group, NULL, H_SSL, K_ALL, E_EQ, NID_undef, NULL,
      "NID_undef if there was no negotiated group", 0),
    T(SSL_group_to_name, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: an error occurred", 0),
    T(SSL_get_verify_result, NULL, H_SSL, K_ALL, E_NE, X509_V_OK, NULL,
      "X509_V_OK only if verification succeeded", 0),
    T(SSL_get1_peer_certificate, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no certificate", 0),
    T(SSL_get_peer_cert_chain, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no chain", 0),
    T2(SSL_set_session, ssl, "ssl", H_SSL, K_ALL, E_EQ, 0, NULL, "0: the operation failed", 0),
    T(SSL_get_session, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no session", 0),
    T(SSL_get1_session, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no session", 0),
    T(SSL_get_ex_data, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL if an error occurred", 0),
    T(SSL_set_ex_data, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 on success or 0 on error", 0),
    T(SSL_get_SSL_CTX, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "the SSL_CTX (none: NULL)", 0),
    T(SSL_set_connect_state, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void", 0),
    T(SSL_set_accept_state, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void", 0),
    T(SSL_set_verify, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void", 0),
    T(SSL_set1_host, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 for success and 0 for failure", 0),
    T(SSL_set_alpn_protos, NULL, H_SSL, K_ALL, E_NE, 0, NULL,
      "0 on success, non-0 on failure (reversed convention)", 0),
    T(SSL_get0_alpn_selected, NULL, H_SSL, K_ALL, E_VOID, 0, NULL, "void; *data=NULL, *len=0", 0),
    T(SSL_get_servername, NULL, H_SSL, K_ALL, E_NULL, 0, NULL, "NULL: no name", 0),
    T(SSL_is_init_finished, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 if finished, else 0", 0),
    T(SSL_set_cipher_list, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "0 on complete failure", 0),
    T(SSL_use_certificate, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_get_client_random, NULL, H_SSL, K_ALL, E_EQ, 0, NULL, "bytes copied", 0),

    /* --- SSL_CTX* --- */
    T(SSL_CTX_free, NULL, H_CTX, K_ALL, E_VOID, 0, NULL, "void; NULL: nothing is done", F_NULL_NOERR),
    T(SSL_CTX_up_ref, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 for success and 0 for failure", 0),
    T(SSL_new, NULL, H_CTX, K_ALL, E_NULL, 0, NULL, "NULL: creation failed, see error stack", 0),
    T(SSL_CTX_set_options, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "the new options bitmask", 0),
    T(SSL_CTX_ctrl, "SSL_CTRL_SET_MAX_PROTO_VERSION", H_CTX, K_ALL, E_EQ, 0, NULL,
      "setters: 1 on success and 0 on failure", 0),
    T(SSL_CTX_set_min_proto_version, NULL, H_CTX, K_ALL, E_EQ, 0, NULL,
      "1 on success and 0 on failure", 0),
    T(SSL_CTX_set_cipher_list, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "0 on complete failure", 0),
    T(SSL_CTX_set_ciphersuites, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "0 otherwise", 0),
    T(SSL_CTX_load_verify_locations, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "0: the operation failed", 0),
    T(SSL_CTX_set_default_verify_paths, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "0 on failure", 0),
    T(SSL_CTX_get_cert_store, NULL, H_CTX, K_ALL, E_NULL, 0, NULL, "the store (none: NULL)", 0),
    T(SSL_CTX_set_verify, NULL, H_CTX, K_ALL, E_VOID, 0, NULL, "void", 0),
    T(SSL_CTX_use_certificate_file, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_CTX_use_PrivateKey_file, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_CTX_use_certificate, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_CTX_use_PrivateKey, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_CTX_check_private_key, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success", 0),
    T(SSL_CTX_set_alpn_protos, NULL, H_CTX, K_ALL, E_NE, 0, NULL,
      "0 on success, non-0 on failure (reversed convention)", 0),
    T(SSL_CTX_set_session_id_context, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "0 on error", 0),
    T(SSL_CTX_get_ex_data, NULL, H_CTX, K_ALL, E_NULL, 0, NULL, "NULL if an error occurred", 0),
    T(SSL_CTX_set_ex_data, NULL, H_CTX, K_ALL, E_EQ, 0, NULL, "1 on success or 0 on error", 0),

    /* --- SSL_SESSION* --- */
    T(SSL_SESSION_free, NULL, H_SESS, K_ALL, E_VOID, 0, NULL, "void; NULL: nothing is done",
      F_NULL_NOERR),
    T(SSL_SESSION_up_ref, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "1 on success or 0 on error", 0),
    /* NULL is a valid session for SSL_set_session (it clears the session) */
    T2(SSL_set_session, sess, "session", H_SESS, K_NOTNULL, E_EQ, 0, NULL, "0: the operation failed", 0),
    T(SSL_SESSION_get_time, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "NULL session: 0 is returned",
      F_NULL_ANYERR),
    T(SSL_SESSION_get_timeout, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "NULL session: 0 is returned",
      F_NULL_ANYERR),
    T(SSL_SESSION_set_timeout, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "NULL session: 0 is returned",
      F_NULL_ANYERR),
    T(SSL_SESSION_get_protocol_version, NULL, H_SESS, K_ALL, E_EQ, 0, NULL,
      "a protocol version constant (none: 0)", 0),
    T(SSL_SESSION_is_resumable, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "1 if resumable or 0", 0),
    T(SSL_SESSION_get_master_key, NULL, H_SESS, K_ALL, E_EQ, 0, NULL, "bytes copied", 0),
    T(SSL_SESSION_get0_cipher, NULL, H_SESS, K_ALL, E_NULL, 0, NULL, "the cipher (none: NULL)", 0),
    T(SSL_SESSION_dup, NULL, H_SESS, K_ALL, E_NULL, 0, NULL, "NULL on error", 0),

    /* --- documented NULLs that are not handles --- */
    T(SSL_CTX_new, NULL, H_METHOD, K_NULL, E_NULL, 0, NULL, "NULL: creation failed", 0),
    T(SSL_CIPHER_get_name, NULL, H_CIPHER, K_NULL, E_STR, 0, "(NONE)",
      "cipher NULL: returns \"(NONE)\"", F_NULL_NOERR),
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

/* ------------------------------------------------------------------ running a check */

static char failbuf[512];
static size_t faillen;

static void why(const char *fmt, ...)
{
    va_list ap;

    if (faillen >= sizeof(failbuf) - 1)
        return;
    if (faillen > 0)
        faillen += (size_t)snprintf(failbuf + faillen, sizeof(failbuf) - faillen, "; ");
    va_start(ap, fmt);
    if (faillen < sizeof(failbuf))
        faillen += (size_t)vsnprintf(failbuf + faillen, sizeof(failbuf) - faillen, fmt, ap);
    va_end(ap);
    if (faillen > sizeof(failbuf) - 1)
        faillen = sizeof(failbuf) - 1;
}

/* The live objects must survive every check. Returns 1 if all are fine. An object found
 * dead is replaced (the old pointer is abandoned), so that one failure does not make every
 * later check of an in-process run fail too. */
static int probe_alive(void)
{
    int ok = 1;

    ERR_clear_error();
    if (live_ctx != NULL && SSL_CTX_get_cert_store(live_ctx) == NULL) {
        why("the live SSL_CTX is gone");
        ok = 0;
        live_ctx = SSL_CTX_new(TLS_method());
        live_ssl = SSL_new(live_ctx);
    }
    if (parent_ctx != NULL && SSL_CTX_get_cert_store(parent_ctx) == NULL) {
        why("the SSL_CTX of the freed SSLs is gone (reference released twice?)");
        ok = 0;
        parent_ctx = SSL_CTX_new(TLS_method());
    }
    if (live_ssl != NULL && SSL_get_SSL_CTX(live_ssl) != live_ctx) {
        why("the live SSL is gone");
        ok = 0;
        live_ssl = SSL_new(live_ctx);
    }
    if (live_sess != NULL) {
        if (SSL_SESSION_up_ref(live_sess) != 1) {
            why("the live SSL_SESSION is gone");
            ok = 0;
            live_sess = SSL_SESSION_new();
        } else {
            SSL_SESSION_free(live_sess);
        }
    }
    if (ok && ERR_peek_error() != 0) {
        why("using the live objects queued an error");
        ok = 0;
    }
    ERR_clear_error();
    return ok;
}

static void describe_error(unsigned long e, char *buf, size_t len)
{
    const char *lib = ERR_lib_error_string(e);
    const char *reason = ERR_reason_error_string(e);

    snprintf(buf, len, "%08lX (%s: %s)", e, lib ? lib : "?", reason ? reason : "?");
}

/* Runs one check; prints its line; returns 1 on pass. */
static int run_check(const struct check *c, enum kind k)
{
    char desc[96], got[128], errdesc[160] = "none";
    struct result r;
    void *h = bad_handle(c->ht, k, desc, sizeof(desc));
    unsigned long e;
    int ok = 1, err_ok;

    faillen = 0;
    failbuf[0] = '\0';
    memset(&r, 0, sizeof(r));
    r.i = 0x5a5a5a5a;
    r.p = &r; /* non-NULL sentinel */

    ERR_clear_error();
    c->call(h, &r);
    e = ERR_peek_error();

    switch (c->ex) {
    case E_NULL:
        snprintf(got, sizeof(got), "%s", r.p == NULL ? "NULL" : "non-NULL");
        ok = r.p == NULL;
        break;
    case E_STR:
        if (r.p == NULL)
            snprintf(got, sizeof(got), "NULL");
        else
            snprintf(got, sizeof(got), "\"%.60s\"", (const char *)r.p);
        ok = r.p != NULL && strcmp((const char *)r.p, c->str) == 0;
        break;
    case E_VOID:
        snprintf(got, sizeof(got), "(void)");
        break;
    default:
        snprintf(got, sizeof(got), "%ld", r.i);
        ok = c->ex == E_EQ ? r.i == c->val
           : c->ex == E_NE ? r.i != c->val
           : c->ex == E_LE0 ? r.i <= 0
           : r.i < 0;
        break;
    }
    if (!ok)
        why("returned %s, documented failure: %s", got, c->doc);
    if (r.extra_bad) {
        why("%s", r.extra_what);
        ok = 0;
    }

    if (e != 0)
        describe_error(e, errdesc, sizeof(errdesc));
    if (k == K_NULL && (c->flags & F_NULL_NOERR)) {
        err_ok = e == 0;
        if (!err_ok)
            why("queued an error for a documented NULL no-op: %s", errdesc);
    } else if (k == K_NULL && (c->flags & F_NULL_ANYERR)) {
        err_ok = e == 0 || ERR_GET_LIB(e) == ERR_LIB_SSL;
        if (!err_ok)
            why("queued a non-SSL error: %s", errdesc);
    } else {
        err_ok = e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL;
        if (e == 0)
            why("no error on the queue");
        else if (!err_ok)
            why("first queued error is not from ERR_LIB_SSL: %s", errdesc);
    }
    ok = ok && err_ok;

    if (!probe_alive())
        ok = 0;

    printf("%s %s(%s%s%s) -> %s, error %s%s%s\n", ok ? "PASS" : "FAIL", c->fn,
           c->arg ? c->arg : "", c->arg ? ": " : "", desc, got, errdesc,
           ok ? "" : " :: ", ok ? "" : failbuf);
    fflush(stdout);
    return ok;
}

/* Runs one check in a child process; a crash is a failure. */
static int run_check_forked(const struct check *c, enum kind k)
{
    int status;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0)
        _exit(run_check(c, k) ? 0 : 3);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            exit(2);
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
        return 0;
    {
        char desc[96];

        bad_handle(c->ht, k, desc, sizeof(desc));
        if (WIFSIGNALED(status))
            printf("FAIL %s(%s%s%s) :: crashed: signal %d (%s)\n", c->fn, c->arg ? c->arg : "",
                   c->arg ? ": " : "", desc, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            printf("FAIL %s(%s%s%s) :: child exited with status %d (sanitizer report?)\n",
                   c->fn, c->arg ? c->arg : "", c->arg ? ": " : "", desc, WEXITSTATUS(status));
        fflush(stdout);
    }
    return 0;
}

/* ------------------------------------------------------------------ setup */

static void setup_fail(const char *what)
{
    fprintf(stderr, "misuse: setup: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

static void make_credentials(void)
{
    X509_NAME *name;
    FILE *f;
    int fd;

    pkey = EVP_EC_gen("P-256");
    cert = X509_new();
    if (pkey == NULL || cert == NULL)
        setup_fail("key generation");
    name = X509_get_subject_name(cert);
    if (!X509_set_version(cert, X509_VERSION_3)
        || !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1)
        || X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(cert), 86400) == NULL
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const unsigned char *)"misuse.test", -1, -1, 0)
        || !X509_set_issuer_name(cert, name)
        || !X509_set_pubkey(cert, pkey)
        || !X509_sign(cert, pkey, EVP_sha256()))
        setup_fail("certificate creation");

    snprintf(cert_path, sizeof(cert_path), "/tmp/misuse-cert.XXXXXX");
    fd = mkstemp(cert_path);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL || !PEM_write_X509(f, cert) || fclose(f) != 0)
        setup_fail("writing the certificate");
    snprintf(key_path, sizeof(key_path), "/tmp/misuse-key.XXXXXX");
    fd = mkstemp(key_path);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL
        || !PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) || fclose(f) != 0)
        setup_fail("writing the key");
}

static void setup(unsigned kinds)
{
    memset(garbage, 0xa5, sizeof(garbage));
    devnull_fd = open("/dev/null", O_RDWR);
    if (devnull_fd < 0)
        setup_fail("open /dev/null");
    make_credentials();

    /* Live objects are always needed: they are the "other" argument of two-handle calls
     * and are probed after every check. */
    live_ctx = SSL_CTX_new(TLS_method());
    if (live_ctx == NULL)
        setup_fail("SSL_CTX_new");
    live_ssl = SSL_new(live_ctx);
    if (live_ssl == NULL)
        setup_fail("SSL_new");
    live_sess = SSL_SESSION_new();
    if (live_sess == NULL)
        setup_fail("SSL_SESSION_new");

    /* Freed handles exist only where the library under test survives making them. */
    if (kinds & (K_FREED | K_DFREED)) {
        parent_ctx = SSL_CTX_new(TLS_method());
        freed_ctx = SSL_CTX_new(TLS_method());
        dfreed_ctx = SSL_CTX_new(TLS_method());
        if (parent_ctx == NULL || freed_ctx == NULL || dfreed_ctx == NULL)
            setup_fail("SSL_CTX_new");
        freed_ssl = SSL_new(parent_ctx);
        dfreed_ssl = SSL_new(parent_ctx);
        if (freed_ssl == NULL || dfreed_ssl == NULL)
            setup_fail("SSL_new");
        freed_sess = SSL_SESSION_new();
        dfreed_sess = SSL_SESSION_new();
        if (freed_sess == NULL || dfreed_sess == NULL)
            setup_fail("SSL_SESSION_new");

        SSL_CTX_free(freed_ctx);
        SSL_free(freed_ssl);
        SSL_SESSION_free(freed_sess);

        SSL_CTX_free(dfreed_ctx);
        SSL_free(dfreed_ssl);
        SSL_SESSION_free(dfreed_sess);
        /* the double frees themselves are checks too (SSL_free(freed SSL*) etc.) */
        SSL_CTX_free(dfreed_ctx);
        SSL_free(dfreed_ssl);
        SSL_SESSION_free(dfreed_sess);
    }
    ERR_clear_error();
}

static void teardown(void)
{
    SSL_free(live_ssl);
    SSL_CTX_free(live_ctx);
    SSL_SESSION_free(live_sess);
    SSL_CTX_free(parent_ctx);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    if (cert_path[0] != '\0')
        unlink(cert_path);
    if (key_path[0] != '\0')
        unlink(key_path);
    if (devnull_fd >= 0)
        close(devnull_fd);
    ERR_clear_error();
}

/* ------------------------------------------------------------------ main */

static unsigned parse_kinds(const char *s)
{
    unsigned m = 0;
    char *dup = strdup(s), *tok, *save = NULL;

    for (tok = strtok_r(dup, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "null") == 0) m |= K_NULL;
        else if (strcmp(tok, "freed") == 0) m |= K_FREED;
        else if (strcmp(tok, "dfreed") == 0) m |= K_DFREED;
        else if (strcmp(tok, "wrong") == 0) m |= K_WRONG;
        else if (strcmp(tok, "garbage") == 0) m |= K_GARBAGE;
        else if (strcmp(tok, "all") == 0) m |= K_ALL;
        else {
            fprintf(stderr, "misuse: unknown kind '%s'\n", tok);
            exit(2);
        }
    }
    free(dup);
    return m;
}

int main(int argc, char **argv)
{
    unsigned kinds = K_ALL;
    const char *only = NULL;
    int use_fork = 0, i, passed = 0, failed = 0;
    size_t n;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fork") == 0)
            use_fork = 1;
        else if (strncmp(argv[i], "--kinds=", 8) == 0)
            kinds = parse_kinds(argv[i] + 8);
        else if (strncmp(argv[i], "--only=", 7) == 0)
            only = argv[i] + 7;
        else {
            fprintf(stderr, "usage: misuse [--fork] [--kinds=null,freed,dfreed,wrong,garbage|all]"
                            " [--only=SUBSTRING]\n");
            return 2;
        }
    }

    setup(kinds);
    for (n = 0; n < NCHECKS; n++) {
        const struct check *c = &checks[n];
        unsigned bit;

        if (only != NULL && strstr(c->fn, only) == NULL)
            continue;
        for (bit = 1; bit <= K_GARBAGE; bit <<= 1) {
            int ok;

            if (!(c->kinds & kinds & bit))
                continue;
            ok = use_fork ? run_check_forked(c, (enum kind)bit) : run_check(c, (enum kind)bit);
            if (ok)
                passed++;
            else
                failed++;
        }
    }
    teardown();
    printf("%d passed, %d failed\n", passed, failed);
    /* Flush now: if LeakSanitizer finds a leak at exit it ends the process with _exit(),
     * before stdio would have written this line out. */
    fflush(stdout);
    return failed == 0 && passed > 0 ? 0 : 1;
}
