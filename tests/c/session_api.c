/*
 * session_api: SSL_SESSION identity, text and PEM forms, the internal session cache
 * (SSL_CTX_add_session, SSL_CTX_flush_sessions and the remove-session callback), and
 * SSL_copy_session_id / SSL_set_session_id_context. Built by tests/session_api.rs and run on
 * OpenSSL's libssl and on ferrossl's: both runs must print the same lines.
 *
 * usage: session_api CHAIN KEY CAFILE
 *
 * Real sessions come from in-memory handshakes between a client and a server of the library
 * under test. Lines starting with '~' carry values that vary between runs or by a documented
 * difference (rustls keeps master keys and tickets to itself) and are not compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#define T0 1700000000L

static void reason(const char *what) {
    unsigned long e = ERR_get_error();
    printf("%s: error lib %d reason %d, more %d\n", what, ERR_GET_LIB(e), ERR_GET_REASON(e),
           ERR_peek_error() != 0);
    ERR_clear_error();
}

static void dump_bio(const char *what, BIO *b) {
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    printf("%s (%ld bytes):\n%.*s", what, n, (int)n, p);
    printf("[end]\n");
}

static SSL_SESSION *session(unsigned char tag, long t, long timeout) {
    unsigned char id[8];
    memset(id, tag, sizeof id);
    SSL_SESSION *s = SSL_SESSION_new();
    SSL_SESSION_set1_id(s, id, sizeof id);
    SSL_SESSION_set_time(s, t);
    SSL_SESSION_set_timeout(s, timeout);
    return s;
}

static void removed(SSL_CTX *ctx, SSL_SESSION *s) {
    unsigned int len = 0;
    const unsigned char *id = SSL_SESSION_get_id(s, &len);
    (void)ctx;
    printf("  remove callback: id %c x%u\n", len ? id[0] : '-', len);
}

static const char *g_chain, *g_key, *g_ca;

/* A client session from a handshake over memory BIOs with `version` as the only version. */
static SSL_SESSION *real_session(int version) {
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
    if (SSL_CTX_use_certificate_chain_file(sctx, g_chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(sctx, g_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(cctx, g_ca, NULL) != 1) {
        printf("FAILED: credentials\n");
        exit(3);
    }
    SSL_CTX_set_min_proto_version(sctx, version);
    SSL_CTX_set_max_proto_version(sctx, version);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
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
    if (rc != 1 || rs != 1) {
        printf("FAILED: in-memory handshake %d %d\n", rc, rs);
        ERR_print_errors_fp(stdout);
        exit(3);
    }
    /* TLS 1.3: the session arrives with the server's ticket, after the handshake. */
    char byte;
    SSL_write(s, "x", 1);
    SSL_read(c, &byte, 1);
    ERR_clear_error();
    SSL_SESSION *sess = SSL_get1_session(c);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return sess;
}

/* SSL_SESSION_print's text, the lines that vary between runs marked with '~'. */
static void print_masked(const char *what, SSL_SESSION *s) {
    static const char *varying[] = {"    Session-ID:", "    Master-Key:", "    Resumption PSK:",
                                    "    Start Time:", "    TLS session ticket", "    00", NULL};
    BIO *out = BIO_new(BIO_s_mem());
    printf("%s: print %d\n", what, SSL_SESSION_print(out, s));
    char line[512];
    while (BIO_gets(out, line, sizeof line) > 0) {
        int vary = 0;
        for (int i = 0; varying[i]; i++)
            vary |= strncmp(line, varying[i], strlen(varying[i])) == 0;
        /* The empty line OpenSSL leaves after a ticket dump (ferrossl has none to print). */
        vary |= strcmp(line, "\n") == 0;
        printf("%s%s: %s", vary ? "~" : "", what, line);
    }
    BIO_free(out);
}

static void pem_round_trip(const char *what, SSL_SESSION *s) {
    BIO *pem = BIO_new(BIO_s_mem());
    unsigned int len = 0, len2 = 0;
    printf("%s: PEM_write_bio %d\n", what, PEM_write_bio_SSL_SESSION(pem, s));
    SSL_SESSION *r = PEM_read_bio_SSL_SESSION(pem, NULL, NULL, NULL);
    printf("%s: PEM_read_bio %d\n", what, r != NULL);
    if (r != NULL) {
        SSL_SESSION_get_id(s, &len);
        SSL_SESSION_get_id(r, &len2);
        printf("%s: read back version %#x cipher %s id same length %d time %d timeout %ld "
               "resumable %d\n",
               what, SSL_SESSION_get_protocol_version(r),
               SSL_CIPHER_get_name(SSL_SESSION_get0_cipher(r)), len == len2,
               SSL_SESSION_get_time(r) == SSL_SESSION_get_time(s), SSL_SESSION_get_timeout(r),
               SSL_SESSION_is_resumable(r));
        SSL_SESSION_free(r);
    }
    BIO_free(pem);
    ERR_clear_error();
}

static void real_sessions(void) {
    SSL_SESSION *s12 = real_session(TLS1_2_VERSION), *s13 = real_session(TLS1_3_VERSION);
    print_masked("tls1.2", s12);
    print_masked("tls1.3", s13);
    BIO *out = BIO_new(BIO_s_mem());
    printf("~tls1.2: print_keylog %d\n", SSL_SESSION_print_keylog(out, s12));
    BIO_free(out);
    ERR_clear_error();
    pem_round_trip("tls1.2", s12);
    pem_round_trip("tls1.3", s13);

    FILE *f = tmpfile();
    unsigned int len = 0;
    printf("PEM_write: %d\n", PEM_write_SSL_SESSION(f, s12));
    rewind(f);
    SSL_SESSION *r = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
    printf("PEM_read: %d\n", r != NULL);
    if (r != NULL) {
        SSL_SESSION_get_id(r, &len);
        printf("PEM_read: version %#x\n", SSL_SESSION_get_protocol_version(r));
        SSL_SESSION_free(r);
    }
    fclose(f);
    SSL_SESSION_free(s12);
    SSL_SESSION_free(s13);
}

static void identity_and_text(void) {
    unsigned char id[33];
    for (int i = 0; i < 33; i++)
        id[i] = (unsigned char)(i * 7 + 1);
    SSL_SESSION *s = SSL_SESSION_new();
    printf("set1_id 33: %d\n", SSL_SESSION_set1_id(s, id, 33));
    reason("set1_id 33");
    printf("set1_id 32: %d\n", SSL_SESSION_set1_id(s, id, 32));
    unsigned int len = 0;
    const unsigned char *got = SSL_SESSION_get_id(s, &len);
    printf("get_id: len %u same %d\n", len, len == 32 && memcmp(got, id, 32) == 0);
    printf("set1_id 0: %d\n", SSL_SESSION_set1_id(s, id, 0));
    SSL_SESSION_get_id(s, &len);
    printf("get_id after 0: len %u\n", len);
    SSL_SESSION_set1_id(s, id, 16);
    printf("set1_id_context 33: %d\n", SSL_SESSION_set1_id_context(s, id, 33));
    reason("set1_id_context 33");
    printf("set1_id_context 4: %d\n", SSL_SESSION_set1_id_context(s, (const unsigned char *)"ctx1", 4));
    const unsigned char *ctx = SSL_SESSION_get0_id_context(s, &len);
    printf("get0_id_context: len %u [%.*s]\n", len, (int)len, ctx);
    SSL_SESSION_set_time(s, T0);
    SSL_SESSION_set_timeout(s, 300);

    BIO *out = BIO_new(BIO_s_mem());
    printf("print: %d\n", SSL_SESSION_print(out, s));
    dump_bio("print", out);
    BIO_reset(out);
    printf("print NULL: %d, queued %d\n", SSL_SESSION_print(out, NULL), ERR_peek_error() != 0);
    printf("print_keylog: %d\n", SSL_SESSION_print_keylog(out, s));
    printf("print_keylog NULL: %d\n", SSL_SESSION_print_keylog(out, NULL));
    printf("keylog wrote %d bytes, queued %d\n", (int)BIO_pending(out), ERR_peek_error() != 0);
    ERR_clear_error();
    BIO_free(out);
    fflush(stdout);
    printf("print_fp: %d\n", SSL_SESSION_print_fp(stdout, s));
    fflush(stdout);

    /* A session that never saw a handshake has no cipher and so no encoding. */
    BIO *pem = BIO_new(BIO_s_mem());
    printf("PEM_write_bio new session: %d\n", PEM_write_bio_SSL_SESSION(pem, s));
    reason("PEM_write_bio new session");
    printf("i2d new session: %d\n", i2d_SSL_SESSION(s, NULL));
    reason("i2d new session");
    SSL_SESSION *r = PEM_read_bio_SSL_SESSION(pem, NULL, NULL, NULL);
    printf("PEM_read_bio empty: %d\n", r != NULL);
    reason("PEM_read_bio empty");
    BIO *junk = BIO_new_mem_buf("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", -1);
    r = PEM_read_bio_SSL_SESSION(junk, NULL, NULL, NULL);
    printf("PEM_read_bio other block: %d\n", r != NULL);
    reason("PEM_read_bio other block");
    BIO_free(junk);
    junk = BIO_new_mem_buf("-----BEGIN SSL SESSION PARAMETERS-----\nAAAA\n-----END SSL SESSION PARAMETERS-----\n", -1);
    r = PEM_read_bio_SSL_SESSION(junk, NULL, NULL, NULL);
    printf("PEM_read_bio garbage: %d\n", r != NULL);
    printf("~PEM_read_bio garbage: first error %lx\n", ERR_peek_error());
    printf("PEM_read_bio garbage: last error lib %d reason %d\n", ERR_GET_LIB(ERR_peek_last_error()),
           ERR_GET_REASON(ERR_peek_last_error()));
    ERR_clear_error();
    BIO_free(junk);
    BIO_free(pem);
    SSL_SESSION_free(s);
}

static void cache(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_sess_set_remove_cb(ctx, removed);
    SSL_SESSION *a = session('A', T0, 100), *b = session('B', T0, 200), *c = session('C', T0, 50);
    printf("add A: %d\n", SSL_CTX_add_session(ctx, a));
    printf("add A again: %d\n", SSL_CTX_add_session(ctx, a));
    printf("add B: %d\n", SSL_CTX_add_session(ctx, b));
    printf("add C: %d\n", SSL_CTX_add_session(ctx, c));
    printf("flush at T0+10:\n");
    SSL_CTX_flush_sessions(ctx, T0 + 10);
    printf("flush at T0+120:\n");
    SSL_CTX_flush_sessions(ctx, T0 + 120);
    printf("remove B: %d\n", SSL_CTX_remove_session(ctx, b));
    printf("remove B again: %d\n", SSL_CTX_remove_session(ctx, b));
    printf("add B: %d\n", SSL_CTX_add_session(ctx, b));
    printf("add C: %d\n", SSL_CTX_add_session(ctx, c));
    printf("flush at 0:\n");
    SSL_CTX_flush_sessions(ctx, 0);
    printf("flush at 0 again:\n");
    SSL_CTX_flush_sessions(ctx, 0);
    printf("add A: %d\n", SSL_CTX_add_session(ctx, a));
    SSL_SESSION_free(a);
    SSL_SESSION_free(b);
    SSL_SESSION_free(c);
    printf("free context:\n");
    SSL_CTX_free(ctx);
}

static void copy(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *x = SSL_new(ctx), *y = SSL_new(ctx);
    unsigned char big[33] = {0};
    printf("set_session_id_context 33: %d\n", SSL_set_session_id_context(x, big, 33));
    reason("set_session_id_context 33");
    printf("set_session_id_context 8: %d\n",
           SSL_set_session_id_context(x, (const unsigned char *)"context!", 8));
    printf("use cert %d key %d\n", SSL_use_certificate_chain_file(x, g_chain),
           SSL_use_PrivateKey_file(x, g_key, SSL_FILETYPE_PEM));
    printf("y cert before: %d\n", SSL_get_certificate(y) != NULL);
    printf("copy without session: %d, session %d\n", SSL_copy_session_id(y, x),
           SSL_get_session(y) != NULL);
    printf("same cert %d, key %d\n", SSL_get_certificate(y) == SSL_get_certificate(x),
           SSL_get_privatekey(y) == SSL_get_privatekey(x));
    SSL_SESSION *s = session('S', T0, 300);
    SSL_set_session(x, s);
    printf("copy: %d\n", SSL_copy_session_id(y, x));
    printf("same session %d\n", SSL_get_session(y) == s);
    SSL_free(x);
    printf("session kept after x freed: %d\n", SSL_get_session(y) == s);
    SSL_free(y);
    SSL_SESSION_free(s);
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: session_api CHAIN KEY CAFILE\n");
        return 2;
    }
    g_chain = argv[1];
    g_key = argv[2];
    g_ca = argv[3];
    alarm(60);
    identity_and_text();
    real_sessions();
    cache();
    copy();
    printf("done\n");
    return 0;
}
