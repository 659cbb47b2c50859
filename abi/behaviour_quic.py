"""What OpenSSL 3.5's QUIC-era functions (nodes OPENSSL_3.2.0 to OPENSSL_3.5.0) answer on
ferrossl, which is not a QUIC stack (read by abi/behaviour.py; same fields as there).

OpenSSL 3.5 answers each of these on a TLS-over-TCP `SSL` or `SSL_CTX` with a fixed value (the
stream, listener and domain calls: "not a stream", NULL, 0) and queues no error except where
noted; ferrossl gives the same answers, so a program behaves as with an OpenSSL whose QUIC is
never used. A NULL `SSL` counts as "not QUIC" there too, so most answer the same for NULL
without an error (`null`). The QUIC methods themselves are refused (`OSSL_QUIC_*_method` return
NULL and queue one error): then `SSL_CTX_new` fails, and Debian 13's curl, asked for HTTP/3,
falls back to TCP (`--http3`) or exits with its SSL connect error (`--http3-only`), as it would
with an OpenSSL built without QUIC. The functions of this family that need more than a constant
are in src/capi/quic.rs (the poll descriptors, SSL_net_*_desired, SSL_get_event_timeout, and
the helpers of SSL_poll and SSL_set_quic_tls_cbs below).
"""

from behaviour import absent, refused, ok, err  # noqa: E402 (imported at its end)

NOT_QUIC = "as OpenSSL 3.5 for a TLS (not QUIC) object"


def quic_method(role):
    return refused("ERR_R_UNSUPPORTED",
                   f"QUIC ({role}): ferrossl is not a QUIC stack; NULL, so SSL_CTX_new fails and a "
                   "program behaves as with an OpenSSL built without QUIC")


def constant(value, what, fail=None, null=None):
    """Answers `value` (also for NULL, without an error) on every TLS object."""
    return absent(value, fail=fail, null_ok=True, null=null if null is not None else value,
                  note=f"{what}, {NOT_QUIC}")


BEHAVIOUR_QUIC = {
    "OSSL_QUIC_client_method": quic_method("client"),
    "OSSL_QUIC_client_thread_method": quic_method("client, thread-assisted"),
    "OSSL_QUIC_server_method": quic_method("server"),

    # Streams: a TLS connection is its own single bidirectional "stream" and has no others.
    "SSL_new_stream": constant("NULL", "NULL: no streams"),
    "SSL_accept_stream": constant("NULL", "NULL: no incoming streams"),
    "SSL_get_accept_stream_queue_len": constant("0", "0 streams waiting"),
    "SSL_get0_connection": absent(
        body="""if a0.is_null() {
    return Ok(ptr::null_mut());
}
handle::ssl(a0)?;
Ok(a0)""", note=f"the SSL itself (a TLS connection is its own connection object), {NOT_QUIC}"),
    "SSL_is_stream_local": constant("-1", "-1: not a QUIC stream", fail="-1"),
    "SSL_get_stream_id": constant("u64::MAX", "UINT64_MAX: no stream id", fail="u64::MAX"),
    "SSL_get_stream_type": constant("3", "SSL_STREAM_TYPE_BIDI"),
    "SSL_get_stream_read_state": constant("0", "SSL_STREAM_STATE_NONE"),
    "SSL_get_stream_write_state": constant("0", "SSL_STREAM_STATE_NONE"),
    "SSL_get_stream_read_error_code": constant("-1", "-1, the code left unwritten", fail="-1"),
    "SSL_get_stream_write_error_code": constant("-1", "-1, the code left unwritten", fail="-1"),
    "SSL_stream_conclude": constant("0", "0: no stream to conclude"),
    "SSL_stream_reset": constant("0", "0: no stream to reset"),
    "SSL_set_default_stream_mode": constant("0", "0: no default stream"),
    "SSL_set_incoming_stream_policy": constant("0", "0: no incoming streams"),
    "SSL_get_conn_close_info": constant("-1", "-1, the info left unwritten: no QUIC close",
                                        fail="-1"),
    "SSL_set1_initial_peer_addr": constant("0", "0: a TLS connection has no initial peer address"),
    "SSL_handle_events": constant("1", "1: nothing to handle (no DTLS or QUIC timer)", fail="0",
                                  null="1"),
    "SSL_inject_net_dgram": absent(
        "0", check=False, error="ERR_R_INTERNAL_ERROR",
        cases=[("a0.is_null()", err("ERR_R_PASSED_NULL_PARAMETER"))],
        note=f"0 and internal error (passed null parameter for NULL), {NOT_QUIC}"),

    # Listeners and domains (OpenSSL 3.5).
    "SSL_new_listener": absent("NULL", note=f"NULL: a TLS context makes no listeners, {NOT_QUIC}"),
    "SSL_new_listener_from": constant("NULL", "NULL: not a QUIC domain"),
    "SSL_new_from_listener": constant("NULL", "NULL: not a QUIC listener"),
    "SSL_new_domain": absent("NULL", note=f"NULL: a TLS context makes no domains, {NOT_QUIC}"),
    "SSL_listen": constant("0", "0: not a listener"),
    "SSL_accept_connection": constant("NULL", "NULL: not a listener"),
    "SSL_get_accept_connection_queue_len": constant("0", "0 connections waiting"),
    "SSL_get0_listener": constant("NULL", "NULL: no listener"),
    "SSL_get0_domain": constant("NULL", "NULL: no domain"),
    "SSL_is_listener": constant("0", "0 (1 for NULL, which OpenSSL compares with no listener)",
                                null="1"),
    "SSL_is_domain": constant("0", "0 (1 for NULL, which OpenSSL compares with no domain)",
                              null="1"),
    "SSL_get_domain_flags": constant("0", "0, the flags left unwritten"),
    "SSL_CTX_get_domain_flags": absent(
        "0", error="ERR_R_UNSUPPORTED",
        note=f"0 and unsupported (domain flags on a TLS context), {NOT_QUIC}"),
    "SSL_CTX_set_domain_flags": absent(
        "0", error="ERR_R_UNSUPPORTED",
        note=f"0 and unsupported (domain flags on a TLS context), {NOT_QUIC}"),
    "SSL_CTX_set_new_pending_conn_cb": absent(
        note=f"accepted and never called: a TLS context has no pending QUIC connections, {NOT_QUIC}"),

    "SSL_poll": absent(
        check=False, unsafe=True,
        body="""// SAFETY: the caller's items, timeout and count, as SSL_poll documents them.
unsafe { super::quic::poll(a0, a1, a2, a3, a5) }""",
        note="0 and poll request not supported at the first item that is not a no-op (revents "
             "SSL_POLL_EVENT_F), as OpenSSL 3.5, which polls only QUIC objects; with no-op items "
             "only, it waits for the timeout"),

    # The QUIC-TLS API for third-party QUIC stacks.
    "SSL_set_quic_tls_cbs": refused(
        "ERR_R_UNSUPPORTED", check=False, unsafe=True,
        body="""if a0.is_null() {
    return Err(Error::Misuse {
        reason: R(ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED),
        detail: "SSL_set_quic_tls_cbs: no SSL".into(),
    });
}
handle::ssl(a0)?;
// SAFETY: the caller's dispatch table, or NULL.
if !unsafe { super::quic::quic_tls_table_complete(a1) } {
    return Err(Error::Misuse {
        reason: R(SSL_R_MISSING_QUIC_TLS_FUNCTIONS),
        detail: "SSL_set_quic_tls_cbs: the table lacks a QUIC TLS callback".into(),
    });
}
Err(Error::Refused {
    reason: R(ERR_R_UNSUPPORTED),
    detail: "SSL_set_quic_tls_cbs: rustls keeps its traffic secrets".into(),
})""",
        note="a third-party QUIC stack driving the handshake gets the traffic secrets, which "
             "rustls keeps private; after OpenSSL 3.5's checks (should not have been called for "
             "NULL, missing QUIC TLS functions), 0 and unsupported"),
    "SSL_set_quic_tls_transport_params": absent(
        "0", check=False, error="ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED",
        cases=[("a0.is_null()", ok("0"))],
        note="0 and should not have been called, as OpenSSL 3.5 without QUIC TLS callbacks "
             "(which ferrossl refuses)"),
    "SSL_set_quic_tls_early_data_enabled": absent(
        "0", check=False, error="ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED",
        note="0 and should not have been called, as OpenSSL 3.5 without QUIC TLS callbacks "
             "(which ferrossl refuses)"),
}
