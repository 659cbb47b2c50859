/*
 * abi_ctx1: SSL_CTX functions, part 1 — life cycle, certificates and keys, verification
 * set-up, CA lists, sessions and the session cache, ctrl.
 */
#include "abi.h"

#define NEED_CTX(c)                                                               \
    if ((c) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no SSL_CTX");                            \
        return;                                                                   \
    }

static int calls;

/* ------------------------------------------------------------------ life cycle */

CASE(SSL_CTX_new)
{
    ret_p(r, SSL_CTX_new(TLS_method()));
    SSL_CTX *none = SSL_CTX_new(NULL);
    out(r, "null_method=%s", none ? "non-NULL" : "NULL");
    out_err(r, "null_err");
}

CASE(SSL_CTX_new_ex)
{
    ret_p(r, SSL_CTX_new_ex(NULL, NULL, TLS_method()));
    out(r, "propq=%s", SSL_CTX_new_ex(NULL, "provider=default", TLS_client_method()) ? "non-NULL" : "NULL");
}

CASE(SSL_CTX_free)
{
    SSL_CTX *c = new_ctx();
    NEED_CTX(c);
    SSL *s = SSL_new(c);
    SSL_CTX_free(c);
    ret_void(r);
    out(r, "ssl_keeps_ctx=%d", s && SSL_get_SSL_CTX(s) == c && SSL_CTX_get_timeout(c) > 0);
    SSL_free(s);
    SSL_CTX_free(NULL);
}

CASE(SSL_CTX_up_ref)
{
    SSL_CTX *c = new_ctx();
    NEED_CTX(c);
    ret_i(r, SSL_CTX_up_ref(c));
    SSL_CTX_free(c);
    out(r, "alive=%d", SSL_CTX_get_timeout(c) > 0);
    SSL_CTX_free(c);
}

CASE(SSL_CTX_get_ssl_method)
{
    const SSL_METHOD *m = SSL_CTX_get_ssl_method(e->ctx);
    ret_p(r, m);
    out(r, "same=%d", m == TLS_method());
}

CASE(SSL_CTX_set_ssl_version)
{
    ret_i(r, SSL_CTX_set_ssl_version(e->ctx, TLS_client_method()));
    out(r, "same=%d", SSL_CTX_get_ssl_method(e->ctx) == TLS_client_method());
}

CASE(SSL_CTX_config)
{
    ret_i(r, SSL_CTX_config(e->ctx, "no_such_section"));
}

CASE(SSL_CTX_ctrl)
{
    ret_i(r, SSL_CTX_ctrl(e->ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL));
    out(r, "min=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NULL));
    out(r, "max=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NULL));
    out(r, "mode=%#lx", SSL_CTX_ctrl(e->ctx, SSL_CTRL_MODE, SSL_MODE_AUTO_RETRY, NULL));
    out(r, "sess_number=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_SESS_NUMBER, 0, NULL));
    out(r, "cache_mode=%#lx", SSL_CTX_ctrl(e->ctx, SSL_CTRL_GET_SESS_CACHE_MODE, 0, NULL));
    out(r, "cache_size=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_GET_SESS_CACHE_SIZE, 0, NULL));
    out(r, "read_ahead=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_GET_READ_AHEAD, 0, NULL));
    out(r, "bad_version=%ld", SSL_CTX_ctrl(e->ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, 0x1234, NULL));
    out_err(r, "bad_version_err");
    out(r, "unknown=%ld", SSL_CTX_ctrl(e->ctx, 9999, 0, NULL));
}

static char sni_seen[64];
static int servername_cb(SSL *s, int *al, void *arg)
{
    (void)al; (void)arg;
    const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    calls++;
    snprintf(sni_seen, sizeof sni_seen, "%s", name ? name : "NULL");
    return SSL_TLSEXT_ERR_OK;
}

CASE(SSL_CTX_callback_ctrl)
{
    ret_i(r, SSL_CTX_callback_ctrl(e->ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (void (*)(void))servername_cb));
    out(r, "unknown=%ld", SSL_CTX_callback_ctrl(e->ctx, 9999, (void (*)(void))servername_cb));
    out_err(r, "unknown_err");
    /* the servername callback (SSL_CTX_set_tlsext_servername_callback) in a handshake */
    SSL_CTX *sc = new_server_ctx(e);
    NEED_CTX(sc);
    out(r, "server=%ld", SSL_CTX_callback_ctrl(sc, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (void (*)(void))servername_cb));
    int ok = handshake_with(e, client_ctx(e), sc);
    out(r, "handshake=%d calls=%d name=%s", ok, calls, sni_seen);
}

/* ------------------------------------------------------------------ certificates and keys */

CASE(SSL_CTX_check_private_key)
{
    ret_i(r, SSL_CTX_check_private_key(e->sctx));
    out(r, "fresh=%d", SSL_CTX_check_private_key(e->ctx));
    out_err(r, "fresh_err");
}

CASE(SSL_CTX_get0_certificate)
{
    ret_cert(r, SSL_CTX_get0_certificate(e->sctx));
    out(r, "fresh=%s", SSL_CTX_get0_certificate(e->ctx) ? "non-NULL" : "NULL");
}

CASE(SSL_CTX_get0_privatekey)
{
    EVP_PKEY *k = SSL_CTX_get0_privatekey(e->sctx);
    ret_p(r, k);
    out(r, "same=%d", k && EVP_PKEY_eq(k, e->key) == 1);
    out(r, "fresh=%s", SSL_CTX_get0_privatekey(e->ctx) ? "non-NULL" : "NULL");
}

CASE(SSL_CTX_use_certificate)
{
    ret_i(r, SSL_CTX_use_certificate(e->ctx, e->cert));
    out(r, "cert=%d", SSL_CTX_get0_certificate(e->ctx) == e->cert);
}

CASE(SSL_CTX_use_certificate_ASN1)
{
    unsigned char *der = NULL;
    int n = i2d_X509(e->cert, &der);
    ret_i(r, SSL_CTX_use_certificate_ASN1(e->ctx, n, der));
    out(r, "cert=%d", X509_cmp(SSL_CTX_get0_certificate(e->ctx), e->cert) == 0);
    out(r, "garbage=%d", SSL_CTX_use_certificate_ASN1(e->ctx, 3, (const unsigned char *)"abc"));
}

CASE(SSL_CTX_use_certificate_file)
{
    ret_i(r, SSL_CTX_use_certificate_file(e->ctx, e->cert_file, SSL_FILETYPE_PEM));
    out(r, "missing=%d", SSL_CTX_use_certificate_file(e->ctx, "/nonexistent.pem", SSL_FILETYPE_PEM));
    out_err(r, "missing_err");
    out(r, "asn1_of_pem=%d", SSL_CTX_use_certificate_file(e->ctx, e->cert_file, SSL_FILETYPE_ASN1));
}

CASE(SSL_CTX_use_certificate_chain_file)
{
    ret_i(r, SSL_CTX_use_certificate_chain_file(e->ctx, e->chain_file));
    STACK_OF(X509) *chain = NULL;
    SSL_CTX_get0_chain_certs(e->ctx, &chain);
    out(r, "chain=%d", chain ? sk_X509_num(chain) : -1);
    out(r, "key_file=%d", SSL_CTX_use_certificate_chain_file(e->ctx, e->key_file));
}

CASE(SSL_CTX_use_PrivateKey)
{
    SSL_CTX_use_certificate(e->ctx, e->cert);
    ret_i(r, SSL_CTX_use_PrivateKey(e->ctx, e->key));
    out(r, "check=%d", SSL_CTX_check_private_key(e->ctx));
    out(r, "mismatch=%d", SSL_CTX_use_PrivateKey(e->sctx, e->rsa_key));
    out_err(r, "mismatch_err");
}

CASE(SSL_CTX_use_PrivateKey_ASN1)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(e->key, &der);
    ret_i(r, SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, e->ctx, der, n));
    out(r, "key=%s", SSL_CTX_get0_privatekey(e->ctx) ? "non-NULL" : "NULL");
}

CASE(SSL_CTX_use_PrivateKey_file)
{
    ret_i(r, SSL_CTX_use_PrivateKey_file(e->ctx, e->key_file, SSL_FILETYPE_PEM));
    out(r, "missing=%d", SSL_CTX_use_PrivateKey_file(e->ctx, "/nonexistent.key", SSL_FILETYPE_PEM));
    out_err(r, "missing_err");
    out(r, "cert_file=%d", SSL_CTX_use_PrivateKey_file(e->ctx, e->cert_file, SSL_FILETYPE_PEM));
}

CASE(SSL_CTX_use_RSAPrivateKey)
{
    RSA *rsa = EVP_PKEY_get1_RSA(e->rsa_key);
    SSL_CTX_use_certificate(e->ctx, e->rsa_cert);
    ret_i(r, SSL_CTX_use_RSAPrivateKey(e->ctx, rsa));
    out(r, "check=%d", SSL_CTX_check_private_key(e->ctx));
}

CASE(SSL_CTX_use_RSAPrivateKey_ASN1)
{
    RSA *rsa = EVP_PKEY_get1_RSA(e->rsa_key);
    unsigned char *der = NULL;
    int n = i2d_RSAPrivateKey(rsa, &der);
    ret_i(r, SSL_CTX_use_RSAPrivateKey_ASN1(e->ctx, der, n));
    out(r, "key=%s", SSL_CTX_get0_privatekey(e->ctx) ? "non-NULL" : "NULL");
}

CASE(SSL_CTX_use_RSAPrivateKey_file)
{
    ret_i(r, SSL_CTX_use_RSAPrivateKey_file(e->ctx, e->rsa_key_file, SSL_FILETYPE_PEM));
    out(r, "ec_key=%d", SSL_CTX_use_RSAPrivateKey_file(e->ctx, e->key_file, SSL_FILETYPE_PEM));
}

CASE(SSL_CTX_use_cert_and_key)
{
    ret_i(r, SSL_CTX_use_cert_and_key(e->ctx, e->cert, e->key, NULL, 1));
    out(r, "check=%d", SSL_CTX_check_private_key(e->ctx));
    out(r, "mismatch=%d", SSL_CTX_use_cert_and_key(e->ctx, e->cert, e->rsa_key, NULL, 1));
    out_err(r, "mismatch_err");
}

static int pw_cb(char *buf, int size, int rw, void *u);

CASE(SSL_CTX_set_default_passwd_cb)
{
    SSL_CTX_set_default_passwd_cb(e->ctx, pw_cb);
    ret_void(r);
    out(r, "get=%s", SSL_CTX_get_default_passwd_cb(e->ctx) ? "non-NULL" : "NULL");
}

static int pw_cb(char *buf, int size, int rw, void *u) { (void)buf; (void)size; (void)rw; (void)u; return 0; }

CASE(SSL_CTX_get_default_passwd_cb)
{
    RET_FP(r, SSL_CTX_get_default_passwd_cb(e->ctx));
    SSL_CTX_set_default_passwd_cb(e->ctx, pw_cb);
    out(r, "after_set=%d", SSL_CTX_get_default_passwd_cb(e->ctx) == pw_cb);
}

CASE(SSL_CTX_set_default_passwd_cb_userdata)
{
    SSL_CTX_set_default_passwd_cb_userdata(e->ctx, e);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_get_default_passwd_cb_userdata(e->ctx) == e);
}

CASE(SSL_CTX_get_default_passwd_cb_userdata) { ret_p(r, SSL_CTX_get_default_passwd_cb_userdata(e->ctx)); }

CASE(SSL_CTX_use_psk_identity_hint)
{
    char longhint[300];
    memset(longhint, 'h', sizeof longhint - 1);
    longhint[sizeof longhint - 1] = 0;
    ret_i(r, SSL_CTX_use_psk_identity_hint(e->ctx, "hint"));
    out(r, "too_long=%d", SSL_CTX_use_psk_identity_hint(e->ctx, longhint));
    out_err(r, "too_long_err");
}

static const unsigned char serverinfo_v1[] = {0x03, 0xe8, 0x00, 0x02, 'a', 'b'};
static const unsigned char serverinfo_v2[] = {0x00, 0x00, 0x01, 0xd0, 0x03, 0xe8, 0x00, 0x02, 'a', 'b'};

CASE(SSL_CTX_use_serverinfo)
{
    ret_i(r, SSL_CTX_use_serverinfo(e->ctx, serverinfo_v1, sizeof serverinfo_v1));
    out(r, "truncated=%d", SSL_CTX_use_serverinfo(e->ctx, serverinfo_v1, 3));
    out_err(r, "truncated_err");
}

CASE(SSL_CTX_use_serverinfo_ex)
{
    ret_i(r, SSL_CTX_use_serverinfo_ex(e->ctx, SSL_SERVERINFOV2, serverinfo_v2, sizeof serverinfo_v2));
    out(r, "bad_version=%d", SSL_CTX_use_serverinfo_ex(e->ctx, 7, serverinfo_v2, sizeof serverinfo_v2));
}

CASE(SSL_CTX_use_serverinfo_file)
{
    char *path = path_in_tmp(e, "serverinfo.pem");
    BIO *b = BIO_new_file(path, "w");
    PEM_write_bio(b, "SERVERINFO FOR TEST", "", serverinfo_v1, sizeof serverinfo_v1);
    BIO_free(b);
    ret_i(r, SSL_CTX_use_serverinfo_file(e->ctx, path));
    out(r, "missing=%d", SSL_CTX_use_serverinfo_file(e->ctx, "/nonexistent.pem"));
}

CASE(SSL_CTX_set0_tmp_dh_pkey)
{
    EVP_PKEY *dh = dh_params();
    if (dh == NULL) { snprintf(r->ret, sizeof r->ret, "no DH parameters"); return; }
    ret_i(r, SSL_CTX_set0_tmp_dh_pkey(e->ctx, dh));
}

static DH *tmp_dh(SSL *s, int is_export, int keylength) { (void)s; (void)is_export; (void)keylength; return NULL; }
CASE(SSL_CTX_set_tmp_dh_callback) { SSL_CTX_set_tmp_dh_callback(e->ctx, tmp_dh); ret_void(r); }

/* ------------------------------------------------------------------ verification */

CASE(SSL_CTX_get0_param)
{
    X509_VERIFY_PARAM *p = SSL_CTX_get0_param(e->ctx);
    ret_p(r, p);
    if (p)
        out(r, "depth=%d", X509_VERIFY_PARAM_get_depth(p));
}

CASE(SSL_CTX_set1_param)
{
    X509_VERIFY_PARAM *p = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set_depth(p, 5);
    ret_i(r, SSL_CTX_set1_param(e->ctx, p));
    out(r, "depth=%d", SSL_CTX_get_verify_depth(e->ctx));
}

CASE(SSL_CTX_get_cert_store)
{
    X509_STORE *st = SSL_CTX_get_cert_store(e->cctx);
    ret_p(r, st);
    if (st) {
        STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(st);
        out(r, "objects=%d", objs ? sk_X509_OBJECT_num(objs) : -1);
    }
}

CASE(SSL_CTX_set_cert_store)
{
    X509_STORE *st = X509_STORE_new();
    SSL_CTX_set_cert_store(e->ctx, st);
    ret_void(r);
    out(r, "same=%d", SSL_CTX_get_cert_store(e->ctx) == st);
}

CASE(SSL_CTX_set1_cert_store)
{
    X509_STORE *st = X509_STORE_new();
    SSL_CTX_set1_cert_store(e->ctx, st);
    ret_void(r);
    out(r, "same=%d", SSL_CTX_get_cert_store(e->ctx) == st);
    X509_STORE_free(st);
}

CASE(SSL_CTX_load_verify_dir)
{
    ret_i(r, SSL_CTX_load_verify_dir(e->ctx, e->certdir));
}

CASE(SSL_CTX_load_verify_file)
{
    ret_i(r, SSL_CTX_load_verify_file(e->ctx, e->ca_file));
    out(r, "missing=%d", SSL_CTX_load_verify_file(e->ctx, "/nonexistent.pem"));
    out_err(r, "missing_err");
}

CASE(SSL_CTX_load_verify_locations)
{
    ret_i(r, SSL_CTX_load_verify_locations(e->ctx, e->ca_file, e->certdir));
    out(r, "none=%d", SSL_CTX_load_verify_locations(e->ctx, NULL, NULL));
    out_err(r, "none_err");
    out(r, "missing=%d", SSL_CTX_load_verify_locations(e->ctx, "/nonexistent.pem", NULL));
    out_err(r, "missing_err");
}

CASE(SSL_CTX_load_verify_store) { ret_i(r, SSL_CTX_load_verify_store(e->ctx, e->ca_file)); }
CASE(SSL_CTX_set_default_verify_dir) { ret_i(r, SSL_CTX_set_default_verify_dir(e->ctx)); }
CASE(SSL_CTX_set_default_verify_file) { ret_i(r, SSL_CTX_set_default_verify_file(e->ctx)); }
CASE(SSL_CTX_set_default_verify_paths) { ret_i(r, SSL_CTX_set_default_verify_paths(e->ctx)); }
CASE(SSL_CTX_set_default_verify_store) { ret_i(r, SSL_CTX_set_default_verify_store(e->ctx)); }

static int verify_cb(int ok, X509_STORE_CTX *x) { (void)x; calls++; return ok; }

CASE(SSL_CTX_set_verify)
{
    SSL_CTX_set_verify(e->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    ret_void(r);
    out(r, "mode=%d", SSL_CTX_get_verify_mode(e->ctx));
    SSL_CTX *c = client_ctx(e);
    if (c == NULL)
        return;
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, verify_cb);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "called=%s", calls > 0 ? "yes" : "no");
}

CASE(SSL_CTX_get_verify_mode) { ret_i(r, SSL_CTX_get_verify_mode(e->ctx)); out(r, "cctx=%d", SSL_CTX_get_verify_mode(e->cctx)); }
CASE(SSL_CTX_get_verify_callback)
{
    RET_FP(r, SSL_CTX_get_verify_callback(e->ctx));
    SSL_CTX_set_verify(e->ctx, SSL_VERIFY_PEER, verify_cb);
    out(r, "after_set=%d", SSL_CTX_get_verify_callback(e->ctx) == verify_cb);
}

CASE(SSL_CTX_set_verify_depth)
{
    SSL_CTX_set_verify_depth(e->ctx, 4);
    ret_void(r);
    out(r, "depth=%d", SSL_CTX_get_verify_depth(e->ctx));
}

CASE(SSL_CTX_get_verify_depth) { ret_i(r, SSL_CTX_get_verify_depth(e->ctx)); }

static int cert_verify_cb(X509_STORE_CTX *x, void *arg) { (void)arg; calls++; return X509_verify_cert(x); }

CASE(SSL_CTX_set_cert_verify_callback)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_cert_verify_callback(c, cert_verify_cb, NULL);
    ret_void(r);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "calls=%d", calls);
}

CASE(SSL_CTX_set_purpose) { ret_i(r, SSL_CTX_set_purpose(e->ctx, X509_PURPOSE_SSL_SERVER)); out(r, "bad=%d", SSL_CTX_set_purpose(e->ctx, 999)); }
CASE(SSL_CTX_set_trust) { ret_i(r, SSL_CTX_set_trust(e->ctx, X509_TRUST_SSL_SERVER)); out(r, "bad=%d", SSL_CTX_set_trust(e->ctx, 999)); }

/* ------------------------------------------------------------------ CA lists */

CASE(SSL_CTX_get0_CA_list) { ret_names(r, SSL_CTX_get0_CA_list(e->ctx)); }
CASE(SSL_CTX_get_client_CA_list) { ret_names(r, SSL_CTX_get_client_CA_list(e->ctx)); }

CASE(SSL_CTX_set0_CA_list)
{
    SSL_CTX_set0_CA_list(e->ctx, names_of_ca(e));
    ret_void(r);
    const STACK_OF(X509_NAME) *sk = SSL_CTX_get0_CA_list(e->ctx);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_CTX_set_client_CA_list)
{
    SSL_CTX_set_client_CA_list(e->ctx, names_of_ca(e));
    ret_void(r);
    STACK_OF(X509_NAME) *sk = SSL_CTX_get_client_CA_list(e->ctx);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_CTX_add1_to_CA_list)
{
    ret_i(r, SSL_CTX_add1_to_CA_list(e->ctx, e->ca));
    const STACK_OF(X509_NAME) *sk = SSL_CTX_get0_CA_list(e->ctx);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

CASE(SSL_CTX_add_client_CA)
{
    ret_i(r, SSL_CTX_add_client_CA(e->ctx, e->ca));
    STACK_OF(X509_NAME) *sk = SSL_CTX_get_client_CA_list(e->ctx);
    out(r, "count=%d", sk ? sk_X509_NAME_num(sk) : -1);
}

/* ------------------------------------------------------------------ session cache */

CASE(SSL_CTX_add_session)
{
    ret_i(r, SSL_CTX_add_session(e->ctx, e->sess));
    out(r, "number=%ld", SSL_CTX_sess_number(e->ctx));
    out(r, "again=%d", SSL_CTX_add_session(e->ctx, e->sess));
}

CASE(SSL_CTX_remove_session)
{
    SSL_CTX_add_session(e->ctx, e->sess);
    ret_i(r, SSL_CTX_remove_session(e->ctx, e->sess));
    out(r, "number=%ld", SSL_CTX_sess_number(e->ctx));
    out(r, "again=%d", SSL_CTX_remove_session(e->ctx, e->sess));
}

CASE(SSL_CTX_flush_sessions)
{
    SSL_CTX_add_session(e->ctx, e->sess);
    SSL_CTX_flush_sessions(e->ctx, (long)time(NULL));
    ret_void(r);
    out(r, "now=%ld", SSL_CTX_sess_number(e->ctx));
    SSL_CTX_flush_sessions(e->ctx, (long)time(NULL) + 1000000);
    out(r, "later=%ld", SSL_CTX_sess_number(e->ctx));
}

CASE(SSL_CTX_sessions)
{
    ret_p(r, SSL_CTX_sessions(e->ctx));
}

static int new_cb(SSL *s, SSL_SESSION *sess) { (void)s; (void)sess; calls++; return 0; }
static void remove_cb(SSL_CTX *c, SSL_SESSION *sess) { (void)c; (void)sess; calls++; }
static SSL_SESSION *get_cb(SSL *s, const unsigned char *id, int len, int *copy) { (void)s; (void)id; (void)len; (void)copy; return NULL; }

CASE(SSL_CTX_sess_set_new_cb)
{
    SSL_CTX *c = client_ctx(e);
    NEED_CTX(c);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(c, new_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_sess_get_new_cb(c) == new_cb);
    out(r, "handshake=%d", handshake_with(e, c, new_server_ctx(e)));
    out(r, "calls=%d", calls);
}

CASE(SSL_CTX_sess_get_new_cb) { RET_FP(r, SSL_CTX_sess_get_new_cb(e->ctx)); }

CASE(SSL_CTX_sess_set_remove_cb)
{
    SSL_CTX_sess_set_remove_cb(e->ctx, remove_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_sess_get_remove_cb(e->ctx) == remove_cb);
    SSL_CTX_add_session(e->ctx, e->sess);
    SSL_CTX_remove_session(e->ctx, e->sess);
    out(r, "calls=%d", calls);
}

CASE(SSL_CTX_sess_get_remove_cb) { RET_FP(r, SSL_CTX_sess_get_remove_cb(e->ctx)); }

CASE(SSL_CTX_sess_set_get_cb)
{
    SSL_CTX_sess_set_get_cb(e->ctx, get_cb);
    ret_void(r);
    out(r, "get=%d", SSL_CTX_sess_get_get_cb(e->ctx) == get_cb);
}

CASE(SSL_CTX_sess_get_get_cb) { RET_FP(r, SSL_CTX_sess_get_get_cb(e->ctx)); }

CASE(SSL_CTX_set_timeout)
{
    ret_i(r, SSL_CTX_set_timeout(e->ctx, 100));
    out(r, "get=%ld", SSL_CTX_get_timeout(e->ctx));
}

CASE(SSL_CTX_get_timeout) { ret_i(r, SSL_CTX_get_timeout(e->ctx)); }

CASE(SSL_CTX_set_session_id_context)
{
    unsigned char big[SSL_MAX_SID_CTX_LENGTH + 1] = {0};
    ret_i(r, SSL_CTX_set_session_id_context(e->ctx, (const unsigned char *)"ctx", 3));
    out(r, "too_long=%d", SSL_CTX_set_session_id_context(e->ctx, big, sizeof big));
    out_err(r, "too_long_err");
    /* TLS 1.2 resumption from the server's session cache (no tickets) */
    SSL_CTX *sc = new_server_ctx(e), *cc = client_ctx(e);
    NEED_CTX(sc);
    NEED_CTX(cc);
    out(r, "server=%d", SSL_CTX_set_session_id_context(sc, (const unsigned char *)"abi", 3));
    SSL_CTX_set_options(sc, SSL_OP_NO_TICKET);
    SSL_CTX_set_max_proto_version(cc, TLS1_2_VERSION);
    ERR_clear_error();
    SSL *c = NULL, *s = NULL;
    int first = handshake(e, cc, sc, &c, &s);
    resume_session = c ? SSL_get1_session(c) : NULL;
    int second = handshake(e, cc, sc, &c, &s);
    resume_session = NULL;
    out(r, "handshakes=%d,%d reused=%d", first, second, c && second ? SSL_session_reused(c) : -1);
}

static int gen_id(SSL *s, unsigned char *id, unsigned int *len) { (void)s; memset(id, 7, *len); return 1; }
CASE(SSL_CTX_set_generate_session_id) { ret_i(r, SSL_CTX_set_generate_session_id(e->ctx, gen_id)); }
