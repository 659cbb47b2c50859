/*
 * abi_ssl1: SSL functions, part 1 — life cycle and the getters. Each getter is called on a
 * fresh SSL (ret=), on both ends of the completed TLS 1.3 handshake (out: cli=, srv=), on
 * both ends of the TLS 1.2 one (cli12=, srv12=) and of the one with a client certificate
 * (mcli=, msrv=).
 */
#include "abi.h"

#define THREE(f, fmt, conv)                                                        \
    CASE(f)                                                                        \
    {                                                                              \
        conv(r, f(e->ssl));                                                        \
        struct res t;                                                              \
        memset(&t, 0, sizeof t);                                                   \
        conv(&t, f(e->cli));                                                       \
        out(r, "cli=%s", t.ret);                                                   \
        conv(&t, f(e->srv));                                                       \
        out(r, "srv=%s", t.ret);                                                   \
        if (e->cli12 == NULL) {                                                    \
            out(r, "tls12=no-handshake");                                          \
            return;                                                                \
        }                                                                          \
        conv(&t, f(e->cli12));                                                     \
        out(r, "cli12=%s", t.ret);                                                 \
        conv(&t, f(e->srv12));                                                     \
        out(r, "srv12=%s", t.ret);                                                 \
        if (e->mcli == NULL) {                                                     \
            out(r, "mtls=no-handshake");                                           \
            return;                                                                \
        }                                                                          \
        conv(&t, f(e->mcli));                                                      \
        out(r, "mcli=%s", t.ret);                                                  \
        conv(&t, f(e->msrv));                                                      \
        out(r, "msrv=%s", t.ret);                                                  \
    }
#define conv_i(r, v) ret_i(r, (long)(v))
#define conv_p(r, v) ret_p(r, (const void *)(v))
#define conv_fp(r, v) RET_FP(r, v)
#define INT3(f) THREE(f, "%ld", conv_i)
#define STR3(f) THREE(f, "%s", ret_s)
#define PTR3(f) THREE(f, "%s", conv_p)
#define FP3(f) THREE(f, "%s", conv_fp)
#define CERT3(f) THREE(f, "%s", ret_cert)
#define CERTS3(f) THREE(f, "%s", ret_certs)
#define NAMES3(f) THREE(f, "%s", ret_names)
#define CIPHERS3(f) THREE(f, "%s", ret_ciphers)
#define CIPHER3(f) THREE(f, "%s", ret_cipher)

INT3(SSL_client_version)
INT3(SSL_ct_is_enabled)
INT3(SSL_get_default_timeout)
INT3(SSL_get_early_data_status)
INT3(SSL_get_fd)
INT3(SSL_get_key_update_type)
INT3(SSL_get_max_early_data)
INT3(SSL_get_num_tickets)
INT3(SSL_get_quiet_shutdown)
INT3(SSL_get_read_ahead)
INT3(SSL_get_recv_max_early_data)
INT3(SSL_get_rfd)
INT3(SSL_get_security_level)
INT3(SSL_get_servername_type)
INT3(SSL_get_shutdown)
INT3(SSL_get_state)
INT3(SSL_get_verify_depth)
INT3(SSL_get_verify_mode)
INT3(SSL_get_verify_result)
INT3(SSL_get_wfd)
INT3(SSL_has_pending)
INT3(SSL_in_before)
INT3(SSL_in_init)
INT3(SSL_is_dtls)
INT3(SSL_is_init_finished)
INT3(SSL_is_server)
INT3(SSL_pending)
INT3(SSL_renegotiate_pending)
INT3(SSL_session_reused)
INT3(SSL_version)
INT3(SSL_want)
INT3(SSL_waiting_for_async)

STR3(SSL_get_version)
STR3(SSL_state_string)
STR3(SSL_state_string_long)
STR3(SSL_rstate_string)
STR3(SSL_rstate_string_long)
STR3(SSL_get_psk_identity)
STR3(SSL_get_psk_identity_hint)
STR3(SSL_get0_peername)
STR3(SSL_get_srp_username)
STR3(SSL_get_srp_userinfo)

PTR3(SSL_get0_dane)
PTR3(SSL_get0_param)
PTR3(SSL_get0_security_ex_data)
PTR3(SSL_get_SSL_CTX)
PTR3(SSL_get_current_compression)
PTR3(SSL_get_current_expansion)
PTR3(SSL_get_default_passwd_cb_userdata)
PTR3(SSL_get_rbio)
PTR3(SSL_get_wbio)
PTR3(SSL_get_record_padding_callback_arg)
PTR3(SSL_get_selected_srtp_profile)
PTR3(SSL_get_srtp_profiles)
PTR3(SSL_get_ssl_method)
PTR3(SSL_get0_peer_scts)
PTR3(SSL_get_srp_N)
PTR3(SSL_get_srp_g)
PTR3(SSL_get_session)
PTR3(SSL_get_privatekey)
FP3(SSL_get_default_passwd_cb)
FP3(SSL_get_info_callback)
FP3(SSL_get_security_callback)
FP3(SSL_get_verify_callback)

CERT3(SSL_get_certificate)
CERT3(SSL_get0_peer_certificate)
CERT3(SSL_get1_peer_certificate)
CERTS3(SSL_get_peer_cert_chain)
CERTS3(SSL_get0_verified_chain)
NAMES3(SSL_get0_CA_list)
NAMES3(SSL_get0_peer_CA_list)
NAMES3(SSL_get_client_CA_list)
CIPHERS3(SSL_get_client_ciphers)

/* The fresh SSL and the server have the library's default list; the client a configured one. */
#define DEFAULT_CIPHERS3(f)                                                        \
    CASE(f)                                                                        \
    {                                                                              \
        struct res t;                                                              \
        memset(&t, 0, sizeof t);                                                   \
        ret_default_ciphers(r, f(e->ssl));                                         \
        ret_ciphers(&t, f(e->cli));                                                \
        out(r, "cli=%s", t.ret);                                                   \
        ret_default_ciphers(&t, f(e->srv));                                        \
        out(r, "srv=%s", t.ret);                                                   \
    }
DEFAULT_CIPHERS3(SSL_get_ciphers)
DEFAULT_CIPHERS3(SSL_get1_supported_ciphers)
CIPHER3(SSL_get_current_cipher)
CIPHER3(SSL_get_pending_cipher)

CASE(SSL_get_options)
{
    snprintf(r->ret, sizeof r->ret, "%#llx", (unsigned long long)SSL_get_options(e->ssl));
    out(r, "cli=%#llx", (unsigned long long)SSL_get_options(e->cli));
}

CASE(SSL_get_servername)
{
    ret_s(r, SSL_get_servername(e->ssl, TLSEXT_NAMETYPE_host_name));
    out_s(r, "cli", SSL_get_servername(e->cli, TLSEXT_NAMETYPE_host_name));
    out_s(r, "srv", SSL_get_servername(e->srv, TLSEXT_NAMETYPE_host_name));
}

CASE(SSL_get1_session)
{
    SSL_SESSION *s = SSL_get1_session(e->cli);
    ret_p(r, s);
    out(r, "same=%d fresh=%s", s == SSL_get_session(e->cli), SSL_get1_session(e->ssl) ? "non-NULL" : "NULL");
}

CASE(SSL_get_cipher_list)
{
    ret_s(r, SSL_get_cipher_list(e->ssl, 0));
    out_s(r, "second", SSL_get_cipher_list(e->ssl, 1));
    out_s(r, "beyond", SSL_get_cipher_list(e->ssl, 1000));
}

CASE(SSL_get_shared_ciphers)
{
    char buf[512];
    ret_s(r, SSL_get_shared_ciphers(e->srv, buf, sizeof buf));
    out_s(r, "cli", SSL_get_shared_ciphers(e->cli, buf, sizeof buf));
    out_s(r, "small", SSL_get_shared_ciphers(e->srv, buf, 1));
}

static void random_case(struct res *r, size_t (*f)(const SSL *, unsigned char *, size_t), struct env *e)
{
    unsigned char buf[64], zero[64] = {0};
    ret_u(r, f(e->cli, NULL, 0));
    size_t n = f(e->cli, buf, sizeof buf);
    out(r, "copied=%zu nonzero=%d", n, n > 0 && memcmp(buf, zero, n) != 0);
    out(r, "small=%zu", f(e->cli, buf, 8));
    out(r, "fresh=%zu", f(e->ssl, buf, sizeof buf));
}

CASE(SSL_get_client_random) { random_case(r, SSL_get_client_random, e); }
CASE(SSL_get_server_random) { random_case(r, SSL_get_server_random, e); }

static void finished_case(struct res *r, size_t (*f)(const SSL *, void *, size_t), struct env *e)
{
    unsigned char buf[128], other[128];
    ret_u(r, f(e->cli, buf, sizeof buf));
    out(r, "srv=%zu fresh=%zu small=%zu", f(e->srv, other, sizeof other), f(e->ssl, buf, sizeof buf), f(e->cli, buf, 4));
    if (e->cli12 != NULL) {
        size_t n = f(e->cli12, buf, sizeof buf), m = f(e->srv12, other, sizeof other);
        out(r, "cli12=%zu srv12=%zu", n, m);
    }
}

CASE(SSL_get_finished) { finished_case(r, SSL_get_finished, e); }
CASE(SSL_get_peer_finished) { finished_case(r, SSL_get_peer_finished, e); }

CASE(SSL_get_peer_signature_type_nid)
{
    int nid = -1;
    ret_i(r, SSL_get_peer_signature_type_nid(e->cli, &nid));
    out(r, "nid=%d", nid);
    nid = -1;
    out(r, "fresh=%d nid=%d", SSL_get_peer_signature_type_nid(e->ssl, &nid), nid);
    if (e->cli12 != NULL) {
        nid = -1;
        out(r, "cli12=%d nid=%d", SSL_get_peer_signature_type_nid(e->cli12, &nid), nid);
    }
}

CASE(SSL_get_signature_type_nid)
{
    int nid = -1;
    ret_i(r, SSL_get_signature_type_nid(e->srv, &nid));
    out(r, "nid=%d", nid);
}

static void sigalgs_case(struct res *r, SSL *s, int (*f)(SSL *, int, int *, int *, int *, unsigned char *, unsigned char *))
{
    int sign = 0, hash = 0, signhash = 0;
    unsigned char rsig = 0, rhash = 0;
    int n = f(s, 0, &sign, &hash, &signhash, &rsig, &rhash);
    ret_i(r, n);
    if (n > 0)
        out(r, "first=%d/%d/%d/%02x%02x", sign, hash, signhash, rhash, rsig);
    out(r, "beyond=%d", f(s, 1000, NULL, NULL, NULL, NULL, NULL));
}

CASE(SSL_get_shared_sigalgs)
{
    sigalgs_case(r, e->srv, SSL_get_shared_sigalgs);
    if (e->srv12 != NULL)
        out(r, "srv12=%d", SSL_get_shared_sigalgs(e->srv12, -1, NULL, NULL, NULL, NULL, NULL));
}
CASE(SSL_get_sigalgs) { sigalgs_case(r, e->srv, SSL_get_sigalgs); out(r, "cli=%d", SSL_get_sigalgs(e->cli, -1, NULL, NULL, NULL, NULL, NULL)); }

CASE(SSL_group_to_name)
{
    /* takes an NID, as SSL_get_negotiated_group returns it (TLSEXT_nid_unknown | id if none) */
    ret_s(r, SSL_group_to_name(e->cli, NID_X25519));
    out_s(r, "p256", SSL_group_to_name(e->cli, NID_X9_62_prime256v1));
    out_s(r, "ffdhe2048", SSL_group_to_name(e->cli, NID_ffdhe2048));
    out_s(r, "negotiated", SSL_group_to_name(e->cli, (int)SSL_get_negotiated_group(e->cli)));
    out_s(r, "unknown", SSL_group_to_name(e->cli, TLSEXT_nid_unknown | 0x7777));
}

CASE(SSL_get_error)
{
    ret_i(r, SSL_get_error(e->cli, -1));
    out(r, "fresh0=%d fresh1=%d", SSL_get_error(e->ssl, 0), SSL_get_error(e->ssl, 1));
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
    out(r, "queued=%d", SSL_get_error(e->cli, -1));
    ERR_clear_error();
}

CASE(SSL_get_ex_data)
{
    int idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_p(r, SSL_get_ex_data(e->ssl, idx));
}

CASE(SSL_set_ex_data)
{
    int idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_i(r, SSL_set_ex_data(e->ssl, idx, e));
    out(r, "get=%d", SSL_get_ex_data(e->ssl, idx) == e);
}

CASE(SSL_get_all_async_fds)
{
    size_t n = 99;
    ret_i(r, SSL_get_all_async_fds(e->cli, NULL, &n));
    out(r, "n=%zu", n);
}

CASE(SSL_get_changed_async_fds)
{
    size_t a = 99, d = 99;
    ret_i(r, SSL_get_changed_async_fds(e->cli, NULL, &a, NULL, &d));
    out(r, "added=%zu deleted=%zu", a, d);
}

CASE(SSL_get_async_status)
{
    int st = 99;
    ret_i(r, SSL_get_async_status(e->cli, &st));
    out(r, "status=%d", st);
}

CASE(SSL_has_matching_session_id)
{
    unsigned int n = 0;
    const unsigned char *id = SSL_SESSION_get_id(e->sess, &n);
    ret_i(r, SSL_has_matching_session_id(e->srv, id, n));
    out(r, "unknown=%d", SSL_has_matching_session_id(e->srv, (const unsigned char *)"zzzz", 4));
}

/* Out-parameters start at a sentinel, so that "left untouched" shows. */
static const unsigned char sentinel[4] = "sen";

static void out_proto(struct res *r, const char *key, const unsigned char *p, unsigned int n)
{
    if (p == sentinel)
        out(r, "%s=untouched len=%u", key, n);
    else
        out_bytes(r, key, p, n);
}

CASE(SSL_get0_alpn_selected)
{
    const unsigned char *p = sentinel;
    unsigned int n = 3;
    SSL_get0_alpn_selected(e->cli, &p, &n);
    ret_void(r);
    out_proto(r, "alpn", p, n);
}

CASE(SSL_get0_next_proto_negotiated)
{
    const unsigned char *p = sentinel;
    unsigned int n = 3;
    SSL_get0_next_proto_negotiated(e->cli, &p, &n);
    ret_void(r);
    out_proto(r, "npn", p, n);
}

CASE(SSL_get0_dane_authority)
{
    X509 *mcert = (X509 *)e;
    EVP_PKEY *mspki = (EVP_PKEY *)e;
    ret_i(r, SSL_get0_dane_authority(e->cli, &mcert, &mspki));
    out(r, "mcert_untouched=%d", mcert == (X509 *)e);
}

CASE(SSL_get0_dane_tlsa)
{
    uint8_t u = 9, s = 9, m = 9;
    const unsigned char *d = NULL;
    size_t dl = 99;
    ret_i(r, SSL_get0_dane_tlsa(e->cli, &u, &s, &m, &d, &dl));
}

/* ------------------------------------------------------------------ life cycle */

CASE(SSL_new)
{
    SSL *s = SSL_new(e->ctx);
    ret_p(r, s);
    if (s)
        out(r, "before=%d server=%d ctx=%d", SSL_in_before(s), SSL_is_server(s), SSL_get_SSL_CTX(s) == e->ctx);
}

CASE(SSL_free)
{
    SSL *s = SSL_new(e->ctx);
    SSL_free(s);
    SSL_free(NULL);
    ret_void(r);
}

CASE(SSL_up_ref)
{
    SSL *s = SSL_new(e->ctx);
    if (s == NULL) { snprintf(r->ret, sizeof r->ret, "no SSL"); return; }
    ret_i(r, SSL_up_ref(s));
    SSL_free(s);
    out(r, "alive=%d", SSL_get_SSL_CTX(s) == e->ctx);
    SSL_free(s);
}

CASE(SSL_dup)
{
    SSL *d = SSL_dup(e->ssl);
    ret_p(r, d);
    out(r, "fresh_same=%d", d == e->ssl);
    SSL *h = SSL_dup(e->cli);
    out(r, "hs=%s hs_same=%d", h ? "non-NULL" : "NULL", h == e->cli);
}

CASE(SSL_clear)
{
    ret_i(r, SSL_clear(e->cli));
    out(r, "before=%d init=%d version=%s", SSL_in_before(e->cli), SSL_in_init(e->cli), SSL_get_version(e->cli));
    out(r, "session=%s", SSL_get_session(e->cli) ? "non-NULL" : "NULL");
}

/* The usual virtual-host pattern: the servername callback moves the connection to the
 * SSL_CTX that holds the certificate. */
static SSL_CTX *vhost;
static int switch_ctx(SSL *s, int *al, void *arg)
{
    (void)al; (void)arg;
    return SSL_set_SSL_CTX(s, vhost) == vhost ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

CASE(SSL_set_SSL_CTX)
{
    SSL_CTX *c = new_server_ctx(e);
    SSL_CTX *got = SSL_set_SSL_CTX(e->srv, c);
    ret_p(r, got);
    out(r, "same=%d now=%d", got == c, SSL_get_SSL_CTX(e->srv) == c);
    out(r, "cert=%s", SSL_get_certificate(e->srv) ? "non-NULL" : "NULL");
    SSL_CTX *bare = SSL_CTX_new(TLS_server_method());
    vhost = new_server_ctx(e);
    if (bare == NULL || vhost == NULL)
        return;
    SSL_CTX_set_tlsext_servername_callback(bare, switch_ctx);
    SSL *cl = NULL, *sv = NULL;
    out(r, "vhost_handshake=%d", handshake(e, e->cctx, bare, &cl, &sv));
    if (sv != NULL)
        out(r, "ctx=%d", SSL_get_SSL_CTX(sv) == vhost);
}

CASE(SSL_copy_session_id)
{
    ret_i(r, SSL_copy_session_id(e->ssl, e->cli));
    out(r, "same=%d", SSL_get_session(e->ssl) == SSL_get_session(e->cli));
}

CASE(SSL_set_session)
{
    ret_i(r, SSL_set_session(e->ssl, e->sess));
    out(r, "same=%d", SSL_get_session(e->ssl) == e->sess);
    SSL *c = NULL, *s = NULL;
    resume_session = e->sess;
    out(r, "handshake=%d", handshake(e, e->cctx, e->sctx, &c, &s));
    resume_session = NULL;
    if (c && s)
        out(r, "reused=%d/%d", SSL_session_reused(c), SSL_session_reused(s));
}
