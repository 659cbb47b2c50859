/* SSL_CONF_* differential: runs a fixed list of SSL_CONF_cmd calls (configuration-file and
 * command-line forms, with and without an SSL_CTX or SSL attached, with prefixes and flag sets)
 * and prints, for each, the return value, the errors queued and what changed in the context.
 * tests/conf_differential.rs runs it on OpenSSL's libssl and on ferrossl and compares.
 *
 * Usage: conf CERT KEY CERT_AND_KEY CA_FILE CA_DIR DH_PARAMS
 *
 * Only what both libraries must agree on is printed: the reason code of every queued error (and
 * its data for SSL_CONF's own "unknown cmd name" and "bad value"), option bits set and cleared,
 * the protocol bounds, the verify mode, the ticket count and the enabled suites among the nine
 * ferrossl implements. */
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *cert, *key, *cert_and_key, *ca_file, *ca_dir, *dh_file;

/* The suites ferrossl implements; OpenSSL's longer list is filtered to these. */
static const char *const suites[] = {
    "TLS_AES_256_GCM_SHA384",        "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",        "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",   "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
};

/* Prints SSL_CONF_cmd's own errors (bad value, invalid NULL command name, unknown command
 * name) with their data; the errors of the setters it calls (SSL_CTX_set_cipher_list, ...) and
 * of libcrypto are only counted. */
static void errors(void)
{
    const char *data;
    int flags, others = 0;
    unsigned long e;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        int reason = ERR_GET_REASON(e);
        if (ERR_GET_LIB(e) == ERR_LIB_SSL && reason >= 384 && reason <= 386)
            printf("  error %d [%s]\n", reason, (flags & ERR_TXT_STRING) ? data : "");
        else
            others++;
    }
    if (others)
        printf("~ %d other errors\n", others);
}

struct state {
    uint64_t options;
    long min, max;
    int verify;
    size_t tickets;
    int key_ok;
    char ciphers[512];
};

static void ciphers_of(SSL *s, char *out, size_t n)
{
    const char *c;
    int i;

    out[0] = '\0';
    for (i = 0; (c = SSL_get_cipher_list(s, i)) != NULL; i++) {
        size_t j;
        for (j = 0; j < sizeof(suites) / sizeof(suites[0]); j++) {
            if (strcmp(c, suites[j]) == 0) {
                strncat(out, c, n - strlen(out) - 1);
                strncat(out, " ", n - strlen(out) - 1);
            }
        }
    }
}

static void snapshot(SSL_CTX *ctx, SSL *ssl, struct state *st)
{
    if (ssl != NULL) {
        st->options = SSL_get_options(ssl);
        st->min = SSL_get_min_proto_version(ssl);
        st->max = SSL_get_max_proto_version(ssl);
        st->verify = SSL_get_verify_mode(ssl);
        st->tickets = SSL_get_num_tickets(ssl);
        st->key_ok = SSL_check_private_key(ssl);
        ciphers_of(ssl, st->ciphers, sizeof(st->ciphers));
    } else {
        SSL *s = SSL_new(ctx);
        st->options = SSL_CTX_get_options(ctx);
        st->min = SSL_CTX_get_min_proto_version(ctx);
        st->max = SSL_CTX_get_max_proto_version(ctx);
        st->verify = SSL_CTX_get_verify_mode(ctx);
        st->tickets = SSL_CTX_get_num_tickets(ctx);
        st->key_ok = SSL_CTX_check_private_key(ctx);
        ciphers_of(s, st->ciphers, sizeof(st->ciphers));
        SSL_free(s);
    }
    ERR_clear_error();
}

/* After a failed command (rv <= 0) the cipher line is left out of the comparison: OpenSSL's
 * SSL_CTX_set_cipher_list empties the TLS 1.2 list before failing with "no cipher match",
 * ferrossl's leaves the list as it was. */
static void changes(const struct state *a, const struct state *b, int rv)
{
    if (a->options != b->options)
        printf("  options +%llx -%llx\n", (unsigned long long)(b->options & ~a->options),
               (unsigned long long)(a->options & ~b->options));
    if (a->min != b->min || a->max != b->max)
        printf("  versions %lx..%lx\n", b->min, b->max);
    if (a->verify != b->verify)
        printf("  verify %d\n", b->verify);
    if (a->tickets != b->tickets)
        printf("  tickets %zu\n", b->tickets);
    if (a->key_ok != b->key_ok)
        printf("  key %s\n", b->key_ok ? "usable" : "unusable");
    if (strcmp(a->ciphers, b->ciphers) != 0)
        printf("%s ciphers %s\n", rv > 0 ? " " : "~", b->ciphers);
}

/* One SSL_CONF_cmd on `cc`; `ctx`/`ssl` are what it is attached to (for the state), if any. */
static void cmd(SSL_CONF_CTX *cc, SSL_CTX *ctx, SSL *ssl, const char *name, const char *value)
{
    struct state before, after;
    int rv;

    if (ctx != NULL || ssl != NULL)
        snapshot(ctx, ssl, &before);
    rv = SSL_CONF_cmd(cc, name, value);
    printf("%s %s -> %d\n", name ? name : "(null)", value ? value : "(null)", rv);
    errors();
    if (ctx != NULL || ssl != NULL) {
        snapshot(ctx, ssl, &after);
        changes(&before, &after, rv);
    }
}

static SSL_CONF_CTX *conf(unsigned flags, SSL_CTX *ctx, const char *title)
{
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();

    printf("== %s (flags %#x)\n", title, flags);
    SSL_CONF_CTX_set_flags(cc, flags);
    if (ctx != NULL)
        SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
    return cc;
}

#define FILE_SRV (SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_SHOW_ERRORS)
#define CERTS SSL_CONF_FLAG_CERTIFICATE

/* Each command runs on a fresh server context, as nginx configures one per server block. */
static void file_server_commands(void)
{
    static const char *const cases[][2] = {
        {"Ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"},
        {"Ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"},
        {"Ciphersuites", "TLS_BOGUS"},
        {"Ciphersuites", "TLS_BOGUS:TLS_AES_128_GCM_SHA256"},
        {"Ciphersuites", ""},
        {"ciphersuites", "TLS_AES_128_GCM_SHA256"},
        {"CipherString", "ECDHE+AESGCM"},
        {"CipherString", "ECDHE-RSA-CHACHA20-POLY1305"},
        {"CipherString", "BOGUS"},
        {"CipherString", "DEFAULT:!CHACHA20"},
        {"Groups", "X25519"},
        {"Groups", "P-256:P-384"},
        {"Groups", "bogus"},
        {"Groups", ""},
        {"Curves", "X25519:prime256v1"},
        {"ECDHParameters", "auto"},
        {"ECDHParameters", "automatic"},
        {"ECDHParameters", "+Automatic"},
        {"ECDHParameters", "P-256"},
        {"ECDHParameters", "P-256:P-384"},
        {"ECDHParameters", "bogus"},
        {"MinProtocol", "TLSv1.3"},
        {"MinProtocol", "TLSv1.2"},
        {"MinProtocol", "TLSv1.1"},
        {"MinProtocol", "TLSv1"},
        {"MinProtocol", "SSLv3"},
        {"MinProtocol", "None"},
        {"MinProtocol", "DTLSv1.2"},
        {"MinProtocol", "tlsv1.2"},
        {"MinProtocol", "TLSv1.4"},
        {"MinProtocol", ""},
        {"MaxProtocol", "TLSv1.2"},
        {"MaxProtocol", "TLSv1.3"},
        {"maxprotocol", "None"},
        {"Protocol", "-ALL,TLSv1.2"},
        {"Protocol", "ALL,-TLSv1.1"},
        {"Protocol", "-TLSv1.3"},
        {"Protocol", " -tlsv1.2 , -TLSv1 "},
        {"Protocol", "-SSLv2"},
        {"Protocol", "-DTLSv1"},
        {"Protocol", "+TLSv1.3"},
        {"Protocol", "-TLSv1.3,bogus,-TLSv1.2"},
        {"Protocol", "-TLSv1.3,"},
        {"Protocol", ""},
        {"Options", "-SessionTicket"},
        {"Options", "SessionTicket"},
        {"Options", "ServerPreference"},
        {"Options", "-SessionTicket,ServerPreference,PrioritizeChaCha"},
        {"Options", " serverpreference , -sessionticket "},
        {"Options", "Compression"},
        {"Options", "-Compression"},
        {"Options", "Bugs"},
        {"Options", "-EmptyFragments"},
        {"Options", "NoRenegotiation,NoResumptionOnRenegotiation"},
        {"Options", "UnsafeLegacyRenegotiation,UnsafeLegacyServerConnect"},
        {"Options", "ClientRenegotiation"},
        {"Options", "-EncryptThenMac"},
        {"Options", "-MiddleboxCompat"},
        {"Options", "-AntiReplay"},
        {"Options", "-ExtendedMasterSecret"},
        {"Options", "-CANames"},
        {"Options", "KTLS"},
        {"Options", "AllowNoDHEKEX"},
        {"Options", "DHSingle,ECDHSingle"},
        {"Options", "IgnoreUnexpectedEOF"},
        {"Options", "ServerPreference,Bogus,-SessionTicket"},
        {"Options", "ServerPreference,"},
        {"Options", "+ServerPreference"},
        {"Options", "-"},
        {"Options", ""},
        {"VerifyMode", "Peer"},
        {"VerifyMode", "Request"},
        {"VerifyMode", "Require"},
        {"VerifyMode", "Once"},
        {"VerifyMode", "Require,Once"},
        {"VerifyMode", "Request,-Request"},
        {"VerifyMode", "bogus"},
        {"NumTickets", "0"},
        {"NumTickets", "5"},
        {"NumTickets", " 3x"},
        {"NumTickets", "-1"},
        {"NumTickets", "abc"},
        {"RecordPadding", "0"},
        {"RecordPadding", "1"},
        {"RecordPadding", "-1"},
        {"RecordPadding", "20000"},
        {"Bogus", "x"},
        {"", "x"},
        {"-no_ticket", NULL},
        {"Options", NULL},
        {"Ciphersuites", NULL},
        {"MinProtocol", NULL},
        {NULL, "x"},
    };
    size_t i;

    printf("== file, server\n");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
        SSL_CONF_CTX_set_flags(cc, FILE_SRV);
        SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
        cmd(cc, ctx, NULL, cases[i][0], cases[i][1]);
        SSL_CONF_CTX_free(cc);
        SSL_CTX_free(ctx);
    }
}

static void certificate_commands(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *cc;

    cc = conf(FILE_SRV, ctx, "certificates without SSL_CONF_FLAG_CERTIFICATE");
    cmd(cc, ctx, NULL, "Certificate", cert);
    cmd(cc, ctx, NULL, "PrivateKey", key);
    cmd(cc, ctx, NULL, "VerifyCAFile", ca_file);
    SSL_CONF_CTX_free(cc);

    cc = conf(FILE_SRV | CERTS, ctx, "certificates");
    cmd(cc, ctx, NULL, "Certificate", "/nonexistent/cert.pem");
    cmd(cc, ctx, NULL, "PrivateKey", "/nonexistent/key.pem");
    cmd(cc, ctx, NULL, "Certificate", cert);
    cmd(cc, ctx, NULL, "PrivateKey", key);
    cmd(cc, ctx, NULL, "VerifyCAFile", ca_file);
    cmd(cc, ctx, NULL, "VerifyCAFile", "/nonexistent/ca.pem");
    cmd(cc, ctx, NULL, "VerifyCAPath", ca_dir);
    cmd(cc, ctx, NULL, "RequestCAFile", ca_file);
    cmd(cc, ctx, NULL, "ClientCAFile", ca_file);
    cmd(cc, ctx, NULL, "RequestCAFile", "/nonexistent/ca.pem");
    cmd(cc, ctx, NULL, "RequestCAFile", key);
    cmd(cc, ctx, NULL, "RequestCAPath", ca_dir);
    cmd(cc, ctx, NULL, "ClientCAPath", "/nonexistent");
    cmd(cc, ctx, NULL, "DHParameters", "/nonexistent/dh.pem");
    cmd(cc, ctx, NULL, "DHParameters", cert);
    cmd(cc, ctx, NULL, "DHParameters", dh_file);
    printf("finish -> %d\n", SSL_CONF_CTX_finish(cc));
    errors();
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);

    /* SSL_CONF_FLAG_REQUIRE_PRIVATE: finish loads the key from the certificate's file. */
    ctx = SSL_CTX_new(TLS_server_method());
    cc = conf(FILE_SRV | CERTS | SSL_CONF_FLAG_REQUIRE_PRIVATE, ctx, "require private");
    cmd(cc, ctx, NULL, "Certificate", cert_and_key);
    printf("finish -> %d\n", SSL_CONF_CTX_finish(cc));
    printf("key %d\n", SSL_CTX_check_private_key(ctx));
    errors();
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);

    ctx = SSL_CTX_new(TLS_server_method());
    cc = conf(FILE_SRV | CERTS | SSL_CONF_FLAG_REQUIRE_PRIVATE, ctx,
              "require private, key missing");
    cmd(cc, ctx, NULL, "Certificate", cert);
    printf("finish -> %d\n", SSL_CONF_CTX_finish(cc));
    errors();
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);
}

static void command_line(void)
{
    static const char *const cases[][2] = {
        {"-cipher", "ECDHE+CHACHA20"},
        {"-ciphersuites", "TLS_AES_256_GCM_SHA384"},
        {"-groups", "X25519"},
        {"-curves", "bogus"},
        {"-named_curve", "auto"},
        {"-min_protocol", "TLSv1.3"},
        {"-max_protocol", "TLSv1.2"},
        {"-num_tickets", "1"},
        {"-record_padding", "0"},
        {"-no_ssl3", NULL},
        {"-no_tls1", NULL},
        {"-no_tls1_1", NULL},
        {"-no_tls1_2", "ignored"},
        {"-no_tls1_3", NULL},
        {"-bugs", NULL},
        {"-no_comp", NULL},
        {"-comp", NULL},
        {"-ecdh_single", NULL},
        {"-no_ticket", NULL},
        {"-serverpref", NULL},
        {"-legacy_renegotiation", NULL},
        {"-client_renegotiation", NULL},
        {"-legacy_server_connect", NULL},
        {"-no_renegotiation", NULL},
        {"-no_resumption_on_reneg", NULL},
        {"-no_legacy_server_connect", NULL},
        {"-allow_no_dhe_kex", NULL},
        {"-prioritize_chacha", NULL},
        {"-strict", NULL},
        {"-no_middlebox", NULL},
        {"-anti_replay", NULL},
        {"-no_anti_replay", NULL},
        {"-no_etm", NULL},
        {"-no_ems", NULL},
        {"-cert", "x"},
        {"-Options", "-SessionTicket"},
        {"Options", "-SessionTicket"},
        {"cipher", "AESGCM"},
        {"-CIPHER", "AESGCM"},
        {"-", NULL},
        {"-cipher", NULL},
        {"-verifyCAfile", "x"},
    };
    size_t i;

    printf("== command line, server\n");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
        SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER
                                       | SSL_CONF_FLAG_SHOW_ERRORS);
        SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
        cmd(cc, ctx, NULL, cases[i][0], cases[i][1]);
        SSL_CONF_CTX_free(cc);
        SSL_CTX_free(ctx);
    }
}

static void flag_sets(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL_CONF_CTX *cc;

    cc = conf(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT, ctx, "file, client, errors hidden");
    cmd(cc, ctx, NULL, "VerifyMode", "Peer");
    cmd(cc, ctx, NULL, "VerifyMode", "Request");
    cmd(cc, ctx, NULL, "Options", "ServerPreference");
    cmd(cc, ctx, NULL, "Options", "-SessionTicket,UnsafeLegacyServerConnect");
    cmd(cc, ctx, NULL, "NumTickets", "1");
    cmd(cc, ctx, NULL, "Bogus", "1");
    cmd(cc, ctx, NULL, "Ciphersuites", "TLS_BOGUS");
    cmd(cc, ctx, NULL, "MinProtocol", "bogus");
    cmd(cc, ctx, NULL, "Options", NULL);
    SSL_CONF_CTX_free(cc);

    cc = conf(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SHOW_ERRORS, ctx, "file, neither side");
    cmd(cc, ctx, NULL, "Options", "SessionTicket");
    cmd(cc, ctx, NULL, "Protocol", "-TLSv1.3");
    cmd(cc, ctx, NULL, "MinProtocol", "TLSv1.2");
    cmd(cc, ctx, NULL, "VerifyMode", "Peer");
    SSL_CONF_CTX_free(cc);

    cc = conf(SSL_CONF_FLAG_SHOW_ERRORS | SSL_CONF_FLAG_SERVER, ctx, "no syntax flag");
    cmd(cc, ctx, NULL, "Options", "-SessionTicket");
    cmd(cc, ctx, NULL, "-no_ticket", NULL);
    printf("value type %d\n", SSL_CONF_cmd_value_type(cc, "Options"));
    SSL_CONF_CTX_free(cc);

    cc = conf(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER
                  | SSL_CONF_FLAG_SHOW_ERRORS,
              ctx, "file and command line");
    cmd(cc, ctx, NULL, "-no_ticket", NULL);
    cmd(cc, ctx, NULL, "Options", "SessionTicket");
    cmd(cc, ctx, NULL, "-Options", "SessionTicket");
    cmd(cc, ctx, NULL, "-cipher", "AESGCM");
    SSL_CONF_CTX_free(cc);

    printf("set_flags %#x\n", SSL_CONF_CTX_set_flags(cc = SSL_CONF_CTX_new(), 0x12));
    printf("set_flags %#x\n", SSL_CONF_CTX_set_flags(cc, 0x21));
    printf("clear_flags %#x\n", SSL_CONF_CTX_clear_flags(cc, 0x10));
    printf("clear_flags %#x\n", SSL_CONF_CTX_clear_flags(cc, 0xffff));
    SSL_CONF_CTX_free(cc);
    SSL_CONF_CTX_free(NULL);
    SSL_CTX_free(ctx);
}

static void without_context(void)
{
    SSL_CONF_CTX *cc = conf(FILE_SRV | CERTS, NULL, "nothing attached");

    cmd(cc, NULL, NULL, "Ciphersuites", "TLS_BOGUS");
    cmd(cc, NULL, NULL, "CipherString", "BOGUS");
    /* (Groups with nothing attached crashes OpenSSL 3.0's libssl: not called here.) */
    cmd(cc, NULL, NULL, "ECDHParameters", "P-256");
    cmd(cc, NULL, NULL, "MinProtocol", "TLSv1.2");
    cmd(cc, NULL, NULL, "MaxProtocol", "None");
    cmd(cc, NULL, NULL, "Protocol", "-TLSv1.2");
    cmd(cc, NULL, NULL, "Protocol", "bogus");
    cmd(cc, NULL, NULL, "Options", "-SessionTicket");
    cmd(cc, NULL, NULL, "Options", "Bogus");
    cmd(cc, NULL, NULL, "VerifyMode", "Require");
    cmd(cc, NULL, NULL, "NumTickets", "3");
    cmd(cc, NULL, NULL, "RecordPadding", "0");
    cmd(cc, NULL, NULL, "Certificate", "/nonexistent/cert.pem");
    cmd(cc, NULL, NULL, "PrivateKey", "/nonexistent/key.pem");
    cmd(cc, NULL, NULL, "VerifyCAFile", "/nonexistent/ca.pem");
    cmd(cc, NULL, NULL, "RequestCAFile", ca_file);
    printf("finish -> %d\n", SSL_CONF_CTX_finish(cc));
    errors();
    SSL_CONF_CTX_free(cc);
}

static void prefixes(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *cc = conf(FILE_SRV, ctx, "file prefix ssl_");

    printf("set1_prefix -> %d\n", SSL_CONF_CTX_set1_prefix(cc, "ssl_"));
    cmd(cc, ctx, NULL, "ssl_Options", "-SessionTicket");
    cmd(cc, ctx, NULL, "SSL_options", "SessionTicket");
    cmd(cc, ctx, NULL, "Options", "-SessionTicket");
    cmd(cc, ctx, NULL, "ssl_", "x");
    cmd(cc, ctx, NULL, "ssl_Bogus", "x");
    cmd(cc, ctx, NULL, "ssl_MinProtocol", "bogus");
    printf("value type %d %d\n", SSL_CONF_cmd_value_type(cc, "ssl_NumTickets"),
           SSL_CONF_cmd_value_type(cc, "NumTickets"));
    printf("set1_prefix NULL -> %d\n", SSL_CONF_CTX_set1_prefix(cc, NULL));
    cmd(cc, ctx, NULL, "Options", "-SessionTicket");
    SSL_CONF_CTX_free(cc);

    cc = conf(SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_SHOW_ERRORS, ctx,
              "command-line prefix --");
    printf("set1_prefix -> %d\n", SSL_CONF_CTX_set1_prefix(cc, "--"));
    cmd(cc, ctx, NULL, "--no_ticket", NULL);
    cmd(cc, ctx, NULL, "-serverpref", NULL);
    cmd(cc, ctx, NULL, "--CIPHER", "AESGCM");
    cmd(cc, ctx, NULL, "--", NULL);
    printf("value type %d %d\n", SSL_CONF_cmd_value_type(cc, "--no_ticket"),
           SSL_CONF_cmd_value_type(cc, "--cert"));
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);
}

static void value_types(void)
{
    static const char *const names[] = {
        "CipherString", "ciphersuites", "Groups",        "Curves",       "MinProtocol",
        "Protocol",     "Options",      "VerifyMode",    "Certificate",  "PrivateKey",
        "VerifyCAFile", "VerifyCAPath", "RequestCAFile", "ClientCAPath", "ChainCAFile",
        "NumTickets",   "Bogus",        "-cipher",       "-no_ticket",   "",
    };
    unsigned sets[] = {
        SSL_CONF_FLAG_FILE,
        SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | CERTS,
        SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER | CERTS,
    };
    size_t i, j;

    printf("== value types\n");
    for (j = 0; j < sizeof(sets) / sizeof(sets[0]); j++) {
        SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
        SSL_CONF_CTX_set_flags(cc, sets[j]);
        printf("flags %#x:", sets[j]);
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            printf(" %s=%d", names[i], SSL_CONF_cmd_value_type(cc, names[i]));
        printf(" -cert=%d\n", SSL_CONF_cmd_value_type(cc, "-cert"));
        SSL_CONF_CTX_free(cc);
    }
    errors();
}

static void on_ssl(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL *ssl = SSL_new(ctx);
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();

    printf("== attached to an SSL\n");
    SSL_CONF_CTX_set_flags(cc, FILE_SRV | CERTS);
    SSL_CONF_CTX_set_ssl(cc, ssl);
    cmd(cc, NULL, ssl, "Options", "-SessionTicket,ServerPreference");
    cmd(cc, NULL, ssl, "MinProtocol", "TLSv1.3");
    cmd(cc, NULL, ssl, "Ciphersuites", "TLS_AES_128_GCM_SHA256");
    cmd(cc, NULL, ssl, "VerifyMode", "Require");
    cmd(cc, NULL, ssl, "NumTickets", "4");
    cmd(cc, NULL, ssl, "Certificate", cert);
    cmd(cc, NULL, ssl, "PrivateKey", key);
    printf("finish -> %d\n", SSL_CONF_CTX_finish(cc));
    errors();
    printf("context untouched: options %s\n",
           (SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET) ? "changed" : "unchanged");
    SSL_CONF_CTX_set_ssl(cc, NULL);
    cmd(cc, NULL, NULL, "Options", "-SessionTicket");
    cmd(cc, NULL, NULL, "MinProtocol", "TLSv1.3");
    SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
    cmd(cc, ctx, NULL, "MinProtocol", "TLSv1.3");
    SSL_CONF_CTX_free(cc);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void fixed_version_method(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_2_server_method());
    SSL_CONF_CTX *cc = conf(FILE_SRV, ctx, "TLSv1_2_server_method");

    cmd(cc, ctx, NULL, "MinProtocol", "TLSv1.3");
    cmd(cc, ctx, NULL, "MaxProtocol", "TLSv1.2");
    cmd(cc, ctx, NULL, "MinProtocol", "bogus");
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);
}

static void argv(void)
{
    char *args[] = {"-cipher", "ECDHE+AESGCM", "-no_ticket", "-serverpref", "-bogus", "x",
                    "-min_protocol", "bogus", "-groups", NULL};
    char **p = args;
    int n = 9, rv;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *cc = conf(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_SHOW_ERRORS,
                            ctx, "argv");

    while (n > 0) {
        struct state before, after;
        snapshot(ctx, NULL, &before);
        rv = SSL_CONF_cmd_argv(cc, &n, &p);
        printf("argv at %ld -> %d, %d left\n", (long)(p - args), rv, n);
        errors();
        snapshot(ctx, NULL, &after);
        changes(&before, &after, rv);
        if (rv <= 0) {
            p++;
            n--;
        }
    }
    printf("flags now %#x\n", SSL_CONF_CTX_set_flags(cc, 0));
    n = 0;
    printf("argc 0 -> %d\n", SSL_CONF_cmd_argv(cc, &n, &p));
    p = args + 2;
    rv = SSL_CONF_cmd_argv(cc, NULL, &p);
    printf("no argc -> %d at %ld\n", rv, (long)(p - args));
    errors();
    SSL_CONF_CTX_free(cc);
    SSL_CTX_free(ctx);
}

int main(int argc, char **argv_)
{
    Dl_info info;

    if (argc != 7) {
        fprintf(stderr, "usage: %s CERT KEY CERT_AND_KEY CA_FILE CA_DIR DH_PARAMS\n", argv_[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    /* Which libssl.so.3 this run uses (left out of the comparison; the test checks it). */
    if (dladdr((void *)SSL_CONF_cmd, &info) != 0 && info.dli_fname != NULL)
        printf("~ libssl %s\n", info.dli_fname);
    cert = argv_[1];
    key = argv_[2];
    cert_and_key = argv_[3];
    ca_file = argv_[4];
    ca_dir = argv_[5];
    dh_file = argv_[6];
    file_server_commands();
    certificate_commands();
    command_line();
    flag_sets();
    without_context();
    prefixes();
    value_types();
    on_ssl();
    fixed_version_method();
    argv();
    printf("done\n");
    return 0;
}
