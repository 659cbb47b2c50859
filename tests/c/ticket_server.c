/* A TLS server whose session tickets are encrypted with the program's keys through
 * SSL_CTX_set_tlsext_ticket_key_evp_cb (AES-256-CBC + HMAC-SHA256, one fixed key).
 * usage: ticket_server PORT CERT KEY NCONN — accepts NCONN connections, answers each with
 * "hello\n", then prints how often the callback encrypted and decrypted. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char key_name[16] = "ferrossl-test-k1";
static unsigned char aes_key[32], mac_key[32];
static int encs, decs, unknown;

static int ticket_cb(SSL *s, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *ctx,
                     EVP_MAC_CTX *hctx, int enc)
{
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    (void)s;
    if (enc) {
        memcpy(name, key_name, 16);
        memset(iv, 0x42, 16);
        EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv);
        EVP_MAC_init(hctx, mac_key, sizeof(mac_key), params);
        encs++;
        return 1;
    }
    if (memcmp(name, key_name, 16) != 0) {
        unknown++;
        return 0;
    }
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv);
    EVP_MAC_init(hctx, mac_key, sizeof(mac_key), params);
    decs++;
    return 1;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = {0};
    int ls, one = 1, i, n;
    SSL_CTX *ctx;

    if (argc != 5)
        return 2;
    memset(aes_key, 7, sizeof(aes_key));
    memset(mac_key, 9, sizeof(mac_key));
    ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1
        || SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    ls = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(ls, 8) != 0)
        return 1;
    printf("listening\n");
    fflush(stdout);
    n = atoi(argv[4]);
    for (i = 0; i < n; i++) {
        int fd = accept(ls, NULL, NULL);
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            printf("conn %d: %s reused=%d\n", i, SSL_get_version(ssl), SSL_session_reused(ssl));
            SSL_write(ssl, "hello\n", 6);
            SSL_shutdown(ssl);
        } else {
            ERR_print_errors_fp(stdout);
        }
        SSL_free(ssl);
        close(fd);
    }
    printf("encrypted=%d decrypted=%d unknown=%d\n", encs > 0, decs > 0, unknown);
    SSL_CTX_free(ctx);
    return 0;
}
