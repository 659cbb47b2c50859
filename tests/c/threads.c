/* Threads and re-entrant callbacks: several threads make TLS connections from one shared
 * SSL_CTX at once, while the info, verify, keylog and new-session callbacks call back into the
 * library on the SSL that invoked them. Each connection fetches the s_server -www page; every
 * other connection offers the session the previous one got.
 *
 * usage: threads PORT CAFILE   -> prints "N passed, M failed", exit status 0 iff M == 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define THREADS 6
#define CONNS 15

static int port;
static SSL_CTX *ctx;
static int ex_idx;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int passed, failed, reentrant_bad;

struct conn_state {
    int info_start, info_done, keylog_lines, verify_calls;
    SSL_SESSION *got;
};

static void bad(const char *what)
{
    pthread_mutex_lock(&lock);
    reentrant_bad++;
    fprintf(stderr, "re-entrant call failed: %s\n", what);
    pthread_mutex_unlock(&lock);
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    struct conn_state *st = SSL_get_ex_data(ssl, ex_idx);
    (void)ret;
    if (st == NULL || SSL_get_SSL_CTX(ssl) != ctx)
        bad("info: ex_data / SSL_get_SSL_CTX");
    if (where & SSL_CB_HANDSHAKE_START)
        st->info_start++;
    if (where & SSL_CB_HANDSHAKE_DONE) {
        st->info_done++;
        if (strcmp(SSL_get_version(ssl), "TLSv1.3") != 0 && strcmp(SSL_get_version(ssl), "TLSv1.2") != 0)
            bad("info: SSL_get_version");
        if (SSL_get_current_cipher(ssl) == NULL)
            bad("info: SSL_get_current_cipher");
    }
}

static int verify_cb(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct conn_state *st = ssl ? SSL_get_ex_data(ssl, ex_idx) : NULL;
    if (st == NULL || SSL_get_SSL_CTX(ssl) != ctx)
        bad("verify: SSL from X509_STORE_CTX");
    else
        st->verify_calls++;
    if (ssl && (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL
                || strcmp(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), "localhost") != 0))
        bad("verify: SSL_get_servername");
    return ok;
}

static void keylog_cb(const SSL *ssl, const char *line)
{
    struct conn_state *st = SSL_get_ex_data(ssl, ex_idx);
    if (st == NULL || line == NULL || strchr(line, ' ') == NULL)
        bad("keylog");
    else
        st->keylog_lines++;
}

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct conn_state *st = SSL_get_ex_data(ssl, ex_idx);
    if (st == NULL) {
        bad("new session: ex_data");
        return 0;
    }
    if (SSL_SESSION_get_protocol_version(sess) == 0)
        bad("new session: protocol version");
    if (st->got)
        SSL_SESSION_free(st->got);
    st->got = sess; /* keep the reference */
    return 1;
}

static int one(SSL_SESSION *offer, SSL_SESSION **out, int *reused)
{
    struct conn_state st = {0};
    struct sockaddr_in a = {0};
    char buf[4096];
    int fd = socket(AF_INET, SOCK_STREAM, 0), n, ok = 0;
    SSL *ssl;

    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        return 0;
    ssl = SSL_new(ctx);
    SSL_set_ex_data(ssl, ex_idx, &st);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    if (offer)
        SSL_set_session(ssl, offer);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1 && SSL_write(ssl, "GET / HTTP/1.0\r\n\r\n", 18) == 18) {
        while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
            ;
        ok = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN && st.info_start >= 1 && st.info_done >= 1
             && st.keylog_lines >= 1 && SSL_get_verify_result(ssl) == X509_V_OK
             && (SSL_session_reused(ssl) || st.verify_calls >= 1);
        *reused = SSL_session_reused(ssl);
        SSL_shutdown(ssl);
    }
    if (!ok)
        ERR_print_errors_fp(stderr);
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    *out = st.got;
    return ok;
}

static void *worker(void *arg)
{
    SSL_SESSION *sess = NULL;
    int i, reused, ok, reuses = 0;
    (void)arg;
    for (i = 0; i < CONNS; i++) {
        SSL_SESSION *got = NULL;
        ok = one(i % 2 ? sess : NULL, &got, &reused);
        reuses += reused;
        pthread_mutex_lock(&lock);
        if (ok)
            passed++;
        else
            failed++;
        pthread_mutex_unlock(&lock);
        if (got) {
            if (sess)
                SSL_SESSION_free(sess);
            sess = got;
        }
    }
    if (sess)
        SSL_SESSION_free(sess);
    pthread_mutex_lock(&lock);
    if (reuses == 0) {
        failed++;
        fprintf(stderr, "a thread never resumed a session\n");
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[THREADS];
    int i;

    if (argc != 3)
        return 2;
    port = atoi(argv[1]);
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, argv[2], NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    SSL_CTX_set_info_callback(ctx, info_cb);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    for (i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    SSL_CTX_free(ctx);
    if (reentrant_bad)
        failed += reentrant_bad;
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
