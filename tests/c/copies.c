/*
 * copies: what a connection or session may hold of its own and the functions that copy them:
 * SSL_dup (before and after a handshake), SSL_SESSION_dup, SSL_SESSION_set1/get0_ticket_appdata,
 * SSL_CTX_set_ssl_version, SSL_set_ssl_method, SSL_add_client_CA and SSL_set_cert_cb (a server
 * whose certificate is set only by its connection's callback). Built by tests/copies.rs and run
 * on OpenSSL's libssl and on ferrossl's: both runs must print the same lines.
 *
 * usage: copies CHAIN KEY CAFILE
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static const char *g_chain, *g_key, *g_ca;

static void queue(const char *what) {
    unsigned long e = ERR_peek_error();
    printf("%s: queue %s", what, e ? "" : "empty\n");
    if (e)
        printf("lib %d reason %d\n", ERR_GET_LIB(e), ERR_GET_REASON(e));
    ERR_clear_error();
}

static int handshake(SSL *c, SSL *s) {
    BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
    BIO_up_ref(c2s);
    BIO_up_ref(s2c);
    SSL_set_bio(c, s2c, c2s);
    SSL_set_bio(s, c2s, s2c);
    int rc = 0, rs = 0;
    for (int i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(c);
        if (rs != 1)
            rs = SSL_do_handshake(s);
    }
    return rc == 1 && rs == 1;
}

static int cert_cb_calls;
static int set_cert(SSL *s, void *arg) {
    cert_cb_calls++;
    printf("  cert callback: arg %s, server %d\n", (const char *)arg, SSL_is_server(s));
    return SSL_use_certificate_chain_file(s, g_chain) == 1 &&
           SSL_use_PrivateKey_file(s, g_key, SSL_FILETYPE_PEM) == 1;
}
static int refuse_cert(SSL *s, void *arg) {
    (void)s;
    (void)arg;
    printf("  context cert callback: must not run\n");
    return 0;
}

static X509 *load_ca(void) {
    FILE *f = fopen(g_ca, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!x) {
        printf("FAILED: reading the CA\n");
        exit(3);
    }
    return x;
}

static int client_cert_calls;
static int client_cert(SSL *c, X509 **x, EVP_PKEY **k) {
    STACK_OF(X509_NAME) *l = SSL_get_client_CA_list(c);
    client_cert_calls++;
    printf("  client cert callback: the server listed %d CA names\n", l ? sk_X509_NAME_num(l) : -1);
    *x = NULL;
    *k = NULL;
    return 0;
}

/* What a client sees of the CA names a server sends: the CA list alone, or the client CA list
 * when there is one. */
static void sent_names(int version, int with_client_list) {
    X509 *ca = load_ca();
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_use_certificate_chain_file(sctx, g_chain);
    SSL_CTX_use_PrivateKey_file(sctx, g_key, SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(sctx, g_ca, NULL);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_max_proto_version(sctx, version);
    SSL_CTX_set_client_CA_list(sctx, sk_X509_NAME_new_null());
    SSL_CTX_add1_to_CA_list(sctx, ca);
    if (with_client_list) {
        SSL_CTX_add_client_CA(sctx, ca);
        SSL_CTX_add_client_CA(sctx, ca);
    }
    SSL_CTX_load_verify_locations(cctx, g_ca, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_client_cert_cb(cctx, client_cert);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    printf("  %s, client CA list %d: before, client sees %s\n", version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2",
           with_client_list, SSL_get_client_CA_list(c) ? "a list" : "NULL");
    int ok = handshake(c, s);
    printf("  handshake %d (no client certificate: the server accepts it with VERIFY_PEER), callback ran %d\n",
           ok, client_cert_calls > 0);
    client_cert_calls = 0;
    const STACK_OF(X509_NAME) *peer = SSL_get0_peer_CA_list(c);
    printf("  client's SSL_get0_peer_CA_list: %d names, first is the CA: %d\n", peer ? sk_X509_NAME_num(peer) : -1,
           peer && sk_X509_NAME_num(peer) > 0 &&
               X509_NAME_cmp(sk_X509_NAME_value(peer, 0), X509_get_subject_name(ca)) == 0);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    X509_free(ca);
}

/* Tickets made by one context are accepted by another with the same keys
 * (SSL_CTX_get/set_tlsext_ticket_keys), not by one with its own. */
static SSL_CTX *ticket_server(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(ctx, g_chain);
    SSL_CTX_use_PrivateKey_file(ctx, g_key, SSL_FILETYPE_PEM);
    return ctx;
}

static int resumed_on(SSL_CTX *sctx, SSL_CTX *cctx, int version, SSL_SESSION *offer, SSL_SESSION **out) {
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    SSL_set_max_proto_version(c, version);
    if (offer)
        SSL_set_session(c, offer);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int ok = handshake(c, s), reused = SSL_session_reused(c);
    char byte;
    SSL_write(s, "x", 1);
    SSL_read(c, &byte, 1);
    if (out)
        *out = SSL_get1_session(c);
    /* Without close_notify, SSL_free would mark the session not resumable (OpenSSL's
     * ssl_clear_bad_session; the "bad session" lines below check that). */
    SSL_shutdown(c);
    SSL_free(c);
    SSL_free(s);
    ERR_clear_error();
    return ok ? reused : -1;
}

static void ticket_keys(int version) {
    SSL_CTX *a = ticket_server(), *b = ticket_server(), *other = ticket_server();
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    unsigned char keys[80], keys2[80];
    printf("  %s: get keys %ld, wrong length %ld\n", version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2",
           SSL_CTX_get_tlsext_ticket_keys(a, keys, sizeof keys),
           SSL_CTX_get_tlsext_ticket_keys(a, keys, 79));
    ERR_clear_error();
    printf("  set them on another context %ld\n", SSL_CTX_set_tlsext_ticket_keys(b, keys, sizeof keys));
    SSL_CTX_get_tlsext_ticket_keys(b, keys2, sizeof keys2);
    printf("  read back equal %d\n", memcmp(keys, keys2, sizeof keys) == 0);
    SSL_SESSION *sess = NULL, *again = NULL;
    printf("  full handshake on the first: reused %d\n", resumed_on(a, cctx, version, NULL, &sess));
    printf("  resumed on the same context: %d\n", resumed_on(a, cctx, version, sess, NULL));
    printf("  resumed on the one with the same keys: %d\n", resumed_on(b, cctx, version, sess, &again));
    printf("  resumed on one with its own keys: %d\n", resumed_on(other, cctx, version, again, NULL));
    SSL *bad = SSL_new(cctx), *bs = SSL_new(a);
    SSL_set_session(bad, again);
    SSL_set_connect_state(bad);
    SSL_set_accept_state(bs);
    printf("  bad session: handshake %d, resumable before SSL_free %d", handshake(bad, bs),
           SSL_SESSION_is_resumable(again));
    SSL_free(bad);
    SSL_free(bs);
    printf(", after %d\n", SSL_SESSION_is_resumable(again));
    printf("  the first session is unaffected: %d\n", SSL_SESSION_is_resumable(sess));
    ERR_clear_error();
    SSL_SESSION_free(sess);
    SSL_SESSION_free(again);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(other);
    SSL_CTX_free(cctx);
}

static void methods(void) {
    printf("methods\n");
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    printf("  ctx method is TLS_method: %d\n", SSL_CTX_get_ssl_method(ctx) == TLS_method());
    printf("  set_ssl_version(TLS_server_method): %d\n",
           SSL_CTX_set_ssl_version(ctx, TLS_server_method()));
    printf("  ctx method is TLS_server_method: %d\n",
           SSL_CTX_get_ssl_method(ctx) == TLS_server_method());
    SSL *s = SSL_new(ctx);
    printf("  new SSL is a server: %d\n", SSL_is_server(s));
    printf("  set_ssl_method(TLS_client_method): %d\n", SSL_set_ssl_method(s, TLS_client_method()));
    printf("  SSL method is TLS_client_method: %d\n", SSL_get_ssl_method(s) == TLS_client_method());
    printf("  still a server: %d\n", SSL_is_server(s));
    queue("  after methods");
    SSL_free(s);
    SSL_CTX_free(ctx);
}

static void client_ca(void) {
    printf("client CA lists\n");
    X509 *ca = load_ca();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_add_client_CA(ctx, ca);
    SSL *s = SSL_new(ctx);
    STACK_OF(X509_NAME) *l = SSL_get_client_CA_list(s);
    printf("  before: %d names (the context's)\n", l ? sk_X509_NAME_num(l) : -1);
    printf("  SSL_add_client_CA: %d\n", SSL_add_client_CA(s, ca));
    printf("  SSL_add_client_CA again: %d\n", SSL_add_client_CA(s, ca));
    l = SSL_get_client_CA_list(s);
    printf("  after: %d names (its own)\n", l ? sk_X509_NAME_num(l) : -1);
    printf("  same as the context's list: %d\n", l == SSL_CTX_get_client_CA_list(ctx));
    printf("  context still: %d\n", sk_X509_NAME_num(SSL_CTX_get_client_CA_list(ctx)));
    printf("  first name is the CA's subject: %d\n",
           X509_NAME_cmp(sk_X509_NAME_value(l, 0), X509_get_subject_name(ca)) == 0);
    printf("certificate_authorities lists\n");
    const STACK_OF(X509_NAME) *cal = SSL_CTX_get0_CA_list(ctx);
    printf("  context's at first: %s, %d names\n", cal ? "a list" : "NULL", cal ? sk_X509_NAME_num(cal) : -1);
    printf("  SSL_CTX_add1_to_CA_list: %d, NULL: %d\n", SSL_CTX_add1_to_CA_list(ctx, ca),
           SSL_CTX_add1_to_CA_list(ctx, NULL));
    printf("  connection sees the context's: %d names\n", sk_X509_NAME_num(SSL_get0_CA_list(s)));
    printf("  SSL_add1_to_CA_list: %d\n", SSL_add1_to_CA_list(s, ca));
    printf("  connection's own: %d names, context's %d\n", sk_X509_NAME_num(SSL_get0_CA_list(s)),
           sk_X509_NAME_num(SSL_CTX_get0_CA_list(ctx)));
    STACK_OF(X509_NAME) *mine = sk_X509_NAME_new_null();
    sk_X509_NAME_push(mine, X509_NAME_dup(X509_get_subject_name(ca)));
    sk_X509_NAME_push(mine, X509_NAME_dup(X509_get_subject_name(ca)));
    sk_X509_NAME_push(mine, X509_NAME_dup(X509_get_subject_name(ca)));
    SSL_set0_CA_list(s, mine);
    printf("  after SSL_set0_CA_list: %d names, the same stack %d\n", sk_X509_NAME_num(SSL_get0_CA_list(s)),
           SSL_get0_CA_list(s) == mine);
    SSL_set0_CA_list(s, NULL);
    printf("  SSL_set0_CA_list(NULL): back to the context's %d\n", SSL_get0_CA_list(s) == SSL_CTX_get0_CA_list(ctx));
    SSL_CTX_set0_CA_list(ctx, NULL);
    printf("  SSL_CTX_set0_CA_list(NULL): %s\n", SSL_CTX_get0_CA_list(ctx) ? "a list" : "NULL");
    SSL *d = SSL_dup(s);
    printf("  SSL_dup copies it: %d names, a copy: %d\n",
           sk_X509_NAME_num(SSL_get_client_CA_list(d)), SSL_get_client_CA_list(d) != l);
    queue("  after client CA");
    SSL_free(d);
    SSL_free(s);
    SSL_CTX_free(ctx);
    X509_free(ca);
}

static void dup_and_cert_cb(void) {
    printf("SSL_dup and SSL_set_cert_cb\n");
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(cctx, g_ca, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_cb(sctx, refuse_cert, NULL);
    SSL *proto = SSL_new(sctx);
    SSL_set_cert_cb(proto, set_cert, "proto");
    SSL_set_options(proto, SSL_OP_NO_TICKET);
    SSL_set_max_proto_version(proto, TLS1_2_VERSION);
    SSL_set_verify_depth(proto, 7);
    SSL_set_session_id_context(proto, (const unsigned char *)"dup-test", 8);
    SSL *s = SSL_dup(proto);
    printf("  dup of a fresh SSL is a new handle: %d\n", s != NULL && s != proto);
    printf("  copied: options NO_TICKET %d, max version %#lx, verify depth %d, server %d\n",
           (SSL_get_options(s) & SSL_OP_NO_TICKET) != 0, (long)SSL_get_max_proto_version(s),
           SSL_get_verify_depth(s), SSL_is_server(s));
    SSL *c = SSL_new(cctx);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int ok = handshake(c, s);
    printf("  handshake through the copied cert callback: %d, calls %d, version %s\n", ok,
           cert_cb_calls, SSL_get_version(c));
    if (!ok)
        ERR_print_errors_fp(stdout);
    SSL *same = SSL_dup(s);
    printf("  dup after the handshake is the same handle: %d\n", same == s);
    SSL_free(same);
    printf("  still usable: write %d\n", SSL_write(s, "ok", 2));
    char buf[4];
    printf("  client reads %d\n", SSL_read(c, buf, sizeof buf));

    SSL_SESSION *sess = SSL_get1_session(c);
    SSL_SESSION *copy = SSL_SESSION_dup(sess);
    printf("  session dup: new %d, same protocol %d, same cipher %d, has peer %d\n",
           copy != NULL && copy != sess,
           SSL_SESSION_get_protocol_version(copy) == SSL_SESSION_get_protocol_version(sess),
           SSL_SESSION_get0_cipher(copy) == SSL_SESSION_get0_cipher(sess),
           SSL_SESSION_get0_peer(copy) != NULL);
    unsigned int l1 = 0, l2 = 0;
    const unsigned char *i1 = SSL_SESSION_get_id(sess, &l1), *i2 = SSL_SESSION_get_id(copy, &l2);
    printf("  same id: %d (%u bytes)\n", l1 == l2 && memcmp(i1, i2, l1) == 0, l1);
    printf("  copy resumable: %d\n", SSL_SESSION_is_resumable(copy));

    void *data = (void *)1;
    size_t len = 99;
    printf("  get0_ticket_appdata: %d", SSL_SESSION_get0_ticket_appdata(copy, &data, &len));
    printf(" -> %s, %zu\n", data ? "data" : "NULL", len);
    printf("  set1_ticket_appdata: %d\n", SSL_SESSION_set1_ticket_appdata(copy, "app-data", 8));
    SSL_SESSION_get0_ticket_appdata(copy, &data, &len);
    printf("  read back: %.*s (%zu)\n", (int)len, data ? (char *)data : "", len);
    SSL_SESSION_get0_ticket_appdata(sess, &data, &len);
    printf("  original untouched: %s, %zu\n", data ? "data" : "NULL", len);
    printf("  clear: %d\n", SSL_SESSION_set1_ticket_appdata(copy, NULL, 0));
    SSL_SESSION_get0_ticket_appdata(copy, &data, &len);
    printf("  after clear: %s, %zu\n", data ? "data" : "NULL", len);
    printf("hand-made session\n");
    SSL_SESSION *made = SSL_SESSION_new();
    unsigned char key[513];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(i * 7 + 1);
    printf("  set_protocol_version: %d -> %#x\n", SSL_SESSION_set_protocol_version(made, TLS1_3_VERSION),
           SSL_SESSION_get_protocol_version(made));
    const SSL_CIPHER *cur = SSL_get_current_cipher(c);
    printf("  set_cipher: %d, same: %d\n", SSL_SESSION_set_cipher(made, cur),
           SSL_SESSION_get0_cipher(made) == cur);
    printf("  set1_master_key 513 bytes: %d\n", SSL_SESSION_set1_master_key(made, key, 513));
    printf("  set1_master_key 48 bytes: %d\n", SSL_SESSION_set1_master_key(made, key, 48));
    unsigned char back[64];
    size_t n = SSL_SESSION_get_master_key(made, back, sizeof back);
    printf("  master key back: %zu bytes, equal %d\n", n, n == 48 && memcmp(back, key, 48) == 0);
    printf("  set1_hostname: %d -> %s\n", SSL_SESSION_set1_hostname(made, "made.example"),
           SSL_SESSION_get0_hostname(made));
    printf("  clear hostname: %d -> %s\n", SSL_SESSION_set1_hostname(made, NULL),
           SSL_SESSION_get0_hostname(made) ? "set" : "NULL");
    const unsigned char *alpn = NULL;
    size_t alen = 0;
    printf("  set1_alpn_selected: %d", SSL_SESSION_set1_alpn_selected(made, (const unsigned char *)"h2", 2));
    SSL_SESSION_get0_alpn_selected(made, &alpn, &alen);
    printf(" -> %.*s\n", (int)alen, alpn ? (const char *)alpn : "");
    printf("  resumable: %d\n", SSL_SESSION_is_resumable(made));
    SSL_SESSION_free(made);
    queue("  after dups");
    SSL_SESSION_free(copy);
    SSL_SESSION_free(sess);
    SSL_free(c);
    SSL_free(s);
    SSL_free(proto);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: copies CHAIN KEY CAFILE\n");
        return 2;
    }
    g_chain = argv[1];
    g_key = argv[2];
    g_ca = argv[3];
    setvbuf(stdout, NULL, _IONBF, 0);
    methods();
    client_ca();
    dup_and_cert_cb();
    printf("CA names a server sends\n");
    sent_names(TLS1_2_VERSION, 0);
    sent_names(TLS1_2_VERSION, 1);
    sent_names(TLS1_3_VERSION, 0);
    sent_names(TLS1_3_VERSION, 1);
    printf("ticket keys\n");
    ticket_keys(TLS1_2_VERSION);
    ticket_keys(TLS1_3_VERSION);
    printf("done\n");
    return 0;
}
