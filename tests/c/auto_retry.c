/* SSL_MODE_AUTO_RETRY cleared (as openssl s_client does), on a blocking socket: after a TLS 1.3
 * handshake with `openssl s_server -www` (which sends session tickets), SSL_read returns -1 and
 * SSL_ERROR_WANT_READ once a record without application data has been read, instead of waiting
 * for data that will only come after the request. Then the request gets its answer. An alarm
 * ends the program if a read blocks. Prints each step's result. */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    char buf[4096];
    int fd, n, total = 0;
    SSL_CTX *ctx;
    SSL *s;

    if (argc != 2)
        return 2;
    alarm(10);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(0x7f000001);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("connect");
        return 1;
    }
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    printf("connect %d %s\n", SSL_connect(s), SSL_get_version(s));
    n = SSL_read(s, buf, sizeof(buf));
    printf("read before the request %d, error %d\n", n, SSL_get_error(s, n));
    printf("write %d\n", SSL_write(s, req, (int)strlen(req)));
    for (;;) {
        n = SSL_read(s, buf, sizeof(buf) - 1);
        if (n > 0) {
            buf[n] = '\0';
            if (total == 0)
                printf("answer %.15s\n", buf);
            total += n;
        } else if (SSL_get_error(s, n) != SSL_ERROR_WANT_READ) {
            break;
        }
    }
    printf("read %s\n", total > 0 ? "some" : "nothing");
    ERR_print_errors_fp(stdout);
    SSL_free(s);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
