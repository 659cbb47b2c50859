/* Connects to a server, completes a handshake, and prints SSL_export_keying_material's output
 * for a label (hex), so the test can compare it with what the peer (openssl s_server
 * -keymatexport) computed.  usage: export PORT CAFILE LABEL LEN */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a = {0};
    unsigned char out[256];
    size_t len, i;
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;

    if (argc != 5 || (len = (size_t)atoi(argv[4])) > sizeof(out))
        return 2;
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        return 2;
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, argv[2], NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ssl = SSL_new(ctx);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set_fd(ssl, fd);
    printf("before handshake: %d\n", SSL_export_keying_material(ssl, out, len, argv[3], strlen(argv[3]), NULL, 0, 0));
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (SSL_export_keying_material(ssl, out, len, argv[3], strlen(argv[3]), NULL, 0, 0) != 1)
        return 1;
    printf("%s: ", SSL_get_version(ssl));
    for (i = 0; i < len; i++)
        printf("%02X", out[i]);
    printf("\n");
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
