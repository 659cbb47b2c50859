/*
 * abi_main: set-up, output helpers and the runner of the abi program (see abi.h).
 *
 * usage: abi [write-session] cert=FILE key=FILE chain=FILE ca=FILE rsakey=FILE rsacert=FILE
 *            tmp=DIR sesspem=FILE sessder=FILE [only=NAME]
 * write-session (run on the stock libssl) writes the handshake's session to sesspem/sessder and
 * exits; without it the program runs the cases (which read those two files).
 *
 * Output: "~ libssl PATH" (the library loaded), then one line per function of libssl, sorted
 * by name:
 *   NAME ret=<value> out=<out-params> err=<0 | 1:lib/reason> rd=<SSL_get_error>
 * where err is the first error left on the queue (cleared before each case; a case that makes
 * several probes reports an earlier probe's error as an out-parameter, with out_err, which
 * clears the queue, so err belongs to the probes after the last out_err) and rd is
 * SSL_get_error() of a non-blocking one-byte SSL_read, made after the case, on the handshaked
 * TLS 1.3 client (the peer sends nothing). A case that kills its process prints
 *   NAME crashed status=<wait status>
 * Exit status 0 when every case ran, 3 when the set-up failed (a test bug, or a library that
 * cannot do an in-process handshake).
 */
#include "abi.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <dlfcn.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <sys/wait.h>

extern const struct abi_case __start_abi_cases[], __stop_abi_cases[];

/* ------------------------------------------------------------------ output helpers */

void ret_void(struct res *r) { snprintf(r->ret, sizeof r->ret, "void"); }
void ret_i(struct res *r, long v) { snprintf(r->ret, sizeof r->ret, "%ld", v); }
void ret_u(struct res *r, unsigned long v) { snprintf(r->ret, sizeof r->ret, "%lu", v); }
void ret_p(struct res *r, const void *p) { snprintf(r->ret, sizeof r->ret, "%s", p ? "non-NULL" : "NULL"); }
void ret_fp(struct res *r, void (*f)(void)) { ret_p(r, f ? (const void *)r : NULL); }

static void quote(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    if (s == NULL) {
        snprintf(dst, cap, "NULL");
        return;
    }
    dst[n++] = '"';
    for (; *s && n + 6 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            dst[n++] = (char)c;
        else
            n += (size_t)snprintf(dst + n, cap - n, "\\x%02x", c);
    }
    if (*s)
        n += (size_t)snprintf(dst + n, cap - n, "...");
    dst[n++] = '"';
    dst[n] = 0;
}

void ret_s(struct res *r, const char *s) { quote(r->ret, sizeof r->ret, s); }

static void name_of(char *dst, size_t cap, const X509 *x)
{
    char buf[256];
    if (x == NULL) {
        snprintf(dst, cap, "NULL");
        return;
    }
    X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
    quote(dst, cap, buf);
}

void ret_cert(struct res *r, const X509 *x) { name_of(r->ret, sizeof r->ret, x); }

void ret_names(struct res *r, const STACK_OF(X509_NAME) *sk)
{
    if (sk == NULL)
        snprintf(r->ret, sizeof r->ret, "NULL");
    else
        snprintf(r->ret, sizeof r->ret, "names:%d", sk_X509_NAME_num(sk));
}

void ret_certs(struct res *r, const STACK_OF(X509) *sk)
{
    if (sk == NULL)
        snprintf(r->ret, sizeof r->ret, "NULL");
    else
        snprintf(r->ret, sizeof r->ret, "certs:%d", sk_X509_num(sk));
}

void ret_ciphers(struct res *r, const STACK_OF(SSL_CIPHER) *sk)
{
    if (sk == NULL) {
        snprintf(r->ret, sizeof r->ret, "NULL");
        return;
    }
    int n = sk_SSL_CIPHER_num(sk);
    snprintf(r->ret, sizeof r->ret, "ciphers:%d first=%s", n,
             n > 0 ? SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)) : "-");
}

void ret_default_ciphers(struct res *r, const STACK_OF(SSL_CIPHER) *sk)
{
    if (sk == NULL) {
        snprintf(r->ret, sizeof r->ret, "NULL");
        return;
    }
    int n = sk_SSL_CIPHER_num(sk), t = tls13_count(sk);
    snprintf(r->ret, sizeof r->ret, "ciphers:tls13=%d,tls12=%s first=%s", t, n > t ? "some" : "none",
             n > 0 ? SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)) : "-");
}

void ret_cipher(struct res *r, const SSL_CIPHER *c)
{
    quote(r->ret, sizeof r->ret, c ? SSL_CIPHER_get_name(c) : NULL);
}

void ret_method(struct res *r, const SSL_METHOD *m)
{
    if (m == NULL) {
        snprintf(r->ret, sizeof r->ret, "NULL");
        return;
    }
    SSL_CTX *c = SSL_CTX_new(m);
    if (c == NULL) {
        snprintf(r->ret, sizeof r->ret, "non-NULL ctx=NULL");
        return;
    }
    SSL *s = SSL_new(c);
    snprintf(r->ret, sizeof r->ret, "non-NULL ctx=non-NULL dtls=%d server=%d",
             s ? SSL_is_dtls(s) : -1, s ? SSL_is_server(s) : -1);
    SSL_free(s);
    SSL_CTX_free(c);
}

void out(struct res *r, const char *fmt, ...)
{
    size_t n = strlen(r->out);
    if (n + 2 >= sizeof r->out)
        return;
    if (n > 0)
        r->out[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->out + n, sizeof r->out - n, fmt, ap);
    va_end(ap);
}

void out_s(struct res *r, const char *key, const char *s)
{
    char buf[400];
    quote(buf, sizeof buf, s);
    out(r, "%s=%s", key, buf);
}

void out_bytes(struct res *r, const char *key, const unsigned char *p, size_t n)
{
    char buf[300];
    size_t k = 0;
    if (p == NULL) {
        out(r, "%s=NULL", key);
        return;
    }
    for (size_t i = 0; i < n && k + 3 < sizeof buf; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%02x", p[i]);
    buf[k] = 0;
    out(r, "%s=%zu:%s", key, n, buf);
}

static void err_text(char *dst, size_t cap, unsigned long err)
{
    if (err == 0)
        snprintf(dst, cap, "0");
    else
        snprintf(dst, cap, "1:%d/%d", ERR_GET_LIB(err), ERR_GET_REASON(err));
}

void out_err(struct res *r, const char *key)
{
    char buf[40];
    err_text(buf, sizeof buf, ERR_peek_error());
    ERR_clear_error();
    out(r, "%s=%s", key, buf);
}

/* ------------------------------------------------------------------ object helpers */

SSL_CTX *new_ctx(void) { return SSL_CTX_new(TLS_method()); }

SSL_CTX *new_server_ctx(struct env *e)
{
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    if (c == NULL)
        return NULL;
    if (SSL_CTX_use_certificate_chain_file(c, e->chain_file) != 1
        || SSL_CTX_use_PrivateKey_file(c, e->key_file, SSL_FILETYPE_PEM) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

SSL *new_ssl(void)
{
    SSL_CTX *c = new_ctx();
    SSL *s = c ? SSL_new(c) : NULL;
    SSL_CTX_free(c);
    return s;
}

SSL_CTX *client_ctx(struct env *e)
{
    ERR_set_mark();
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (c == NULL) {
        ERR_pop_to_mark();
        return NULL;
    }
    SSL_CTX_load_verify_locations(c, e->ca_file, NULL);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    /* What the client offers is configured, so that what the peers negotiate and report does
     * not depend on each library's defaults (ferrossl's include X25519MLKEM768, and fewer
     * suites and signature schemes than OpenSSL's). */
    SSL_CTX_set1_groups_list(c, "X25519:P-256");
    SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
    SSL_CTX_set1_sigalgs_list(c, "ECDSA+SHA256:ECDSA+SHA384:rsa_pss_rsae_sha256");
    ERR_pop_to_mark();
    return c;
}

int handshake_with(struct env *e, SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL *c = NULL, *s = NULL;
    int ok = cctx && sctx && handshake(e, cctx, sctx, &c, &s);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return ok;
}

EVP_PKEY *dh_params(void)
{
    EVP_PKEY *p = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (pc && EVP_PKEY_paramgen_init(pc) > 0) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"ffdhe2048", 0);
        params[1] = OSSL_PARAM_construct_end();
        EVP_PKEY_CTX_set_params(pc, params);
        EVP_PKEY_generate(pc, &p);
    }
    EVP_PKEY_CTX_free(pc);
    return p;
}

void pump(SSL *a, SSL *b)
{
    unsigned char buf[64];
    ERR_set_mark();
    for (int i = 0; i < 8; i++) {
        SSL_read(a, buf, sizeof buf);
        SSL_read(b, buf, sizeof buf);
    }
    ERR_pop_to_mark();
}

SSL_SESSION *resume_session;
void (*before_handshake)(SSL *cli, SSL *srv);

int handshake(struct env *e, SSL_CTX *cctx, SSL_CTX *sctx, SSL **cli, SSL **srv)
{
    BIO *b1 = NULL, *b2 = NULL;
    *cli = *srv = NULL;
    /* what the handshake queues is dropped, what the case queued before is kept */
    ERR_set_mark();
    if (!BIO_new_bio_pair(&b1, 0, &b2, 0)) {
        ERR_pop_to_mark();
        return 0;
    }
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    if (c == NULL || s == NULL) {
        SSL_free(c);
        SSL_free(s);
        BIO_free(b1);
        BIO_free(b2);
        ERR_pop_to_mark();
        return 0;
    }
    SSL_set_bio(c, b1, b1);
    SSL_set_bio(s, b2, b2);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    if (resume_session != NULL)
        SSL_set_session(c, resume_session);
    if (before_handshake != NULL)
        before_handshake(c, s);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 50 && !(cdone && sdone); i++) {
        if (!cdone)
            cdone = SSL_do_handshake(c) == 1;
        if (!sdone)
            sdone = SSL_do_handshake(s) == 1;
    }
    (void)e;
    if (!(cdone && sdone)) {
        SSL_free(c);
        SSL_free(s);
        ERR_pop_to_mark();
        return 0;
    }
    pump(c, s); /* session tickets */
    ERR_pop_to_mark();
    *cli = c;
    *srv = s;
    return 1;
}

BIO *mem_of_file(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return BIO_new_mem_buf(buf, (int)n);
}

char *path_in_tmp(struct env *e, const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", e->tmpdir, name);
    return buf;
}

STACK_OF(X509_NAME) *names_of_ca(struct env *e)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    if (sk != NULL)
        sk_X509_NAME_push(sk, X509_NAME_dup(X509_get_subject_name(e->ca)));
    return sk;
}

/* ------------------------------------------------------------------ set-up */

static const char *arg(int argc, char **argv, const char *key, int required)
{
    size_t n = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
    if (required) {
        fprintf(stderr, "abi: missing argument %s=...\n", key);
        exit(2);
    }
    return NULL;
}

static void fail(const char *what)
{
    fprintf(stderr, "abi: set-up failed: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(3);
}

static X509 *read_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (x == NULL)
        fail(path);
    return x;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (k == NULL)
        fail(path);
    return k;
}

static void copy_file(const char *from, const char *to)
{
    char buf[8192];
    size_t n;
    FILE *in = fopen(from, "rb"), *o = fopen(to, "wb");
    if (in == NULL || o == NULL)
        fail(to);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, o);
    fclose(in);
    if (fclose(o) != 0)
        fail(to);
}

/* write-session mode: the session of the handshake, as PEM and DER (run on the stock libssl). */
static int write_session(struct env *e)
{
    FILE *f = fopen(e->sess_pem, "w");
    if (f == NULL || PEM_write_SSL_SESSION(f, e->sess) != 1 || fclose(f) != 0)
        fail(e->sess_pem);
    unsigned char *der = NULL;
    int n = i2d_SSL_SESSION(e->sess, &der);
    f = fopen(e->sess_der, "wb");
    if (n <= 0 || f == NULL || fwrite(der, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0)
        fail(e->sess_der);
    return 0;
}

static void setup(struct env *e)
{
    static char certdir[4096], path[4200];
    snprintf(certdir, sizeof certdir, "%s/certs", e->tmpdir);
    mkdir(certdir, 0700);
    snprintf(path, sizeof path, "%s/ca.pem", certdir);
    copy_file(e->ca_file, path);
    snprintf(path, sizeof path, "%s/server.pem", certdir);
    copy_file(e->cert_file, path);
    e->certdir = certdir;
    e->cert = read_cert(e->cert_file);
    e->ca = read_cert(e->ca_file);
    e->rsa_cert = read_cert(e->rsa_cert_file);
    e->key = read_key(e->key_file);
    e->rsa_key = read_key(e->rsa_key_file);
    if ((e->ctx = new_ctx()) == NULL)
        fail("SSL_CTX_new");
    if ((e->ssl = new_ssl()) == NULL)
        fail("SSL_new");
    e->cctx = client_ctx(e);
    e->sctx = new_server_ctx(e);
    if (e->cctx == NULL || e->sctx == NULL)
        fail("the handshake's contexts");
    if (!handshake(e, e->cctx, e->sctx, &e->cli, &e->srv))
        fail("the in-process handshake");
    if ((e->sess = SSL_get1_session(e->cli)) == NULL)
        fail("SSL_get1_session");
    SSL_CTX *c12 = client_ctx(e);
    if (c12 == NULL || !SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION)
        || !handshake(e, c12, e->sctx, &e->cli12, &e->srv12))
        e->cli12 = e->srv12 = NULL;
    printf("~ TLS 1.2 handshake: %s\n", e->cli12 ? "yes" : "no");
    SSL_CTX *mc = client_ctx(e), *ms = new_server_ctx(e);
    if (ms != NULL) {
        SSL_CTX_set_verify(ms, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        SSL_CTX_set_client_CA_list(ms, names_of_ca(e));
    }
    if (mc == NULL || ms == NULL || SSL_CTX_use_certificate(mc, e->rsa_cert) != 1
        || SSL_CTX_use_PrivateKey(mc, e->rsa_key) != 1
        || SSL_CTX_load_verify_locations(ms, e->ca_file, NULL) != 1
        || !handshake(e, mc, ms, &e->mcli, &e->msrv))
        e->mcli = e->msrv = NULL;
    printf("~ client-certificate handshake: %s\n", e->mcli ? "yes" : "no");
    ERR_clear_error();
}

/* ------------------------------------------------------------------ runner */

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct abi_case *)a)->name, ((const struct abi_case *)b)->name);
}

static void run_case(struct env *e, const struct abi_case *c)
{
    struct res r;
    char err[40];
    unsigned char byte;
    memset(&r, 0, sizeof r);
    ERR_clear_error();
    c->fn(e, &r);
    err_text(err, sizeof err, ERR_peek_error());
    ERR_clear_error();
    int n = SSL_read(e->cli, &byte, 1);
    int rd = SSL_get_error(e->cli, n);
    ERR_clear_error();
    printf("%s ret=%s out=%s err=%s rd=%d\n", c->name, r.ret[0] ? r.ret : "?",
           r.out[0] ? r.out : "-", err, rd);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static struct env env;
    struct env *e = &env;
    e->cert_file = arg(argc, argv, "cert", 1);
    e->key_file = arg(argc, argv, "key", 1);
    e->chain_file = arg(argc, argv, "chain", 1);
    e->ca_file = arg(argc, argv, "ca", 1);
    e->rsa_key_file = arg(argc, argv, "rsakey", 1);
    e->rsa_cert_file = arg(argc, argv, "rsacert", 1);
    e->tmpdir = arg(argc, argv, "tmp", 1);
    e->sess_pem = arg(argc, argv, "sesspem", 1);
    e->sess_der = arg(argc, argv, "sessder", 1);
    const char *only = arg(argc, argv, "only", 0);
    alarm(120);
    Dl_info info;
    /* Which libssl.so.3 this run uses (not a function line; the test checks it). */
    if (dladdr((void *)SSL_new, &info) != 0 && info.dli_fname != NULL)
        printf("~ libssl %s\n", info.dli_fname);
    setup(e);
    if (strcmp(argv[1], "write-session") == 0)
        return write_session(e);

    size_t n = (size_t)(__stop_abi_cases - __start_abi_cases);
    struct abi_case *cases = malloc(n * sizeof *cases);
    if (cases == NULL)
        fail("malloc");
    memcpy(cases, __start_abi_cases, n * sizeof *cases);
    qsort(cases, n, sizeof *cases, by_name);
    for (size_t i = 0; i < n; i++) {
        if (only != NULL && strcmp(only, cases[i].name) != 0)
            continue;
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork");
        if (pid == 0) {
            alarm(5);
            run_case(e, &cases[i]);
            _exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("%s crashed status=%d\n", cases[i].name, status);
            fflush(stdout);
        }
    }
    free(cases);
    return 0;
}
