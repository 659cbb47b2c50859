/*
 * randoms: prints SSL_get_client_random / SSL_get_server_random (hex) of one TLS connection,
 * as a client ("client PORT CAFILE") or as a server ("server PORT CERT KEY"), so that the
 * Rust test can compare them with what a stock openssl peer shows (its key log and -msg dump).
 * Also prints the sizes the functions report with outlen 0. Bounded by alarm().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static void hex(const char *what, const unsigned char *b, size_t n)
{
    printf("%s ", what);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static void report(SSL *ssl)
{
    unsigned char c[32], s[32];
    printf("client_random_size %zu\n", SSL_get_client_random(ssl, NULL, 0));
    printf("server_random_size %zu\n", SSL_get_server_random(ssl, NULL, 0));
    size_t nc = SSL_get_client_random(ssl, c, sizeof c);
    size_t ns = SSL_get_server_random(ssl, s, sizeof s);
    hex("client_random", c, nc);
    hex("server_random", s, ns);
    printf("errors %lu\n", ERR_peek_error());
}

int main(int argc, char **argv)
{
    alarm(30);
    if (argc < 4)
        return 2;
    int port = atoi(argv[2]);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int server = strcmp(argv[1], "server") == 0;
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    int fd;
    if (server) {
        if (argc < 5 || SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1
            || SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1)
            return 3;
        int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0)
            return 3;
        printf("listening\n");
        fflush(stdout);
        fd = accept(l, NULL, NULL);
    } else {
        SSL_CTX_load_verify_locations(ctx, argv[3], NULL);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            return 3;
    }
    SSL *ssl = SSL_new(ctx);
    printf("before: client_random_size %zu\n", SSL_get_client_random(ssl, NULL, 0));
    SSL_set_fd(ssl, fd);
    if (!server)
        SSL_set_tlsext_host_name(ssl, "localhost");
    int r = server ? SSL_accept(ssl) : SSL_connect(ssl);
    printf("handshake %d\n", r);
    if (r != 1) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    report(ssl);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
