/* A fatal alert the write BIO cannot take when the handshake fails: what the failing call
 * returns, what reaches the BIO then, and at the next calls (SSL_accept again, SSL_shutdown).
 * The write BIO refuses (retry) while `blocked` is set. Usage: pending_alert CERT KEY */
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static int blocked = 1;
static unsigned char got[256];
static size_t got_len;

static int w_write(BIO *b, const char *data, int len)
{
    BIO_clear_retry_flags(b);
    if (blocked) {
        BIO_set_retry_write(b);
        return -1;
    }
    if (len > (int)(sizeof(got) - got_len))
        len = (int)(sizeof(got) - got_len);
    memcpy(got + got_len, data, (size_t)len);
    got_len += (size_t)len;
    return len;
}

static long w_ctrl(BIO *b, int cmd, long larg, void *parg)
{
    (void)b, (void)larg, (void)parg;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int w_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void show(const char *what, int ret, SSL *ssl)
{
    unsigned long e = ERR_peek_error();
    printf("%s: ret=%d SSL_get_error=%d reason=%d\n", what, ret, SSL_get_error(ssl, ret),
           e ? ERR_GET_REASON(e) : 0);
    ERR_clear_error();
    printf("%s: write BIO has %zu bytes:", what, got_len);
    for (size_t i = 0; i < got_len; i++)
        printf(" %02x", got[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!SSL_CTX_use_certificate_chain_file(ctx, argv[1])
        || !SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM))
        return 3;
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "refusing");
    BIO_meth_set_write(m, w_write);
    BIO_meth_set_ctrl(m, w_ctrl);
    BIO_meth_set_create(m, w_create);

    /* A handshake record whose header announces 18433 bytes: record_overflow. */
    static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x48, 0x01, 0x01, 0x00, 0x00};
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO_write(rbio, hello, sizeof(hello));
    BIO *wbio = BIO_new(m);
    SSL *ssl = SSL_new(ctx);
    SSL_set_bio(ssl, rbio, wbio);

    show("SSL_accept (write BIO refusing)", SSL_accept(ssl), ssl);
    blocked = 0;
    show("SSL_accept again", SSL_accept(ssl), ssl);
    show("SSL_shutdown", SSL_shutdown(ssl), ssl);

    SSL_free(ssl);
    SSL_CTX_free(ctx);
    BIO_meth_free(m);
    printf("done\n");
    return 0;
}
