/*
 * ssl_bio: the SSL BIO (BIO_f_ssl, BIO_new_ssl_connect, BIO_new_buffer_ssl_connect, ...) used
 * as programs use it, against a stock `openssl s_server -www`. Built by tests/ssl_bio.rs and
 * run on OpenSSL's libssl and on ferrossl's: both runs must print the same lines (lines
 * starting with '~' vary and are not compared).
 *
 * usage: ssl_bio PORT CAFILE
 * Exit status: 0 when every step ran (whatever it returned), 3 when a step the test needs failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static void fail(const char *what) {
    printf("FAILED: %s\n", what);
    ERR_print_errors_fp(stdout);
    exit(3);
}

static SSL_CTX *client_ctx(const char *cafile) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
        fail("client context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ctx;
}

/* The first line of the answer and whether the page has the s_server -www markers. */
static void report_page(const char *label, const char *page) {
    const char *eol = strstr(page, "\r\n");
    printf("%s: status [%.*s]\n", label, eol ? (int)(eol - page) : 0, page);
    printf("%s: has SSL-Session: %d\n", label, strstr(page, "SSL-Session:") != NULL);
    printf("%s: has shared ciphers: %d\n", label,
           strstr(page, "Ciphers common between both SSL end points") != NULL);
}

/* 1. Blocking BIO_new_ssl_connect: connect, handshake, request, read to EOF. */
static void blocking(SSL_CTX *ctx, const char *port) {
    char addr[64], page[65536];
    size_t have = 0;
    BIO *b = BIO_new_ssl_connect(ctx);
    SSL *ssl = NULL;
    if (b == NULL)
        fail("BIO_new_ssl_connect");
    printf("blocking: method type %#x\n", BIO_method_type(b));
    printf("blocking: BIO_get_ssl %ld\n", BIO_get_ssl(b, &ssl));
    printf("blocking: ssl is client %d\n", ssl != NULL && !SSL_is_server(ssl));
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    snprintf(addr, sizeof addr, "127.0.0.1:%s", port);
    BIO_set_conn_hostname(b, addr);
    printf("blocking: get_close %d\n", (int)BIO_get_close(b));
    printf("blocking: renegotiate_bytes %ld then %ld\n", BIO_set_ssl_renegotiate_bytes(b, 100),
           BIO_set_ssl_renegotiate_bytes(b, 4096));
    printf("blocking: renegotiate_timeout %ld then %ld\n",
           BIO_set_ssl_renegotiate_timeout(b, 10), BIO_set_ssl_renegotiate_timeout(b, 300));
    long r = BIO_do_handshake(b);
    printf("blocking: handshake %ld, in init %d, verify %ld\n", r, SSL_in_init(ssl),
           SSL_get_verify_result(ssl));
    if (r <= 0)
        fail("handshake");
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    printf("blocking: puts %d\n", BIO_puts(b, req));
    printf("blocking: flush %d\n", (int)BIO_flush(b));
    printf("blocking: gets unsupported %d\n", BIO_gets(b, page, sizeof page));
    ERR_clear_error();
    for (;;) {
        int n = BIO_read(b, page + have, (int)(sizeof page - 1 - have));
        if (n <= 0) {
            printf("blocking: read end %d, should retry %d\n", n, BIO_should_retry(b));
            break;
        }
        have += (size_t)n;
        if (have == sizeof page - 1)
            break;
    }
    page[have] = 0;
    report_page("blocking", page);
    printf("blocking: num_renegotiates %ld\n", BIO_get_num_renegotiates(b));
    BIO_ssl_shutdown(b);
    printf("blocking: shutdown sent %d\n", (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) != 0);
    BIO_free_all(b);
}

/* 2. BIO_new_buffer_ssl_connect read line by line with BIO_gets. */
static void buffered(SSL_CTX *ctx, const char *port) {
    char addr[64], line[4096];
    BIO *b = BIO_new_buffer_ssl_connect(ctx);
    BIO *sslb = BIO_find_type(b, BIO_TYPE_SSL);
    SSL *ssl = NULL;
    if (b == NULL || sslb == NULL)
        fail("BIO_new_buffer_ssl_connect");
    printf("buffered: top type %#x, ssl found %d\n", BIO_method_type(b), sslb != NULL);
    BIO_get_ssl(sslb, &ssl);
    SSL_set_tlsext_host_name(ssl, "localhost");
    snprintf(addr, sizeof addr, "127.0.0.1:%s", port);
    BIO_set_conn_hostname(BIO_next(sslb), addr);
    BIO_puts(b, "GET /stats HTTP/1.0\r\n\r\n");
    printf("buffered: flush %d\n", (int)BIO_flush(b));
    int lines = 0, status = 0, session = 0;
    while (BIO_gets(b, line, sizeof line) > 0) {
        if (lines++ == 0)
            status = strncmp(line, "HTTP/1.0 200 ok", 15) == 0;
        if (strncmp(line, "SSL-Session:", 12) == 0)
            session = 1;
    }
    printf("buffered: status ok %d, session block %d, lines>10 %d\n", status, session, lines > 10);
    BIO_free_all(b);
}

/* 3. Non-blocking connect BIO: the SSL BIO asks for retries until the handshake is done. */
static void nonblocking(SSL_CTX *ctx, const char *port) {
    char addr[64], page[65536];
    size_t have = 0;
    BIO *b = BIO_new_ssl_connect(ctx);
    SSL *ssl = NULL;
    BIO_get_ssl(b, &ssl);
    SSL_set_tlsext_host_name(ssl, "localhost");
    snprintf(addr, sizeof addr, "127.0.0.1:%s", port);
    BIO_set_conn_hostname(b, addr);
    BIO_set_nbio(b, 1);
    int retries = 0, read_retry = 0, guard = 0;
    long r;
    while ((r = BIO_do_handshake(b)) <= 0) {
        if (!BIO_should_retry(b) || ++guard > 2000)
            fail("non-blocking handshake");
        retries++;
        /* Differs: ferrossl reports the connect BIO's wait as WANT_WRITE, not WANT_CONNECT. */
        printf("~hs retry flags r%d w%d s%d reason %d\n", BIO_should_read(b), BIO_should_write(b),
               BIO_should_io_special(b), BIO_get_retry_reason(b));
        if (BIO_should_read(b))
            read_retry = 1;
        int fd = -1;
        BIO_get_fd(b, &fd);
        fd_set fds;
        FD_ZERO(&fds);
        if (fd >= 0)
            FD_SET(fd, &fds);
        struct timeval tv = {0, 50000};
        select(fd + 1, BIO_should_read(b) ? &fds : NULL, BIO_should_write(b) ? &fds : NULL, NULL,
               &tv);
    }
    printf("nonblocking: handshake %ld, retried %d\n", r, retries > 0);
    /* Whether the reply was there by the second call depends on timing. */
    printf("~nonblocking: wanted read %d\n", read_retry);
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    int w;
    while ((w = BIO_write(b, req, (int)strlen(req))) <= 0)
        if (!BIO_should_retry(b))
            fail("non-blocking write");
    printf("nonblocking: wrote %d\n", w);
    guard = 0;
    int saw_retry = 0;
    for (;;) {
        int n = BIO_read(b, page + have, (int)(sizeof page - 1 - have));
        if (n > 0) {
            have += (size_t)n;
            continue;
        }
        if (BIO_should_retry(b) && ++guard < 2000) {
            saw_retry = 1;
            printf("~retry read %d write %d\n", BIO_should_read(b), BIO_should_write(b));
            usleep(10000);
            continue;
        }
        printf("nonblocking: read end %d\n", n);
        break;
    }
    page[have] = 0;
    /* Whether the answer was there at the first read depends on timing. */
    printf("~nonblocking: read retried %d\n", saw_retry);
    report_page("nonblocking", page);
    BIO_free_all(b);
}

/* 4. BIO_f_ssl with BIO_set_ssl, BIO_ssl_copy_session_id, BIO_new_ssl and the close flag. */
static void plumbing(SSL_CTX *ctx) {
    BIO *a = BIO_new_ssl(ctx, 1), *c = BIO_new_ssl(ctx, 0);
    SSL *sa = NULL, *sc = NULL;
    BIO_get_ssl(a, &sa);
    BIO_get_ssl(c, &sc);
    printf("plumbing: client %d server %d\n", !SSL_is_server(sa), SSL_is_server(sc));
    printf("plumbing: copy_session_id %d\n", BIO_ssl_copy_session_id(c, a));
    BIO *mem = BIO_new(BIO_s_mem());
    printf("plumbing: copy without ssl bio %d\n", BIO_ssl_copy_session_id(mem, a));
    BIO_free(mem);

    BIO *f = BIO_new(BIO_f_ssl());
    SSL *s = SSL_new(ctx);
    BIO *m = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
    SSL_set_bio(s, m, out);
    printf("plumbing: f_ssl ctrl before ssl %ld\n", BIO_ctrl(f, BIO_CTRL_PENDING, 0, NULL));
    printf("plumbing: set_ssl %ld\n", BIO_set_ssl(f, s, BIO_NOCLOSE));
    printf("plumbing: next is rbio %d\n", BIO_next(f) == m);
    printf("plumbing: get_close %d\n", (int)BIO_get_close(f));
    printf("plumbing: pending %d wpending %d\n", (int)BIO_pending(f), (int)BIO_wpending(f));
    BIO_set_ssl_mode(f, 1);
    char buf[16];
    int n = BIO_read(f, buf, sizeof buf);
    printf("plumbing: read on empty mem %d retry %d read %d\n", n, BIO_should_retry(f),
           BIO_should_read(f));
    printf("plumbing: wbio has ClientHello %d\n", BIO_ctrl_pending(out) > 0);
    printf("plumbing: wpending %d\n", BIO_wpending(f) > 0);
    ERR_clear_error();
    BIO_free_all(f); /* BIO_NOCLOSE: s stays, and keeps its own reference to m */
    printf("plumbing: ssl still usable %d\n", SSL_get_rbio(s) == m);
    SSL_free(s);
    BIO_free_all(a);
    BIO_free_all(c);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: ssl_bio PORT CAFILE\n");
        return 2;
    }
    alarm(60);
    SSL_CTX *ctx = client_ctx(argv[2]);
    printf("BIO_f_ssl same each call %d\n", BIO_f_ssl() == BIO_f_ssl());
    blocking(ctx, argv[1]);
    buffered(ctx, argv[1]);
    nonblocking(ctx, argv[1]);
    plumbing(ctx);
    SSL_CTX_free(ctx);
    printf("done\n");
    return 0;
}
