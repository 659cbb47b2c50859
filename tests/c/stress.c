/*
 * stress: eight threads share one server SSL_CTX (plus a second one the servername callback
 * switches to) and one client SSL_CTX and make TOTAL handshakes in all (default 20,000), client
 * and server both on the library under test, each connection carrying application data both
 * ways and ending with a clean two-way SSL_shutdown. Built for AddressSanitizer/LeakSanitizer
 * and valgrind by tests/sanitizers.rs, which also runs it on the stock libssl.so.3 and compares
 * the counts.
 *
 * The server context keeps its sessions only in the program's own cache (SSL_SESS_CACHE_SERVER
 * | SSL_SESS_CACHE_NO_INTERNAL): the new-session callback stores a reference under the session
 * ID, the get-session callback looks it up, the remove-session callback drops it. Both contexts
 * have an info callback and a verify callback (the server requires a client certificate); the
 * server has a servername callback that moves connections for "alt" to the second context.
 *
 * Thread t uses TLS 1.3 if t & 1 (else 1.2), server tickets unless t & 2, SNI "alt" if t & 4.
 * Its connection j runs over a memory BIO pair if j & 2, else over a non-blocking socketpair;
 * an even j makes a full handshake, an odd j offers the session the client's new-session
 * callback got on connection j - 1, and after it the thread removes the server's session from
 * the cache (SSL_CTX_remove_session). The client sends 1 to 20,000 bytes (a function of t and
 * j, so one or two records), the server sends them back transformed.
 *
 * usage: stress CERT KEY ALT_CERT ALT_KEY CLIENT_CERT CLIENT_KEY ROOT [TOTAL [leak]]
 * TOTAL: a multiple of 16. "leak": deliberately leaks the stack SSL_get1_supported_ciphers
 * returns, so that a leak checker has something of the library's to find.
 * Prints "name=value" counts; lines starting with '~' depend on the library's policies (how
 * many tickets, how often a callback runs) and are not compared between libraries. Exit status
 * 0 iff every check passed.
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

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define THREADS 8
#define MAX_LEN 20000
#define MAX_STEPS 4000
#define BUCKETS 4096

/* Compared counts, then the library-dependent ones ('~'). */
#define COUNTS(X)                                                                          \
    X(handshakes) X(full) X(offered) X(resumed) X(bytes_to_server) X(bytes_to_client)      \
    X(data_ok) X(clean_shutdowns) X(servername) X(switched) X(alt_cert_seen)             \
    X(explicit_removes) X(client_info_done) X(server_info_done)
#define VARYING(X)                                                                         \
    X(client_new) X(server_new) X(get_calls) X(get_hits) X(remove_calls) X(client_verify)  \
    X(server_verify) X(client_info_start) X(server_info_start)

struct stats {
#define FIELD(name) long name;
    COUNTS(FIELD) VARYING(FIELD)
#undef FIELD
    long failures;
    int tid;
};

static struct stats g_stats[THREADS + 1]; /* the last: the main thread */
static __thread struct stats *T;
static pthread_mutex_t g_print = PTHREAD_MUTEX_INITIALIZER;
static SSL_CTX *g_server, *g_alt, *g_client;
static int g_conn_idx;
static long g_total = 20000;

/* One side of a connection, found from callbacks through SSL ex_data slot g_conn_idx. */
struct side {
    SSL *ssl;
    int is_server;
    SSL_SESSION *got; /* client: the last session its new-session callback handed over */
};

static void fail(const char *what, int j) {
    T->failures++;
    if (T->failures > 5)
        return;
    pthread_mutex_lock(&g_print);
    fprintf(stderr, "FAIL thread %d conn %d: %s\n", T->tid, j, what);
    ERR_print_errors_fp(stderr);
    pthread_mutex_unlock(&g_print);
}

static struct side *side_of(const SSL *ssl) {
    struct side *s = ssl != NULL ? SSL_get_ex_data(ssl, g_conn_idx) : NULL;
    if (s == NULL || s->ssl != ssl || SSL_is_server(ssl) != s->is_server) {
        fail("a callback's SSL does not carry its own ex_data", -1);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------ the server's cache */

struct entry {
    unsigned char id[SSL_MAX_SSL_SESSION_ID_LENGTH];
    unsigned int len;
    SSL_SESSION *sess;
    struct entry *next;
};

static struct entry *g_cache[BUCKETS];
static long g_cached;
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct entry **find(const unsigned char *id, unsigned int len) {
    unsigned int h = 0;
    for (unsigned int i = 0; i < len; i++)
        h = h * 31 + id[i];
    struct entry **e = &g_cache[h % BUCKETS];
    while (*e != NULL && ((*e)->len != len || memcmp((*e)->id, id, len) != 0))
        e = &(*e)->next;
    return e;
}

/* Takes the entry for id out of the cache; returns its session reference (or NULL). */
static SSL_SESSION *take(const unsigned char *id, unsigned int len) {
    SSL_SESSION *old = NULL;
    pthread_mutex_lock(&g_cache_lock);
    struct entry **e = find(id, len), *gone = *e;
    if (gone != NULL) {
        *e = gone->next;
        old = gone->sess;
        g_cached--;
        free(gone);
    }
    pthread_mutex_unlock(&g_cache_lock);
    return old;
}

static int server_new_cb(SSL *ssl, SSL_SESSION *sess) {
    unsigned int len;
    const unsigned char *id = SSL_SESSION_get_id(sess, &len);
    struct entry *n = calloc(1, sizeof *n);
    if (side_of(ssl) == NULL || n == NULL || len == 0 || len > sizeof n->id) {
        free(n);
        return 0;
    }
    T->server_new++;
    memcpy(n->id, id, len);
    n->len = len;
    n->sess = sess; /* the reference the library handed over */
    SSL_SESSION_free(take(id, len));
    pthread_mutex_lock(&g_cache_lock);
    *find(id, len) = n; /* the empty end of its bucket's chain */
    g_cached++;
    pthread_mutex_unlock(&g_cache_lock);
    return 1;
}

static SSL_SESSION *server_get_cb(SSL *ssl, const unsigned char *id, int len, int *copy) {
    SSL_SESSION *hit = NULL;
    (void)ssl;
    T->get_calls++;
    pthread_mutex_lock(&g_cache_lock);
    struct entry *e = *find(id, (unsigned int)len);
    if (e != NULL)
        hit = e->sess;
    pthread_mutex_unlock(&g_cache_lock);
    T->get_hits += hit != NULL;
    *copy = 1; /* the library takes its own reference; the cache keeps its one */
    return hit;
}

static void server_remove_cb(SSL_CTX *ctx, SSL_SESSION *sess) {
    unsigned int len;
    const unsigned char *id = SSL_SESSION_get_id(sess, &len);
    if (ctx != g_server)
        fail("remove callback for another context", -1);
    T->remove_calls++;
    SSL_SESSION_free(take(id, len));
}

/* ------------------------------------------------------------------ other callbacks */

static int client_new_cb(SSL *ssl, SSL_SESSION *sess) {
    struct side *s = side_of(ssl);
    if (s == NULL)
        return 0;
    T->client_new++;
    SSL_SESSION_free(s->got);
    s->got = sess;
    return 1;
}

static void info_cb(const SSL *ssl, int where, int ret) {
    (void)ret;
    struct side *s = side_of(ssl);
    if (s == NULL)
        return;
    if (where & SSL_CB_HANDSHAKE_START)
        s->is_server ? T->server_info_start++ : T->client_info_start++;
    if (where & SSL_CB_HANDSHAKE_DONE)
        s->is_server ? T->server_info_done++ : T->client_info_done++;
}

static int verify_cb(int ok, X509_STORE_CTX *xs) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct side *s = side_of(ssl);
    if (s == NULL)
        return 0;
    s->is_server ? T->server_verify++ : T->client_verify++;
    return ok;
}

static int servername_cb(SSL *ssl, int *al, void *arg) {
    (void)al;
    (void)arg;
    if (side_of(ssl) == NULL)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    T->servername++;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name != NULL && strcmp(name, "alt") == 0) {
        if (SSL_set_SSL_CTX(ssl, g_alt) != g_alt)
            fail("SSL_set_SSL_CTX did not switch", -1);
        T->switched++;
    }
    return SSL_TLSEXT_ERR_OK;
}

/* ------------------------------------------------------------------ one connection */

static int retry(SSL *ssl, int r) {
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int handshake(SSL *c, SSL *s) {
    int cd = 0, sd = 0;
    for (int step = 0; step < MAX_STEPS && !(cd && sd); step++) {
        int r;
        if (!cd && (r = SSL_do_handshake(c)) == 1)
            cd = 1;
        else if (!cd && !retry(c, r))
            return 0;
        if (!sd && (r = SSL_do_handshake(s)) == 1)
            sd = 1;
        else if (!sd && !retry(s, r))
            return 0;
    }
    return cd && sd;
}

/* Advances one transfer: *done of len bytes written (a blocked write is retried unchanged). */
static int push(SSL *ssl, const unsigned char *buf, int len, int *done) {
    if (*done == len)
        return 1;
    int r = SSL_write(ssl, buf + *done, len - *done);
    if (r > 0)
        *done += r;
    return r > 0 || retry(ssl, r);
}

static int pull(SSL *ssl, unsigned char *buf, int len, int *done) {
    if (*done == len)
        return 1;
    int r = SSL_read(ssl, buf + *done, len - *done);
    if (r > 0)
        *done += r;
    return r > 0 || retry(ssl, r);
}

/* The client sends len bytes; the server reads them all, then sends them back XOR 0x5a. */
static int exchange(SSL *c, SSL *s, int t, int j, int len) {
    static __thread unsigned char msg[MAX_LEN], at_server[MAX_LEN], back[MAX_LEN];
    int c_sent = 0, s_got = 0, s_sent = 0, c_got = 0;
    for (int i = 0; i < len; i++)
        msg[i] = (unsigned char)(t * 31 + j * 7 + i * 13);
    for (int step = 0; step < MAX_STEPS && c_got < len; step++) {
        if (!push(c, msg, len, &c_sent) || !pull(s, at_server, len, &s_got))
            return 0;
        if (s_got == len && s_sent == 0)
            for (int i = 0; i < len; i++)
                at_server[i] ^= 0x5a;
        if ((s_got == len && !push(s, at_server, len, &s_sent)) || !pull(c, back, len, &c_got))
            return 0;
    }
    if (c_got != len)
        return 0;
    for (int i = 0; i < len; i++)
        if ((back[i] ^ 0x5a) != msg[i])
            return 0;
    T->bytes_to_server += s_got;
    T->bytes_to_client += c_got;
    return 1;
}

/* Both sides send close_notify and read the other's. */
static int shutdown_both(SSL *c, SSL *s) {
    int cd = 0, sd = 0;
    for (int step = 0; step < 20 && !(cd && sd); step++) {
        int r;
        if (!cd && (r = SSL_shutdown(c)) == 1)
            cd = 1;
        else if (!cd && r < 0 && !retry(c, r))
            return 0;
        if (!sd && (r = SSL_shutdown(s)) == 1)
            sd = 1;
        else if (!sd && r < 0 && !retry(s, r))
            return 0;
    }
    int both = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
    return cd && sd && SSL_get_shutdown(c) == both && SSL_get_shutdown(s) == both;
}

static int transport(SSL *c, SSL *s, int bio_pair, int fds[2]) {
    if (bio_pair) {
        BIO *bc, *bs;
        if (!BIO_new_bio_pair(&bc, 0, &bs, 0))
            return 0;
        SSL_set_bio(c, bc, bc);
        SSL_set_bio(s, bs, bs);
        return 1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return 0;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    return SSL_set_fd(c, fds[0]) && SSL_set_fd(s, fds[1]);
}

/* One connection; returns the session the client got (a reference), or NULL. */
static SSL_SESSION *one(int t, int j, SSL_SESSION *offer) {
    int fds[2] = {-1, -1}, alt = (t & 4) != 0;
    SSL *c = SSL_new(g_client), *s = SSL_new(g_server);
    struct side cs = {c, 0, NULL}, ss = {s, 1, NULL};
    SSL_SESSION *server_sess = NULL;
    if (c == NULL || s == NULL || !transport(c, s, (j & 2) != 0, fds)) {
        fail("setting up the connection", j);
        goto out;
    }
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_ex_data(c, g_conn_idx, &cs);
    SSL_set_ex_data(s, g_conn_idx, &ss);
    SSL_set_max_proto_version(c, (t & 1) ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_set_tlsext_host_name(c, (alt ? "alt" : "localhost"));
    if (t & 2)
        SSL_set_options(s, SSL_OP_NO_TICKET);
    if (offer != NULL) {
        T->offered++;
        SSL_set_session(c, offer);
    }
    if (!handshake(c, s)) {
        fail("handshake", j);
        goto out;
    }
    __atomic_add_fetch(&T->handshakes, 1, __ATOMIC_RELAXED);
    int reused = SSL_session_reused(c);
    if (reused != SSL_session_reused(s))
        fail("client and server disagree on resumption", j);
    reused ? T->resumed++ : T->full++;
    X509 *peer = SSL_get0_peer_certificate(c);
    int rsa = peer != NULL && EVP_PKEY_get_base_id(X509_get0_pubkey(peer)) == EVP_PKEY_RSA;
    if (peer == NULL || rsa != alt)
        fail("the client got the wrong server certificate", j);
    T->alt_cert_seen += rsa;
    if (exchange(c, s, t, j, 1 + (t * 977 + j * 131) % MAX_LEN))
        T->data_ok++;
    else
        fail("application data", j);
    if (shutdown_both(c, s))
        T->clean_shutdowns++;
    else
        fail("shutdown", j);
    if (offer != NULL)
        server_sess = SSL_get1_session(s);
out:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    if (fds[0] >= 0) {
        close(fds[0]);
        close(fds[1]);
    }
    if (server_sess != NULL) {
        T->explicit_removes++;
        SSL_CTX_remove_session(g_server, server_sess);
        SSL_SESSION_free(server_sess);
    }
    return cs.got;
}

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    SSL_SESSION *saved = NULL;
    T = &g_stats[t];
    T->tid = t;
    for (int j = 0; j < g_total / THREADS; j++) {
        SSL_SESSION *got = one(t, j, (j & 1) ? saved : NULL);
        SSL_SESSION_free(saved);
        saved = got;
    }
    SSL_SESSION_free(saved);
    return NULL;
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
    SSL_CTX_set_timeout(ctx, 3600);
    return ctx;
}

static void print(const char *who, const struct stats *s) {
#define LINE(name) printf("%s " #name "=%ld\n", who, s->name);
#define VLINE(name) printf("~%s " #name "=%ld\n", who, s->name);
    COUNTS(LINE)
    VARYING(VLINE)
#undef LINE
#undef VLINE
}

static int check(const char *what, long got, long want) {
    if (got == want)
        return 0;
    fprintf(stderr, "CHECK %s: %ld, expected %ld\n", what, got, want);
    return 1;
}

int main(int argc, char **argv) {
    struct timespec t0, t1;
    pthread_t th[THREADS];
    if (argc < 8 || argc > 10 || (argc == 10 && strcmp(argv[9], "leak") != 0)) {
        fprintf(stderr, "usage: stress CERT KEY ALT_CERT ALT_KEY CLIENT_CERT CLIENT_KEY ROOT "
                        "[TOTAL [leak]]\n");
        return 2;
    }
    if (argc >= 9)
        g_total = atol(argv[8]);
    if (g_total <= 0 || g_total % (2 * THREADS) != 0) {
        fprintf(stderr, "stress: TOTAL must be a positive multiple of %d\n", 2 * THREADS);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* As most programs do; it registers the library's error strings (once per process). */
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) != 1)
        return 3;
    g_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_server = server_ctx(argv[1], argv[2], argv[7]);
    g_alt = server_ctx(argv[3], argv[4], argv[7]);
    SSL_CTX_set_session_cache_mode(g_server, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(g_server, server_new_cb);
    SSL_CTX_sess_set_get_cb(g_server, server_get_cb);
    SSL_CTX_sess_set_remove_cb(g_server, server_remove_cb);

    g_client = SSL_CTX_new(TLS_client_method());
    if (g_client == NULL || SSL_CTX_use_certificate_chain_file(g_client, argv[5]) != 1
        || SSL_CTX_use_PrivateKey_file(g_client, argv[6], SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(g_client, argv[7], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 3;
    }
    SSL_CTX_set_verify(g_client, SSL_VERIFY_PEER, verify_cb);
    SSL_CTX_set_info_callback(g_client, info_cb);
    SSL_CTX_set_session_cache_mode(g_client,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(g_client, client_new_cb);

    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0)
            return 3;
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);

    T = &g_stats[THREADS];
    T->tid = -1;
    if (argc == 10) {
        SSL *ssl = SSL_new(g_client);
        STACK_OF(SSL_CIPHER) *leaked = SSL_get1_supported_ciphers(ssl);
        printf("~leaking a stack of %d ciphers\n", sk_SSL_CIPHER_num(leaked));
        SSL_free(ssl);
    }
    SSL_CTX_free(g_client);
    SSL_CTX_free(g_alt);
    SSL_CTX_free(g_server);
    /* What is left in the program's cache is the program's to free. */
    long left = g_cached;
    for (int b = 0; b < BUCKETS; b++)
        while (g_cache[b] != NULL)
            SSL_SESSION_free(take(g_cache[b]->id, g_cache[b]->len));

    struct stats total = {0};
    for (int t = 0; t <= THREADS; t++) {
#define ADD(name) total.name += g_stats[t].name;
        COUNTS(ADD) VARYING(ADD)
#undef ADD
        total.failures += g_stats[t].failures;
    }
    for (int t = 0; t < THREADS; t++) {
        char who[64];
        snprintf(who, sizeof who, "thread %d TLSv1.%d tickets=%s sni=%s", t, (t & 1) ? 3 : 2,
                 (t & 2) ? "off" : "on", (t & 4) ? "alt" : "localhost");
        print(who, &g_stats[t]);
    }
    print("total", &total);
    printf("~left in the cache=%ld\n", left);

    long bytes = 0, per = g_total / THREADS, n = g_total, half = g_total / 2;
    for (int t = 0; t < THREADS; t++)
        for (long j = 0; j < per; j++)
            bytes += 1 + (t * 977 + j * 131) % MAX_LEN;
    long bad = total.failures;
    bad += check("handshakes", total.handshakes, n) + check("data_ok", total.data_ok, n)
        + check("clean shutdowns", total.clean_shutdowns, n)
        + check("bytes to the server", total.bytes_to_server, bytes)
        + check("bytes to the client", total.bytes_to_client, bytes)
        + check("offered", total.offered, half) + check("resumed", total.resumed, half)
        + check("full", total.full, half) + check("servername", total.servername, n)
        + check("switched", total.switched, n / 2) + check("alt certificates", total.alt_cert_seen, n / 2)
        + check("explicit removes", total.explicit_removes, half)
        + check("server handshakes done", total.server_info_done, n);
    if (total.client_info_done < n || total.server_new < half || total.client_new < half) {
        fprintf(stderr, "CHECK callback counts below their minimum\n");
        bad++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("~elapsed %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("failures=%ld\n", bad);
    return bad != 0;
}
