/*
 * certcomp35: OpenSSL 3.5's certificate compression (RFC 8879) and raw public key (RFC 7250)
 * functions: what the setters and getters answer, what the compressed certificate holds, and
 * in-memory handshakes between two SSL objects of the same library. Built by
 * tests/certcomp35.rs against 3.5's headers and run on Debian 13's libssl and on ferrossl's:
 * both must print the same lines, apart from those starting with '~' (what depends on which
 * compression algorithms the build has: Debian's has zlib and zstd, ferrossl zlib and brotli).
 *
 * usage: certcomp35 CHAIN KEY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/comp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static const char *g_chain, *g_key;

static void queue(const char *what) {
    unsigned long e = ERR_peek_error();
    printf("%s: queue %s", what, e ? "" : "empty\n");
    if (e)
        printf("lib %d reason %d\n", ERR_GET_LIB(e), ERR_GET_REASON(e));
    ERR_clear_error();
}

/* The reason of the error a failing handshake step queued, per side (0: none). */
static int g_client_reason, g_server_reason;


static int step(SSL *ssl, int *reason) {
    int r = SSL_do_handshake(ssl);
    if (r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_SSL && *reason == 0)
        *reason = ERR_GET_REASON(ERR_peek_error());
    ERR_clear_error();
    return r;
}

static int handshake(SSL *c, SSL *s) {
    BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
    BIO_up_ref(c2s);
    BIO_up_ref(s2c);
    SSL_set_bio(c, s2c, c2s);
    SSL_set_bio(s, c2s, s2c);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    g_client_reason = g_server_reason = 0;
    int rc = 0, rs = 0;
    for (int i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = step(c, &g_client_reason);
        if (rs != 1)
            rs = step(s, &g_server_reason);
        if (g_client_reason != 0 || g_server_reason != 0)
            break;
    }
    if (g_client_reason != 0 || g_server_reason != 0)
        printf("  failed: client reason %d, server reason %d\n", g_client_reason,
               g_server_reason);
    return rc == 1 && rs == 1;
}

static SSL_CTX *server_ctx(const SSL_METHOD *m) {
    SSL_CTX *ctx = SSL_CTX_new(m);
    if (SSL_CTX_use_certificate_chain_file(ctx, g_chain) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, g_key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "loading %s / %s failed\n", g_chain, g_key);
        exit(1);
    }
    return ctx;
}

/* The TLS 1.3 Certificate message body of the chain file, as compression applies to it. */
static size_t certificate_message(unsigned char *out, size_t cap) {
    FILE *f = fopen(g_chain, "r");
    size_t n = 4, list = 0;
    X509 *x;
    while (f != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        if (len > 0 && n + 5 + (size_t)len <= cap) {
            out[n] = (unsigned char)(len >> 16);
            out[n + 1] = (unsigned char)(len >> 8);
            out[n + 2] = (unsigned char)len;
            memcpy(out + n + 3, der, (size_t)len);
            out[n + 3 + len] = 0;
            out[n + 4 + len] = 0;
            n += 5 + (size_t)len;
            list += 5 + (size_t)len;
        }
        OPENSSL_free(der);
        X509_free(x);
    }
    if (f != NULL)
        fclose(f);
    ERR_clear_error(); /* the PEM reader's end of file */
    out[0] = 0;
    out[1] = (unsigned char)(list >> 16);
    out[2] = (unsigned char)(list >> 8);
    out[3] = (unsigned char)list;
    return n;
}

static void preferences(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int zlib[] = {TLSEXT_comp_cert_zlib}, brotli[] = {TLSEXT_comp_cert_brotli},
        zstd[] = {TLSEXT_comp_cert_zstd}, twice[] = {1, 1}, unknown[] = {99, 0, -1},
        mixed[] = {99, 1, 3}, zstd_twice[] = {3, 3}, all[] = {1, 2, 3};
    printf("preference zlib %d\n", SSL_CTX_set1_cert_comp_preference(ctx, zlib, 1));
    printf("~preference brotli %d\n", SSL_CTX_set1_cert_comp_preference(ctx, brotli, 1));
    printf("~preference zstd %d\n", SSL_CTX_set1_cert_comp_preference(ctx, zstd, 1));
    printf("preference zlib twice %d\n", SSL_CTX_set1_cert_comp_preference(ctx, twice, 2));
    printf("preference unknown %d\n", SSL_CTX_set1_cert_comp_preference(ctx, unknown, 3));
    printf("preference unknown, zlib, zstd %d\n", SSL_CTX_set1_cert_comp_preference(ctx, mixed, 3));
    printf("preference zstd twice %d\n", SSL_CTX_set1_cert_comp_preference(ctx, zstd_twice, 2));
    printf("preference all %d\n", SSL_CTX_set1_cert_comp_preference(ctx, all, 3));
    printf("preference NULL %d\n", SSL_CTX_set1_cert_comp_preference(ctx, NULL, 0));
    printf("preference none %d\n", SSL_CTX_set1_cert_comp_preference(ctx, zlib, 0));
    SSL *s = SSL_new(ctx);
    printf("ssl preference zlib %d\n", SSL_set1_cert_comp_preference(s, zlib, 1));
    printf("ssl preference unknown %d\n", SSL_set1_cert_comp_preference(s, unknown, 3));
    queue("preferences");
    uint64_t both = SSL_OP_NO_TX_CERTIFICATE_COMPRESSION | SSL_OP_NO_RX_CERTIFICATE_COMPRESSION;
    printf("options default %d\n", (SSL_CTX_get_options(ctx) & both) != 0);
    printf("options set %d\n", (SSL_CTX_set_options(ctx, both) & both) == both);
    printf("options cleared %d\n", (SSL_CTX_clear_options(ctx, both) & both) == 0);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

static void compress(void) {
    SSL_CTX *none = SSL_CTX_new(TLS_server_method());
    printf("compress, no certificate %d\n", SSL_CTX_compress_certs(none, 0));
    SSL_CTX *client = SSL_CTX_new(TLS_client_method());
    if (SSL_CTX_use_certificate_chain_file(client, g_chain) != 1)
        exit(1);
    printf("compress, client %d\n", SSL_CTX_compress_certs(client, 0));
    SSL_CTX *ctx = server_ctx(TLS_server_method());
    printf("compress zlib %d\n", SSL_CTX_compress_certs(ctx, TLSEXT_comp_cert_zlib));
    printf("compress any %d\n", SSL_CTX_compress_certs(ctx, 0));
    printf("compress unknown %d\n", SSL_CTX_compress_certs(ctx, 99));
    printf("~compress brotli %d\n", SSL_CTX_compress_certs(ctx, TLSEXT_comp_cert_brotli));
    SSL_CTX *flexible = server_ctx(TLS_method());
    printf("compress, TLS_method %d\n", SSL_CTX_compress_certs(flexible, TLSEXT_comp_cert_zlib));
    SSL *s = SSL_new(ctx);
    printf("ssl compress zlib %d\n", SSL_compress_certs(s, TLSEXT_comp_cert_zlib));
    SSL *c = SSL_new(flexible);
    SSL_set_connect_state(c);
    printf("ssl compress, connecting %d\n", SSL_compress_certs(c, TLSEXT_comp_cert_zlib));
    queue("compress");

    unsigned char *data = NULL, expected[16384], inflated[16384];
    size_t orig = 0, want = certificate_message(expected, sizeof(expected));
    size_t len = SSL_CTX_get1_compressed_cert(ctx, TLSEXT_comp_cert_zlib, &data, &orig);
    printf("get1 zlib %s, ~%zu bytes, original %s\n", len > 0 ? "some" : "none", len,
           orig == want ? "as expected" : "differs");
    COMP_CTX *comp = COMP_CTX_new(COMP_zlib_oneshot());
    int got = comp != NULL && len > 0
                  ? COMP_expand_block(comp, inflated, (int)sizeof(inflated), data, (int)len)
                  : -1;
    printf("get1 zlib inflates to the chain %d\n",
           got == (int)want && memcmp(inflated, expected, want) == 0);
    COMP_CTX_free(comp);
    OPENSSL_free(data);
    data = NULL;
    printf("get1 any %zu\n", SSL_CTX_get1_compressed_cert(ctx, 0, &data, &orig));
    printf("get1 unknown %zu\n", SSL_CTX_get1_compressed_cert(ctx, 99, &data, &orig));
    printf("get1 NULL data %zu\n", SSL_CTX_get1_compressed_cert(ctx, 1, NULL, &orig));
    printf("get1 NULL length %zu\n", SSL_CTX_get1_compressed_cert(ctx, 1, &data, NULL));
    printf("get1 client %zu\n", SSL_CTX_get1_compressed_cert(client, 1, &data, &orig));
    orig = 0;
    len = SSL_CTX_get1_compressed_cert(none, 1, &data, &orig);
    printf("get1 no certificate %s, original %zu\n", len > 0 ? "some" : "none", orig);
    OPENSSL_free(data);
    data = NULL;
    len = SSL_get1_compressed_cert(s, 1, &data, &orig);
    printf("ssl get1 %s, original %s\n", len > 0 ? "some" : "none",
           orig == want ? "as expected" : "differs");
    OPENSSL_free(data);
    data = NULL;
    printf("ssl get1 connecting %zu\n", SSL_get1_compressed_cert(c, 1, &data, &orig));
    queue("get1");
    SSL_free(s);
    SSL_free(c);

    /* The program's own compressed form: kept, and sent as given. */
    SSL_CTX *given = server_ctx(TLS_server_method());
    unsigned char junk[4] = {1, 2, 3, 4};
    printf("set1 unknown %d\n", SSL_CTX_set1_compressed_cert(given, 99, junk, 4, 4));
    queue("set1 unknown");
    printf("set1 NULL %d\n", SSL_CTX_set1_compressed_cert(given, 1, NULL, 4, 4));
    queue("set1 NULL");
    SSL *gc = SSL_new(client);
    printf("set1 on a client %d\n", SSL_set1_compressed_cert(gc, 1, junk, 4, 4));
    queue("set1 on a client");
    SSL_free(gc);
    len = SSL_CTX_get1_compressed_cert(given, 1, &data, &orig);
    printf("set1 zlib %d\n", SSL_CTX_set1_compressed_cert(given, 1, data, len, orig));
    for (int garbage = 0; garbage < 2; garbage++) {
        SSL_CTX *sctx = garbage ? server_ctx(TLS_server_method()) : given;
        if (garbage) {
            memset(data, 0x5a, len);
            printf("set1 garbage %d\n", SSL_CTX_set1_compressed_cert(sctx, 1, data, len, orig));
        }
        SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
        SSL *cl = SSL_new(cctx), *sv = SSL_new(sctx);
        printf("handshake with %s %d\n", garbage ? "garbage" : "the given form",
               handshake(cl, sv));
        ERR_clear_error();
        SSL_free(cl);
        SSL_free(sv);
        SSL_CTX_free(cctx);
        if (garbage)
            SSL_CTX_free(sctx);
    }
    OPENSSL_free(data);
    SSL_CTX_free(given);

    /* Handshakes: whether they succeed when either side turns compression off. */
    const char *names[] = {"default", "server no tx", "client no rx", "client zlib only"};
    for (int i = 0; i < 4; i++) {
        SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
        SSL *cl = SSL_new(cctx), *sv = SSL_new(ctx);
        if (i == 1)
            SSL_set_options(sv, SSL_OP_NO_TX_CERTIFICATE_COMPRESSION);
        if (i == 2)
            SSL_set_options(cl, SSL_OP_NO_RX_CERTIFICATE_COMPRESSION);
        if (i == 3) {
            int zlib[] = {1};
            SSL_set1_cert_comp_preference(cl, zlib, 1);
        }
        printf("handshake %s %d\n", names[i], handshake(cl, sv));
        queue(names[i]);
        SSL_free(cl);
        SSL_free(sv);
        SSL_CTX_free(cctx);
    }
    SSL_CTX_free(none);
    SSL_CTX_free(client);
    SSL_CTX_free(ctx);
    SSL_CTX_free(flexible);
}

/* Prints a getter's answer; the getter is called first (argument order is unspecified). */
#define LIST(what, call) do { int rc_ = (call); print_list(what, rc_, t, len); } while (0)

static void print_list(const char *what, int rc, const unsigned char *t, size_t len) {
    printf("%s %d:", what, rc);
    if (t == NULL)
        printf(" NULL");
    for (size_t i = 0; i < len && t != NULL; i++)
        printf(" %d", t[i]);
    printf(" (%zu)\n", len);
}

static void cert_type_lists(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    unsigned char rpk_x509[] = {2, 0}, twice[] = {2, 2}, pgp[] = {1}, x509[] = {0};
    unsigned char *t = (unsigned char *)"x";
    size_t len = 99;
    LIST("ctx client default", SSL_CTX_get0_client_cert_type(ctx, &t, &len));
    printf("set client rpk, x509 %d\n", SSL_CTX_set1_client_cert_type(ctx, rpk_x509, 2));
    printf("set client rpk twice %d\n", SSL_CTX_set1_client_cert_type(ctx, twice, 2));
    printf("set client pgp %d\n", SSL_CTX_set1_client_cert_type(ctx, pgp, 1));
    printf("set client empty %d\n", SSL_CTX_set1_client_cert_type(ctx, x509, 0));
    printf("set client NULL, 1 %d\n", SSL_CTX_set1_client_cert_type(ctx, NULL, 1));
    LIST("ctx client", SSL_CTX_get0_client_cert_type(ctx, &t, &len));
    printf("set server x509 %d\n", SSL_CTX_set1_server_cert_type(ctx, x509, 1));
    LIST("ctx server", SSL_CTX_get0_server_cert_type(ctx, &t, &len));
    printf("get NULL out %d\n", SSL_CTX_get0_server_cert_type(ctx, NULL, &len));
    SSL *s = SSL_new(ctx);
    LIST("ssl client (from ctx)", SSL_get0_client_cert_type(s, &t, &len));
    printf("ssl set server rpk, x509 %d\n", SSL_set1_server_cert_type(s, rpk_x509, 2));
    LIST("ssl server", SSL_get0_server_cert_type(s, &t, &len));
    printf("ssl unset server %d\n", SSL_set1_server_cert_type(s, NULL, 0));
    LIST("ssl server unset", SSL_get0_server_cert_type(s, &t, &len));
    LIST("ctx server still", SSL_CTX_get0_server_cert_type(ctx, &t, &len));
    printf("negotiated before %d %d\n", SSL_get_negotiated_client_cert_type(s),
           SSL_get_negotiated_server_cert_type(s));
    printf("peer rpk before %s\n", SSL_get0_peer_rpk(s) ? "some" : "NULL");
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    printf("add expected rpk %d\n", SSL_add_expected_rpk(s, k));
    queue("lists");
    EVP_PKEY_free(k);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

static int accept_all(int ok, X509_STORE_CTX *x) {
    (void)ok;
    (void)x;
    return 1;
}

static EVP_PKEY *load_key(void) {
    FILE *f = fopen(g_key, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return k;
}

/* One handshake: the server's and client's lists (NULL: unset), the client's verify mode and
 * whether the client has a certificate. */
static void rpk_case(const char *what, const unsigned char *srv_server, size_t ss,
                     const unsigned char *srv_client, size_t sc, const unsigned char *cl_server,
                     size_t cs, const unsigned char *cl_client, size_t cc, int verify) {
    SSL_CTX *sctx = server_ctx(TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(sctx, TLS1_3_VERSION);
    if (cl_client != NULL) {
        SSL_CTX_use_certificate_chain_file(cctx, g_chain);
        SSL_CTX_use_PrivateKey_file(cctx, g_key, SSL_FILETYPE_PEM);
    }
    SSL *cl = SSL_new(cctx), *sv = SSL_new(sctx);
    if (srv_server)
        SSL_set1_server_cert_type(sv, srv_server, ss);
    if (srv_client) {
        SSL_set1_client_cert_type(sv, srv_client, sc);
        SSL_set_verify(sv, SSL_VERIFY_PEER, accept_all);
    }
    if (cl_server)
        SSL_set1_server_cert_type(cl, cl_server, cs);
    if (cl_client)
        SSL_set1_client_cert_type(cl, cl_client, cc);
    if (verify)
        SSL_set_verify(cl, SSL_VERIFY_PEER, NULL);
    int ok = handshake(cl, sv);
    printf("%s: handshake %d\n", what, ok);
    if (ok) {
        EVP_PKEY *mine = load_key();
        EVP_PKEY *peer = SSL_get0_peer_rpk(cl);
        X509 *cert = SSL_get1_peer_certificate(cl);
        printf("  client sees: server type %d, client type %d, rpk %s, certificate %s, verify %ld\n",
               SSL_get_negotiated_server_cert_type(cl), SSL_get_negotiated_client_cert_type(cl),
               peer == NULL ? "NULL" : EVP_PKEY_eq(peer, mine) == 1 ? "the server's" : "other",
               cert ? "some" : "NULL", SSL_get_verify_result(cl));
        SSL_SESSION *sess = SSL_get_session(cl);
        printf("  client session rpk %s\n",
               sess && SSL_SESSION_get0_peer_rpk(sess) ? "some" : "NULL");
        EVP_PKEY *cpeer = SSL_get0_peer_rpk(sv);
        printf("  server sees: server type %d, client type %d, rpk %s, verify %ld\n",
               SSL_get_negotiated_server_cert_type(sv), SSL_get_negotiated_client_cert_type(sv),
               cpeer == NULL ? "NULL" : EVP_PKEY_eq(cpeer, mine) == 1 ? "the client's" : "other",
               SSL_get_verify_result(sv));
        X509_free(cert);
        EVP_PKEY_free(mine);
        queue("after");
    }
    SSL_free(cl);
    SSL_free(sv);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A raw key session resumed: what the resumed connection reports. */
static void rpk_resumed(void) {
    const unsigned char rpk[] = {2};
    SSL_CTX *sctx = server_ctx(TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set1_server_cert_type(sctx, rpk, 1);
    SSL_CTX_set1_server_cert_type(cctx, rpk, 1);
    SSL_SESSION *sess = NULL;
    for (int round = 0; round < 3; round++) {
        SSL *cl = SSL_new(cctx), *sv = SSL_new(sctx);
        if (sess != NULL)
            SSL_set_session(cl, sess);
        int ok = handshake(cl, sv);
        /* TLS 1.3 tickets arrive after the handshake, before this byte. */
        char byte;
        SSL_write(sv, "x", 1);
        SSL_read(cl, &byte, 1);
        printf("resumption round %d: handshake %d, reused %d, server type %d, rpk %s\n", round,
               ok, SSL_session_reused(cl), SSL_get_negotiated_server_cert_type(cl),
               SSL_get0_peer_rpk(cl) ? "some" : "NULL");
        SSL_SESSION_free(sess);
        sess = SSL_get1_session(cl);
        printf("  its session rpk %s\n", sess && SSL_SESSION_get0_peer_rpk(sess) ? "some" : "NULL");
        /* Without close_notify, SSL_free would make the session not resumable. */
        SSL_shutdown(cl);
        ERR_clear_error();
        SSL_free(cl);
        SSL_free(sv);
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void rpk_handshakes(void) {
    const unsigned char rpk[] = {2}, rpk_x509[] = {2, 0}, x509[] = {0};
    rpk_case("server rpk", rpk_x509, 2, NULL, 0, rpk, 1, NULL, 0, 0);
    rpk_case("server rpk, client x509", rpk_x509, 2, NULL, 0, NULL, 0, NULL, 0, 0);
    rpk_case("server x509 only, client x509", x509, 1, NULL, 0, NULL, 0, NULL, 0, 0);
    rpk_case("server rpk, verify peer", rpk_x509, 2, NULL, 0, rpk, 1, NULL, 0, 1);
    rpk_case("client rpk", NULL, 0, rpk_x509, 2, NULL, 0, rpk, 1, 0);
    rpk_case("both rpk", rpk, 1, rpk, 1, rpk, 1, rpk_x509, 2, 0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: certcomp35 CHAIN KEY\n");
        return 2;
    }
    g_chain = argv[1];
    g_key = argv[2];
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("certificate compression\n");
    preferences();
    compress();
    printf("raw public keys\n");
    cert_type_lists();
    rpk_handshakes();
    rpk_resumed();
    printf("done\n");
    return 0;
}
