/* SSL_clear: one SSL object makes two connections to s_server -www; the second, after
 * SSL_clear and a new fd, resumes the first's session.  usage: clear PORT CAFILE */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fetch(SSL *ssl, int port)
{
    struct sockaddr_in a = {0};
    char buf[8192], *p;
    int fd = socket(AF_INET, SOCK_STREAM, 0), n, total = 0, reused = -1;

    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        return -1;
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stderr);
        close(fd);
        return -1;
    }
    SSL_write(ssl, "GET / HTTP/1.0\r\n\r\n", 18);
    while ((n = SSL_read(ssl, buf + total, (int)sizeof(buf) - 1 - total)) > 0 && total < (int)sizeof(buf) - 1)
        total += n;
    buf[total] = 0;
    p = strstr(buf, "Reused,");
    reused = p != NULL;
    printf("conn: %s SSL_session_reused=%d server-says-reused=%d get_error=%d\n", SSL_get_version(ssl),
           SSL_session_reused(ssl), reused, SSL_get_error(ssl, n));
    SSL_shutdown(ssl);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl;
    int port;

    if (argc != 3)
        return 2;
    port = atoi(argv[1]);
    SSL_CTX_load_verify_locations(ctx, argv[2], NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    ssl = SSL_new(ctx);
    if (fetch(ssl, port) != 0)
        return 1;
    printf("SSL_clear=%d in_init=%d shutdown=%d verify=%ld\n", SSL_clear(ssl), SSL_in_init(ssl),
           SSL_get_shutdown(ssl), SSL_get_verify_result(ssl));
    if (fetch(ssl, port) != 0)
        return 1;
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return 0;
}
