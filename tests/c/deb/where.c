/* Prints the file the loader took SSL_CTX_new from; given "wait", then waits for its standard
 * input to close, so that a test can look at the running process (tests/deb_package.rs). Built
 * with -lssl, or with pkg-config's ferrossl flags and -DFERROSSL_HEADER. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>
#ifdef FERROSSL_HEADER
#include <ferrossl/ssl.h>
#endif

int main(int argc, char **argv)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    void *fn = dlsym(RTLD_DEFAULT, "SSL_CTX_new");
    Dl_info info;
    if (ctx == NULL || fn == NULL || !dladdr(fn, &info) || info.dli_fname == NULL) {
        fprintf(stderr, "where: SSL_CTX_new failed or has no file\n");
        return 1;
    }
    printf("%s\n", info.dli_fname);
    fflush(stdout);
    SSL_CTX_free(ctx);
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {
        char buf[64];
        while (fread(buf, 1, sizeof buf, stdin) > 0) {
        }
    }
    return 0;
}
