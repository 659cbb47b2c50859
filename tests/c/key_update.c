/* SSL_key_update against a peer: connects to 127.0.0.1:<port>, completes the handshake, calls
 * SSL_key_update(<type>) and SSL_do_handshake (which sends the KeyUpdate), then sends an HTTP
 * request and reads the answer (s_server -www answers after its own KeyUpdate when asked).
 * Prints each step's result. */
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

    if (argc != 3)
        return 2;
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
    s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    printf("connect %d %s\n", SSL_connect(s), SSL_get_version(s));
    printf("key_update %d\n", SSL_key_update(s, atoi(argv[2])));
    printf("do_handshake %d\n", SSL_do_handshake(s));
    printf("write %d\n", SSL_write(s, req, (int)strlen(req)));
    while ((n = SSL_read(s, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        if (total == 0)
            printf("answer %.15s\n", buf);
        total += n;
    }
    printf("read %s\n", total > 0 ? "some" : "nothing");
    ERR_print_errors_fp(stdout);
    SSL_free(s);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
