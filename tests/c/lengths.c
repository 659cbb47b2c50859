/*
 * lengths: SSL_read/SSL_peek/SSL_write and their _ex forms with negative, zero and oversized
 * lengths on a connected SSL (a stock `openssl s_server -rev` peer), printing each return value,
 * the out-parameter, the first queued error's reason and SSL_get_error. The Rust test runs it on
 * OpenSSL's libssl and on ferrossl and compares the output line by line.
 * usage: lengths PORT CAFILE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static SSL *ssl;

static void show(const char *what, long ret, long out)
{
    unsigned long e = ERR_peek_error();
    printf("%s ret=%ld out=%ld err=%d reason=%d get_error=%d\n", what, ret, out, e != 0,
           ERR_GET_REASON(e), SSL_get_error(ssl, (int)ret));
    ERR_clear_error();
}

int main(int argc, char **argv)
{
    alarm(30);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3)
        return 2;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return 3;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, argv[2], NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    char buf[4096] = "abc\n";
    size_t n = 12345;

    /* before the handshake */
    show("SSL_read(-1) before handshake", SSL_read(ssl, buf, -1), 0);
    show("SSL_write(-1) before handshake", SSL_write(ssl, buf, -1), 0);
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    show("SSL_read(-1)", SSL_read(ssl, buf, -1), 0);
    show("SSL_read(INT_MIN)", SSL_read(ssl, buf, INT32_MIN), 0);
    show("SSL_peek(-5)", SSL_peek(ssl, buf, -5), 0);
    show("SSL_write(-1)", SSL_write(ssl, buf, -1), 0);
    show("SSL_write(0)", SSL_write(ssl, buf, 0), 0);
    n = 12345;
    show("SSL_write_ex(0)", SSL_write_ex(ssl, buf, 0, &n), (long)n);
    show("SSL_write(4)", SSL_write(ssl, "abc\n", 4), 0);
    n = 12345;
    int r = SSL_peek_ex(ssl, buf, SIZE_MAX, &n);
    show("SSL_peek_ex(SIZE_MAX)", r, (long)n);
    memset(buf, 0, sizeof buf);
    n = 12345;
    r = SSL_read_ex(ssl, buf, SIZE_MAX, &n);
    show("SSL_read_ex(SIZE_MAX)", r, (long)n);
    printf("read: %.*s", (int)n, buf);
    /* A reversed line is on its way: zero-length reads with data pending. */
    show("SSL_write(4) again", SSL_write(ssl, "xyz\n", 4), 0);
    usleep(300 * 1000);
    show("SSL_read(0)", SSL_read(ssl, buf, 0), 0);
    printf("pending %d\n", SSL_pending(ssl));
    n = 12345;
    show("SSL_read_ex(0)", SSL_read_ex(ssl, buf, 0, &n), (long)n);
    show("SSL_read(-1) again", SSL_read(ssl, buf, -1), 0);
    n = 12345;
    r = SSL_read_ex(ssl, buf, sizeof buf, &n);
    show("SSL_read_ex(rest)", r, (long)n);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return 0;
}
