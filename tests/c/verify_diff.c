/* Peer-certificate verification, one case per run (tests/verify_differential.rs): connects to
 * an `openssl s_server` (or, with --accept, accepts from an `openssl s_client` it starts itself
 * with a clean environment) and prints what the verification left behind. Every connection
 * prints its block; lines that vary between runs start with '~'.
 *
 * Usage: verify_diff [options] (--connect PORT | --accept -- PEER-ARGV...)
 *   --cafile F       SSL_CTX_load_verify_locations(F, NULL)
 *   --capath D       SSL_CTX_load_verify_locations(NULL, D)
 *   --store-add F    every certificate of F through X509_STORE_add_cert (curl's way)
 *   --store-add-later F   the same, after the first connection
 *   --cafile-later F      SSL_CTX_load_verify_locations(F, NULL) after the first connection
 *   --store-flag-later NAME   X509_STORE_set_flags after the first connection
 *   --store-replace-later F   SSL_CTX_set_cert_store with a new store holding F (or
 *                    "empty") after the first connection
 *   --cert F --key F our own certificate chain and key
 *   --host H         SSL_set1_host      --add-host H   SSL_add1_host
 *   --ip A           X509_VERIFY_PARAM_set1_ip_asc
 *   --hostflag NAME  SSL_set_hostflags (or'ed): no_wildcards, never_check_subject,
 *                    no_partial_wildcards, multi_label_wildcards, always_check_subject
 *   --mode M         peer, none, or peer-fail (PEER|FAIL_IF_NO_PEER_CERT)
 *   --depth N        SSL_CTX_set_verify_depth
 *   --flag NAME      X509_VERIFY_PARAM_set_flags on the SSL's param: partial_chain, crl_check,
 *                    crl_check_all, x509_strict, no_check_time
 *   --store-flag NAME   X509_STORE_set_flags on the context's store (same names)
 *   --seclevel N     SSL_CTX_set_security_level
 *   --accept-error N a verify callback that accepts error N (and prints every call);
 *                    N = all: it accepts every error
 *   --max-tls12      SSL_CTX_set_max_proto_version(TLS1_2_VERSION)
 *   --purpose NAME   SSL_CTX_set_purpose (sslserver, sslclient, any, ...)
 *   --repeat N       N connections with the same SSL_CTX */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* -1: no callback; -2: accept every error; else the error accepted. */
static int accept_error = -1;

static int verify_cb(int preverify, X509_STORE_CTX *sctx)
{
    int err = X509_STORE_CTX_get_error(sctx);
    int depth = X509_STORE_CTX_get_error_depth(sctx);
    int ok = preverify || err == accept_error || accept_error == -2;
    printf("callback: depth %d preverify %d error %d -> %d\n", depth, preverify, err, ok);
    return ok;
}

static void die(const char *what)
{
    printf("setup failed: %s\n", what);
    ERR_print_errors_fp(stdout);
    exit(3);
}

static unsigned long verify_flag(const char *name)
{
    static const struct { const char *name; unsigned long flag; } flags[] = {
        {"partial_chain", X509_V_FLAG_PARTIAL_CHAIN}, {"crl_check", X509_V_FLAG_CRL_CHECK},
        {"crl_check_all", X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL},
        {"x509_strict", X509_V_FLAG_X509_STRICT}, {"no_check_time", X509_V_FLAG_NO_CHECK_TIME},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (!strcmp(name, flags[i].name))
            return flags[i].flag;
    die(name);
    return 0;
}

static unsigned int host_flag(const char *name)
{
    static const struct { const char *name; unsigned int flag; } flags[] = {
        {"no_wildcards", X509_CHECK_FLAG_NO_WILDCARDS},
        {"never_check_subject", X509_CHECK_FLAG_NEVER_CHECK_SUBJECT},
        {"no_partial_wildcards", X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS},
        {"multi_label_wildcards", X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS},
        {"always_check_subject", X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (!strcmp(name, flags[i].name))
            return flags[i].flag;
    die(name);
    return 0;
}

/* Adds every certificate of `file` to the context's store with X509_STORE_add_cert. */
static void store_add(SSL_CTX *ctx, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die(file);
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    X509 *x;
    int n = 0;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        if (!X509_STORE_add_cert(store, x))
            die("X509_STORE_add_cert");
        X509_free(x);
        n++;
    }
    ERR_clear_error();
    fclose(f);
    printf("store: added %d certificates\n", n);
}

/* What changes in the trust settings after the first connection. */
static void change_store(SSL_CTX *ctx, const char *add, const char *cafile, unsigned long flags,
                         const char *replace)
{
    if (add)
        store_add(ctx, add);
    if (cafile && !SSL_CTX_load_verify_locations(ctx, cafile, NULL))
        die("SSL_CTX_load_verify_locations (later)");
    if (flags)
        X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx), flags);
    if (replace) {
        X509_STORE *store = X509_STORE_new();
        if (!store || (strcmp(replace, "empty") && !X509_STORE_load_file(store, replace)))
            die("X509_STORE_load_file");
        SSL_CTX_set_cert_store(ctx, store);
        printf("store: replaced\n");
    }
}

static void print_chain(const char *what, STACK_OF(X509) *chain)
{
    if (!chain) {
        printf("%s: none\n", what);
        return;
    }
    printf("%s: %d\n", what, sk_X509_num(chain));
    for (int i = 0; i < sk_X509_num(chain); i++) {
        char buf[256];
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, i)), buf, sizeof(buf));
        printf("%s[%d]: %s\n", what, i, buf);
    }
}

/* What one handshake left behind. */
static void report(SSL *ssl, int ret)
{
    if (ret == 1) {
        printf("handshake ok: %s\n", SSL_get_version(ssl));
    } else {
        unsigned long e = ERR_peek_error();
        printf("handshake failed: SSL_get_error %d reason %d\n", SSL_get_error(ssl, ret),
               e ? ERR_GET_REASON(e) : 0);
    }
    ERR_clear_error();
    long v = SSL_get_verify_result(ssl);
    printf("verify result: %ld (%s)\n", v, X509_verify_cert_error_string(v));
    const char *peername = SSL_get0_peername(ssl);
    printf("peername: %s\n", peername ? peername : "(null)");
    print_chain("verified chain", SSL_get0_verified_chain(ssl));
    print_chain("peer cert chain", SSL_get_peer_cert_chain(ssl));
    X509 *peer = SSL_get0_peer_certificate(ssl);
    char buf[256] = "(none)";
    if (peer)
        X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof(buf));
    printf("peer certificate: %s\n", buf);
}

static void set_timeout(int fd)
{
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("connect");
    set_timeout(fd);
    return fd;
}

/* Starts `argv` (with "{port}" replaced) as the peer, on a clean environment and /dev/null. */
static pid_t start_peer(char **argv, int port)
{
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    char *args[64];
    char bufs[64][512];
    int n = 0;
    for (; argv[n] && n < 63; n++) {
        const char *at = strstr(argv[n], "{port}");
        if (at) {
            snprintf(bufs[n], sizeof(bufs[n]), "%.*s%s%s", (int)(at - argv[n]), argv[n],
                     portstr, at + 6);
            args[n] = bufs[n];
        } else {
            args[n] = argv[n];
        }
    }
    args[n] = NULL;
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    char *env[] = {"PATH=/usr/bin:/bin", NULL};
    execve(args[0], args, env);
    _exit(127);
}

/* Waits up to 10 s for the peer to exit, then kills it. */
static void reap(pid_t pid)
{
    int status;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

static int accept_from(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, 20000) != 1)
        die("no peer connected");
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        die("accept");
    set_timeout(fd);
    return fd;
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *capath = NULL, *store_file = NULL, *later_file = NULL;
    const char *later_cafile = NULL, *replace_file = NULL;
    unsigned long later_flags = 0;
    const char *cert = NULL, *key = NULL, *host = NULL, *ip = NULL, *mode = "peer";
    const char *purpose = NULL, *add_host = NULL;
    unsigned long flags = 0, store_flags = 0;
    unsigned int hostflags = 0;
    int port = 0, accept_mode = 0, depth = -1, seclevel = -1, repeat = 1, max_tls12 = 0;
    char **peer_argv = NULL;

    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--accept") || !strcmp(o, "--max-tls12")) {
            *(o[2] == 'a' ? &accept_mode : &max_tls12) = 1;
            continue;
        }
        if (!strcmp(o, "--")) {
            peer_argv = argv + i + 1;
            break;
        }
        if (i + 1 >= argc)
            die(o);
        const char *v = argv[++i];
        if (!strcmp(o, "--connect")) port = atoi(v);
        else if (!strcmp(o, "--cafile")) cafile = v;
        else if (!strcmp(o, "--capath")) capath = v;
        else if (!strcmp(o, "--store-add")) store_file = v;
        else if (!strcmp(o, "--store-add-later")) later_file = v;
        else if (!strcmp(o, "--cafile-later")) later_cafile = v;
        else if (!strcmp(o, "--store-flag-later")) later_flags |= verify_flag(v);
        else if (!strcmp(o, "--store-replace-later")) replace_file = v;
        else if (!strcmp(o, "--cert")) cert = v;
        else if (!strcmp(o, "--key")) key = v;
        else if (!strcmp(o, "--host")) host = v;
        else if (!strcmp(o, "--add-host")) add_host = v;
        else if (!strcmp(o, "--ip")) ip = v;
        else if (!strcmp(o, "--hostflag")) hostflags |= host_flag(v);
        else if (!strcmp(o, "--mode")) mode = v;
        else if (!strcmp(o, "--depth")) depth = atoi(v);
        else if (!strcmp(o, "--flag")) flags |= verify_flag(v);
        else if (!strcmp(o, "--store-flag")) store_flags |= verify_flag(v);
        else if (!strcmp(o, "--seclevel")) seclevel = atoi(v);
        else if (!strcmp(o, "--accept-error")) accept_error = strcmp(v, "all") ? atoi(v) : -2;
        else if (!strcmp(o, "--purpose")) purpose = v;
        else if (!strcmp(o, "--repeat")) repeat = atoi(v);
        else die(o);
    }
    if (accept_mode ? !peer_argv : !port)
        die("--connect PORT or --accept -- PEER");

    SSL_CTX *ctx = SSL_CTX_new(accept_mode ? TLS_server_method() : TLS_client_method());
    if (!ctx)
        die("SSL_CTX_new");
    if (seclevel >= 0)
        SSL_CTX_set_security_level(ctx, seclevel);
    if (max_tls12 && !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION))
        die("SSL_CTX_set_max_proto_version");
    if ((cafile || capath) && !SSL_CTX_load_verify_locations(ctx, cafile, capath))
        die("SSL_CTX_load_verify_locations");
    if (store_file)
        store_add(ctx, store_file);
    if (store_flags)
        X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx), store_flags);
    if (cert && (!SSL_CTX_use_certificate_chain_file(ctx, cert)
                 || !SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)))
        die("our certificate");
    int vmode = !strcmp(mode, "none") ? SSL_VERIFY_NONE
              : !strcmp(mode, "peer") ? SSL_VERIFY_PEER
              : !strcmp(mode, "peer-fail") ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
              : -1;
    if (vmode < 0)
        die(mode);
    SSL_CTX_set_verify(ctx, vmode, accept_error != -1 ? verify_cb : NULL);
    if (depth >= 0)
        SSL_CTX_set_verify_depth(ctx, depth);
    if (purpose) {
        int idx = X509_PURPOSE_get_by_sname(purpose);
        if (idx < 0 || !SSL_CTX_set_purpose(ctx, X509_PURPOSE_get_id(X509_PURPOSE_get0(idx))))
            die(purpose);
    }

    int lfd = -1;
    if (accept_mode) {
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sa);
        if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0
            || getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
            die("listen");
        port = ntohs(sa.sin_port);
    }

    for (int n = 1; n <= repeat; n++) {
        printf("== connection %d\n", n);
        pid_t peer = accept_mode ? start_peer(peer_argv, port) : 0;
        int fd = accept_mode ? accept_from(lfd) : connect_to(port);
        SSL *ssl = SSL_new(ctx);
        if (!ssl)
            die("SSL_new");
        if (host && !SSL_set1_host(ssl, host))
            die("SSL_set1_host");
        if (add_host && !SSL_add1_host(ssl, add_host))
            die("SSL_add1_host");
        if (ip && !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip))
            die("X509_VERIFY_PARAM_set1_ip_asc");
        if (hostflags)
            SSL_set_hostflags(ssl, hostflags);
        if (flags)
            X509_VERIFY_PARAM_set_flags(SSL_get0_param(ssl), flags);
        SSL_set_fd(ssl, fd);
        int ret = accept_mode ? SSL_accept(ssl) : SSL_connect(ssl);
        report(ssl, ret);
        if (ret == 1)
            SSL_shutdown(ssl);
        SSL_free(ssl);
        close(fd);
        if (peer > 0)
            reap(peer);
        if (n == 1)
            change_store(ctx, later_file, later_cafile, later_flags, replace_file);
    }
    if (lfd >= 0)
        close(lfd);
    SSL_CTX_free(ctx);
    printf("done\n");
    return 0;
}
