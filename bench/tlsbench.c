/*
 * tlsbench: a TLS client and a TLS server in one process, talking over an in-memory transport,
 * built once against OpenSSL 3's headers (gcc tlsbench.c tlsbench_threads.c -lssl -lcrypto
 * -lpthread; tlsbench.h is what the two files share) and run unchanged on
 * OpenSSL's libssl.so.3 or on ferrossl's (the dynamic linker picks it: LD_LIBRARY_PATH).
 *
 * Both sides use the same library, so every figure is "this library talking to itself". The
 * transport is a program-defined BIO over two growable byte pipes (client->server and
 * server->client); it never blocks and costs a memcpy, the same for both libraries.
 *
 * Output: one line per figure, "name value unit" (value "n/a" when the library cannot do it);
 * lines starting with '#' are information. Any failed handshake, failed resumption, wrong
 * protocol/cipher/group or corrupted byte ends the run with exit status 1.
 *
 *   tlsbench [--smoke] [--time SECONDS] [--conns N] [--pki DIR] [--only PREFIX] [--expect-mlkem]
 *
 * --smoke: a few iterations of every workload (a couple of seconds), checking only success.
 * Full mode (default): each rate is measured for --time seconds (default 1) after a warm-up;
 * memory uses --conns idle connection pairs (default 10000).
 * --pki: directory with ca.pem (the root CA, the only one the clients trust) and
 * {ecdsa,rsa,ecdsa-int,rsa-int}.{chain.pem,key} (the -int leaves come with their intermediate
 * CA in .chain.pem); bench/run.sh makes them with the openssl CLI.
 * --only: run only the figures whose names start with PREFIX ('NAME$': that figure only).
 * --expect-mlkem: X25519MLKEM768 must be available (ferrossl); otherwise it is reported n/a.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>

#include "tlsbench.h"

struct tlsbench_opt opt = {0, 1.0, 10000, "target/bench-pki", NULL, 0};

void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "tlsbench: FAIL: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    ERR_print_errors_fp(stderr);
    exit(1);
}

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --only PREFIX, or --only 'NAME$' for that one figure (bulk_aes128gcm_1k_c2s$ without its
 * _2threads twin); a workload runs when its figure (or its `_server` twin) is selected. */
int selected(const char *name)
{
    if (opt.only == NULL)
        return 1;
    size_t n = strlen(opt.only);
    if (n > 0 && opt.only[n - 1] == '$') {
        char server[160];
        snprintf(server, sizeof server, "%s_server", name);
        return (strlen(name) == n - 1 && strncmp(name, opt.only, n - 1) == 0) ||
               (strlen(server) == n - 1 && strncmp(server, opt.only, n - 1) == 0);
    }
    return strncmp(name, opt.only, n) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* In-memory transport                                                                          */
/* ------------------------------------------------------------------------------------------ */

static BIO_METHOD *pipe_method;

static int pipe_write(BIO *b, const char *data, int n)
{
    end_t *e = BIO_get_data(b);
    pipe_t *p = e->out;
    BIO_clear_retry_flags(b);
    if (n <= 0)
        return 0;
    if (p->len + (size_t)n > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + (size_t)n)
            cap *= 2;
        unsigned char *nb = realloc(p->buf, cap);
        if (nb == NULL)
            die("out of memory in the transport");
        p->buf = nb;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, (size_t)n);
    p->len += (size_t)n;
    return n;
}

static int pipe_read(BIO *b, char *out, int n)
{
    end_t *e = BIO_get_data(b);
    pipe_t *p = e->in;
    BIO_clear_retry_flags(b);
    size_t avail = p->len - p->off;
    if (avail == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    if (n <= 0)
        return 0;
    size_t k = avail < (size_t)n ? avail : (size_t)n;
    memcpy(out, p->buf + p->off, k);
    p->off += k;
    if (p->off == p->len)
        p->off = p->len = 0;
    return (int)k;
}

static long pipe_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    end_t *e = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return e ? (long)(e->in->len - e->in->off) : 0;
    default:
        return 0;
    }
}

static void link_init(link_t *l)
{
    memset(l, 0, sizeof *l);
    l->cend.in = &l->s2c;
    l->cend.out = &l->c2s;
    l->send.in = &l->c2s;
    l->send.out = &l->s2c;
}

/* Frees the buffer of an empty pipe (idle connections then hold no transport memory). */
static void pipe_trim(pipe_t *p)
{
    if (p->off == p->len) {
        free(p->buf);
        p->buf = NULL;
        p->off = p->len = p->cap = 0;
    }
}

static void link_free(link_t *l)
{
    free(l->c2s.buf);
    free(l->s2c.buf);
    memset(l, 0, sizeof *l);
}

static BIO *end_bio(end_t *e)
{
    BIO *b = BIO_new(pipe_method);
    if (b == NULL)
        die("BIO_new");
    BIO_set_data(b, e);
    BIO_set_init(b, 1);
    return b;
}

/* ------------------------------------------------------------------------------------------ */
/* Contexts                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static char *pki_path(const char *file)
{
    static char buf[4][4096];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", opt.pki, file);
    return p;
}

/* Every setup call above succeeded, so OpenSSL's error queue must be empty: a stale entry would
 * make the next SSL_get_error() report SSL_ERROR_SSL for a mere WANT_READ. A library that leaves
 * one is reported (once per call site) and the queue is cleared, so the benchmark can go on. */
static void stale_errors(const char *where)
{
    static int reported;
    unsigned long e = ERR_peek_error();
    if (e == 0)
        return;
    if (!reported++) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        printf("# WARNING: %s succeeded but left an error on the queue (%s); cleared\n", where, buf);
        fprintf(stderr, "tlsbench: WARNING: %s succeeded but left an error on the queue (%s); cleared\n", where,
                buf);
    }
    ERR_clear_error();
}

/* Returns 0 when the library does not know the groups list (n/a), 1 on success; dies otherwise. */
int make_ctxs(const conf_t *c, SSL_CTX **cctx, SSL_CTX **sctx)
{
    char chain[64], key[64];
    *cctx = *sctx = NULL;
    SSL_CTX *s = SSL_CTX_new(TLS_server_method());
    SSL_CTX *cl = SSL_CTX_new(TLS_client_method());
    if (s == NULL || cl == NULL)
        die("SSL_CTX_new");
    ERR_set_mark();
    int ok = SSL_CTX_set1_groups_list(s, c->groups) == 1 && SSL_CTX_set1_groups_list(cl, c->groups) == 1;
    if (!ok) {
        ERR_pop_to_mark();
        SSL_CTX_free(s);
        SSL_CTX_free(cl);
        return 0;
    }
    ERR_clear_last_mark();
    snprintf(chain, sizeof chain, "%s.chain.pem", c->cert);
    snprintf(key, sizeof key, "%s.key", c->cert);
    if (SSL_CTX_set_min_proto_version(s, c->version) != 1 || SSL_CTX_set_max_proto_version(s, c->version) != 1 ||
        SSL_CTX_set_min_proto_version(cl, c->version) != 1 || SSL_CTX_set_max_proto_version(cl, c->version) != 1)
        die("setting the protocol version");
    if (SSL_CTX_use_certificate_chain_file(s, pki_path(chain)) != 1 ||
        SSL_CTX_use_PrivateKey_file(s, pki_path(key), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(s) != 1)
        die("loading %s / %s", pki_path(chain), pki_path(key));
    stale_errors("SSL_CTX_use_certificate_chain_file + SSL_CTX_use_PrivateKey_file");
    static const unsigned char sid_ctx[] = "tlsbench";
    if (SSL_CTX_set_session_id_context(s, sid_ctx, sizeof sid_ctx - 1) != 1)
        die("SSL_CTX_set_session_id_context");
    SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_SERVER);
    if (c->no_ticket)
        SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
    if (c->suite != NULL &&
        (SSL_CTX_set_ciphersuites(s, c->suite) != 1 || SSL_CTX_set_ciphersuites(cl, c->suite) != 1))
        die("SSL_CTX_set_ciphersuites(%s)", c->suite);
    if (SSL_CTX_load_verify_locations(cl, pki_path("ca.pem"), NULL) != 1)
        die("SSL_CTX_load_verify_locations(%s)", pki_path("ca.pem"));
    SSL_CTX_set_verify(cl, SSL_VERIFY_PEER, NULL);
    stale_errors("context setup");
    *cctx = cl;
    *sctx = s;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Connection pairs                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Seconds spent inside the server's libssl calls (SSL_new .. SSL_free), for "_server" figures;
 * per thread (tlsbench_threads.c runs pairs in two threads). */
_Thread_local double server_time;

void pair_open(pair_t *p, link_t *l, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess)
{
    link_init(l);
    p->l = l;
    p->c = SSL_new(cctx);
    if (p->c == NULL)
        die("SSL_new (client)");
    SSL_set_connect_state(p->c);
    if (SSL_set_tlsext_host_name(p->c, "localhost") != 1 || SSL_set1_host(p->c, "localhost") != 1)
        die("setting the server name");
    if (sess != NULL && SSL_set_session(p->c, sess) != 1)
        die("SSL_set_session");
    BIO *cb = end_bio(&l->cend);
    SSL_set_bio(p->c, cb, cb);

    BIO *sb = end_bio(&l->send);
    double t0 = now();
    p->s = SSL_new(sctx);
    if (p->s == NULL)
        die("SSL_new (server)");
    SSL_set_accept_state(p->s);
    SSL_set_bio(p->s, sb, sb);
    server_time += now() - t0;
}

static int hs_step(SSL *ssl, const char *who)
{
    int r = SSL_do_handshake(ssl);
    if (r == 1)
        return 1;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    die("%s handshake failed: SSL_do_handshake %d, SSL_get_error %d", who, r, e);
}

void pair_handshake(pair_t *p)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 32; round++) {
        if (!cdone)
            cdone = hs_step(p->c, "client");
        if (!sdone) {
            double t0 = now();
            sdone = hs_step(p->s, "server");
            server_time += now() - t0;
        }
        if (cdone && sdone)
            return;
    }
    die("handshake did not complete in 32 rounds");
}

/* Sends one byte from one side and reads it on the other (which also makes a TLS 1.3 client
 * take the NewSessionTicket messages queued before it). */
void pair_byte(pair_t *p, int from_server)
{
    SSL *w = from_server ? p->s : p->c, *r = from_server ? p->c : p->s;
    unsigned char out = from_server ? 'S' : 'C', in = 0;
    double t0 = now();
    int n = SSL_write(w, &out, 1);
    if (from_server)
        server_time += now() - t0;
    if (n != 1)
        die("SSL_write of one byte: %d (SSL_get_error %d)", n, SSL_get_error(w, n));
    for (int i = 0; i < 8; i++) {
        t0 = now();
        n = SSL_read(r, &in, 1);
        if (!from_server)
            server_time += now() - t0;
        if (n == 1)
            break;
        int e = SSL_get_error(r, n);
        if (e != SSL_ERROR_WANT_READ)
            die("SSL_read of one byte: %d (SSL_get_error %d)", n, e);
    }
    if (n != 1 || in != out)
        die("the byte sent did not arrive (%d, %02x)", n, in);
}

void pair_close(pair_t *p)
{
    SSL_shutdown(p->c); /* sends close_notify: OpenSSL keeps a session resumable only then */
    SSL_free(p->c);
    double t0 = now();
    SSL_shutdown(p->s);
    SSL_free(p->s);
    server_time += now() - t0;
    link_free(p->l);
    p->c = p->s = NULL;
}

void check_established(pair_t *p, const conf_t *c, int expect_reused, int check_group, const char *name)
{
    if (SSL_version(p->c) != c->version || SSL_version(p->s) != c->version)
        die("%s: negotiated %s, expected 0x%x", name, SSL_get_version(p->c), c->version);
    long vr = SSL_get_verify_result(p->c);
    if (vr != X509_V_OK)
        die("%s: certificate verification: %s", name, X509_verify_cert_error_string(vr));
    if (SSL_session_reused(p->c) != expect_reused || SSL_session_reused(p->s) != expect_reused)
        die("%s: session reused client=%d server=%d, expected %d", name, SSL_session_reused(p->c),
            SSL_session_reused(p->s), expect_reused);
    const SSL_CIPHER *cc = SSL_get_current_cipher(p->c), *sc = SSL_get_current_cipher(p->s);
    if (cc == NULL || sc == NULL || strcmp(SSL_CIPHER_get_name(cc), SSL_CIPHER_get_name(sc)) != 0)
        die("%s: client and server disagree on the cipher", name);
    if (c->suite != NULL && strcmp(SSL_CIPHER_get_name(cc), c->suite) != 0)
        die("%s: negotiated %s, expected %s", name, SSL_CIPHER_get_name(cc), c->suite);
    if (check_group) {
        long gc = SSL_get_negotiated_group(p->c), gs = SSL_get_negotiated_group(p->s);
        int x25519 = strstr(c->groups, "MLKEM") == NULL;
        if (gc != gs || (x25519 ? gc != NID_X25519 : (gc == NID_X25519 || gc == 0)))
            die("%s: negotiated group client=%ld server=%ld, expected %s", name, gc, gs, c->groups);
    }
}

/* The certificate chains the client saw: the peer chain is what the server sent (leaf, and the
 * intermediate when c->chain); the verified chain is what X509_verify_cert built from it (the
 * same plus the root). A resumed connection verifies nothing: only the session's peer chain. */
static void check_chains(pair_t *p, const conf_t *c, int resumed, const char *name)
{
    STACK_OF(X509) *peer = SSL_get_peer_cert_chain(p->c);
    int want = 1 + c->chain;
    if (peer == NULL || sk_X509_num(peer) != want)
        die("%s: the client's peer chain has %d certificates, expected %d", name,
            peer ? sk_X509_num(peer) : -1, want);
    if (resumed)
        return;
    STACK_OF(X509) *verified = SSL_get0_verified_chain(p->c);
    if (verified == NULL || sk_X509_num(verified) != want + 1)
        die("%s: the client's verified chain has %d certificates, expected %d", name,
            verified ? sk_X509_num(verified) : -1, want + 1);
}

static void info_once(pair_t *p, const char *name)
{
    STACK_OF(X509) *verified = SSL_get0_verified_chain(p->c), *peer = SSL_get_peer_cert_chain(p->c);
    printf("# %s: %s %s group=%ld reused=%d peer_chain=%d verified_chain=%d\n", name, SSL_get_version(p->c),
           SSL_CIPHER_get_name(SSL_get_current_cipher(p->c)), (long)SSL_get_negotiated_group(p->c),
           SSL_session_reused(p->c), peer ? sk_X509_num(peer) : -1, verified ? sk_X509_num(verified) : -1);
}

/* ------------------------------------------------------------------------------------------ */
/* Workloads                                                                                    */
/* ------------------------------------------------------------------------------------------ */

void report(const char *name, double value, const char *unit)
{
    printf("%s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

static void report_na(const char *name, const char *unit)
{
    printf("%s n/a %s\n", name, unit);
    fflush(stdout);
}

/* Runs `one` until the time budget (or the smoke count) is used; returns the iteration count
 * and the elapsed seconds. A short untimed warm-up comes first (its first iteration checks
 * everything; so does every iteration in smoke mode). Prints the iterations per CPU-second of
 * the thread too (a '#' line: the single-thread side of tlsbench_threads.c's comparison). */
static long timed(const char *name, iter_fn one, void *arg, double *elapsed, double *srv)
{
    long warm = opt.smoke ? 1 : 20, count = 0;
    for (long i = 0; i < warm; i++)
        one(arg, i == 0 || opt.smoke);
    server_time = 0;
    double t0 = now(), c0 = thread_cpu(), t;
    long min = opt.smoke ? 5 : 50;
    for (;;) {
        one(arg, opt.smoke);
        count++;
        t = now() - t0;
        if (opt.smoke ? count >= min : (t >= opt.seconds && count >= min))
            break;
    }
    double cpu = thread_cpu() - c0;
    printf("# %s: 1 thread, %ld iterations in %.3f s, %.3f CPU-s: %.0f per CPU-second\n", name, count, t, cpu,
           (double)count / cpu);
    *elapsed = t;
    *srv = server_time;
    return count;
}

void one_full(void *argp, int check)
{
    hs_arg_t *a = argp;
    link_t l;
    pair_t p;
    pair_open(&p, &l, a->cctx, a->sctx, NULL);
    pair_handshake(&p);
    check_established(&p, a->c, 0, 1, a->name);
    if (check)
        check_chains(&p, a->c, 0, a->name);
    pair_close(&p);
}

static void bench_full(const char *name, const conf_t *c)
{
    char sname[128];
    snprintf(sname, sizeof sname, "%s_server", name);
    if (!selected(name))
        return;
    hs_arg_t a = {c, NULL, NULL, name, NULL};
    if (!make_ctxs(c, &a.cctx, &a.sctx)) {
        if (opt.expect_mlkem)
            die("%s: SSL_CTX_set1_groups_list(\"%s\") failed", name, c->groups);
        printf("# %s: this libssl does not know the group %s\n", name, c->groups);
        report_na(name, "hs/s");
        report_na(sname, "hs/s");
        return;
    }
    {
        link_t l;
        pair_t p;
        pair_open(&p, &l, a.cctx, a.sctx, NULL);
        pair_handshake(&p);
        check_established(&p, c, 0, 1, name);
        check_chains(&p, c, 0, name);
        info_once(&p, name);
        pair_close(&p);
    }
    double el, srv;
    long n = timed(name, one_full, &a, &el, &srv);
    report(name, n / el, "hs/s");
    report(sname, n / srv, "hs/s");
    SSL_CTX_free(a.cctx);
    SSL_CTX_free(a.sctx);
}

/* One resumed connection: offers a->sess, checks it was resumed, reads one byte from the server
 * (so a TLS 1.3 client gets the new tickets) and keeps the connection's session for the next. */
void one_resumed(void *argp, int check)
{
    hs_arg_t *a = argp;
    link_t l;
    pair_t p;
    pair_open(&p, &l, a->cctx, a->sctx, a->sess);
    pair_handshake(&p);
    check_established(&p, a->c, 1, 0, a->name);
    if (check)
        check_chains(&p, a->c, 1, a->name);
    pair_byte(&p, 1);
    SSL_SESSION *next = SSL_get1_session(p.c);
    if (next == NULL)
        die("%s: SSL_get1_session returned NULL", a->name);
    SSL_SESSION_free(a->sess);
    a->sess = next;
    pair_close(&p);
}

void first_session(hs_arg_t *a)
{
    link_t l;
    pair_t p;
    pair_open(&p, &l, a->cctx, a->sctx, NULL);
    pair_handshake(&p);
    check_established(&p, a->c, 0, 1, a->name);
    check_chains(&p, a->c, 0, a->name);
    pair_byte(&p, 1);
    a->sess = SSL_get1_session(p.c);
    if (a->sess == NULL)
        die("%s: no session after the first handshake", a->name);
    pair_close(&p);
}

static void bench_resume(const char *name, const conf_t *c)
{
    char sname[128];
    snprintf(sname, sizeof sname, "%s_server", name);
    if (!selected(name))
        return;
    hs_arg_t a = {c, NULL, NULL, name, NULL};
    if (!make_ctxs(c, &a.cctx, &a.sctx))
        die("%s: groups %s", name, c->groups);
    first_session(&a);
    /* show what the first resumption negotiated */
    link_t l;
    pair_t p;
    pair_open(&p, &l, a.cctx, a.sctx, a.sess);
    pair_handshake(&p);
    check_established(&p, c, 1, 0, name);
    check_chains(&p, c, 1, name);
    info_once(&p, name);
    pair_byte(&p, 1);
    SSL_SESSION *next = SSL_get1_session(p.c);
    SSL_SESSION_free(a.sess);
    a.sess = next;
    pair_close(&p);

    double el, srv;
    long n = timed(name, one_resumed, &a, &el, &srv);
    report(name, n / el, "hs/s");
    report(sname, n / srv, "hs/s");
    SSL_SESSION_free(a.sess);
    SSL_CTX_free(a.cctx);
    SSL_CTX_free(a.sctx);
}

/* The byte stream of a bulk transfer: position i carries pattern[i % PATLEN]. */
#define PATLEN ((size_t)1048573) /* a prime: chunk boundaries wander through the pattern */
#define RDBUF 16384
static unsigned char *pattern;

static void make_pattern(void)
{
    pattern = malloc(PATLEN + 65536);
    if (pattern == NULL)
        die("out of memory");
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < PATLEN + 65536; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern[i] = (unsigned char)(x >> 24);
    }
    memcpy(pattern + PATLEN, pattern, 65536);
}

/* Handshakes one pair for a bulk transfer, in the direction c2s (client to server) or back. */
void bulk_open(bulk_t *b, const char *name, const conf_t *c, SSL_CTX *cctx, SSL_CTX *sctx, size_t wsize, int c2s)
{
    memset(b, 0, sizeof *b);
    b->name = name;
    b->wsize = wsize;
    pair_open(&b->p, &b->l, cctx, sctx, NULL);
    pair_handshake(&b->p);
    check_established(&b->p, c, 0, 1, name);
    b->w = c2s ? b->p.c : b->p.s;
    b->r = c2s ? b->p.s : b->p.c;
    b->buf = malloc(RDBUF);
    if (b->buf == NULL)
        die("out of memory");
}

/* Writes BULK_BATCH bytes of the pattern in wsize SSL_writes, then reads them all on the other
 * side (RDBUF-byte SSL_reads) and compares them with the pattern. */
void bulk_batch(void *bp, int check)
{
    bulk_t *b = bp;
    (void)check;
    for (size_t k = 0; k < BULK_BATCH; k += b->wsize) {
        int n = SSL_write(b->w, pattern + b->wpos % PATLEN, (int)b->wsize);
        if (n != (int)b->wsize)
            die("%s: SSL_write returned %d (SSL_get_error %d)", b->name, n, SSL_get_error(b->w, n));
        b->wpos += b->wsize;
    }
    int idle = 0;
    while (b->rpos < b->wpos) {
        int n = SSL_read(b->r, b->buf, RDBUF);
        if (n <= 0) {
            int e = SSL_get_error(b->r, n);
            if (e != SSL_ERROR_WANT_READ || ++idle > 2)
                die("%s: SSL_read returned %d (SSL_get_error %d) with %llu bytes outstanding", b->name, n, e,
                    (unsigned long long)(b->wpos - b->rpos));
            continue;
        }
        idle = 0;
        if ((uint64_t)n > b->wpos - b->rpos)
            die("%s: received more bytes than were sent", b->name);
        if (memcmp(b->buf, pattern + b->rpos % PATLEN, (size_t)n) != 0)
            die("%s: corrupted data at stream offset %llu", b->name, (unsigned long long)b->rpos);
        b->rpos += (uint64_t)n;
    }
}

void bulk_close(bulk_t *b)
{
    free(b->buf);
    pair_close(&b->p);
}

static void bench_bulk(const char *name, const char *suite, size_t wsize, int c2s)
{
    if (!selected(name))
        return;
    conf_t c = {TLS1_3_VERSION, "ecdsa", "X25519", suite, 0, 0};
    SSL_CTX *cctx, *sctx;
    if (!make_ctxs(&c, &cctx, &sctx))
        die("%s: groups", name);
    bulk_t b;
    bulk_open(&b, name, &c, cctx, sctx, wsize, c2s);
    const uint64_t smoke_total = 2 * 1024 * 1024;
    bulk_batch(&b, 1); /* warm-up */
    uint64_t start = b.wpos;
    double t0 = now(), c0 = thread_cpu(), el;
    do {
        bulk_batch(&b, 1);
        el = now() - t0;
    } while (opt.smoke ? b.wpos - start < smoke_total : el < opt.seconds);
    double cpu = thread_cpu() - c0;
    printf("# %s: 1 thread, %llu batches in %.3f s, %.3f CPU-s: %.0f per CPU-second\n", name,
           (unsigned long long)((b.wpos - start) / BULK_BATCH), el, cpu, (double)(b.wpos - start) / BULK_BATCH / cpu);
    report(name, (double)(b.wpos - start) / el / 1e6, "MB/s");
    bulk_close(&b);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* Heap per established idle connection: N pairs, each after a handshake and one byte each way
 * (so both sides have done I/O, as a kept-alive connection has), transport buffers freed. */
static void bench_memory(void)
{
    if (!selected("mem_"))
        return;
    conf_t c = {TLS1_3_VERSION, "ecdsa", "X25519", NULL, 0, 0};
    SSL_CTX *cctx, *sctx;
    if (!make_ctxs(&c, &cctx, &sctx))
        die("memory: groups");
    long n = opt.smoke ? 100 : opt.conns;
    link_t *links = calloc((size_t)n, sizeof *links);
    pair_t *pairs = calloc((size_t)n, sizeof *pairs);
    if (links == NULL || pairs == NULL)
        die("out of memory");
    for (int i = 0; i < 3; i++) { /* warm-up: lazily built configurations, caches */
        pair_open(&pairs[0], &links[0], cctx, sctx, NULL);
        pair_handshake(&pairs[0]);
        pair_byte(&pairs[0], 1);
        pair_byte(&pairs[0], 0);
        pair_close(&pairs[0]);
    }
    size_t before = heap_in_use();
    for (long i = 0; i < n; i++) {
        pair_open(&pairs[i], &links[i], cctx, sctx, NULL);
        pair_handshake(&pairs[i]);
        check_established(&pairs[i], &c, 0, 0, "memory");
        pair_byte(&pairs[i], 1);
        pair_byte(&pairs[i], 0);
        pipe_trim(&links[i].c2s);
        pipe_trim(&links[i].s2c);
    }
    size_t with_pairs = heap_in_use();
    for (long i = 0; i < n; i++) {
        SSL_free(pairs[i].c);
        pairs[i].c = NULL;
    }
    size_t servers_only = heap_in_use();
    for (long i = 0; i < n; i++) {
        SSL_free(pairs[i].s);
        link_free(&links[i]);
    }
    size_t after = heap_in_use();
    report("mem_idle_pair", ((double)with_pairs - (double)before) / (double)n, "bytes");
    report("mem_idle_server", ((double)servers_only - (double)before) / (double)n, "bytes");
    printf("# memory: %ld pairs; heap still in use after freeing them all: %.0f bytes per pair\n", n,
           ((double)after - (double)before) / (double)n);
    free(links);
    free(pairs);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* ------------------------------------------------------------------------------------------ */

/* TLS 1.2 (RFC 8422): a P-256 ECDSA certificate is usable only if the client lists P-256 among
 * its groups, so TLS 1.2 configurations list X25519 first (the group negotiated, as checked)
 * and P-256 second (GROUPS12). TLS 1.3 configurations list X25519 alone. */

static void usage(void)
{
    fprintf(stderr, "usage: tlsbench [--smoke] [--time SECONDS] [--conns N] [--pki DIR] [--only PREFIX] "
                    "[--expect-mlkem]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0)
            opt.smoke = 1;
        else if (strcmp(argv[i], "--expect-mlkem") == 0)
            opt.expect_mlkem = 1;
        else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc)
            opt.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
            opt.conns = atol(argv[++i]);
        else if (strcmp(argv[i], "--pki") == 0 && i + 1 < argc)
            opt.pki = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            opt.only = argv[++i];
        else
            usage();
    }
    if (opt.seconds <= 0 || opt.conns <= 0)
        usage();

    if (OPENSSL_init_ssl(0, NULL) != 1)
        die("OPENSSL_init_ssl");
    Dl_info di;
    if (dladdr((void *)SSL_new, &di) && di.dli_fname != NULL)
        printf("# libssl: %s\n", di.dli_fname);
    printf("# libcrypto: %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("# mode: %s\n", opt.smoke ? "smoke" : "full");

    pipe_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tlsbench pipe");
    if (pipe_method == NULL || !BIO_meth_set_write(pipe_method, pipe_write) ||
        !BIO_meth_set_read(pipe_method, pipe_read) || !BIO_meth_set_ctrl(pipe_method, pipe_ctrl))
        die("BIO_meth_new");
    make_pattern();

    /* Full handshakes. */
    static const struct {
        const char *name;
        conf_t c;
    } full[] = {
        {"hs_full_tls13_ecdsa_x25519", {TLS1_3_VERSION, "ecdsa", "X25519", NULL, 0, 0}},
        {"hs_full_tls13_rsa_x25519", {TLS1_3_VERSION, "rsa", "X25519", NULL, 0, 0}},
        {"hs_full_tls12_ecdsa_x25519", {TLS1_2_VERSION, "ecdsa", GROUPS12, NULL, 0, 0}},
        {"hs_full_tls12_rsa_x25519", {TLS1_2_VERSION, "rsa", GROUPS12, NULL, 0, 0}},
        {"hs_full_tls13_ecdsa_mlkem", {TLS1_3_VERSION, "ecdsa", "X25519MLKEM768", NULL, 0, 0}},
        {"hs_full_tls13_rsa_mlkem", {TLS1_3_VERSION, "rsa", "X25519MLKEM768", NULL, 0, 0}},
        /* leaf + intermediate from the server, the client trusting the root only */
        {"hs_full_tls13_ecdsa_chain", {TLS1_3_VERSION, "ecdsa-int", "X25519", NULL, 0, 1}},
        {"hs_full_tls13_rsa_chain", {TLS1_3_VERSION, "rsa-int", "X25519", NULL, 0, 1}},
        {"hs_full_tls12_ecdsa_chain", {TLS1_2_VERSION, "ecdsa-int", GROUPS12, NULL, 0, 1}},
        {"hs_full_tls12_rsa_chain", {TLS1_2_VERSION, "rsa-int", GROUPS12, NULL, 0, 1}},
    };
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++)
        bench_full(full[i].name, &full[i].c);

    /* Resumed handshakes (ECDSA certificate, X25519). */
    static const conf_t r13 = {TLS1_3_VERSION, "ecdsa", "X25519", NULL, 0, 0};
    static const conf_t r12id = {TLS1_2_VERSION, "ecdsa", GROUPS12, NULL, 1, 0};
    static const conf_t r12t = {TLS1_2_VERSION, "ecdsa", GROUPS12, NULL, 0, 0};
    static const conf_t r13chain = {TLS1_3_VERSION, "ecdsa-int", "X25519", NULL, 0, 1};
    bench_resume("hs_resume_tls13_ticket", &r13);
    bench_resume("hs_resume_tls12_sessionid", &r12id);
    bench_resume("hs_resume_tls12_ticket", &r12t);
    bench_resume("hs_resume_tls13_ticket_chain", &r13chain);

    /* Bulk transfer, TLS 1.3. */
    static const struct {
        const char *tag, *suite;
    } suites[] = {
        {"aes128gcm", "TLS_AES_128_GCM_SHA256"},
        {"aes256gcm", "TLS_AES_256_GCM_SHA384"},
        {"chacha20", "TLS_CHACHA20_POLY1305_SHA256"},
    };
    static const size_t sizes[] = {16384, 1024};
    for (size_t s = 0; s < 3; s++)
        for (size_t z = 0; z < 2; z++)
            for (int dir = 0; dir < 2; dir++) {
                char name[96];
                snprintf(name, sizeof name, "bulk_%s_%zuk_%s", suites[s].tag, sizes[z] / 1024,
                         dir == 0 ? "c2s" : "s2c");
                bench_bulk(name, suites[s].suite, sizes[z], dir == 0);
            }

    /* Two threads, each with its own connection pairs, on the same client and server SSL_CTX. */
    bench_threads_full("hs_full_tls13_ecdsa_x25519_2threads", &full[0].c);
    bench_threads_resume("hs_resume_tls13_ticket_2threads", &r13);
    bench_threads_bulk("bulk_aes128gcm_1k_c2s_2threads", "TLS_AES_128_GCM_SHA256", 1024, 1);

    bench_memory();

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    report("peak_rss", (double)ru.ru_maxrss, "KiB");
    printf("# ok\n");
    return 0;
}
