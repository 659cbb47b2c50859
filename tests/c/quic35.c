/*
 * quic35.c - what libssl answers to OpenSSL 3.2..3.5's QUIC-era API (streams,
 * listeners, domains, SSL_poll, poll descriptors, event timeouts, SSL_VALUE_*,
 * the QUIC TLS callbacks, blocking mode, object kinds) when called on ordinary
 * TLS objects: fresh client and server SSLs, one on a socket, both ends after an
 * in-memory handshake, a TLS SSL_CTX; and every 3.2..3.5 function on NULL
 * handles. A differential program: tests/trixie/quic35.rs runs it inside the
 * Debian 13 root on OpenSSL 3.5.9 and on ferrossl and compares the lines not
 * starting with '~'. (The TLS additions on real handshakes are compared by
 * tls35.c, compression and raw public keys by certcomp35.c.)
 *
 * One line per call:
 *   name(args): ret=... outs=... err=<first queued error, hex>[ <string>] n=<count>
 * The error queue is emptied after every line. Pointers print as NULL, self
 * (the object passed in) or nonnull.
 *
 * Lines starting with '~' are not part of the contract: free-text error data,
 * the peer's ClientHello extension order, the QUIC features ferrossl refuses by
 * design (the QUIC methods, the QUIC TLS callback API after it was accepted),
 * and calls on which OpenSSL 3.5 crashes (a NULL SSL_CTX, a handshake-less
 * SSL_get0_group_name), which run in a forked child and are '~' on every
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
    printf("%s%s: ret=%s outs=%s err=%lx%s%s", tilde ? "~" : "", call, ret,
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

int main(void)
{
    SSL_CTX *cctx, *sctx, *qctx;
    SSL *c_pre, *s_pre, *c, *s, *c_fd;
    int sv[2];

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

    /* ===== NULL handles (forked: may crash) ===== */
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
