/*
 * abi_ctx2: SSL_CTX functions, part 2 — options and limits, ciphers, callbacks (several
 * observed through a handshake), extensions, CT, DANE, SRP, PSK.
 */
#include "abi.h"

#define NEED_CTX(c)                                                               \
    if ((c) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no SSL_CTX");                            \
        return;                                                                   \
    }

static int calls, calls2;

/* ------------------------------------------------------------------ options and limits */

CASE(SSL_CTX_get_options) { snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_CTX_get_options(e->ctx)); }

CASE(SSL_CTX_set_options)
{
    snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_CTX_set_options(e->ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE));
}

CASE(SSL_CTX_clear_options)
{
    SSL_CTX_set_options(e->ctx, SSL_OP_NO_TICKET);
    snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_CTX_clear_options(e->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION));
}

CASE(SSL_CTX_get_max_early_data) { ret_u(r, SSL_CTX_get_max_early_data(e->ctx)); }
CASE(SSL_CTX_get_recv_max_early_data) { ret_u(r, SSL_CTX_get_recv_max_early_data(e->ctx)); }
CASE(SSL_CTX_set_max_early_data) { ret_i(r, SSL_CTX_set_max_early_data(e->ctx, 1024)); out(r, "get=%u", SSL_CTX_get_max_early_data(e->ctx)); }
CASE(SSL_CTX_set_recv_max_early_data) { ret_i(r, SSL_CTX_set_recv_max_early_data(e->ctx, 2048)); out(r, "get=%u", SSL_CTX_get_recv_max_early_data(e->ctx)); }
CASE(SSL_CTX_get_num_tickets) { ret_u(r, SSL_CTX_get_num_tickets(e->ctx)); }
CASE(SSL_CTX_set_num_tickets) { ret_i(r, SSL_CTX_set_num_tickets(e->ctx, 3)); out(r, "get=%zu", SSL_CTX_get_num_tickets(e->ctx)); }
CASE(SSL_CTX_get_quiet_shutdown) { ret_i(r, SSL_CTX_get_quiet_shutdown(e->ctx)); }
CASE(SSL_CTX_set_quiet_shutdown) { SSL_CTX_set_quiet_shutdown(e->ctx, 1); ret_void(r); out(r, "get=%d", SSL_CTX_get_quiet_shutdown(e->ctx)); }
CASE(SSL_CTX_get_security_level) { ret_i(r, SSL_CTX_get_security_level(e->ctx)); }
CASE(SSL_CTX_set_security_level) { SSL_CTX_set_security_level(e->ctx, 3); ret_void(r); out(r, "get=%d", SSL_CTX_get_security_level(e->ctx)); }

CASE(SSL_CTX_set_block_padding)
{
    ret_i(r, SSL_CTX_set_block_padding(e->ctx, 16));
    out(r, "too_big=%d", SSL_CTX_set_block_padding(e->ctx, 20000));
}

CASE(SSL_CTX_set_default_read_buffer_len) { SSL_CTX_set_default_read_buffer_len(e->ctx, 32768); ret_void(r); }

CASE(SSL_CTX_set_tlsext_max_fragment_length)
{
    ret_i(r, SSL_CTX_set_tlsext_max_fragment_length(e->ctx, TLSEXT_max_fragment_length_1024));
    out(r, "bad=%d", SSL_CTX_set_tlsext_max_fragment_length(e->ctx, 9));
    out_err(r, "bad_err");
}

/* TLS 1.3 post-handshake client authentication, requested by the server after the handshake. */
CASE(SSL_CTX_set_post_handshake_auth)
{
    SSL_CTX *c = client_ctx(e), *sc = new_server_ctx(e);
    NEED_CTX(c);
    NEED_CTX(sc);
    SSL_CTX_set_post_handshake_auth(c, 1);
    ret_void(r);
    SSL_CTX_use_certificate(c, e->rsa_cert);
    SSL_CTX_use_PrivateKey(c, e->rsa_key);
    SSL_CTX_load_verify_locations(sc, e->ca_file, NULL);
    SSL_CTX_set_verify(sc, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    out_err(r, "setup_err");
    SSL *cl = NULL, *sv = NULL;
    out(r, "handshake=%d", handshake(e, c, sc, &cl, &sv));
    if (sv == NULL)
        return;
    out(r, "peer_before=%s", SSL_get0_peer_certificate(sv) ? "non-NULL" : "NULL");
    out(r, "request=%d", SSL_verify_client_post_handshake(sv));
    out(r, "send=%d", SSL_do_handshake(sv));
    pump(cl, sv);
    out(r, "peer_after=%s", SSL_get0_peer_certificate(sv) ? "non-NULL" : "NULL");
}

/* ------------------------------------------------------------------ ciphers */

/* How many TLS 1.3 suites a list holds (what SSL_CTX_set_ciphersuites sets). */
int tls13_count(const STACK_OF(SSL_CIPHER) *sk)
{
    int n = 0;
    for (int i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++)
        n += strcmp(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(sk, i)), "TLSv1.3") == 0;
    return sk ? n : -1;
}

CASE(SSL_CTX_get_ciphers) { ret_default_ciphers(r, SSL_CTX_get_ciphers(e->ctx)); }

CASE(SSL_CTX_set_cipher_list)
{
    ret_i(r, SSL_CTX_set_cipher_list(e->ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"));
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(e->ctx);
    out(r, "count=%d", sk ? sk_SSL_CIPHER_num(sk) : -1);
    out(r, "bad=%d", SSL_CTX_set_cipher_list(e->ctx, "NO-SUCH-CIPHER"));
    out_err(r, "bad_err");
}

CASE(SSL_CTX_set_ciphersuites)
{
    ret_i(r, SSL_CTX_set_ciphersuites(e->ctx, "TLS_AES_128_GCM_SHA256"));
    out(r, "tls13=%d", tls13_count(SSL_CTX_get_ciphers(e->ctx)));
    out(r, "bad=%d", SSL_CTX_set_ciphersuites(e->ctx, "TLS_NO_SUCH"));
    out_err(r, "bad_err");
    out(r, "empty=%d", SSL_CTX_set_ciphersuites(e->ctx, ""));
}

/* ------------------------------------------------------------------ ALPN, NPN */

static int alpn_select(SSL *s, const unsigned char **o, unsigned char *ol, const unsigned char *in,
                       unsigned int inl, void *arg)
{
    (void)s; (void)arg;
    calls++;
    if (SSL_select_next_proto((unsigned char **)o, ol, (const unsigned char *)"\x08http/1.1", 9, in, inl) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

CASE(SSL_CTX_set_alpn_protos)
{
    ret_i(r, SSL_CTX_set_alpn_protos(e->ctx, (const unsigned char *)"\x02h2\x08http/1.1", 12));
    out(r, "malformed=%d", SSL_CTX_set_alpn_protos(e->ctx, (const unsigned char *)"\x05h2", 3));
    out(r, "clear=%d", SSL_CTX_set_alpn_protos(e->ctx, NULL, 0));
}

CASE(SSL_CTX_set_alpn_select_cb)
{
    SSL_CTX *c = client_ctx(e), *s = new_server_ctx(e);
    NEED_CTX(c);
    NEED_CTX(s);
    SSL_CTX_set_alpn_protos(c, (const unsigned char *)"\x02h2\x08http/1.1", 12);
    SSL_CTX_set_alpn_select_cb(s, alpn_select, NULL);
    ret_void(r);
    SSL *cl = NULL, *sv = NULL;
    out(r, "handshake=%d", handshake(e, c, s, &cl, &sv));
    out(r, "calls=%d", calls);
    if (cl != NULL) {
        const unsigned char *p = NULL;
        unsigned int n = 0;
        SSL_get0_alpn_selected(cl, &p, &n);
        out_bytes(r, "selected", p, n);
    }
}

static int npn_select(SSL *s, unsigned char **o, unsigned char *ol, const unsigned char *in, unsigned int inl, void *arg)
{ (void)s; (void)o; (void)ol; (void)in; (void)inl; (void)arg; return SSL_TLSEXT_ERR_NOACK; }
static int npn_adv(SSL *s, const unsigned char **o, unsigned int *ol, void *arg)
{ (void)s; (void)o; (void)ol; (void)arg; return SSL_TLSEXT_ERR_NOACK; }
static int npn_select_http(SSL *s, unsigned char **o, unsigned char *ol, const unsigned char *in, unsigned int inl, void *arg)
{
    (void)s; (void)arg;
    calls++;
    SSL_select_next_proto(o, ol, in, inl, (const unsigned char *)"\x08http/1.1", 9);
    return SSL_TLSEXT_ERR_OK;
}
static int npn_adv_http(SSL *s, const unsigned char **o, unsigned int *ol, void *arg)
{
    (void)s; (void)arg;
    calls2++;
    *o = (const unsigned char *)"\x02h2\x08http/1.1";
    *ol = 12;
    return SSL_TLSEXT_ERR_OK;
}

CASE(SSL_CTX_set_next_proto_select_cb) { SSL_CTX_set_next_proto_select_cb(e->ctx, npn_select, NULL); ret_void(r); }

/* NPN over TLS 1.2: the server advertises, the client's callback selects. */
CASE(SSL_CTX_set_next_protos_advertised_cb)
{
    SSL_CTX_set_next_protos_advertised_cb(e->ctx, npn_adv, NULL);
    ret_void(r);
    SSL_CTX *c = client_ctx(e), *sc = new_server_ctx(e);
    NEED_CTX(c);
    NEED_CTX(sc);
    SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_next_proto_select_cb(c, npn_select_http, NULL);
    SSL_CTX_set_next_protos_advertised_cb(sc, npn_adv_http, NULL);
    SSL *cl = NULL, *sv = NULL;
    int ok = handshake(e, c, sc, &cl, &sv);
    out(r, "handshake=%d select_calls=%d advertise_calls=%d", ok, calls, calls2);
    const unsigned char *p = NULL;
    unsigned int n = 0;
    if (sv != NULL)
        SSL_get0_next_proto_negotiated(sv, &p, &n);
    out_bytes(r, "server_got", p, n);
}

/* ------------------------------------------------------------------ handshake callbacks */

static void info_cb(const SSL *s, int where, int ret)
{
    (void)s; (void)ret;
    if (where & SSL_CB_HANDSHAKE_START) calls |= 1;
    if (where & SSL_CB_HANDSHAKE_DONE) calls |= 2;
    if (where & SSL_CB_CONNECT_LOOP) calls |= 4;
}

CASE(SSL_CTX_set_info_callback)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_info_callback(c, info_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_info_callback(c) == info_cb);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "start=%d done=%d loop=%d", calls & 1, (calls & 2) >> 1, (calls & 4) >> 2);
}

CASE(SSL_CTX_get_info_callback) { RET_FP(r, SSL_CTX_get_info_callback(e->ctx)); }

static void msg_cb(int wp, int v, int ct, const void *buf, size_t len, SSL *s, void *arg)
{
    (void)v; (void)buf; (void)len; (void)s; (void)arg;
    if (ct == SSL3_RT_HANDSHAKE)
        ++*(wp ? &calls : &calls2);
}

CASE(SSL_CTX_set_msg_callback)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_msg_callback(c, msg_cb);
    ret_void(r);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "sent=%s received=%s", calls ? "yes" : "no", calls2 ? "yes" : "no");
}

static char keylog_labels[8][40];
static void keylog_cb(const SSL *s, const char *line)
{
    (void)s;
    if (calls < 8)
        snprintf(keylog_labels[calls], sizeof keylog_labels[0], "%.*s", (int)strcspn(line, " "), line);
    calls++;
}

static int by_label(const void *a, const void *b) { return strcmp(a, b); }

CASE(SSL_CTX_set_keylog_callback)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_keylog_callback(c, keylog_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_keylog_callback(c) == keylog_cb);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "lines=%d", calls);
    /* the order in which the secrets are logged is the library's own */
    qsort(keylog_labels, calls < 8 ? (size_t)calls : 8, sizeof keylog_labels[0], by_label);
    for (int i = 0; i < calls && i < 8; i++)
        out(r, "%s", keylog_labels[i]);
}

CASE(SSL_CTX_get_keylog_callback) { RET_FP(r, SSL_CTX_get_keylog_callback(e->ctx)); }

static int client_hello_cb(SSL *s, int *al, void *arg)
{
    (void)al; (void)arg;
    calls++;
    const unsigned char *p = NULL;
    calls2 = (int)SSL_client_hello_get0_ciphers(s, &p);
    return SSL_CLIENT_HELLO_SUCCESS;
}

CASE(SSL_CTX_set_client_hello_cb)
{
    SSL_CTX *s = new_server_ctx(e);
    NEED_CTX(s);
    SSL_CTX_set_client_hello_cb(s, client_hello_cb, NULL);
    ret_void(r);
    SSL_CTX *c = client_ctx(e);
    SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256");
    out(r, "handshake=%d", handshake_with(e, c, s));
    out(r, "calls=%d cipher_bytes=%d", calls, calls2);
}

static int cert_cb(SSL *s, void *arg) { (void)s; (void)arg; calls++; return 1; }

CASE(SSL_CTX_set_cert_cb)
{
    SSL_CTX *s = new_server_ctx(e);
    NEED_CTX(s);
    SSL_CTX_set_cert_cb(s, cert_cb, NULL);
    ret_void(r);
    out(r, "handshake=%d", handshake_with(e, client_ctx(e), s));
    out(r, "calls=%d", calls);
}

static int client_cert_cb(SSL *s, X509 **x, EVP_PKEY **k) { (void)s; (void)x; (void)k; calls++; return 0; }

CASE(SSL_CTX_set_client_cert_cb)
{
    SSL_CTX *s = new_server_ctx(e), *c = client_ctx(e);
    NEED_CTX(s);
    NEED_CTX(c);
    SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_client_cert_cb(c, client_cert_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_client_cert_cb(c) == client_cert_cb);
    out(r, "handshake=%d", handshake_with(e, c, s));
    out(r, "calls=%d", calls);
}

CASE(SSL_CTX_get_client_cert_cb) { RET_FP(r, SSL_CTX_get_client_cert_cb(e->ctx)); }

static int sec_cb(const SSL *s, const SSL_CTX *c, int op, int bits, int nid, void *o, void *ex)
{ (void)s; (void)c; (void)op; (void)bits; (void)nid; (void)o; (void)ex; return 1; }

CASE(SSL_CTX_get_security_callback) { RET_FP(r, SSL_CTX_get_security_callback(e->ctx)); }

CASE(SSL_CTX_set_security_callback)
{
    SSL_CTX_set_security_callback(e->ctx, sec_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_security_callback(e->ctx) == sec_cb);
}

CASE(SSL_CTX_get0_security_ex_data) { ret_p(r, SSL_CTX_get0_security_ex_data(e->ctx)); }

CASE(SSL_CTX_set0_security_ex_data)
{
    SSL_CTX_set0_security_ex_data(e->ctx, e);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get0_security_ex_data(e->ctx) == e);
}

static int allow_early(SSL *s, void *arg) { (void)s; (void)arg; return 1; }
CASE(SSL_CTX_set_allow_early_data_cb) { SSL_CTX_set_allow_early_data_cb(e->ctx, allow_early, NULL); ret_void(r); }

static int async_cb(SSL *s, void *arg) { (void)s; (void)arg; return 1; }
CASE(SSL_CTX_set_async_callback) { ret_i(r, SSL_CTX_set_async_callback(e->ctx, async_cb)); }
CASE(SSL_CTX_set_async_callback_arg) { ret_i(r, SSL_CTX_set_async_callback_arg(e->ctx, e)); }

static int gen_cookie(SSL *s, unsigned char *c, unsigned int *n) { (void)s; (void)c; *n = 0; return 1; }
static int ver_cookie(SSL *s, const unsigned char *c, unsigned int n) { (void)s; (void)c; (void)n; return 1; }
static int sgen_cookie(SSL *s, unsigned char *c, size_t *n) { (void)s; (void)c; *n = 0; return 1; }
static int sver_cookie(SSL *s, const unsigned char *c, size_t n) { (void)s; (void)c; (void)n; return 1; }
CASE(SSL_CTX_set_cookie_generate_cb) { SSL_CTX_set_cookie_generate_cb(e->ctx, gen_cookie); ret_void(r); }
CASE(SSL_CTX_set_cookie_verify_cb) { SSL_CTX_set_cookie_verify_cb(e->ctx, ver_cookie); ret_void(r); }
CASE(SSL_CTX_set_stateless_cookie_generate_cb) { SSL_CTX_set_stateless_cookie_generate_cb(e->ctx, sgen_cookie); ret_void(r); }
CASE(SSL_CTX_set_stateless_cookie_verify_cb) { SSL_CTX_set_stateless_cookie_verify_cb(e->ctx, sver_cookie); ret_void(r); }

static int not_resumable(SSL *s, int is_forward_secure) { (void)s; (void)is_forward_secure; return 0; }
CASE(SSL_CTX_set_not_resumable_session_callback) { SSL_CTX_set_not_resumable_session_callback(e->ctx, not_resumable); ret_void(r); }

static size_t padding_cb(SSL *s, int type, size_t len, void *arg) { (void)s; (void)type; (void)len; (void)arg; return 0; }
static size_t count_padding(SSL *s, int type, size_t len, void *arg) { (void)s; (void)type; (void)len; (void)arg; calls++; return 0; }

CASE(SSL_CTX_set_record_padding_callback)
{
    SSL_CTX_set_record_padding_callback(e->ctx, padding_cb);
    ret_void(r);
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_record_padding_callback(c, count_padding);
    SSL *cl = NULL, *sv = NULL;
    int ok = handshake(e, c, e->sctx, &cl, &sv);
    int before = calls;
    if (cl != NULL)
        SSL_write(cl, "x", 1);
    out(r, "handshake=%d called=%s on_write=%s", ok, before > 0 ? "yes" : "no", calls > before ? "yes" : "no");
}
CASE(SSL_CTX_get_record_padding_callback_arg) { ret_p(r, SSL_CTX_get_record_padding_callback_arg(e->ctx)); }
CASE(SSL_CTX_set_record_padding_callback_arg)
{
    SSL_CTX_set_record_padding_callback_arg(e->ctx, e);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_record_padding_callback_arg(e->ctx) == e);
}

static int ticket_gen(SSL *s, void *arg) { (void)s; (void)arg; calls++; return 1; }
static SSL_TICKET_RETURN ticket_dec(SSL *s, SSL_SESSION *ss, const unsigned char *k, size_t kl, SSL_TICKET_STATUS st, void *arg)
{ (void)s; (void)ss; (void)k; (void)kl; (void)st; (void)arg; return SSL_TICKET_RETURN_USE_RENEW; }

CASE(SSL_CTX_set_session_ticket_cb)
{
    SSL_CTX *s = new_server_ctx(e);
    NEED_CTX(s);
    ret_i(r, SSL_CTX_set_session_ticket_cb(s, ticket_gen, ticket_dec, NULL));
    out(r, "handshake=%d", handshake_with(e, client_ctx(e), s));
    out(r, "gen_calls=%d", calls);
}

static int ticket_key_cb(SSL *s, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *c, EVP_MAC_CTX *h, int enc)
{ (void)s; (void)name; (void)iv; (void)c; (void)h; (void)enc; calls++; return 0; }
CASE(SSL_CTX_set_tlsext_ticket_key_evp_cb) { ret_i(r, SSL_CTX_set_tlsext_ticket_key_evp_cb(e->ctx, ticket_key_cb)); }

/* ------------------------------------------------------------------ ex_data */

CASE(SSL_CTX_set_ex_data)
{
    int idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_i(r, SSL_CTX_set_ex_data(e->ctx, idx, e));
    out(r, "get=%d", SSL_CTX_get_ex_data(e->ctx, idx) == e);
}

CASE(SSL_CTX_get_ex_data)
{
    int idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_p(r, SSL_CTX_get_ex_data(e->ctx, idx));
}

/* ------------------------------------------------------------------ custom extensions */

static int ext_add(SSL *s, unsigned int t, const unsigned char **o, size_t *ol, int *al, void *arg)
{ (void)s; (void)t; (void)al; (void)arg; *o = (const unsigned char *)"x"; *ol = 1; calls++; return 1; }
static void ext_free(SSL *s, unsigned int t, const unsigned char *o, void *arg) { (void)s; (void)t; (void)o; (void)arg; }
static int ext_parse(SSL *s, unsigned int t, const unsigned char *in, size_t inl, int *al, void *arg)
{ (void)s; (void)t; (void)in; (void)inl; (void)al; (void)arg; calls2++; return 1; }
static int ext_add_ex(SSL *s, unsigned int t, unsigned int ctx, const unsigned char **o, size_t *ol, X509 *x, size_t ci, int *al, void *arg)
{ (void)ctx; (void)x; (void)ci; return ext_add(s, t, o, ol, al, arg); }
static void ext_free_ex(SSL *s, unsigned int t, unsigned int ctx, const unsigned char *o, void *arg) { (void)s; (void)t; (void)ctx; (void)o; (void)arg; }
static int ext_parse_ex(SSL *s, unsigned int t, unsigned int ctx, const unsigned char *in, size_t inl, X509 *x, size_t ci, int *al, void *arg)
{ (void)ctx; (void)x; (void)ci; return ext_parse(s, t, in, inl, al, arg); }

CASE(SSL_CTX_add_client_custom_ext)
{
    ret_i(r, SSL_CTX_add_client_custom_ext(e->ctx, 1000, ext_add, ext_free, NULL, ext_parse, NULL));
    out(r, "again=%d", SSL_CTX_add_client_custom_ext(e->ctx, 1000, ext_add, ext_free, NULL, ext_parse, NULL));
    out(r, "builtin=%d", SSL_CTX_add_client_custom_ext(e->ctx, TLSEXT_TYPE_server_name, ext_add, ext_free, NULL, ext_parse, NULL));
}

CASE(SSL_CTX_add_server_custom_ext)
{
    ret_i(r, SSL_CTX_add_server_custom_ext(e->ctx, 1000, ext_add, ext_free, NULL, ext_parse, NULL));
}

CASE(SSL_CTX_add_custom_ext)
{
    SSL_CTX *c = client_ctx(e), *s = new_server_ctx(e);
    NEED_CTX(c);
    NEED_CTX(s);
    unsigned int where = SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_ENCRYPTED_EXTENSIONS;
    ret_i(r, SSL_CTX_add_custom_ext(c, 1001, where, ext_add_ex, ext_free_ex, NULL, ext_parse_ex, NULL));
    out(r, "server=%d", SSL_CTX_add_custom_ext(s, 1001, where, ext_add_ex, ext_free_ex, NULL, ext_parse_ex, NULL));
    out(r, "handshake=%d", handshake_with(e, c, s));
    out(r, "added=%d parsed=%d", calls, calls2);
}

CASE(SSL_CTX_has_client_custom_ext)
{
    ret_i(r, SSL_CTX_has_client_custom_ext(e->ctx, 1000));
    SSL_CTX_add_client_custom_ext(e->ctx, 1000, ext_add, ext_free, NULL, ext_parse, NULL);
    out(r, "after_add=%d", SSL_CTX_has_client_custom_ext(e->ctx, 1000));
}

/* ------------------------------------------------------------------ CT */

static int ct_cb(const CT_POLICY_EVAL_CTX *c, const STACK_OF(SCT) *s, void *arg) { (void)c; (void)s; (void)arg; return 1; }
CASE(SSL_CTX_ct_is_enabled) { ret_i(r, SSL_CTX_ct_is_enabled(e->ctx)); }
CASE(SSL_CTX_enable_ct)
{
    ret_i(r, SSL_CTX_enable_ct(e->ctx, SSL_CT_VALIDATION_PERMISSIVE));
    out(r, "enabled=%d", SSL_CTX_ct_is_enabled(e->ctx));
    out(r, "bad_mode=%d", SSL_CTX_enable_ct(e->ctx, 7));
}
CASE(SSL_CTX_set_ct_validation_callback) { ret_i(r, SSL_CTX_set_ct_validation_callback(e->ctx, ct_cb, NULL)); out(r, "enabled=%d", SSL_CTX_ct_is_enabled(e->ctx)); }
CASE(SSL_CTX_get0_ctlog_store) { ret_p(r, SSL_CTX_get0_ctlog_store(e->ctx)); }
CASE(SSL_CTX_set0_ctlog_store)
{
    CTLOG_STORE *st = CTLOG_STORE_new();
    SSL_CTX_set0_ctlog_store(e->ctx, st);
    ret_void(r);
    out(r, "same=%d", SSL_CTX_get0_ctlog_store(e->ctx) == st);
}
CASE(SSL_CTX_set_ctlog_list_file) { ret_i(r, SSL_CTX_set_ctlog_list_file(e->ctx, "/nonexistent/ct_log_list.cnf")); }
CASE(SSL_CTX_set_default_ctlog_list_file) { ret_i(r, SSL_CTX_set_default_ctlog_list_file(e->ctx)); }

/* ------------------------------------------------------------------ DANE */

CASE(SSL_CTX_dane_enable) { ret_i(r, SSL_CTX_dane_enable(e->ctx)); }
CASE(SSL_CTX_dane_mtype_set)
{
    SSL_CTX_dane_enable(e->ctx);
    ret_i(r, SSL_CTX_dane_mtype_set(e->ctx, EVP_sha512(), 2, 1));
    out(r, "full=%d", SSL_CTX_dane_mtype_set(e->ctx, EVP_sha256(), 0, 1));
}
CASE(SSL_CTX_dane_set_flags) { ret_u(r, SSL_CTX_dane_set_flags(e->ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS)); }
CASE(SSL_CTX_dane_clear_flags)
{
    SSL_CTX_dane_set_flags(e->ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    ret_u(r, SSL_CTX_dane_clear_flags(e->ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
}

/* ------------------------------------------------------------------ SRTP, engine */

CASE(SSL_CTX_set_tlsext_use_srtp)
{
    ret_i(r, SSL_CTX_set_tlsext_use_srtp(e->ctx, "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"));
    out(r, "bad=%d", SSL_CTX_set_tlsext_use_srtp(e->ctx, "SRTP_NO_SUCH"));
    out_err(r, "bad_err");
}

CASE(SSL_CTX_set_client_cert_engine)
{
    ENGINE *eng = ENGINE_by_id("dynamic");
    ERR_clear_error();
    if (eng == NULL) { snprintf(r->ret, sizeof r->ret, "no engine"); return; }
    ret_i(r, SSL_CTX_set_client_cert_engine(e->ctx, eng));
}

/* ------------------------------------------------------------------ SRP */

static char *srp_pwd(SSL *s, void *arg) { (void)s; (void)arg; return NULL; }
static int srp_user(SSL *s, int *ad, void *arg) { (void)s; (void)ad; (void)arg; return SSL_ERROR_NONE; }
static int srp_verify(SSL *s, void *arg) { (void)s; (void)arg; return 1; }
CASE(SSL_CTX_SRP_CTX_init) { ret_i(r, SSL_CTX_SRP_CTX_init(e->ctx)); }
CASE(SSL_CTX_SRP_CTX_free) { SSL_CTX_set_srp_username(e->ctx, "user"); ret_i(r, SSL_CTX_SRP_CTX_free(e->ctx)); }
CASE(SSL_CTX_set_srp_cb_arg) { ret_i(r, SSL_CTX_set_srp_cb_arg(e->ctx, e)); }
CASE(SSL_CTX_set_srp_client_pwd_callback) { ret_i(r, SSL_CTX_set_srp_client_pwd_callback(e->ctx, srp_pwd)); }
CASE(SSL_CTX_set_srp_password) { ret_i(r, SSL_CTX_set_srp_password(e->ctx, "secret")); }
CASE(SSL_CTX_set_srp_strength) { ret_i(r, SSL_CTX_set_srp_strength(e->ctx, 2048)); }
CASE(SSL_CTX_set_srp_username) { ret_i(r, SSL_CTX_set_srp_username(e->ctx, "user")); }
CASE(SSL_CTX_set_srp_username_callback) { ret_i(r, SSL_CTX_set_srp_username_callback(e->ctx, srp_user)); }
CASE(SSL_CTX_set_srp_verify_param_callback) { ret_i(r, SSL_CTX_set_srp_verify_param_callback(e->ctx, srp_verify)); }

/* ------------------------------------------------------------------ PSK */

static unsigned int psk_client(SSL *s, const char *hint, char *id, unsigned int maxid, unsigned char *psk, unsigned int maxpsk)
{ (void)s; (void)hint; (void)id; (void)maxid; (void)psk; (void)maxpsk; return 0; }
static unsigned int psk_server(SSL *s, const char *id, unsigned char *psk, unsigned int maxpsk)
{ (void)s; (void)id; (void)psk; (void)maxpsk; return 0; }
static int psk_find(SSL *s, const unsigned char *id, size_t idl, SSL_SESSION **ss) { (void)s; (void)id; (void)idl; *ss = NULL; return 1; }
static int psk_use(SSL *s, const EVP_MD *md, const unsigned char **id, size_t *idl, SSL_SESSION **ss)
{ (void)s; (void)md; (void)id; (void)idl; *ss = NULL; calls++; return 1; }

static unsigned int psk_client_key(SSL *s, const char *hint, char *id, unsigned int maxid, unsigned char *psk, unsigned int maxpsk)
{
    (void)s; (void)hint;
    if (maxid < 4 || maxpsk < 16)
        return 0;
    memcpy(id, "abi", 4);
    memset(psk, 0x42, 16);
    return 16;
}
static unsigned int psk_server_key(SSL *s, const char *id, unsigned char *psk, unsigned int maxpsk)
{
    (void)s;
    if (strcmp(id, "abi") != 0 || maxpsk < 16)
        return 0;
    memset(psk, 0x42, 16);
    return 16;
}

/* A TLS 1.2 PSK handshake (no certificates). */
CASE(SSL_CTX_set_psk_client_callback)
{
    SSL_CTX_set_psk_client_callback(e->ctx, psk_client);
    ret_void(r);
    SSL_CTX *c = SSL_CTX_new(TLS_client_method()), *sc = SSL_CTX_new(TLS_server_method());
    NEED_CTX(c);
    NEED_CTX(sc);
    SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(c, "PSK-AES128-GCM-SHA256");
    SSL_CTX_set_cipher_list(sc, "PSK-AES128-GCM-SHA256");
    SSL_CTX_set_psk_client_callback(c, psk_client_key);
    SSL_CTX_set_psk_server_callback(sc, psk_server_key);
    out_err(r, "setup_err");
    SSL *cl = NULL, *sv = NULL;
    out(r, "handshake=%d", handshake(e, c, sc, &cl, &sv));
    if (sv != NULL) {
        out_s(r, "identity", SSL_get_psk_identity(sv));
        out_s(r, "cipher", SSL_get_cipher_name(cl));
    }
}
CASE(SSL_CTX_set_psk_server_callback) { SSL_CTX_set_psk_server_callback(e->ctx, psk_server); ret_void(r); }
CASE(SSL_CTX_set_psk_find_session_callback) { SSL_CTX_set_psk_find_session_callback(e->ctx, psk_find); ret_void(r); }
CASE(SSL_CTX_set_psk_use_session_callback)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_psk_use_session_callback(c, psk_use);
    ret_void(r);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "calls=%d", calls);
}
