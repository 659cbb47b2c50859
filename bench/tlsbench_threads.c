/*
 * tlsbench's workloads with two threads on one shared client SSL_CTX and one shared server
 * SSL_CTX (what a multi-threaded server or client does): each thread runs its own connection
 * pairs, over its own transport, exactly as the single-thread figure of the same name without
 * "_2threads" does; the figure is the total for the process (handshakes or MB per second of
 * wall time while both threads run). Compared with the single-thread figure it shows how a
 * library scales: locks and shared counters in the SSL_CTX, the session cache, handle tables.
 * On a machine with two cores the result means something only when both are otherwise idle.
 * The '#' line of each figure also gives the iterations per CPU-second of the threads, and
 * timed() in tlsbench.c the same for one thread: a library that scales keeps that number (on
 * a busy machine too, where the wall-time figure cannot show it); atomics and locks that
 * bounce between cores lower it. Time blocked on a lock is not CPU time: that shows only in
 * the wall-time figure (or as FUTEX_WAIT calls in strace -f -e trace=futex).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "tlsbench.h"

#define NTHREADS 2

typedef struct {
    iter_fn one;
    void *arg;
    pthread_barrier_t *start;
    long count;
    double t0, t1; /* when this thread's measured iterations started and ended */
    double cpu;    /* and the CPU seconds it used meanwhile */
} worker_t;

/* Warms up, waits for the others, then runs `one` for the time budget (smoke: a few times). */
static void *worker_main(void *wp)
{
    worker_t *w = wp;
    long warm = opt.smoke ? 1 : 20, min = opt.smoke ? 5 : 50;
    for (long i = 0; i < warm; i++)
        w->one(w->arg, i == 0 || opt.smoke);
    pthread_barrier_wait(w->start);
    w->t0 = now();
    double c0 = thread_cpu();
    for (;;) {
        w->one(w->arg, opt.smoke);
        w->count++;
        w->t1 = now();
        if (opt.smoke ? w->count >= min : (w->t1 - w->t0 >= opt.seconds && w->count >= min))
            break;
    }
    w->cpu = thread_cpu() - c0;
    return NULL;
}

/* Runs `one` in NTHREADS threads, thread i on args[i]; returns the iterations of all threads
 * per second, from the first thread's start (all are warmed up) to the last one's end. */
static double run_threads(const char *name, iter_fn one, void *args[NTHREADS])
{
    pthread_barrier_t start;
    pthread_t tid[NTHREADS];
    worker_t w[NTHREADS];
    if (pthread_barrier_init(&start, NULL, NTHREADS + 1) != 0)
        die("pthread_barrier_init");
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (worker_t){one, args[i], &start, 0, 0, 0, 0};
        if (pthread_create(&tid[i], NULL, worker_main, &w[i]) != 0)
            die("pthread_create");
    }
    pthread_barrier_wait(&start);
    long total = 0;
    double t0 = 0, t1 = 0, cpu = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(tid[i], NULL);
        total += w[i].count;
        cpu += w[i].cpu;
        if (i == 0 || w[i].t0 < t0)
            t0 = w[i].t0;
        if (i == 0 || w[i].t1 > t1)
            t1 = w[i].t1;
    }
    double el = t1 - t0;
    pthread_barrier_destroy(&start);
    printf("# %s: %d threads, iterations", name, NTHREADS);
    for (int i = 0; i < NTHREADS; i++)
        printf(" %ld", w[i].count);
    printf(" in %.3f s, %.3f CPU-s: %.0f per CPU-second\n", el, cpu, (double)total / cpu);
    return (double)total / el;
}

static void make_ctxs_or_die(const char *name, const conf_t *c, SSL_CTX **cctx, SSL_CTX **sctx)
{
    if (!make_ctxs(c, cctx, sctx))
        die("%s: groups %s", name, c->groups);
}

void bench_threads_full(const char *name, const conf_t *c)
{
    if (!selected(name))
        return;
    hs_arg_t a[NTHREADS];
    void *args[NTHREADS];
    SSL_CTX *cctx, *sctx;
    make_ctxs_or_die(name, c, &cctx, &sctx);
    for (int i = 0; i < NTHREADS; i++) {
        a[i] = (hs_arg_t){c, cctx, sctx, name, NULL};
        args[i] = &a[i];
    }
    one_full(&a[0], 1);
    report(name, run_threads(name, one_full, args), "hs/s");
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* Each thread resumes its own session (its own chain of tickets), on the shared contexts. */
void bench_threads_resume(const char *name, const conf_t *c)
{
    if (!selected(name))
        return;
    hs_arg_t a[NTHREADS];
    void *args[NTHREADS];
    SSL_CTX *cctx, *sctx;
    make_ctxs_or_die(name, c, &cctx, &sctx);
    for (int i = 0; i < NTHREADS; i++) {
        a[i] = (hs_arg_t){c, cctx, sctx, name, NULL};
        first_session(&a[i]);
        args[i] = &a[i];
    }
    report(name, run_threads(name, one_resumed, args), "hs/s");
    for (int i = 0; i < NTHREADS; i++)
        SSL_SESSION_free(a[i].sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* Each thread has its own established connection pair (handshaken here, then handed over). */
void bench_threads_bulk(const char *name, const char *suite, size_t wsize, int c2s)
{
    if (!selected(name))
        return;
    conf_t c = {TLS1_3_VERSION, "ecdsa", "X25519", suite, 0, 0};
    bulk_t b[NTHREADS];
    void *args[NTHREADS];
    SSL_CTX *cctx, *sctx;
    make_ctxs_or_die(name, &c, &cctx, &sctx);
    for (int i = 0; i < NTHREADS; i++) {
        bulk_open(&b[i], name, &c, cctx, sctx, wsize, c2s);
        args[i] = &b[i];
    }
    double batches = run_threads(name, bulk_batch, args);
    report(name, batches * (double)BULK_BATCH / 1e6, "MB/s");
    for (int i = 0; i < NTHREADS; i++)
        bulk_close(&b[i]);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}
