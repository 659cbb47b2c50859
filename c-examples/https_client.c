/*
 * https_client: a small blocking HTTPS/1.1 client written against OpenSSL 3.0's public
 * libssl API only. It is compiled once against the system OpenSSL headers and then run
 * unchanged against either OpenSSL's libssl.so.3 or ferrossl's (LD_LIBRARY_PATH).
 *
 *   usage: https_client [-CAfile file] [-alpn proto,...] host port [path]
 *
 * Prints, one per line (and nothing timing-dependent):
 *   protocol: TLSv1.3
 *   cipher: TLS_AES_256_GCM_SHA384
 *   group: x25519
 *   tmp-key: X25519, 253 bits
 *   alpn: http/1.1            ("alpn: none" when nothing was negotiated)
 *   verify: ok
 *   peer: /CN=localhost
 *   status: HTTP/1.1 200 OK
 *   body-bytes: 1234          (raw bytes after the header block; no de-chunking)
 *   close: close_notify       ("close: eof" when the peer closed without close_notify)
 *
 * On any failure the OpenSSL error queue is printed to stderr and the exit status is 1.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static void usage(void)
{
    fprintf(stderr, "usage: https_client [-CAfile file] [-alpn proto,...] host port [path]\n");
    exit(2);
}

static void die(const char *what)
{
    fprintf(stderr, "https_client: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* Names SSL_get_error()'s result, for diagnostics. */
static const char *ssl_error_name(int e)
{
    switch (e) {
    case SSL_ERROR_NONE: return "SSL_ERROR_NONE";
    case SSL_ERROR_SSL: return "SSL_ERROR_SSL";
    case SSL_ERROR_WANT_READ: return "SSL_ERROR_WANT_READ";
    case SSL_ERROR_WANT_WRITE: return "SSL_ERROR_WANT_WRITE";
    case SSL_ERROR_WANT_X509_LOOKUP: return "SSL_ERROR_WANT_X509_LOOKUP";
    case SSL_ERROR_SYSCALL: return "SSL_ERROR_SYSCALL";
    case SSL_ERROR_ZERO_RETURN: return "SSL_ERROR_ZERO_RETURN";
    case SSL_ERROR_WANT_CONNECT: return "SSL_ERROR_WANT_CONNECT";
    case SSL_ERROR_WANT_ACCEPT: return "SSL_ERROR_WANT_ACCEPT";
    default: return "SSL_ERROR_<other>";
    }
}

/* Reports a failed SSL_* I/O call (ret <= 0) and exits. */
static void die_ssl(SSL *ssl, const char *what, int ret, int err)
{
    int saved_errno = errno;

    fprintf(stderr, "https_client: %s failed: ret=%d %s", what, ret, ssl_error_name(err));
    if (err == SSL_ERROR_SYSCALL)
        fprintf(stderr, " (errno %d: %s)", saved_errno,
                saved_errno ? strerror(saved_errno) : "unexpected EOF");
    fputc('\n', stderr);
    if (ssl != NULL) {
        long vr = SSL_get_verify_result(ssl);

        if (vr != X509_V_OK)
            fprintf(stderr, "https_client: certificate verify error %ld: %s\n", vr,
                    X509_verify_cert_error_string(vr));
    }
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* "h2,http/1.1" -> ALPN wire format (length-prefixed protocol names). */
static unsigned char *alpn_wire(const char *list, unsigned int *outlen)
{
    size_t n = strlen(list);
    unsigned char *out = malloc(n + 1);
    size_t o = 0;
    const char *p = list;

    if (out == NULL)
        return NULL;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (len == 0 || len > 255) {
            free(out);
            return NULL;
        }
        out[o++] = (unsigned char)len;
        memcpy(out + o, p, len);
        o += len;
        p += len;
        if (*p == ',')
            p++;
    }
    if (o == 0) {
        free(out);
        return NULL;
    }
    *outlen = (unsigned int)o;
    return out;
}

static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "https_client: getaddrinfo(%s, %s): %s\n", host, port, gai_strerror(rc));
        exit(1);
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "https_client: cannot connect to %s port %s: %s\n", host, port,
                strerror(errno));
        exit(1);
    }
    return fd;
}

static int is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void print_group(SSL *ssl)
{
    /* OpenSSL 3.0: SSL_get_negotiated_group() (a macro over SSL_ctrl) returns a NID, or
     * TLSEXT_nid_unknown|group_id for groups without a NID; SSL_group_to_name() takes that
     * same value and returns the TLS name ("x25519", "secp256r1", ...). */
    int nid = (int)SSL_get_negotiated_group(ssl);
    const char *name = NULL;

    if (nid == 0 || nid == NID_undef) {
        printf("group: none\n");
        return;
    }
    name = SSL_group_to_name(ssl, nid);
    if (name != NULL) {
        printf("group: %s\n", name);
        return;
    }
    /* Not expected with OpenSSL for any standard group; say so rather than hide it. */
    ERR_clear_error();
    if ((nid & TLSEXT_nid_unknown) == 0 && OBJ_nid2sn(nid) != NULL)
        printf("group: %s (OBJ_nid2sn; SSL_group_to_name gave NULL)\n", OBJ_nid2sn(nid));
    else
        printf("group: unknown(0x%04x)\n", nid & 0xffff);
}

static void print_tmp_key(SSL *ssl)
{
    EVP_PKEY *key = NULL;

    if (!SSL_get_peer_tmp_key(ssl, &key) || key == NULL) {
        ERR_clear_error();
        printf("tmp-key: none\n");
        return;
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        char curve[80];
        size_t len = 0;

        if (!EVP_PKEY_get_group_name(key, curve, sizeof(curve), &len))
            strcpy(curve, "unknown");
        printf("tmp-key: ECDH, %s, %d bits\n", curve, EVP_PKEY_get_bits(key));
    } else if (EVP_PKEY_is_a(key, "DH")) {
        printf("tmp-key: DH, %d bits\n", EVP_PKEY_get_bits(key));
    } else {
        printf("tmp-key: %s, %d bits\n", OBJ_nid2sn(EVP_PKEY_get_id(key)), EVP_PKEY_get_bits(key));
    }
    EVP_PKEY_free(key);
}

/* Writes all of buf, retrying as SSL_get_error() says. */
static void ssl_write_all(SSL *ssl, const char *buf, int len)
{
    while (len > 0) {
        int n = SSL_write(ssl, buf, len);

        if (n > 0) {
            buf += n;
            len -= n;
            continue;
        }
        {
            int err = SSL_get_error(ssl, n);

            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
                continue; /* blocking socket: only happens around renegotiation/KeyUpdate */
            die_ssl(ssl, "SSL_write", n, err);
        }
    }
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *alpn = NULL, *host, *port, *path = "/";
    SSL_CTX *ctx;
    SSL *ssl;
    X509 *peer;
    const unsigned char *sel = NULL;
    unsigned int sel_len = 0;
    char *req = NULL, *resp = NULL;
    size_t resp_len = 0, resp_cap = 0;
    int fd, n, i, clean_close = 0;
    long vr;

    /* A peer that already closed the TCP connection must not kill us with SIGPIPE when
     * SSL_shutdown() sends close_notify. */
    signal(SIGPIPE, SIG_IGN);

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "-CAfile") == 0 && i + 1 < argc)
            cafile = argv[++i];
        else if (strcmp(argv[i], "-alpn") == 0 && i + 1 < argc)
            alpn = argv[++i];
        else
            usage();
    }
    if (argc - i < 2 || argc - i > 3)
        usage();
    host = argv[i];
    port = argv[i + 1];
    if (argc - i == 3)
        path = argv[i + 2];

    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (cafile != NULL) {
        if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
            die("SSL_CTX_load_verify_locations");
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        die("SSL_CTX_set_default_verify_paths");
    }

    ssl = SSL_new(ctx);
    if (ssl == NULL)
        die("SSL_new");
    if (is_ip_literal(host)) {
        /* No SNI for IP literals (RFC 6066 section 3); check the IP SAN instead. */
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1)
            die("X509_VERIFY_PARAM_set1_ip_asc");
    } else {
        if (SSL_set_tlsext_host_name(ssl, host) != 1)
            die("SSL_set_tlsext_host_name");
        if (SSL_set1_host(ssl, host) != 1)
            die("SSL_set1_host");
    }
    if (alpn != NULL) {
        unsigned int wlen = 0;
        unsigned char *wire = alpn_wire(alpn, &wlen);

        if (wire == NULL) {
            fprintf(stderr, "https_client: bad -alpn list '%s'\n", alpn);
            exit(2);
        }
        /* Careful: SSL_set_alpn_protos returns 0 on success (unlike almost everything else). */
        if (SSL_set_alpn_protos(ssl, wire, wlen) != 0)
            die("SSL_set_alpn_protos");
        free(wire);
    }

    fd = tcp_connect(host, port);
    if (SSL_set_fd(ssl, fd) != 1)
        die("SSL_set_fd");

    for (;;) {
        int r = SSL_connect(ssl);

        if (r == 1)
            break;
        {
            int err = SSL_get_error(ssl, r);

            if (r < 0 && (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE))
                continue;
            die_ssl(ssl, "SSL_connect", r, err);
        }
    }

    printf("protocol: %s\n", SSL_get_version(ssl));
    printf("cipher: %s\n", SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
    print_group(ssl);
    print_tmp_key(ssl);
    SSL_get0_alpn_selected(ssl, &sel, &sel_len);
    if (sel != NULL && sel_len > 0)
        printf("alpn: %.*s\n", (int)sel_len, (const char *)sel);
    else
        printf("alpn: none\n");
    vr = SSL_get_verify_result(ssl);
    if (vr == X509_V_OK)
        printf("verify: ok\n");
    else
        printf("verify: error %ld (%s)\n", vr, X509_verify_cert_error_string(vr));
    peer = SSL_get1_peer_certificate(ssl);
    if (peer != NULL) {
        char *subj = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);

        printf("peer: %s\n", subj != NULL ? subj : "?");
        OPENSSL_free(subj);
        X509_free(peer);
    } else {
        printf("peer: none\n");
    }
    fflush(stdout);

    n = snprintf(NULL, 0, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: https_client\r\n"
                          "Accept: */*\r\nConnection: close\r\n\r\n", path, host, port);
    req = malloc((size_t)n + 1);
    if (req == NULL)
        die("malloc");
    snprintf(req, (size_t)n + 1, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: https_client\r\n"
                                 "Accept: */*\r\nConnection: close\r\n\r\n", path, host, port);
    ssl_write_all(ssl, req, n);
    free(req);

    for (;;) {
        int r, err;

        if (resp_cap - resp_len < 16384) {
            char *p = realloc(resp, resp_cap + 65536);

            if (p == NULL)
                die("realloc");
            resp = p;
            resp_cap += 65536;
        }
        errno = 0;
        r = SSL_read(ssl, resp + resp_len, (int)(resp_cap - resp_len));
        if (r > 0) {
            resp_len += (size_t)r;
            continue;
        }
        err = SSL_get_error(ssl, r);
        if (err == SSL_ERROR_ZERO_RETURN) { /* peer sent close_notify */
            clean_close = 1;
            break;
        }
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
            continue;
        if (err == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0)
            break; /* EOF without close_notify (pre-3.0 style report) */
        if (err == SSL_ERROR_SSL
            && ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_SSL
            && ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error(); /* EOF without close_notify (OpenSSL 3.0 report) */
            break;
        }
        die_ssl(ssl, "SSL_read", r, err);
    }

    {
        size_t eol = 0, hdr_end = resp_len, k;

        while (eol < resp_len && resp[eol] != '\r' && resp[eol] != '\n')
            eol++;
        for (k = 0; k + 3 < resp_len; k++) {
            if (memcmp(resp + k, "\r\n\r\n", 4) == 0) {
                hdr_end = k + 4;
                break;
            }
        }
        if (resp_len == 0) {
            fprintf(stderr, "https_client: empty response\n");
            exit(1);
        }
        printf("status: %.*s\n", (int)eol, resp);
        printf("body-bytes: %zu\n", resp_len - hdr_end);
        printf("close: %s\n", clean_close ? "close_notify" : "eof");
    }
    free(resp);

    /* Send our close_notify. Having already received the peer's, 1 is expected; a peer that
     * vanished without close_notify leaves us with 0 (sent, not received), which is fine. */
    if (SSL_shutdown(ssl) < 0) {
        int err = SSL_get_error(ssl, -1);

        /* The peer may already have closed the TCP connection (EPIPE etc.); not fatal. */
        if (err != SSL_ERROR_SYSCALL)
            die_ssl(ssl, "SSL_shutdown", -1, err);
        ERR_clear_error();
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}
