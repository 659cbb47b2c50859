/*
 * abi_session: SSL_SESSION functions, and reading/writing sessions (PEM, DER).
 *
 * Getters are called on the handshaked client's session (e->sess); setters work on
 * SSL_SESSION_new(). The readers (PEM_read*, d2i) read a session that the stock libssl wrote, so
 * it is the same in both runs.
 * Values that vary between runs are normalised: ids and keys by length, times to "recent".
 */
#include "abi.h"

static SSL_SESSION *file_sess(struct env *e)
{
    static unsigned char der[16384];
    FILE *f = fopen(e->sess_der, "rb");
    if (f == NULL)
        return NULL;
    size_t n = fread(der, 1, sizeof der, f);
    fclose(f);
    const unsigned char *p = der;
    return d2i_SSL_SESSION(NULL, &p, (long)n);
}

static const char *recent(long t)
{
    long now = (long)time(NULL);
    return t > now - 600 && t < now + 600 ? "recent" : t == 0 ? "0" : "other";
}

#define NEED_SESS(s)                                                              \
    if ((s) == NULL) {                                                            \
        snprintf(r->ret, sizeof r->ret, "no SSL_SESSION");                        \
        return;                                                                   \
    }

/* A getter with an integer result, on the handshake's session, a new one, and the TLS 1.2
 * client's. */
#define SESS_INT(f)                                                               \
    CASE(f)                                                                       \
    {                                                                             \
        SSL_SESSION *n = SSL_SESSION_new();                                       \
        SSL_SESSION *s12 = e->cli12 ? SSL_get_session(e->cli12) : NULL;           \
        ret_i(r, (long)f(e->sess));                                               \
        out(r, "new=%ld", n ? (long)f(n) : -999L);                                \
        if (s12 != NULL)                                                          \
            out(r, "tls12=%ld", (long)f(s12));                                    \
    }

SESS_INT(SSL_SESSION_get_compress_id)
SESS_INT(SSL_SESSION_get_max_early_data)
SESS_INT(SSL_SESSION_get_max_fragment_length)
SESS_INT(SSL_SESSION_get_protocol_version)
SESS_INT(SSL_SESSION_get_ticket_lifetime_hint)
SESS_INT(SSL_SESSION_get_timeout)
SESS_INT(SSL_SESSION_has_ticket)
SESS_INT(SSL_SESSION_is_resumable)

CASE(SSL_SESSION_get_time) { snprintf(r->ret, sizeof r->ret, "%s", recent(SSL_SESSION_get_time(e->sess))); }
CASE(SSL_SESSION_get0_cipher) { ret_cipher(r, SSL_SESSION_get0_cipher(e->sess)); }
CASE(SSL_SESSION_get0_hostname) { ret_s(r, SSL_SESSION_get0_hostname(e->sess)); }
CASE(SSL_SESSION_get0_peer) { ret_cert(r, SSL_SESSION_get0_peer(e->sess)); }

CASE(SSL_SESSION_get0_alpn_selected)
{
    static const unsigned char sentinel[4] = "sen";
    const unsigned char *p = sentinel;
    size_t n = 3;
    SSL_SESSION_get0_alpn_selected(e->sess, &p, &n);
    ret_void(r);
    if (p == sentinel)
        out(r, "alpn=untouched len=%zu", n);
    else
        out_bytes(r, "alpn", p, n);
}

CASE(SSL_SESSION_get0_id_context)
{
    unsigned int n = 99;
    const unsigned char *p = SSL_SESSION_get0_id_context(e->sess, &n);
    ret_p(r, p);
    out_bytes(r, "ctx", p, n);
}

CASE(SSL_SESSION_get_id)
{
    unsigned int n = 999;
    const unsigned char *p = SSL_SESSION_get_id(e->sess, &n);
    ret_p(r, p);
    out(r, "len=%u", n);
    SSL_SESSION *s12 = e->cli12 ? SSL_get_session(e->cli12) : NULL;
    if (s12 != NULL) {
        SSL_SESSION_get_id(s12, &n);
        out(r, "tls12_len=%u", n);
    }
}

CASE(SSL_SESSION_get0_ticket)
{
    const unsigned char *p = NULL;
    size_t n = 0;
    SSL_SESSION_get0_ticket(e->sess, &p, &n);
    ret_void(r);
    out(r, "ticket=%s len>0=%d", p ? "non-NULL" : "NULL", n > 0);
}

CASE(SSL_SESSION_get0_ticket_appdata)
{
    void *p = NULL;
    size_t n = 99;
    ret_i(r, SSL_SESSION_get0_ticket_appdata(e->sess, &p, &n));
    out(r, "len=%zu", n);
}

CASE(SSL_SESSION_get_master_key)
{
    unsigned char buf[256];
    ret_u(r, SSL_SESSION_get_master_key(e->sess, NULL, 0));
    out(r, "copied=%zu", SSL_SESSION_get_master_key(e->sess, buf, sizeof buf));
    out(r, "small=%zu", SSL_SESSION_get_master_key(e->sess, buf, 4));
    SSL_SESSION *s12 = e->cli12 ? SSL_get_session(e->cli12) : NULL;
    if (s12 != NULL)
        out(r, "tls12=%zu", SSL_SESSION_get_master_key(s12, buf, sizeof buf));
}

CASE(SSL_SESSION_get_ex_data)
{
    int idx = SSL_SESSION_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_p(r, SSL_SESSION_get_ex_data(e->sess, idx));
}

CASE(SSL_SESSION_set_ex_data)
{
    int idx = SSL_SESSION_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ret_i(r, SSL_SESSION_set_ex_data(e->sess, idx, e));
    out(r, "get=%d", SSL_SESSION_get_ex_data(e->sess, idx) == e);
}

/* ------------------------------------------------------------------ life cycle */

CASE(SSL_SESSION_new)
{
    SSL_SESSION *s = SSL_SESSION_new();
    ret_p(r, s);
    NEED_SESS(s);
    out(r, "version=%d resumable=%d time=%s", SSL_SESSION_get_protocol_version(s),
        SSL_SESSION_is_resumable(s), recent(SSL_SESSION_get_time(s)));
    out(r, "timeout=%ld", SSL_SESSION_get_timeout(s));
}

CASE(SSL_SESSION_free)
{
    SSL_SESSION *s = SSL_get1_session(e->cli);
    NEED_SESS(s);
    SSL_SESSION_free(s);
    SSL_SESSION_free(NULL);
    ret_void(r);
    out(r, "still=%d", SSL_get_session(e->cli) == s);
}

CASE(SSL_SESSION_up_ref)
{
    ret_i(r, SSL_SESSION_up_ref(e->sess));
    SSL_SESSION_free(e->sess);
    out(r, "alive=%d", SSL_SESSION_get_protocol_version(e->sess));
}

CASE(SSL_SESSION_dup)
{
    SSL_SESSION *d = SSL_SESSION_dup(e->sess);
    ret_p(r, d);
    NEED_SESS(d);
    out(r, "version=%d resumable=%d", SSL_SESSION_get_protocol_version(d), SSL_SESSION_is_resumable(d));
    out(r, "cipher_same=%d", SSL_SESSION_get0_cipher(d) == SSL_SESSION_get0_cipher(e->sess));
}

/* ------------------------------------------------------------------ setters */

CASE(SSL_SESSION_set1_alpn_selected)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set1_alpn_selected(s, (const unsigned char *)"h2", 2));
    const unsigned char *p = NULL;
    size_t n = 0;
    SSL_SESSION_get0_alpn_selected(s, &p, &n);
    out_bytes(r, "alpn", p, n);
}

CASE(SSL_SESSION_set1_hostname)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set1_hostname(s, "example.com"));
    out_s(r, "get", SSL_SESSION_get0_hostname(s));
}

CASE(SSL_SESSION_set1_id)
{
    SSL_SESSION *s = SSL_SESSION_new();
    unsigned char big[SSL_MAX_SSL_SESSION_ID_LENGTH + 1] = {0};
    unsigned int n = 0;
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set1_id(s, (const unsigned char *)"abcd", 4));
    const unsigned char *p = SSL_SESSION_get_id(s, &n);
    out_bytes(r, "id", p, n);
    out(r, "too_long=%d", SSL_SESSION_set1_id(s, big, sizeof big));
    out_err(r, "too_long_err");
}

CASE(SSL_SESSION_set1_id_context)
{
    SSL_SESSION *s = SSL_SESSION_new();
    unsigned char big[SSL_MAX_SID_CTX_LENGTH + 1] = {0};
    unsigned int n = 0;
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set1_id_context(s, (const unsigned char *)"ctx", 3));
    const unsigned char *p = SSL_SESSION_get0_id_context(s, &n);
    out_bytes(r, "ctx", p, n);
    out(r, "too_long=%d", SSL_SESSION_set1_id_context(s, big, sizeof big));
    out_err(r, "too_long_err");
}

CASE(SSL_SESSION_set1_master_key)
{
    SSL_SESSION *s = SSL_SESSION_new();
    unsigned char key[48], big[SSL_MAX_MASTER_KEY_LENGTH + 1];
    NEED_SESS(s);
    memset(key, 0x11, sizeof key);
    memset(big, 0x22, sizeof big);
    ret_i(r, SSL_SESSION_set1_master_key(s, key, sizeof key));
    out(r, "len=%zu", SSL_SESSION_get_master_key(s, NULL, 0));
    out(r, "too_long=%d", SSL_SESSION_set1_master_key(s, big, sizeof big));
}

CASE(SSL_SESSION_set1_ticket_appdata)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set1_ticket_appdata(s, "app", 3));
    void *p = NULL;
    size_t n = 0;
    out(r, "get=%d", SSL_SESSION_get0_ticket_appdata(s, &p, &n));
    out_bytes(r, "data", p, n);
}

CASE(SSL_SESSION_set_cipher)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    const SSL_CIPHER *c = SSL_get_current_cipher(e->cli);
    ret_i(r, SSL_SESSION_set_cipher(s, c));
    out(r, "same=%d", SSL_SESSION_get0_cipher(s) == c);
}

CASE(SSL_SESSION_set_max_early_data)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set_max_early_data(s, 4096));
    out(r, "get=%u", SSL_SESSION_get_max_early_data(s));
}

CASE(SSL_SESSION_set_protocol_version)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set_protocol_version(s, TLS1_2_VERSION));
    out(r, "get=%#x", SSL_SESSION_get_protocol_version(s));
}

CASE(SSL_SESSION_set_time)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set_time(s, 1000000));
    out(r, "get=%ld", SSL_SESSION_get_time(s));
}

CASE(SSL_SESSION_set_timeout)
{
    SSL_SESSION *s = SSL_SESSION_new();
    NEED_SESS(s);
    ret_i(r, SSL_SESSION_set_timeout(s, 600));
    out(r, "get=%ld", SSL_SESSION_get_timeout(s));
    out(r, "zero=%ld", SSL_SESSION_set_timeout(s, 0));
}

/* ------------------------------------------------------------------ printing */

static void print_summary(struct res *r, BIO *b)
{
    char *text = NULL;
    long n = BIO_get_mem_data(b, &text);
    char *copy = strndup(text ? text : "", (size_t)(n > 0 ? n : 0));
    out(r, "header=%d protocol=%d cipher=%d", strstr(copy, "SSL-Session:") != NULL,
        strstr(copy, "Protocol  : TLSv1.3") != NULL, strstr(copy, "TLS_AES_256_GCM_SHA384") != NULL);
    free(copy);
}

CASE(SSL_SESSION_print)
{
    BIO *b = BIO_new(BIO_s_mem());
    ret_i(r, SSL_SESSION_print(b, e->sess));
    print_summary(r, b);
}

CASE(SSL_SESSION_print_fp)
{
    char *path = path_in_tmp(e, "session.txt");
    FILE *f = fopen(path, "w");
    ret_i(r, SSL_SESSION_print_fp(f, e->sess));
    fclose(f);
    BIO *b = mem_of_file(path);
    if (b)
        print_summary(r, b);
}

CASE(SSL_SESSION_print_keylog)
{
    BIO *b = BIO_new(BIO_s_mem());
    ret_i(r, SSL_SESSION_print_keylog(b, e->sess));
    out(r, "pending=%s", BIO_pending(b) > 0 ? "yes" : "no");
}

/* ------------------------------------------------------------------ PEM and DER */

static void describe(struct res *r, const char *key, SSL_SESSION *s)
{
    if (s == NULL) {
        out(r, "%s=NULL", key);
        return;
    }
    const SSL_CIPHER *c = SSL_SESSION_get0_cipher(s);
    out(r, "%s=%#x/%s/resumable=%d", key, SSL_SESSION_get_protocol_version(s),
        c ? SSL_CIPHER_get_name(c) : "no-cipher", SSL_SESSION_is_resumable(s));
}

CASE(PEM_read_SSL_SESSION)
{
    FILE *f = fopen(e->sess_pem, "r");
    if (f == NULL) { snprintf(r->ret, sizeof r->ret, "no session file"); return; }
    SSL_SESSION *s = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
    fclose(f);
    ret_p(r, s);
    describe(r, "read", s);
}

CASE(PEM_read_bio_SSL_SESSION)
{
    BIO *b = mem_of_file(e->sess_pem);
    if (b == NULL) { snprintf(r->ret, sizeof r->ret, "no session file"); return; }
    SSL_SESSION *s = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
    ret_p(r, s);
    describe(r, "read", s);
    BIO *junk = BIO_new_mem_buf("not PEM", -1);
    out(r, "junk=%s", PEM_read_bio_SSL_SESSION(junk, NULL, NULL, NULL) ? "non-NULL" : "NULL");
    out_err(r, "junk_err");
}

CASE(PEM_write_SSL_SESSION)
{
    char *path = path_in_tmp(e, "written.pem");
    FILE *f = fopen(path, "w");
    ret_i(r, PEM_write_SSL_SESSION(f, e->sess));
    fclose(f);
    f = fopen(path, "r");
    char line[100] = "";
    if (f && fgets(line, sizeof line, f))
        line[strcspn(line, "\n")] = 0;
    if (f)
        fclose(f);
    out_s(r, "first_line", line);
}

CASE(PEM_write_bio_SSL_SESSION)
{
    BIO *b = BIO_new(BIO_s_mem());
    ret_i(r, PEM_write_bio_SSL_SESSION(b, e->sess));
    char line[100] = "", *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    BIO *copy = BIO_new_mem_buf(data, (int)n);
    BIO_gets(b, line, sizeof line);
    line[strcspn(line, "\n")] = 0;
    out_s(r, "first_line", line);
    describe(r, "reread", PEM_read_bio_SSL_SESSION(copy, NULL, NULL, NULL));
}

CASE(d2i_SSL_SESSION)
{
    SSL_SESSION *s = file_sess(e);
    ret_p(r, s);
    out_err(r, "read_err");
    describe(r, "read", s);
    const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x01}, *p = junk;
    out(r, "junk=%s", d2i_SSL_SESSION(NULL, &p, sizeof junk) ? "non-NULL" : "NULL");
}

CASE(i2d_SSL_SESSION)
{
    int n = i2d_SSL_SESSION(e->sess, NULL);
    snprintf(r->ret, sizeof r->ret, "%s", n > 0 ? ">0" : n == 0 ? "0" : "<0");
    unsigned char *der = NULL;
    int m = i2d_SSL_SESSION(e->sess, &der);
    out(r, "same_len=%d", m == n);
    const unsigned char *p = der;
    describe(r, "reread", der ? d2i_SSL_SESSION(NULL, &p, m) : NULL);
}
