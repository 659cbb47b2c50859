/* The absent and refused functions (abi/behaviour.py) against OpenSSL 3.0: calls them on a fresh
 * SSL_CTX, a fresh SSL, a fresh SSL_SESSION and both ends of TLS 1.3 and TLS 1.2 connections
 * made in memory, and prints each result, the out-parameters and the errors queued (library and
 * reason). tests/classes_differential.rs runs it on the stock libssl and on ferrossl: the
 * outputs must be identical apart from lines starting with `~`, which are the known differences,
 * each with the reason it cannot match (a refusal, or a fact rustls does not expose). The
 * configuration file (OPENSSL_CONF) has the ssl_conf sections "good" and "bad". */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <dlfcn.h>
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static const char *state = "";
static const char *known; /* why the next line may differ, or NULL */

static void line(const char *call, const char *value)
{
    unsigned long e;
    int n = 0;
    printf("%s%-5s %-64.64s = %s |", known ? "~ " : "", state, call, value);
    while ((e = ERR_get_error()) != 0) {
        const char *lib = ERR_lib_error_string(e), *r = ERR_reason_error_string(e);
        printf(" [%s: %s]", lib ? lib : "?", r ? r : "?");
        n++;
    }
    printf("%s%s%s\n", n ? "" : " no error", known ? " -- " : "", known ? known : "");
    known = NULL;
}

static char value[64];
#define I(call) do { snprintf(value, sizeof(value), "%ld", (long)(call)); line(#call, value); } while (0)
#define U(call) do { snprintf(value, sizeof(value), "%lu", (unsigned long)(call)); line(#call, value); } while (0)
#define P(call) do { line(#call, (const void *)(call) != NULL ? "ptr" : "NULL"); } while (0)
#define S(call) do { const char *s_ = (call); line(#call, s_ ? s_ : "NULL"); } while (0)
#define V(call) do { call; line(#call, "void"); } while (0)
/* The next line is a known difference, for this reason. */
#define K(why) (known = (why))

#define REFUSED "refused by ferrossl"
#define NO_FIN "rustls does not expose the Finished messages"
#define NO_SIGALG "rustls does not report signature algorithms"
#define DEFAULT_CB "OpenSSL returns its default security callback"
#define DANE_FLAGS "ferrossl keeps no DANE flags (DANE is never enabled)"
#define INTERNAL "OpenSSL returns an internal object ferrossl does not have"

static void dummy(void) {}
#define CB(t) ((t)(void (*)(void))dummy)

static EVP_PKEY *key;
static X509 *cert;

static void make_cert(void)
{
    key = EVP_RSA_gen(2048);
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
}

static void global_calls(void)
{
    state = "lib";
    K(REFUSED); P(DTLS_method());
    K(REFUSED); P(DTLS_client_method());
    K(REFUSED); P(DTLS_server_method());
    K(REFUSED); P(DTLSv1_2_method());
    K(REFUSED); P(DTLSv1_2_client_method());
    K(REFUSED); P(DTLSv1_2_server_method());
    K(REFUSED); P(DTLSv1_method());
    K(REFUSED); P(DTLSv1_client_method());
    K(REFUSED); P(DTLSv1_server_method());
    I(SSL_extension_supported(TLSEXT_TYPE_application_layer_protocol_negotiation));
    I(SSL_extension_supported(TLSEXT_TYPE_next_proto_neg));
    I(SSL_extension_supported(TLSEXT_TYPE_signature_algorithms_cert));
    I(SSL_extension_supported(TLSEXT_TYPE_post_handshake_auth));
    I(SSL_extension_supported(1000));
    I(SSL_COMP_add_compression_method(200, NULL));
    P(SSL_COMP_set0_compression_methods(NULL));
    K(INTERNAL); P(SSL_test_functions());
    V(SSL_add_ssl_module());
}

static void ctx_calls(SSL_CTX *ctx)
{
    unsigned char der[3] = {0x30, 0x82, 0x01};
    char name[300];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    state = "ctx";
    I(SSL_CTX_ct_is_enabled(ctx));
    U(SSL_CTX_dane_set_flags(ctx, 1));
    K(DANE_FLAGS); U(SSL_CTX_dane_clear_flags(ctx, 1));
    I(sk_X509_NAME_num(SSL_CTX_get0_CA_list(ctx)));
    K("OpenSSL's context holds an empty CT log store"); P(SSL_CTX_get0_ctlog_store(ctx));
    P(SSL_CTX_get0_security_ex_data(ctx));
    P(SSL_CTX_get_record_padding_callback_arg(ctx));
    K(DEFAULT_CB); P(SSL_CTX_get_security_callback(ctx));
    I(SSL_CTX_has_client_custom_ext(ctx, 1000));
    K("ferrossl's session cache is no LHASH"); P(SSL_CTX_sessions(ctx));
    I(SSL_CTX_SRP_CTX_init(ctx));
    I(SSL_CTX_SRP_CTX_free(ctx));
    I(SSL_CTX_set_srp_cb_arg(ctx, NULL));
    I(SSL_CTX_set_srp_client_pwd_callback(ctx, CB(char *(*)(SSL *, void *))));
    I(SSL_CTX_set_srp_username_callback(ctx, CB(int (*)(SSL *, int *, void *))));
    I(SSL_CTX_set_srp_verify_param_callback(ctx, CB(int (*)(SSL *, void *))));
    I(SSL_CTX_set_srp_strength(ctx, 1024));
    I(SSL_CTX_set_srp_username(ctx, NULL));
    I(SSL_CTX_set_srp_username(ctx, (char *)""));
    I(SSL_CTX_set_srp_username(ctx, name));
    K(REFUSED); I(SSL_CTX_set_srp_username(ctx, (char *)"user"));
    K(REFUSED); I(SSL_CTX_set_srp_password(ctx, (char *)"pass"));
    V(SSL_CTX_set_psk_client_callback(ctx, CB(SSL_psk_client_cb_func)));
    V(SSL_CTX_set_psk_server_callback(ctx, CB(SSL_psk_server_cb_func)));
    V(SSL_CTX_set_psk_find_session_callback(ctx, CB(SSL_psk_find_session_cb_func)));
    V(SSL_CTX_set_psk_use_session_callback(ctx, CB(SSL_psk_use_session_cb_func)));
    I(SSL_CTX_use_psk_identity_hint(ctx, NULL));
    I(SSL_CTX_use_psk_identity_hint(ctx, name));
    K(REFUSED); I(SSL_CTX_use_psk_identity_hint(ctx, "hint"));
    I(SSL_CTX_dane_enable(ctx));
    I(SSL_CTX_dane_mtype_set(ctx, EVP_sha512(), 2, 1));
    I(SSL_CTX_dane_mtype_set(ctx, EVP_sha256(), 0, 1));
    I(SSL_CTX_enable_ct(ctx, 7));
    K(REFUSED); I(SSL_CTX_enable_ct(ctx, SSL_CT_VALIDATION_STRICT));
    I(SSL_CTX_set_ct_validation_callback(ctx, NULL, NULL));
    K(REFUSED); I(SSL_CTX_set_ct_validation_callback(ctx, CB(ssl_ct_validation_cb), NULL));
    I(SSL_CTX_ct_is_enabled(ctx) && 0);
    V(SSL_CTX_set0_ctlog_store(ctx, CTLOG_STORE_new()));
    I(SSL_CTX_set_ctlog_list_file(ctx, "/nonexistent/ct.cnf"));
    I(SSL_CTX_set_default_ctlog_list_file(ctx));
    V(SSL_CTX_set_next_proto_select_cb(ctx, CB(SSL_CTX_npn_select_cb_func), NULL));
    V(SSL_CTX_set_next_protos_advertised_cb(ctx, CB(SSL_CTX_npn_advertised_cb_func), NULL));
    K(REFUSED); I(SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AES128_CM_SHA1_80"));
    K("ferrossl refuses every profile list, with `unsupported`");
    I(SSL_CTX_set_tlsext_use_srtp(ctx, "NOPE"));
    K(REFUSED); I(SSL_CTX_add_client_custom_ext(ctx, 1000, NULL, NULL, NULL, NULL, NULL));
    K(REFUSED); I(SSL_CTX_add_server_custom_ext(ctx, 1001, NULL, NULL, NULL, NULL, NULL));
    K(REFUSED);
    I(SSL_CTX_add_custom_ext(ctx, 1002, SSL_EXT_CLIENT_HELLO, NULL, NULL, NULL, NULL, NULL));
    K(REFUSED); I(SSL_CTX_use_serverinfo_file(ctx, "/nonexistent"));
    K(REFUSED); I(SSL_CTX_use_serverinfo(ctx, der, sizeof(der)));
    V(SSL_CTX_set_cookie_generate_cb(ctx, NULL));
    V(SSL_CTX_set_cookie_verify_cb(ctx, NULL));
    V(SSL_CTX_set_stateless_cookie_generate_cb(ctx, NULL));
    V(SSL_CTX_set_stateless_cookie_verify_cb(ctx, NULL));
    I(SSL_CTX_get_recv_max_early_data(ctx));
    I(SSL_CTX_set_recv_max_early_data(ctx, 1000));
    V(SSL_CTX_set_allow_early_data_cb(ctx, NULL, NULL));
    V(SSL_CTX_set_post_handshake_auth(ctx, 1));
    I(SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_DISABLED));
    I(SSL_CTX_set_tlsext_max_fragment_length(ctx, 9));
    K(REFUSED); I(SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_1024));
    I(SSL_CTX_set_block_padding(ctx, 0));
    I(SSL_CTX_set_block_padding(ctx, 1));
    I(SSL_CTX_set_block_padding(ctx, 20000));
    K(REFUSED); I(SSL_CTX_set_block_padding(ctx, 16));
    V(SSL_CTX_set_record_padding_callback(ctx, NULL));
    K(REFUSED);
    V(SSL_CTX_set_record_padding_callback(ctx, CB(size_t(*)(SSL *, int, size_t, void *))));
    V(SSL_CTX_set_record_padding_callback_arg(ctx, NULL));
    V(SSL_CTX_set_default_read_buffer_len(ctx, 4096));
    I(SSL_CTX_set_async_callback(ctx, NULL));
    I(SSL_CTX_set_async_callback_arg(ctx, NULL));
    V(SSL_CTX_set_security_callback(ctx, NULL));
    K(REFUSED);
    V(SSL_CTX_set_security_callback(ctx, CB(int (*)(const SSL *, const SSL_CTX *, int, int, int, void *, void *))));
    V(SSL_CTX_set0_security_ex_data(ctx, NULL));
    V(SSL_CTX_set_cert_verify_callback(ctx, NULL, NULL));
    V(SSL_CTX_set_cert_verify_callback(ctx, CB(int (*)(X509_STORE_CTX *, void *)), NULL));
    V(SSL_CTX_set_tmp_dh_callback(ctx, NULL));
    I(SSL_CTX_add1_to_CA_list(ctx, cert));
    V(SSL_CTX_set0_CA_list(ctx, NULL));
    V(SSL_CTX_set0_CA_list(ctx, sk_X509_NAME_new_null()));
    I(SSL_CTX_set_generate_session_id(ctx, NULL));
    V(SSL_CTX_set_not_resumable_session_callback(ctx, NULL));
    I(SSL_CTX_set_session_ticket_cb(ctx, NULL, NULL, NULL));
    I(SSL_CTX_set_ssl_version(ctx, TLS_method()));
    I(SSL_CTX_set_ssl_version(ctx, TLS_client_method()));
    I(SSL_CTX_config(ctx, "nosuchsection"));
    I(SSL_CTX_config(ctx, NULL));
    /* the sections of the configuration file tests/classes_differential.rs writes */
    {
        SSL_CTX *c2 = SSL_CTX_new(TLS_method());
        SSL *s2;
        I(SSL_CTX_config(c2, "good"));
        I(SSL_CTX_get_min_proto_version(c2));
        I((SSL_CTX_get_options(c2) & SSL_OP_NO_TICKET) != 0);
        s2 = SSL_new(c2);
        I(SSL_config(s2, "bad"));
        I(SSL_get_min_proto_version(s2));
        SSL_free(s2);
        SSL_CTX_free(c2);
    }
    I(SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER));
    I(SSL_CTX_set_trust(ctx, X509_TRUST_SSL_SERVER));
    I(SSL_CTX_set_purpose(ctx, 4711));
    I(SSL_CTX_load_verify_store(ctx, "/nonexistent"));
    I(SSL_CTX_set_default_verify_store(ctx));
    I(SSL_CTX_use_RSAPrivateKey(ctx, (RSA *)EVP_PKEY_get0_RSA(key)));
    K("libcrypto's DER decoder queues other errors than d2i_RSAPrivateKey");
    I(SSL_CTX_use_RSAPrivateKey_ASN1(ctx, der, 3));
    K(REFUSED); I(SSL_CTX_set_client_cert_engine(ctx, NULL));
}

/* Getters and requests on a fresh or connected SSL (nothing here changes it for OpenSSL). */
static void ssl_calls(SSL *s, const char *st, int connected, int tls13)
{
    const unsigned char *data = (const unsigned char *)"x";
    unsigned int ulen = 99;
    size_t zlen = 99;
    int n = 99, ad = 99;
    unsigned char buf[64];
    uint8_t u8a = 9, u8b = 9, u8c = 9;
    X509 *mcert = (X509 *)1;
    EVP_PKEY *mspki = (EVP_PKEY *)1;

    state = st;
    I(SRP_Calc_A_param(s));
    I(SSL_srp_server_param_with_username(s, &ad));
    I(ad);
    P(SSL_get_srp_N(s));
    P(SSL_get_srp_g(s));
    S(SSL_get_srp_username(s));
    S(SSL_get_srp_userinfo(s));
    S(SSL_get_psk_identity(s));
    S(SSL_get_psk_identity_hint(s));
    I(SSL_ct_is_enabled(s));
    if (connected && !SSL_is_server(s))
        K("OpenSSL collects an empty SCT list from the server certificate");
    P(SSL_get0_peer_scts(s));
    U(SSL_dane_set_flags(s, 1));
    K(DANE_FLAGS); U(SSL_dane_clear_flags(s, 1));
    K(INTERNAL); P(SSL_get0_dane(s));
    I(SSL_get0_dane_authority(s, &mcert, &mspki));
    I(mcert == (X509 *)1 && mspki == (EVP_PKEY *)1);
    I(SSL_get0_dane_tlsa(s, &u8a, &u8b, &u8c, &data, &zlen));
    I(u8a == 9 && zlen == 99);
    data = (const unsigned char *)"x";
    V(SSL_get0_next_proto_negotiated(s, &data, &ulen));
    I(data == NULL && ulen == 0);
    P(SSL_get_srtp_profiles(s));
    P(SSL_get_selected_srtp_profile(s));
    I(SSL_renegotiate_pending(s));
    I(SSL_get_key_update_type(s));
    if (connected)
        K(NO_FIN);
    I(SSL_get_finished(s, buf, sizeof(buf)));
    if (connected)
        K(NO_FIN);
    I(SSL_get_peer_finished(s, buf, sizeof(buf)));
    if (connected && !SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_peer_signature_type_nid(s, &n));
    if (connected && SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_signature_type_nid(s, &n));
    if (connected && SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL));
    if (connected && SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_shared_sigalgs(s, 0, NULL, NULL, NULL, NULL, NULL));
    I(sk_X509_NAME_num(SSL_get0_CA_list(s)));
    /* SSL_ctrl commands openssl s_client prints */
    if (connected && !SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_peer_signature_nid(s, &n));
    if (connected && SSL_is_server(s))
        K(NO_SIGALG);
    I(SSL_get_signature_nid(s, &n));
    I(SSL_get0_certificate_types(s, NULL));
    if (connected && !tls13)
        K("rustls does not report the peer's point formats");
    I(SSL_get0_ec_point_formats(s, &data));
    if (connected && (SSL_is_server(s) || !tls13))
        K("ferrossl does not report the peer's renegotiation_info");
    I(SSL_get_secure_renegotiation_support(s));
    P(SSL_get0_peer_CA_list(s));
    P(SSL_get0_security_ex_data(s));
    K(DEFAULT_CB); P(SSL_get_security_callback(s));
    P(SSL_get_record_padding_callback_arg(s));
    I(SSL_get_recv_max_early_data(s));
    I(SSL_get_all_async_fds(s, NULL, &zlen));
    I(SSL_get_changed_async_fds(s, NULL, &zlen, NULL, &zlen));
    I(SSL_get_async_status(s, &n));
    I(SSL_waiting_for_async(s));
    S(SSL_rstate_string(s));
    S(SSL_rstate_string_long(s));
    I(SSL_has_matching_session_id(s, buf, 32));
    I(SSL_export_keying_material_early(s, buf, 16, "label", 5, NULL, 0));
    I(SSL_verify_client_post_handshake(s));
    if (connected && tls13)
        K("OpenSSL's TLS 1.3 methods are internal: ferrossl keeps the context's");
    I(SSL_get_ssl_method(s) == SSL_CTX_get_ssl_method(SSL_get_SSL_CTX(s)));
    if (!tls13)
        I(SSL_get_ssl_method(s) == (SSL_is_server(s) ? TLSv1_2_server_method() : TLSv1_2_client_method()));
    K(REFUSED); I(SSL_dane_enable(s, "example.com"));
    I(SSL_dane_tlsa_add(s, 3, 1, 1, buf, 32));
    /* Requests last: on OpenSSL they change the connection's state. */
    if (connected && tls13 && SSL_is_server(s))
        K(REFUSED);
    I(SSL_new_session_ticket(s));
    I(SSL_key_update(s, 5));
    if (!connected || !tls13) /* connected TLS 1.3: key_update_calls() */
        I(SSL_key_update(s, SSL_KEY_UPDATE_NOT_REQUESTED));
    if (!tls13)
        K(REFUSED);
    I(SSL_renegotiate(s));
    if (!tls13)
        K(REFUSED);
    I(SSL_renegotiate_abbreviated(s));
    if (!tls13)
        K("OpenSSL now has a renegotiation pending");
    I(SSL_renegotiate_pending(s));
}

static void ssl_setters(SSL *s)
{
    unsigned char buf[4] = {0};
    state = "ssl";
    I(SSL_SRP_CTX_init(s));
    I(SSL_SRP_CTX_free(s));
    K(REFUSED); I(SSL_set_srp_server_param_pw(s, "u", "p", "1024"));
    V(SSL_set_psk_client_callback(s, NULL));
    V(SSL_set_psk_server_callback(s, NULL));
    V(SSL_set_psk_find_session_callback(s, NULL));
    V(SSL_set_psk_use_session_callback(s, NULL));
    I(SSL_use_psk_identity_hint(s, NULL));
    K(REFUSED); I(SSL_use_psk_identity_hint(s, "hint"));
    I(SSL_use_psk_identity_hint(NULL, "hint"));
    S(SSL_get_psk_identity(NULL));
    P(SSL_get_srtp_profiles(NULL));
    I(SSL_set_session_secret_cb(s, NULL, NULL));
    I(SSL_set_session_secret_cb(NULL, NULL, NULL));
    I(SSL_set_session_ticket_ext_cb(NULL, NULL, NULL));
    I(SSL_enable_ct(s, 9));
    K(REFUSED); I(SSL_enable_ct(s, SSL_CT_VALIDATION_PERMISSIVE));
    I(SSL_set_ct_validation_callback(s, NULL, NULL));
    K(REFUSED); I(SSL_set_tlsext_use_srtp(s, "SRTP_AES128_CM_SHA1_80"));
    I(SSL_set_recv_max_early_data(s, 100));
    V(SSL_set_allow_early_data_cb(s, NULL, NULL));
    V(SSL_set_post_handshake_auth(s, 1));
    I(SSL_set_tlsext_max_fragment_length(s, 0));
    I(SSL_set_tlsext_max_fragment_length(s, 5));
    K(REFUSED); I(SSL_set_tlsext_max_fragment_length(s, 2));
    I(SSL_set_block_padding(s, 1));
    I(SSL_set_block_padding(s, 16385));
    K(REFUSED); I(SSL_set_block_padding(s, 64));
    I(SSL_set_record_padding_callback(s, NULL));
    V(SSL_set_record_padding_callback_arg(s, NULL));
    V(SSL_set_default_read_buffer_len(s, 1000));
    I(SSL_alloc_buffers(s));
    I(SSL_free_buffers(s));
    I(SSL_set_async_callback(s, NULL));
    I(SSL_set_async_callback_arg(s, NULL));
    V(SSL_set_security_callback(s, NULL));
    V(SSL_set0_security_ex_data(s, NULL));
    V(SSL_set_cert_cb(s, NULL, NULL));
    V(SSL_set_tmp_dh_callback(s, NULL));
    V(SSL_set0_CA_list(s, NULL));
    I(SSL_add1_to_CA_list(s, cert));
    I(SSL_add_client_CA(s, cert));
    I(SSL_set_generate_session_id(s, NULL));
    V(SSL_set_not_resumable_session_callback(s, NULL));
    I(SSL_set_session_ticket_ext(s, NULL, 0));
    K(REFUSED); I(SSL_set_session_ticket_ext(s, buf, 4));
    I(SSL_set_session_ticket_ext_cb(s, NULL, NULL));
    I(SSL_set_ssl_method(s, TLS_method()));
    I(SSL_config(s, "nosuchsection"));
    I(SSL_set_purpose(s, X509_PURPOSE_SSL_SERVER));
    I(SSL_set_trust(s, X509_TRUST_SSL_SERVER));
    I(SSL_set_trust(s, 4711));
    I(SSL_use_RSAPrivateKey(s, (RSA *)EVP_PKEY_get0_RSA(key)));
    K(REFUSED); I(SSL_check_chain(s, cert, key, NULL));
    V(SSL_set_debug(s, 1));
}

static void session_calls(SSL_SESSION *ss, const char *st, int connected)
{
    unsigned int ulen = 99;
    const unsigned char *tick = (const unsigned char *)"x";
    size_t zlen = 99;
    void *ad = (void *)1;
    state = st;
    P(SSL_SESSION_get0_id_context(ss, &ulen));
    I(ulen);
    V(SSL_SESSION_get0_ticket(ss, &tick, &zlen));
    if (connected)
        K("rustls keeps the ticket");
    I(tick == NULL && zlen == 0);
    I(SSL_SESSION_get0_ticket_appdata(ss, &ad, &zlen));
    I(ad == NULL && zlen == 0);
    I(SSL_SESSION_get_compress_id(ss));
    I(SSL_SESSION_get_max_fragment_length(ss));
    if (connected)
        K("rustls does not report the ticket lifetime");
    I(SSL_SESSION_get_ticket_lifetime_hint(ss) > 0);
    I(SSL_SESSION_set1_ticket_appdata(ss, NULL, 0));
    I(SSL_SESSION_set_max_early_data(ss, 0));
    K(REFUSED); I(SSL_SESSION_set_max_early_data(ss, 1));
}

static int connect_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **sv)
{
    BIO *b1, *b2;
    char buf[16];
    int i, rc = 0, rs = 0;
    *c = SSL_new(cctx);
    *sv = SSL_new(sctx);
    BIO_new_bio_pair(&b1, 0, &b2, 0);
    SSL_set_bio(*c, b1, b1);
    SSL_set_bio(*sv, b2, b2);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*sv);
    for (i = 0; i < 200 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(*c);
        if (rs != 1)
            rs = SSL_do_handshake(*sv);
    }
    /* the client takes the server's tickets with the first data */
    SSL_write(*sv, "hi", 2);
    for (i = 0; i < 10 && SSL_read(*c, buf, sizeof(buf)) <= 0; i++)
        ;
    ERR_clear_error();
    return rc == 1 && rs == 1;
}

/* SSL_key_update on a TLS 1.3 connection: the KeyUpdate goes out, data flows on. */
static int key_updates_seen;

static void count_key_updates(int write_p, int version, int content_type, const void *buf,
                              size_t len, SSL *ssl, void *arg)
{
    (void)version, (void)ssl, (void)arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0
        && ((const unsigned char *)buf)[0] == SSL3_MT_KEY_UPDATE)
        key_updates_seen++;
}

static void key_update_calls(void)
{
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    SSL *c, *sv;
    char buf[16];
    int i, n;
    state = "kupd";
    SSL_CTX_use_certificate(sctx, cert);
    SSL_CTX_use_PrivateKey(sctx, key);
    I(connect_pair(cctx, sctx, &c, &sv));
    SSL_set_msg_callback(sv, count_key_updates);
    SSL_set_msg_callback(c, count_key_updates);
    I(SSL_key_update(c, SSL_KEY_UPDATE_REQUESTED));
    K("ferrossl hands the KeyUpdate to rustls at once: nothing is pending");
    I(SSL_get_key_update_type(c));
    I(SSL_write(c, "ping", 4));
    for (i = 0, n = 0; i < 10 && n <= 0; i++)
        n = SSL_read(sv, buf, sizeof(buf));
    I(n == 4 && memcmp(buf, "ping", 4) == 0);
    I(SSL_key_update(sv, SSL_KEY_UPDATE_NOT_REQUESTED));
    I(SSL_do_handshake(sv));
    I(SSL_write(sv, "pong", 4));
    for (i = 0, n = 0; i < 10 && n <= 0; i++)
        n = SSL_read(c, buf, sizeof(buf));
    I(n == 4 && memcmp(buf, "pong", 4) == 0);
    K("the message callback: ferrossl reports no post-handshake KeyUpdate");
    I(key_updates_seen);
    I(SSL_key_update(c, SSL_KEY_UPDATE_NOT_REQUESTED));
    I(SSL_write(c, "again", 5));
    for (i = 0, n = 0; i < 10 && n <= 0; i++)
        n = SSL_read(sv, buf, sizeof(buf));
    I(n == 5);
    SSL_free(c);
    SSL_free(sv);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* SSL_CTX_set_cert_verify_callback: the program's function replaces X509_verify_cert. */
static int app_answer, app_calls, app_seen;

static int app_verify(X509_STORE_CTX *x, void *arg)
{
    SSL *s = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    app_calls++;
    app_seen = (s != NULL) + 2 * (X509_STORE_CTX_get0_cert(x) != NULL) + 4 * (arg == &app_calls);
    return app_answer < 0 ? X509_verify_cert(x) : app_answer;
}

static void cert_verify_calls(void)
{
    int answer;
    state = "appvf";
    for (answer = -1; answer <= 1; answer++) {
        SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
        SSL *c, *sv;
        int ok;
        SSL_CTX_use_certificate(sctx, cert);
        SSL_CTX_use_PrivateKey(sctx, key);
        SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
        V(SSL_CTX_set_cert_verify_callback(cctx, app_verify, &app_calls));
        app_answer = answer;
        app_calls = app_seen = 0;
        ok = connect_pair(cctx, sctx, &c, &sv);
        I(answer);
        I(ok);
        I(app_calls);
        I(app_seen);
        I(SSL_get_verify_result(c));
        SSL_free(c);
        SSL_free(sv);
        V(SSL_CTX_set_cert_verify_callback(cctx, NULL, NULL));
        app_calls = 0;
        ok = connect_pair(cctx, sctx, &c, &sv);
        I(ok);
        I(app_calls);
        SSL_free(c);
        SSL_free(sv);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
}

int main(void)
{
    SSL_CTX *ctx, *cctx, *sctx;
    SSL *s, *c, *sv;
    SSL_SESSION *ss;
    Dl_info info;
    int v;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (dladdr((void *)SSL_new, &info) != 0 && info.dli_fname != NULL)
        printf("~ libssl %s\n", info.dli_fname);
    make_cert();
    global_calls();

    ctx = SSL_CTX_new(TLS_method());
    s = SSL_new(ctx);
    ssl_calls(s, "ssl", 0, 0);
    SSL_free(s);
    s = SSL_new(ctx);
    ssl_setters(s);
    SSL_free(s);
    state = "fresh";
    s = SSL_new(ctx);
    I(DTLSv1_listen(s, NULL));
    SSL_free(s);
    s = SSL_new(ctx);
    SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    I(DTLSv1_listen(s, NULL));
    SSL_free(s);
    s = SSL_new(ctx);
    SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    K(REFUSED); I(SSL_stateless(s));
    SSL_free(s);
    ctx_calls(ctx);
    SSL_CTX_free(ctx);

    ss = SSL_SESSION_new();
    session_calls(ss, "sess", 0);
    SSL_SESSION_free(ss);

    for (v = 0; v < 2; v++) {
        int version = v == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
        cctx = SSL_CTX_new(TLS_client_method());
        sctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_set_max_proto_version(cctx, version);
        SSL_CTX_use_certificate(sctx, cert);
        SSL_CTX_use_PrivateKey(sctx, key);
        if (!connect_pair(cctx, sctx, &c, &sv)) {
            printf("handshake failed\n");
            return 1;
        }
        printf("connected: %s\n", SSL_get_version(c));
        session_calls(SSL_get_session(c), v == 0 ? "cs13" : "cs12", 1);
        ssl_calls(c, v == 0 ? "cli13" : "cli12", 1, v == 0);
        ssl_calls(sv, v == 0 ? "srv13" : "srv12", 1, v == 0);
        SSL_free(c);
        SSL_free(sv);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
    cert_verify_calls();
    key_update_calls();
    printf("done\n");
    return 0;
}
