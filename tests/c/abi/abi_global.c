/*
 * abi_global: the functions that take no SSL_CTX/SSL/SSL_SESSION of their own: methods,
 * SSL_CIPHER, SSL_COMP, SSL_CONF, alerts, CA-name lists, (de)serialising sessions, BIO_f_ssl.
 */
#include "abi.h"

/* ------------------------------------------------------------------ methods */

#define METHOD(m) CASE(m) { ret_method(r, m()); }
METHOD(DTLS_client_method)
METHOD(DTLS_method)
METHOD(DTLS_server_method)
METHOD(DTLSv1_2_client_method)
METHOD(DTLSv1_2_method)
METHOD(DTLSv1_2_server_method)
METHOD(DTLSv1_client_method)
METHOD(DTLSv1_method)
METHOD(DTLSv1_server_method)
METHOD(TLS_client_method)
METHOD(TLS_method)
METHOD(TLS_server_method)
METHOD(TLSv1_1_client_method)
METHOD(TLSv1_1_method)
METHOD(TLSv1_1_server_method)
METHOD(TLSv1_2_client_method)
METHOD(TLSv1_2_method)
METHOD(TLSv1_2_server_method)
METHOD(TLSv1_client_method)
METHOD(TLSv1_method)
METHOD(TLSv1_server_method)

/* ------------------------------------------------------------------ DTLS objects */

static SSL *dtls_ssl(const SSL_METHOD *m)
{
    SSL_CTX *c = m ? SSL_CTX_new(m) : NULL;
    SSL *s = c ? SSL_new(c) : NULL;
    SSL_CTX_free(c);
    return s;
}

static unsigned int dtls_timer(SSL *s, unsigned int us) { (void)s; return us ? us * 2 : 1000000; }
static int gen_cookie(SSL *s, unsigned char *c, unsigned int *n) { (void)s; memcpy(c, "ck", 2); *n = 2; return 1; }
static int ver_cookie(SSL *s, const unsigned char *c, unsigned int n) { (void)s; (void)c; return n == 2; }

CASE(DTLS_get_data_mtu)
{
    SSL *s = dtls_ssl(DTLS_client_method());
    if (s == NULL) { snprintf(r->ret, sizeof r->ret, "no DTLS SSL"); return; }
    ret_u(r, DTLS_get_data_mtu(s));
}

CASE(DTLS_set_timer_cb)
{
    SSL *s = dtls_ssl(DTLS_client_method());
    if (s == NULL) { snprintf(r->ret, sizeof r->ret, "no DTLS SSL"); return; }
    DTLS_set_timer_cb(s, dtls_timer);
    ret_void(r);
}

CASE(DTLSv1_listen)
{
    SSL_CTX *c = SSL_CTX_new(DTLS_server_method());
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no DTLS SSL_CTX"); return; }
    SSL_CTX_set_cookie_generate_cb(c, gen_cookie);
    SSL_CTX_set_cookie_verify_cb(c, ver_cookie);
    SSL *s = SSL_new(c);
    BIO *b = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(b, -1);
    SSL_set_bio(s, b, b);
    BIO_ADDR *a = BIO_ADDR_new();
    ret_i(r, DTLSv1_listen(s, a));
}

/* ------------------------------------------------------------------ BIO_f_ssl */

CASE(BIO_f_ssl)
{
    const BIO_METHOD *m = BIO_f_ssl();
    ret_p(r, m);
    if (m != NULL) {
        BIO *b = BIO_new(m);
        out(r, "new=%s", b ? "non-NULL" : "NULL");
        if (b != NULL) {
            out(r, "set_ssl=%ld", BIO_set_ssl(b, e->cli, BIO_NOCLOSE));
            out(r, "write=%d", BIO_write(b, "x", 1));
            BIO_free(b);
        }
    }
}

CASE(BIO_new_buffer_ssl_connect)
{
    BIO *b = BIO_new_buffer_ssl_connect(e->cctx);
    ret_p(r, b);
    BIO_free_all(b);
}

CASE(BIO_new_ssl)
{
    BIO *b = BIO_new_ssl(e->cctx, 1);
    ret_p(r, b);
    if (b != NULL) {
        SSL *s = NULL;
        BIO_get_ssl(b, &s);
        out(r, "ssl=%s", s ? "non-NULL" : "NULL");
        if (s)
            out(r, "server=%d", SSL_is_server(s));
    }
    BIO_free_all(b);
}

CASE(BIO_new_ssl_connect)
{
    BIO *b = BIO_new_ssl_connect(e->cctx);
    ret_p(r, b);
    BIO_free_all(b);
}

CASE(BIO_ssl_copy_session_id)
{
    BIO *from = BIO_f_ssl() ? BIO_new(BIO_f_ssl()) : NULL;
    BIO *to = BIO_new_ssl(e->cctx, 1);
    if (from == NULL || to == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL BIO"); return; }
    BIO_set_ssl(from, e->cli, BIO_NOCLOSE);
    ret_i(r, BIO_ssl_copy_session_id(to, from));
    SSL *s = NULL;
    BIO_get_ssl(to, &s);
    out(r, "session=%s", s && SSL_get_session(s) ? "non-NULL" : "NULL");
}

CASE(BIO_ssl_shutdown)
{
    BIO *b = BIO_f_ssl() ? BIO_new(BIO_f_ssl()) : NULL;
    if (b == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL BIO"); return; }
    BIO_set_ssl(b, e->cli, BIO_NOCLOSE);
    BIO_ssl_shutdown(b);
    ret_void(r);
    out(r, "shutdown=%d", SSL_get_shutdown(e->cli));
}

/* ------------------------------------------------------------------ library-wide */

CASE(ERR_load_SSL_strings) { ret_i(r, ERR_load_SSL_strings()); }

CASE(OPENSSL_cipher_name)
{
    ret_s(r, OPENSSL_cipher_name("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    out_s(r, "tls13", OPENSSL_cipher_name("TLS_AES_128_GCM_SHA256"));
    out_s(r, "unknown", OPENSSL_cipher_name("TLS_NO_SUCH_CIPHER"));
}

CASE(OPENSSL_init_ssl) { ret_i(r, OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL)); }
CASE(OSSL_default_cipher_list) { ret_s(r, OSSL_default_cipher_list()); }
CASE(OSSL_default_ciphersuites) { ret_s(r, OSSL_default_ciphersuites()); }
CASE(SSL_add_ssl_module) { SSL_add_ssl_module(); ret_void(r); }
CASE(SSL_test_functions) { ret_p(r, SSL_test_functions()); }

CASE(SSL_get_ex_data_X509_STORE_CTX_idx)
{
    int i = SSL_get_ex_data_X509_STORE_CTX_idx();
    snprintf(r->ret, sizeof r->ret, "%s", i >= 0 ? ">=0" : "<0");
    out(r, "stable=%d", SSL_get_ex_data_X509_STORE_CTX_idx() == i);
}

CASE(SSL_extension_supported)
{
    ret_i(r, SSL_extension_supported(TLSEXT_TYPE_server_name));
    out(r, "alpn=%d", SSL_extension_supported(TLSEXT_TYPE_application_layer_protocol_negotiation));
    out(r, "private=%d", SSL_extension_supported(0xffaa));
}

CASE(SSL_trace)
{
    static const unsigned char hello_request[] = {0, 0, 0, 0};
    BIO *b = BIO_new(BIO_s_mem());
    SSL_trace(0, TLS1_2_VERSION, SSL3_RT_HANDSHAKE, hello_request, sizeof hello_request, e->cli, b);
    ret_void(r);
    out(r, "wrote=%s", BIO_pending(b) > 0 ? "yes" : "no");
    BIO_free(b);
}

CASE(SSL_alert_desc_string)
{
    ret_s(r, SSL_alert_desc_string(SSL3_AL_FATAL << 8 | SSL_AD_HANDSHAKE_FAILURE));
    out_s(r, "close", SSL_alert_desc_string(SSL_AD_CLOSE_NOTIFY));
    out_s(r, "unknown", SSL_alert_desc_string(200));
}

CASE(SSL_alert_desc_string_long)
{
    ret_s(r, SSL_alert_desc_string_long(SSL3_AL_FATAL << 8 | SSL_AD_HANDSHAKE_FAILURE));
    out_s(r, "close", SSL_alert_desc_string_long(SSL_AD_CLOSE_NOTIFY));
    out_s(r, "unknown", SSL_alert_desc_string_long(200));
}

CASE(SSL_alert_type_string)
{
    ret_s(r, SSL_alert_type_string(SSL3_AL_FATAL << 8 | SSL_AD_HANDSHAKE_FAILURE));
    out_s(r, "warning", SSL_alert_type_string(SSL3_AL_WARNING << 8));
    out_s(r, "unknown", SSL_alert_type_string(7 << 8));
}

CASE(SSL_alert_type_string_long)
{
    ret_s(r, SSL_alert_type_string_long(SSL3_AL_FATAL << 8 | SSL_AD_HANDSHAKE_FAILURE));
    out_s(r, "warning", SSL_alert_type_string_long(SSL3_AL_WARNING << 8));
    out_s(r, "unknown", SSL_alert_type_string_long(7 << 8));
}

CASE(SSL_select_next_proto)
{
    static const unsigned char server[] = "\x02h2\x08http/1.1";
    static const unsigned char client[] = "\x08http/1.1\x06spdy/1";
    static const unsigned char other[] = "\x03foo";
    unsigned char *sel = NULL, sl = 0;
    ret_i(r, SSL_select_next_proto(&sel, &sl, server, sizeof server - 1, client, sizeof client - 1));
    out_bytes(r, "out", sel, sl);
    int n = SSL_select_next_proto(&sel, &sl, server, sizeof server - 1, other, sizeof other - 1);
    out(r, "nooverlap=%d", n);
    out_bytes(r, "out2", sel, sl);
}

/* ------------------------------------------------------------------ CA-name lists */

CASE(SSL_add_dir_cert_subjects_to_stack)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    ret_i(r, SSL_add_dir_cert_subjects_to_stack(sk, e->certdir));
    out(r, "count=%d", sk_X509_NAME_num(sk));
}

CASE(SSL_add_file_cert_subjects_to_stack)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    ret_i(r, SSL_add_file_cert_subjects_to_stack(sk, e->chain_file));
    out(r, "count=%d", sk_X509_NAME_num(sk));
    out(r, "again=%d", SSL_add_file_cert_subjects_to_stack(sk, e->chain_file));
    out(r, "count=%d", sk_X509_NAME_num(sk));
}

CASE(SSL_add_store_cert_subjects_to_stack)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    ret_i(r, SSL_add_store_cert_subjects_to_stack(sk, e->ca_file));
    out(r, "count=%d", sk_X509_NAME_num(sk));
}

CASE(SSL_load_client_CA_file)
{
    STACK_OF(X509_NAME) *sk = SSL_load_client_CA_file(e->chain_file);
    ret_names(r, sk);
    out_err(r, "err_ok");
    ret_names(r, sk);
    out(r, "missing=%s", SSL_load_client_CA_file("/nonexistent/ca.pem") ? "non-NULL" : "NULL");
}

CASE(SSL_load_client_CA_file_ex) { ret_names(r, SSL_load_client_CA_file_ex(e->chain_file, NULL, NULL)); }

CASE(SSL_dup_CA_list)
{
    STACK_OF(X509_NAME) *sk = SSL_dup_CA_list(names_of_ca(e));
    ret_names(r, sk);
    if (sk != NULL && sk_X509_NAME_num(sk) > 0)
        out(r, "same=%d", X509_NAME_cmp(sk_X509_NAME_value(sk, 0), X509_get_subject_name(e->ca)) == 0);
}

/* ------------------------------------------------------------------ SSL_COMP */

CASE(SSL_COMP_add_compression_method)
{
    ret_i(r, SSL_COMP_add_compression_method(200, COMP_zlib()));
    out(r, "low_id=%d", SSL_COMP_add_compression_method(5, COMP_zlib()));
    STACK_OF(SSL_COMP) *sk = SSL_COMP_get_compression_methods();
    out(r, "count=%d", sk ? sk_SSL_COMP_num(sk) : -1);
}

static const SSL_COMP *some_comp(void)
{
    STACK_OF(SSL_COMP) *sk = SSL_COMP_get_compression_methods();
    return sk && sk_SSL_COMP_num(sk) > 0 ? sk_SSL_COMP_value(sk, 0) : NULL;
}

CASE(SSL_COMP_get0_name)
{
    const SSL_COMP *c = some_comp();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_COMP"); return; }
    ret_s(r, SSL_COMP_get0_name(c));
}

CASE(SSL_COMP_get_id)
{
    const SSL_COMP *c = some_comp();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_COMP"); return; }
    ret_i(r, SSL_COMP_get_id(c));
}

CASE(SSL_COMP_get_compression_methods)
{
    STACK_OF(SSL_COMP) *sk = SSL_COMP_get_compression_methods();
    ret_p(r, sk);
    out(r, "count=%d", sk ? sk_SSL_COMP_num(sk) : -1);
}

CASE(SSL_COMP_get_name) { ret_s(r, SSL_COMP_get_name(SSL_get_current_compression(e->cli))); }

CASE(SSL_COMP_set0_compression_methods)
{
    STACK_OF(SSL_COMP) *old = SSL_COMP_set0_compression_methods(sk_SSL_COMP_new_null());
    ret_p(r, old);
    STACK_OF(SSL_COMP) *now = SSL_COMP_get_compression_methods();
    out(r, "now=%d", now ? sk_SSL_COMP_num(now) : -1);
}

/* ------------------------------------------------------------------ SSL_CIPHER */

static const SSL_CIPHER *c13(struct env *e) { return SSL_get_current_cipher(e->cli); }
static const SSL_CIPHER *c12(struct env *e)
{
    static const unsigned char id[] = {0xc0, 0x2b}; /* ECDHE-ECDSA-AES128-GCM-SHA256 */
    return SSL_CIPHER_find(e->ssl, id);
}
#define NEED(c)                                                                   \
    if ((c) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no cipher");                             \
        return;                                                                   \
    }
#define CIPHER_INT(f)                                                             \
    CASE(f)                                                                       \
    {                                                                             \
        const SSL_CIPHER *a = c13(e), *b = c12(e);                                \
        NEED(a) NEED(b) ret_i(r, (long)f(a));                                     \
        out(r, "tls12=%ld", (long)f(b));                                          \
    }
#define CIPHER_STR(f)                                                             \
    CASE(f)                                                                       \
    {                                                                             \
        const SSL_CIPHER *a = c13(e), *b = c12(e);                                \
        NEED(a) NEED(b) ret_s(r, f(a));                                           \
        out_s(r, "tls12", f(b));                                                  \
    }
CIPHER_INT(SSL_CIPHER_get_auth_nid)
CIPHER_INT(SSL_CIPHER_get_cipher_nid)
CIPHER_INT(SSL_CIPHER_get_digest_nid)
CIPHER_INT(SSL_CIPHER_get_id)
CIPHER_INT(SSL_CIPHER_get_kx_nid)
CIPHER_INT(SSL_CIPHER_get_protocol_id)
CIPHER_INT(SSL_CIPHER_is_aead)
CIPHER_STR(SSL_CIPHER_get_name)
CIPHER_STR(SSL_CIPHER_get_version)
CIPHER_STR(SSL_CIPHER_standard_name)

CASE(SSL_CIPHER_get_bits)
{
    const SSL_CIPHER *a = c13(e), *b = c12(e);
    int alg = -1;
    NEED(a) NEED(b) ret_i(r, SSL_CIPHER_get_bits(a, &alg));
    out(r, "alg_bits=%d", alg);
    out(r, "tls12=%d", SSL_CIPHER_get_bits(b, NULL));
}

CASE(SSL_CIPHER_get_handshake_digest)
{
    const SSL_CIPHER *a = c13(e), *b = c12(e);
    NEED(a) NEED(b) const EVP_MD *m = SSL_CIPHER_get_handshake_digest(a);
    ret_s(r, m ? OBJ_nid2sn(EVP_MD_get_type(m)) : NULL);
    m = SSL_CIPHER_get_handshake_digest(b);
    out_s(r, "tls12", m ? OBJ_nid2sn(EVP_MD_get_type(m)) : NULL);
}

CASE(SSL_CIPHER_description)
{
    char buf[128];
    const SSL_CIPHER *a = c13(e), *b = c12(e);
    NEED(a) NEED(b) ret_s(r, SSL_CIPHER_description(a, buf, sizeof buf));
    char *alloc = SSL_CIPHER_description(b, NULL, 0);
    out_s(r, "tls12", alloc);
    OPENSSL_free(alloc);
    out_s(r, "small", SSL_CIPHER_description(a, buf, 10));
}

CASE(SSL_CIPHER_find)
{
    static const unsigned char tls13[] = {0x13, 0x01}, none[] = {0xfe, 0xfe};
    ret_cipher(r, SSL_CIPHER_find(e->ssl, tls13));
    out(r, "unknown=%s", SSL_CIPHER_find(e->ssl, none) ? "non-NULL" : "NULL");
}

/* ------------------------------------------------------------------ SSL_CONF */

CASE(SSL_CONF_CTX_new) { ret_p(r, SSL_CONF_CTX_new()); }

CASE(SSL_CONF_CTX_free)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    SSL_CONF_CTX_free(c);
    ret_void(r);
}

CASE(SSL_CONF_CTX_set_flags)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    ret_u(r, SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT));
}

CASE(SSL_CONF_CTX_clear_flags)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    ret_u(r, SSL_CONF_CTX_clear_flags(c, SSL_CONF_FLAG_CLIENT));
}

CASE(SSL_CONF_CTX_set1_prefix)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_CMDLINE);
    SSL_CONF_CTX_set_ssl_ctx(c, e->ctx);
    ret_i(r, SSL_CONF_CTX_set1_prefix(c, "--"));
    out(r, "cmd=%d", SSL_CONF_cmd(c, "--min_protocol", "TLSv1.2"));
    out(r, "min=%ld", SSL_CTX_get_min_proto_version(e->ctx));
}

CASE(SSL_CONF_CTX_set_ssl_ctx)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE);
    SSL_CONF_CTX_set_ssl_ctx(c, e->ctx);
    ret_void(r);
    out(r, "cmd=%d", SSL_CONF_cmd(c, "MaxProtocol", "TLSv1.2"));
    out(r, "max=%ld", SSL_CTX_get_max_proto_version(e->ctx));
}

CASE(SSL_CONF_CTX_set_ssl)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE);
    SSL_CONF_CTX_set_ssl(c, e->ssl);
    ret_void(r);
    out(r, "cmd=%d", SSL_CONF_cmd(c, "MinProtocol", "TLSv1.3"));
    out(r, "min=%ld", SSL_get_min_proto_version(e->ssl));
}

CASE(SSL_CONF_cmd)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SHOW_ERRORS);
    SSL_CONF_CTX_set_ssl_ctx(c, e->ctx);
    ret_i(r, SSL_CONF_cmd(c, "CipherString", "ECDHE+AESGCM"));
    out_err(r, "e1");
    out(r, "unknown=%d", SSL_CONF_cmd(c, "NoSuchCommand", "x"));
    out_err(r, "e2");
    out(r, "badvalue=%d", SSL_CONF_cmd(c, "MinProtocol", "TLSv9"));
    out_err(r, "e3");
    out(r, "options=%d", SSL_CONF_cmd(c, "Options", "-SessionTicket"));
    out(r, "noticket=%d", (SSL_CTX_get_options(e->ctx) & SSL_OP_NO_TICKET) != 0);
}

CASE(SSL_CONF_cmd_argv)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(c, e->ctx);
    char *args[] = {"-min_protocol", "TLSv1.2", "-bogus", NULL};
    char **argv = args;
    int argc = 3;
    ret_i(r, SSL_CONF_cmd_argv(c, &argc, &argv));
    out(r, "argc=%d consumed=%d", argc, (int)(argv - args));
    out(r, "bogus=%d", SSL_CONF_cmd_argv(c, &argc, &argv));
}

CASE(SSL_CONF_cmd_value_type)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CERTIFICATE);
    ret_i(r, SSL_CONF_cmd_value_type(c, "Protocol"));
    out(r, "cert=%d", SSL_CONF_cmd_value_type(c, "Certificate"));
    out(r, "unknown=%d", SSL_CONF_cmd_value_type(c, "NoSuchCommand"));
}

CASE(SSL_CONF_CTX_finish)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL_CONF_CTX"); return; }
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE);
    SSL_CTX *s = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX_set_ssl_ctx(c, s);
    out(r, "cert=%d", SSL_CONF_cmd(c, "Certificate", e->cert_file));
    ret_i(r, SSL_CONF_CTX_finish(c));
    out(r, "key=%s", SSL_CTX_get0_privatekey(s) ? "non-NULL" : "NULL");
}
