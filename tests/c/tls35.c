/*
 * tls35: OpenSSL 3.2-3.5's newer functions on TLS objects (SSL_get0_group_name, SSL_shutdown_ex,
 * SSL_write_ex2, SSL_get/set_value_uint, SSL_SESSION_get/set_time_ex, SSL_CTX_flush_sessions_ex,
 * SSL_(CTX_)set_block_padding_ex, SSL_get1_builtin_sigalgs, SSL_is_tls/quic/connection,
 * SSL_get_handshake_rtt, d2i_SSL_SESSION_ex, SSL_client_hello_get_extension_order,
 * SSL_get/set_blocking_mode), before and after real in-memory handshakes (TLS 1.3 and 1.2, both
 * sides). Built against OpenSSL 3.5's headers by tests/tls35.rs and run on Debian 13's libssl
 * and on ferrossl's: both runs must print the same lines, apart from those starting with '~'
 * (values that vary between runs or differ on purpose, each explained where it is printed).
 *
 * usage: tls35 CHAIN KEY CAFILE
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

static const char *g_chain, *g_key, *g_ca;

/* The error queue: "empty" or the first error's library and reason, and how many there were. */
static void queue(const char *what) {
    unsigned long e = ERR_peek_error();
    int n = 0;
    while (ERR_get_error() != 0)
        n++;
    if (e)
        printf("  %s: queue lib %d reason %d (%d queued)\n", what, ERR_GET_LIB(e), ERR_GET_REASON(e), n);
    else
        printf("  %s: queue empty\n", what);
}

static const char *str(const char *s) { return s ? s : "NULL"; }

static SSL_CTX *server_ctx(int version) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, g_chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, g_key, SSL_FILETYPE_PEM) != 1) {
        printf("FAILED: loading the server's certificate\n");
        exit(3);
    }
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    return ctx;
}

static SSL_CTX *client_ctx(int version) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, g_ca, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    return ctx;
}

static void connect_bios(SSL *c, SSL *s) {
    BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
    BIO_up_ref(c2s);
    BIO_up_ref(s2c);
    SSL_set_bio(c, s2c, c2s);
    SSL_set_bio(s, c2s, s2c);
}

static int finish(SSL *c, SSL *s) {
    int rc = 0, rs = 0;
    for (int i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(c);
        if (rs != 1)
            rs = SSL_do_handshake(s);
    }
    return rc == 1 && rs == 1;
}

/* SSL_get_handshake_rtt: its answer, and whether the time is positive (the time itself varies). */
static void rtt(const char *who, SSL *s) {
    uint64_t t = 0;
    int r = SSL_get_handshake_rtt(s, &t);
    printf("  %s: SSL_get_handshake_rtt %d%s\n", who, r, r == 1 ? (t > 0 ? ", rtt > 0" : ", rtt 0") : "");
    printf("~ %s: rtt %llu us\n", who, (unsigned long long)t);
}

/* ---- the QUIC-only settings and object kinds, on TLS objects and NULL ---------------------- */

static void kinds(const char *who, SSL *s, int all_values) {
    printf("  %s: is_tls %d is_quic %d is_connection %d is_dtls %d\n", who, SSL_is_tls(s), SSL_is_quic(s),
           SSL_is_connection(s), SSL_is_dtls(s));
    queue(who);
    printf("  %s: get_blocking_mode %d set_blocking_mode(1) %d set_blocking_mode(0) %d\n", who,
           SSL_get_blocking_mode(s), SSL_set_blocking_mode(s, 1), SSL_set_blocking_mode(s, 0));
    queue(who);
    static const uint32_t ids[] = {SSL_VALUE_NONE,
                                   SSL_VALUE_QUIC_STREAM_BIDI_LOCAL_AVAIL,
                                   SSL_VALUE_QUIC_STREAM_BIDI_REMOTE_AVAIL,
                                   SSL_VALUE_QUIC_STREAM_UNI_LOCAL_AVAIL,
                                   SSL_VALUE_QUIC_STREAM_UNI_REMOTE_AVAIL,
                                   SSL_VALUE_QUIC_IDLE_TIMEOUT,
                                   SSL_VALUE_EVENT_HANDLING_MODE,
                                   SSL_VALUE_STREAM_WRITE_BUF_SIZE,
                                   SSL_VALUE_STREAM_WRITE_BUF_USED,
                                   SSL_VALUE_STREAM_WRITE_BUF_AVAIL,
                                   SSL_VALUE_QUIC_MAX_PENDING_CONNS,
                                   17,
                                   1000};
    for (uint32_t cls = 0; cls <= (all_values ? 4 : 0); cls++) {
        for (size_t i = 0; i < (all_values ? sizeof(ids) / sizeof(ids[0]) : 3); i++) {
            uint64_t v = 42;
            int g = SSL_get_value_uint(s, cls, ids[i], &v);
            unsigned long eg = ERR_get_error(), eg2 = ERR_get_error();
            int st = SSL_set_value_uint(s, cls, ids[i], 1);
            unsigned long es = ERR_get_error(), es2 = ERR_get_error();
            printf("  %s: class %u id %u: get %d (value %llu, reason %d, more %d) set %d (reason %d, more %d)\n",
                   who, cls, ids[i], g, (unsigned long long)v, ERR_GET_REASON(eg), eg2 != 0, st,
                   ERR_GET_REASON(es), es2 != 0);
        }
    }
    uint64_t v = 7;
    printf("  %s: SSL_get_event_handling_mode %d SSL_get_stream_write_buf_avail %d (value %llu)\n", who,
           SSL_get_event_handling_mode(s, &v), SSL_get_stream_write_buf_avail(s, &v), (unsigned long long)v);
    queue(who);
}

static void null_answers(void) {
    printf("NULL arguments:\n");
    printf("  is_quic %d is_connection %d\n", SSL_is_quic(NULL), SSL_is_connection(NULL));
    queue("is_*");
    printf("  get_blocking_mode %d set_blocking_mode %d\n", SSL_get_blocking_mode(NULL),
           SSL_set_blocking_mode(NULL, 1));
    queue("blocking_mode");
    uint64_t v = 5;
    printf("  get_value_uint %d (value %llu)\n", SSL_get_value_uint(NULL, 0, 1, &v), (unsigned long long)v);
    queue("get_value_uint");
    printf("  set_value_uint %d\n", SSL_set_value_uint(NULL, 0, 6, 1));
    queue("set_value_uint");
    printf("  get0_group_name %s\n", str(SSL_get0_group_name(NULL)));
    queue("get0_group_name");
    printf("  shutdown_ex %d\n", SSL_shutdown_ex(NULL, 0, NULL, 0));
    queue("shutdown_ex");
    size_t w = 9;
    printf("  write_ex2 %d (written %zu)\n", SSL_write_ex2(NULL, "x", 1, SSL_WRITE_FLAG_CONCLUDE, &w), w);
    queue("write_ex2");
    printf("  get_handshake_rtt %d\n", SSL_get_handshake_rtt(NULL, &v));
    queue("get_handshake_rtt");
    size_t n = 3;
    printf("  client_hello_get_extension_order %d (n %zu)\n", SSL_client_hello_get_extension_order(NULL, NULL, &n), n);
    queue("client_hello_get_extension_order");
    printf("  set_block_padding_ex %d\n", SSL_set_block_padding_ex(NULL, 0, 0));
    queue("set_block_padding_ex");
    printf("  SESSION_get_time_ex %lld SESSION_set_time_ex %lld\n", (long long)SSL_SESSION_get_time_ex(NULL),
           (long long)SSL_SESSION_set_time_ex(NULL, 1234));
    queue("SESSION_*_time_ex");
}

/* ---- record padding -------------------------------------------------------------------------- */

static void padding(void) {
    static const size_t sizes[][2] = {{0, 0}, {1, 1}, {0, 1}, {1, 0}, {16385, 0}, {0, 16385}, {1, 16385},
                                      {16385, 16385}, {(size_t)-1, 0}, {16384, 16385}, {512, 16385}};
    /* Sizes OpenSSL pads with; rustls pads no records, so ferrossl refuses them (0 and an error). */
    static const size_t padded[][2] = {{512, 0}, {0, 512}, {16, 16}, {16384, 16384}, {2, 1}};
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = SSL_new(ctx);
    printf("block padding:\n");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int a = SSL_CTX_set_block_padding_ex(ctx, sizes[i][0], sizes[i][1]);
        unsigned long ea = ERR_get_error();
        int b = SSL_set_block_padding_ex(s, sizes[i][0], sizes[i][1]);
        unsigned long eb = ERR_get_error();
        printf("  (%zu, %zu): ctx %d (reason %d) ssl %d (reason %d)\n", sizes[i][0], sizes[i][1], a, ERR_GET_REASON(ea),
               b, ERR_GET_REASON(eb));
        ERR_clear_error();
    }
    for (size_t i = 0; i < sizeof(padded) / sizeof(padded[0]); i++) {
        int a = SSL_CTX_set_block_padding_ex(ctx, padded[i][0], padded[i][1]);
        int b = SSL_set_block_padding_ex(s, padded[i][0], padded[i][1]);
        printf("~ padding (%zu, %zu): ctx %d ssl %d (ferrossl refuses: rustls pads no records)\n", padded[i][0],
               padded[i][1], a, b);
        ERR_clear_error();
    }
    SSL_free(s);
    SSL_CTX_free(ctx);
}

/* ---- SSL_get1_builtin_sigalgs ------------------------------------------------------------- */

/* What OpenSSL 3.5 answers for the default library context (Debian 13's providers). */
static const char *const OPENSSL_35_SIGALGS =
    "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:ed25519:ed448:ecdsa_sha224:"
    "ecdsa_sha1:ecdsa_brainpoolP256r1tls13_sha256:ecdsa_brainpoolP384r1tls13_sha384:"
    "ecdsa_brainpoolP512r1tls13_sha512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:"
    "rsa_pkcs1_sha512:rsa_pkcs1_sha224:rsa_pkcs1_sha1:dsa_sha256:dsa_sha384:dsa_sha512:dsa_sha224:dsa_sha1";

/* Whether every name of `list` is in OpenSSL 3.5's list, in the same relative order. */
static int in_order_subset(const char *list) {
    const char *pos = OPENSSL_35_SIGALGS;
    char *copy = strdup(list), *save = NULL;
    int ok = 1;
    for (char *name = strtok_r(copy, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
        size_t len = strlen(name);
        const char *found = NULL;
        for (const char *p = pos; (p = strstr(p, name)) != NULL; p++) {
            if ((p == OPENSSL_35_SIGALGS || p[-1] == ':') && (p[len] == ':' || p[len] == '\0')) {
                found = p;
                break;
            }
        }
        if (!found) {
            ok = 0;
            break;
        }
        pos = found + len;
    }
    free(copy);
    return ok;
}

static void builtin_sigalgs(void) {
    char *list = SSL_get1_builtin_sigalgs(NULL);
    printf("builtin sigalgs:\n");
    if (!list) {
        printf("  NULL\n");
        return;
    }
    /* ferrossl lists what rustls negotiates (a subset of OpenSSL's table, by its names and in its
     * order), not every algorithm of OpenSSL's table: the full string differs on purpose. */
    printf("~ %s\n", list);
    printf("  OpenSSL 3.5's names, in its order: %d; the common schemes: %d %d %d %d; empty names: %d\n",
           in_order_subset(list), strstr(list, "ecdsa_secp256r1_sha256") != NULL,
           strstr(list, "rsa_pss_rsae_sha256") != NULL, strstr(list, "rsa_pkcs1_sha256") != NULL,
           strstr(list, "ed25519") != NULL, strstr(list, "::") != NULL || list[0] == ':');
    OPENSSL_free(list);
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    list = SSL_get1_builtin_sigalgs(libctx);
    printf("  a new library context: %s\n", list && in_order_subset(list) && strlen(list) > 0 ? "a list" : "none");
    OPENSSL_free(list);
    OSSL_LIB_CTX_free(libctx);
    queue("builtin sigalgs");
}

/* ---- sessions ------------------------------------------------------------------------------- */

static void session_times(void) {
    SSL_SESSION *s = SSL_SESSION_new();
    printf("session times:\n");
    long long set = (long long)SSL_SESSION_set_time_ex(s, 1700000000);
    printf("  set_time_ex(1700000000) %lld, get_time_ex %lld, get_time %ld\n", set,
           (long long)SSL_SESSION_get_time_ex(s), (long)SSL_SESSION_get_time(s));
    /* Past 2038 (a 64-bit time_t). */
    set = (long long)SSL_SESSION_set_time_ex(s, 4102444800LL);
    printf("  set_time_ex(4102444800) %lld, get_time_ex %lld\n", set, (long long)SSL_SESSION_get_time_ex(s));
    SSL_SESSION_free(s);
    queue("session times");
}

static int removed;
static void on_remove(SSL_CTX *ctx, SSL_SESSION *s) {
    (void)ctx;
    (void)s;
    removed++;
}

/* SSL_CTX_flush_sessions_ex on a TLS 1.2 server's session-ID cache; d2i_SSL_SESSION_ex. */
static void cache_flush(void) {
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_timeout(sctx, 100);
    SSL_CTX_sess_set_remove_cb(sctx, on_remove);
    SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"tls35", 5);
    time_t before = time(NULL);
    SSL_SESSION *kept = NULL;
    for (int i = 0; i < 2; i++) {
        SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        connect_bios(c, s);
        if (!finish(c, s)) {
            printf("FAILED: TLS 1.2 handshake %d\n", i);
            exit(3);
        }
        if (i == 0)
            kept = SSL_get1_session(c);
        SSL_shutdown(c);
        SSL_shutdown(s);
        SSL_free(c);
        SSL_free(s);
    }
    time_t after = time(NULL);
    printf("cache flush:\n");
    printf("  cached %ld\n", SSL_CTX_sess_number(sctx));
    SSL_CTX_flush_sessions_ex(sctx, before);
    printf("  flush_ex(now): cached %ld, removed %d\n", SSL_CTX_sess_number(sctx), removed);
    SSL_CTX_flush_sessions_ex(sctx, after + 1000);
    printf("  flush_ex(now + 1000 s, past the 100 s timeout): cached %ld, removed %d\n", SSL_CTX_sess_number(sctx),
           removed);
    queue("flush_ex");

    time_t t = SSL_SESSION_get_time_ex(kept);
    printf("  client session time_ex within the handshake: %d, equals get_time: %d\n", t >= before && t <= after + 1,
           t == (time_t)SSL_SESSION_get_time(kept));
    unsigned char *der = NULL;
    int len = i2d_SSL_SESSION(kept, &der);
    const unsigned char *p = der;
    SSL_SESSION *back = d2i_SSL_SESSION_ex(NULL, &p, len, NULL, "provider=default");
    unsigned int id1 = 0, id2 = 0;
    const unsigned char *sid1 = SSL_SESSION_get_id(kept, &id1), *sid2 = back ? SSL_SESSION_get_id(back, &id2) : NULL;
    printf("  d2i_SSL_SESSION_ex: %s, consumed all %d, same id %d, version %x, cipher %s, same time %d\n",
           back ? "a session" : "NULL", p == der + len, back && id1 == id2 && memcmp(sid1, sid2, id1) == 0,
           back ? SSL_SESSION_get_protocol_version(back) : 0,
           back ? SSL_CIPHER_get_name(SSL_SESSION_get0_cipher(back)) : "-",
           back && SSL_SESSION_get_time_ex(back) == SSL_SESSION_get_time_ex(kept));
    queue("d2i_SSL_SESSION_ex");
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    SSL_SESSION *into = NULL;
    p = der;
    SSL_SESSION *again = d2i_SSL_SESSION_ex(&into, &p, len, libctx, NULL);
    printf("  with a library context, into *a: %s, *a set %d\n", again ? "a session" : "NULL", into == again);
    SSL_SESSION_free(again);
    OSSL_LIB_CTX_free(libctx);
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x07};
    p = junk;
    SSL_SESSION *bad = d2i_SSL_SESSION_ex(NULL, &p, sizeof(junk), NULL, NULL);
    int failed = ERR_peek_error() != 0;
    printf("  d2i_SSL_SESSION_ex on junk: %s, an error queued %d\n", bad ? "a session" : "NULL", failed);
    /* OpenSSL's ASN.1 decoder queues ASN1 errors there; ferrossl one SSL_R_BAD_DATA (as its 3.0
     * d2i_SSL_SESSION). */
    printf("~ junk error lib %d reason %d\n", ERR_GET_LIB(ERR_peek_error()), ERR_GET_REASON(ERR_peek_error()));
    ERR_clear_error();
    SSL_SESSION_free(bad);
    OPENSSL_free(der);
    SSL_SESSION_free(back);
    SSL_SESSION_free(kept);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- SSL_client_hello_get_extension_order --------------------------------------------------- */

static int order_calls;
static int canned;

static int hello_cb(SSL *s, int *al, void *arg) {
    (void)arg;
    order_calls++;
    size_t n = 0;
    int r = SSL_client_hello_get_extension_order(s, NULL, &n);
    uint16_t *exts = calloc(n + 1, sizeof(*exts));
    size_t small = n > 0 ? n - 1 : 0;
    int rs = n > 0 ? SSL_client_hello_get_extension_order(s, exts, &small) : -2;
    int rn = SSL_client_hello_get_extension_order(s, exts, NULL);
    size_t room = n + 1;
    int rf = SSL_client_hello_get_extension_order(s, exts, &room);
    int *present = NULL;
    size_t npresent = 0;
    SSL_client_hello_get1_extensions_present(s, &present, &npresent);
    if (canned) {
        printf("  callback: count %d (%zu), too little room %d (%zu), num_exts NULL %d, all %d (%zu):", r, n, rs,
               small, rn, rf, room);
        for (size_t i = 0; i < room; i++)
            printf(" %u", exts[i]);
        printf("\n");
        /* The 3.0 functions keep only the extensions OpenSSL knows, too. */
        printf("  callback: get1_extensions_present %zu:", npresent);
        for (size_t i = 0; i < npresent; i++)
            printf(" %d", present[i]);
        const unsigned char *body = NULL;
        size_t blen = 0;
        int alpn = SSL_client_hello_get0_ext(s, 16, &body, &blen);
        printf("; get0_ext: alpn %d (%zu bytes), 0x1234 %d, 0x1a1a %d\n", alpn, blen,
               SSL_client_hello_get0_ext(s, 0x1234, &body, &blen), SSL_client_hello_get0_ext(s, 0x1a1a, &body, &blen));
        int *none = (int *)1;
        printf("  callback: get1_extensions_present with outlen NULL %d\n",
               SSL_client_hello_get1_extensions_present(s, &none, NULL));
    } else {
        /* A client on each library sends its own ClientHello: the list varies. */
        printf("~ callback: order");
        for (size_t i = 0; i < room; i++)
            printf(" %u", exts[i]);
        printf("\n");
        int same = rf == 1 && room == npresent;
        for (size_t i = 0; same && i < room; i++)
            same = exts[i] == (uint16_t)present[i];
        printf("  callback: count %d, too little room %d, all %d, the same as get1_extensions_present %d\n",
               r == 1 && n == room, rs, rf, same);
    }
    OPENSSL_free(present);
    free(exts);
    queue("callback");
    *al = SSL_AD_HANDSHAKE_FAILURE;
    return canned ? SSL_CLIENT_HELLO_ERROR : SSL_CLIENT_HELLO_SUCCESS;
}

struct buf {
    unsigned char b[1024];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n) {
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (unsigned char)v; }
static void put16(struct buf *b, unsigned v) {
    put8(b, v >> 8);
    put8(b, v & 0xff);
}
static void ext(struct buf *b, unsigned type, const void *body, size_t n) {
    put16(b, type);
    put16(b, (unsigned)n);
    put(b, body, n);
}

/* A TLS 1.3 ClientHello with extensions OpenSSL knows and two it does not (a GREASE value and
 * 0x1234), in an unusual order. */
static size_t canned_hello(unsigned char *out) {
    struct buf e = {.n = 0}, h = {.n = 0}, r = {.n = 0};
    static const unsigned char sni[] = {0, 14, 0, 0, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'};
    static const unsigned char groups[] = {0, 4, 0, 0x1d, 0, 0x17}, formats[] = {1, 0};
    static const unsigned char alpn[] = {0, 3, 2, 'h', '2'}, status[] = {1, 0, 0, 0, 0};
    static const unsigned char sigalgs[] = {0, 6, 4, 3, 8, 4, 4, 1}, versions[] = {4, 3, 4, 3, 3};
    static const unsigned char modes[] = {1, 1}, odd[] = {1, 2}, pad[4] = {0};
    unsigned char share[38] = {0, 36, 0, 0x1d, 0, 32, 9};
    ext(&e, 0x1234, odd, sizeof(odd));
    ext(&e, 43, versions, sizeof(versions));
    ext(&e, 0, sni, sizeof(sni));
    ext(&e, 0x1a1a, NULL, 0);
    ext(&e, 16, alpn, sizeof(alpn));
    ext(&e, 10, groups, sizeof(groups));
    ext(&e, 51, share, sizeof(share));
    ext(&e, 23, NULL, 0);
    ext(&e, 11, formats, sizeof(formats));
    ext(&e, 5, status, sizeof(status));
    ext(&e, 13, sigalgs, sizeof(sigalgs));
    ext(&e, 35, NULL, 0);
    ext(&e, 45, modes, sizeof(modes));
    ext(&e, 22, NULL, 0);
    ext(&e, 21, pad, sizeof(pad));
    put16(&h, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&h, i);
    put8(&h, 32);
    for (int i = 0; i < 32; i++)
        put8(&h, 0x80 + i);
    static const unsigned char suites[] = {0, 6, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f};
    put(&h, suites, sizeof(suites));
    put8(&h, 1);
    put8(&h, 0);
    put16(&h, (unsigned)e.n);
    put(&h, e.b, e.n);
    put8(&r, 22);
    put16(&r, 0x0301);
    put16(&r, (unsigned)h.n + 4);
    put8(&r, 1);
    put8(&r, 0);
    put16(&r, (unsigned)h.n);
    put(&r, h.b, h.n);
    memcpy(out, r.b, r.n);
    return r.n;
}

static void extension_order(void) {
    printf("extension order, a built ClientHello:\n");
    SSL_CTX *sctx = server_ctx(TLS1_3_VERSION);
    SSL_CTX_set_client_hello_cb(sctx, hello_cb, NULL);
    SSL *s = SSL_new(sctx);
    SSL_set_accept_state(s);
    size_t n = 4;
    printf("  before: %d (n %zu)\n", SSL_client_hello_get_extension_order(s, NULL, &n), n);
    BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
    unsigned char hello[1024];
    BIO_write(in, hello, (int)canned_hello(hello));
    SSL_set_bio(s, in, out);
    canned = 1;
    int r = SSL_do_handshake(s);
    printf("  handshake %d, callback calls %d\n", r, order_calls);
    /* The callback failed the handshake: the reasons OpenSSL and rustls give differ. */
    printf("~ canned handshake error lib %d reason %d\n", ERR_GET_LIB(ERR_peek_error()),
           ERR_GET_REASON(ERR_peek_error()));
    ERR_clear_error();
    SSL_free(s);
    SSL_CTX_free(sctx);
    canned = 0;
    order_calls = 0;
}

/* ---- handshakes ----------------------------------------------------------------------------- */

static void session_check(const char *who, SSL *s, time_t before, time_t after) {
    SSL_SESSION *sess = SSL_get_session(s);
    time_t t = SSL_SESSION_get_time_ex(sess);
    /* OpenSSL keeps nanoseconds and rounds them to the nearest second: up to 1 s later. */
    printf("  %s: session time_ex within the handshake %d\n", who, t >= before && t <= after + 1);
}

static void handshake(int version, const char *groups) {
    printf("handshake %s, groups %s:\n", version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2", str(groups));
    SSL_CTX *sctx = server_ctx(version), *cctx = client_ctx(version);
    if (groups && (SSL_CTX_set1_groups_list(sctx, groups) != 1 || SSL_CTX_set1_groups_list(cctx, groups) != 1)) {
        printf("FAILED: groups %s\n", groups);
        exit(3);
    }
    SSL_CTX_set_client_hello_cb(sctx, hello_cb, NULL);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    size_t w = 0;
    printf("  no role: write_ex2(CONCLUDE) %d\n", SSL_write_ex2(c, "x", 1, SSL_WRITE_FLAG_CONCLUDE, &w));
    queue("write_ex2");
    printf("  no role: shutdown_ex %d\n", SSL_shutdown_ex(c, SSL_SHUTDOWN_FLAG_RAPID, NULL, 0));
    queue("shutdown_ex");
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    kinds("client", c, version == TLS1_3_VERSION && groups && strcmp(groups, "secp256r1") == 0);
    kinds("server", s, 0);
    rtt("client before", c);
    printf("  before: write_ex2(CONCLUDE) %d, write_ex2(2) %d\n", SSL_write_ex2(c, "x", 1, SSL_WRITE_FLAG_CONCLUDE, &w),
           SSL_write_ex2(c, "x", 1, 2, &w));
    queue("write_ex2");
    printf("  before: shutdown_ex %d\n", SSL_shutdown_ex(c, 0, NULL, 0));
    queue("shutdown_ex");
    connect_bios(c, s);
    time_t before = time(NULL);
    int rc = SSL_do_handshake(c);
    printf("  client step 1: %d (error %d), group %s\n", rc, SSL_get_error(c, rc), str(SSL_get0_group_name(c)));
    rtt("client after its ClientHello", c);
    int rs = SSL_do_handshake(s);
    printf("  server step 1: %d (error %d), callback calls %d\n", rs, SSL_get_error(s, rs), order_calls);
    /* OpenSSL 3.5 knows the group once it chose it (the TLS 1.3 ServerHello or the TLS 1.2
     * ServerKeyExchange); ferrossl asks rustls for its choice so far. */
    printf("  server group mid-handshake %s\n", str(SSL_get0_group_name(s)));
    rtt("server after its first flight", s);
    rc = SSL_do_handshake(c);
    printf("  client step 2: %d\n", rc);
    rtt("client after the server's flight", c);
    if (!finish(c, s)) {
        printf("FAILED: handshake\n");
        exit(3);
    }
    time_t after = time(NULL);
    printf("  done: %s %s\n", SSL_get_version(c), SSL_CIPHER_get_name(SSL_get_current_cipher(c)));
    printf("  group: client %s server %s\n", str(SSL_get0_group_name(c)), str(SSL_get0_group_name(s)));
    rtt("client", c);
    rtt("server", s);
    kinds("client after", c, 0);
    kinds("server after", s, 0);
    session_check("client", c, before, after);
    session_check("server", s, before, after);

    size_t n = 5;
    printf("  after: client_hello_get_extension_order on the server %d (n %zu), on the client %d\n",
           SSL_client_hello_get_extension_order(s, NULL, &n), n, SSL_client_hello_get_extension_order(c, NULL, &n));
    queue("extension_order");

    char buf[64];
    size_t got = 0;
    int r = SSL_write_ex2(c, "hello", 5, 0, &w);
    printf("  write_ex2(0) %d written %zu\n", r, w);
    w = 77;
    r = SSL_write_ex2(c, "more", 4, SSL_WRITE_FLAG_CONCLUDE, &w);
    printf("  write_ex2(CONCLUDE) %d written %zu error %d\n", r, w, SSL_get_error(c, r));
    queue("write_ex2");
    r = SSL_write_ex2(s, "back", 4, 0x80000000ULL << 1, &w);
    printf("  server write_ex2(1 << 32) %d\n", r);
    queue("write_ex2");
    r = SSL_read_ex(s, buf, sizeof(buf), &got);
    printf("  server read %d: %.*s\n", r, (int)got, buf);
    r = SSL_write_ex2(s, "back", 4, 0, &w);
    printf("  server write_ex2(0) %d written %zu\n", r, w);
    r = SSL_read_ex(c, buf, sizeof(buf), &got);
    printf("  client read %d: %.*s\n", r, (int)got, buf);
    queue("data");

    r = SSL_shutdown_ex(c, SSL_SHUTDOWN_FLAG_RAPID | SSL_SHUTDOWN_FLAG_NO_BLOCK, NULL, 0);
    printf("  client shutdown_ex %d, shutdown flags %d\n", r, SSL_get_shutdown(c));
    queue("shutdown_ex");
    r = SSL_write_ex2(c, "late", 4, SSL_WRITE_FLAG_CONCLUDE, &w);
    printf("  after close_notify: write_ex2(CONCLUDE) %d error %d\n", r, SSL_get_error(c, r));
    queue("write_ex2");
    r = SSL_write_ex2(c, "late", 4, 0, &w);
    printf("  after close_notify: write_ex2(0) %d error %d\n", r, SSL_get_error(c, r));
    queue("write_ex2");
    r = SSL_read_ex(s, buf, sizeof(buf), &got);
    printf("  server read %d error %d\n", r, SSL_get_error(s, r));
    SSL_SHUTDOWN_EX_ARGS args = {.quic_error_code = 5, .quic_reason = "bye"};
    r = SSL_shutdown_ex(s, 0, &args, sizeof(args));
    printf("  server shutdown_ex %d, shutdown flags %d\n", r, SSL_get_shutdown(s));
    r = SSL_shutdown_ex(c, 0, NULL, 0);
    printf("  client shutdown_ex %d, shutdown flags %d\n", r, SSL_get_shutdown(c));
    queue("shutdown");
    printf("  after shutdown: group %s\n", str(SSL_get0_group_name(c)));
    rtt("client after shutdown", c);

    SSL_clear(c);
    rtt("client after SSL_clear", c);
    /* A new handshake on the cleared client: its ClientHello moves the start of the round trip
     * past the last answer read. */
    BIO *nb = BIO_new(BIO_s_mem()), *nw = BIO_new(BIO_s_mem());
    SSL_set_bio(c, nb, nw);
    SSL_do_handshake(c);
    rtt("client after a new ClientHello", c);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    order_calls = 0;
}

/* A full handshake, then one resuming its session: OpenSSL measures no round trip when TLS 1.2
 * resumes (its state machine passes neither timestamp there), and measures one in TLS 1.3. */
static void resumption(int version, int tickets) {
    printf("resumption %s, %s:\n", version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2", tickets ? "tickets" : "session ids");
    SSL_CTX *sctx = server_ctx(version), *cctx = client_ctx(version);
    if (!tickets)
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"tls35", 5);
    SSL_SESSION *sess = NULL;
    for (int i = 0; i < 2; i++) {
        SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        if (sess)
            SSL_set_session(c, sess);
        connect_bios(c, s);
        if (!finish(c, s)) {
            printf("FAILED: handshake %d\n", i);
            exit(3);
        }
        char b[8];
        size_t got;
        SSL_read_ex(c, b, sizeof(b), &got); /* takes in the TLS 1.3 tickets */
        ERR_clear_error();
        printf("  handshake %d: reused %d, group: client %s\n", i, SSL_session_reused(c), str(SSL_get0_group_name(c)));
        /* A server resuming a TLS 1.2 session names the group of the handshake that made it;
         * ferrossl knows it for a session from its cache, not from a ticket (rustls's ticket
         * holds no group). */
        printf("%s handshake %d: server group %s\n", version == TLS1_2_VERSION && tickets && i == 1 ? "~" : " ", i,
               str(SSL_get0_group_name(s)));
        rtt("client", c);
        rtt("server", s);
        if (!sess)
            sess = SSL_get1_session(c);
        SSL_shutdown(c); /* a session of a connection not shut down is not resumed */
        SSL_shutdown(s);
        SSL_free(c);
        SSL_free(s);
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: tls35 CHAIN KEY CAFILE\n");
        return 2;
    }
    g_chain = argv[1];
    g_key = argv[2];
    g_ca = argv[3];
    setvbuf(stdout, NULL, _IOLBF, 0);
    null_answers();
    padding();
    builtin_sigalgs();
    session_times();
    cache_flush();
    extension_order();
    handshake(TLS1_3_VERSION, NULL);
    handshake(TLS1_3_VERSION, "secp256r1");
    handshake(TLS1_3_VERSION, "x25519");
    handshake(TLS1_3_VERSION, "X25519MLKEM768");
    handshake(TLS1_3_VERSION, "secp384r1:x25519");
    handshake(TLS1_2_VERSION, "secp256r1");
    handshake(TLS1_2_VERSION, "x25519");
    handshake(TLS1_2_VERSION, "secp384r1");
    resumption(TLS1_3_VERSION, 1);
    resumption(TLS1_3_VERSION, 0);
    resumption(TLS1_2_VERSION, 1);
    resumption(TLS1_2_VERSION, 0);
    printf("done\n");
    return 0;
}
