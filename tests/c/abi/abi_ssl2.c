/*
 * abi_ssl2: SSL functions, part 2 — handshake, I/O, shutdown, TLS 1.3 post-handshake
 * messages, keying material, BIOs and file descriptors, ctrl, and the ClientHello getters
 * (called from a ClientHello callback during a handshake).
 */
#include "abi.h"

#include <sys/socket.h>

#define NEED_SSL(s)                                                               \
    if ((s) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no SSL");                                \
        return;                                                                   \
    }

/* A fresh SSL of e->cctx (client) or e->sctx (server) on one end of a BIO pair whose other
 * end nobody serves: the handshake stops waiting for the peer. */
static SSL *lonely(struct env *e, int server)
{
    BIO *a = NULL, *b = NULL;
    SSL *s = SSL_new(server ? e->sctx : e->cctx);
    if (s == NULL || !BIO_new_bio_pair(&a, 0, &b, 0))
        return s;
    SSL_set_bio(s, a, a);
    if (server)
        SSL_set_accept_state(s);
    else
        SSL_set_connect_state(s);
    return s;
}

static void out_io(struct res *r, SSL *s, int n)
{
    out(r, "error=%d", SSL_get_error(s, n));
    out_err(r, "queued");
}

/* ------------------------------------------------------------------ handshake */

CASE(SSL_connect)
{
    SSL *s = lonely(e, 0);
    NEED_SSL(s);
    int n = SSL_connect(s);
    ret_i(r, n);
    out_io(r, s, n);
    out(r, "state=%s", SSL_state_string(s));
    out(r, "again=%d", SSL_connect(e->cli));
}

CASE(SSL_accept)
{
    SSL *s = lonely(e, 1);
    NEED_SSL(s);
    int n = SSL_accept(s);
    ret_i(r, n);
    out_io(r, s, n);
    out(r, "again=%d", SSL_accept(e->srv));
}

CASE(SSL_do_handshake)
{
    ret_i(r, SSL_do_handshake(e->cli));
    SSL *s = SSL_new(e->cctx);
    NEED_SSL(s);
    int n = SSL_do_handshake(s);
    out(r, "no_state=%d", n);
    out_io(r, s, n);
}

CASE(SSL_stateless)
{
    SSL *s = lonely(e, 1);
    NEED_SSL(s);
    int n = SSL_stateless(s);
    ret_i(r, n);
    out_io(r, s, n);
}

CASE(SSL_set_connect_state)
{
    SSL_set_connect_state(e->ssl);
    ret_void(r);
    out(r, "server=%d init=%d", SSL_is_server(e->ssl), SSL_in_init(e->ssl));
}

CASE(SSL_set_accept_state)
{
    SSL_set_accept_state(e->ssl);
    ret_void(r);
    out(r, "server=%d init=%d", SSL_is_server(e->ssl), SSL_in_init(e->ssl));
}

/* ------------------------------------------------------------------ I/O */

static void send_from_server(struct env *e)
{
    SSL_write(e->srv, "hello", 5);
}

CASE(SSL_read)
{
    char buf[16] = {0};
    int n = SSL_read(e->cli, buf, sizeof buf);
    out(r, "empty=%d", n);
    out_io(r, e->cli, n);
    send_from_server(e);
    ret_i(r, SSL_read(e->cli, buf, sizeof buf));
    out_s(r, "data", buf);
    out(r, "zero_len=%d", SSL_read(e->cli, buf, 0));
}

CASE(SSL_read_ex)
{
    char buf[16] = {0};
    size_t got = 99;
    int n = SSL_read_ex(e->cli, buf, sizeof buf, &got);
    out(r, "empty=%d got=%zu", n, got);
    send_from_server(e);
    ret_i(r, SSL_read_ex(e->cli, buf, 3, &got));
    out(r, "got=%zu pending=%d", got, SSL_pending(e->cli));
    out_s(r, "data", buf);
}

CASE(SSL_peek)
{
    char buf[16] = {0};
    send_from_server(e);
    ret_i(r, SSL_peek(e->cli, buf, sizeof buf));
    out_s(r, "data", buf);
    int pending = SSL_pending(e->cli);
    out(r, "pending=%d read=%d", pending, SSL_read(e->cli, buf, sizeof buf));
}

CASE(SSL_peek_ex)
{
    char buf[16] = {0};
    size_t got = 99;
    int n = SSL_peek_ex(e->cli, buf, sizeof buf, &got);
    out(r, "empty=%d got=%zu", n, got);
    out_err(r, "empty_err");
    send_from_server(e);
    ret_i(r, SSL_peek_ex(e->cli, buf, sizeof buf, &got));
    out(r, "got=%zu has_pending=%d", got, SSL_has_pending(e->cli));
}

CASE(SSL_write)
{
    char buf[16] = {0};
    ret_i(r, SSL_write(e->cli, "ping", 4));
    int n = SSL_read(e->srv, buf, sizeof buf);
    out(r, "server_read=%d", n);
    out_s(r, "data", buf);
    out(r, "zero_len=%d", SSL_write(e->cli, "", 0));
}

CASE(SSL_write_ex)
{
    char buf[16] = {0};
    size_t w = 99;
    ret_i(r, SSL_write_ex(e->cli, "ping", 4, &w));
    out(r, "written=%zu server_read=%d", w, SSL_read(e->srv, buf, sizeof buf));
    out_s(r, "data", buf);
}

CASE(SSL_sendfile)
{
    char *path = path_in_tmp(e, "sendfile.txt");
    FILE *f = fopen(path, "w");
    fputs("content", f);
    fclose(f);
    f = fopen(path, "r");
    ret_i(r, (long)SSL_sendfile(e->cli, fileno(f), 0, 7, 0));
    fclose(f);
}

CASE(SSL_read_early_data)
{
    char buf[16];
    size_t got = 99;
    SSL *s = lonely(e, 1);
    NEED_SSL(s);
    ret_i(r, SSL_read_early_data(s, buf, sizeof buf, &got));
    out_err(r, "err_fresh");
    out(r, "done=%d", SSL_read_early_data(e->srv, buf, sizeof buf, &got));
}

CASE(SSL_write_early_data)
{
    size_t w = 99;
    SSL *s = lonely(e, 0);
    NEED_SSL(s);
    ret_i(r, SSL_write_early_data(s, "x", 1, &w));
    out_err(r, "err_fresh");
    out(r, "done=%d", SSL_write_early_data(e->cli, "x", 1, &w));
}

/* ------------------------------------------------------------------ shutdown */

CASE(SSL_shutdown)
{
    char buf[8];
    ret_i(r, SSL_shutdown(e->cli));
    out(r, "shutdown=%d", SSL_get_shutdown(e->cli));
    int n = SSL_read(e->srv, buf, sizeof buf);
    out(r, "srv_read=%d srv_error=%d", n, SSL_get_error(e->srv, n));
    out(r, "srv_shutdown=%d", SSL_shutdown(e->srv));
    out(r, "again=%d", SSL_shutdown(e->cli));
    out(r, "fresh=%d", SSL_shutdown(e->ssl));
    out_err(r, "fresh_err");
}

CASE(SSL_set_shutdown)
{
    SSL_set_shutdown(e->cli, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    ret_void(r);
    out(r, "get=%d", SSL_get_shutdown(e->cli));
}

CASE(SSL_set_quiet_shutdown)
{
    SSL_set_quiet_shutdown(e->cli, 1);
    ret_void(r);
    int quiet = SSL_get_quiet_shutdown(e->cli);
    out(r, "get=%d shutdown=%d", quiet, SSL_shutdown(e->cli));
}

/* ------------------------------------------------------------------ post-handshake */

CASE(SSL_key_update)
{
    char buf[8];
    ret_i(r, SSL_key_update(e->cli, SSL_KEY_UPDATE_REQUESTED));
    out(r, "type=%d", SSL_get_key_update_type(e->cli));
    out(r, "bad=%d", SSL_key_update(e->cli, 7));
    out_err(r, "bad_err");
    SSL_write(e->cli, "k", 1);
    out(r, "srv_read=%d", SSL_read(e->srv, buf, sizeof buf));
    out(r, "fresh=%d", SSL_key_update(e->ssl, SSL_KEY_UPDATE_NOT_REQUESTED));
    out_err(r, "fresh_err");
    if (e->cli12 != NULL)
        out(r, "tls12=%d", SSL_key_update(e->cli12, SSL_KEY_UPDATE_NOT_REQUESTED));
}

CASE(SSL_new_session_ticket)
{
    ret_i(r, SSL_new_session_ticket(e->srv));
    out(r, "client=%d", SSL_new_session_ticket(e->cli));
    if (e->srv12 != NULL)
        out(r, "tls12=%d", SSL_new_session_ticket(e->srv12));
}

/* TLS 1.3 (refused by OpenSSL), then TLS 1.2. */
static void renegotiate_case(struct env *e, struct res *r, int (*f)(SSL *))
{
    ret_i(r, f(e->cli));
    out_err(r, "tls13_err");
    if (e->cli12 == NULL)
        return;
    int n = f(e->cli12);
    out(r, "tls12=%d pending=%d", n, SSL_renegotiate_pending(e->cli12));
    out_err(r, "tls12_err");
    n = SSL_do_handshake(e->cli12);
    out(r, "handshake=%d error=%d", n, SSL_get_error(e->cli12, n));
}

CASE(SSL_renegotiate) { renegotiate_case(e, r, SSL_renegotiate); }
CASE(SSL_renegotiate_abbreviated) { renegotiate_case(e, r, SSL_renegotiate_abbreviated); }

CASE(SSL_verify_client_post_handshake)
{
    ret_i(r, SSL_verify_client_post_handshake(e->srv));
    out_err(r, "tls13_err");
    if (e->srv12 != NULL)
        out(r, "tls12=%d", SSL_verify_client_post_handshake(e->srv12));
}

CASE(SSL_export_keying_material)
{
    unsigned char a[32], b[32];
    ret_i(r, SSL_export_keying_material(e->cli, a, sizeof a, "EXPERIMENTAL-abi", 16, (const unsigned char *)"ctx", 3, 1));
    out(r, "srv=%d", SSL_export_keying_material(e->srv, b, sizeof b, "EXPERIMENTAL-abi", 16, (const unsigned char *)"ctx", 3, 1));
    out(r, "match=%d", memcmp(a, b, sizeof a) == 0);
    out(r, "fresh=%d", SSL_export_keying_material(e->ssl, a, sizeof a, "EXPERIMENTAL-abi", 16, NULL, 0, 0));
    if (e->cli12 != NULL) {
        int n = SSL_export_keying_material(e->cli12, a, sizeof a, "EXPERIMENTAL-abi", 16, NULL, 0, 0);
        int m = SSL_export_keying_material(e->srv12, b, sizeof b, "EXPERIMENTAL-abi", 16, NULL, 0, 0);
        out(r, "tls12=%d/%d match=%d", n, m, memcmp(a, b, sizeof a) == 0);
    }
}

CASE(SSL_export_keying_material_early)
{
    unsigned char a[32];
    ret_i(r, SSL_export_keying_material_early(e->cli, a, sizeof a, "EXPERIMENTAL-abi", 16, NULL, 0));
}

CASE(SSL_free_buffers) { ret_i(r, SSL_free_buffers(e->cli)); }
CASE(SSL_alloc_buffers) { SSL_free_buffers(e->cli); ret_i(r, SSL_alloc_buffers(e->cli)); }

/* ------------------------------------------------------------------ BIOs and fds */

CASE(SSL_set_bio)
{
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    SSL_set_bio(e->ssl, rb, wb);
    ret_void(r);
    out(r, "rbio=%d wbio=%d", SSL_get_rbio(e->ssl) == rb, SSL_get_wbio(e->ssl) == wb);
    int n = SSL_connect(e->ssl);
    out(r, "connect=%d error=%d hello=%s", n, SSL_get_error(e->ssl, n), BIO_pending(wb) > 0 ? "yes" : "no");
}

CASE(SSL_set0_rbio)
{
    BIO *b = BIO_new(BIO_s_mem());
    SSL_set0_rbio(e->ssl, b);
    ret_void(r);
    out(r, "rbio=%d wbio=%s", SSL_get_rbio(e->ssl) == b, SSL_get_wbio(e->ssl) ? "non-NULL" : "NULL");
}

CASE(SSL_set0_wbio)
{
    BIO *b = BIO_new(BIO_s_mem());
    SSL_set0_wbio(e->ssl, b);
    ret_void(r);
    out(r, "wbio=%d rbio=%s", SSL_get_wbio(e->ssl) == b, SSL_get_rbio(e->ssl) ? "non-NULL" : "NULL");
}

static int sp[2] = {-1, -1};
static void pair(void) { if (sp[0] < 0) socketpair(AF_UNIX, SOCK_STREAM, 0, sp); }

CASE(SSL_set_fd)
{
    pair();
    ret_i(r, SSL_set_fd(e->ssl, sp[0]));
    out(r, "fd=%d rfd=%d wfd=%d", SSL_get_fd(e->ssl) == sp[0], SSL_get_rfd(e->ssl) == sp[0], SSL_get_wfd(e->ssl) == sp[0]);
    out(r, "bad=%d", SSL_set_fd(e->ssl, -5));
}

CASE(SSL_set_rfd)
{
    pair();
    ret_i(r, SSL_set_rfd(e->ssl, sp[0]));
    out(r, "rfd=%d wfd=%d", SSL_get_rfd(e->ssl) == sp[0], SSL_get_wfd(e->ssl));
}

CASE(SSL_set_wfd)
{
    pair();
    ret_i(r, SSL_set_wfd(e->ssl, sp[1]));
    out(r, "wfd=%d rfd=%d", SSL_get_wfd(e->ssl) == sp[1], SSL_get_rfd(e->ssl));
}

CASE(SSL_set_read_ahead)
{
    SSL_set_read_ahead(e->ssl, 1);
    ret_void(r);
    out(r, "get=%d", SSL_get_read_ahead(e->ssl));
}

CASE(SSL_set_debug) { SSL_set_debug(e->ssl, 1); ret_void(r); }

/* ------------------------------------------------------------------ ctrl */

CASE(SSL_ctrl)
{
    ret_i(r, SSL_ctrl(e->ssl, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL));
    out(r, "min=%ld", SSL_ctrl(e->ssl, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NULL));
    out(r, "mode=%#lx", SSL_ctrl(e->ssl, SSL_CTRL_MODE, 0, NULL));
    out(r, "hostname=%ld", SSL_ctrl(e->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)"example.com"));
    out(r, "group=%ld", SSL_ctrl(e->cli, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, NULL));
    EVP_PKEY *k = NULL;
    long got = SSL_ctrl(e->cli, SSL_CTRL_GET_PEER_TMP_KEY, 0, &k);
    out(r, "peer_tmp_key=%ld/%s", got, k ? OBJ_nid2sn(EVP_PKEY_get_base_id(k)) : "NULL");
    out(r, "secure_reneg=%ld", SSL_ctrl(e->cli, SSL_CTRL_GET_RI_SUPPORT, 0, NULL));
    out(r, "extms=%ld", SSL_ctrl(e->cli, SSL_CTRL_GET_EXTMS_SUPPORT, 0, NULL));
    out(r, "renegs=%ld", SSL_ctrl(e->cli, SSL_CTRL_GET_TOTAL_RENEGOTIATIONS, 0, NULL));
    if (e->cli12 != NULL) {
        k = NULL;
        got = SSL_ctrl(e->cli12, SSL_CTRL_GET_PEER_TMP_KEY, 0, &k);
        out(r, "tls12: group=%ld peer_tmp_key=%ld/%s secure_reneg=%ld extms=%ld",
            SSL_ctrl(e->cli12, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, NULL), got,
            k ? OBJ_nid2sn(EVP_PKEY_get_base_id(k)) : "NULL",
            SSL_ctrl(e->cli12, SSL_CTRL_GET_RI_SUPPORT, 0, NULL),
            SSL_ctrl(e->cli12, SSL_CTRL_GET_EXTMS_SUPPORT, 0, NULL));
    }
    out(r, "unknown=%ld", SSL_ctrl(e->ssl, 9999, 0, NULL));
}

static void msg_cb(int wp, int v, int ct, const void *buf, size_t len, SSL *s, void *arg)
{ (void)wp; (void)v; (void)ct; (void)buf; (void)len; (void)s; (void)arg; }

CASE(SSL_callback_ctrl)
{
    ret_i(r, SSL_callback_ctrl(e->ssl, SSL_CTRL_SET_MSG_CALLBACK, (void (*)(void))msg_cb));
    out(r, "unknown=%ld", SSL_callback_ctrl(e->ssl, 9999, (void (*)(void))msg_cb));
}

/* ------------------------------------------------------------------ ClientHello getters */

static struct res *hello_res;
static void (*hello_probe)(SSL *s, struct res *r);

static int hello_cb(SSL *s, int *al, void *arg)
{
    (void)al; (void)arg;
    hello_probe(s, hello_res);
    return SSL_CLIENT_HELLO_SUCCESS;
}

static void in_client_hello(struct env *e, struct res *r, void (*probe)(SSL *, struct res *))
{
    SSL_CTX *s = new_server_ctx(e);
    if (s == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CTX"); return; }
    hello_res = r;
    hello_probe = probe;
    SSL_CTX_set_client_hello_cb(s, hello_cb, NULL);
    SSL_CTX *c = client_ctx(e);
    SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256");
    SSL_CTX_set_alpn_protos(c, (const unsigned char *)"\x02h2", 3);
    int ok = handshake_with(e, c, s);
    out(r, "handshake=%d", ok);
    if (r->ret[0] == 0)
        snprintf(r->ret, sizeof r->ret, "not called");
}

static void p_ciphers(SSL *s, struct res *r)
{
    const unsigned char *p = NULL;
    size_t n = SSL_client_hello_get0_ciphers(s, &p);
    ret_u(r, n);
    out_bytes(r, "ciphers", p, n);
}
CASE(SSL_client_hello_get0_ciphers) { in_client_hello(e, r, p_ciphers); }

static void p_compression(SSL *s, struct res *r)
{
    const unsigned char *p = NULL;
    size_t n = SSL_client_hello_get0_compression_methods(s, &p);
    ret_u(r, n);
    out_bytes(r, "methods", p, n);
}
CASE(SSL_client_hello_get0_compression_methods) { in_client_hello(e, r, p_compression); }

static void p_ext(SSL *s, struct res *r)
{
    const unsigned char *p = NULL;
    size_t n = 0;
    ret_i(r, SSL_client_hello_get0_ext(s, TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &n));
    out_bytes(r, "alpn", p, n);
    out(r, "absent=%d", SSL_client_hello_get0_ext(s, 0xffaa, &p, &n));
}
CASE(SSL_client_hello_get0_ext) { in_client_hello(e, r, p_ext); }

static void p_random(SSL *s, struct res *r)
{
    const unsigned char *p = NULL;
    ret_u(r, SSL_client_hello_get0_random(s, &p));
    out(r, "p=%s", p ? "non-NULL" : "NULL");
}
CASE(SSL_client_hello_get0_random) { in_client_hello(e, r, p_random); }

static void p_session_id(SSL *s, struct res *r)
{
    const unsigned char *p = NULL;
    ret_u(r, SSL_client_hello_get0_session_id(s, &p));
}
CASE(SSL_client_hello_get0_session_id) { in_client_hello(e, r, p_session_id); }

static void p_present(SSL *s, struct res *r)
{
    int *exts = NULL;
    size_t n = 0;
    ret_i(r, SSL_client_hello_get1_extensions_present(s, &exts, &n));
    int sni = 0, alpn = 0, versions = 0;
    for (size_t i = 0; i < n; i++) {
        sni |= exts[i] == TLSEXT_TYPE_server_name;
        alpn |= exts[i] == TLSEXT_TYPE_application_layer_protocol_negotiation;
        versions |= exts[i] == TLSEXT_TYPE_supported_versions;
    }
    out(r, "sni=%d alpn=%d supported_versions=%d", sni, alpn, versions);
    OPENSSL_free(exts);
}
CASE(SSL_client_hello_get1_extensions_present) { in_client_hello(e, r, p_present); }

static void p_isv2(SSL *s, struct res *r) { ret_i(r, SSL_client_hello_isv2(s)); }
CASE(SSL_client_hello_isv2)
{
    in_client_hello(e, r, p_isv2);
    out(r, "outside=%d", SSL_client_hello_isv2(e->srv));
}

static void p_legacy(SSL *s, struct res *r) { snprintf(r->ret, sizeof r->ret, "%#x", SSL_client_hello_get0_legacy_version(s)); }
CASE(SSL_client_hello_get0_legacy_version)
{
    in_client_hello(e, r, p_legacy);
    out(r, "outside=%#x", SSL_client_hello_get0_legacy_version(e->srv));
}

CASE(SSL_bytes_to_cipher_list)
{
    static const unsigned char bytes[] = {0x13, 0x01, 0xc0, 0x2b, 0x00, 0xff, 0xfe, 0xfe};
    STACK_OF(SSL_CIPHER) *sk = NULL, *scsvs = NULL;
    ret_i(r, SSL_bytes_to_cipher_list(e->srv, bytes, sizeof bytes, 0, &sk, &scsvs));
    out(r, "ciphers=%d scsvs=%d", sk ? sk_SSL_CIPHER_num(sk) : -1, scsvs ? sk_SSL_CIPHER_num(scsvs) : -1);
    out(r, "odd=%d", SSL_bytes_to_cipher_list(e->srv, bytes, 3, 0, &sk, &scsvs));
    out_err(r, "odd_err");
}
