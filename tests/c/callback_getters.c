/*
 * callback_getters: what the SSL getters return while the library is calling the program back.
 *
 * Built by tests/callback_getters.rs with gcc against the system OpenSSL headers (-lssl
 * -lcrypto) and run on the stock libssl.so.3 and on ferrossl's (LD_LIBRARY_PATH); both runs
 * must print the same lines. Lines starting with '~' are left out of the comparison.
 *
 * usage: callback_getters whichlib                prints the path of the libssl in use
 *        callback_getters server key=value ...   accepts conns=N connections on 127.0.0.1:port
 *        callback_getters client key=value ...   makes conns=N connections to 127.0.0.1:port
 *
 * Keys: port, conns, proto (1.2 or 1.3), root (CA file), cert/key (own chain and key),
 * alt_cert/alt_key (the second server context), switch (none, sni or hello: where the server
 * moves the connection to the second context), tickets (0 or 1, server), info (0 or 1: also
 * install the info callback, which OpenSSL calls for every state of its state machine).
 *
 * Every callback invocation prints a numbered block "<callback>#<n> <getter>=<value>", one line
 * per getter, so that a difference shows which getter, in which call, differs. After the
 * connections the program removes sessions from the context (SSL_CTX_remove_session), and the
 * remove callback calls SSL_CTX_set_info_callback: a library that holds a context lock across
 * that callback deadlocks here, and alarm() ends the run (exit by signal 14).
 *
 * Exit status: 0 when the run reached its end, 2 for a usage error, 3 when the test could not
 * do something (e.g. bind or connect).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* ------------------------------------------------------------------ arguments and output */

static int g_argc;
static char **g_argv;

static const char *opt(const char *key, const char *dflt) {
    size_t n = strlen(key);
    for (int i = 2; i < g_argc; i++)
        if (strncmp(g_argv[i], key, n) == 0 && g_argv[i][n] == '=')
            return g_argv[i] + n + 1;
    return dflt;
}

static const char *need(const char *key) {
    const char *v = opt(key, NULL);
    if (v == NULL) {
        fprintf(stderr, "callback_getters: missing argument %s=...\n", key);
        exit(2);
    }
    return v;
}

static void P(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void die(const char *what) {
    fprintf(stderr, "callback_getters: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(3);
}

static const char *str_or_null(const char *s) { return s != NULL ? s : "(null)"; }

static void dump_errors(const char *label) {
    unsigned long e;
    while ((e = ERR_get_error()) != 0)
        P("%s error lib=%s reason=%s", label, str_or_null(ERR_lib_error_string(e)),
          str_or_null(ERR_reason_error_string(e)));
}

/* ------------------------------------------------------------------ the connection's identity */

#define MAX_CONNS 8

/* What the program set on a connection; the ex_data value points at one of these. */
struct conn {
    char tag[32];
    int fd;
    BIO *bio;
    SSL *ssl;
};

static struct conn g_conns[MAX_CONNS];
static int g_ex_idx;
static SSL_CTX *g_main, *g_alt;
static int g_info;

static const char *ctx_name(const SSL_CTX *c) {
    if (c == NULL) return "NULL";
    if (c == g_main) return "main";
    if (c == g_alt) return "alt";
    return "other";
}

/* The conn the ex_data pointer designates, or NULL when it is not one the program set. */
static struct conn *known_conn(void *p) {
    for (int i = 0; i < MAX_CONNS; i++)
        if (p == &g_conns[i]) return &g_conns[i];
    return NULL;
}

static const char *fd_word(int fd, const struct conn *c) {
    if (fd == -1) return "-1";
    return c != NULL && fd == c->fd ? "the-socket" : "other";
}

static const char *bio_word(const BIO *b, const struct conn *c) {
    if (b == NULL) return "NULL";
    return c != NULL && b == c->bio ? "the-bio" : "other";
}

static const char *subject_of(X509 *x, char *buf, size_t n) {
    if (x == NULL) return "NULL";
    X509_NAME_oneline(X509_get_subject_name(x), buf, (int)n);
    return buf;
}

/*
 * Prints every getter the brief lists, one line each, prefixed "<cb>#<n>". The SSL is the one
 * the library handed to the callback; the expected identity comes from the program's own
 * record of which SSL it created (conn->ssl), found through a pointer comparison only.
 */
static void getters(const char *cb, int n, const SSL *cssl) {
    SSL *ssl = (SSL *)cssl;
    char pre[64], buf[256];
    snprintf(pre, sizeof pre, "%s#%d", cb, n);
    if (ssl == NULL) {
        P("%s ssl=NULL", pre);
        return;
    }
    void *ex = SSL_get_ex_data(ssl, g_ex_idx);
    struct conn *c = known_conn(ex);
    P("%s ssl=%s", pre, c != NULL && c->ssl == ssl ? "the-ssl" : "other");
    P("%s is_server=%d", pre, SSL_is_server(ssl));
    P("%s fd=%s", pre, fd_word(SSL_get_fd(ssl), c));
    P("%s rfd=%s", pre, fd_word(SSL_get_rfd(ssl), c));
    P("%s wfd=%s", pre, fd_word(SSL_get_wfd(ssl), c));
    P("%s rbio=%s", pre, bio_word(SSL_get_rbio(ssl), c));
    P("%s wbio=%s", pre, bio_word(SSL_get_wbio(ssl), c));
    P("%s servername=%s", pre, str_or_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)));
    P("%s ctx=%s", pre, ctx_name(SSL_get_SSL_CTX(ssl)));
    P("%s ex_data=%s", pre, ex == NULL ? "(null)" : c != NULL ? c->tag : "other");
    P("%s verify_result=%ld", pre, SSL_get_verify_result(ssl));
    P("%s session=%s", pre, SSL_get_session(ssl) != NULL ? "set" : "NULL");
    P("%s version=0x%x", pre, SSL_version(ssl));
    P("%s in_init=%d", pre, SSL_in_init(ssl));
    P("%s is_init_finished=%d", pre, SSL_is_init_finished(ssl));
    P("%s state=%d", pre, (int)SSL_get_state(ssl));
    const SSL_CIPHER *ciph = SSL_get_current_cipher(ssl);
    P("%s cipher=%s", pre, ciph != NULL ? SSL_CIPHER_get_name(ciph) : "NULL");
    X509 *peer = SSL_get_peer_certificate(ssl);
    P("%s peer=%s", pre, subject_of(peer, buf, sizeof buf));
    X509_free(peer);
    P("%s verify_mode=%d", pre, SSL_get_verify_mode(ssl));
}

/* ------------------------------------------------------------------ callbacks */

static int n_servername, n_hello, n_cert, n_alpn, n_verify, n_new, n_remove, n_get, n_info,
    n_keylog, n_status, n_ticket;
static const char *g_switch = "none";
static SSL_SESSION *g_stored; /* the last session the new-session callback kept */

static void move_to_alt(const char *cb, int n, SSL *ssl) {
    SSL_CTX *r = SSL_set_SSL_CTX(ssl, g_alt);
    P("%s#%d SSL_set_SSL_CTX(alt) returned %s; now ctx=%s", cb, n, ctx_name(r),
      ctx_name(SSL_get_SSL_CTX(ssl)));
}

static int servername_cb(SSL *ssl, int *al, void *arg) {
    int n = ++n_servername;
    (void)al;
    P("servername#%d arg=%s", n, arg == (void *)&n_servername ? "ours" : "other");
    getters("servername", n, ssl);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (strcmp(g_switch, "sni") == 0 && name != NULL && strcmp(name, "alt") == 0)
        move_to_alt("servername", n, ssl);
    return SSL_TLSEXT_ERR_OK;
}

static int client_hello_cb(SSL *ssl, int *al, void *arg) {
    int n = ++n_hello;
    (void)al;
    P("client_hello#%d arg=%s", n, arg == (void *)&n_hello ? "ours" : "other");
    getters("client_hello", n, ssl);
    if (strcmp(g_switch, "hello") == 0)
        move_to_alt("client_hello", n, ssl);
    return SSL_CLIENT_HELLO_SUCCESS;
}

static int cert_cb(SSL *ssl, void *arg) {
    int n = ++n_cert;
    P("cert#%d arg=%s", n, arg == (void *)&n_cert ? "ours" : "other");
    getters("cert", n, ssl);
    return 1;
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char ours[] = "\x08http/1.1";
    int n = ++n_alpn;
    P("alpn#%d arg=%s offered-bytes=%u", n, arg == (void *)&n_alpn ? "ours" : "other", inlen);
    getters("alpn", n, ssl);
    if (SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof ours - 1, in, inlen)
        != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static int verify_cb(int ok, X509_STORE_CTX *xs) {
    int n = ++n_verify;
    char buf[256];
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    P("verify#%d preverify=%d depth=%d error=%d cert=%s", n, ok, X509_STORE_CTX_get_error_depth(xs),
      X509_STORE_CTX_get_error(xs), subject_of(X509_STORE_CTX_get_current_cert(xs), buf, sizeof buf));
    getters("verify", n, ssl);
    return ok;
}

static int new_session_cb(SSL *ssl, SSL_SESSION *sess) {
    int n = ++n_new;
    P("new_session#%d same-as-SSL_get_session=%s protocol=0x%x", n,
      sess == SSL_get_session(ssl) ? "yes" : "no", SSL_SESSION_get_protocol_version(sess));
    getters("new_session", n, ssl);
    SSL_SESSION_free(g_stored);
    g_stored = sess; /* keep the reference the library handed over */
    return 1;
}

static SSL_SESSION *get_session_cb(SSL *ssl, const unsigned char *id, int len, int *copy) {
    int n = ++n_get;
    unsigned int stored_len = 0;
    const unsigned char *stored = g_stored ? SSL_SESSION_get_id(g_stored, &stored_len) : NULL;
    int match = stored != NULL && (int)stored_len == len && memcmp(stored, id, len) == 0;
    P("get_session#%d id-length=%d matches-stored=%s", n, len, match ? "yes" : "no");
    getters("get_session", n, ssl);
    *copy = 1;
    return match ? g_stored : NULL;
}

static void remove_session_cb(SSL_CTX *ctx, SSL_SESSION *sess) {
    int n = ++n_remove;
    unsigned int len = 0;
    SSL_SESSION_get_id(sess, &len);
    P("remove_session#%d ctx=%s session=%s id-length=%u protocol=0x%x", n, ctx_name(ctx),
      sess == g_stored ? "stored" : "other", len, SSL_SESSION_get_protocol_version(sess));
    /* Re-installing the same info callback takes whatever lock guards the context's settings. */
    SSL_CTX_set_info_callback(ctx, SSL_CTX_get_info_callback(ctx));
    P("remove_session#%d SSL_CTX_set_info_callback returned", n);
}

static void info_cb(const SSL *ssl, int where, int ret) {
    int n = ++n_info;
    P("info#%d where=0x%x ret=%d", n, where, ret);
    /* The loop and exit events are many; the full getters only at the handshake's edges. */
    if (where & (SSL_CB_HANDSHAKE_START | SSL_CB_HANDSHAKE_DONE | SSL_CB_ALERT))
        getters("info", n, ssl);
    else
        P("info#%d state=%d", n, (int)SSL_get_state(ssl));
}

static void keylog_cb(const SSL *ssl, const char *line) {
    int n = ++n_keylog;
    char label[64] = "";
    sscanf(line, "%63s", label);
    P("keylog#%d label=%s", n, label);
    getters("keylog", n, ssl);
}

static int status_cb(SSL *ssl, void *arg) {
    int n = ++n_status;
    const unsigned char *resp = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    P("status#%d arg=%s ocsp-response-length=%ld", n, arg == (void *)&n_status ? "ours" : "other",
      len);
    getters("status", n, ssl);
    /* Server: no response to staple. Client: no response is acceptable. */
    return SSL_is_server(ssl) ? SSL_TLSEXT_ERR_NOACK : 1;
}

static unsigned char g_key_name[16] = "callback-getter1";
static unsigned char g_aes_key[32], g_mac_key[32];

static int ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cctx,
                     EVP_MAC_CTX *hctx, int enc) {
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    int n = ++n_ticket;
    P("ticket_key#%d enc=%d", n, enc);
    getters("ticket_key", n, ssl);
    if (enc) {
        memcpy(name, g_key_name, 16);
        memset(iv, 0x24, 16);
        if (!EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, g_aes_key, iv)
            || !EVP_MAC_init(hctx, g_mac_key, sizeof g_mac_key, params))
            return -1;
        return 1;
    }
    P("ticket_key#%d key-name=%s", n, memcmp(name, g_key_name, 16) == 0 ? "ours" : "other");
    if (memcmp(name, g_key_name, 16) != 0)
        return 0;
    if (!EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, g_aes_key, iv)
        || !EVP_MAC_init(hctx, g_mac_key, sizeof g_mac_key, params))
        return -1;
    return 1;
}

/* ------------------------------------------------------------------ contexts */

static void set_proto(SSL_CTX *ctx) {
    int v = strcmp(need("proto"), "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
}

static void load_identity(SSL_CTX *ctx, const char *cert, const char *key) {
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        die("loading a certificate and key");
}

/* Both server contexts get the same callbacks: after SSL_set_SSL_CTX, OpenSSL takes the ALPN,
 * status and info callbacks (and the verify store) from the connection's current context. */
static SSL_CTX *server_ctx(const char *cert, const char *key) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) die("SSL_CTX_new");
    set_proto(ctx);
    load_identity(ctx, cert, key);
    if (SSL_CTX_load_verify_locations(ctx, need("root"), NULL) != 1) die("loading the root");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"getters", 7);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_LOOKUP);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    SSL_CTX_sess_set_get_cb(ctx, get_session_cb);
    SSL_CTX_sess_set_remove_cb(ctx, remove_session_cb);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
    SSL_CTX_set_tlsext_servername_arg(ctx, &n_servername);
    SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, &n_hello);
    SSL_CTX_set_cert_cb(ctx, cert_cb, &n_cert);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, &n_alpn);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
    SSL_CTX_set_tlsext_status_arg(ctx, &n_status);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
    if (strcmp(opt("tickets", "1"), "0") == 0)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (g_info)
        SSL_CTX_set_info_callback(ctx, info_cb);
    return ctx;
}

static SSL_CTX *client_ctx(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) die("SSL_CTX_new");
    set_proto(ctx);
    load_identity(ctx, need("cert"), need("key"));
    if (SSL_CTX_load_verify_locations(ctx, need("root"), NULL) != 1) die("loading the root");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    /* No internal store: every session the remove callback sees was never in the cache. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    SSL_CTX_sess_set_remove_cb(ctx, remove_session_cb);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
    SSL_CTX_set_tlsext_status_arg(ctx, &n_status);
    if (g_info)
        SSL_CTX_set_info_callback(ctx, info_cb);
    return ctx;
}

/* ------------------------------------------------------------------ connections */

static void set_timeouts(int fd) {
    struct timeval tv = {15, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static SSL *new_conn(SSL_CTX *ctx, int k, int fd, const char *role) {
    struct conn *c = &g_conns[k];
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) die("SSL_new");
    snprintf(c->tag, sizeof c->tag, "%s-conn-%d", role, k + 1);
    c->fd = fd;
    c->bio = BIO_new_socket(fd, BIO_NOCLOSE);
    c->ssl = ssl;
    SSL_set_bio(ssl, c->bio, c->bio);
    SSL_set_ex_data(ssl, g_ex_idx, c);
    return ssl;
}

/* What the connection reports once the handshake is over (outside any callback). */
static void facts(int k, SSL *ssl) {
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    char buf[256];
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    X509 *peer = SSL_get_peer_certificate(ssl);
    P("conn %d: version=%s reused=%d ctx=%s servername=%s alpn=%.*s verify_result=%ld", k,
      SSL_get_version(ssl), SSL_session_reused(ssl), ctx_name(SSL_get_SSL_CTX(ssl)),
      str_or_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)), (int)alpn_len,
      alpn ? (const char *)alpn : "", SSL_get_verify_result(ssl));
    P("conn %d: peer=%s", k, subject_of(peer, buf, sizeof buf));
    X509_free(peer);
}

static void finish(int k, SSL *ssl) {
    char buf[256];
    int r = SSL_shutdown(ssl);
    if (r == 0)
        while (SSL_read(ssl, buf, sizeof buf) > 0)
            ;
    P("conn %d: closed", k);
    ERR_clear_error();
}

static void remove_stored(SSL_CTX *ctx, const char *what) {
    if (g_stored == NULL) {
        P("remove %s: no stored session", what);
        return;
    }
    P("remove %s: calling SSL_CTX_remove_session", what);
    int r = SSL_CTX_remove_session(ctx, g_stored);
    P("remove %s: SSL_CTX_remove_session returned %d", what, r);
}

static int run_server(void) {
    g_switch = opt("switch", "none");
    g_main = server_ctx(need("cert"), need("key"));
    g_alt = server_ctx(need("alt_cert"), need("alt_key"));
    int conns = atoi(need("conns")), one = 1;
    if (conns < 1 || conns > MAX_CONNS) exit(2);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(need("port")));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 4) != 0) die("bind/listen");
    P("listening");
    for (int k = 1; k <= conns; k++) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) die("accept");
        set_timeouts(fd);
        SSL *ssl = new_conn(g_main, k - 1, fd, "server");
        P("conn %d: SSL_accept", k);
        int r = SSL_accept(ssl);
        P("conn %d: SSL_accept returned %d", k, r);
        if (r == 1) {
            facts(k, ssl);
            SSL_write(ssl, "hello\n", 6);
            finish(k, ssl);
        } else {
            dump_errors("conn");
        }
        SSL_free(ssl);
        close(fd);
    }
    close(ls);
    remove_stored(g_main, "cached session");
    remove_stored(g_main, "the same session again");
    P("end");
    return 0;
}

static int tcp_connect(int port) {
    struct sockaddr_in a = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    set_timeouts(fd);
    return fd;
}

static int run_client(void) {
    g_main = client_ctx();
    int conns = atoi(need("conns")), port = atoi(need("port"));
    if (conns < 1 || conns > MAX_CONNS) exit(2);
    for (int k = 1; k <= conns; k++) {
        int fd = tcp_connect(port);
        SSL *ssl = new_conn(g_main, k - 1, fd, "client");
        SSL_set_tlsext_host_name(ssl, "localhost");
        SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
        if (g_stored != NULL)
            P("conn %d: SSL_set_session returned %d", k, SSL_set_session(ssl, g_stored));
        P("conn %d: SSL_connect", k);
        int r = SSL_connect(ssl);
        P("conn %d: SSL_connect returned %d", k, r);
        if (r == 1) {
            facts(k, ssl);
            char buf[4096];
            long total = 0;
            int n;
            SSL_write(ssl, "GET / HTTP/1.0\r\n\r\n", 18);
            while ((n = SSL_read(ssl, buf, sizeof buf)) > 0)
                total += n;
            P("~conn %d: read %ld bytes (the s_server status page varies)", k, total);
            P("conn %d: read ended with %d", k, SSL_get_error(ssl, n));
            finish(k, ssl);
        } else {
            dump_errors("conn");
        }
        SSL_free(ssl);
        close(fd);
    }
    remove_stored(g_main, "uncached session");
    P("end");
    return 0;
}

int main(int argc, char **argv) {
    g_argc = argc;
    g_argv = argv;
    if (argc < 2) return 2;
    alarm(30);
    memset(g_aes_key, 0x5a, sizeof g_aes_key);
    memset(g_mac_key, 0xa5, sizeof g_mac_key);
    g_ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_info = strcmp(opt("info", "0"), "1") == 0;
    if (strcmp(argv[1], "whichlib") == 0) {
        Dl_info info;
        char path[PATH_MAX];
        if (dladdr((void *)SSL_new, &info) == 0 || realpath(info.dli_fname, path) == NULL)
            die("dladdr");
        P("%s", path);
        return 0;
    }
    if (strcmp(argv[1], "server") == 0) return run_server();
    if (strcmp(argv[1], "client") == 0) return run_client();
    return 2;
}
