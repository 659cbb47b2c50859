/*
 * groups35: OpenSSL 3.5's configuration grammar, run on Debian 13's OpenSSL 3.5 and on ferrossl
 * by tests/groups35.rs (both runs must print the same lines; lines starting with '~' are not
 * compared).
 *
 * - group lists (SSL_CTX_set1_groups_list and its syntax-check form SSL_CTX_ctrl(ctx,
 *   SSL_CTRL_SET_GROUPS_LIST, 1, list)): return values and every queued error (library, reason,
 *   data), then an in-memory TLS 1.3 handshake of a client using the list; the bytes between the
 *   two ends are read here (not through the library), so the ClientHello's supported_groups and
 *   key_share extensions, a HelloRetryRequest and the ServerHello's group are what went on the
 *   wire;
 * - the server's choice with preference tuples, with and without SSL_OP_CIPHER_SERVER_PREFERENCE;
 * - SSL_CONF Groups/Curves, the new 3.5 switches, Options keywords and RecordPadding N[,M];
 * - SSL_CTX_get0_implemented_groups, SSL_get0_iana_groups, SSL_get0_signature_name and
 *   SSL_get0_peer_signature_name.
 *
 * ferrossl implements fewer groups than OpenSSL (X25519, P-256, P-384, X25519MLKEM768,
 * SecP256r1MLKEM768, MLKEM768, MLKEM1024) and sends one key share: what is compared is
 * restricted to those groups, and the handshakes of lists whose result depends on the others are
 * printed with '~'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static EVP_PKEY *g_key;
static X509 *g_cert;

/* The groups both libraries implement, by IANA id. */
static const char *common_name(unsigned id)
{
    switch (id) {
    case 0x0017: return "secp256r1";
    case 0x0018: return "secp384r1";
    case 0x001d: return "x25519";
    case 0x0201: return "MLKEM768";
    case 0x0202: return "MLKEM1024";
    case 0x11eb: return "SecP256r1MLKEM768";
    case 0x11ec: return "X25519MLKEM768";
    }
    return NULL;
}

static void errors(const char *indent)
{
    unsigned long e;
    const char *data;
    int flags, n = 0;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        printf("%serror lib %d reason %d [%s]\n", indent, ERR_GET_LIB(e), ERR_GET_REASON(e),
               (flags & ERR_TXT_STRING) && data ? data : "");
        n++;
    }
    if (n == 0)
        printf("%sno error\n", indent);
}

/* ---- reading the handshake off the wire ---- */

struct wire {
    unsigned char buf[65536];
    size_t len;
};

/* The plaintext handshake messages of a direction (records of type 22 up to the first
 * encrypted one), concatenated. */
static size_t plaintext(const struct wire *w, unsigned char *out, size_t room)
{
    size_t i = 0, n = 0;
    while (i + 5 <= w->len) {
        unsigned type = w->buf[i];
        size_t len = (size_t)w->buf[i + 3] << 8 | w->buf[i + 4];
        if (i + 5 + len > w->len || type == 23 || type == 21)
            break;
        if (type == 22 && n + len <= room) {
            memcpy(out + n, w->buf + i + 5, len);
            n += len;
        }
        i += 5 + len;
    }
    return n;
}

static const unsigned char hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* Finds extension `type` in the extensions block at p[0..len). */
static const unsigned char *ext(const unsigned char *p, size_t len, unsigned type, size_t *elen)
{
    size_t i = 0;
    while (i + 4 <= len) {
        unsigned t = p[i] << 8 | p[i + 1];
        size_t l = (size_t)p[i + 2] << 8 | p[i + 3];
        if (i + 4 + l > len)
            return NULL;
        if (t == type) {
            *elen = l;
            return p + i + 4;
        }
        i += 4 + l;
    }
    return NULL;
}

static void print_ids(const char *tag, const char *what, const unsigned char *p, size_t n,
                      size_t step, int raw)
{
    size_t i;
    int first = 1;
    printf("%s%s=[", raw ? "~  " : *tag ? "~  " : "  ", what);
    for (i = 0; i + 1 < n; i += step) {
        unsigned id = p[i] << 8 | p[i + 1];
        const char *name = common_name(id);
        if (raw)
            printf("%s%04x", first ? "" : " ", id);
        else if (name != NULL)
            printf("%s%s", first ? "" : " ", name);
        else
            continue;
        first = 0;
    }
    printf("]\n");
}

/* Prints the ClientHellos' groups and key shares and the server's answers. */
static void show_wire(const struct wire *c2s, const struct wire *s2c, const char *tag)
{
    static unsigned char m[65536];
    size_t n = plaintext(c2s, m, sizeof(m)), i = 0;
    int hello = 0;

    while (i + 4 <= n) {
        size_t len = (size_t)m[i + 1] << 16 | m[i + 2] << 8 | m[i + 3];
        const unsigned char *b = m + i + 4, *e;
        size_t off, elen;
        if (i + 4 + len > n)
            break;
        if (m[i] == 1 && len > 38) {
            off = 34 + 1 + b[34];
            off += 2 + (b[off] << 8 | b[off + 1]);
            off += 1 + b[off];
            hello++;
            printf("%s  ClientHello %d\n", tag, hello);
            if ((e = ext(b + off + 2, len - off - 2, 10, &elen)) != NULL && elen >= 2) {
                print_ids(tag, "supported_groups", e + 2, elen - 2, 2, 0);
                print_ids(tag, "supported_groups", e + 2, elen - 2, 2, 1);
            }
            if ((e = ext(b + off + 2, len - off - 2, 51, &elen)) != NULL && elen >= 2) {
                /* the first key share the other library also implements */
                size_t j = 2;
                int shown = 0;
                printf("~  key_shares=[");
                while (j + 4 <= elen) {
                    unsigned id = e[j] << 8 | e[j + 1];
                    size_t kl = (size_t)e[j + 2] << 8 | e[j + 3];
                    printf(" %04x(%zu)", id, kl);
                    j += 4 + kl;
                }
                printf(" ]\n");
                j = 2;
                while (j + 4 <= elen && !shown) {
                    unsigned id = e[j] << 8 | e[j + 1];
                    size_t kl = (size_t)e[j + 2] << 8 | e[j + 3];
                    if (common_name(id) != NULL) {
                        printf("%s  first key share %s\n", tag, common_name(id));
                        shown = 1;
                    }
                    j += 4 + kl;
                }
            }
        }
        i += 4 + len;
    }
    n = plaintext(s2c, m, sizeof(m));
    i = 0;
    while (i + 4 <= n) {
        size_t len = (size_t)m[i + 1] << 16 | m[i + 2] << 8 | m[i + 3];
        const unsigned char *b = m + i + 4, *e;
        size_t off, elen;
        if (i + 4 + len > n)
            break;
        if (m[i] == 2 && len > 38) {
            int hrr = memcmp(b + 2, hrr_random, 32) == 0;
            off = 34 + 1 + b[34] + 3;
            e = ext(b + off + 2, len - off - 2, 51, &elen);
            if (e != NULL && elen >= 2) {
                const char *g = common_name(e[0] << 8 | e[1]);
                printf("%s  %s %s\n", tag, hrr ? "HelloRetryRequest for" : "ServerHello with",
                       g ? g : "another group");
            } else {
                printf("%s  %s without key_share\n", tag, hrr ? "HelloRetryRequest" : "ServerHello");
            }
        }
        i += 4 + len;
    }
}

static void pump(BIO *from, BIO *to, struct wire *w)
{
    char buf[16384];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0) {
        if (w->len + (size_t)n <= sizeof(w->buf)) {
            memcpy(w->buf + w->len, buf, n);
            w->len += n;
        }
        BIO_write(to, buf, n);
    }
}

static BIO *mem(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(b, -1);
    return b;
}

/* A TLS 1.3 handshake between c and s; `tag` "~" prints nothing comparable. */
static int handshake(SSL *c, SSL *s, const char *tag)
{
    static struct wire c2s, s2c;
    BIO *c_in = mem(), *c_out = mem(), *s_in = mem(), *s_out = mem();
    int i, rc = 0, rs = 0, ok;

    c2s.len = s2c.len = 0;
    SSL_set_bio(c, c_in, c_out);
    SSL_set_bio(s, s_in, s_out);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (i = 0; i < 40 && (rc != 1 || rs != 1); i++) {
        if (rc != 1) {
            rc = SSL_do_handshake(c);
            if (rc != 1 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
                break;
        }
        pump(c_out, s_in, &c2s);
        if (rs != 1) {
            rs = SSL_do_handshake(s);
            if (rs != 1 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
                break;
        }
        pump(s_out, c_in, &s2c);
    }
    ok = rc == 1 && rs == 1;
    if (c2s.len == 0)
        printf("%s  no ClientHello sent\n", tag);
    show_wire(&c2s, &s2c, tag);
    printf("%s  handshake %s\n", tag, ok ? "ok" : "FAILED");
    if (!ok)
        errors(*tag == '~' ? "~    " : "    ");
    ERR_clear_error();
    return ok;
}

static SSL_CTX *server_ctx(const char *groups, int serverpref)
{
    SSL_CTX *s = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(s, g_cert);
    SSL_CTX_use_PrivateKey(s, g_key);
    SSL_CTX_set_min_proto_version(s, TLS1_3_VERSION);
    if (serverpref)
        SSL_CTX_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (groups != NULL && SSL_CTX_set1_groups_list(s, groups) != 1)
        printf("  server list %s refused\n", groups);
    return s;
}

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    return c;
}

static void run_pair(SSL_CTX *cctx, SSL_CTX *sctx, const char *tag)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    handshake(c, s, tag);
    SSL_free(c);
    SSL_free(s);
}

#define SERVER_ALL "X25519MLKEM768:SecP256r1MLKEM768:MLKEM768:MLKEM1024:x25519:secp256r1:secp384r1"

/* A leading '~' in a list: the handshake depends on groups or key shares only OpenSSL has. */
static const char *client_lists[] = {
    "X25519", "x25519", "P-256:X25519", "prime256v1", "secp256r1:secp256r1",
    "X25519:P-256:x25519", "foo", "?foo", "?foo:X25519", "?foo:?bar", "", "   ", ":",
    "X25519:", ":X25519", "X25519::P-256", "X25519/", "/X25519", "X25519//P-256",
    "X25519 / P-256", "X25519 : P-256", "*X25519:*P-256", "P-256:*X25519", "**X25519",
    "??X25519", "--X25519", "*?X25519:?*P-256", "*", "?", "-", "*?", "-X25519",
    "X25519:-X25519", "*X25519:P-256:-X25519", "X25519:P-256/-X25519", "-foo", "?-foo:X25519",
    "X25519/?foo/P-256", "DEFAULT", "default", "*DEFAULT", "?DEFAULT", "-DEFAULT",
    "DEFAULT:-X25519MLKEM768", "DEFAULT:-X25519", "P-384/DEFAULT", "*P-384:DEFAULT",
    "DEFAULT_SUITE_B", "*DEFAULT_SUITE_B", "DEFAULT_FOO", "D", "X25519:DEFAULT",
    "*X25519:*P-256:*P-384:*P-521", "*X25519:*P-256:*P-384:*P-521:*X448",
    "*X25519:*P-256:*P-384:*P-521:*X448:-X448",
    "X25519MLKEM768:SecP256r1MLKEM768:SecP384r1MLKEM1024:MLKEM512:MLKEM768:MLKEM1024",
    "x25519mlkem768:secp256r1mlkem768", "*MLKEM512:*MLKEM768:*MLKEM1024", "mlkem1024",
    "~brainpoolP256r1tls13:brainpoolP384r1tls13:brainpoolP512r1tls13", "brainpoolP256r1",
    "secp192r1:X25519", "~ffdhe2048:ffdhe8192", "GC256A", "?GC256A:X25519", "X25519,P-256",
    "X25519;P-256", "X25519\tP-256", "\tX25519 ", "P-256:X25519 ",
    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc",
    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
    "?abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
    "~X448:X25519:prime256v1:secp384r1:secp521r1:ffdhe2048:ffdhe3072:ffdhe4096",
    "?*GC256A:X25519/*P-256", "*X25519:P-256/*P-384:-X25519", "?*MLKEM768x:X25519:P-256",
    "P-384:DEFAULT:P-521", "DEFAULT/P-384", "DEFAULT:DEFAULT", "DEFAULT:*P-384",
    "DEFAULT:-x25519:-X25519MLKEM768", "DEFAULT:-ffdhe2048:-ffdhe3072", "DEFAULT:?foo",
    "DEFAULT_SUITE_B:-P-256", "default_suite_b", "P-256:P-256/P-256", "x25519:X25519/X25519",
    "*X25519:*X25519", "*X25519:X25519", "X25519:*X25519", "X25519:-X25519:*X25519", "* X25519",
    "X25519: ", "X25519/ /P-256", "-X25519:X25519", "X25519:-P-256", "-?foo:X25519", "*-X25519",
    "*X25519:*P-256:-*X25519", "X25519:*P-256:*X25519", "DEFAULT:DEFAULT_SUITE_B",
    "P-256:MLKEM1024:X25519", "X448:*P-256",
    "sect163k1/sect163r1/sect163r2/sect193r1/sect193r2/sect233k1/sect233r1/sect239k1/"
    "sect283k1/sect283r1/sect409k1/sect409r1/sect571k1/sect571r1/secp160k1/secp160r1/"
    "secp160r2/secp192k1/secp192r1/secp224k1/secp224r1/secp256k1/secp256r1/secp384r1/"
    "secp521r1/brainpoolP256r1/brainpoolP384r1/brainpoolP512r1/x25519/x448/"
    "brainpoolP256r1tls13/brainpoolP384r1tls13/brainpoolP512r1tls13/ffdhe2048/ffdhe3072",
};

static void client_case(const char *list)
{
    const char *tag = "";
    SSL_CTX *c = client_ctx(), *s = server_ctx(SERVER_ALL, 0);
    if (list[0] == '~') {
        tag = "~";
        list++;
    }
    ERR_clear_error();
    printf("[client \"%s\"]\n", list);
    printf("  check %ld\n", SSL_CTX_ctrl(c, SSL_CTRL_SET_GROUPS_LIST, 1, (void *)list));
    errors("    ");
    printf("  set %ld\n", (long)SSL_CTX_set1_groups_list(c, list));
    errors("    ");
    run_pair(c, s, tag);
    SSL_CTX_free(c);
    SSL_CTX_free(s);
}

static void server_case(const char *slist, const char *clist, int pref)
{
    SSL_CTX *c = client_ctx(), *s = server_ctx(slist, pref);
    if (SSL_CTX_set1_groups_list(c, clist) != 1)
        printf("  client list %s refused\n", clist);
    printf("[server%s \"%s\" <- client \"%s\"]\n", pref ? " (server preference)" : "",
           slist ? slist : "(default)", clist);
    run_pair(c, s, "");
    SSL_CTX_free(c);
    SSL_CTX_free(s);
}

static void conf(int server, const char *cmd, const char *value)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    SSL_CONF_CTX *cf = SSL_CONF_CTX_new();
    unsigned fl = cmd[0] == '-' ? SSL_CONF_FLAG_CMDLINE : SSL_CONF_FLAG_FILE;
    uint64_t before = SSL_CTX_get_options(ctx), after;
    int r, vt;

    SSL_CONF_CTX_set_flags(cf, fl | (server ? SSL_CONF_FLAG_SERVER : SSL_CONF_FLAG_CLIENT) |
                                   SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_SHOW_ERRORS);
    SSL_CONF_CTX_set_ssl_ctx(cf, ctx);
    ERR_clear_error();
    vt = SSL_CONF_cmd_value_type(cf, cmd);
    r = SSL_CONF_cmd(cf, cmd, value);
    after = SSL_CTX_get_options(ctx);
    printf("[conf %s] %s %s%s%s -> %d type %d set %#llx cleared %#llx\n",
           server ? "server" : "client", cmd, value ? "\"" : "", value ? value : "(none)",
           value ? "\"" : "", r, vt, (unsigned long long)(after & ~before),
           (unsigned long long)(before & ~after));
    errors("    ");
    SSL_CONF_CTX_free(cf);
    SSL_CTX_free(ctx);
}

static void make_cert(void)
{
    X509_NAME *n;
    g_key = EVP_EC_gen("P-256");
    g_cert = X509_new();
    X509_set_version(g_cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(g_cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(g_cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(g_cert), 3600);
    X509_set_pubkey(g_cert, g_key);
    n = X509_get_subject_name(g_cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (unsigned char *)"groups35", -1, -1, 0);
    X509_set_issuer_name(g_cert, n);
    X509_sign(g_cert, g_key, EVP_sha256());
}

static void implemented(int max)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    STACK_OF(OPENSSL_CSTRING) *names = sk_OPENSSL_CSTRING_new_null();
    int all, i, accepted;

    if (max)
        SSL_CTX_set_max_proto_version(c, max);
    for (all = 0; all < 2; all++) {
        sk_OPENSSL_CSTRING_zero(names);
        printf("implemented groups (max %#x, all %d): ret %d\n", max, all,
               (int)SSL_CTX_get0_implemented_groups(c, all, names));
        printf("~ ");
        for (i = 0; i < sk_OPENSSL_CSTRING_num(names); i++)
            printf(" %s", sk_OPENSSL_CSTRING_value(names, i));
        printf("\n  common:");
        accepted = 1;
        for (i = 0; i < sk_OPENSSL_CSTRING_num(names); i++) {
            const char *n = sk_OPENSSL_CSTRING_value(names, i);
            if (SSL_CTX_set1_groups_list(c, n) != 1)
                accepted = 0;
            if (strcmp(n, "x25519") == 0 || strcmp(n, "secp256r1") == 0 ||
                strcmp(n, "P-256") == 0 || strcmp(n, "secp384r1") == 0 ||
                strcmp(n, "P-384") == 0 || strcmp(n, "MLKEM768") == 0 ||
                strcmp(n, "MLKEM1024") == 0 || strcmp(n, "SecP256r1MLKEM768") == 0 ||
                strcmp(n, "X25519MLKEM768") == 0)
                printf(" %s", n);
        }
        printf("\n  every name accepted by SSL_CTX_set1_groups_list: %s\n", accepted ? "yes" : "no");
    }
    sk_OPENSSL_CSTRING_free(names);
    SSL_CTX_free(c);
}

static void after_handshake(void)
{
    SSL_CTX *cctx = client_ctx(), *sctx = server_ctx(NULL, 0);
    SSL *c, *s;
    const char *name = NULL;
    uint16_t *ids = NULL;
    int i, n;

    SSL_CTX_set1_groups_list(cctx, "P-384:*X25519:MLKEM1024");
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    printf("before the handshake: signature name %d, peer %d, iana groups %d\n",
           (int)SSL_get0_signature_name(c, &name), (int)SSL_get0_peer_signature_name(c, &name),
           (int)SSL_get0_iana_groups(s, &ids));
    handshake(c, s, "");
    n = (int)SSL_get0_iana_groups(s, &ids);
    printf("server: iana groups %d:", n);
    for (i = 0; i < n && ids != NULL; i++)
        printf(" %#x", ids[i]);
    printf("\n");
    printf("~ client: iana groups %d\n", (int)SSL_get0_iana_groups(c, NULL));
    {
        static const struct {
            const char *who;
            int server, peer;
        } q[] = {{"server: signature name", 1, 0},
                 {"client: peer signature name", 0, 1},
                 {"client: signature name", 0, 0},
                 {"server: peer signature name", 1, 1}};
        for (i = 0; i < 4; i++) {
            SSL *x = q[i].server ? s : c;
            long r;
            name = NULL;
            r = q[i].peer ? SSL_get0_peer_signature_name(x, &name)
                          : SSL_get0_signature_name(x, &name);
            printf("%s %ld %s\n", q[i].who, r, name ? name : "(null)");
        }
    }
    printf("NULL out-parameter: %d\n", (int)SSL_get0_signature_name(s, NULL));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(void)
{
    size_t i;

    make_cert();
    printf("== built-in default ==\n");
    {
        SSL_CTX *c = client_ctx(), *s = server_ctx(SERVER_ALL, 0);
        run_pair(c, s, "");
        SSL_CTX_free(c);
        SSL_CTX_free(s);
    }

    printf("== client lists ==\n");
    for (i = 0; i < sizeof(client_lists) / sizeof(client_lists[0]); i++)
        client_case(client_lists[i]);

    printf("== SSL_set1_groups_list ==\n");
    {
        SSL_CTX *c = client_ctx(), *s = server_ctx(SERVER_ALL, 0);
        SSL *ssl = SSL_new(c);
        ERR_clear_error();
        printf("  \"?foo:*P-384/X25519\" %ld\n", SSL_set1_groups_list(ssl, "?foo:*P-384/X25519"));
        errors("    ");
        printf("  \"foo\" %ld\n", SSL_set1_groups_list(ssl, "foo"));
        errors("    ");
        printf("  \"**X\" %ld\n", SSL_set1_groups_list(ssl, "**X"));
        errors("    ");
        SSL_free(ssl);
        printf("  a failed set keeps the list: set \"P-384\" %ld, \"X25519:foo\" %ld\n",
               SSL_CTX_set1_groups_list(c, "P-384"), SSL_CTX_set1_groups_list(c, "X25519:foo"));
        errors("    ");
        run_pair(c, s, "");
        printf("  the check form changes nothing: check \"X25519\" %ld\n",
               SSL_CTX_ctrl(c, SSL_CTRL_SET_GROUPS_LIST, 1, (void *)"X25519"));
        run_pair(c, s, "");
        SSL_CTX_free(c);
        SSL_CTX_free(s);
    }

    printf("== server tuples ==\n");
    {
        /* A=P-256 B=P-384 D=X25519 M=X25519MLKEM768 K=MLKEM768 L=MLKEM1024 */
        static const char *sl = "P-256:P-384/MLKEM768:X25519/MLKEM1024:X25519MLKEM768";
        static const char *cl[] = {
            "P-256:X25519:*X25519MLKEM768", "P-384:*MLKEM768", "MLKEM768:*X25519MLKEM768",
            "MLKEM768:*X25519", "X25519MLKEM768", "*MLKEM1024:MLKEM768:P-256",
            "*X25519:P-384:P-256", "P-384:P-256:*MLKEM768", "*X25519:MLKEM768",
            "X25519:*MLKEM768", "*X25519MLKEM768:*X25519", "MLKEM1024:P-384:*X25519MLKEM768",
        };
        for (i = 0; i < sizeof(cl) / sizeof(cl[0]); i++) {
            server_case(sl, cl[i], 0);
            server_case(sl, cl[i], 1);
        }
        /* the man page's example: client preference inside a tuple, tuples in order */
        server_case("MLKEM1024:P-256/P-384/X25519:MLKEM768", "MLKEM1024:*P-384", 0);
        server_case("MLKEM1024:P-256/P-384/X25519:MLKEM768", "MLKEM1024:*P-384", 1);
        server_case(NULL, "X25519:*P-384", 0);
        server_case("DEFAULT", "X25519:*P-384", 0);
        server_case(NULL, "X25519MLKEM768:*X25519", 0);
        server_case(NULL, "*X25519:X25519MLKEM768", 0);
        server_case(NULL, "P-256:*X25519", 0);
        server_case(NULL, "P-256:*X25519", 1);
        server_case(NULL, "X448:*P-384", 0);
        server_case("P-384:DEFAULT", "P-384:*X25519MLKEM768", 0);
        server_case("P-384/DEFAULT", "P-384:*X25519MLKEM768", 0);
        server_case("DEFAULT:-X25519MLKEM768", "X25519MLKEM768:*X25519", 0);
        server_case("?X25519MLKEM768:?foo/P-256", "P-256:*X25519MLKEM768", 0);
        server_case("?foo/P-256/X25519", "X25519:*P-256", 0);
        server_case("X25519:P-256/-X25519", "X25519:*P-256", 0);
        server_case("P-256:X25519", "X25519:*P-256", 0);
        server_case("P-256:X25519", "X25519:*P-256", 1);
        server_case("P-256/X25519", "X25519:*P-256", 0);
        server_case("*X448:P-256", "P-256:*X25519", 0);
        server_case("X448:P-256", "X448:*P-256", 0);
    }

    printf("== SSL_CONF ==\n");
    {
        static const char *cmds[][2] = {
            {"Groups", "X25519:P-256"}, {"Groups", "foo"}, {"Groups", "?foo"}, {"Groups", ""},
            {"Groups", "**X25519"}, {"Groups", "X25519::P-256"}, {"Curves", "X25519/P-256"},
            {"-groups", "X25519"}, {"-curves", "foo"}, {"groups", "X25519"},
            {"Groups", "?*X25519MLKEM768/X25519"}, {"-groups", "DEFAULT:-ffdhe2048"},
            {"Groups", "*X25519:*P-256:*P-384:*P-521:*X448"},
        };
        static const char *sw[] = {"-no_tx_cert_comp", "-tx_cert_comp", "-no_rx_cert_comp",
                                   "-rx_cert_comp", "-prefer_no_dhe_kex", "-no_ems",
                                   "-allow_no_dhe_kex", "-strict", "-no_middlebox"};
        static const char *opts[] = {
            "PreferNoDHEKEX", "StrictCertCheck", "-TxCertificateCompression",
            "TxCertificateCompression", "-RxCertificateCompression", "RxCertificateCompression",
            "KTLSTxZerocopySendfile", "-KTLSTxZerocopySendfile", "IgnoreUnexpectedEOF",
            "-IgnoreUnexpectedEOF", "ignoreunexpectedeof", "ServerPreference,IgnoreUnexpectedEOF",
            "-PreferNoDHEKEX", "Bogus",
        };
        static const char *pads[] = {"1", "0", "1,1", "0x1", "0,1", "512,", ",256", "abc", "-1",
                                     "16385", "1,16385", "1,abc", " 1", "1 "};
        int side;
        for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
            conf(0, cmds[i][0], cmds[i][1]);
        {
            /* nothing attached */
            SSL_CONF_CTX *cf = SSL_CONF_CTX_new();
            SSL_CONF_CTX_set_flags(cf, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER |
                                           SSL_CONF_FLAG_SHOW_ERRORS);
            ERR_clear_error();
            printf("[conf detached] Groups \"X25519\" -> %d\n", SSL_CONF_cmd(cf, "Groups", "X25519"));
            errors("    ");
            printf("[conf detached] ECDHParameters \"P-256\" -> %d\n",
                   SSL_CONF_cmd(cf, "ECDHParameters", "P-256"));
            errors("    ");
            SSL_CONF_CTX_free(cf);
        }
        for (side = 0; side < 2; side++) {
            for (i = 0; i < sizeof(sw) / sizeof(sw[0]); i++)
                conf(side, sw[i], NULL);
            for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
                conf(side, "Options", opts[i]);
        }
        for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
            conf(1, "RecordPadding", pads[i]);
            conf(0, "-record_padding", pads[i]);
        }
    }

    printf("== implemented groups ==\n");
    implemented(0);
    implemented(TLS1_2_VERSION);
    implemented(TLS1_3_VERSION);

    printf("== after a handshake ==\n");
    after_handshake();
    printf("done\n");
    return 0;
}
