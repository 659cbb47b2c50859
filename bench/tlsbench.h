/*
 * What tlsbench.c shares with tlsbench_threads.c (the workloads with two threads on one pair of
 * SSL_CTXs). See tlsbench.c for the program itself.
 */
#ifndef TLSBENCH_H
#define TLSBENCH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct tlsbench_opt {
    int smoke;
    double seconds;
    long conns;
    const char *pki;
    const char *only;
    int expect_mlkem;
};
extern struct tlsbench_opt opt;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
double now(void);
double thread_cpu(void); /* CPU seconds of the calling thread */
int selected(const char *name);
void report(const char *name, double value, const char *unit);

/* One connection pair's transport (two byte pipes): owned by the program, outlives both BIOs. */
typedef struct {
    unsigned char *buf;
    size_t off, len, cap;
} pipe_t;

typedef struct {
    pipe_t *in, *out;
} end_t;

typedef struct {
    pipe_t c2s, s2c;
    end_t cend, send;
} link_t;

typedef struct {
    int version;       /* TLS1_3_VERSION or TLS1_2_VERSION */
    const char *cert;  /* "ecdsa", "rsa" (leaf signed by the root) or "ecdsa-int", "rsa-int" */
    const char *groups;
    const char *suite; /* TLS 1.3 ciphersuite, or NULL for the default list */
    int no_ticket;     /* server: SSL_OP_NO_TICKET (TLS 1.2 session IDs) */
    int chain;         /* intermediates the server sends (0: the leaf alone; 1: leaf + intermediate) */
} conf_t;

/* The TLS 1.2 groups list (see main). */
#define GROUPS12 "X25519:P-256"

int make_ctxs(const conf_t *c, SSL_CTX **cctx, SSL_CTX **sctx);

typedef struct {
    SSL *c, *s;
    link_t *l;
} pair_t;

/* Seconds this thread spent inside the server's libssl calls, for the "_server" figures. */
extern _Thread_local double server_time;

void pair_open(pair_t *p, link_t *l, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess);
void pair_handshake(pair_t *p);
void pair_byte(pair_t *p, int from_server);
void pair_close(pair_t *p);
void check_established(pair_t *p, const conf_t *c, int expect_reused, int check_group, const char *name);

/* One iteration of a workload; `check` asks for the checks too costly for every timed iteration
 * (the certificate chains): the first iteration, and every one in smoke mode. */
typedef void (*iter_fn)(void *arg, int check);

typedef struct {
    const conf_t *c;
    SSL_CTX *cctx, *sctx;
    const char *name;
    SSL_SESSION *sess; /* resumption: the session to offer next */
} hs_arg_t;

void one_full(void *argp, int check);
void one_resumed(void *argp, int check);
/* The first full handshake of a resumption workload: sets a->sess. */
void first_session(hs_arg_t *a);

/* A bulk transfer through one established TLS 1.3 connection pair. */
typedef struct {
    const char *name;
    link_t l;
    pair_t p;
    SSL *w, *r;
    unsigned char *buf;
    size_t wsize;
    uint64_t wpos, rpos;
} bulk_t;

#define BULK_BATCH ((size_t)256 * 1024) /* bytes written before the reader drains them */

void bulk_open(bulk_t *b, const char *name, const conf_t *c, SSL_CTX *cctx, SSL_CTX *sctx, size_t wsize, int c2s);
void bulk_batch(void *bp, int check); /* an iter_fn: one batch written, read and compared */
void bulk_close(bulk_t *b);

/* tlsbench_threads.c: the same workloads in two threads on the same two SSL_CTXs. */
void bench_threads_full(const char *name, const conf_t *c);
void bench_threads_resume(const char *name, const conf_t *c);
void bench_threads_bulk(const char *name, const char *suite, size_t wsize, int c2s);

#endif
