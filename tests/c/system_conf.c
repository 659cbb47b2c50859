/* The system policy (the configuration file's ssl_conf "system_default" section) as SSL_CTX_new
 * applies it: run once per configuration file, `system_conf FILE [noconf|config]`, on OpenSSL's
 * libssl and on ferrossl (tests/system_conf.rs, tests/trixie/system_conf.rs); both must print
 * the same lines.
 *   noconf: the program calls OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG) first, so the file
 *           is never read and no policy applies;
 *   config: after the contexts, SSL_CTX_config(ctx, "system_default") applies the section
 *           again, with the application's flags (certificates allowed). */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void errors(const char *what)
{
    const char *file, *func, *data;
    int line, flags;
    unsigned long e;
    int n = 0;

    while ((e = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
        /* libcrypto's own errors (its configuration module) are the same on both. */
        printf("  %s error: lib %d reason %d (%s)\n", what, ERR_GET_LIB(e), ERR_GET_REASON(e),
               ERR_reason_error_string(e));
        /* The text: ferrossl's may say more than OpenSSL's. */
        if ((flags & ERR_TXT_STRING) && data[0])
            printf("~   data: %s\n", data);
        n++;
    }
    printf("  %s: %d error(s) queued\n", what, n);
}

static void show(const char *name, const SSL_METHOD *m)
{
    SSL_CTX *ctx = SSL_CTX_new(m);
    STACK_OF(SSL_CIPHER) *ciphers;
    int i;

    printf("%s: %s\n", name, ctx ? "context" : "NULL");
    errors(name);
    if (ctx == NULL)
        return;
    printf("  min 0x%lx max 0x%lx\n", (long)SSL_CTX_get_min_proto_version(ctx),
           (long)SSL_CTX_get_max_proto_version(ctx));
    /* Option bits a policy can set (Options = ..., the protocol switches). */
    printf("  options 0x%llx\n", (unsigned long long)(SSL_CTX_get_options(ctx) &
           (SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
            SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3 | SSL_OP_PRIORITIZE_CHACHA |
            SSL_OP_NO_COMPRESSION | SSL_OP_ALLOW_NO_DHE_KEX | SSL_OP_IGNORE_UNEXPECTED_EOF)));
    printf("  security level %d, verify mode %d\n", SSL_CTX_get_security_level(ctx),
           SSL_CTX_get_verify_mode(ctx));
    /* The enabled suites in order: the TLS 1.3 ones, and the TLS 1.2 ECDHE AEAD suites (the
     * ones rustls has; OpenSSL's list also holds DHE, CBC and others ferrossl never offers). */
    ciphers = SSL_CTX_get_ciphers(ctx);
    printf("  ciphers:");
    for (i = 0; i < sk_SSL_CIPHER_num(ciphers); i++) {
        const char *n = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i));

        if (strncmp(n, "TLS_", 4) == 0 || (strncmp(n, "ECDHE-", 6) == 0 && !strstr(n, "PSK") &&
                                           (strstr(n, "GCM") || strstr(n, "CHACHA"))))
            printf(" %s", n);
    }
    printf("\n");
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: system_conf FILE [noconf|config]\n");
        return 2;
    }
    setenv("OPENSSL_CONF", argv[1], 1);
    if (argc > 2 && strcmp(argv[2], "noconf") == 0) {
        printf("OPENSSL_init_ssl(NO_LOAD_CONFIG): %d\n",
               OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL));
        errors("init");
    }
    show("TLS_method", TLS_method());
    show("TLS_server_method", TLS_server_method());
    show("TLS_client_method", TLS_client_method());
    if (argc > 2 && strcmp(argv[2], "config") == 0) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());

        ERR_clear_error();
        if (ctx != NULL) {
            printf("SSL_CTX_config(system_default): %d\n", SSL_CTX_config(ctx, "system_default"));
            errors("config");
            printf("  min 0x%lx\n", (long)SSL_CTX_get_min_proto_version(ctx));
            SSL_CTX_free(ctx);
        }
    }
    printf("done\n");
    return 0;
}
