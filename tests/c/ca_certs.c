/*
 * ca_certs: CA name lists built from files, directories and stores, SSL_dup_CA_list,
 * SSL_set_client_CA_list, SSL_CTX_use_cert_and_key / SSL_use_cert_and_key, SSL_certs_clear and
 * SSL_get1_supported_ciphers. Built by tests/ca_certs.rs and run on OpenSSL's libssl and on
 * ferrossl's: both runs must print the same lines (lines starting with '~' are not compared).
 *
 * usage: ca_certs DIR
 * DIR holds the files the Rust test prepared: bundle.pem (certificates, a duplicate, then
 * text), empty.pem, inter.pem, cadir/ (PEM files, a subdirectory, a text file),
 * server.pem/.key/.chain (RSA), ecdsa.pem/.key/.chain, root.pem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static const char *g_dir;

static const char *path(const char *name) {
    static char buf[4][1024];
    static int n;
    char *p = buf[n++ % 4];
    snprintf(p, 1024, "%s/%s", g_dir, name);
    return p;
}

static void errors(const char *what) {
    unsigned long e;
    int n = 0;
    while ((e = ERR_get_error()) != 0)
        printf("%s: error %d: lib %d reason %d\n", what, n++, ERR_GET_LIB(e), ERR_GET_REASON(e));
    if (n == 0)
        printf("%s: no error\n", what);
}

static void names(const char *what, const STACK_OF(X509_NAME) *sk) {
    printf("%s: %d names\n", what, sk_X509_NAME_num(sk));
    for (int i = 0; i < sk_X509_NAME_num(sk); i++) {
        char buf[256];
        X509_NAME_oneline(sk_X509_NAME_value(sk, i), buf, sizeof buf);
        printf("%s:   %s\n", what, buf);
    }
}

static X509 *load_cert(const char *file) {
    FILE *f = fopen(file, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (x == NULL) {
        printf("FAILED: reading %s\n", file);
        exit(3);
    }
    return x;
}

static EVP_PKEY *load_key(const char *file) {
    FILE *f = fopen(file, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (k == NULL) {
        printf("FAILED: reading %s\n", file);
        exit(3);
    }
    return k;
}

static int cmp_calls;
static int my_cmp(const X509_NAME *const *a, const X509_NAME *const *b) {
    cmp_calls++;
    return X509_NAME_cmp(*a, *b);
}

static void ca_lists(void) {
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new(my_cmp);
    X509 *inter = load_cert(path("inter.pem"));
    sk_X509_NAME_push(sk, X509_NAME_dup(X509_get_subject_name(inter)));
    X509_free(inter);
    printf("file: %d\n", SSL_add_file_cert_subjects_to_stack(sk, path("bundle.pem")));
    errors("file");
    names("file", sk);
    printf("file again: %d\n", SSL_add_file_cert_subjects_to_stack(sk, path("bundle.pem")));
    names("file again", sk);
    cmp_calls = 0;
    sk_X509_NAME_find(sk, sk_X509_NAME_value(sk, 0));
    printf("own comparison restored: %d\n", cmp_calls > 0 || sk_X509_NAME_num(sk) < 2);
    printf("empty: %d\n", SSL_add_file_cert_subjects_to_stack(sk, path("empty.pem")));
    errors("empty");
    printf("missing: %d\n", SSL_add_file_cert_subjects_to_stack(sk, path("missing.pem")));
    errors("missing");
    printf("count after missing: %d\n", sk_X509_NAME_num(sk));

    STACK_OF(X509_NAME) *d = sk_X509_NAME_new_null();
    printf("dir: %d\n", SSL_add_dir_cert_subjects_to_stack(d, path("cadir")));
    errors("dir");
    names("dir", d);
    printf("missing dir: %d\n", SSL_add_dir_cert_subjects_to_stack(d, path("nodir")));
    errors("missing dir");

    STACK_OF(X509_NAME) *st = sk_X509_NAME_new_null();
    printf("store file: %d\n", SSL_add_store_cert_subjects_to_stack(st, path("bundle.pem")));
    errors("store file");
    printf("store dir: %d\n", SSL_add_store_cert_subjects_to_stack(st, path("cadir")));
    errors("store dir");
    names("store", st);

    STACK_OF(X509_NAME) *dup = SSL_dup_CA_list(d);
    names("dup", dup);
    printf("dup copies: %d\n", sk_X509_NAME_num(dup) == 0 ||
                                   sk_X509_NAME_value(dup, 0) != sk_X509_NAME_value(d, 0));
    STACK_OF(X509_NAME) *dnull = SSL_dup_CA_list(NULL);
    printf("dup NULL: %d, count %d\n", dnull != NULL, sk_X509_NAME_num(dnull));
    sk_X509_NAME_free(dnull);

    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL *s = SSL_new(ctx);
    printf("server list before: %d\n", SSL_get_client_CA_list(s) != NULL);
    SSL_set_client_CA_list(s, dup);
    printf("server list is the one set: %d, count %d\n", SSL_get_client_CA_list(s) == dup,
           sk_X509_NAME_num(SSL_get_client_CA_list(s)));
    SSL_CTX_set_client_CA_list(ctx, SSL_dup_CA_list(sk));
    printf("context list does not replace it: %d\n", SSL_get_client_CA_list(s) == dup);
    SSL_set_client_CA_list(s, NULL);
    printf("NULL: back to the context's: %d\n",
           SSL_get_client_CA_list(s) == SSL_CTX_get_client_CA_list(ctx));
    SSL_free(s);
    SSL_CTX_free(ctx);

    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    sk_X509_NAME_pop_free(d, X509_NAME_free);
    sk_X509_NAME_pop_free(st, X509_NAME_free);
}

static STACK_OF(X509) *chain_of(const char *file) {
    STACK_OF(X509) *chain = sk_X509_new_null();
    FILE *f = fopen(file, "r");
    X509 *x;
    PEM_read_X509(f, NULL, NULL, NULL); /* the leaf */
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(chain, x);
    ERR_clear_error();
    fclose(f);
    return chain;
}

/* A handshake over memory BIOs; the subject the client saw, or "none". */
static void handshake(const char *what, SSL_CTX *sctx, SSL *server) {
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(cctx, path("root.pem"), NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL *c = SSL_new(cctx), *s = server ? server : SSL_new(sctx);
    BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
    BIO_up_ref(c2s);
    BIO_up_ref(s2c);
    SSL_set_bio(c, s2c, c2s);
    SSL_set_bio(s, c2s, s2c);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int rc = 0, rs = 0;
    for (int i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_do_handshake(c);
        if (rs != 1)
            rs = SSL_do_handshake(s);
    }
    char buf[256] = "none";
    X509 *peer = SSL_get1_peer_certificate(c);
    if (peer != NULL)
        X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf);
    printf("%s: handshake client %d server %d, verify %ld, peer %s\n", what, rc == 1, rs == 1,
           SSL_get_verify_result(c), buf);

    X509_free(peer);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
}

static void cert_and_key(void) {
    X509 *rsa = load_cert(path("server.pem")), *ec = load_cert(path("ecdsa.pem"));
    EVP_PKEY *rsa_key = load_key(path("server.key")), *ec_key = load_key(path("ecdsa.key"));
    STACK_OF(X509) *chain = chain_of(path("server.chain"));
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    printf("ctx use_cert_and_key: %d\n", SSL_CTX_use_cert_and_key(ctx, rsa, rsa_key, chain, 0));
    errors("ctx use_cert_and_key");
    printf("certificate is it: %d, check key %d\n", SSL_CTX_get0_certificate(ctx) == rsa,
           SSL_CTX_check_private_key(ctx));
    printf("again without override: %d\n",
           SSL_CTX_use_cert_and_key(ctx, rsa, rsa_key, chain, 0));
    errors("again without override");
    printf("again with override: %d\n", SSL_CTX_use_cert_and_key(ctx, rsa, rsa_key, chain, 1));
    errors("again with override");
    printf("mismatched key: %d\n", SSL_CTX_use_cert_and_key(ctx, rsa, ec_key, NULL, 1));
    errors("mismatched key");
    STACK_OF(X509) *ec_chain = chain_of(path("ecdsa.chain"));
    printf("other key type: %d\n", SSL_CTX_use_cert_and_key(ctx, ec, ec_key, ec_chain, 0));
    sk_X509_pop_free(ec_chain, X509_free);
    errors("other key type");
    printf("current is the new one: %d\n", SSL_CTX_get0_certificate(ctx) == ec);
    handshake("ctx cert_and_key", ctx, NULL);

    SSL_CTX *bare = SSL_CTX_new(TLS_server_method());
    SSL *s = SSL_new(bare);
    printf("ssl use_cert_and_key: %d\n", SSL_use_cert_and_key(s, rsa, rsa_key, chain, 0));
    errors("ssl use_cert_and_key");
    printf("ssl certificate is it: %d, key %d\n", SSL_get_certificate(s) == rsa,
           SSL_get_privatekey(s) == rsa_key);
    handshake("ssl cert_and_key", bare, s);

    s = SSL_new(ctx);
    printf("from ctx: certificate %d\n", SSL_get_certificate(s) != NULL);
    SSL_certs_clear(s);
    printf("after certs_clear: certificate %d key %d, ctx keeps its own %d\n",
           SSL_get_certificate(s) != NULL, SSL_get_privatekey(s) != NULL,
           SSL_CTX_get0_certificate(ctx) != NULL);
    ERR_clear_error();
    handshake("after certs_clear", ctx, s);

    SSL_CTX_free(bare);
    SSL_CTX_free(ctx);
    sk_X509_pop_free(chain, X509_free);
    X509_free(rsa);
    X509_free(ec);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
}

static void supported(const char *what, int min, int max) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_cipher_list(ctx, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_min_proto_version(ctx, min);
    SSL_CTX_set_max_proto_version(ctx, max);
    SSL *s = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(s);
    printf("%s: %d supported\n", what, sk ? sk_SSL_CIPHER_num(sk) : -1);
    for (int i = 0; sk && i < sk_SSL_CIPHER_num(sk); i++)
        printf("%s:   %s\n", what, SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)));
    printf("%s: a new stack each call: %d\n", what,
           sk == NULL || SSL_get_ciphers(s) != sk);
    sk_SSL_CIPHER_free(sk);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ca_certs DIR\n");
        return 2;
    }
    g_dir = argv[1];
    alarm(60);
    ca_lists();
    cert_and_key();
    supported("default", 0, 0);
    supported("tls1.2 only", TLS1_2_VERSION, TLS1_2_VERSION);
    supported("tls1.3 only", TLS1_3_VERSION, TLS1_3_VERSION);
    printf("done\n");
    return 0;
}
