/*
 * abi_ssl3: SSL functions, part 3 — per-connection settings (the SSL-level twins of the
 * SSL_CTX setters), certificates and keys, host names, DANE, CT, SRP, PSK.
 */
#include "abi.h"

#include <openssl/srp.h>

static int calls;

#define NEED_SSL(s)                                                               \
    if ((s) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no SSL");                                \
        return;                                                                   \
    }

/* ------------------------------------------------------------------ options and limits */

CASE(SSL_set_options)
{
    snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_set_options(e->ssl, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION));
}

CASE(SSL_clear_options)
{
    SSL_set_options(e->ssl, SSL_OP_NO_TICKET);
    snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_clear_options(e->ssl, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION));
}

CASE(SSL_set_max_early_data) { ret_i(r, SSL_set_max_early_data(e->ssl, 1024)); out(r, "get=%u", SSL_get_max_early_data(e->ssl)); }
CASE(SSL_set_recv_max_early_data) { ret_i(r, SSL_set_recv_max_early_data(e->ssl, 2048)); out(r, "get=%u", SSL_get_recv_max_early_data(e->ssl)); }
CASE(SSL_set_num_tickets) { ret_i(r, SSL_set_num_tickets(e->ssl, 4)); out(r, "get=%zu", SSL_get_num_tickets(e->ssl)); }
CASE(SSL_set_security_level) { SSL_set_security_level(e->ssl, 1); ret_void(r); out(r, "get=%d", SSL_get_security_level(e->ssl)); }
CASE(SSL_set_block_padding) { ret_i(r, SSL_set_block_padding(e->ssl, 32)); out(r, "too_big=%d", SSL_set_block_padding(e->ssl, 20000)); }
CASE(SSL_set_default_read_buffer_len) { SSL_set_default_read_buffer_len(e->ssl, 32768); ret_void(r); }
CASE(SSL_set_post_handshake_auth) { SSL_set_post_handshake_auth(e->ssl, 1); ret_void(r); }
CASE(SSL_set_ssl_method)
{
    ret_i(r, SSL_set_ssl_method(e->ssl, TLS_client_method()));
    out(r, "same=%d server=%d", SSL_get_ssl_method(e->ssl) == TLS_client_method(), SSL_is_server(e->ssl));
}

CASE(SSL_set_tlsext_max_fragment_length)
{
    ret_i(r, SSL_set_tlsext_max_fragment_length(e->ssl, TLSEXT_max_fragment_length_2048));
    out(r, "bad=%d", SSL_set_tlsext_max_fragment_length(e->ssl, 9));
    out_err(r, "bad_err");
}

CASE(SSL_set_tlsext_use_srtp)
{
    ret_i(r, SSL_set_tlsext_use_srtp(e->ssl, "SRTP_AES128_CM_SHA1_80"));
    STACK_OF(SRTP_PROTECTION_PROFILE) *sk = SSL_get_srtp_profiles(e->ssl);
    out(r, "profiles=%d", sk ? sk_SRTP_PROTECTION_PROFILE_num(sk) : -1);
    out(r, "bad=%d", SSL_set_tlsext_use_srtp(e->ssl, "SRTP_NO_SUCH"));
}

CASE(SSL_config) { ret_i(r, SSL_config(e->ssl, "no_such_section")); }

/* ------------------------------------------------------------------ ciphers and ALPN */

CASE(SSL_set_cipher_list)
{
    ret_i(r, SSL_set_cipher_list(e->ssl, "ECDHE-ECDSA-AES256-GCM-SHA384"));
    STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(e->ssl);
    out(r, "count=%d", sk ? sk_SSL_CIPHER_num(sk) : -1);
    out(r, "bad=%d", SSL_set_cipher_list(e->ssl, "NO-SUCH-CIPHER"));
    out_err(r, "bad_err");
}

CASE(SSL_set_ciphersuites)
{
    ret_i(r, SSL_set_ciphersuites(e->ssl, "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"));
    STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(e->ssl);
    out(r, "tls13=%d", tls13_count(sk));
    out_s(r, "first", sk && sk_SSL_CIPHER_num(sk) ? SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)) : NULL);
    out(r, "bad=%d", SSL_set_ciphersuites(e->ssl, "TLS_NO_SUCH"));
}

static int alpn_select(SSL *s, const unsigned char **o, unsigned char *ol, const unsigned char *in,
                       unsigned int inl, void *arg)
{
    (void)s; (void)arg;
    if (SSL_select_next_proto((unsigned char **)o, ol, (const unsigned char *)"\x02h2", 3, in, inl) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static void offer_h2(SSL *c, SSL *s) { (void)s; calls = SSL_set_alpn_protos(c, (const unsigned char *)"\x02h2", 3); }

CASE(SSL_set_alpn_protos)
{
    ret_i(r, SSL_set_alpn_protos(e->ssl, (const unsigned char *)"\x02h2", 3));
    out(r, "malformed=%d", SSL_set_alpn_protos(e->ssl, (const unsigned char *)"\x00", 1));
    out_err(r, "malformed_err");
    out(r, "clear=%d", SSL_set_alpn_protos(e->ssl, NULL, 0));
    SSL_CTX *sc = new_server_ctx(e);
    if (sc == NULL)
        return;
    SSL_CTX_set_alpn_select_cb(sc, alpn_select, NULL);
    SSL *c = NULL, *s = NULL;
    before_handshake = offer_h2;
    int ok = handshake(e, e->cctx, sc, &c, &s);
    out(r, "handshake=%d set=%d", ok, calls);
    before_handshake = NULL;
    const unsigned char *p = NULL;
    unsigned int n = 0;
    if (c != NULL)
        SSL_get0_alpn_selected(c, &p, &n);
    out_bytes(r, "selected", p, n);
}

/* ------------------------------------------------------------------ verification */

static int verify_cb(int ok, X509_STORE_CTX *x) { (void)x; calls++; return ok; }

static void verify_with_cb(SSL *c, SSL *s) { (void)s; SSL_set_verify(c, SSL_VERIFY_PEER, verify_cb); }

CASE(SSL_set_verify)
{
    SSL_set_verify(e->ssl, SSL_VERIFY_PEER, verify_cb);
    ret_void(r);
    out(r, "mode=%d cb=%d", SSL_get_verify_mode(e->ssl), SSL_get_verify_callback(e->ssl) == verify_cb);
    SSL *c = NULL, *s = NULL;
    before_handshake = verify_with_cb;
    int ok = handshake(e, e->cctx, e->sctx, &c, &s);
    before_handshake = NULL;
    out(r, "handshake=%d called=%s", ok, calls > 0 ? "yes" : "no");
}

CASE(SSL_set_verify_depth) { SSL_set_verify_depth(e->ssl, 3); ret_void(r); out(r, "get=%d", SSL_get_verify_depth(e->ssl)); }

CASE(SSL_set_verify_result)
{
    SSL_set_verify_result(e->cli, X509_V_ERR_CERT_HAS_EXPIRED);
    ret_void(r);
    out(r, "get=%ld", SSL_get_verify_result(e->cli));
}

CASE(SSL_set1_param)
{
    X509_VERIFY_PARAM *p = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set_depth(p, 6);
    ret_i(r, SSL_set1_param(e->ssl, p));
    out(r, "depth=%d", SSL_get_verify_depth(e->ssl));
}

CASE(SSL_set_purpose) { ret_i(r, SSL_set_purpose(e->ssl, X509_PURPOSE_SSL_CLIENT)); out(r, "bad=%d", SSL_set_purpose(e->ssl, 999)); }
CASE(SSL_set_trust) { ret_i(r, SSL_set_trust(e->ssl, X509_TRUST_SSL_CLIENT)); out(r, "bad=%d", SSL_set_trust(e->ssl, 999)); }

/* Host-name checking, observed through a handshake whose client checks for `name`. */
static const char *want_host;
static int host_mode; /* 0: SSL_set1_host, 1: SSL_add1_host, 2: SSL_set_hostflags */
static void set_host(SSL *c, SSL *s)
{
    (void)s;
    if (host_mode == 0)
        calls = SSL_set1_host(c, want_host);
    else if (host_mode == 1)
        calls = SSL_add1_host(c, want_host);
    else
        SSL_set_hostflags(c, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
}

static void host_case(struct env *e, struct res *r, int mode, const char *name)
{
    SSL *c = NULL, *s = NULL;
    want_host = name;
    host_mode = mode;
    before_handshake = set_host;
    int ok = handshake(e, e->cctx, e->sctx, &c, &s);
    before_handshake = NULL;
    out(r, "%s: ret=%d handshake=%d", name, calls, ok);
}

CASE(SSL_set1_host)
{
    ret_i(r, SSL_set1_host(e->ssl, "example.com"));
    out_s(r, "peername", SSL_get0_peername(e->ssl));
    host_case(e, r, 0, "localhost");
    host_case(e, r, 0, "wrong.example");
}

CASE(SSL_add1_host)
{
    ret_i(r, SSL_add1_host(e->ssl, "example.com"));
    host_case(e, r, 1, "wrong.example");
}

CASE(SSL_set_hostflags)
{
    SSL_set_hostflags(e->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ret_void(r);
    host_case(e, r, 2, "localhost");
}

/* ------------------------------------------------------------------ CA lists */

CASE(SSL_set0_CA_list)
{
    SSL_set0_CA_list(e->ssl, names_of_ca(e));
    ret_void(r);
    const STACK_OF(X509_NAME) *sk = SSL_get0_CA_list(e->ssl);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_set_client_CA_list)
{
    SSL_set_client_CA_list(e->ssl, names_of_ca(e));
    ret_void(r);
    STACK_OF(X509_NAME) *sk = SSL_get_client_CA_list(e->ssl);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_add1_to_CA_list)
{
    ret_i(r, SSL_add1_to_CA_list(e->ssl, e->ca));
    const STACK_OF(X509_NAME) *sk = SSL_get0_CA_list(e->ssl);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_add_client_CA)
{
    ret_i(r, SSL_add_client_CA(e->ssl, e->ca));
    STACK_OF(X509_NAME) *sk = SSL_get_client_CA_list(e->ssl);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

/* ------------------------------------------------------------------ certificates and keys */

/* The server's certificate and key set on the SSL only (its SSL_CTX has none). */
static struct env *cert_env;
static void server_cert_on_ssl(SSL *c, SSL *s)
{
    (void)c;
    calls = SSL_use_certificate(s, cert_env->cert) * 10 + SSL_use_PrivateKey(s, cert_env->key);
}

CASE(SSL_use_certificate)
{
    ret_i(r, SSL_use_certificate(e->ssl, e->cert));
    out(r, "get=%d", SSL_get_certificate(e->ssl) == e->cert);
    SSL_CTX *sc = SSL_CTX_new(TLS_server_method()), *cc = client_ctx(e);
    SSL *c = NULL, *s = NULL;
    cert_env = e;
    before_handshake = server_cert_on_ssl;
    /* the client does not verify: SSL_use_certificate sets the leaf without its chain */
    if (cc != NULL)
        SSL_CTX_set_verify(cc, SSL_VERIFY_NONE, NULL);
    int ok = sc && cc && handshake(e, cc, sc, &c, &s);
    before_handshake = NULL;
    out(r, "server_handshake=%d set=%d", ok, calls);
    if (c != NULL)
        out(r, "peer=%d", X509_cmp(SSL_get0_peer_certificate(c), e->cert) == 0);
}

CASE(SSL_use_certificate_ASN1)
{
    unsigned char *der = NULL;
    int n = i2d_X509(e->cert, &der);
    ret_i(r, SSL_use_certificate_ASN1(e->ssl, der, n));
    out(r, "same=%d", X509_cmp(SSL_get_certificate(e->ssl), e->cert) == 0);
}

CASE(SSL_use_certificate_file)
{
    ret_i(r, SSL_use_certificate_file(e->ssl, e->cert_file, SSL_FILETYPE_PEM));
    out(r, "missing=%d", SSL_use_certificate_file(e->ssl, "/nonexistent.pem", SSL_FILETYPE_PEM));
    out_err(r, "missing_err");
}

CASE(SSL_use_certificate_chain_file)
{
    ret_i(r, SSL_use_certificate_chain_file(e->ssl, e->chain_file));
    out_s(r, "cert", SSL_get_certificate(e->ssl) ? "set" : NULL);
}

CASE(SSL_use_PrivateKey)
{
    SSL_use_certificate(e->ssl, e->cert);
    ret_i(r, SSL_use_PrivateKey(e->ssl, e->key));
    out(r, "check=%d", SSL_check_private_key(e->ssl));
}

CASE(SSL_use_PrivateKey_ASN1)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(e->key, &der);
    ret_i(r, SSL_use_PrivateKey_ASN1(EVP_PKEY_EC, e->ssl, der, n));
    out(r, "key=%s", SSL_get_privatekey(e->ssl) ? "non-NULL" : "NULL");
}

CASE(SSL_use_PrivateKey_file)
{
    ret_i(r, SSL_use_PrivateKey_file(e->ssl, e->key_file, SSL_FILETYPE_PEM));
    out(r, "missing=%d", SSL_use_PrivateKey_file(e->ssl, "/nonexistent.key", SSL_FILETYPE_PEM));
    out_err(r, "missing_err");
}

CASE(SSL_use_RSAPrivateKey)
{
    RSA *rsa = EVP_PKEY_get1_RSA(e->rsa_key);
    SSL_use_certificate(e->ssl, e->rsa_cert);
    ret_i(r, SSL_use_RSAPrivateKey(e->ssl, rsa));
    out(r, "check=%d", SSL_check_private_key(e->ssl));
}

CASE(SSL_use_RSAPrivateKey_ASN1)
{
    RSA *rsa = EVP_PKEY_get1_RSA(e->rsa_key);
    unsigned char *der = NULL;
    int n = i2d_RSAPrivateKey(rsa, &der);
    ret_i(r, SSL_use_RSAPrivateKey_ASN1(e->ssl, der, n));
}

CASE(SSL_use_RSAPrivateKey_file) { ret_i(r, SSL_use_RSAPrivateKey_file(e->ssl, e->rsa_key_file, SSL_FILETYPE_PEM)); }

CASE(SSL_use_cert_and_key)
{
    ret_i(r, SSL_use_cert_and_key(e->ssl, e->cert, e->key, NULL, 1));
    out(r, "check=%d", SSL_check_private_key(e->ssl));
}

CASE(SSL_check_private_key)
{
    ret_i(r, SSL_check_private_key(e->srv));
    out(r, "fresh=%d", SSL_check_private_key(e->ssl));
    out_err(r, "fresh_err");
}

CASE(SSL_certs_clear)
{
    SSL_use_cert_and_key(e->ssl, e->cert, e->key, NULL, 1);
    SSL_certs_clear(e->ssl);
    ret_void(r);
    out(r, "cert=%s key=%s", SSL_get_certificate(e->ssl) ? "non-NULL" : "NULL", SSL_get_privatekey(e->ssl) ? "non-NULL" : "NULL");
}

CASE(SSL_check_chain)
{
    ret_i(r, SSL_check_chain(e->srv, e->cert, e->key, NULL));
    out(r, "rsa=%#x", SSL_check_chain(e->srv, e->rsa_cert, e->rsa_key, NULL));
}

CASE(SSL_set0_tmp_dh_pkey)
{
    EVP_PKEY *dh = dh_params();
    if (dh == NULL) { snprintf(r->ret, sizeof r->ret, "no DH parameters"); return; }
    ret_i(r, SSL_set0_tmp_dh_pkey(e->ssl, dh));
}

static DH *tmp_dh(SSL *s, int is_export, int keylength) { (void)s; (void)is_export; (void)keylength; return NULL; }
CASE(SSL_set_tmp_dh_callback) { SSL_set_tmp_dh_callback(e->ssl, tmp_dh); ret_void(r); }

static int pw_cb(char *buf, int size, int rw, void *u) { (void)buf; (void)size; (void)rw; (void)u; return 0; }
CASE(SSL_set_default_passwd_cb) { SSL_set_default_passwd_cb(e->ssl, pw_cb); ret_void(r); out(r, "get=%d", SSL_get_default_passwd_cb(e->ssl) == pw_cb); }
CASE(SSL_set_default_passwd_cb_userdata)
{
    SSL_set_default_passwd_cb_userdata(e->ssl, e);
    ret_void(r);
    out(r, "get=%d", SSL_get_default_passwd_cb_userdata(e->ssl) == e);
}

CASE(SSL_use_psk_identity_hint)
{
    ret_i(r, SSL_use_psk_identity_hint(e->ssl, "hint"));
    out_s(r, "get", SSL_get_psk_identity_hint(e->ssl));
}

/* ------------------------------------------------------------------ sessions */

CASE(SSL_set_session_id_context)
{
    unsigned char big[SSL_MAX_SID_CTX_LENGTH + 1] = {0};
    ret_i(r, SSL_set_session_id_context(e->ssl, (const unsigned char *)"sid", 3));
    out(r, "too_long=%d", SSL_set_session_id_context(e->ssl, big, sizeof big));
    out_err(r, "too_long_err");
}

static int gen_id(SSL *s, unsigned char *id, unsigned int *len) { (void)s; memset(id, 7, *len); return 1; }
CASE(SSL_set_generate_session_id) { ret_i(r, SSL_set_generate_session_id(e->ssl, gen_id)); }

static int secret_cb(SSL *s, void *secret, int *len, STACK_OF(SSL_CIPHER) *peer, const SSL_CIPHER **c, void *arg)
{ (void)s; (void)secret; (void)len; (void)peer; (void)c; (void)arg; return 0; }
CASE(SSL_set_session_secret_cb) { ret_i(r, SSL_set_session_secret_cb(e->ssl, secret_cb, NULL)); }

CASE(SSL_set_session_ticket_ext) { ret_i(r, SSL_set_session_ticket_ext(e->ssl, (void *)"tkt", 3)); }

static int ticket_ext_cb(SSL *s, const unsigned char *d, int len, void *arg) { (void)s; (void)d; (void)len; (void)arg; return 1; }
CASE(SSL_set_session_ticket_ext_cb) { ret_i(r, SSL_set_session_ticket_ext_cb(e->ssl, ticket_ext_cb, NULL)); }

static int not_resumable(SSL *s, int fs) { (void)s; (void)fs; return 0; }
CASE(SSL_set_not_resumable_session_callback) { SSL_set_not_resumable_session_callback(e->ssl, not_resumable); ret_void(r); }

/* ------------------------------------------------------------------ callbacks */

static void info_cb(const SSL *s, int where, int ret) { (void)s; (void)where; (void)ret; calls++; }
CASE(SSL_set_info_callback)
{
    SSL_set_info_callback(e->ssl, info_cb);
    ret_void(r);
    out(r, "get=%d", SSL_get_info_callback(e->ssl) == info_cb);
    SSL_set_info_callback(e->cli, info_cb);
    SSL_write(e->cli, "x", 1);
    SSL_shutdown(e->cli);
    out(r, "called_on_shutdown=%s", calls ? "yes" : "no");
}

static void msg_cb(int wp, int v, int ct, const void *buf, size_t len, SSL *s, void *arg)
{ (void)wp; (void)v; (void)ct; (void)buf; (void)len; (void)s; (void)arg; calls++; }
CASE(SSL_set_msg_callback)
{
    SSL_set_msg_callback(e->cli, msg_cb);
    ret_void(r);
    SSL_shutdown(e->cli);
    out(r, "called_on_shutdown=%s", calls ? "yes" : "no");
}

static int sec_cb(const SSL *s, const SSL_CTX *c, int op, int bits, int nid, void *o, void *ex)
{ (void)s; (void)c; (void)op; (void)bits; (void)nid; (void)o; (void)ex; return 1; }
CASE(SSL_set_security_callback) { SSL_set_security_callback(e->ssl, sec_cb); ret_void(r); out(r, "get=%d", SSL_get_security_callback(e->ssl) == sec_cb); }
CASE(SSL_set0_security_ex_data) { SSL_set0_security_ex_data(e->ssl, e); ret_void(r); out(r, "get=%d", SSL_get0_security_ex_data(e->ssl) == e); }

static int allow_early(SSL *s, void *arg) { (void)s; (void)arg; return 1; }
CASE(SSL_set_allow_early_data_cb) { SSL_set_allow_early_data_cb(e->ssl, allow_early, NULL); ret_void(r); }

static int async_cb(SSL *s, void *arg) { (void)s; (void)arg; return 1; }
CASE(SSL_set_async_callback) { ret_i(r, SSL_set_async_callback(e->ssl, async_cb)); }
CASE(SSL_set_async_callback_arg) { ret_i(r, SSL_set_async_callback_arg(e->ssl, e)); }

static int cert_cb(SSL *s, void *arg) { (void)s; (void)arg; calls++; return 1; }
static void server_cert_cb(SSL *c, SSL *s) { (void)c; SSL_set_cert_cb(s, cert_cb, NULL); }

CASE(SSL_set_cert_cb)
{
    SSL_set_cert_cb(e->ssl, cert_cb, NULL);
    ret_void(r);
    SSL *c = NULL, *s = NULL;
    before_handshake = server_cert_cb;
    int ok = handshake(e, e->cctx, e->sctx, &c, &s);
    before_handshake = NULL;
    out(r, "handshake=%d calls=%d", ok, calls);
}

static size_t padding_cb(SSL *s, int type, size_t len, void *arg) { (void)s; (void)type; (void)len; (void)arg; return 0; }
CASE(SSL_set_record_padding_callback) { ret_i(r, SSL_set_record_padding_callback(e->ssl, padding_cb)); }
CASE(SSL_set_record_padding_callback_arg)
{
    SSL_set_record_padding_callback_arg(e->ssl, e);
    ret_void(r);
    out(r, "get=%d", SSL_get_record_padding_callback_arg(e->ssl) == e);
}

/* ------------------------------------------------------------------ CT, DANE */

static int ct_cb(const CT_POLICY_EVAL_CTX *c, const STACK_OF(SCT) *s, void *arg) { (void)c; (void)s; (void)arg; return 1; }
CASE(SSL_enable_ct) { ret_i(r, SSL_enable_ct(e->ssl, SSL_CT_VALIDATION_STRICT)); out(r, "enabled=%d", SSL_ct_is_enabled(e->ssl)); }
CASE(SSL_set_ct_validation_callback) { ret_i(r, SSL_set_ct_validation_callback(e->ssl, ct_cb, NULL)); out(r, "enabled=%d", SSL_ct_is_enabled(e->ssl)); }

static SSL *dane_ssl(struct env *e)
{
    SSL_CTX *c = client_ctx(e);
    if (c == NULL || SSL_CTX_dane_enable(c) <= 0) {
        ERR_clear_error();
        return SSL_new(e->cctx);
    }
    SSL *s = SSL_new(c);
    SSL_CTX_free(c);
    return s;
}

CASE(SSL_dane_enable)
{
    SSL *s = dane_ssl(e);
    NEED_SSL(s);
    ret_i(r, SSL_dane_enable(s, "localhost"));
    out(r, "ctx_not_enabled=%d", SSL_dane_enable(e->ssl, "localhost"));
    out_err(r, "ctx_not_enabled_err");
}

CASE(SSL_dane_tlsa_add)
{
    unsigned char digest[32];
    unsigned int n = 0;
    SSL *s = dane_ssl(e);
    NEED_SSL(s);
    SSL_dane_enable(s, "localhost");
    ERR_clear_error();
    X509_pubkey_digest(e->cert, EVP_sha256(), digest, &n);
    ret_i(r, SSL_dane_tlsa_add(s, 3, 1, 1, digest, n));
    out(r, "bad_length=%d", SSL_dane_tlsa_add(s, 3, 1, 1, digest, 5));
    out_err(r, "bad_length_err");
}

CASE(SSL_dane_set_flags)
{
    SSL *s = dane_ssl(e);
    NEED_SSL(s);
    ret_u(r, SSL_dane_set_flags(s, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
}

CASE(SSL_dane_clear_flags)
{
    SSL *s = dane_ssl(e);
    NEED_SSL(s);
    SSL_dane_set_flags(s, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    ret_u(r, SSL_dane_clear_flags(s, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
}

/* ------------------------------------------------------------------ SRP */

CASE(SSL_SRP_CTX_init) { ret_i(r, SSL_SRP_CTX_init(e->ssl)); }
CASE(SSL_SRP_CTX_free) { ret_i(r, SSL_SRP_CTX_free(e->ssl)); }

CASE(SRP_Calc_A_param)
{
    SSL_CTX *c = new_ctx();
    SSL_CTX_set_srp_username(c, "user");
    SSL_CTX_set_srp_password(c, "secret");
    SSL *s = c ? SSL_new(c) : NULL;
    NEED_SSL(s);
    ret_i(r, SRP_Calc_A_param(s));
}

CASE(SSL_set_srp_server_param)
{
    SRP_gN *gn = SRP_get_default_gN("2048");
    if (gn == NULL) { snprintf(r->ret, sizeof r->ret, "no gN"); return; }
    BIGNUM *salt = NULL, *v = NULL;
    SRP_create_verifier_BN("user", "secret", &salt, &v, gn->N, gn->g);
    ret_i(r, SSL_set_srp_server_param(e->ssl, gn->N, gn->g, salt, v, "info"));
    out(r, "N=%s", SSL_get_srp_N(e->ssl) ? "non-NULL" : "NULL");
    out_s(r, "userinfo", SSL_get_srp_userinfo(e->ssl));
}

CASE(SSL_set_srp_server_param_pw)
{
    ret_i(r, SSL_set_srp_server_param_pw(e->ssl, "user", "secret", "2048"));
    out(r, "g=%s", SSL_get_srp_g(e->ssl) ? "non-NULL" : "NULL");
    out(r, "bad_group=%d", SSL_set_srp_server_param_pw(e->ssl, "user", "secret", "12345"));
}

CASE(SSL_srp_server_param_with_username)
{
    int ad = -1;
    ret_i(r, SSL_srp_server_param_with_username(e->ssl, &ad));
    out(r, "ad=%d", ad);
}

/* ------------------------------------------------------------------ PSK */

static unsigned int psk_client(SSL *s, const char *hint, char *id, unsigned int maxid, unsigned char *psk, unsigned int maxpsk)
{ (void)s; (void)hint; (void)id; (void)maxid; (void)psk; (void)maxpsk; return 0; }
static unsigned int psk_server(SSL *s, const char *id, unsigned char *psk, unsigned int maxpsk)
{ (void)s; (void)id; (void)psk; (void)maxpsk; return 0; }
static int psk_find(SSL *s, const unsigned char *id, size_t idl, SSL_SESSION **ss) { (void)s; (void)id; (void)idl; *ss = NULL; return 1; }
static int psk_use(SSL *s, const EVP_MD *md, const unsigned char **id, size_t *idl, SSL_SESSION **ss)
{ (void)s; (void)md; (void)id; (void)idl; *ss = NULL; calls++; return 1; }
CASE(SSL_set_psk_client_callback) { SSL_set_psk_client_callback(e->ssl, psk_client); ret_void(r); }
CASE(SSL_set_psk_server_callback) { SSL_set_psk_server_callback(e->ssl, psk_server); ret_void(r); }
CASE(SSL_set_psk_find_session_callback) { SSL_set_psk_find_session_callback(e->ssl, psk_find); ret_void(r); }
static void client_psk_use(SSL *c, SSL *s) { (void)s; SSL_set_psk_use_session_callback(c, psk_use); }

CASE(SSL_set_psk_use_session_callback)
{
    SSL_set_psk_use_session_callback(e->ssl, psk_use);
    ret_void(r);
    SSL *c = NULL, *s = NULL;
    before_handshake = client_psk_use;
    int ok = handshake(e, e->cctx, e->sctx, &c, &s);
    before_handshake = NULL;
    out(r, "handshake=%d calls=%d", ok, calls);
}
