/*
 * differential: client-side libssl behaviour that must be identical on OpenSSL 3.0's own
 * libssl.so.3 and on ferrossl's.
 *
 * Built by tests/differential.rs with gcc against the system OpenSSL headers (-lssl -lcrypto)
 * and run twice per scenario: once on the stock libssl, once with LD_LIBRARY_PATH pointing at
 * ferrossl's. Both runs must print the same lines, except lines starting with '~', which carry
 * values that legitimately vary (between runs or by design) and are left out of the comparison.
 *
 * usage: differential SCENARIO [key=value ...]
 *
 * The peers (openssl s_server processes on stock OpenSSL, tiny TCP servers, a proxy) are
 * started by the Rust test, which passes their ports and the test PKI's files as key=value
 * arguments. Every socket has a timeout and the whole process is bounded by alarm().
 *
 * Exit status: 0 when the scenario ran to its end (whatever libssl returned), 2 for a usage
 * error, 3 when the test itself could not do something (e.g. connect to a peer).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* ------------------------------------------------------------------ arguments and output */

static int g_argc;
static char **g_argv;

/* The value of a key=value argument, or NULL. */
static const char *opt(const char *key) {
    size_t n = strlen(key);
    for (int i = 2; i < g_argc; i++)
        if (strncmp(g_argv[i], key, n) == 0 && g_argv[i][n] == '=')
            return g_argv[i] + n + 1;
    return NULL;
}

static const char *need(const char *key) {
    const char *v = opt(key);
    if (v == NULL) {
        fprintf(stderr, "differential: missing argument %s=...\n", key);
        exit(2);
    }
    return v;
}

static int port_of(const char *key) { return atoi(need(key)); }

static void P(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "differential: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(3);
}

static const char *errname(int e) {
    switch (e) {
    case SSL_ERROR_NONE: return "SSL_ERROR_NONE";
    case SSL_ERROR_SSL: return "SSL_ERROR_SSL";
    case SSL_ERROR_WANT_READ: return "SSL_ERROR_WANT_READ";
    case SSL_ERROR_WANT_WRITE: return "SSL_ERROR_WANT_WRITE";
    case SSL_ERROR_WANT_X509_LOOKUP: return "SSL_ERROR_WANT_X509_LOOKUP";
    case SSL_ERROR_SYSCALL: return "SSL_ERROR_SYSCALL";
    case SSL_ERROR_ZERO_RETURN: return "SSL_ERROR_ZERO_RETURN";
    case SSL_ERROR_WANT_CONNECT: return "SSL_ERROR_WANT_CONNECT";
    case SSL_ERROR_WANT_ACCEPT: return "SSL_ERROR_WANT_ACCEPT";
    default: return "SSL_ERROR_other";
    }
}

static const char *str_or_null(const char *s) { return s != NULL ? s : "(null)"; }

/*
 * Drains the error queue, printing each entry's library and reason (numbers and strings), and
 * for the first entry the "error:XXXXXXXX:<lib>:" prefix of ERR_error_string_n plus the text
 * after the function field. The function/file/line and the data string are printed on '~'
 * lines (not compared).
 */
static void dump_errors(const char *label) {
    const char *file, *func, *data;
    int line, flags, n = 0;
    unsigned long e;
    while ((e = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
        if (n == 0) {
            char buf[512];
            ERR_error_string_n(e, buf, sizeof buf);
            /* cut after the third ':' (error:CODE:LIB:), keep the reason after the fourth */
            char *p = buf;
            int colons = 0;
            while (*p && colons < 3)
                if (*p++ == ':')
                    colons++;
            char *func_field = p;
            char *q = strchr(func_field, ':');
            const char *reason_text = q != NULL ? q + 1 : "";
            *func_field = '\0';
            P("%s: first error string: %s...:%s", label, buf, reason_text);
        }
        P("%s: err[%d] lib=%d (%s) reason=%d (%s)", label, n, ERR_GET_LIB(e),
          str_or_null(ERR_lib_error_string(e)), ERR_GET_REASON(e),
          str_or_null(ERR_reason_error_string(e)));
        P("~%s: err[%d] func=%s data=%s", label, n, str_or_null(func),
          (flags & ERR_TXT_STRING) && data != NULL ? data : "");
        n++;
    }
    if (n == 0)
        P("%s: error queue empty", label);
}

/* The error queue's libraries only (for errors whose reasons may legitimately differ). */
static void dump_error_libs(const char *label) {
    unsigned long e;
    int n = 0;
    while ((e = ERR_get_error()) != 0) {
        P("%s: err[%d] lib=%d (%s)", label, n, ERR_GET_LIB(e), str_or_null(ERR_lib_error_string(e)));
        P("~%s: err[%d] reason=%d (%s)", label, n, ERR_GET_REASON(e),
          str_or_null(ERR_reason_error_string(e)));
        n++;
    }
    P("%s: error queue %s", label, n ? "non-empty" : "empty");
}

static void subject_line(const char *label, X509 *cert) {
    if (cert == NULL) {
        P("%s: (none)", label);
        return;
    }
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    P("%s: %s", label, buf);
}

static void verify_result_line(const char *label, SSL *ssl) {
    long v = SSL_get_verify_result(ssl);
    P("%s: verify result %ld (%s)", label, v, X509_verify_cert_error_string(v));
}

/* After a failure: SSL_get_shutdown, then what SSL_shutdown says (applications often call it). */
static void after_failure(const char *label, SSL *ssl) {
    ERR_clear_error();
    P("%s: SSL_get_shutdown=%d", label, SSL_get_shutdown(ssl));
    int r = SSL_shutdown(ssl);
    int e = SSL_get_error(ssl, r);
    P("%s: SSL_shutdown after failure=%d SSL_get_error=%d (%s)", label, r, e, errname(e));
    dump_errors(label);
}

/* ------------------------------------------------------------------ sockets */

static void set_timeouts(int fd) {
    struct timeval tv = {.tv_sec = 15, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    set_timeouts(fd);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("connect to 127.0.0.1:%d: %s", port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        die("fcntl: %s", strerror(errno));
}

/* ------------------------------------------------------------------ common client setup */

static SSL_CTX *new_ctx(const char *cafile, int mode) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new failed");
    if (cafile != NULL && SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
        die("SSL_CTX_load_verify_locations(%s) failed", cafile);
    SSL_CTX_set_verify(ctx, mode, NULL);
    return ctx;
}

/* A new SSL on a fresh blocking connection to port, with SNI localhost. */
static SSL *new_ssl(SSL_CTX *ctx, int port, int *fd_out) {
    int fd = tcp_connect(port);
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        die("SSL_new failed");
    if (SSL_set_fd(ssl, fd) != 1)
        die("SSL_set_fd failed");
    if (SSL_set_tlsext_host_name(ssl, "localhost") != 1)
        die("SSL_set_tlsext_host_name failed");
    if (fd_out)
        *fd_out = fd;
    return ssl;
}

static void close_ssl(SSL *ssl, int fd) {
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
}

static int do_connect(const char *label, SSL *ssl) {
    int ret = SSL_connect(ssl);
    int err = SSL_get_error(ssl, ret);
    P("%s: SSL_connect=%d SSL_get_error=%d (%s)", label, ret, err, errname(err));
    if (err == SSL_ERROR_SYSCALL)
        P("%s: errno after SSL_ERROR_SYSCALL: %s", label, errno == 0 ? "0" : "non-zero");
    return ret;
}

/* A response read to its end. */
struct response {
    char *data;
    size_t len;
    int last_ret, last_err;
};

static const char REQUEST[] = "GET / HTTP/1.0\r\n\r\n";

/* Sends the HTTP/1.0 request and reads until SSL_read returns <= 0 (blocking). */
static struct response http_get(SSL *ssl) {
    struct response r = {0};
    size_t cap = 1 << 16;
    r.data = malloc(cap);
    int w = SSL_write(ssl, REQUEST, (int)strlen(REQUEST));
    if (w != (int)strlen(REQUEST)) {
        r.last_ret = w;
        r.last_err = SSL_get_error(ssl, w);
        r.data[0] = 0;
        return r;
    }
    for (;;) {
        if (r.len + 4096 + 1 > cap) {
            cap *= 2;
            r.data = realloc(r.data, cap);
        }
        int n = SSL_read(ssl, r.data + r.len, 4096);
        if (n <= 0) {
            r.last_ret = n;
            r.last_err = SSL_get_error(ssl, n);
            break;
        }
        r.len += (size_t)n;
    }
    r.data[r.len] = 0;
    return r;
}

/* The facts of an s_server -www status page that the scenarios compare. */
static void describe_page(const char *label, const char *page) {
    P("%s: status line: %s", label,
      strncmp(page, "HTTP/1.0 200 ok\r\n", 17) == 0 ? "HTTP/1.0 200 ok" : "(unexpected)");
    const char *p = strstr(page, "\n---\nReused, ");
    const char *q = strstr(page, "\n---\nNew, ");
    const char *s = p ? p + 5 : q ? q + 5 : NULL;
    if (s != NULL) {
        const char *end = strchr(s, '\n');
        P("%s: server says: %.*s", label, (int)(end ? end - s : (long)strlen(s)), s);
    } else {
        P("%s: server says: (no session line)", label);
    }
    if (strstr(page, "no client certificate available") != NULL) {
        P("%s: server saw no client certificate", label);
    } else if (strstr(page, "Client certificate") != NULL) {
        const char *subj = strstr(page, "Subject: ");
        const char *end = subj ? strchr(subj, '\n') : NULL;
        P("%s: server saw client certificate: %.*s", label,
          subj && end ? (int)(end - subj) : 0, subj ? subj : "");
    }
}

static void print_response(const char *label, SSL *ssl, struct response *r) {
    P("%s: read ended: ret=%d SSL_get_error=%d (%s), got %s", label, r->last_ret, r->last_err,
      errname(r->last_err), r->len > 0 ? "data" : "no data");
    describe_page(label, r->data);
    (void)ssl;
}

/* ------------------------------------------------------------------ scenario: whichlib */

static int sc_whichlib(void) {
    Dl_info info;
    if (dladdr((void *)&SSL_CTX_new, &info) == 0 || info.dli_fname == NULL)
        die("dladdr failed");
    char *real = realpath(info.dli_fname, NULL);
    P("%s", real ? real : info.dli_fname);
    free(real);
    return 0;
}

/* ------------------------------------------------------------------ 1. verify failure */

static void verify_failure_once(const char *label, int port, const char *root) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    do_connect(label, ssl);
    verify_result_line(label, ssl);
    dump_errors(label);
    X509 *peer = SSL_get1_peer_certificate(ssl);
    P("%s: peer certificate after failure: %s", label, peer ? "present" : "absent");
    X509_free(peer);
    P("%s: SSL_is_init_finished=%d", label, SSL_is_init_finished(ssl));
    after_failure(label, ssl);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_verify_failure(void) {
    const char *root = need("root");
    verify_failure_once("untrusted tls1.3", port_of("port13"), root);
    verify_failure_once("untrusted tls1.2", port_of("port12"), root);
    /* the untrusted server with no trust anchors loaded at all */
    verify_failure_once("untrusted, empty store", port_of("port13"), NULL);
    return 0;
}

/* ------------------------------------------------------------------ 2. hostname */

static void host_once(const char *label, int port, const char *root, const char *host) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    P("%s: SSL_set1_host(%s)=%d", label, host, SSL_set1_host(ssl, host));
    ERR_clear_error();
    int ret = do_connect(label, ssl);
    verify_result_line(label, ssl);
    dump_errors(label);
    if (ret == 1)
        P("%s: SSL_get0_peername=%s", label, str_or_null(SSL_get0_peername(ssl)));
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_hostname(void) {
    const char *root = need("root");
    int wrong = port_of("port_wrong"), good = port_of("port_good");
    host_once("wrong-host server, expect localhost", wrong, root, "localhost");
    host_once("wrong-host server, expect wrong.example", wrong, root, "wrong.example");
    host_once("good server, expect localhost", good, root, "localhost");
    host_once("good server, expect other.example", good, root, "other.example");
    host_once("good server, expect 127.0.0.1", good, root, "127.0.0.1");
    return 0;
}

/* ------------------------------------------------------------------ 3. verify none */

static void verify_none_once(const char *label, int port, const char *root) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_NONE);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    int ret = do_connect(label, ssl);
    verify_result_line(label, ssl);
    X509 *peer = SSL_get1_peer_certificate(ssl);
    subject_line("  peer subject", peer);
    X509_free(peer);
    if (ret == 1) {
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
    }
    dump_errors(label);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_verify_none(void) {
    const char *root = need("root");
    verify_none_once("untrusted, root loaded", port_of("port"), root);
    verify_none_once("untrusted, empty store", port_of("port"), NULL);
    verify_none_once("wrong-host, root loaded", port_of("port_wrong"), root);
    return 0;
}

/* ------------------------------------------------------------------ 4. wrong version */

static int sc_wrong_version(void) {
    SSL_CTX *ctx = new_ctx(NULL, SSL_VERIFY_NONE);
    int fd;
    SSL *ssl = new_ssl(ctx, port_of("port"), &fd);
    ERR_clear_error();
    do_connect("http server", ssl);
    dump_errors("http server");
    /* a second call after the fatal error */
    ERR_clear_error();
    int ret = SSL_connect(ssl);
    int err = SSL_get_error(ssl, ret);
    P("http server: second SSL_connect=%d SSL_get_error=%d (%s)", ret, err, errname(err));
    dump_errors("http server");
    after_failure("http server", ssl);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
    return 0;
}

/* ------------------------------------------------------------------ 5. unexpected EOF */

static void eof_handshake(const char *label, int port) {
    SSL_CTX *ctx = new_ctx(NULL, SSL_VERIFY_NONE);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    do_connect(label, ssl);
    dump_errors(label);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static void eof_midstream(const char *label, int port, const char *root, int ignore_eof) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    if (ignore_eof)
        SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    if (do_connect(label, ssl) == 1) {
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
        dump_errors(label);
        P("%s: SSL_get_shutdown=%d", label, SSL_get_shutdown(ssl));
        /* reading again after the EOF */
        char c;
        int n = SSL_read(ssl, &c, 1);
        int e = SSL_get_error(ssl, n);
        P("%s: SSL_read again=%d SSL_get_error=%d (%s)", label, n, e, errname(e));
        dump_errors(label);
    }
    ERR_clear_error();
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_eof(void) {
    const char *root = need("root");
    eof_handshake("closed before any reply", port_of("port_close"));
    eof_handshake("closed after 3 bytes of a record header", port_of("port_partial"));
    eof_handshake("closed after a partial handshake record", port_of("port_partial_body"));
    eof_midstream("no close_notify tls1.3", port_of("port_proxy13"), root, 0);
    eof_midstream("no close_notify tls1.2", port_of("port_proxy12"), root, 0);
    eof_midstream("no close_notify tls1.3, IGNORE_UNEXPECTED_EOF", port_of("port_proxy13"), root, 1);
    eof_midstream("no close_notify tls1.2, IGNORE_UNEXPECTED_EOF", port_of("port_proxy12"), root, 1);
    return 0;
}

/* ------------------------------------------------------------------ 6. clean close */

static void clean_close_server_first(const char *label, int port, const char *root) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    if (do_connect(label, ssl) == 1) {
        P("%s: SSL_get_shutdown before=%d", label, SSL_get_shutdown(ssl));
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
        P("%s: SSL_get_shutdown after read=%d", label, SSL_get_shutdown(ssl));
        dump_errors(label);
        char c;
        int n = SSL_read(ssl, &c, 1);
        int e = SSL_get_error(ssl, n);
        P("%s: SSL_read again=%d SSL_get_error=%d (%s)", label, n, e, errname(e));
        int s1 = SSL_shutdown(ssl);
        P("%s: SSL_shutdown #1=%d, SSL_get_shutdown=%d", label, s1, SSL_get_shutdown(ssl));
        int s2 = SSL_shutdown(ssl);
        P("%s: SSL_shutdown #2=%d, SSL_get_shutdown=%d", label, s2, SSL_get_shutdown(ssl));
        n = SSL_write(ssl, "x", 1);
        e = SSL_get_error(ssl, n);
        P("%s: SSL_write after shutdown=%d SSL_get_error=%d (%s)", label, n, e, errname(e));
        dump_errors(label);
    }
    ERR_clear_error();
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static void clean_close_client_first(const char *label, int port, const char *root, int then_read) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    if (do_connect(label, ssl) == 1) {
        int s1 = SSL_shutdown(ssl);
        P("%s: SSL_shutdown #1=%d, SSL_get_shutdown=%d", label, s1, SSL_get_shutdown(ssl));
        if (then_read) {
            char buf[256];
            int n, e;
            do {
                n = SSL_read(ssl, buf, sizeof buf);
                e = SSL_get_error(ssl, n);
            } while (n > 0);
            P("%s: SSL_read=%d SSL_get_error=%d (%s), SSL_get_shutdown=%d", label, n, e,
              errname(e), SSL_get_shutdown(ssl));
        }
        int s2 = SSL_shutdown(ssl);
        int e2 = SSL_get_error(ssl, s2);
        P("%s: SSL_shutdown #2=%d SSL_get_error=%d (%s), SSL_get_shutdown=%d", label, s2, e2,
          errname(e2), SSL_get_shutdown(ssl));
        dump_errors(label);
    }
    ERR_clear_error();
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_clean_close(void) {
    const char *root = need("root");
    int p13 = port_of("port13"), p12 = port_of("port12");
    clean_close_server_first("server closes tls1.3", p13, root);
    clean_close_server_first("server closes tls1.2", p12, root);
    clean_close_client_first("client shuts down twice tls1.3", p13, root, 0);
    clean_close_client_first("client shuts down twice tls1.2", p12, root, 0);
    clean_close_client_first("client shuts down then reads tls1.3", p13, root, 1);
    clean_close_client_first("client shuts down then reads tls1.2", p12, root, 1);
    return 0;
}

/* ------------------------------------------------------------------ 7. ciphers */

/*
 * Lists and suites marked neutral select only algorithms that this OpenSSL build has but
 * rustls does not implement (NULL-MD5, aNULL, CAMELLIA, RSA key exchange, CCM_8): OpenSSL
 * accepts them, ferrossl refuses them by design. They are printed on '~' lines.
 */
static int sc_ciphers(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    static const struct {
        const char *list;
        int neutral;
    } lists[] = {{"RC4", 0},           {"RC4:DES:3DES", 0}, {"BOGUS-CIPHER", 0}, {"", 0},
                 {"ECDHE+AESGCM", 0},  {"DEFAULT", 0},      {"HIGH:!aNULL:!MD5", 0},
                 {"RC4:MD5", 1},       {"NULL", 1},         {"aNULL", 1},
                 {"CAMELLIA", 1},      {"kRSA", 1},         {NULL, 0}};
    for (int i = 0; lists[i].list; i++) {
        ERR_clear_error();
        int r = SSL_CTX_set_cipher_list(ctx, lists[i].list);
        P("%sSSL_CTX_set_cipher_list(\"%s\")=%d", lists[i].neutral ? "~" : "", lists[i].list, r);
        dump_errors(lists[i].neutral ? "~ " : "  ");
    }
    static const struct {
        const char *list;
        int neutral;
    } suites[] = {{"TLS_BOGUS", 0},
                  {"TLS_AES_128_GCM_SHA256", 0},
                  {"TLS_AES_128_GCM_SHA256:TLS_BOGUS", 0},
                  {"TLS_BOGUS:TLS_CHACHA20_POLY1305_SHA256", 0},
                  {"", 0},
                  {"ECDHE-RSA-AES128-GCM-SHA256", 0},
                  {"TLS_AES_128_CCM_8_SHA256", 1},
                  {"TLS_AES_128_CCM_SHA256", 1},
                  {NULL, 0}};
    for (int i = 0; suites[i].list; i++) {
        ERR_clear_error();
        int r = SSL_CTX_set_ciphersuites(ctx, suites[i].list);
        P("%sSSL_CTX_set_ciphersuites(\"%s\")=%d", suites[i].neutral ? "~" : "", suites[i].list, r);
        dump_errors(suites[i].neutral ? "~ " : "  ");
    }
    /* SSL-level setters and the resulting list */
    SSL_CTX_free(ctx);
    ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    ERR_clear_error();
    P("SSL_set_cipher_list(\"RC4\")=%d", SSL_set_cipher_list(ssl, "RC4"));
    dump_errors("  ");
    P("SSL_set_ciphersuites(\"TLS_BOGUS\")=%d", SSL_set_ciphersuites(ssl, "TLS_BOGUS"));
    dump_errors("  ");
    P("SSL_set_cipher_list(\"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384\")=%d",
      SSL_set_cipher_list(ssl, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"));
    P("SSL_set_ciphersuites(\"TLS_CHACHA20_POLY1305_SHA256\")=%d",
      SSL_set_ciphersuites(ssl, "TLS_CHACHA20_POLY1305_SHA256"));
    dump_errors("  ");
    for (int i = 0;; i++) {
        const char *n = SSL_get_cipher_list(ssl, i);
        if (n == NULL)
            break;
        P("  SSL_get_cipher_list[%d]=%s", i, n);
    }
    dump_errors("  ");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return 0;
}

/* ------------------------------------------------------------------ 8. bad files */

static int pass_cb(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    const char *pw = u;
    if (pw == NULL)
        return 0;
    int n = (int)strlen(pw);
    if (n > size)
        n = size;
    memcpy(buf, pw, (size_t)n);
    return n;
}

static int sc_badfiles(void) {
    const char *missing = need("missing"), *garbage = need("garbage");
    const char *cert = need("cert"), *key = need("key"), *enckey = need("enckey");
    const char *pass = need("pass"), *otherkey = need("otherkey"), *root = need("root");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int r;

#define TRY(label, call)                                                                        \
    do {                                                                                        \
        ERR_clear_error();                                                                      \
        r = (call);                                                                             \
        P("%s=%d", label, r);                                                                   \
        dump_error_libs("  ");                                                                  \
    } while (0)

    TRY("use_certificate_file(missing, PEM)", SSL_CTX_use_certificate_file(ctx, missing, SSL_FILETYPE_PEM));
    TRY("use_certificate_file(garbage, PEM)", SSL_CTX_use_certificate_file(ctx, garbage, SSL_FILETYPE_PEM));
    TRY("use_certificate_file(key file, PEM)", SSL_CTX_use_certificate_file(ctx, key, SSL_FILETYPE_PEM));
    TRY("use_certificate_file(cert, ASN1)", SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_ASN1));
    TRY("use_certificate_chain_file(missing)", SSL_CTX_use_certificate_chain_file(ctx, missing));
    TRY("use_certificate_chain_file(garbage)", SSL_CTX_use_certificate_chain_file(ctx, garbage));
    TRY("use_PrivateKey_file(missing, PEM)", SSL_CTX_use_PrivateKey_file(ctx, missing, SSL_FILETYPE_PEM));
    TRY("use_PrivateKey_file(garbage, PEM)", SSL_CTX_use_PrivateKey_file(ctx, garbage, SSL_FILETYPE_PEM));
    TRY("check_private_key(nothing loaded)", SSL_CTX_check_private_key(ctx));

    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)"not the passphrase");
    TRY("use_PrivateKey_file(encrypted, wrong passphrase)",
        SSL_CTX_use_PrivateKey_file(ctx, enckey, SSL_FILETYPE_PEM));
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)pass);
    TRY("use_PrivateKey_file(encrypted, right passphrase)",
        SSL_CTX_use_PrivateKey_file(ctx, enckey, SSL_FILETYPE_PEM));
    SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)"wrong again");
    TRY("use_PrivateKey_file(encrypted, callback with wrong passphrase)",
        SSL_CTX_use_PrivateKey_file(ctx, enckey, SSL_FILETYPE_PEM));
    SSL_CTX_free(ctx);

    /* certificate then a key that does not match */
    ctx = SSL_CTX_new(TLS_client_method());
    TRY("use_certificate_file(cert)", SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM));
    TRY("check_private_key(cert only)", SSL_CTX_check_private_key(ctx));
    TRY("use_PrivateKey_file(key of another certificate)",
        SSL_CTX_use_PrivateKey_file(ctx, otherkey, SSL_FILETYPE_PEM));
    TRY("check_private_key(mismatch)", SSL_CTX_check_private_key(ctx));
    TRY("use_PrivateKey_file(matching key)", SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM));
    TRY("check_private_key(match)", SSL_CTX_check_private_key(ctx));
    SSL_CTX_free(ctx);

    /* key first, then a certificate that does not match it */
    ctx = SSL_CTX_new(TLS_client_method());
    TRY("use_PrivateKey_file(other key first)", SSL_CTX_use_PrivateKey_file(ctx, otherkey, SSL_FILETYPE_PEM));
    TRY("use_certificate_file(cert after other key)", SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM));
    TRY("check_private_key(after cert replaced key)", SSL_CTX_check_private_key(ctx));
    SSL_CTX_free(ctx);

    /* the same on an SSL */
    ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    TRY("SSL_use_certificate_file(missing)", SSL_use_certificate_file(ssl, missing, SSL_FILETYPE_PEM));
    TRY("SSL_use_certificate_file(cert)", SSL_use_certificate_file(ssl, cert, SSL_FILETYPE_PEM));
    TRY("SSL_use_PrivateKey_file(other key)", SSL_use_PrivateKey_file(ssl, otherkey, SSL_FILETYPE_PEM));
    TRY("SSL_check_private_key", SSL_check_private_key(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);

    ctx = SSL_CTX_new(TLS_client_method());
    TRY("load_verify_locations(missing, NULL)", SSL_CTX_load_verify_locations(ctx, missing, NULL));
    TRY("load_verify_locations(garbage, NULL)", SSL_CTX_load_verify_locations(ctx, garbage, NULL));
    TRY("load_verify_locations(NULL, NULL)", SSL_CTX_load_verify_locations(ctx, NULL, NULL));
    TRY("load_verify_locations(NULL, missing dir)", SSL_CTX_load_verify_locations(ctx, NULL, missing));
    TRY("load_verify_locations(root, NULL)", SSL_CTX_load_verify_locations(ctx, root, NULL));
    TRY("load_verify_file(missing)", SSL_CTX_load_verify_file(ctx, missing));
    TRY("load_verify_dir(missing)", SSL_CTX_load_verify_dir(ctx, missing));
    SSL_CTX_free(ctx);
#undef TRY
    return 0;
}

/* ------------------------------------------------------------------ 9. non-blocking */

/* Records SSL_get_error codes, collapsing repeats. */
struct seq {
    char text[1024];
    int last;
    int only_waits_before_last; /* every code before the last one was WANT_READ/WANT_WRITE */
    int n;
};

static void seq_add(struct seq *s, int code) {
    if (s->n > 0 && s->last != SSL_ERROR_WANT_READ && s->last != SSL_ERROR_WANT_WRITE)
        s->only_waits_before_last = 0;
    if (s->n == 0)
        s->only_waits_before_last = 1;
    s->n++;
    if (s->text[0] != 0 && s->last == code)
        return;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s%s", n ? " " : "", errname(code));
    s->last = code;
}

/*
 * Prints a sequence. Exactly for memory BIOs (the first call always finds nothing to read);
 * with a real socket, whether a call finds the peer's bytes already there is a race, so only
 * "WANT_* codes, then <last>" is compared.
 */
static void seq_print(const char *label, const char *what, struct seq *s, int exact) {
    if (exact) {
        P("%s: %s SSL_get_error sequence: %s", label, what, s->text);
    } else {
        P("%s: %s SSL_get_error sequence: %s%s", label, what,
          s->only_waits_before_last ? "[WANT_READ/WANT_WRITE...] " : "(unexpected codes) ",
          errname(s->last));
        P("~%s: %s SSL_get_error sequence: %s", label, what, s->text);
    }
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Memory-BIO transport: moves bytes between the BIOs and the non-blocking socket. */
struct pump {
    int fd;
    BIO *rbio, *wbio; /* not owned */
    int eof;
};

/* Writes everything pending in wbio to the socket (waiting with poll as needed). */
static void pump_out(struct pump *p) {
    char buf[16384];
    int n;
    while ((n = BIO_read(p->wbio, buf, sizeof buf)) > 0) {
        int off = 0;
        while (off < n) {
            ssize_t w = send(p->fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (w > 0) {
                off += (int)w;
            } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                struct pollfd pf = {.fd = p->fd, .events = POLLOUT};
                if (poll(&pf, 1, 10000) <= 0)
                    die("poll for writing timed out");
            } else {
                return; /* peer gone: drop the bytes (as a closed socket would) */
            }
        }
    }
}

/* Waits for bytes (or EOF) on the socket and feeds them to rbio. Returns 0 on timeout. */
static int pump_in(struct pump *p) {
    if (p->eof)
        return 1;
    struct pollfd pf = {.fd = p->fd, .events = POLLIN};
    if (poll(&pf, 1, 10000) <= 0)
        return 0;
    char buf[16384];
    ssize_t n = recv(p->fd, buf, sizeof buf, 0);
    if (n > 0) {
        BIO_write(p->rbio, buf, (int)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        p->eof = 1;
        BIO_set_mem_eof_return(p->rbio, 0);
    }
    return 1;
}

static int wait_fd(int fd, int err) {
    struct pollfd pf = {.fd = fd, .events = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN};
    return poll(&pf, 1, 10000) > 0;
}

/*
 * One connection driven by a non-blocking state machine: via memory BIOs (mem=1) or SSL_set_fd
 * on a non-blocking socket with poll (mem=0).
 */
static void nonblocking_once(const char *label, int port, const char *root, int mem, int client_first) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd = tcp_connect(port);
    set_nonblocking(fd);
    SSL *ssl = SSL_new(ctx);
    SSL_set_tlsext_host_name(ssl, "localhost");
    struct pump p = {.fd = fd};
    if (mem) {
        p.rbio = BIO_new(BIO_s_mem());
        p.wbio = BIO_new(BIO_s_mem());
        SSL_set_bio(ssl, p.rbio, p.wbio);
    } else {
        SSL_set_fd(ssl, fd);
    }
    SSL_set_connect_state(ssl);
    ERR_clear_error();
    long long deadline = now_ms() + 20000;

    /* handshake */
    struct seq hs = {0};
    int ret, err;
    for (;;) {
        ret = SSL_do_handshake(ssl);
        err = SSL_get_error(ssl, ret);
        seq_add(&hs, err);
        if (mem)
            pump_out(&p);
        if (ret == 1)
            break;
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
            break;
        if (now_ms() > deadline)
            die("%s: handshake timed out", label);
        if (mem ? !pump_in(&p) : !wait_fd(fd, err))
            die("%s: handshake: nothing from the peer", label);
        if (mem && p.eof && err == SSL_ERROR_WANT_READ && BIO_pending(p.rbio) == 0) {
            /* one more attempt sees the EOF */
        }
    }
    seq_print(label, "handshake", &hs, mem);
    P("%s: SSL_do_handshake=%d, SSL_is_init_finished=%d", label, ret, SSL_is_init_finished(ssl));
    dump_errors(label);
    if (ret != 1)
        goto out;

    if (client_first) {
        /* client-initiated shutdown: first call sends close_notify, later calls wait for the peer's */
        struct seq sd = {0};
        int r = SSL_shutdown(ssl);
        P("%s: SSL_shutdown #1=%d SSL_get_shutdown=%d", label, r, SSL_get_shutdown(ssl));
        if (mem)
            pump_out(&p);
        for (;;) {
            r = SSL_shutdown(ssl);
            int e = SSL_get_error(ssl, r);
            seq_add(&sd, e);
            if (mem)
                pump_out(&p);
            if (r != -1 || (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE))
                break;
            if (now_ms() > deadline)
                die("%s: shutdown timed out", label);
            if (mem ? !pump_in(&p) : !wait_fd(fd, e))
                die("%s: shutdown: nothing from the peer", label);
        }
        seq_print(label, "later SSL_shutdown calls:", &sd, mem);
        P("%s: final SSL_shutdown return %d, SSL_get_shutdown=%d", label, r, SSL_get_shutdown(ssl));
        dump_errors(label);
        goto out;
    }

    /* one request, response read to its end */
    struct seq wr = {0};
    for (;;) {
        int w = SSL_write(ssl, REQUEST, (int)strlen(REQUEST));
        int e = SSL_get_error(ssl, w);
        seq_add(&wr, e);
        if (mem)
            pump_out(&p);
        if (w > 0) {
            P("%s: SSL_write=%d", label, w);
            break;
        }
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            P("%s: SSL_write=%d error %s", label, w, errname(e));
            goto out;
        }
        if (mem ? !pump_in(&p) : !wait_fd(fd, e))
            die("%s: write: nothing from the peer", label);
    }
    seq_print(label, "write", &wr, mem);
    struct seq rd = {0};
    size_t cap = 1 << 16, len = 0;
    char *page = malloc(cap);
    int n, e;
    for (;;) {
        if (len + 4097 > cap)
            page = realloc(page, cap *= 2);
        n = SSL_read(ssl, page + len, 4096);
        e = SSL_get_error(ssl, n);
        seq_add(&rd, e);
        if (mem)
            pump_out(&p);
        if (n > 0) {
            len += (size_t)n;
            continue;
        }
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            break;
        if (now_ms() > deadline)
            die("%s: read timed out", label);
        if (mem ? !pump_in(&p) : !wait_fd(fd, e))
            die("%s: read: nothing from the peer", label);
    }
    page[len] = 0;
    /* how reads interleave with WANT_READ depends on TCP segmentation: not compared */
    P("~%s: read SSL_get_error sequence: %s", label, rd.text);
    P("%s: read ended: ret=%d SSL_get_error=%d (%s)", label, n, e, errname(e));
    describe_page(label, page);
    free(page);
    dump_errors(label);
    P("%s: SSL_get_shutdown=%d", label, SSL_get_shutdown(ssl));
    int s1 = SSL_shutdown(ssl);
    if (mem)
        pump_out(&p);
    P("%s: SSL_shutdown #1=%d, SSL_get_shutdown=%d", label, s1, SSL_get_shutdown(ssl));
    int s2 = SSL_shutdown(ssl);
    P("%s: SSL_shutdown #2=%d, SSL_get_shutdown=%d", label, s2, SSL_get_shutdown(ssl));
    dump_errors(label);
out:
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
}

static int sc_nonblocking(void) {
    const char *root = need("root");
    int p13 = port_of("port13"), p12 = port_of("port12");
    nonblocking_once("mem-BIO tls1.3", p13, root, 1, 0);
    nonblocking_once("mem-BIO tls1.2", p12, root, 1, 0);
    nonblocking_once("set_fd+poll tls1.3", p13, root, 0, 0);
    nonblocking_once("set_fd+poll tls1.2", p12, root, 0, 0);
    nonblocking_once("mem-BIO client shutdown tls1.3", p13, root, 1, 1);
    nonblocking_once("mem-BIO client shutdown tls1.2", p12, root, 1, 1);
    nonblocking_once("set_fd+poll client shutdown tls1.3", p13, root, 0, 1);
    nonblocking_once("set_fd+poll client shutdown tls1.2", p12, root, 0, 1);
    return 0;
}

/* ------------------------------------------------------------------ 10. sessions */

static int g_new_sess_calls;
static SSL_SESSION *g_cb_session;

static int new_session_cb(SSL *ssl, SSL_SESSION *sess) {
    (void)ssl;
    g_new_sess_calls++;
    SSL_SESSION_free(g_cb_session);
    g_cb_session = sess; /* returning 1 keeps the reference */
    return 1;
}

static void session_facts(const char *label, SSL_SESSION *s) {
    if (s == NULL) {
        P("%s: session NULL", label);
        return;
    }
    P("%s: SSL_SESSION_is_resumable=%d", label, SSL_SESSION_is_resumable(s));
    P("%s: SSL_SESSION_get_protocol_version=0x%x", label, SSL_SESSION_get_protocol_version(s));
    const SSL_CIPHER *c = SSL_SESSION_get0_cipher(s);
    P("%s: SSL_SESSION_get0_cipher=%s", label, c ? SSL_CIPHER_get_name(c) : "(null)");
    /* ~: rustls does not say whether a TLS 1.2 session came with a ticket; ferrossl reports 1
     * for every resumable session (a documented difference). */
    P("~%s: SSL_SESSION_has_ticket=%d", label, SSL_SESSION_has_ticket(s));
    P("~%s: SSL_SESSION_get_timeout=%ld", label, SSL_SESSION_get_timeout(s));
    X509 *peer = SSL_SESSION_get0_peer(s);
    subject_line("  SSL_SESSION_get0_peer", peer);
}

/* One connection; returns the SSL (still open, response read) for the caller to inspect. */
static SSL *session_conn(const char *label, SSL_CTX *ctx, int port, SSL_SESSION *resume, int *fd) {
    SSL *ssl = new_ssl(ctx, port, fd);
    if (resume != NULL)
        P("%s: SSL_set_session=%d", label, SSL_set_session(ssl, resume));
    ERR_clear_error();
    if (do_connect(label, ssl) == 1) {
        P("%s: SSL_session_reused=%d", label, SSL_session_reused(ssl));
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
    }
    dump_errors(label);
    return ssl;
}

static void sessions_for(const char *v, int port, const char *root) {
    char label[128];
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    int fd;

    snprintf(label, sizeof label, "%s conn1", v);
    SSL *ssl = session_conn(label, ctx, port, NULL, &fd);
    SSL_SESSION *sess = SSL_get1_session(ssl);
    session_facts(label, sess);
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);

    /* DER encoding taken before the session is used again */
    unsigned char *der = NULL;
    int derlen = i2d_SSL_SESSION(sess, &der);
    P("%s: i2d_SSL_SESSION length %s", v, derlen > 0 ? "> 0" : "<= 0");
    P("~%s: i2d_SSL_SESSION length %d", v, derlen);
    const unsigned char *pp = der;
    SSL_SESSION *copy = derlen > 0 ? d2i_SSL_SESSION(NULL, &pp, derlen) : NULL;
    P("%s: d2i_SSL_SESSION %s, consumed all: %s", v, copy ? "ok" : "failed",
      copy && pp == der + derlen ? "yes" : "no");
    dump_errors(v);
    OPENSSL_free(der);

    snprintf(label, sizeof label, "%s conn2 (SSL_set_session)", v);
    ssl = session_conn(label, ctx, port, sess, &fd);
    SSL_SESSION *sess2 = SSL_get1_session(ssl);
    session_facts(label, sess2);
    SSL_SESSION_free(sess2);
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);

    snprintf(label, sizeof label, "%s conn2b (the same SSL_SESSION again)", v);
    session_facts(label, sess);
    ssl = session_conn(label, ctx, port, sess, &fd);
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);

    snprintf(label, sizeof label, "%s conn3 (d2i copy)", v);
    if (copy != NULL) {
        session_facts(label, copy);
        ssl = session_conn(label, ctx, port, copy, &fd);
        SSL_shutdown(ssl);
        close_ssl(ssl, fd);
        SSL_SESSION_free(copy);
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(ctx);

    /* a session from one SSL_CTX, through DER, resumed from another SSL_CTX */
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    snprintf(label, sizeof label, "%s ctxA conn", v);
    ssl = session_conn(label, ctx, port, NULL, &fd);
    sess = SSL_get1_session(ssl);
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);
    der = NULL;
    derlen = i2d_SSL_SESSION(sess, &der);
    pp = der;
    copy = derlen > 0 ? d2i_SSL_SESSION(NULL, &pp, derlen) : NULL;
    OPENSSL_free(der);
    SSL_SESSION_free(sess);
    SSL_CTX_free(ctx);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    snprintf(label, sizeof label, "%s ctxB conn (d2i copy of ctxA's session, ctxA freed)", v);
    P("%s: d2i_SSL_SESSION %s", label, copy ? "ok" : "failed");
    if (copy != NULL) {
        session_facts(label, copy);
        ssl = session_conn(label, ctx, port, copy, &fd);
        SSL_shutdown(ssl);
        close_ssl(ssl, fd);
        SSL_SESSION_free(copy);
    }
    SSL_CTX_free(ctx);

    /* new-session callback with the client cache */
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    P("%s: SSL_CTX_set_session_cache_mode(CLIENT) previous=%ld", v,
      SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT));
    P("%s: SSL_CTX_get_session_cache_mode=%ld", v, SSL_CTX_get_session_cache_mode(ctx));
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    g_new_sess_calls = 0;
    snprintf(label, sizeof label, "%s cb conn1", v);
    ssl = session_conn(label, ctx, port, NULL, &fd);
    P("%s: new-session callback called: %s", label, g_new_sess_calls >= 1 ? ">= 1 times" : "never");
    P("%s: new-session callback count %d", label, g_new_sess_calls);
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);
    if (g_cb_session != NULL) {
        session_facts(label, g_cb_session);
        snprintf(label, sizeof label, "%s cb conn2 (session from callback)", v);
        g_new_sess_calls = 0;
        SSL_SESSION *s = g_cb_session;
        g_cb_session = NULL;
        ssl = session_conn(label, ctx, port, s, &fd);
        P("%s: new-session callback count %d", label, g_new_sess_calls);
        SSL_shutdown(ssl);
        close_ssl(ssl, fd);
        SSL_SESSION_free(s);
        SSL_SESSION_free(g_cb_session);
        g_cb_session = NULL;
    }
    SSL_CTX_free(ctx);
}

static int sc_sessions(void) {
    const char *root = need("root");
    sessions_for("tls1.3", port_of("port13"), root);
    sessions_for("tls1.2 tickets", port_of("port12"), root);
    sessions_for("tls1.2 session ids", port_of("port12_noticket"), root);
    return 0;
}

/* ------------------------------------------------------------------ 11. callbacks */

static SSL *g_ssl;
static int g_override;

static int verify_cb(int preverify_ok, X509_STORE_CTX *xs) {
    int depth = X509_STORE_CTX_get_error_depth(xs);
    int err = X509_STORE_CTX_get_error(xs);
    X509 *cur = X509_STORE_CTX_get_current_cert(xs);
    char buf[256] = "(none)";
    if (cur)
        X509_NAME_oneline(X509_get_subject_name(cur), buf, sizeof buf);
    SSL *s = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    P("  verify_cb: preverify_ok=%d depth=%d error=%d (%s) cert=%s ssl-matches=%s", preverify_ok,
      depth, err, X509_verify_cert_error_string(err), buf, s == g_ssl ? "yes" : "no");
    return g_override ? 1 : preverify_ok;
}

static void verify_cb_once(const char *label, int port, const char *root, int override) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    P("%s: SSL_CTX_get_verify_callback is ours: %s", label,
      SSL_CTX_get_verify_callback(ctx) == verify_cb ? "yes" : "no");
    g_override = override;
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    g_ssl = ssl;
    ERR_clear_error();
    P("%s:", label);
    int ret = do_connect(label, ssl);
    verify_result_line(label, ssl);
    dump_errors(label);
    if (ret == 1) {
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
    }
    ERR_clear_error();
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static void info_cb(const SSL *ssl, int where, int ret) {
    (void)ssl;
    if (where & SSL_CB_HANDSHAKE_START)
        P("  info_cb: where=0x%x HANDSHAKE_START", where);
    if (where & SSL_CB_HANDSHAKE_DONE)
        P("  info_cb: where=0x%x HANDSHAKE_DONE", where);
    if (where & SSL_CB_ALERT)
        P("  info_cb: where=0x%x alert %s: %s %s (ret=0x%x)", where,
          (where & SSL_CB_READ) ? "read" : "written", SSL_alert_type_string_long(ret),
          SSL_alert_desc_string_long(ret), ret);
}

static void info_cb_once(const char *label, int port, const char *root, int read_all) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    SSL_CTX_set_info_callback(ctx, info_cb);
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    P("%s:", label);
    int ret = do_connect(label, ssl);
    if (ret == 1 && read_all) {
        P("%s: request", label);
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
        P("%s: SSL_shutdown=%d", label, SSL_shutdown(ssl));
    } else if (ret == 1) {
        P("%s: SSL_shutdown=%d", label, SSL_shutdown(ssl));
    }
    ERR_clear_error();
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

#define MAX_KEYLOG 64
static char *g_keylog[MAX_KEYLOG];
static int g_nkeylog;

static void keylog_cb(const SSL *ssl, const char *line) {
    (void)ssl;
    if (g_nkeylog < MAX_KEYLOG)
        g_keylog[g_nkeylog++] = strdup(line);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void keylog_once(const char *label, int port, const char *root) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    P("%s: SSL_CTX_get_keylog_callback is ours: %s", label,
      SSL_CTX_get_keylog_callback(ctx) == keylog_cb ? "yes" : "no");
    g_nkeylog = 0;
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    if (do_connect(label, ssl) == 1) {
        struct response r = http_get(ssl);
        free(r.data);
    }
    char *labels[MAX_KEYLOG];
    char random_hex[256] = "";
    int same_random = 1, well_formed = 1;
    for (int i = 0; i < g_nkeylog; i++) {
        char lab[128], rnd[256], secret[512];
        if (sscanf(g_keylog[i], "%127s %255s %511s", lab, rnd, secret) != 3)
            well_formed = 0;
        labels[i] = strdup(lab);
        if (strlen(rnd) != 64)
            well_formed = 0;
        if (i == 0)
            strcpy(random_hex, rnd);
        else if (strcmp(random_hex, rnd) != 0)
            same_random = 0;
    }
    qsort(labels, (size_t)g_nkeylog, sizeof labels[0], cmpstr);
    for (int i = 0; i < g_nkeylog; i++) {
        int dup = i > 0 && strcmp(labels[i], labels[i - 1]) == 0;
        if (!dup)
            P("%s: keylog label %s", label, labels[i]);
    }
    P("%s: keylog lines: %d, well formed: %s, one client random: %s", label, g_nkeylog,
      well_formed ? "yes" : "no", same_random ? "yes" : "no");
    unsigned char cr[32];
    size_t n = SSL_get_client_random(ssl, cr, sizeof cr);
    char hex[65] = "";
    for (size_t i = 0; i < n && i < 32; i++)
        sprintf(hex + 2 * i, "%02x", cr[i]);
    /* SSL_get_client_random may be a stub in ferrossl: not compared */
    P("~%s: SSL_get_client_random returned %zu, matches keylog: %s", label, n,
      n == 32 && strcasecmp(hex, random_hex) == 0 ? "yes" : "no");
    for (int i = 0; i < g_nkeylog; i++) {
        free(labels[i]);
        free(g_keylog[i]);
    }
    ERR_clear_error();
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static void exdata_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent;
    (void)ad;
    (void)idx;
    P("  ex_data new callback: argl=%ld argp=%s ptr=%s", argl, (char *)argp, ptr ? "set" : "NULL");
}

static void exdata_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent;
    (void)ad;
    (void)idx;
    P("  ex_data free callback: argl=%ld argp=%s ptr=%s", argl, (char *)argp,
      ptr ? (char *)ptr : "NULL");
}

static void exdata(void) {
    int sidx = SSL_get_ex_new_index(11, "ssl-argp", exdata_new, NULL, exdata_free);
    int cidx = SSL_CTX_get_ex_new_index(22, "ctx-argp", exdata_new, NULL, exdata_free);
    P("ex_data: SSL index %d, SSL_CTX index %d", sidx, cidx);
    P("~ex_data: SSL_get_ex_data_X509_STORE_CTX_idx=%d", SSL_get_ex_data_X509_STORE_CTX_idx());
    P("ex_data: SSL_CTX_new");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    P("ex_data: SSL_CTX_get_ex_data before set: %s", SSL_CTX_get_ex_data(ctx, cidx) ? "set" : "NULL");
    P("ex_data: SSL_CTX_set_ex_data=%d", SSL_CTX_set_ex_data(ctx, cidx, "ctx-value"));
    P("ex_data: SSL_CTX_get_ex_data: %s", str_or_null(SSL_CTX_get_ex_data(ctx, cidx)));
    P("ex_data: SSL_new");
    SSL *ssl = SSL_new(ctx);
    P("ex_data: SSL_get_ex_data before set: %s", SSL_get_ex_data(ssl, sidx) ? "set" : "NULL");
    P("ex_data: SSL_set_ex_data=%d", SSL_set_ex_data(ssl, sidx, "ssl-value"));
    P("ex_data: SSL_get_ex_data: %s", str_or_null(SSL_get_ex_data(ssl, sidx)));
    P("ex_data: SSL_set_app_data / get: %s",
      (SSL_set_app_data(ssl, "app"), str_or_null(SSL_get_app_data(ssl))));
    P("ex_data: SSL_new (second, nothing set)");
    SSL *ssl2 = SSL_new(ctx);
    P("ex_data: SSL_free (second)");
    SSL_free(ssl2);
    P("ex_data: SSL_free");
    SSL_free(ssl);
    P("ex_data: SSL_CTX_free");
    SSL_CTX_free(ctx);
    P("ex_data: done");
    dump_errors("ex_data");
}

static int sc_callbacks(void) {
    const char *root = need("root");
    int good13 = port_of("port_good13"), good12 = port_of("port_good12");
    int untrusted = port_of("port_untrusted");
    verify_cb_once("verify_cb trusted chain tls1.3", good13, root, 0);
    verify_cb_once("verify_cb trusted chain tls1.2", good12, root, 0);
    verify_cb_once("verify_cb untrusted, returns preverify_ok", untrusted, root, 0);
    verify_cb_once("verify_cb untrusted, overrides to 1", untrusted, root, 1);
    verify_cb_once("verify_cb wrong host, overrides to 1", port_of("port_wrong"), root, 1);
    info_cb_once("info_cb tls1.3 handshake only", good13, root, 0);
    info_cb_once("info_cb tls1.3 with response", good13, root, 1);
    info_cb_once("info_cb tls1.2 with response", good12, root, 1);
    info_cb_once("info_cb verify failure", untrusted, root, 0);
    keylog_once("keylog tls1.3", good13, root);
    keylog_once("keylog tls1.2", good12, root);
    exdata();
    return 0;
}

/* ------------------------------------------------------------------ 12. introspection */

static int chain_count(STACK_OF(X509) *sk) { return sk ? sk_X509_num(sk) : -1; }

static void introspect_once(const char *label, int port, const char *root) {
    SSL_CTX *ctx = new_ctx(root, SSL_VERIFY_PEER);
    static const unsigned char alpn[] = "\x08http/1.1";
    P("%s: SSL_CTX_set_alpn_protos=%d", label, SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1));
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    P("%s: before handshake: SSL_get_version=%s SSL_get_current_cipher=%s", label, SSL_get_version(ssl),
      SSL_get_current_cipher(ssl) ? "set" : "NULL");
    ERR_clear_error();
    if (do_connect(label, ssl) != 1) {
        dump_errors(label);
        close_ssl(ssl, fd);
        SSL_CTX_free(ctx);
        return;
    }
    P("%s: SSL_get_version=%s SSL_version=0x%x", label, SSL_get_version(ssl), SSL_version(ssl));
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    P("%s: cipher name=%s standard=%s", label, SSL_CIPHER_get_name(c), SSL_CIPHER_standard_name(c));
    int alg_bits = 0;
    int bits = SSL_CIPHER_get_bits(c, &alg_bits);
    P("%s: cipher bits=%d alg_bits=%d version=%s id=0x%08lx protocol_id=0x%04x", label, bits, alg_bits,
      SSL_CIPHER_get_version(c), (unsigned long)SSL_CIPHER_get_id(c), SSL_CIPHER_get_protocol_id(c));
    P("%s: cipher kx=%s auth=%s cipher=%s digest=%s aead=%d", label,
      OBJ_nid2sn(SSL_CIPHER_get_kx_nid(c)), OBJ_nid2sn(SSL_CIPHER_get_auth_nid(c)),
      OBJ_nid2sn(SSL_CIPHER_get_cipher_nid(c)), OBJ_nid2sn(SSL_CIPHER_get_digest_nid(c)),
      SSL_CIPHER_is_aead(c));
    char desc[256];
    P("%s: SSL_CIPHER_description=%s", label, SSL_CIPHER_description(c, desc, sizeof desc));
    const unsigned char *sel = NULL;
    unsigned int sel_len = 0;
    SSL_get0_alpn_selected(ssl, &sel, &sel_len);
    P("%s: alpn selected=%.*s (len %u)", label, (int)sel_len, sel ? (const char *)sel : "", sel_len);
    P("%s: SSL_get_servername=%s type=%d", label,
      str_or_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)), SSL_get_servername_type(ssl));
    int group = (int)SSL_get_negotiated_group(ssl);
    P("%s: SSL_get_negotiated_group=%d (%s) SSL_group_to_name=%s", label, group, OBJ_nid2sn(group),
      str_or_null(SSL_group_to_name(ssl, group)));
    P("%s: SSL_get_peer_cert_chain count=%d", label, chain_count(SSL_get_peer_cert_chain(ssl)));
    STACK_OF(X509) *vc = SSL_get0_verified_chain(ssl);
    P("%s: SSL_get0_verified_chain count=%d", label, chain_count(vc));
    for (int i = 0; vc && i < sk_X509_num(vc); i++) {
        char name[64];
        snprintf(name, sizeof name, "  verified[%d]", i);
        subject_line(name, sk_X509_value(vc, i));
    }
    X509 *peer = SSL_get1_peer_certificate(ssl);
    subject_line("  SSL_get1_peer_certificate", peer);
    X509_free(peer);
    verify_result_line(label, ssl);
    P("%s: SSL_session_reused=%d SSL_is_server=%d SSL_is_init_finished=%d SSL_in_init=%d", label,
      SSL_session_reused(ssl), SSL_is_server(ssl), SSL_is_init_finished(ssl), SSL_in_init(ssl));
    P("%s: SSL_get_state=%d SSL_state_string_long=%s", label, (int)SSL_get_state(ssl),
      SSL_state_string_long(ssl));
    P("%s: SSL_pending=%d SSL_has_pending=%d", label, SSL_pending(ssl), SSL_has_pending(ssl));
    P("%s: SSL_get0_peername=%s", label, str_or_null(SSL_get0_peername(ssl)));
    dump_errors(label);
    struct response r = http_get(ssl);
    print_response(label, ssl, &r);
    free(r.data);
    ERR_clear_error();
    SSL_shutdown(ssl);
    close_ssl(ssl, fd);
    SSL_CTX_free(ctx);
}

static int sc_introspect(void) {
    const char *root = need("root");
    introspect_once("tls1.3 ecdsa", port_of("port13"), root);
    introspect_once("tls1.2 ecdsa", port_of("port12"), root);
    introspect_once("tls1.2 rsa", port_of("port12rsa"), root);
    introspect_once("tls1.3 ed25519 chacha", port_of("port13ed"), root);
    return 0;
}

/* ------------------------------------------------------------------ 13. client certificates */

static X509 *g_cb_cert;
static EVP_PKEY *g_cb_key;
static int g_client_cert_cb_calls;

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)ssl;
    g_client_cert_cb_calls++;
    if (g_cb_cert == NULL)
        return 0;
    X509_up_ref(g_cb_cert);
    EVP_PKEY_up_ref(g_cb_key);
    *x509 = g_cb_cert;
    *pkey = g_cb_key;
    return 1;
}

static void clientcert_conn(const char *label, SSL_CTX *ctx, int port) {
    int fd;
    SSL *ssl = new_ssl(ctx, port, &fd);
    ERR_clear_error();
    int ok = do_connect(label, ssl) == 1;
    if (ok) {
        struct response r = http_get(ssl);
        print_response(label, ssl, &r);
        free(r.data);
        ok = r.last_err == SSL_ERROR_ZERO_RETURN;
    }
    dump_errors(label);
    if (!ok)
        after_failure(label, ssl);
    ERR_clear_error();
    close_ssl(ssl, fd);
}

static void clientcert_for(const char *v, int port) {
    const char *root = need("root");
    char label[160];
    SSL_CTX *ctx;

    snprintf(label, sizeof label, "%s rsa chain file + PKCS#8 key", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    P("%s: chain=%d key=%d", label,
      SSL_CTX_use_certificate_chain_file(ctx, need("rsa_cert")),
      SSL_CTX_use_PrivateKey_file(ctx, need("rsa_key"), SSL_FILETYPE_PEM));
    clientcert_conn(label, ctx, port);
    SSL_CTX_free(ctx);

    snprintf(label, sizeof label, "%s ecdsa chain file + key", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    P("%s: chain=%d key=%d", label,
      SSL_CTX_use_certificate_chain_file(ctx, need("ec_cert")),
      SSL_CTX_use_PrivateKey_file(ctx, need("ec_key"), SSL_FILETYPE_PEM));
    clientcert_conn(label, ctx, port);
    SSL_CTX_free(ctx);

    snprintf(label, sizeof label, "%s rsa encrypted key via passwd cb", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)need("pass"));
    P("%s: chain=%d key=%d", label,
      SSL_CTX_use_certificate_chain_file(ctx, need("rsa_cert")),
      SSL_CTX_use_PrivateKey_file(ctx, need("enc_key"), SSL_FILETYPE_PEM));
    clientcert_conn(label, ctx, port);
    SSL_CTX_free(ctx);

    snprintf(label, sizeof label, "%s client_cert_cb with PEM_read cert/key", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    FILE *f = fopen(need("rsa_cert"), "r");
    g_cb_cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    f = fopen(need("rsa_key"), "r");
    g_cb_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (g_cb_cert == NULL || g_cb_key == NULL)
        die("cannot read the client certificate/key");
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    g_client_cert_cb_calls = 0;
    clientcert_conn(label, ctx, port);
    P("%s: client_cert_cb calls=%d", label, g_client_cert_cb_calls);
    SSL_CTX_free(ctx);
    X509_free(g_cb_cert);
    EVP_PKEY_free(g_cb_key);
    g_cb_cert = NULL;
    g_cb_key = NULL;

    snprintf(label, sizeof label, "%s client_cert_cb returning 0", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    g_client_cert_cb_calls = 0;
    clientcert_conn(label, ctx, port);
    P("%s: client_cert_cb calls=%d", label, g_client_cert_cb_calls);
    SSL_CTX_free(ctx);

    snprintf(label, sizeof label, "%s no client certificate", v);
    ctx = new_ctx(root, SSL_VERIFY_PEER);
    clientcert_conn(label, ctx, port);
    SSL_CTX_free(ctx);
}

static int sc_clientcert(void) {
    clientcert_for("tls1.3", port_of("port13"));
    clientcert_for("tls1.2", port_of("port12"));
    return 0;
}

/* ------------------------------------------------------------------ main */

static const struct {
    const char *name;
    int (*fn)(void);
} SCENARIOS[] = {
    {"whichlib", sc_whichlib},
    {"verify_failure", sc_verify_failure},
    {"hostname", sc_hostname},
    {"verify_none", sc_verify_none},
    {"wrong_version", sc_wrong_version},
    {"eof", sc_eof},
    {"clean_close", sc_clean_close},
    {"ciphers", sc_ciphers},
    {"badfiles", sc_badfiles},
    {"nonblocking", sc_nonblocking},
    {"sessions", sc_sessions},
    {"callbacks", sc_callbacks},
    {"introspect", sc_introspect},
    {"clientcert", sc_clientcert},
};

int main(int argc, char **argv) {
    g_argc = argc;
    g_argv = argv;
    signal(SIGPIPE, SIG_IGN);
    alarm(50); /* default action: terminate; the Rust side also has a timeout */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: differential SCENARIO [key=value ...]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof SCENARIOS / sizeof SCENARIOS[0]; i++)
        if (strcmp(argv[1], SCENARIOS[i].name) == 0) {
            int rc = SCENARIOS[i].fn();
            fflush(stdout);
            return rc;
        }
    fprintf(stderr, "differential: unknown scenario %s\n", argv[1]);
    return 2;
}
