/*
 * ctrl: what SSL_ctrl, SSL_CTX_ctrl, SSL_callback_ctrl and SSL_CTX_callback_ctrl answer for
 * each command number, on OpenSSL 3.0's libssl.so.3 and on ferrossl's.
 *
 * Built by tests/ctrl_differential.rs against the system OpenSSL headers and run twice per
 * scenario (stock libssl, then ferrossl through LD_LIBRARY_PATH); the two outputs are compared
 * line by line. Each line is one call: "<state> <call>: ret=<value> [out=<...>] err=<...>",
 * where out is the out-parameter, normalised (untouched, null, set, or the bytes/ints/key it
 * points to), and err is the first queued error's library and reason and how many were queued
 * (or none). The queue is cleared after each call.
 *
 * usage: ctrl fresh
 *        ctrl client port=N [sni=NAME] [ecdh=CURVE] [castore=URI]
 *                         handshake with an s_server on 127.0.0.1:N (ecdh: SSL_CTX_set_tmp_ecdh
 *                         with a key on that curve first; castore: SSL_CTX_load_verify_store
 *                         and verify the server)
 *        ctrl server port=N cert=F key=F [root=F]
 *                         accept one connection from an s_client (root: request a client
 *                         certificate and trust that CA)
 *        ctrl build cert=F chain=F root=F
 *                         SSL_CTX_build_cert_chain from a leaf alone and from a chain
 *
 * Exit status: 0 when the scenario ran to its end, 2 for a usage error, 3 when the test itself
 * could not do something (connect, listen, handshake).
 */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

static int g_argc;
static char **g_argv;

static const char *opt(const char *key) {
    size_t n = strlen(key);
    for (int i = 2; i < g_argc; i++)
        if (strncmp(g_argv[i], key, n) == 0 && g_argv[i][n] == '=')
            return g_argv[i] + n + 1;
    return NULL;
}

static const char *need(const char *key) {
    const char *v = opt(key);
    if (v == NULL) {
        fprintf(stderr, "ctrl: missing argument %s=...\n", key);
        exit(2);
    }
    return v;
}

static void die(const char *what) {
    fprintf(stderr, "ctrl: %s (errno %s)\n", what, strerror(errno));
    ERR_print_errors_fp(stderr);
    exit(3);
}

/* ------------------------------------------------------------------ one call, one line */

enum kind {
    NONE,      /* parg NULL */
    STR,       /* parg a C string */
    PTR_OUT,   /* parg a void ** */
    INT_OUT,   /* parg an int * */
    BYTES_OUT, /* parg an unsigned char **; ret bytes are printed */
    INTS,      /* parg an int[64]; ret ints are printed */
    PKEY_OUT,  /* parg an EVP_PKEY ** */
    BUF80,     /* parg an 80-byte buffer (ticket keys) */
    NIDS,      /* parg an int[2] of group NIDs */
};

struct probe {
    int cmd;
    long larg;
    enum kind kind;
    const char *str;
};

#define SENTINEL_INT (-12345)
static char sentinel_obj;
#define SENTINEL_PTR ((void *)&sentinel_obj)

static void hex(char *out, size_t cap, const unsigned char *p, long n) {
    size_t used = 0;
    out[0] = '\0';
    for (long i = 0; i < n && used + 3 < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%02x", p[i]);
}

/* The error queue in one field, then cleared. */
static void errors(char *out, size_t cap) {
    unsigned long first = ERR_peek_error();
    int n = 0;
    while (ERR_get_error() != 0)
        n++;
    if (n == 0)
        snprintf(out, cap, "none");
    else
        snprintf(out, cap, "lib=%d reason=%d (%s) count=%d", ERR_GET_LIB(first),
                 ERR_GET_REASON(first), ERR_reason_error_string(first) ? ERR_reason_error_string(first) : "?", n);
}

static void line(const char *state, const char *call, long ret, const char *out) {
    char err[256];
    errors(err, sizeof err);
    printf("%s %s: ret=%ld%s%s err=%s\n", state, call, ret, out[0] ? " out=" : "", out, err);
    fflush(stdout);
}

/* Calls one probe on an SSL (s) or an SSL_CTX (ctx) and prints its line. */
static void run_probe(const char *state, SSL *s, SSL_CTX *ctx, const struct probe *p) {
    union {
        void *ptr;
        int i;
        int ints[64];
        unsigned char buf[80];
        EVP_PKEY *pkey;
    } u;
    char out[600] = "";
    void *parg = NULL;
    memset(&u, 0, sizeof u);
    switch (p->kind) {
    case NONE: break;
    case STR: parg = (void *)p->str; break;
    case PTR_OUT: case BYTES_OUT: case PKEY_OUT: u.ptr = SENTINEL_PTR; parg = &u.ptr; break;
    case INT_OUT: u.i = SENTINEL_INT; parg = &u.i; break;
    case INTS: for (int i = 0; i < 64; i++) u.ints[i] = SENTINEL_INT; parg = u.ints; break;
    case BUF80: parg = u.buf; break;
    case NIDS: u.ints[0] = NID_X9_62_prime256v1; u.ints[1] = NID_X25519; parg = u.ints; break;
    }
    ERR_clear_error();
    long ret = s != NULL ? SSL_ctrl(s, p->cmd, p->larg, parg) : SSL_CTX_ctrl(ctx, p->cmd, p->larg, parg);
    switch (p->kind) {
    case PTR_OUT:
        snprintf(out, sizeof out, "%s", u.ptr == SENTINEL_PTR ? "untouched" : u.ptr ? "set" : "null");
        break;
    case INT_OUT:
        if (u.i == SENTINEL_INT)
            snprintf(out, sizeof out, "untouched");
        else
            snprintf(out, sizeof out, "%d", u.i);
        break;
    case BYTES_OUT:
        if (u.ptr == SENTINEL_PTR)
            snprintf(out, sizeof out, "untouched");
        else if (u.ptr == NULL)
            snprintf(out, sizeof out, "null");
        else
            hex(out, sizeof out, u.ptr, ret > 0 ? ret : 0);
        if (out[0] == '\0')
            snprintf(out, sizeof out, "empty");
        break;
    case INTS: {
        size_t used = 0;
        for (int i = 0; i < 64 && used + 16 < sizeof out; i++) {
            if (u.ints[i] == SENTINEL_INT)
                break;
            used += (size_t)snprintf(out + used, sizeof out - used, "%s%d", i ? "," : "", u.ints[i]);
        }
        if (used == 0)
            snprintf(out, sizeof out, "untouched");
        break;
    }
    case PKEY_OUT:
        if (u.ptr == SENTINEL_PTR)
            snprintf(out, sizeof out, "untouched");
        else if (u.pkey == NULL)
            snprintf(out, sizeof out, "null");
        else {
            snprintf(out, sizeof out, "%s/%d", OBJ_nid2sn(EVP_PKEY_get_base_id(u.pkey)),
                     EVP_PKEY_get_bits(u.pkey));
            EVP_PKEY_free(u.pkey);
        }
        break;
    default: break;
    }
    char call[96];
    if (p->kind == STR)
        snprintf(call, sizeof call, "%s(%d,%ld,\"%s\")", s ? "SSL_ctrl" : "SSL_CTX_ctrl", p->cmd,
                 p->larg, p->str ? p->str : "NULL");
    else
        snprintf(call, sizeof call, "%s(%d,%ld)", s ? "SSL_ctrl" : "SSL_CTX_ctrl", p->cmd, p->larg);
    line(state, call, ret, out);
}

static void run_probes(const char *state, SSL *s, SSL_CTX *ctx, const struct probe *ps, size_t n) {
    for (size_t i = 0; i < n; i++)
        run_probe(state, s, ctx, &ps[i]);
}

#define RUN(state, s, ctx, list) run_probes(state, s, ctx, list, sizeof list / sizeof list[0])

/* ------------------------------------------------------------------ the commands */

/* Getters on an SSL: nothing changes, so they are asked in every state. */
static const struct probe ssl_getters[] = {
    {SSL_CTRL_GET_CLIENT_CERT_REQUEST, 0, NONE, NULL},
    {SSL_CTRL_GET_NUM_RENEGOTIATIONS, 0, NONE, NULL},
    {SSL_CTRL_GET_TOTAL_RENEGOTIATIONS, 0, NONE, NULL},
    {SSL_CTRL_GET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_GET_MAX_CERT_LIST, 0, NONE, NULL},
    {SSL_CTRL_GET_SESS_CACHE_MODE, 0, NONE, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_EXTS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_IDS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0, BYTES_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NONE, NULL},
    {DTLS_CTRL_GET_TIMEOUT, 0, PTR_OUT, NULL},
    {DTLS_CTRL_GET_LINK_MIN_MTU, 0, NONE, NULL},
    {SSL_CTRL_GET_RI_SUPPORT, 0, NONE, NULL},
    {SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_GROUPS, 0, NONE, NULL},
    {SSL_CTRL_GET_GROUPS, 0, INTS, NULL},
    {SSL_CTRL_GET_SHARED_GROUP, -1, NONE, NULL},
    {SSL_CTRL_GET_SHARED_GROUP, 0, NONE, NULL},
    {SSL_CTRL_GET_SHARED_GROUP, 1, NONE, NULL},
    {SSL_CTRL_GET_SHARED_GROUP, 7, NONE, NULL},
    {SSL_CTRL_GET_CLIENT_CERT_TYPES, 0, BYTES_OUT, NULL},
    {SSL_CTRL_GET_PEER_SIGNATURE_NID, 0, INT_OUT, NULL},
    {SSL_CTRL_GET_PEER_TMP_KEY, 0, PKEY_OUT, NULL},
    {SSL_CTRL_GET_RAW_CIPHERLIST, 0, NONE, NULL},
    {SSL_CTRL_GET_RAW_CIPHERLIST, 0, BYTES_OUT, NULL},
    {SSL_CTRL_GET_EC_POINT_FORMATS, 0, BYTES_OUT, NULL},
    {SSL_CTRL_GET_CHAIN_CERTS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_SIGNATURE_NID, 0, INT_OUT, NULL},
    {SSL_CTRL_GET_VERIFY_CERT_STORE, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_CHAIN_CERT_STORE, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB, 0, PTR_OUT, NULL},
    {SSL_CTRL_SESS_NUMBER, 0, NONE, NULL},
    {0, 0, NONE, NULL},
    {200, 0, NONE, NULL},
    {-5, 0, NONE, NULL},
};

/* Setters on a fresh SSL, in this order (some read back what others set). */
static const struct probe ssl_setters[] = {
    {SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, STR, "arg"},
    {SSL_CTRL_SET_MTU, 1000, NONE, NULL},
    {SSL_CTRL_MODE, 0x10, NONE, NULL},
    {SSL_CTRL_CLEAR_MODE, 0x10, NONE, NULL},
    {SSL_CTRL_SET_READ_AHEAD, 5, NONE, NULL},
    {SSL_CTRL_GET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_SET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_CERT_LIST, 5000, NONE, NULL},
    {SSL_CTRL_GET_MAX_CERT_LIST, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_CERT_LIST, -1, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 100, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 4096, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 0, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 1024, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 8192, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 16384, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 1, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 33, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, STR, "example.com"},
    {SSL_CTRL_SET_TLSEXT_HOSTNAME, 1, STR, "example.com"},
    {SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, STR, ""},
    {SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, STR, NULL},
    {SSL_CTRL_SET_TLSEXT_DEBUG_ARG, 0, STR, "arg"},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, 1, NONE, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, -1, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_EXTS, 0, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_IDS, 0, NONE, NULL},
    {DTLS_CTRL_HANDLE_TIMEOUT, 0, NONE, NULL},
    {DTLS_CTRL_SET_LINK_MTU, 1000, NONE, NULL},
    {SSL_CTRL_CERT_FLAGS, 0, NONE, NULL},
    {SSL_CTRL_CLEAR_CERT_FLAGS, 0, NONE, NULL},
    {SSL_CTRL_SET_CLIENT_CERT_TYPES, 0, NONE, NULL},
    {SSL_CTRL_BUILD_CERT_CHAIN, 0, NONE, NULL},
    {SSL_CTRL_SET_VERIFY_CERT_STORE, 0, NONE, NULL},
    {SSL_CTRL_SET_CHAIN_CERT_STORE, 0, NONE, NULL},
    {SSL_CTRL_SET_DH_AUTO, 1, NONE, NULL},
    {SSL_CTRL_SET_TMP_DH, 0, NONE, NULL},
    {SSL_CTRL_SET_TMP_ECDH, 0, NONE, NULL},
    {SSL_CTRL_SET_TMP_DH_CB, 0, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NONE, NULL},
    {SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_3_VERSION, NONE, NULL},
    {SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, 0x999, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_GROUPS, 2, NIDS, NULL},
    {SSL_CTRL_SET_GROUPS_LIST, 0, STR, "X25519:P-256"},
    {SSL_CTRL_SET_GROUPS_LIST, 0, STR, "bogus"},
    {SSL_CTRL_SET_SESS_CACHE_SIZE, 10, NONE, NULL},
    {SSL_CTRL_SET_SESS_CACHE_MODE, 0, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, STR, "arg"},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG, 0, STR, "arg"},
    {SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS, 0, NONE, NULL},
    {SSL_CTRL_CHAIN, 1, NONE, NULL},
    {SSL_CTRL_SELECT_CURRENT_CERT, 0, NONE, NULL},
    {SSL_CTRL_SET_CURRENT_CERT, SSL_CERT_SET_FIRST, NONE, NULL},
    {SSL_CTRL_SET_CURRENT_CERT, SSL_CERT_SET_SERVER, NONE, NULL},
    {SSL_CTRL_GET_NUM_RENEGOTIATIONS, 0, NONE, NULL},
    {SSL_CTRL_CLEAR_NUM_RENEGOTIATIONS, 0, NONE, NULL},
    {SSL_CTRL_SET_TLS_EXT_SRP_USERNAME, 0, STR, "user"},
    {SSL_CTRL_SET_SIGALGS_LIST, 0, STR, "ECDSA+SHA256:RSA-PSS+SHA256"},
};

/* Getters on an SSL_CTX. */
static const struct probe ctx_getters[] = {
    {SSL_CTRL_SESS_NUMBER, 0, NONE, NULL},
    {SSL_CTRL_SESS_CONNECT, 0, NONE, NULL},
    {SSL_CTRL_SESS_CONNECT_GOOD, 0, NONE, NULL},
    {SSL_CTRL_SESS_CONNECT_RENEGOTIATE, 0, NONE, NULL},
    {SSL_CTRL_SESS_ACCEPT, 0, NONE, NULL},
    {SSL_CTRL_SESS_ACCEPT_GOOD, 0, NONE, NULL},
    {SSL_CTRL_SESS_ACCEPT_RENEGOTIATE, 0, NONE, NULL},
    {SSL_CTRL_SESS_HIT, 0, NONE, NULL},
    {SSL_CTRL_SESS_CB_HIT, 0, NONE, NULL},
    {SSL_CTRL_SESS_MISSES, 0, NONE, NULL},
    {SSL_CTRL_SESS_TIMEOUTS, 0, NONE, NULL},
    {SSL_CTRL_SESS_CACHE_FULL, 0, NONE, NULL},
};

static const struct probe ctx_fresh[] = {
    {SSL_CTRL_GET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_GET_SESS_CACHE_SIZE, 0, NONE, NULL},
    {SSL_CTRL_GET_SESS_CACHE_MODE, 0, NONE, NULL},
    {SSL_CTRL_GET_MAX_CERT_LIST, 0, NONE, NULL},
    {SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 1, PTR_OUT, NULL},
    {SSL_CTRL_GET_CHAIN_CERTS, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NONE, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_VERIFY_CERT_STORE, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_CHAIN_CERT_STORE, 0, PTR_OUT, NULL},
    {SSL_CTRL_GET_TLSEXT_TICKET_KEYS, 0, NONE, NULL},
    {SSL_CTRL_GET_TLSEXT_TICKET_KEYS, 10, BUF80, NULL},
    {SSL_CTRL_GET_GROUPS, 0, NONE, NULL},
    {SSL_CTRL_GET_RI_SUPPORT, 0, NONE, NULL},
    {SSL_CTRL_GET_PEER_TMP_KEY, 0, PKEY_OUT, NULL},
    {SSL_CTRL_GET_NUM_RENEGOTIATIONS, 0, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, STR, "example.com"},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0, BYTES_OUT, NULL},
    {SSL_CTRL_SET_MTU, 1000, NONE, NULL},
    {DTLS_CTRL_GET_TIMEOUT, 0, PTR_OUT, NULL},
    {0, 0, NONE, NULL},
    {200, 0, NONE, NULL},
    /* setters, in order */
    {SSL_CTRL_SET_SESS_CACHE_SIZE, -1, NONE, NULL},
    {SSL_CTRL_SET_SESS_CACHE_SIZE, 100, NONE, NULL},
    {SSL_CTRL_GET_SESS_CACHE_SIZE, 0, NONE, NULL},
    {SSL_CTRL_SET_SESS_CACHE_SIZE, 20480, NONE, NULL},
    {SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_BOTH, NONE, NULL},
    {SSL_CTRL_GET_SESS_CACHE_MODE, 0, NONE, NULL},
    {SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_SERVER, NONE, NULL},
    {SSL_CTRL_SET_MAX_CERT_LIST, 5000, NONE, NULL},
    {SSL_CTRL_GET_MAX_CERT_LIST, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 100, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 8192, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 0, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 1024, NONE, NULL},
    {SSL_CTRL_SET_SPLIT_SEND_FRAGMENT, 16384, NONE, NULL},
    {SSL_CTRL_SET_MAX_SEND_FRAGMENT, 16384, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 4, NONE, NULL},
    {SSL_CTRL_SET_MAX_PIPELINES, 1, NONE, NULL},
    {SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, STR, "arg"},
    {SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, STR, "arg"},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG, 0, STR, "arg"},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG, 0, PTR_OUT, NULL},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, 1, NONE, NULL},
    {SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE, 0, NONE, NULL},
    {SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, -1, NONE, NULL},
    {SSL_CTRL_MODE, 0x10, NONE, NULL},
    {SSL_CTRL_CLEAR_MODE, 0x10, NONE, NULL},
    {SSL_CTRL_SET_READ_AHEAD, 3, NONE, NULL},
    {SSL_CTRL_GET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_SET_READ_AHEAD, 0, NONE, NULL},
    {SSL_CTRL_CERT_FLAGS, 0, NONE, NULL},
    {SSL_CTRL_CLEAR_CERT_FLAGS, 0, NONE, NULL},
    {SSL_CTRL_SET_DH_AUTO, 1, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NONE, NULL},
    {SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_3_VERSION, NONE, NULL},
    {SSL_CTRL_GET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, 0x999, NONE, NULL},
    {SSL_CTRL_SET_MIN_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_MAX_PROTO_VERSION, 0, NONE, NULL},
    {SSL_CTRL_SET_GROUPS_LIST, 0, STR, "X25519:P-256"},
    {SSL_CTRL_SET_GROUPS_LIST, 0, STR, "bogus"},
    {SSL_CTRL_SET_GROUPS, 2, NIDS, NULL},
    {SSL_CTRL_SET_GROUPS, 0, NIDS, NULL},
    {SSL_CTRL_SET_VERIFY_CERT_STORE, 0, NONE, NULL},
    {SSL_CTRL_SET_CHAIN_CERT_STORE, 0, NONE, NULL},
    {SSL_CTRL_BUILD_CERT_CHAIN, 0, NONE, NULL},
    {SSL_CTRL_SET_TMP_DH, 0, NONE, NULL},
    {SSL_CTRL_SET_TMP_ECDH, 0, NONE, NULL},
    {SSL_CTRL_SET_TMP_DH_CB, 0, NONE, NULL},
    {SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS, 0, NONE, NULL},
    {SSL_CTRL_CHAIN, 1, NONE, NULL},
    {SSL_CTRL_SELECT_CURRENT_CERT, 0, NONE, NULL},
    {SSL_CTRL_SET_CURRENT_CERT, SSL_CERT_SET_FIRST, NONE, NULL},
    {SSL_CTRL_SET_CURRENT_CERT, SSL_CERT_SET_NEXT, NONE, NULL},
    {SSL_CTRL_SET_TLS_EXT_SRP_USERNAME, 0, STR, "user"},
    {SSL_CTRL_SET_SIGALGS_LIST, 0, STR, "ECDSA+SHA256:RSA-PSS+SHA256"},
};

struct cb_probe {
    int cmd;
};

static const int ctx_callbacks[] = {
    SSL_CTRL_SET_MSG_CALLBACK, SSL_CTRL_SET_TMP_DH_CB, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
    SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB, SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB,
    SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB, SSL_CTRL_SET_TLSEXT_DEBUG_CB, 200,
};

static const int ssl_callbacks[] = {
    SSL_CTRL_SET_MSG_CALLBACK, SSL_CTRL_SET_TMP_DH_CB, SSL_CTRL_SET_TLSEXT_DEBUG_CB,
    SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, 200,
};

static void callbacks(const char *state, SSL *s, SSL_CTX *ctx) {
    const int *cmds = s ? ssl_callbacks : ctx_callbacks;
    size_t n = s ? sizeof ssl_callbacks / sizeof(int) : sizeof ctx_callbacks / sizeof(int);
    for (size_t i = 0; i < n; i++) {
        ERR_clear_error();
        long r = s ? SSL_callback_ctrl(s, cmds[i], NULL) : SSL_CTX_callback_ctrl(ctx, cmds[i], NULL);
        char call[64];
        snprintf(call, sizeof call, "%s(%d,NULL)", s ? "SSL_callback_ctrl" : "SSL_CTX_callback_ctrl",
                 cmds[i]);
        line(state, call, r, "");
    }
}

/* The getters that are functions, not ctrl macros, that s_client prints after a handshake. */
static void functions(const char *state, SSL *s) {
    int nid = SENTINEL_INT;
    char out[32];
    ERR_clear_error();
    int r = SSL_get_peer_signature_type_nid(s, &nid);
    snprintf(out, sizeof out, nid == SENTINEL_INT ? "untouched" : "%d", nid);
    line(state, "SSL_get_peer_signature_type_nid", r, out);
    ERR_clear_error();
    r = SSL_get_secure_renegotiation_support(s);
    line(state, "SSL_get_secure_renegotiation_support", r, "");
    ERR_clear_error();
    r = SSL_get_error(s, 0);
    line(state, "SSL_get_error(0)", r, "");
}

/* After a handshake only: OpenSSL dereferences the session (a fresh SSL has none). */
static const struct probe ssl_after[] = {
    {SSL_CTRL_GET_NEGOTIATED_GROUP, 0, NONE, NULL},
};

static void all_getters(const char *state, SSL *s) {
    RUN(state, s, NULL, ssl_getters);
    functions(state, s);
    if (SSL_is_init_finished(s))
        RUN(state, s, NULL, ssl_after);
}

/* ------------------------------------------------------------------ scenarios */

static void fresh(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    RUN("ctx", NULL, ctx, ctx_getters);
    RUN("ctx", NULL, ctx, ctx_fresh);
    ERR_clear_error();
    line("ctx", "SSL_CTX_set_default_verify_store", SSL_CTX_set_default_verify_store(ctx), "");
    callbacks("ctx", NULL, ctx);

    SSL_CTX *c2 = SSL_CTX_new(TLS_method());
    SSL *s = SSL_new(c2);
    all_getters("ssl", s);
    RUN("ssl", s, NULL, ssl_setters);
    callbacks("ssl", s, NULL);
    SSL_free(s);

    s = SSL_new(c2);
    SSL_set_connect_state(s);
    all_getters("client-before", s);
    SSL_free(s);
    s = SSL_new(c2);
    SSL_set_accept_state(s);
    all_getters("server-before", s);
    SSL_free(s);
    SSL_CTX_free(c2);
    SSL_CTX_free(ctx);
}

static int tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("connect");
    return fd;
}

static void client(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (opt("ecdh")) {
        /* SSL_CTX_set_tmp_ecdh: the key's curve becomes the only group offered */
        EC_KEY *k = EC_KEY_new_by_curve_name(OBJ_sn2nid(opt("ecdh")));
        ERR_clear_error();
        long r = SSL_CTX_set_tmp_ecdh(ctx, k);
        line("client-ctx", "SSL_CTX_set_tmp_ecdh", r, "");
        EC_KEY_free(k);
    }
    if (opt("castore")) {
        /* trust through an OSSL_STORE URI, and verify the server */
        ERR_clear_error();
        long r = SSL_CTX_load_verify_store(ctx, opt("castore"));
        line("client-ctx", "SSL_CTX_load_verify_store", r, "");
        ERR_clear_error();
        r = SSL_CTX_load_verify_store(ctx, "file:/nonexistent/ferrossl-test.pem");
        line("client-ctx", "SSL_CTX_load_verify_store(missing)", r, "");
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    SSL *s = SSL_new(ctx);
    int fd = tcp_connect(atoi(need("port")));
    SSL_set_fd(s, fd);
    if (opt("sni"))
        SSL_set_tlsext_host_name(s, opt("sni"));
    if (SSL_connect(s) != 1)
        die("SSL_connect");
    printf("~client: %s %s\n", SSL_get_version(s), SSL_get_cipher_name(s));
    if (opt("castore")) {
        char v[32];
        snprintf(v, sizeof v, "%ld", SSL_get_verify_result(s));
        line("client", "SSL_get_verify_result", 1, v);
    }
    all_getters("client", s);
    RUN("client-ctx", NULL, ctx, ctx_getters);
    SSL_shutdown(s);
    SSL_free(s);
    close(fd);
    SSL_CTX_free(ctx);
}

static void server(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, need("cert")) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, need("key"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1)
        die("configuring the server context");
    if (opt("root")) {
        /* ask for a client certificate, trusting the test root */
        if (SSL_CTX_load_verify_locations(ctx, opt("root"), NULL) != 1)
            die("loading the root");
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(need("port")))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4) != 0)
        die("listen");
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        die("accept");
    struct timeval tv = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (SSL_accept(s) != 1)
        die("SSL_accept");
    printf("~server: %s %s\n", SSL_get_version(s), SSL_get_cipher_name(s));
    all_getters("server", s);
    RUN("server-ctx", NULL, ctx, ctx_getters);
    SSL_shutdown(s);
    SSL_free(s);
    close(fd);
    close(lfd);
    SSL_CTX_free(ctx);
}

/* The current chain, as SSL_CTX_get0_chain_certs gives it: count and subjects. */
static void chain_line(const char *state, SSL_CTX *ctx, SSL *s) {
    STACK_OF(X509) *sk = NULL;
    char out[600] = "";
    size_t used = 0;
    ERR_clear_error();
    long r = s ? SSL_get0_chain_certs(s, &sk) : SSL_CTX_get0_chain_certs(ctx, &sk);
    used += (size_t)snprintf(out, sizeof out, "%d", sk ? sk_X509_num(sk) : -1);
    for (int i = 0; sk && i < sk_X509_num(sk) && used + 100 < sizeof out; i++) {
        char name[256];
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(sk, i)), name, sizeof name);
        used += (size_t)snprintf(out + used, sizeof out - used, " [%s]", name);
    }
    line(state, "chain", r, out);
}

static void build_line(const char *state, SSL_CTX *ctx, SSL *s, long flags) {
    char call[64];
    snprintf(call, sizeof call, "%s(%#lx)", s ? "SSL_build_cert_chain" : "SSL_CTX_build_cert_chain",
             flags);
    ERR_clear_error();
    long r = s ? SSL_build_cert_chain(s, flags) : SSL_CTX_build_cert_chain(ctx, flags);
    line(state, call, r, "");
    chain_line(state, ctx, s);
}

/* SSL_CTX_build_cert_chain with each flag, from a leaf alone and from a loaded chain. */
static void build(void) {
    SSL_CTX *a = SSL_CTX_new(TLS_server_method());
    build_line("empty", a, NULL, 0);
    if (SSL_CTX_use_certificate_file(a, need("cert"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(a, need("root"), NULL) != 1)
        die("loading the leaf");
    build_line("leaf", a, NULL, 0);
    build_line("leaf", a, NULL, SSL_BUILD_CHAIN_FLAG_CHECK);
    build_line("leaf", a, NULL, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR);
    build_line("leaf", a, NULL, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR | SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR);

    SSL_CTX *b = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(b, need("chain")) != 1
        || SSL_CTX_load_verify_locations(b, need("root"), NULL) != 1)
        die("loading the chain");
    chain_line("chain", b, NULL);
    build_line("chain", b, NULL, 0);
    build_line("chain", b, NULL, SSL_BUILD_CHAIN_FLAG_CHECK);
    build_line("chain", b, NULL, SSL_BUILD_CHAIN_FLAG_CHECK | SSL_BUILD_CHAIN_FLAG_NO_ROOT);
    SSL *s = SSL_new(b);
    build_line("chain-ssl", b, s, SSL_BUILD_CHAIN_FLAG_CHECK);
    SSL_free(s);

    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(c, need("chain")) != 1)
        die("loading the chain");
    build_line("untrusted", c, NULL, SSL_BUILD_CHAIN_FLAG_UNTRUSTED);
    build_line("untrusted", c, NULL, SSL_BUILD_CHAIN_FLAG_UNTRUSTED | SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(c);
}

int main(int argc, char **argv) {
    g_argc = argc;
    g_argv = argv;
    alarm(60);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fprintf(stderr, "usage: ctrl fresh|client|server [key=value ...]\n");
        return 2;
    }
    if (strcmp(argv[1], "fresh") == 0)
        fresh();
    else if (strcmp(argv[1], "client") == 0)
        client();
    else if (strcmp(argv[1], "server") == 0)
        server();
    else if (strcmp(argv[1], "build") == 0)
        build();
    else
        return 2;
    return 0;
}
