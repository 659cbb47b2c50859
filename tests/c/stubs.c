/* A few of ferrossl's generated stubs, called through the C ABI. An *absent* function answers as
 * OpenSSL 3.0 does when the feature is not in use and queues nothing (or exactly the one error
 * OpenSSL queues); a *refused* one returns OpenSSL's documented failure value and queues exactly
 * one ERR_LIB_SSL error naming the function; neither writes what OpenSSL would not. Prints
 * "N passed, M failed". */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/srtp.h>
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

/* Exactly one error is queued: an ERR_LIB_SSL one naming `func`, whose text is `reason`. */
static int queued_one(const char *func, const char *reason)
{
    const char *file, *fn, *data;
    int line, flags;
    unsigned long e = ERR_get_error_all(&file, &line, &fn, &data, &flags);
    const char *text = e != 0 ? ERR_reason_error_string(e) : NULL;
    int ok = e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && fn != NULL && strcmp(fn, func) == 0
             && text != NULL && strcmp(text, reason) == 0 && ERR_peek_error() == 0;
    if (!ok)
        printf("     (got %s in %s, then %lx)\n", text ? text : "nothing", fn ? fn : "-",
               ERR_peek_error());
    ERR_clear_error();
    return ok;
}

static int nothing_queued(void)
{
    int ok = ERR_peek_error() == 0;
    ERR_clear_error();
    return ok;
}

int main(void)
{
    unsigned char buf[16];
    const unsigned char *data = buf;
    unsigned int len = 99;
    X509 *mcert = NULL;
    SSL_CTX *ctx;
    SSL *s;

    /* Refused: the documented failure, one error. */
    check("DTLS_method returns NULL", DTLS_method() == NULL);
    check("  and queues one error naming it", queued_one("DTLS_method", "unsupported protocol"));
    check("SSL_CTX_set_srp_username on NULL returns 0",
          SSL_CTX_set_srp_username(NULL, (char *)"u") == 0);
    check("  and queues one error naming it",
          queued_one("SSL_CTX_set_srp_username", "passed a null parameter"));

    ctx = SSL_CTX_new(TLS_client_method());
    check("SSL_CTX_new works", ctx != NULL);
    check("SSL_CTX_set_srp_password on a live context returns 0",
          SSL_CTX_set_srp_password(ctx, (char *)"p") == 0);
    check("  and queues one error naming it", queued_one("SSL_CTX_set_srp_password", "unsupported"));
    check("SSL_CTX_set_tlsext_use_srtp with a profile returns 1 (its failure)",
          SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AES128_CM_SHA1_80") == 1);
    check("  and queues one error naming it",
          queued_one("SSL_CTX_set_tlsext_use_srtp", "unsupported"));
    check("SSL_CTX_set_tlsext_max_fragment_length(512) returns 0",
          SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_512) == 0);
    check("  and queues one error naming it",
          queued_one("SSL_CTX_set_tlsext_max_fragment_length", "unsupported"));
    /* DANE: the context accepts it (OpenSSL only prepares a digest table there). */
    check("SSL_CTX_dane_enable returns 1", SSL_CTX_dane_enable(ctx) == 1);
    check("  and queues nothing", nothing_queued());
    check("SSL_CTX_dane_mtype_set(sha512, 2, 1) returns 1",
          SSL_CTX_dane_mtype_set(ctx, EVP_sha512(), 2, 1) == 1);
    check("  and queues nothing", nothing_queued());
    check("SSL_CTX_dane_mtype_set(sha256, Full(0), 1) returns 0",
          SSL_CTX_dane_mtype_set(ctx, EVP_sha256(), 0, 1) == 0);
    check("  and queues one error naming it",
          queued_one("SSL_CTX_dane_mtype_set", "dane cannot override mtype full"));
    /* A request for nothing succeeds, as in OpenSSL. */
    check("SSL_CTX_set_tlsext_max_fragment_length(disabled) returns 1",
          SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_DISABLED) == 1);
    check("  and queues nothing", nothing_queued());
    check("SSL_CTX_use_psk_identity_hint(NULL) returns 1",
          SSL_CTX_use_psk_identity_hint(ctx, NULL) == 1);
    check("  and queues nothing", nothing_queued());

    s = SSL_new(ctx);
    check("SSL_new works", s != NULL);
    /* Absent: OpenSSL's answer without the feature, nothing queued. */
    SSL_get0_next_proto_negotiated(s, &data, &len);
    check("SSL_get0_next_proto_negotiated gives NULL and 0", data == NULL && len == 0);
    check("  and queues nothing", nothing_queued());
    check("SSL_renegotiate_pending returns 0", SSL_renegotiate_pending(s) == 0);
    check("  and queues nothing", nothing_queued());
    check("SSL_get_key_update_type returns SSL_KEY_UPDATE_NONE",
          SSL_get_key_update_type(s) == SSL_KEY_UPDATE_NONE);
    check("  and queues nothing", nothing_queued());
    check("SSL_get0_dane_authority returns -1 and leaves *mcert alone",
          SSL_get0_dane_authority(s, &mcert, NULL) == -1 && mcert == NULL);
    check("  and queues nothing", nothing_queued());
    memset(buf, 0x5a, sizeof(buf));
    check("SSL_export_keying_material_early returns 0",
          SSL_export_keying_material_early(s, buf, sizeof(buf), "x", 1, NULL, 0) == 0);
    check("  and queues nothing", nothing_queued());
    check("  and leaves the output buffer alone", buf[0] == 0x5a && buf[15] == 0x5a);
    /* Refused on a connection: DANE verification itself. */
    check("SSL_dane_enable returns 0", SSL_dane_enable(s, "example.com") == 0);
    check("  and queues one error naming it", queued_one("SSL_dane_enable", "unsupported"));
    /* Absent with the error OpenSSL queues. */
    check("SSL_verify_client_post_handshake before a handshake returns 0",
          SSL_verify_client_post_handshake(s) == 0);
    check("  and queues one error naming it",
          queued_one("SSL_verify_client_post_handshake", "wrong ssl version"));
    SSL_free(s);
    SSL_CTX_free(ctx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
