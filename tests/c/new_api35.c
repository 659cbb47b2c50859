/*
 * new_api35.c - what libssl answers to the OpenSSL 3.2..3.5 additions
 * (QUIC API and the new TLS API) when called on ordinary TLS objects: a
 * differential program (tests/new_api35.rs runs it inside the Debian 13 root on
 * OpenSSL 3.5.9 and on ferrossl and compares the lines not starting with '~').
 *
 * One line per call:
 *   name(args): ret=... outs=... err=<first queued error, hex>[ <string>] n=<count>
 * The error queue is emptied after every line. Pointers print as NULL, self
 * (the object passed in) or nonnull.
 *
 * Lines starting with '~' are not part of the contract and are to be skipped
 * by a differential comparison: a crash of stock OpenSSL on a NULL argument
 * (run in a forked child), free-text error data, the peer's ClientHello
 * extension order, answers that depend on which compression libraries the
 * build has, and the QUIC features ferrossl refuses by design (QUIC methods,
 * the QUIC TLS callback API after it was accepted).
 *
 * Calls on which OpenSSL 3.5 crashes (a NULL SSL_CTX, a handshake-less
 * SSL_get0_group_name) run in a forked child; their lines are '~' on every
 * library (ferrossl answers them without crashing), see STOCK_CRASHES.
 */
/* SSL_SESSION_get_time is probed too (deprecated in 3.4) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include <openssl/core_dispatch.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

/* ---------- output helpers ---------- */

static char outs[1024];
/* when set, lines are prefixed with '~' (implementation-defined by design) */
static int tilde;
/* set for whole sections that another differential program compares in detail */
static int section_tilde;

static void OUTS(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void OUTS(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(outs, sizeof(outs), fmt, ap);
    va_end(ap);
}

static void report(const char *call, const char *ret)
{
    unsigned long e = ERR_peek_error();
    const char *data = NULL;
    int flags = 0, n = 0;
    char buf[256] = "", dbuf[256] = "";

    if (e != 0) {
        ERR_peek_error_data(&data, &flags);
        if (data != NULL && (flags & ERR_TXT_STRING))
            snprintf(dbuf, sizeof(dbuf), "%s", data);
        ERR_error_string_n(e, buf, sizeof(buf));
    }
    while (ERR_get_error() != 0)
        n++;
    printf("%s%s: ret=%s outs=%s err=%lx%s%s", tilde || section_tilde ? "~" : "", call, ret,
           outs[0] ? outs : "-", e, e ? " " : "", buf);
    printf(" n=%d\n", n);
    /* free-text error data is informational, not part of the contract */
    if (dbuf[0] != '\0')
        printf("~  error data: \"%s\"\n", dbuf);
    outs[0] = '\0';
}

static void R_int(const char *call, long v)
{
    char b[32];

    snprintf(b, sizeof(b), "%ld", v);
    report(call, b);
}

static void R_u64(const char *call, uint64_t v)
{
    char b[32];

    snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
    report(call, b);
}

/* pointer results: NULL, the same object, or another (non-NULL) object */
static void R_ptr(const char *call, const void *p, const void *self)
{
    report(call, p == NULL ? "NULL" : (p == self ? "self" : "nonnull"));
}

/* The forked calls OpenSSL 3.5.9 answers with SIGSEGV (or blocks in): not compared. */
static const char *const STOCK_CRASHES[] = {
    "SSL_get0_group_name(tls_client_fresh)",
    "SSL_SESSION_get0_peer_rpk(NULL)",
    "SSL_new_listener(NULL,0)",
    "SSL_new_domain(NULL,0)",
    "SSL_CTX_set_domain_flags(NULL,0)",
    "SSL_CTX_get_domain_flags(NULL,&u)",
    "SSL_CTX_set_new_pending_conn_cb(NULL,cb,NULL)",
    "SSL_CTX_set_block_padding_ex(NULL,0,0)",
    "SSL_CTX_flush_sessions_ex(NULL,0)",
    "SSL_CTX_set1_cert_comp_preference(NULL,NULL,0)",
    "SSL_CTX_set1_client_cert_type(NULL,NULL,0)",
    NULL,
};

/* Run a block in a forked child; report a crash in the parent. */
static int fork_begin(const char *label)
{
    pid_t pid;
    int st = 0;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        for (int i = 0; STOCK_CRASHES[i] != NULL; i++)
            if (strcmp(label, STOCK_CRASHES[i]) == 0)
                tilde = 1;
        return 1;
    }
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        printf("~%s: CRASH signal=%d\n", label, WTERMSIG(st));
    return 0;
}

static int fork_end(void)
{
    fflush(stdout);
    _exit(0);
    return 0;
}

#define FORKED(label) for (int f_ = fork_begin(label); f_; f_ = fork_end())

/* ---------- key, cert, handshake ---------- */

static EVP_PKEY *pkey;
static X509 *cert;

static void make_cert(void)
{
    X509_NAME *n;

    pkey = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, pkey);
    n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const unsigned char *)"probe.test", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    X509_sign(cert, pkey, EVP_sha256());
}

static int handshake(SSL *c, SSL *s)
{
    int i, rc, rs, dc = 0, ds = 0;

    for (i = 0; i < 100 && !(dc && ds); i++) {
        if (!dc) {
            rc = SSL_do_handshake(c);
            if (rc == 1)
                dc = 1;
            else if (SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!ds) {
            rs = SSL_do_handshake(s);
            if (rs == 1)
                ds = 1;
            else if (SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    return dc && ds;
}

static void pair(SSL *c, SSL *s)
{
    BIO *bc, *bs;

    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
}

/* client hello callback: SSL_client_hello_get_extension_order */
static int ch_cb(SSL *s, int *al, void *arg)
{
    uint16_t exts[64];
    size_t num = 0, small = 1, i;
    int r;
    char buf[512];
    size_t off = 0;

    (void)al;
    (void)arg;
    r = SSL_client_hello_get_extension_order(s, NULL, &num);
    OUTS("num_exts_nonzero=%d", num != 0);
    R_int("SSL_client_hello_get_extension_order(cb,NULL,&num)", r);
    r = SSL_client_hello_get_extension_order(s, NULL, NULL);
    R_int("SSL_client_hello_get_extension_order(cb,NULL,NULL)", r);
    r = SSL_client_hello_get_extension_order(s, exts, &small);
    OUTS("num_exts=%zu", small);
    R_int("SSL_client_hello_get_extension_order(cb,exts,&1)", r);
    num = 64;
    r = SSL_client_hello_get_extension_order(s, exts, &num);
    buf[0] = '\0';
    for (i = 0; i < num && r == 1 && off < sizeof(buf) - 8; i++)
        off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
                        i ? "," : "", exts[i]);
    R_int("SSL_client_hello_get_extension_order(cb,exts,&64)", r);
    /* which extensions a client sends, and in which order, is the peer's
     * business (rustls and OpenSSL differ): informational only */
    printf("~  client hello extension order: num_exts=%zu exts=%s\n", num, buf);
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* ---------- dummy QUIC TLS callbacks ---------- */

static int q_send(SSL *s, const unsigned char *b, size_t l, size_t *c, void *a)
{ (void)s; (void)b; (void)a; *c = l; return 1; }
static int q_recv(SSL *s, const unsigned char **b, size_t *r, void *a)
{ (void)s; (void)a; *b = NULL; *r = 0; return 1; }
static int q_rel(SSL *s, size_t r, void *a)
{ (void)s; (void)r; (void)a; return 1; }
static int q_yield(SSL *s, uint32_t l, int d, const unsigned char *k, size_t kl,
                   void *a)
{ (void)s; (void)l; (void)d; (void)k; (void)kl; (void)a; return 1; }
static int q_tp(SSL *s, const unsigned char *p, size_t l, void *a)
{ (void)s; (void)p; (void)l; (void)a; return 1; }
static int q_alert(SSL *s, unsigned char c, void *a)
{ (void)s; (void)c; (void)a; return 1; }

static const OSSL_DISPATCH qtdis[] = {
    { OSSL_FUNC_SSL_QUIC_TLS_CRYPTO_SEND, (void (*)(void))q_send },
    { OSSL_FUNC_SSL_QUIC_TLS_CRYPTO_RECV_RCD, (void (*)(void))q_recv },
    { OSSL_FUNC_SSL_QUIC_TLS_CRYPTO_RELEASE_RCD, (void (*)(void))q_rel },
    { OSSL_FUNC_SSL_QUIC_TLS_YIELD_SECRET, (void (*)(void))q_yield },
    { OSSL_FUNC_SSL_QUIC_TLS_GOT_TRANSPORT_PARAMS, (void (*)(void))q_tp },
    { OSSL_FUNC_SSL_QUIC_TLS_ALERT, (void (*)(void))q_alert },
    OSSL_DISPATCH_END
};
static const OSSL_DISPATCH qtdis_empty[] = { OSSL_DISPATCH_END };

static int pending_cb(SSL_CTX *c, SSL *s, void *a)
{ (void)c; (void)s; (void)a; return 1; }

/* ---------- the QUIC API on one TLS SSL ---------- */

static void quic_on_ssl(const char *tag, SSL *s)
{
    char call[160];
    struct timeval tv;
    int inf;
    BIO_POLL_DESCRIPTOR d;
    uint64_t u;
    SSL_CONN_CLOSE_INFO ci;
    SSL_STREAM_RESET_ARGS ra;
    BIO_ADDR *addr;

#define C(fmt) (snprintf(call, sizeof(call), fmt, tag), call)
    R_int(C("SSL_is_tls(%s)"), SSL_is_tls(s));
    R_int(C("SSL_is_quic(%s)"), SSL_is_quic(s));
    R_int(C("SSL_is_connection(%s)"), SSL_is_connection(s));
    R_int(C("SSL_is_listener(%s)"), SSL_is_listener(s));
    R_int(C("SSL_is_domain(%s)"), SSL_is_domain(s));
    R_ptr(C("SSL_get0_connection(%s)"), SSL_get0_connection(s), s);
    R_ptr(C("SSL_get0_listener(%s)"), SSL_get0_listener(s), s);
    R_ptr(C("SSL_get0_domain(%s)"), SSL_get0_domain(s), s);
    R_int(C("SSL_handle_events(%s)"), SSL_handle_events(s));
    tv.tv_sec = 777;
    tv.tv_usec = 777;
    inf = 777;
    {
        int r = SSL_get_event_timeout(s, &tv, &inf);

        OUTS("tv=%ld.%06ld is_infinite=%d", (long)tv.tv_sec,
             (long)tv.tv_usec, inf);
        R_int(C("SSL_get_event_timeout(%s,&tv,&inf)"), r);
    }
    memset(&d, 0, sizeof(d));
    d.type = 777;
    {
        int r = SSL_get_rpoll_descriptor(s, &d);

        OUTS("type=%d fd_is_ssl_fd=%d", d.type,
             d.type == BIO_POLL_DESCRIPTOR_TYPE_SOCK_FD
             && d.value.fd == SSL_get_rfd(s));
        R_int(C("SSL_get_rpoll_descriptor(%s,&d)"), r);
    }
    memset(&d, 0, sizeof(d));
    d.type = 777;
    {
        int r = SSL_get_wpoll_descriptor(s, &d);

        OUTS("type=%d fd_is_ssl_fd=%d", d.type,
             d.type == BIO_POLL_DESCRIPTOR_TYPE_SOCK_FD
             && d.value.fd == SSL_get_wfd(s));
        R_int(C("SSL_get_wpoll_descriptor(%s,&d)"), r);
    }
    R_int(C("SSL_net_read_desired(%s)"), SSL_net_read_desired(s));
    R_int(C("SSL_net_write_desired(%s)"), SSL_net_write_desired(s));
    R_int(C("SSL_get_blocking_mode(%s)"), SSL_get_blocking_mode(s));
    R_int(C("SSL_set_blocking_mode(%s,0)"), SSL_set_blocking_mode(s, 0));
    R_int(C("SSL_set_blocking_mode(%s,1)"), SSL_set_blocking_mode(s, 1));
    addr = BIO_ADDR_new();
    R_int(C("SSL_set1_initial_peer_addr(%s,addr)"),
          SSL_set1_initial_peer_addr(s, addr));
    R_int(C("SSL_set1_initial_peer_addr(%s,NULL)"),
          SSL_set1_initial_peer_addr(s, NULL));
    {
        unsigned char dg[32] = { 0 };

        R_int(C("SSL_inject_net_dgram(%s,dg,32,addr,NULL)"),
              SSL_inject_net_dgram(s, dg, sizeof(dg), addr, NULL));
    }
    BIO_ADDR_free(addr);
    R_int(C("SSL_stream_conclude(%s,0)"), SSL_stream_conclude(s, 0));
    R_ptr(C("SSL_new_stream(%s,0)"), SSL_new_stream(s, 0), s);
    R_ptr(C("SSL_new_stream(%s,SSL_STREAM_FLAG_UNI)"),
          SSL_new_stream(s, SSL_STREAM_FLAG_UNI), s);
    R_ptr(C("SSL_accept_stream(%s,0)"),
          SSL_accept_stream(s, SSL_ACCEPT_STREAM_NO_BLOCK), s);
    R_u64(C("SSL_get_accept_stream_queue_len(%s)"),
          SSL_get_accept_stream_queue_len(s));
    R_int(C("SSL_get_stream_type(%s)"), SSL_get_stream_type(s));
    R_u64(C("SSL_get_stream_id(%s)"), SSL_get_stream_id(s));
    R_int(C("SSL_is_stream_local(%s)"), SSL_is_stream_local(s));
    R_int(C("SSL_set_default_stream_mode(%s,NONE)"),
          SSL_set_default_stream_mode(s, SSL_DEFAULT_STREAM_MODE_NONE));
    R_int(C("SSL_set_default_stream_mode(%s,AUTO_BIDI)"),
          SSL_set_default_stream_mode(s, SSL_DEFAULT_STREAM_MODE_AUTO_BIDI));
    R_int(C("SSL_set_incoming_stream_policy(%s,REJECT,0)"),
          SSL_set_incoming_stream_policy(s, SSL_INCOMING_STREAM_POLICY_REJECT,
                                         0));
    memset(&ra, 0, sizeof(ra));
    R_int(C("SSL_stream_reset(%s,&args,sizeof)"),
          SSL_stream_reset(s, &ra, sizeof(ra)));
    R_int(C("SSL_stream_reset(%s,NULL,0)"), SSL_stream_reset(s, NULL, 0));
    R_int(C("SSL_get_stream_read_state(%s)"), SSL_get_stream_read_state(s));
    R_int(C("SSL_get_stream_write_state(%s)"), SSL_get_stream_write_state(s));
    u = 777;
    {
        int r = SSL_get_stream_read_error_code(s, &u);

        OUTS("code=%llu", (unsigned long long)u);
        R_int(C("SSL_get_stream_read_error_code(%s,&code)"), r);
    }
    u = 777;
    {
        int r = SSL_get_stream_write_error_code(s, &u);

        OUTS("code=%llu", (unsigned long long)u);
        R_int(C("SSL_get_stream_write_error_code(%s,&code)"), r);
    }
    memset(&ci, 0x5a, sizeof(ci));
    {
        int r = SSL_get_conn_close_info(s, &ci, sizeof(ci));

        OUTS("info_untouched=%d", ((unsigned char *)&ci)[0] == 0x5a);
        R_int(C("SSL_get_conn_close_info(%s,&info,sizeof)"), r);
    }
    R_ptr(C("SSL_new_listener_from(%s,0)"), SSL_new_listener_from(s, 0), s);
    R_ptr(C("SSL_new_from_listener(%s,0)"), SSL_new_from_listener(s, 0), s);
    R_ptr(C("SSL_accept_connection(%s,NO_BLOCK)"),
          SSL_accept_connection(s, SSL_ACCEPT_CONNECTION_NO_BLOCK), s);
    R_u64(C("SSL_get_accept_connection_queue_len(%s)"),
          SSL_get_accept_connection_queue_len(s));
    R_int(C("SSL_listen(%s)"), SSL_listen(s));
    u = 777;
    {
        int r = SSL_get_domain_flags(s, &u);

        OUTS("flags=%llu", (unsigned long long)u);
        R_int(C("SSL_get_domain_flags(%s,&f)"), r);
    }
    {
        uint64_t rtt = 0;
        int r = SSL_get_handshake_rtt(s, &rtt);

        OUTS("rtt_nonzero=%d", rtt != 0);
        R_int(C("SSL_get_handshake_rtt(%s,&rtt)"), r);
    }
    /* SSL_poll with this SSL as the single item */
    {
        SSL_POLL_ITEM it;
        struct timeval zero = { 0, 0 };
        size_t cnt = 777;
        int r;

        memset(&it, 0, sizeof(it));
        it.desc = SSL_as_poll_descriptor(s);
        it.events = SSL_POLL_EVENT_R | SSL_POLL_EVENT_W;
        it.revents = 777;
        r = SSL_poll(&it, 1, sizeof(it), &zero, 0, &cnt);
        OUTS("revents=%llu result_count=%zu",
             (unsigned long long)it.revents, cnt);
        R_int(C("SSL_poll({%s,R|W},1,zero,0)"), r);
    }
#undef C
}

static void value_uint(const char *tag, SSL *s, int all_classes)
{
    char call[160];
    uint32_t cls, id;
    uint64_t v;

    for (cls = 0; cls <= 3; cls++) {
        if (!all_classes && cls != SSL_VALUE_CLASS_GENERIC)
            continue;
        for (id = 0; id <= 10; id++) {
            v = 777;
            {
                int r = SSL_get_value_uint(s, cls, id, &v);

                OUTS("v=%llu", (unsigned long long)v);
                snprintf(call, sizeof(call),
                         "SSL_get_value_uint(%s,class=%u,id=%u,&v)",
                         tag, cls, id);
                R_int(call, r);
            }
            snprintf(call, sizeof(call),
                     "SSL_set_value_uint(%s,class=%u,id=%u,1)", tag, cls, id);
            R_int(call, SSL_set_value_uint(s, cls, id, 1));
        }
    }
}

static void hexlist(const unsigned char *t, size_t len)
{
    size_t i, off = 0;
    char b[64] = "";

    if (t == NULL) {
        OUTS("t=NULL len=%zu", len);
        return;
    }
    for (i = 0; i < len && off < sizeof(b) - 4; i++)
        off += snprintf(b + off, sizeof(b) - off, "%s%u", i ? "," : "", t[i]);
    OUTS("t={%s} len=%zu", b, len);
}

static void cert_type_setters(const char *tag, SSL_CTX *ctx, SSL *s)
{
    static const struct { const char *name; unsigned char v[4]; size_t len;
                          int null; } cases[] = {
        { "{x509}", { 0 }, 1, 0 },
        { "{rpk}", { 2 }, 1, 0 },
        { "{rpk,x509}", { 2, 0 }, 2, 0 },
        { "{x509,rpk}", { 0, 2 }, 2, 0 },
        { "{rpk,rpk}", { 2, 2 }, 2, 0 },
        { "{pgp}", { 1 }, 1, 0 },
        { "{1609dot2}", { 3 }, 1, 0 },
        { "{4}", { 4 }, 1, 0 },
        { "{255}", { 255 }, 1, 0 },
        { "{x509,pgp}", { 0, 1 }, 2, 0 },
        { "val,0", { 2 }, 0, 0 },
        { "NULL,1", { 0 }, 1, 1 },
        { "NULL,0", { 0 }, 0, 1 },
    };
    char call[160];
    size_t i;
    unsigned char *t;
    size_t len;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const unsigned char *v = cases[i].null ? NULL : cases[i].v;
        int r;

        if (ctx != NULL) {
            snprintf(call, sizeof(call), "SSL_CTX_set1_client_cert_type(%s,%s)",
                     tag, cases[i].name);
            R_int(call, SSL_CTX_set1_client_cert_type(ctx, v, cases[i].len));
            t = (unsigned char *)"x";
            len = 777;
            r = SSL_CTX_get0_client_cert_type(ctx, &t, &len);
            hexlist(t, len);
            snprintf(call, sizeof(call), "SSL_CTX_get0_client_cert_type(%s)",
                     tag);
            R_int(call, r);
            snprintf(call, sizeof(call), "SSL_CTX_set1_server_cert_type(%s,%s)",
                     tag, cases[i].name);
            R_int(call, SSL_CTX_set1_server_cert_type(ctx, v, cases[i].len));
            t = (unsigned char *)"x";
            len = 777;
            r = SSL_CTX_get0_server_cert_type(ctx, &t, &len);
            hexlist(t, len);
            snprintf(call, sizeof(call), "SSL_CTX_get0_server_cert_type(%s)",
                     tag);
            R_int(call, r);
        } else {
            snprintf(call, sizeof(call), "SSL_set1_client_cert_type(%s,%s)",
                     tag, cases[i].name);
            R_int(call, SSL_set1_client_cert_type(s, v, cases[i].len));
            t = (unsigned char *)"x";
            len = 777;
            r = SSL_get0_client_cert_type(s, &t, &len);
            hexlist(t, len);
            snprintf(call, sizeof(call), "SSL_get0_client_cert_type(%s)", tag);
            R_int(call, r);
            snprintf(call, sizeof(call), "SSL_set1_server_cert_type(%s,%s)",
                     tag, cases[i].name);
            R_int(call, SSL_set1_server_cert_type(s, v, cases[i].len));
            t = (unsigned char *)"x";
            len = 777;
            r = SSL_get0_server_cert_type(s, &t, &len);
            hexlist(t, len);
            snprintf(call, sizeof(call), "SSL_get0_server_cert_type(%s)", tag);
            R_int(call, r);
        }
    }
}

static void cert_comp(const char *tag, SSL_CTX *ctx, SSL *s)
{
    char call[160];
    int alg;
    /*
     * Answers for zlib (1), zstd (3) and "any" (0) depend on which
     * compression libraries the build has (Debian: zlib and zstd, no
     * brotli): those lines get '~'. Brotli (2) and the unknown id 4 show
     * the "algorithm not available" answers and are compared.
     */
    static const struct { const char *name; int a[4]; size_t len;
                          int dep; } prefs[] = {
        { "{zlib,brotli,zstd}", { 1, 2, 3 }, 3, 1 },
        { "{zlib}", { 1 }, 1, 1 },
        { "{brotli}", { 2 }, 1, 0 },
        { "{zstd}", { 3 }, 1, 1 },
        { "{zlib,zlib}", { 1, 1 }, 2, 1 },
        { "{0}", { 0 }, 1, 0 },
        { "{4}", { 4 }, 1, 0 },
        { "{}", { 0 }, 0, 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(prefs) / sizeof(prefs[0]); i++) {
        int a[4];

        memcpy(a, prefs[i].a, sizeof(a));
        tilde = prefs[i].dep;
        if (ctx != NULL) {
            snprintf(call, sizeof(call),
                     "SSL_CTX_set1_cert_comp_preference(%s,%s)", tag,
                     prefs[i].name);
            R_int(call, SSL_CTX_set1_cert_comp_preference(ctx, a,
                                                          prefs[i].len));
        } else {
            snprintf(call, sizeof(call),
                     "SSL_set1_cert_comp_preference(%s,%s)", tag,
                     prefs[i].name);
            R_int(call, SSL_set1_cert_comp_preference(s, a, prefs[i].len));
        }
    }
    /* restore the default preference list (all available) */
    {
        int a[3] = { 1, 2, 3 };

        if (ctx != NULL)
            SSL_CTX_set1_cert_comp_preference(ctx, a, 3);
        else
            SSL_set1_cert_comp_preference(s, a, 3);
        ERR_clear_error();
    }
    tilde = 0;
    for (alg = 0; alg <= 4; alg++) {
        tilde = (alg == 0 || alg == 1 || alg == 3);
        if (ctx != NULL) {
            snprintf(call, sizeof(call), "SSL_CTX_compress_certs(%s,%d)",
                     tag, alg);
            R_int(call, SSL_CTX_compress_certs(ctx, alg));
        } else {
            snprintf(call, sizeof(call), "SSL_compress_certs(%s,%d)", tag, alg);
            R_int(call, SSL_compress_certs(s, alg));
        }
    }
    for (alg = 1; alg <= 3; alg++) {
        unsigned char *data = NULL;
        size_t orig = 777, r;

        tilde = (alg == 1 || alg == 3);

        if (ctx != NULL)
            r = SSL_CTX_get1_compressed_cert(ctx, alg, &data, &orig);
        else
            r = SSL_get1_compressed_cert(s, alg, &data, &orig);
        OUTS("data=%s orig_len_written=%d", data ? "nonnull" : "NULL",
             orig != 777);
        snprintf(call, sizeof(call), "SSL%s_get1_compressed_cert(%s,%d)",
                 ctx ? "_CTX" : "", tag, alg);
        R_int(call, r != 0 ? 1 : 0);
        if (data != NULL) {
            /* feed it back */
            size_t clen = r;

            if (ctx != NULL) {
                snprintf(call, sizeof(call),
                         "SSL_CTX_set1_compressed_cert(%s,%d,own)", tag, alg);
                R_int(call, SSL_CTX_set1_compressed_cert(ctx, alg, data, clen,
                                                         orig));
            } else {
                snprintf(call, sizeof(call),
                         "SSL_set1_compressed_cert(%s,%d,own)", tag, alg);
                R_int(call, SSL_set1_compressed_cert(s, alg, data, clen,
                                                     orig));
            }
            OPENSSL_free(data);
        }
    }
    for (alg = 0; alg <= 4; alg++) {
        unsigned char junk[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };

        tilde = (alg == 0 || alg == 1 || alg == 3);

        if (ctx != NULL) {
            snprintf(call, sizeof(call),
                     "SSL_CTX_set1_compressed_cert(%s,%d,junk,16,100)", tag,
                     alg);
            R_int(call, SSL_CTX_set1_compressed_cert(ctx, alg, junk, 16, 100));
        } else {
            snprintf(call, sizeof(call),
                     "SSL_set1_compressed_cert(%s,%d,junk,16,100)", tag, alg);
            R_int(call, SSL_set1_compressed_cert(s, alg, junk, 16, 100));
        }
    }
    tilde = 0;
}

int main(void)
{
    SSL_CTX *cctx, *sctx, *qctx;
    SSL *c_pre, *s_pre, *c, *s, *c_fd;
    SSL_SESSION *sess;
    int sv[2];
    char call[160];

    make_cert();
    cctx = SSL_CTX_new(TLS_client_method());
    sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(sctx, cert);
    SSL_CTX_use_PrivateKey(sctx, pkey);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    ERR_clear_error();

    printf("~# version: %s\n", OpenSSL_version(OPENSSL_VERSION));
    
    /* ===== QUIC methods ===== */
    printf("## QUIC methods (ferrossl refuses QUIC: '~' by design)\n");
    tilde = 1;
    {
        const SSL_METHOD *m;

        m = OSSL_QUIC_client_method();
        R_ptr("OSSL_QUIC_client_method()", m, NULL);
        m = OSSL_QUIC_client_thread_method();
        R_ptr("OSSL_QUIC_client_thread_method()", m, NULL);
        m = OSSL_QUIC_server_method();
        R_ptr("OSSL_QUIC_server_method()", m, NULL);
        qctx = SSL_CTX_new(OSSL_QUIC_client_method());
        R_ptr("SSL_CTX_new(OSSL_QUIC_client_method())", qctx, NULL);
        if (qctx != NULL) {
            SSL *q = SSL_new(qctx);
            uint64_t f = 777;
            int r;

            R_ptr("SSL_new(quic_ctx)", q, NULL);
            if (q != NULL) {
                R_int("SSL_is_quic(quic)", SSL_is_quic(q));
                R_int("SSL_is_tls(quic)", SSL_is_tls(q));
                R_int("SSL_get_blocking_mode(quic)", SSL_get_blocking_mode(q));
                SSL_free(q);
            }
            R_int("SSL_CTX_set_domain_flags(quic_ctx,SINGLE_THREAD)",
                  SSL_CTX_set_domain_flags(qctx,
                                           SSL_DOMAIN_FLAG_SINGLE_THREAD));
            r = SSL_CTX_get_domain_flags(qctx, &f);
            OUTS("flags=%llu", (unsigned long long)f);
            R_int("SSL_CTX_get_domain_flags(quic_ctx,&f)", r);
            R_int("SSL_CTX_set_domain_flags(quic_ctx,SINGLE|MULTI)",
                  SSL_CTX_set_domain_flags(qctx,
                                           SSL_DOMAIN_FLAG_SINGLE_THREAD
                                           | SSL_DOMAIN_FLAG_MULTI_THREAD));
            R_int("SSL_CTX_set_domain_flags(quic_ctx,1<<20)",
                  SSL_CTX_set_domain_flags(qctx, 1ULL << 20));
            SSL_CTX_free(qctx);
        }
        qctx = SSL_CTX_new(OSSL_QUIC_server_method());
        R_ptr("SSL_CTX_new(OSSL_QUIC_server_method())", qctx, NULL);
        SSL_CTX_free(qctx);
        ERR_clear_error();
    }
    tilde = 0;

    /* ===== QUIC API on TLS objects before handshake ===== */
    c_pre = SSL_new(cctx);
    s_pre = SSL_new(sctx);
    SSL_set_connect_state(c_pre);
    SSL_set_accept_state(s_pre);
    printf("## QUIC API on a fresh TLS client SSL (no BIO)\n");
    quic_on_ssl("tls_client_fresh", c_pre);
    printf("## QUIC API on a fresh TLS server SSL (no BIO)\n");
    quic_on_ssl("tls_server_fresh", s_pre);

    /* socketpair-backed client: poll descriptors */
    printf("## QUIC API on a TLS client SSL with a socket fd\n");
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    c_fd = SSL_new(cctx);
    SSL_set_fd(c_fd, sv[0]);
    SSL_set_connect_state(c_fd);
    quic_on_ssl("tls_client_fd", c_fd);
    {
        SSL_POLL_ITEM it;
        struct timeval zero = { 0, 0 };
        size_t cnt = 777;
        int r;

        memset(&it, 0, sizeof(it));
        SSL_get_rpoll_descriptor(c_fd, &it.desc);
        it.events = SSL_POLL_EVENT_R;
        r = SSL_poll(&it, 1, sizeof(it), &zero, 0, &cnt);
        OUTS("revents=%llu result_count=%zu",
             (unsigned long long)it.revents, cnt);
        R_int("SSL_poll({sockfd,R},1,zero,0)", r);

        memset(&it, 0, sizeof(it));
        it.desc.type = BIO_POLL_DESCRIPTOR_TYPE_SSL;
        it.desc.value.ssl = NULL;
        it.events = SSL_POLL_EVENT_R;
        cnt = 777;
        r = SSL_poll(&it, 1, sizeof(it), &zero, 0, &cnt);
        OUTS("revents=%llu result_count=%zu",
             (unsigned long long)it.revents, cnt);
        R_int("SSL_poll({ssl=NULL,R},1,zero,0)", r);

        memset(&it, 0, sizeof(it));
        it.desc.type = BIO_POLL_DESCRIPTOR_TYPE_NONE;
        cnt = 777;
        r = SSL_poll(&it, 1, sizeof(it), &zero, 0, &cnt);
        OUTS("revents=%llu result_count=%zu",
             (unsigned long long)it.revents, cnt);
        R_int("SSL_poll({type=NONE},1,zero,0)", r);

        cnt = 777;
        r = SSL_poll(NULL, 0, sizeof(it), &zero, 0, &cnt);
        OUTS("result_count=%zu", cnt);
        R_int("SSL_poll(NULL,0,zero,0)", r);
    }
    SSL_free(c_fd);
    close(sv[0]);
    close(sv[1]);

    /* ===== handshake ===== */
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    pair(c, s);
    SSL_CTX_set_client_hello_cb(sctx, ch_cb, NULL);
    printf("## handshake (client hello callback lines follow)\n");
    {
        int ok = handshake(c, s);

        OUTS("version=%s", SSL_get_version(c));
        R_int("handshake(client,server)", ok);
    }
    SSL_CTX_set_client_hello_cb(sctx, NULL, NULL);
    printf("## QUIC API on a TLS client SSL after handshake\n");
    quic_on_ssl("tls_client_done", c);
    printf("## QUIC API on a TLS server SSL after handshake\n");
    quic_on_ssl("tls_server_done", s);
    R_int("SSL_client_hello_get_extension_order(tls_server_done,NULL,&n)",
          SSL_client_hello_get_extension_order(s, NULL, &(size_t){0}));

    /* ===== SSL_CTX-level QUIC API on TLS ctx ===== */
    printf("## QUIC API on a TLS SSL_CTX\n");
    R_ptr("SSL_new_listener(tls_ctx,0)", SSL_new_listener(sctx, 0), NULL);
    R_ptr("SSL_new_domain(tls_ctx,0)", SSL_new_domain(sctx, 0), NULL);
    {
        uint64_t f = 777;
        int r;

        R_int("SSL_CTX_set_domain_flags(tls_ctx,SINGLE_THREAD)",
              SSL_CTX_set_domain_flags(sctx, SSL_DOMAIN_FLAG_SINGLE_THREAD));
        R_int("SSL_CTX_set_domain_flags(tls_ctx,0)",
              SSL_CTX_set_domain_flags(sctx, 0));
        r = SSL_CTX_get_domain_flags(sctx, &f);
        OUTS("flags=%llu", (unsigned long long)f);
        R_int("SSL_CTX_get_domain_flags(tls_ctx,&f)", r);
        R_int("SSL_CTX_get_domain_flags(tls_ctx,NULL)",
              SSL_CTX_get_domain_flags(sctx, NULL));
    }
    SSL_CTX_set_new_pending_conn_cb(sctx, pending_cb, NULL);
    report("SSL_CTX_set_new_pending_conn_cb(tls_ctx,cb,NULL)", "void");
    SSL_CTX_set_new_pending_conn_cb(sctx, NULL, NULL);
    report("SSL_CTX_set_new_pending_conn_cb(tls_ctx,NULL,NULL)", "void");

    /* ===== SSL_get_value_uint / set ===== */
    printf("## SSL_get/set_value_uint on TLS\n");
    value_uint("tls_client_fresh", c_pre, 0);
    value_uint("tls_client_done", c, 1);
    value_uint("tls_server_done", s, 0);

    /* ===== QUIC TLS API (third-party QUIC stacks) ===== */
    printf("## QUIC TLS API on TLS SSLs\n");
    {
        SSL *q = SSL_new(cctx);
        SSL *q2 = SSL_new(sctx);
        unsigned char tp[4] = { 1, 2, 3, 4 };

        R_int("SSL_set_quic_tls_transport_params(tls_client_done,tp,4)",
              SSL_set_quic_tls_transport_params(c, tp, 4));
        R_int("SSL_set_quic_tls_early_data_enabled(tls_client_done,1)",
              SSL_set_quic_tls_early_data_enabled(c, 1));
        R_int("SSL_set_quic_tls_cbs(fresh_client,empty_dispatch,NULL)",
              SSL_set_quic_tls_cbs(q, qtdis_empty, NULL));
        R_int("SSL_set_quic_tls_transport_params(fresh_client,tp,4) before cbs",
              SSL_set_quic_tls_transport_params(q, tp, 4));
        R_int("SSL_set_quic_tls_early_data_enabled(fresh_client,1) before cbs",
              SSL_set_quic_tls_early_data_enabled(q, 1));
        /* stock accepts a third-party QUIC stack on a TLS SSL; what follows
         * depends on that success: '~' (ferrossl may refuse) */
        tilde = 1;
        R_int("SSL_set_quic_tls_cbs(fresh_client,full_dispatch,NULL)",
              SSL_set_quic_tls_cbs(q, qtdis, NULL));
        R_int("SSL_set_quic_tls_transport_params(fresh_client,tp,4)",
              SSL_set_quic_tls_transport_params(q, tp, 4));
        R_int("SSL_set_quic_tls_early_data_enabled(fresh_client,0)",
              SSL_set_quic_tls_early_data_enabled(q, 0));
        R_int("SSL_set_quic_tls_early_data_enabled(fresh_client,1)",
              SSL_set_quic_tls_early_data_enabled(q, 1));
        OUTS("min=%lx max=%lx", SSL_get_min_proto_version(q),
             SSL_get_max_proto_version(q));
        report("SSL_get_min/max_proto_version(fresh_client after quic_tls_cbs)",
               "-");
        R_int("SSL_set_quic_tls_cbs(fresh_server,full_dispatch,NULL)",
              SSL_set_quic_tls_cbs(q2, qtdis, NULL));
        R_int("SSL_set_quic_tls_early_data_enabled(fresh_server,1)",
              SSL_set_quic_tls_early_data_enabled(q2, 1));
        tilde = 0;
        SSL_free(q);
        SSL_free(q2);
    }

    /* ===== non-QUIC TLS additions ===== */
    printf("## SSL_get0_group_name\n");
    {
        const char *g = SSL_get0_group_name(c);

        OUTS("name=%s", g ? g : "NULL");
        report("SSL_get0_group_name(tls_client_done)", g ? "nonnull" : "NULL");
        g = SSL_get0_group_name(s);
        OUTS("name=%s", g ? g : "NULL");
        report("SSL_get0_group_name(tls_server_done)", g ? "nonnull" : "NULL");
    }
    {
        static const char *groups[] = { "X25519MLKEM768", "x25519", "P-256",
                                        "P-384", "P-521", "x448",
                                        "ffdhe2048" };
        size_t i;
        int v;

        for (v = 0; v < 2; v++)
            for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
                SSL *a, *b;
                const char *ga, *gb;
                int ok;

                char gl[64];

                if (v && strstr(groups[i], "MLKEM") != NULL)
                    continue; /* hybrid groups are TLS 1.3 only */
                /* in TLS 1.2 the ECDSA P-256 certificate needs P-256 listed */
                snprintf(gl, sizeof(gl), "%s%s", groups[i],
                         v && strcmp(groups[i], "P-256") ? ":P-256" : "");
                a = SSL_new(cctx);
                b = SSL_new(sctx);
                SSL_set1_groups_list(a, gl);
                SSL_set_max_proto_version(a, v ? TLS1_2_VERSION
                                               : TLS1_3_VERSION);
                SSL_set_connect_state(a);
                SSL_set_accept_state(b);
                pair(a, b);
                ok = handshake(a, b);
                ga = SSL_get0_group_name(a);
                gb = SSL_get0_group_name(b);
                OUTS("handshake=%d client=%s server=%s", ok, ga ? ga : "NULL",
                     gb ? gb : "NULL");
                snprintf(call, sizeof(call), "SSL_get0_group_name(%s,%s)",
                         v ? "TLSv1.2" : "TLSv1.3", groups[i]);
                report(call, "-");
                SSL_free(a);
                SSL_free(b);
            }
    }
    FORKED("SSL_get0_group_name(tls_client_fresh)") {
        const char *g = SSL_get0_group_name(c_pre);

        OUTS("name=%s", g ? g : "NULL");
        report("SSL_get0_group_name(tls_client_fresh)", g ? "nonnull" : "NULL");
    }

    printf("## sessions\n");
    sess = SSL_get1_session(c);
    {
        time_t now = time(NULL), t;

        t = SSL_SESSION_get_time_ex(sess);
        OUTS("within_10s_of_now=%d", t <= now && t + 10 >= now);
        report("SSL_SESSION_get_time_ex(sess)", "time");
        R_int("SSL_SESSION_set_time_ex(sess,1700000000)",
              (long)SSL_SESSION_set_time_ex(sess, 1700000000));
        R_int("SSL_SESSION_get_time_ex(sess) after set",
              (long)SSL_SESSION_get_time_ex(sess));
        R_int("SSL_SESSION_get_time(sess) after set",
              (long)SSL_SESSION_get_time(sess));
        R_int("SSL_SESSION_set_time_ex(sess,0)",
              (long)SSL_SESSION_set_time_ex(sess, 0));
        R_int("SSL_SESSION_get_time_ex(sess) after set 0",
              (long)SSL_SESSION_get_time_ex(sess));
        R_int("SSL_SESSION_set_time_ex(sess,4102444800)",
              (long)SSL_SESSION_set_time_ex(sess, (time_t)4102444800LL));
        R_int("SSL_SESSION_get_time_ex(sess) after set 2100",
              (long)SSL_SESSION_get_time_ex(sess));
        R_int("SSL_SESSION_set_time_ex(sess,-1)",
              (long)SSL_SESSION_set_time_ex(sess, (time_t)-1));
        R_int("SSL_SESSION_get_time_ex(sess) after set -1",
              (long)SSL_SESSION_get_time_ex(sess));
        R_int("SSL_SESSION_get_time_ex(NULL)",
              (long)SSL_SESSION_get_time_ex(NULL));
        R_int("SSL_SESSION_set_time_ex(NULL,5)",
              (long)SSL_SESSION_set_time_ex(NULL, 5));
        SSL_SESSION_set_time_ex(sess, now);
        ERR_clear_error();
    }
    {
        EVP_PKEY *rpk = SSL_SESSION_get0_peer_rpk(sess);

        R_ptr("SSL_SESSION_get0_peer_rpk(sess)", rpk, NULL);
    }
    FORKED("SSL_SESSION_get0_peer_rpk(NULL)") {
        R_ptr("SSL_SESSION_get0_peer_rpk(NULL)",
              SSL_SESSION_get0_peer_rpk(NULL), NULL);
    }
    {
        unsigned char *der = NULL, *p;
        const unsigned char *q;
        int len = i2d_SSL_SESSION(sess, &der);
        SSL_SESSION *s2;
        unsigned char junk[8] = { 0x30, 0x03, 0x02, 0x01, 0x01, 0, 0, 0 };

        p = der;
        q = p;
        s2 = d2i_SSL_SESSION_ex(NULL, &q, len, NULL, NULL);
        OUTS("consumed_all=%d same_id=%d", q == der + len,
             s2 != NULL && SSL_SESSION_get_protocol_version(s2)
             == SSL_SESSION_get_protocol_version(sess));
        R_ptr("d2i_SSL_SESSION_ex(NULL,&der,len,NULL,NULL)", s2, NULL);
        SSL_SESSION_free(s2);
        q = der;
        s2 = d2i_SSL_SESSION_ex(NULL, &q, len, NULL, "provider=default");
        R_ptr("d2i_SSL_SESSION_ex(NULL,&der,len,NULL,\"provider=default\")",
              s2, NULL);
        SSL_SESSION_free(s2);
        q = der;
        s2 = d2i_SSL_SESSION_ex(NULL, &q, len - 1, NULL, NULL);
        R_ptr("d2i_SSL_SESSION_ex(truncated)", s2, NULL);
        SSL_SESSION_free(s2);
        q = junk;
        s2 = d2i_SSL_SESSION_ex(NULL, &q, sizeof(junk), NULL, NULL);
        OUTS("pp_advanced=%d", q != junk);
        R_ptr("d2i_SSL_SESSION_ex(junk)", s2, NULL);
        SSL_SESSION_free(s2);
        OPENSSL_free(der);
    }
    {
        long n0 = SSL_CTX_sess_number(cctx);

        SSL_CTX_flush_sessions_ex(cctx, time(NULL));
        OUTS("before=%ld after=%ld", n0, SSL_CTX_sess_number(cctx));
        report("SSL_CTX_flush_sessions_ex(client_ctx,now)", "void");
        SSL_CTX_flush_sessions_ex(cctx, time(NULL) + 1000000);
        OUTS("after=%ld", SSL_CTX_sess_number(cctx));
        report("SSL_CTX_flush_sessions_ex(client_ctx,now+1e6)", "void");
        SSL_CTX_add_session(cctx, sess);
        n0 = SSL_CTX_sess_number(cctx);
        SSL_CTX_flush_sessions_ex(cctx, 0);
        OUTS("before=%ld after=%ld", n0, SSL_CTX_sess_number(cctx));
        report("SSL_CTX_flush_sessions_ex(client_ctx,0)", "void");
        ERR_clear_error();
    }

    printf("## block padding\n");
    {
        static const size_t v[] = { 0, 1, 2, 16, 512, 16383, 16384, 16385,
                                    65536 };
        size_t i, j;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
            for (j = 0; j < sizeof(v) / sizeof(v[0]); j += 4) {
                snprintf(call, sizeof(call),
                         "SSL_CTX_set_block_padding_ex(ctx,%zu,%zu)", v[i],
                         v[j]);
                R_int(call, SSL_CTX_set_block_padding_ex(cctx, v[i], v[j]));
                snprintf(call, sizeof(call),
                         "SSL_set_block_padding_ex(tls_client_done,%zu,%zu)",
                         v[i], v[j]);
                R_int(call, SSL_set_block_padding_ex(c, v[i], v[j]));
            }
        R_int("SSL_CTX_set_block_padding_ex(ctx,16,16385)",
              SSL_CTX_set_block_padding_ex(cctx, 16, 16385));
        R_int("SSL_set_block_padding_ex(tls_client_done,16,16385)",
              SSL_set_block_padding_ex(c, 16, 16385));
        SSL_CTX_set_block_padding_ex(cctx, 0, 0);
        SSL_set_block_padding_ex(c, 0, 0);
        ERR_clear_error();
    }

    printf("## SSL_get1_builtin_sigalgs\n");
    {
        char *sa = SSL_get1_builtin_sigalgs(NULL);

        OUTS("\"%s\"", sa ? sa : "NULL");
        report("SSL_get1_builtin_sigalgs(NULL)", sa ? "nonnull" : "NULL");
        OPENSSL_free(sa);
    }

    printf("## RPK / cert types\n");
    R_int("SSL_get_negotiated_client_cert_type(tls_client_fresh)",
          SSL_get_negotiated_client_cert_type(c_pre));
    R_int("SSL_get_negotiated_server_cert_type(tls_client_fresh)",
          SSL_get_negotiated_server_cert_type(c_pre));
    R_int("SSL_get_negotiated_client_cert_type(tls_client_done)",
          SSL_get_negotiated_client_cert_type(c));
    R_int("SSL_get_negotiated_server_cert_type(tls_client_done)",
          SSL_get_negotiated_server_cert_type(c));
    R_int("SSL_get_negotiated_client_cert_type(tls_server_done)",
          SSL_get_negotiated_client_cert_type(s));
    R_int("SSL_get_negotiated_server_cert_type(tls_server_done)",
          SSL_get_negotiated_server_cert_type(s));
    R_int("SSL_get_negotiated_client_cert_type(NULL)",
          SSL_get_negotiated_client_cert_type(NULL));
    R_ptr("SSL_get0_peer_rpk(tls_client_fresh)", SSL_get0_peer_rpk(c_pre),
          NULL);
    R_ptr("SSL_get0_peer_rpk(tls_client_done)", SSL_get0_peer_rpk(c), NULL);
    R_ptr("SSL_get0_peer_rpk(tls_server_done)", SSL_get0_peer_rpk(s), NULL);
    R_ptr("SSL_get0_peer_rpk(NULL)", SSL_get0_peer_rpk(NULL), NULL);
    {
        unsigned char *t = (unsigned char *)"x";
        size_t len = 777;
        int r;

        r = SSL_CTX_get0_client_cert_type(cctx, &t, &len);
        hexlist(t, len);
        R_int("SSL_CTX_get0_client_cert_type(fresh_ctx)", r);
        R_int("SSL_CTX_get0_client_cert_type(ctx,NULL,&len)",
              SSL_CTX_get0_client_cert_type(cctx, NULL, &len));
        t = (unsigned char *)"x";
        len = 777;
        r = SSL_get0_server_cert_type(c_pre, &t, &len);
        hexlist(t, len);
        R_int("SSL_get0_server_cert_type(tls_client_fresh)", r);
        R_int("SSL_get0_server_cert_type(NULL,&t,&len)",
              SSL_get0_server_cert_type(NULL, &t, &len));
    }
    R_int("SSL_add_expected_rpk(tls_client_fresh,pkey) no dane",
          SSL_add_expected_rpk(c_pre, pkey));
    {
        SSL *d = SSL_new(cctx);

        R_int("SSL_CTX_dane_enable(client_ctx)", SSL_CTX_dane_enable(cctx));
        SSL_free(d);
        d = SSL_new(cctx);
        R_int("SSL_dane_enable(d,\"probe.test\")",
              SSL_dane_enable(d, "probe.test"));
        R_int("SSL_add_expected_rpk(dane_client,pkey)",
              SSL_add_expected_rpk(d, pkey));
        R_int("SSL_add_expected_rpk(dane_client,pkey) again",
              SSL_add_expected_rpk(d, pkey));
        FORKED("SSL_add_expected_rpk(dane_client,NULL)") {
            R_int("SSL_add_expected_rpk(dane_client,NULL)",
                  SSL_add_expected_rpk(d, NULL));
        }
        SSL_free(d);
    }
    {
        SSL_CTX *x = SSL_CTX_new(TLS_client_method());
        SSL *y = SSL_new(x);

        printf("## cert type setters (ctx)\n");
        cert_type_setters("ctx", x, NULL);
        printf("## cert type setters (ssl)\n");
        cert_type_setters("ssl", NULL, y);
        SSL_free(y);
        SSL_CTX_free(x);
    }

    /*
     * The handshakes with raw public keys and certificate compression: compared by
     * tests/c/certcomp35.c, which knows ferrossl's differences (no DANE, so a client checks a
     * raw key through its verify callback; brotli built in, zstd not).
     */
    section_tilde = 1;
    printf("## RPK handshake (server cert type rpk, client verifies via DANE)\n");
    {
        SSL_CTX *rc = SSL_CTX_new(TLS_client_method());
        SSL_CTX *rs = SSL_CTX_new(TLS_server_method());
        static const unsigned char rpk_only[] = { TLSEXT_cert_type_rpk };
        static const unsigned char rpk_x509[] = { TLSEXT_cert_type_rpk,
                                                   TLSEXT_cert_type_x509 };
        SSL *a, *b;
        int ok;

        SSL_CTX_use_certificate(rs, cert);
        SSL_CTX_use_PrivateKey(rs, pkey);
        SSL_CTX_set1_server_cert_type(rs, rpk_x509, sizeof(rpk_x509));
        SSL_CTX_dane_enable(rc);
        SSL_CTX_set_verify(rc, SSL_VERIFY_PEER, NULL);
        a = SSL_new(rc);
        b = SSL_new(rs);
        SSL_set1_server_cert_type(a, rpk_only, sizeof(rpk_only));
        SSL_dane_enable(a, "probe.test");
        R_int("SSL_add_expected_rpk(rpk_client,pkey)",
              SSL_add_expected_rpk(a, pkey));
        SSL_set_connect_state(a);
        SSL_set_accept_state(b);
        pair(a, b);
        ok = handshake(a, b);
        OUTS("verify_result=%ld", SSL_get_verify_result(a));
        R_int("handshake(rpk_client,rpk_server)", ok);
        ERR_clear_error();
        R_int("SSL_get_negotiated_server_cert_type(rpk_client)",
              SSL_get_negotiated_server_cert_type(a));
        R_int("SSL_get_negotiated_client_cert_type(rpk_client)",
              SSL_get_negotiated_client_cert_type(a));
        R_int("SSL_get_negotiated_server_cert_type(rpk_server)",
              SSL_get_negotiated_server_cert_type(b));
        {
            EVP_PKEY *pk = SSL_get0_peer_rpk(a);

            OUTS("equals_server_key=%d", pk != NULL && EVP_PKEY_eq(pk, pkey));
            R_ptr("SSL_get0_peer_rpk(rpk_client)", pk, NULL);
        }
        {
            SSL_SESSION *ss = SSL_get_session(a);

            R_ptr("SSL_SESSION_get0_peer_rpk(rpk_client session)",
                  ss ? SSL_SESSION_get0_peer_rpk(ss) : NULL, NULL);
        }
        {
            X509 *pc = SSL_get1_peer_certificate(a);

            R_ptr("SSL_get1_peer_certificate(rpk_client)", pc, NULL);
            X509_free(pc);
        }
        R_ptr("SSL_get0_peer_rpk(rpk_server)", SSL_get0_peer_rpk(b), NULL);
        SSL_free(a);
        SSL_free(b);

        /* client insists on RPK, server only offers X.509 */
        a = SSL_new(rc);
        b = SSL_new(sctx);
        SSL_set1_server_cert_type(a, rpk_only, sizeof(rpk_only));
        SSL_set_verify(a, SSL_VERIFY_NONE, NULL);
        SSL_set_connect_state(a);
        SSL_set_accept_state(b);
        pair(a, b);
        ok = handshake(a, b);
        OUTS("server_cert_type=%d", SSL_get_negotiated_server_cert_type(a));
        R_int("handshake(rpk_only_client,x509_server)", ok);
        SSL_free(a);
        SSL_free(b);
        SSL_CTX_free(rc);
        SSL_CTX_free(rs);
    }

    printf("## certificate compression (server ctx with cert)\n");
    cert_comp("server_ctx", sctx, NULL);
    printf("## certificate compression (fresh server SSL)\n");
    cert_comp("tls_server_fresh", NULL, s_pre);
    printf("## certificate compression (client / after handshake)\n");
    {
        int a[1] = { 1 };
        unsigned char *data = NULL;
        size_t orig = 777;

        tilde = 1;
        R_int("SSL_set1_cert_comp_preference(tls_client_done,{zlib})",
              SSL_set1_cert_comp_preference(c, a, 1));
        tilde = 0;
        R_int("SSL_compress_certs(tls_client_fresh,0)",
              SSL_compress_certs(c_pre, 0));
        R_int("SSL_get1_compressed_cert(tls_server_done,1)",
              (long)SSL_get1_compressed_cert(s, 1, &data, &orig));
        OPENSSL_free(data);
        data = NULL;
        R_int("SSL_get1_compressed_cert(tls_client_fresh,1)",
              (long)SSL_get1_compressed_cert(c_pre, 1, &data, &orig));
        OPENSSL_free(data);
        {
            unsigned char junk[16] = { 0 };

            R_int("SSL_set1_compressed_cert(tls_client_fresh,1,junk)",
                  SSL_set1_compressed_cert(c_pre, 1, junk, 16, 100));
        }
        {
            SSL_CTX *nc = SSL_CTX_new(TLS_server_method());

            R_int("SSL_CTX_compress_certs(server_ctx_without_cert,0)",
                  SSL_CTX_compress_certs(nc, 0));
            {
                unsigned char junk[16] = { 0 };

                tilde = 1;
                R_int("SSL_CTX_set1_compressed_cert(server_ctx_without_cert,1,junk)",
                      SSL_CTX_set1_compressed_cert(nc, 1, junk, 16, 100));
                tilde = 0;
                R_int("SSL_CTX_set1_compressed_cert(server_ctx_without_cert,2,junk)",
                      SSL_CTX_set1_compressed_cert(nc, 2, junk, 16, 100));
            }
            tilde = 1;
            R_int("SSL_CTX_get1_compressed_cert(server_ctx_without_cert,1)",
                  (long)SSL_CTX_get1_compressed_cert(nc, 1, &data, &orig));
            tilde = 0;
            OPENSSL_free(data);
            data = NULL;
            SSL_CTX_free(nc);
        }
    }

    /* ===== NULL handles (forked: may crash) ===== */
    section_tilde = 0;
    printf("## NULL handles\n");
#define NULLCALL_INT(label, expr) \
    FORKED(label) { R_int(label, (long)(expr)); }
#define NULLCALL_PTR(label, expr) \
    FORKED(label) { R_ptr(label, (expr), NULL); }
    {
        struct timeval tv = { 777, 777 };
        int inf = 777;
        BIO_POLL_DESCRIPTOR d;
        uint64_t u = 777;
        SSL_CONN_CLOSE_INFO ci;
        size_t w = 777;

        NULLCALL_INT("SSL_is_tls(NULL)", SSL_is_tls(NULL));
        NULLCALL_INT("SSL_is_quic(NULL)", SSL_is_quic(NULL));
        NULLCALL_INT("SSL_is_connection(NULL)", SSL_is_connection(NULL));
        NULLCALL_INT("SSL_is_listener(NULL)", SSL_is_listener(NULL));
        NULLCALL_INT("SSL_is_domain(NULL)", SSL_is_domain(NULL));
        NULLCALL_PTR("SSL_get0_connection(NULL)", SSL_get0_connection(NULL));
        NULLCALL_PTR("SSL_get0_listener(NULL)", SSL_get0_listener(NULL));
        NULLCALL_PTR("SSL_get0_domain(NULL)", SSL_get0_domain(NULL));
        NULLCALL_INT("SSL_handle_events(NULL)", SSL_handle_events(NULL));
        FORKED("SSL_get_event_timeout(NULL,&tv,&inf)") {
            int r = SSL_get_event_timeout(NULL, &tv, &inf);

            OUTS("tv=%ld.%06ld is_infinite=%d", (long)tv.tv_sec,
                 (long)tv.tv_usec, inf);
            R_int("SSL_get_event_timeout(NULL,&tv,&inf)", r);
        }
        NULLCALL_INT("SSL_get_rpoll_descriptor(NULL,&d)",
                     SSL_get_rpoll_descriptor(NULL, &d));
        NULLCALL_INT("SSL_get_wpoll_descriptor(NULL,&d)",
                     SSL_get_wpoll_descriptor(NULL, &d));
        NULLCALL_INT("SSL_net_read_desired(NULL)", SSL_net_read_desired(NULL));
        NULLCALL_INT("SSL_net_write_desired(NULL)",
                     SSL_net_write_desired(NULL));
        NULLCALL_INT("SSL_get_blocking_mode(NULL)",
                     SSL_get_blocking_mode(NULL));
        NULLCALL_INT("SSL_set_blocking_mode(NULL,1)",
                     SSL_set_blocking_mode(NULL, 1));
        NULLCALL_INT("SSL_set1_initial_peer_addr(NULL,NULL)",
                     SSL_set1_initial_peer_addr(NULL, NULL));
        NULLCALL_INT("SSL_inject_net_dgram(NULL,...)",
                     SSL_inject_net_dgram(NULL, (const unsigned char *)"x", 1,
                                          NULL, NULL));
        NULLCALL_INT("SSL_shutdown_ex(NULL,0,NULL,0)",
                     SSL_shutdown_ex(NULL, 0, NULL, 0));
        NULLCALL_INT("SSL_stream_conclude(NULL,0)",
                     SSL_stream_conclude(NULL, 0));
        NULLCALL_PTR("SSL_new_stream(NULL,0)", SSL_new_stream(NULL, 0));
        NULLCALL_PTR("SSL_accept_stream(NULL,0)", SSL_accept_stream(NULL, 0));
        NULLCALL_INT("SSL_get_accept_stream_queue_len(NULL)",
                     SSL_get_accept_stream_queue_len(NULL));
        NULLCALL_INT("SSL_get_stream_type(NULL)", SSL_get_stream_type(NULL));
        FORKED("SSL_get_stream_id(NULL)") {
            R_u64("SSL_get_stream_id(NULL)", SSL_get_stream_id(NULL));
        }
        NULLCALL_INT("SSL_is_stream_local(NULL)", SSL_is_stream_local(NULL));
        NULLCALL_INT("SSL_set_default_stream_mode(NULL,0)",
                     SSL_set_default_stream_mode(NULL, 0));
        NULLCALL_INT("SSL_set_incoming_stream_policy(NULL,0,0)",
                     SSL_set_incoming_stream_policy(NULL, 0, 0));
        NULLCALL_INT("SSL_stream_reset(NULL,NULL,0)",
                     SSL_stream_reset(NULL, NULL, 0));
        NULLCALL_INT("SSL_get_stream_read_state(NULL)",
                     SSL_get_stream_read_state(NULL));
        NULLCALL_INT("SSL_get_stream_write_state(NULL)",
                     SSL_get_stream_write_state(NULL));
        NULLCALL_INT("SSL_get_stream_read_error_code(NULL,&u)",
                     SSL_get_stream_read_error_code(NULL, &u));
        NULLCALL_INT("SSL_get_stream_write_error_code(NULL,&u)",
                     SSL_get_stream_write_error_code(NULL, &u));
        NULLCALL_INT("SSL_get_conn_close_info(NULL,&ci,sizeof)",
                     SSL_get_conn_close_info(NULL, &ci, sizeof(ci)));
        NULLCALL_INT("SSL_get_value_uint(NULL,0,1,&u)",
                     SSL_get_value_uint(NULL, 0, 1, &u));
        NULLCALL_INT("SSL_set_value_uint(NULL,0,1,1)",
                     SSL_set_value_uint(NULL, 0, 1, 1));
        NULLCALL_PTR("SSL_new_listener(NULL,0)", SSL_new_listener(NULL, 0));
        NULLCALL_PTR("SSL_new_listener_from(NULL,0)",
                     SSL_new_listener_from(NULL, 0));
        NULLCALL_PTR("SSL_new_from_listener(NULL,0)",
                     SSL_new_from_listener(NULL, 0));
        NULLCALL_PTR("SSL_accept_connection(NULL,0)",
                     SSL_accept_connection(NULL, 0));
        NULLCALL_INT("SSL_get_accept_connection_queue_len(NULL)",
                     SSL_get_accept_connection_queue_len(NULL));
        NULLCALL_INT("SSL_listen(NULL)", SSL_listen(NULL));
        NULLCALL_PTR("SSL_new_domain(NULL,0)", SSL_new_domain(NULL, 0));
        NULLCALL_INT("SSL_CTX_set_domain_flags(NULL,0)",
                     SSL_CTX_set_domain_flags(NULL, 0));
        NULLCALL_INT("SSL_CTX_get_domain_flags(NULL,&u)",
                     SSL_CTX_get_domain_flags(NULL, &u));
        NULLCALL_INT("SSL_get_domain_flags(NULL,&u)",
                     SSL_get_domain_flags(NULL, &u));
        FORKED("SSL_CTX_set_new_pending_conn_cb(NULL,cb,NULL)") {
            SSL_CTX_set_new_pending_conn_cb(NULL, pending_cb, NULL);
            report("SSL_CTX_set_new_pending_conn_cb(NULL,cb,NULL)", "void");
        }
        NULLCALL_INT("SSL_set_quic_tls_cbs(NULL,dispatch,NULL)",
                     SSL_set_quic_tls_cbs(NULL, qtdis, NULL));
        NULLCALL_INT("SSL_set_quic_tls_transport_params(NULL,NULL,0)",
                     SSL_set_quic_tls_transport_params(NULL, NULL, 0));
        NULLCALL_INT("SSL_set_quic_tls_early_data_enabled(NULL,1)",
                     SSL_set_quic_tls_early_data_enabled(NULL, 1));
        NULLCALL_INT("SSL_write_ex2(NULL,\"x\",1,0,&w)",
                     SSL_write_ex2(NULL, "x", 1, 0, &w));
        NULLCALL_INT("SSL_get_handshake_rtt(NULL,&u)",
                     SSL_get_handshake_rtt(NULL, &u));
        NULLCALL_PTR("SSL_get0_group_name(NULL)", SSL_get0_group_name(NULL));
        NULLCALL_INT("SSL_CTX_set_block_padding_ex(NULL,0,0)",
                     SSL_CTX_set_block_padding_ex(NULL, 0, 0));
        NULLCALL_INT("SSL_set_block_padding_ex(NULL,0,0)",
                     SSL_set_block_padding_ex(NULL, 0, 0));
        FORKED("SSL_CTX_flush_sessions_ex(NULL,0)") {
            SSL_CTX_flush_sessions_ex(NULL, 0);
            report("SSL_CTX_flush_sessions_ex(NULL,0)", "void");
        }
        NULLCALL_INT("SSL_client_hello_get_extension_order(NULL,NULL,&w)",
                     SSL_client_hello_get_extension_order(NULL, NULL, &w));
        NULLCALL_INT("SSL_CTX_compress_certs(NULL,0)",
                     SSL_CTX_compress_certs(NULL, 0));
        NULLCALL_INT("SSL_compress_certs(NULL,0)", SSL_compress_certs(NULL, 0));
        NULLCALL_INT("SSL_set1_cert_comp_preference(NULL,NULL,0)",
                     SSL_set1_cert_comp_preference(NULL, NULL, 0));
        NULLCALL_INT("SSL_CTX_set1_cert_comp_preference(NULL,NULL,0)",
                     SSL_CTX_set1_cert_comp_preference(NULL, NULL, 0));
        NULLCALL_INT("SSL_set1_client_cert_type(NULL,NULL,0)",
                     SSL_set1_client_cert_type(NULL, NULL, 0));
        NULLCALL_INT("SSL_CTX_set1_client_cert_type(NULL,NULL,0)",
                     SSL_CTX_set1_client_cert_type(NULL, NULL, 0));
        NULLCALL_INT("SSL_add_expected_rpk(NULL,pkey)",
                     SSL_add_expected_rpk(NULL, pkey));
        FORKED("SSL_poll(items,1,...) with NULL timeout and ssl=NULL") {
            SSL_POLL_ITEM it;
            size_t cnt = 777;
            int r;

            memset(&it, 0, sizeof(it));
            it.desc.type = BIO_POLL_DESCRIPTOR_TYPE_SSL;
            it.events = SSL_POLL_EVENT_R;
            alarm(3);
            r = SSL_poll(&it, 1, sizeof(it), NULL, 0, &cnt);
            OUTS("result_count=%zu", cnt);
            R_int("SSL_poll({ssl=NULL},1,timeout=NULL)", r);
        }
        (void)w;
    }

    /* ===== state-changing calls last: SSL_write_ex2, SSL_shutdown_ex ===== */
    printf("## SSL_write_ex2 / SSL_shutdown_ex\n");
    {
        size_t w = 777;
        char buf[16];
        size_t rd = 0;
        int r;
        SSL_SHUTDOWN_EX_ARGS sa;

        r = SSL_write_ex2(c, "hello", 5, 0, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done,\"hello\",5,0,&w)", r);
        r = SSL_read_ex(s, buf, sizeof(buf), &rd);
        OUTS("read=%zu", rd);
        R_int("SSL_read_ex(tls_server_done) after write_ex2", r);
        w = 777;
        r = SSL_write_ex2(c, "hello", 5, SSL_WRITE_FLAG_CONCLUDE, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done,\"hello\",5,CONCLUDE,&w)", r);
        w = 777;
        r = SSL_write_ex2(c, "hello", 5, 1ULL << 40, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done,\"hello\",5,1<<40,&w)", r);
        w = 777;
        r = SSL_write_ex2(c, "", 0, 0, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done,\"\",0,0,&w)", r);
        w = 777;
        r = SSL_write_ex2(c_pre, "hello", 5, 0, &w);
        OUTS("written=%zu want=%d", w, SSL_get_error(c_pre, r));
        R_int("SSL_write_ex2(tls_client_fresh no BIO,\"hello\",5,0,&w)", r);
        {
            SSL *u = SSL_new(cctx);

            w = 777;
            r = SSL_write_ex2(u, "hello", 5, 0, &w);
            OUTS("written=%zu", w);
            R_int("SSL_write_ex2(ssl_without_connect_state,\"hello\",5,0,&w)",
                  r);
            R_int("SSL_shutdown_ex(ssl_without_connect_state,0,NULL,0)",
                  SSL_shutdown_ex(u, 0, NULL, 0));
            SSL_free(u);
        }
        memset(&sa, 0, sizeof(sa));
        sa.quic_error_code = 42;
        sa.quic_reason = "bye";
        R_int("SSL_shutdown_ex(tls_client_done,0,&args,sizeof)",
              SSL_shutdown_ex(c, 0, &sa, sizeof(sa)));
        r = SSL_read_ex(s, buf, sizeof(buf), &rd);
        OUTS("ssl_error=%d", SSL_get_error(s, r));
        R_int("SSL_read_ex(tls_server_done) after client shutdown", r);
        R_int("SSL_shutdown_ex(tls_server_done,SSL_SHUTDOWN_FLAG_RAPID,NULL,0)",
              SSL_shutdown_ex(s, SSL_SHUTDOWN_FLAG_RAPID, NULL, 0));
        R_int("SSL_shutdown_ex(tls_client_done,SSL_SHUTDOWN_FLAG_NO_BLOCK,NULL,0)",
              SSL_shutdown_ex(c, SSL_SHUTDOWN_FLAG_NO_BLOCK, NULL, 0));
        w = 777;
        r = SSL_write_ex2(c, "hello", 5, 0, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done after shutdown,\"hello\",5,0,&w)",
              r);
        w = 777;
        r = SSL_write_ex2(c, "hello", 5, SSL_WRITE_FLAG_CONCLUDE, &w);
        OUTS("written=%zu", w);
        R_int("SSL_write_ex2(tls_client_done after shutdown,..,CONCLUDE,&w)",
              r);
        R_int("SSL_shutdown_ex(tls_client_fresh,0,NULL,0)",
              SSL_shutdown_ex(c_pre, 0, NULL, 0));
    }

    SSL_SESSION_free(sess);
    SSL_free(c);
    SSL_free(s);
    SSL_free(c_pre);
    SSL_free(s_pre);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    printf("done\n");
    return 0;
}
