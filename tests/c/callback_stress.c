/*
 * callback_stress: eight threads share one server SSL_CTX and one client SSL_CTX in one process
 * and make 10,000 handshakes in all (client and server both on the library under test, joined
 * by a non-blocking socketpair each), exchanging 64 bytes each way, while callbacks call back
 * into the API:
 *   - the server's remove-session callback calls SSL_CTX_set_info_callback on its context;
 *   - the verify callbacks (both sides: the client checks the server, the server requires a
 *     client certificate) find their connection through SSL_get_ex_data, check it is their own
 *     SSL, and count their calls in a second ex_data slot with SSL_set_ex_data;
 *   - the servername callback moves connections for "alt" to a second context (another
 *     certificate) with SSL_set_SSL_CTX;
 *   - the new-session callbacks mark server sessions (SSL_SESSION_set_ex_data) and keep the
 *     last session of each side: the client's is offered on the thread's next connection;
 *   - the info callback counts handshake starts and ends per side.
 *
 * Thread t uses TLS 1.3 if t & 1 (else 1.2), server tickets unless t & 2, SNI "alt" if t & 4.
 * Its connection j offers the previous connection's session unless j % 4 == 0, and after
 * connection j % 8 == 5 the thread removes from the cache (SSL_CTX_remove_session) the session
 * the server's new-session callback got on that connection, if it got one. The remove callback
 * counts sessions it sees with and without the mark; OpenSSL calls it for any session removed
 * explicitly, cached or not, so the program only ever removes sessions that were cached.
 *
 * usage: callback_stress CERT KEY ALT_CERT ALT_KEY CLIENT_CERT CLIENT_KEY ROOT
 * Prints one count per line ("thread T name=value", then "total name=value"); these depend only
 * on the library's behaviour, not on timing, so the test compares them between libraries.
 * Exit status 0 iff every check passed. After BOUND_SECS the main thread prints how far each
 * thread got and exits with status 124 (a deadlock); alarm() is the backstop (SIGALRM).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#define THREADS 8
#ifndef TOTAL /* tests/sanitizers.rs builds it with fewer */
#define TOTAL 10000
#endif
#define PER_THREAD (TOTAL / THREADS)
#define MSG 64
#define MAX_STEPS 2000
#ifndef BOUND_SECS
#define BOUND_SECS 240
#endif
#define ALARM_SECS (BOUND_SECS + 20)

/* Every count the program prints; one X per line of output. */
#define COUNTS(X)                                                                          \
    X(handshakes) X(resumed) X(full) X(offered) X(client_verify) X(server_verify)            \
    X(client_new) X(server_new) X(servername) X(switched) X(alt_cert_seen)                 \
    X(explicit_removes) X(remove_returned_1) X(removes_cached) X(removes_uncached)         \
    X(client_info_start) X(client_info_done) X(server_info_start) X(server_info_done)      \
    X(echo_ok) X(exdata_ok) X(cb_exdata_wrong) X(cb_is_server_wrong)

struct stats {
#define FIELD(name) long name;
    COUNTS(FIELD)
#undef FIELD
    long failures;
    int tid;
};

static struct stats g_stats[THREADS + 1]; /* the last one: the main thread (SSL_CTX_free) */
static __thread struct stats *T;
static pthread_mutex_t g_print = PTHREAD_MUTEX_INITIALIZER;

static SSL_CTX *g_server, *g_alt, *g_client;
static int g_conn_idx, g_count_idx, g_sess_idx;
static int g_freeing;
static int g_done_threads;
static char g_mark; /* the address marks server sessions the new-session callback saw */

/* What the program knows about one side of a connection; SSL ex_data slot g_conn_idx. */
struct side {
    SSL *ssl;
    int is_server;
    long verify_calls;
    SSL_SESSION *got; /* the last session the new-session callback handed over */
};

/* Counts a failed check; prints the first few of each thread (j = -1: inside a callback). */
static void fail(const char *fmt, const char *what, int j) {
    T->failures++;
    if (T->failures > 5)
        return;
    pthread_mutex_lock(&g_print);
    fprintf(stderr, "FAIL thread %d conn %d: ", T->tid, j);
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    ERR_print_errors_fp(stderr);
    pthread_mutex_unlock(&g_print);
}

/* The side the program attached to ssl, or NULL (and a failure) if the library lost it. */
static struct side *side_of(const SSL *ssl, const char *cb) {
    struct side *s = ssl != NULL ? SSL_get_ex_data(ssl, g_conn_idx) : NULL;
    if (s == NULL || s->ssl != ssl) {
        T->cb_exdata_wrong++;
        fail("%s: SSL_get_ex_data does not give this SSL's own value", cb, -1);
        return NULL;
    }
    if (SSL_is_server(ssl) != s->is_server) {
        T->cb_is_server_wrong++;
        fail("%s: SSL_is_server is wrong", cb, -1);
    }
    return s;
}

/* ------------------------------------------------------------------ callbacks */

static void info_cb(const SSL *ssl, int where, int ret) {
    (void)ret;
    struct side *s = side_of(ssl, "info");
    if (s == NULL)
        return;
    if (where & SSL_CB_HANDSHAKE_START)
        s->is_server ? T->server_info_start++ : T->client_info_start++;
    if (where & SSL_CB_HANDSHAKE_DONE)
        s->is_server ? T->server_info_done++ : T->client_info_done++;
}

static int verify_cb(int ok, X509_STORE_CTX *xs) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct side *s = side_of(ssl, "verify");
    if (s == NULL)
        return 0;
    long before = (long)(intptr_t)SSL_get_ex_data(ssl, g_count_idx);
    if (before != s->verify_calls)
        fail("%s: the count kept with SSL_set_ex_data changed", "verify", -1);
    s->verify_calls++;
    if (!SSL_set_ex_data(ssl, g_count_idx, (void *)(intptr_t)s->verify_calls))
        fail("%s: SSL_set_ex_data failed", "verify", -1);
    s->is_server ? T->server_verify++ : T->client_verify++;
    return ok;
}

static int servername_cb(SSL *ssl, int *al, void *arg) {
    (void)al;
    (void)arg;
    struct side *s = side_of(ssl, "servername");
    if (s == NULL)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    T->servername++;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name != NULL && strcmp(name, "alt") == 0) {
        if (SSL_set_SSL_CTX(ssl, g_alt) != g_alt || SSL_get_SSL_CTX(ssl) != g_alt)
            fail("%s: SSL_set_SSL_CTX did not switch", "servername", -1);
        T->switched++;
    }
    return SSL_TLSEXT_ERR_OK;
}

static int new_session_cb(SSL *ssl, SSL_SESSION *sess) {
    struct side *s = side_of(ssl, "new session");
    if (s == NULL)
        return 0;
    if (s->is_server) {
        T->server_new++;
        if (!SSL_SESSION_set_ex_data(sess, g_sess_idx, &g_mark))
            fail("%s: SSL_SESSION_set_ex_data failed", "new session", -1);
    } else {
        T->client_new++;
    }
    SSL_SESSION_free(s->got);
    s->got = sess; /* keep the reference */
    return 1;
}

static void remove_session_cb(SSL_CTX *ctx, SSL_SESSION *sess) {
    if (ctx != g_server)
        fail("%s: remove callback for another context", "remove", -1);
    if (SSL_SESSION_get_ex_data(sess, g_sess_idx) == &g_mark)
        T->removes_cached++;
    else
        T->removes_uncached++;
    /* Re-entering the context's settings (not while SSL_CTX_free flushes the cache). */
    if (!g_freeing)
        SSL_CTX_set_info_callback(ctx, SSL_CTX_get_info_callback(ctx));
}

/* ------------------------------------------------------------------ one connection */

static int retry(SSL *ssl, int r) {
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* Reads exactly n bytes (the peer has written them already; non-blocking, so bounded). */
static int read_n(SSL *ssl, char *buf, int n) {
    int got = 0;
    for (int step = 0; got < n && step < MAX_STEPS; step++) {
        int r = SSL_read(ssl, buf + got, n - got);
        if (r > 0)
            got += r;
        else if (!retry(ssl, r))
            return 0;
    }
    return got == n;
}

static int handshake(SSL *c, SSL *s) {
    int cd = 0, sd = 0;
    for (int step = 0; step < MAX_STEPS && !(cd && sd); step++) {
        if (!cd) {
            int r = SSL_do_handshake(c);
            if (r == 1) cd = 1;
            else if (!retry(c, r)) return 0;
        }
        if (!sd) {
            int r = SSL_do_handshake(s);
            if (r == 1) sd = 1;
            else if (!retry(s, r)) return 0;
        }
    }
    return cd && sd;
}

/* Each side sends its close_notify and waits for the other's (so neither SSL_free treats the
 * session as bad and removes it from the cache). */
static void shutdown_both(SSL *c, SSL *s) {
    int cd = 0, sd = 0;
    for (int step = 0; step < 20 && !(cd && sd); step++) {
        if (!cd) cd = SSL_shutdown(c) == 1;
        if (!sd) sd = SSL_shutdown(s) == 1;
    }
}

/* One handshake and echo; returns the session to offer next (a reference), or NULL. */
static SSL_SESSION *one(int t, int j, SSL_SESSION *offer) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        fail("%s", "socketpair", j);
        return NULL;
    }
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    SSL *c = SSL_new(g_client), *s = SSL_new(g_server);
    struct side cs = {c, 0, 0, NULL}, ss = {s, 1, 0, NULL};
    int alt = (t & 4) != 0;
    SSL_set_fd(c, sv[0]);
    SSL_set_fd(s, sv[1]);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_ex_data(c, g_conn_idx, &cs);
    SSL_set_ex_data(s, g_conn_idx, &ss);
    SSL_set_max_proto_version(c, (t & 1) ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_set_tlsext_host_name(c, alt ? "alt" : "localhost");
    if (t & 2)
        SSL_set_options(s, SSL_OP_NO_TICKET);
    if (offer != NULL) {
        T->offered++;
        SSL_set_session(c, offer);
    }
    SSL_SESSION *next = NULL;
    char msg[MSG], back[MSG], got[MSG];
    for (int i = 0; i < MSG; i++)
        msg[i] = (char)(t * 31 + j * 7 + i);
    if (!handshake(c, s)) {
        fail("%s", "handshake", j);
        goto out;
    }
    __atomic_add_fetch(&T->handshakes, 1, __ATOMIC_RELAXED); /* read by wait_workers */
    int reused = SSL_session_reused(c);
    if (reused != SSL_session_reused(s))
        fail("%s", "client and server disagree on resumption", j);
    reused ? T->resumed++ : T->full++;
    X509 *peer = SSL_get0_peer_certificate(c);
    int rsa = peer != NULL && EVP_PKEY_get_base_id(X509_get0_pubkey(peer)) == EVP_PKEY_RSA;
    if (peer == NULL || rsa != alt)
        fail("%s", "the client got the wrong server certificate", j);
    T->alt_cert_seen += rsa;
    if (SSL_write(c, msg, MSG) != MSG || !read_n(s, back, MSG)
        || SSL_write(s, back, MSG) != MSG || !read_n(c, got, MSG))
        fail("%s", "data exchange", j);
    else if (memcmp(got, msg, MSG) == 0)
        T->echo_ok++;
    else
        fail("%s", "the echo differs", j);
    if ((long)(intptr_t)SSL_get_ex_data(c, g_count_idx) == cs.verify_calls
        && (long)(intptr_t)SSL_get_ex_data(s, g_count_idx) == ss.verify_calls
        && SSL_get_ex_data(c, g_conn_idx) == &cs && SSL_get_ex_data(s, g_conn_idx) == &ss)
        T->exdata_ok++;
    else
        fail("%s", "ex_data after the handshake", j);
    shutdown_both(c, s);
out:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    close(sv[0]);
    close(sv[1]);
    /* The session the server's new-session callback got was added to the cache: remove it. */
    if (ss.got != NULL && j % 8 == 5) {
        T->explicit_removes++;
        T->remove_returned_1 += SSL_CTX_remove_session(g_server, ss.got) == 1;
    }
    SSL_SESSION_free(ss.got);
    next = cs.got;
    if (next == NULL && offer != NULL && SSL_SESSION_up_ref(offer))
        next = offer; /* a resumed TLS 1.2 connection gets no new session: keep offering */
    return next;
}

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    SSL_SESSION *prev = NULL;
    T = &g_stats[t];
    T->tid = t;
    for (int j = 0; j < PER_THREAD; j++) {
        SSL_SESSION *next = one(t, j, j % 4 != 0 ? prev : NULL);
        SSL_SESSION_free(prev);
        prev = next;
    }
    SSL_SESSION_free(prev);
    __atomic_add_fetch(&g_done_threads, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Waits for the workers; past the bound, reports how far each got and exits (124). */
static void wait_workers(pthread_t *th, const struct timespec *t0) {
    for (;;) {
        struct timespec now;
        if (__atomic_load_n(&g_done_threads, __ATOMIC_SEQ_CST) == THREADS)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0->tv_sec >= BOUND_SECS) {
            printf("TIMEOUT after %d s (a deadlock?); handshakes done per thread:", BOUND_SECS);
            for (int t = 0; t < THREADS; t++)
                printf(" %ld", __atomic_load_n(&g_stats[t].handshakes, __ATOMIC_SEQ_CST));
            printf("\n");
            fflush(stdout);
            _exit(124);
        }
        usleep(100 * 1000);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
}

/* ------------------------------------------------------------------ setup and report */

static SSL_CTX *server_ctx(const char *cert, const char *key, const char *root) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(ctx, root, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        exit(3);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"stress", 6);
    SSL_CTX_set_info_callback(ctx, info_cb);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
    return ctx;
}

static void print_stats(const char *who, const struct stats *s) {
#define LINE(name) printf("%s " #name "=%ld\n", who, s->name);
    COUNTS(LINE)
#undef LINE
}

int main(int argc, char **argv) {
    struct timespec t0, t1;
    pthread_t th[THREADS];
    if (argc != 8) {
        fprintf(stderr, "usage: callback_stress CERT KEY ALT_CERT ALT_KEY CLIENT_CERT CLIENT_KEY ROOT\n");
        return 2;
    }
    alarm(ALARM_SECS);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    g_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_count_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_sess_idx = SSL_SESSION_get_ex_new_index(0, NULL, NULL, NULL, NULL);

    g_server = server_ctx(argv[1], argv[2], argv[7]);
    g_alt = server_ctx(argv[3], argv[4], argv[7]);
    /* Big enough and long enough that nothing is evicted or expires: counts stay exact. */
    SSL_CTX_set_session_cache_mode(g_server, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(g_server, 100000);
    SSL_CTX_set_timeout(g_server, 3600);
    SSL_CTX_sess_set_new_cb(g_server, new_session_cb);
    SSL_CTX_sess_set_remove_cb(g_server, remove_session_cb);

    g_client = SSL_CTX_new(TLS_client_method());
    if (g_client == NULL || SSL_CTX_use_certificate_chain_file(g_client, argv[5]) != 1
        || SSL_CTX_use_PrivateKey_file(g_client, argv[6], SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(g_client, argv[7], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 3;
    }
    SSL_CTX_set_verify(g_client, SSL_VERIFY_PEER, verify_cb);
    SSL_CTX_set_info_callback(g_client, info_cb);
    SSL_CTX_set_session_cache_mode(g_client, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(g_client, new_session_cb);

    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0)
            return 3;
    wait_workers(th, &t0);

    /* SSL_CTX_free empties the cache, calling the remove callback for every session left. */
    T = &g_stats[THREADS];
    T->tid = -1;
    g_freeing = 1;
    SSL_CTX_free(g_client);
    SSL_CTX_free(g_alt);
    SSL_CTX_free(g_server);

    struct stats total = {0};
    long failures = 0;
    for (int t = 0; t < THREADS; t++) {
        char who[64];
        snprintf(who, sizeof who, "thread %d TLSv1.%d tickets=%s sni=%s", t, (t & 1) ? 3 : 2,
                 (t & 2) ? "off" : "on", (t & 4) ? "alt" : "localhost");
        print_stats(who, &g_stats[t]);
        failures += g_stats[t].failures;
    }
    print_stats("at SSL_CTX_free", &g_stats[THREADS]);
    failures += g_stats[THREADS].failures;
    for (int t = 0; t <= THREADS; t++) {
#define ADD(name) total.name += g_stats[t].name;
        COUNTS(ADD)
#undef ADD
    }
    print_stats("total", &total);
    /* The checks that hold whatever the library: every handshake, echo and ex_data check
     * passed, the remove callback only ever saw sessions that were in the cache, and "alt"
     * connections (only those) were switched and got the alt certificate. */
    if (total.handshakes != TOTAL || total.echo_ok != TOTAL || total.exdata_ok != TOTAL)
        failures++;
    if (total.removes_uncached != 0) {
        fprintf(stderr, "the remove callback saw %ld sessions that were never cached\n",
                total.removes_uncached);
        failures++;
    }
    for (int t = 0; t < THREADS; t++) {
        const struct stats *st = &g_stats[t];
        long want = (t & 4) ? st->handshakes : 0;
        if (st->switched != ((t & 4) ? st->servername : 0) || st->alt_cert_seen != want) {
            fprintf(stderr, "thread %d: %ld switches, %ld alt certificates\n", t, st->switched,
                    st->alt_cert_seen);
            failures++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("~elapsed %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("failures=%ld\n", failures);
    return failures != 0;
}
