/*
 * abi: one call to each of the 518 functions of OpenSSL 3.0's libssl, in a realistic state,
 * printing one normalised line per function. Built by tests/abi_differential.rs and run once
 * on the stock libssl.so.3 and once on ferrossl's; the two outputs are compared line by line.
 *
 * Shared declarations of the program's files (abi_main.c: setup and runner; the other files:
 * the cases, grouped by family).
 *
 * A case is written as
 *     CASE(SSL_get_version) { ret_s(r, SSL_get_version(e->cli)); }
 * which defines the function and registers it (in the "abi_cases" linker section) under the
 * name of the libssl function it calls. Each case runs in its own forked child process, so a
 * case may change or consume the shared objects of `struct env` (except freeing e->cli, which
 * the runner reads afterwards) without affecting the others, and a crash is reported as such.
 */
#ifndef ABI_H
#define ABI_H

#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ct.h>
#include <openssl/dh.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/* The objects every case may use. All are created before the first case runs. */
struct env {
    /* files, from the command line */
    const char *cert_file;  /* server leaf certificate (PEM) */
    const char *key_file;   /* its private key (PEM, PKCS#8) */
    const char *chain_file; /* leaf + intermediate (PEM) */
    const char *ca_file;    /* root CA (PEM) */
    const char *rsa_key_file; /* an RSA private key (PEM, PKCS#8) */
    const char *rsa_cert_file; /* its certificate (PEM) */
    const char *tmpdir;     /* a private, writable directory */
    const char *certdir;    /* tmpdir/certs: copies of ca_file and cert_file */
    const char *sess_pem;   /* a TLS 1.3 session written by the stock libssl (PEM) */
    const char *sess_der;   /* the same session, DER */
    /* objects loaded with libcrypto */
    X509 *cert, *ca, *rsa_cert;
    EVP_PKEY *key, *rsa_key;
    /* a fresh SSL_CTX (TLS_method) and a fresh SSL of another fresh SSL_CTX */
    SSL_CTX *ctx;
    SSL *ssl;
    /* an in-process TLS 1.3 handshake over a BIO pair: client cli (of cctx, verifying the
     * server against ca_file for "localhost", see client_ctx) and server srv (of sctx, with
     * cert/key) */
    SSL_CTX *cctx, *sctx;
    SSL *cli, *srv;
    SSL_SESSION *sess; /* cli's session, as SSL_get1_session returns it */
    /* the same with the client limited to TLS 1.2 (both NULL if that handshake failed) */
    SSL *cli12, *srv12;
    /* TLS 1.3 with a client certificate (rsa_cert/rsa_key), required and verified by the
     * server, which names ca_file's subject as acceptable CA (NULL if it failed) */
    SSL *mcli, *msrv;
};

/* What a case reports: its return value and its out-parameters, already normalised. */
struct res {
    char ret[600];
    char out[1400];
};

typedef void (*case_fn)(struct env *, struct res *);
struct abi_case {
    const char *name;
    case_fn fn;
};

#define CASE(fname)                                                                           \
    static void t_##fname(struct env *e, struct res *r);                                    \
    static const struct abi_case c_##fname                                                  \
        __attribute__((used, section("abi_cases"), aligned(sizeof(void *)))) = {#fname,     \
                                                                                t_##fname}; \
    static void t_##fname(struct env *e __attribute__((unused)), struct res *r)

/* Return values. */
void ret_void(struct res *r);
void ret_i(struct res *r, long v);
void ret_u(struct res *r, unsigned long v);
void ret_p(struct res *r, const void *p);   /* NULL / non-NULL */
void ret_s(struct res *r, const char *s);   /* the string, quoted, or NULL */
void ret_cert(struct res *r, const X509 *x); /* NULL or the subject's one-line name */
void ret_names(struct res *r, const STACK_OF(X509_NAME) *sk); /* NULL or the count */
void ret_certs(struct res *r, const STACK_OF(X509) *sk);      /* NULL or the count */
void ret_ciphers(struct res *r, const STACK_OF(SSL_CIPHER) *sk); /* NULL or count + first */
/* For a library's default list: NULL, or the TLS 1.3 count, whether there are TLS 1.2 suites,
 * and the first (OpenSSL enables 60 suites by default, ferrossl the 9 that rustls implements). */
void ret_default_ciphers(struct res *r, const STACK_OF(SSL_CIPHER) *sk);
void ret_cipher(struct res *r, const SSL_CIPHER *c);          /* NULL or its name */
void ret_method(struct res *r, const SSL_METHOD *m); /* NULL or what SSL_CTX_new makes of it */
void ret_fp(struct res *r, void (*f)(void));  /* a function pointer: NULL / non-NULL */
#define RET_FP(r, f) ret_fp((r), (void (*)(void))(f))

/* Out-parameters and observations, appended as " key=value". */
void out(struct res *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_s(struct res *r, const char *key, const char *s);
void out_bytes(struct res *r, const char *key, const unsigned char *p, size_t n); /* hex */
/* The first queued error (as lib/reason) so far, then clears the queue: for cases that make
 * several calls and report what an earlier one queued. */
void out_err(struct res *r, const char *key);

/* Helpers that create objects for a case's own use (fresh, not shared). */
SSL_CTX *new_ctx(void);             /* SSL_CTX_new(TLS_method()) */
SSL_CTX *new_server_ctx(struct env *e); /* with e's cert and key */
SSL *new_ssl(void);                 /* SSL_new(new_ctx()) */
/* TLS_client_method, verifying against e's CA, offering fixed groups, TLS 1.2 suites and
 * signature schemes (see abi_main.c) */
SSL_CTX *client_ctx(struct env *e);
/* A handshake between fresh SSLs of the two contexts, which are freed (the connection keeps its
 * own references); 1 on success. For the cases that observe callbacks. */
int handshake_with(struct env *e, SSL_CTX *cctx, SSL_CTX *sctx);
EVP_PKEY *dh_params(void); /* ffdhe2048 parameters */
/* When set, handshake() offers this session (SSL_set_session on the client) to resume it. */
extern SSL_SESSION *resume_session;
/* When set, handshake() calls it on the client SSL before starting (SSL-level settings). */
extern void (*before_handshake)(SSL *cli, SSL *srv);
/* A new completed handshake (same set-up as e->cli / e->srv); 1 on success. What it queues
 * on the error queue is dropped; what was queued before stays. */
int handshake(struct env *e, SSL_CTX *cctx, SSL_CTX *sctx, SSL **cli, SSL **srv);
/* Moves data both ways (a few reads on each side; errors they queue are dropped). */
void pump(SSL *a, SSL *b);
BIO *mem_of_file(const char *path); /* a read-only memory BIO holding the file */
char *path_in_tmp(struct env *e, const char *name); /* static buffer */
STACK_OF(X509_NAME) *names_of_ca(struct env *e); /* a new stack with the CA's subject */
int tls13_count(const STACK_OF(SSL_CIPHER) *sk); /* TLS 1.3 suites in sk, -1 for NULL */

#endif
