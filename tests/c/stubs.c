/* A few of ferrossl's generated stubs, called through the C ABI: each must return OpenSSL's
 * documented failure value, queue an ERR_LIB_SSL "unsupported" error that names the function,
 * and leave its arguments alone. Prints "N passed, M failed". */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(const char *what, int ok)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

/* The queued error names `func` in its function field and reads "unsupported". */
static int queued_unsupported(const char *func)
{
    const char *file, *fn, *data;
    int line, flags;
    unsigned long e = ERR_get_error_all(&file, &line, &fn, &data, &flags);
    int ok = e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && fn != NULL && strcmp(fn, func) == 0
             && strcmp(ERR_reason_error_string(e), "unsupported") == 0;
    ERR_clear_error();
    return ok;
}

int main(void)
{
    unsigned char buf[16];
    SSL_CTX *ctx;

    memset(buf, 0x5a, sizeof(buf));
    check("SSL_CTX_set_srp_username returns 0", SSL_CTX_set_srp_username(NULL, (char *)"u") == 0);
    check("  and queues an error naming it", queued_unsupported("SSL_CTX_set_srp_username"));
    check("DTLS_method returns NULL", DTLS_method() == NULL);
    check("  and queues an error naming it", queued_unsupported("DTLS_method"));
    check("SSL_export_keying_material_early returns 0",
          SSL_export_keying_material_early(NULL, buf, sizeof(buf), "x", 1, NULL, 0) == 0);
    check("  and queues an error naming it", queued_unsupported("SSL_export_keying_material_early"));
    check("  and leaves the output buffer alone", buf[0] == 0x5a && buf[15] == 0x5a);
    ctx = SSL_CTX_new(TLS_client_method());
    check("SSL_CTX_new works", ctx != NULL);
    check("SSL_CTX_set_srp_password on a live context returns 0",
          SSL_CTX_set_srp_password(ctx, (char *)"p") == 0);
    check("  and queues an error naming it", queued_unsupported("SSL_CTX_set_srp_password"));
    SSL_CTX_free(ctx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
