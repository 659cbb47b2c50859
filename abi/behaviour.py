"""What each libssl function that ferrossl does not implement answers (read by abi/gen.py).

Every one of OpenSSL 3.0's 518 functions is in one of three classes (ABI.md shows which):

- implemented: a `#[export]` function in src/capi/ (found by gen.py, not listed here);
- absent: the feature is not in use, and the function answers what a real OpenSSL 3.0 answers
  then (nothing negotiated, nothing set): `absent(ret, outs, note)` below. No error is queued
  where OpenSSL queues none;
- refused: the caller asks for something rustls cannot do and OpenSSL would have done:
  `refused(reason, note)`, the documented failure value and one queued error with the closest
  OpenSSL reason code. README's list of refusals is generated from these entries.

Fields:
  ret     Rust expression returned (absent), e.g. "0", "-1", "ptr::null_mut()"; None for void.
  outs    {argument index: Rust expression} written to out-parameters (absent only).
  fail    Rust expression returned on refusal / invalid handle, when not the type's zero.
  reason  the SSL_R_* (or ERR_R_*) reason name for a refusal, as in <openssl/sslerr.h>.
  check   False to skip the handle check of SSL*/SSL_CTX*/SSL_SESSION* arguments (OpenSSL
          functions that accept NULL there).
  body    raw Rust statements replacing the generated body (rare special cases); must end in
          an expression of type Result<RET>.
  note    one line: OpenSSL's behaviour this reproduces, or what is refused and why.
  error   (absent) the reason OpenSSL queues when it answers `ret` as a failure (e.g. DANE
          calls on a context without DANE); `ret` is then also the failure value.
  cases   [(condition, outcome)] tried in order after the handle checks: a Rust condition on
          the arguments a0, a1, ... and `ok("expr")` (return that) or `err("SSL_R_X")` (fail
          with that reason, as OpenSSL does for that input). Used where OpenSSL's answer
          depends on the arguments: a request for nothing (0, NULL, an empty list) succeeds.
  null_ok a NULL handle answers the failure value without queuing an error (as OpenSSL).
  null    with null_ok: the value a NULL handle answers instead (e.g. "1").
  In `body` and `cases`, `R(SSL_R_X)` is the reason code's expression.
"""


def absent(ret=None, outs=None, note="", check=True, fail=None, body=None, error=None,
           cases=None, null_ok=False, unsafe=False, null=None):
    return {"class": "absent", "ret": ret, "outs": outs or {}, "note": note, "check": check,
            "fail": fail, "body": body, "error": error, "cases": cases or [],
            "null_ok": null_ok, "unsafe": unsafe, "null": null}


def refused(reason="ERR_R_UNSUPPORTED", note="", fail=None, check=True, body=None, cases=None,
            null_ok=False, unsafe=False):
    return {"class": "refused", "reason": reason, "note": note, "fail": fail, "check": check,
            "body": body, "cases": cases or [], "null_ok": null_ok, "unsafe": unsafe}


def ok(expr):
    """A `cases` outcome: the call succeeds with this value."""
    return expr


def err(reason):
    """A `cases` outcome: the call fails with this reason, as OpenSSL's does for that input."""
    return "ERROR " + reason


NO_SRP = "no SRP ciphersuites are offered or accepted (rustls has no SRP)"
NO_PSK = "external PSKs are not supported by rustls"
V13 = "tls13(a0)?"
SERVER = "server(a0)?"


CTLOG_LOAD = """handle::ctx(a0)?;
use crate::libcrypto::ffi::{{CTLOG_STORE_free, CTLOG_STORE_new, {1}}};
// SAFETY: a store of our own, freed before returning; the path is the caller's C string.
unsafe {{
    let store = CTLOG_STORE_new();
    if store.is_null() {{
        return Err(Error::Queued);
    }}
    let r = {0};
    CTLOG_STORE_free(store);
    Ok(r)
}}"""


def dtls_method(role):
    return refused("SSL_R_UNSUPPORTED_PROTOCOL",
                   f"DTLS ({role}): rustls implements TLS only; SSL_CTX_new(NULL) then fails")


def never_fires(what, ret=None, check=True):
    return absent(ret, note=f"accepted as by OpenSSL; {what}, so it is never called")


def cleared_or_refused(cond, what, ok_value="1", fail=None):
    return refused(note=what, cases=[(cond, ok(ok_value))], fail=fail)


BEHAVIOUR = {
    # DTLS: rustls implements TLS only.
    "DTLS_method": dtls_method("any"),
    "DTLS_client_method": dtls_method("client"),
    "DTLS_server_method": dtls_method("server"),
    "DTLSv1_method": dtls_method("1.0"),
    "DTLSv1_client_method": dtls_method("1.0 client"),
    "DTLSv1_server_method": dtls_method("1.0 server"),
    "DTLSv1_2_method": dtls_method("1.2"),
    "DTLSv1_2_client_method": dtls_method("1.2 client"),
    "DTLSv1_2_server_method": dtls_method("1.2 server"),
    "DTLS_get_data_mtu": absent("0", note="0, as OpenSSL for a connection without a DTLS cipher"),
    "DTLS_set_timer_cb": never_fires("no connection is DTLS"),
    "DTLSv1_listen": absent(
        "-1", error="SSL_R_UNSUPPORTED_SSL_VERSION",
        cases=[("handle::ssl(a0)?.rbio().is_none() || handle::ssl(a0)?.wbio().is_none()",
                err("SSL_R_BIO_NOT_SET"))],
        note="-1 and unsupported ssl version, as OpenSSL for a TLS (not DTLS) connection"),
    "SSL_CTX_set_cookie_generate_cb": never_fires("DTLS cookies are never exchanged"),
    "SSL_CTX_set_cookie_verify_cb": never_fires("DTLS cookies are never exchanged"),

    # SRP (deprecated in OpenSSL 3.0; not in rustls).
    "SSL_CTX_SRP_CTX_init": absent("1", null_ok=True, note="1, as OpenSSL (resets nothing)"),
    "SSL_CTX_SRP_CTX_free": absent("1", null_ok=True, note="1, as OpenSSL (frees nothing)"),
    "SSL_SRP_CTX_init": absent("1", null_ok=True, note="1, as OpenSSL (copies nothing)"),
    "SSL_SRP_CTX_free": absent("1", null_ok=True, note="1, as OpenSSL (frees nothing)"),
    "SRP_Calc_A_param": absent("0", note="0 without an error, as OpenSSL without SRP parameters"),
    "SSL_srp_server_param_with_username": absent(
        "2", outs={1: "80"},
        note="SSL3_AL_FATAL with *ad = internal_error, as OpenSSL without SRP parameters"),
    "SSL_CTX_set_srp_cb_arg": absent("1", note=f"1, as OpenSSL; {NO_SRP}"),
    "SSL_CTX_set_srp_client_pwd_callback": absent("1", note=f"1, as OpenSSL; {NO_SRP}, so it is never called"),
    "SSL_CTX_set_srp_username_callback": absent("1", note=f"1, as OpenSSL; {NO_SRP}, so it is never called"),
    "SSL_CTX_set_srp_verify_param_callback": absent("1", note=f"1, as OpenSSL; {NO_SRP}, so it is never called"),
    "SSL_CTX_set_srp_strength": absent("1", note=f"1, as OpenSSL; {NO_SRP}"),
    "SSL_CTX_set_srp_username": refused(
        note="SRP login: rustls has no SRP",
        cases=[("a1.is_null()", ok("1")),
               ("!(1..=255).contains(&unsafe { std::ffi::CStr::from_ptr(a1) }.to_bytes().len())",
                err("SSL_R_INVALID_SRP_USERNAME"))],
        unsafe=True),
    "SSL_CTX_set_srp_password": refused(note="SRP password: rustls has no SRP"),
    "SSL_set_srp_server_param": refused(fail="-1", note="SRP verifier: rustls has no SRP"),
    "SSL_set_srp_server_param_pw": refused(fail="-1", note="SRP verifier: rustls has no SRP"),
    "SSL_get_srp_N": absent("NULL", note="NULL, as OpenSSL without SRP parameters"),
    "SSL_get_srp_g": absent("NULL", note="NULL, as OpenSSL without SRP parameters"),
    "SSL_get_srp_username": absent("NULL", note="NULL, as OpenSSL without an SRP login"),
    "SSL_get_srp_userinfo": absent("NULL", note="NULL, as OpenSSL without SRP user info"),

    # Compression: as an OpenSSL built without it.
    "SSL_COMP_add_compression_method": absent(
        "1", note="1 (failure), as an OpenSSL built without compression"),
    "SSL_COMP_get0_name": absent("NULL", note="NULL, as an OpenSSL built without compression"),
    "SSL_COMP_get_id": absent("-1", note="-1, as an OpenSSL built without compression"),
    "SSL_COMP_set0_compression_methods": absent(
        body="Ok(a0)", note="returns its argument, as an OpenSSL built without compression"),
    "SSL_SESSION_get_compress_id": absent("0", note="0: no compression"),

    # PSK: rustls supports no external PSKs.
    "SSL_CTX_set_psk_client_callback": never_fires(NO_PSK),
    "SSL_CTX_set_psk_server_callback": never_fires(NO_PSK),
    "SSL_CTX_set_psk_find_session_callback": never_fires(NO_PSK),
    "SSL_CTX_set_psk_use_session_callback": never_fires(NO_PSK),
    "SSL_set_psk_client_callback": never_fires(NO_PSK),
    "SSL_set_psk_server_callback": never_fires(NO_PSK),
    "SSL_set_psk_find_session_callback": never_fires(NO_PSK),
    "SSL_set_psk_use_session_callback": never_fires(NO_PSK),
    "SSL_CTX_use_psk_identity_hint": refused(
        note="a PSK identity hint: rustls supports no external PSKs",
        cases=[("a1.is_null()", ok("1")),
               ("unsafe { std::ffi::CStr::from_ptr(a1) }.to_bytes().len() > 256",
                err("SSL_R_DATA_LENGTH_TOO_LONG"))],
        unsafe=True),
    "SSL_use_psk_identity_hint": refused(
        note="a PSK identity hint: rustls supports no external PSKs", null_ok=True,
        cases=[("a1.is_null()", ok("1")),
               ("unsafe { std::ffi::CStr::from_ptr(a1) }.to_bytes().len() > 256",
                err("SSL_R_DATA_LENGTH_TOO_LONG"))],
        unsafe=True),
    "SSL_get_psk_identity": absent("NULL", null_ok=True, note="NULL: no PSK was used"),
    "SSL_get_psk_identity_hint": absent("NULL", null_ok=True, note="NULL: no PSK was used"),
    "SSL_set_session_secret_cb": absent(
        "1", null_ok=True,
        note="1, as OpenSSL; rustls lets no program supply a TLS 1.2 master secret, so it is never called"),

    # DANE: rustls has no DANE. OpenSSL's SSL_CTX_dane_enable only prepares the context's digest
    # table ("not a commitment to use DANE"): postfix's smtp client calls it for every TLS
    # context and runs without TLS when it fails. So the context accepts it and the digests,
    # and the refusal comes where a connection would use DANE: SSL_dane_enable.
    "SSL_CTX_dane_enable": absent(
        "1", note="1, as OpenSSL: it only prepares the context; a connection asking for DANE (SSL_dane_enable) is refused"),
    "SSL_CTX_dane_mtype_set": absent(
        "1", cases=[("a2 == 0 && !a1.is_null()", err("SSL_R_DANE_CANNOT_OVERRIDE_MTYPE_FULL"))],
        note="1, as OpenSSL (Full(0) cannot be overridden); the digests are unused: SSL_dane_enable is refused"),
    "SSL_CTX_dane_set_flags": absent("0", note="0 (the previous flags), as OpenSSL; DANE is never enabled"),
    "SSL_CTX_dane_clear_flags": absent("0", note="0 (the previous flags), as OpenSSL; DANE is never enabled"),
    "SSL_dane_set_flags": absent("0", note="0 (the previous flags), as OpenSSL; DANE is never enabled"),
    "SSL_dane_clear_flags": absent("0", note="0 (the previous flags), as OpenSSL; DANE is never enabled"),
    "SSL_dane_enable": refused(note="DANE (TLSA) verification: not available with rustls"),
    "SSL_dane_tlsa_add": absent(
        "-1", error="SSL_R_DANE_NOT_ENABLED",
        note="-1 and dane not enabled, as OpenSSL on a connection without DANE"),
    "SSL_get0_dane": absent("NULL", note="NULL: no DANE state (OpenSSL returns its unused one)"),
    "SSL_get0_dane_authority": absent("-1", fail="-1", note="-1: not DANE-verified, as OpenSSL without DANE"),
    "SSL_get0_dane_tlsa": absent("-1", fail="-1", note="-1: not DANE-verified, as OpenSSL without DANE"),

    # Certificate Transparency: rustls does not validate SCTs.
    "SSL_CTX_enable_ct": refused(
        note="CT (SCT) validation: not available with rustls",
        cases=[("a1 != 0 && a1 != 1", err("SSL_R_INVALID_CT_VALIDATION_TYPE"))]),
    "SSL_enable_ct": refused(
        note="CT (SCT) validation: not available with rustls",
        cases=[("a1 != 0 && a1 != 1", err("SSL_R_INVALID_CT_VALIDATION_TYPE"))]),
    "SSL_CTX_set_ct_validation_callback": cleared_or_refused(
        "a1.is_none()", "CT (SCT) validation: not available with rustls"),
    "SSL_set_ct_validation_callback": cleared_or_refused(
        "a1.is_none()", "CT (SCT) validation: not available with rustls"),
    "SSL_CTX_ct_is_enabled": absent("0", note="0: CT validation is off"),
    "SSL_ct_is_enabled": absent("0", note="0: CT validation is off"),
    "SSL_get0_peer_scts": absent("NULL", note="NULL: no SCTs are collected"),
    "SSL_CTX_get0_ctlog_store": absent("NULL", note="NULL: no CT log store (OpenSSL returns an empty one)"),
    "SSL_CTX_set0_ctlog_store": absent(
        body="""handle::ctx(a0)?;
// SAFETY: the store is handed over (set0) and not used: freed here (NULL is allowed).
unsafe { crate::libcrypto::ffi::CTLOG_STORE_free(a1.cast()) };
Ok(())""", unsafe=True,
        note="takes the store and frees it: without CT validation no log is consulted"),
    "SSL_CTX_set_ctlog_list_file": absent(
        body=CTLOG_LOAD.format("CTLOG_STORE_load_file(store, a1)", "CTLOG_STORE_load_file"),
        unsafe=True, note="reads the list as OpenSSL (same result and errors); unused without CT validation"),
    "SSL_CTX_set_default_ctlog_list_file": absent(
        body=CTLOG_LOAD.format("CTLOG_STORE_load_default_file(store)", "CTLOG_STORE_load_default_file"),
        unsafe=True, note="reads the list as OpenSSL (same result and errors); unused without CT validation"),

    # NPN: not in rustls (ALPN is).
    "SSL_CTX_set_next_proto_select_cb": never_fires("NPN is never negotiated (rustls speaks ALPN only)"),
    "SSL_CTX_set_next_protos_advertised_cb": never_fires("NPN is never negotiated (rustls speaks ALPN only)"),
    "SSL_get0_next_proto_negotiated": absent(
        outs={1: "NULL", 2: "0"}, note="*data = NULL, *len = 0: no NPN protocol was negotiated"),

    # SRTP (DTLS only).
    "SSL_CTX_set_tlsext_use_srtp": refused(fail="1", note="SRTP profiles (DTLS-SRTP): rustls has no DTLS"),
    "SSL_set_tlsext_use_srtp": refused(fail="1", note="SRTP profiles (DTLS-SRTP): rustls has no DTLS"),
    "SSL_get_srtp_profiles": absent("NULL", null_ok=True, note="NULL: no SRTP profiles"),
    "SSL_get_selected_srtp_profile": absent("NULL", note="NULL: no SRTP profile was negotiated"),

    # Custom extensions and serverinfo: rustls sends no extensions of the program's.
    "SSL_CTX_add_client_custom_ext": refused(note="custom TLS extensions: not available with rustls"),
    "SSL_CTX_add_server_custom_ext": refused(note="custom TLS extensions: not available with rustls"),
    "SSL_CTX_add_custom_ext": refused(note="custom TLS extensions: not available with rustls"),
    "SSL_CTX_has_client_custom_ext": absent("0", note="0: no custom extension is registered"),
    "SSL_CTX_use_serverinfo": refused(note="serverinfo (extra server extensions): not available with rustls"),
    "SSL_CTX_use_serverinfo_ex": refused(note="serverinfo (extra server extensions): not available with rustls"),
    "SSL_CTX_use_serverinfo_file": refused(note="serverinfo (extra server extensions): not available with rustls"),
    "SSL_extension_supported": absent(
        body="""Ok(c_int::from(matches!(
    a0,
    0 | 1 | 5 | 10 | 11 | 12 | 13 | 14 | 16 | 18 | 21 | 22 | 23 | 35 | 41 | 42 | 43 | 44 | 45
        | 47 | 49 | 51 | 13172 | 65281
)))""",
        note="OpenSSL's answer: 1 for the extensions its libssl handles itself"),

    # Renegotiation, key update, tickets, post-handshake authentication.
    "SSL_renegotiate": refused(
        "SSL_R_NO_RENEGOTIATION", note="renegotiation: rustls does not renegotiate",
        cases=[(V13, err("SSL_R_WRONG_SSL_VERSION"))]),
    "SSL_renegotiate_abbreviated": refused(
        "SSL_R_NO_RENEGOTIATION", note="renegotiation: rustls does not renegotiate",
        cases=[(V13, err("SSL_R_WRONG_SSL_VERSION"))]),
    "SSL_renegotiate_pending": absent("0", note="0: no renegotiation is pending"),
    "SSL_get_key_update_type": absent("-1", note="-1 (SSL_KEY_UPDATE_NONE): no key update is pending"),
    "SSL_new_session_ticket": refused(
        note="an extra session ticket on request: rustls sends its tickets after the handshake only",
        cases=[(f"!{V13} || !{SERVER}", ok("0"))]),
    "SSL_CTX_set_post_handshake_auth": absent(
        note="accepted as by OpenSSL; rustls offers no post-handshake authentication, so none is done"),
    "SSL_set_post_handshake_auth": absent(
        note="accepted as by OpenSSL; rustls offers no post-handshake authentication, so none is done"),
    "SSL_verify_client_post_handshake": absent(
        "0", error="SSL_R_EXTENSION_NOT_RECEIVED",
        cases=[("!" + V13, err("SSL_R_WRONG_SSL_VERSION")),
               ("!" + SERVER, err("SSL_R_NOT_SERVER"))],
        note="0 and extension not received, as OpenSSL when the client did not offer it"),
    "SSL_export_keying_material_early": absent(
        "0", note="0 without an error, as OpenSSL when no early data was used (ferrossl uses none)"),
    "SSL_CTX_set_recv_max_early_data": absent("1", note="1; ferrossl accepts no early data, so the limit never applies"),
    "SSL_set_recv_max_early_data": absent("1", note="1; ferrossl accepts no early data, so the limit never applies"),
    "SSL_get_recv_max_early_data": absent("16384", note="16384, OpenSSL's default (no early data is accepted)"),
    "SSL_SESSION_set_max_early_data": refused(
        note="early data on a session: ferrossl sends no 0-RTT data",
        cases=[("a1 == 0", ok("1"))]),
    "SSL_CTX_set_allow_early_data_cb": never_fires("ferrossl accepts no early data"),
    "SSL_set_allow_early_data_cb": never_fires("ferrossl accepts no early data"),
    "SSL_CTX_set_stateless_cookie_generate_cb": never_fires("SSL_stateless is refused"),
    "SSL_CTX_set_stateless_cookie_verify_cb": never_fires("SSL_stateless is refused"),
    "SSL_stateless": refused(note="a stateless (cookie) HelloRetryRequest: not available with rustls"),

    # Record layer.
    "SSL_CTX_set_tlsext_max_fragment_length": refused(
        note="the max_fragment_length extension: rustls does not negotiate it",
        cases=[("a1 == 0", ok("1")), ("a1 > 4", err("SSL_R_SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH"))]),
    "SSL_set_tlsext_max_fragment_length": refused(
        note="the max_fragment_length extension: rustls does not negotiate it",
        cases=[("a1 == 0", ok("1")), ("a1 > 4", err("SSL_R_SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH"))]),
    "SSL_SESSION_get_max_fragment_length": absent("0", note="0: no maximum fragment length was negotiated"),
    "SSL_CTX_set_block_padding": refused(
        note="record padding: rustls pads no records",
        cases=[("a1 <= 1", ok("1")), ("a1 > 16384", ok("0"))]),
    "SSL_set_block_padding": refused(
        note="record padding: rustls pads no records",
        cases=[("a1 <= 1", ok("1")), ("a1 > 16384", ok("0"))]),
    # OpenSSL 3.4: separate block sizes for application data and handshake records; 0 and 1
    # mean no padding, a size above 16384 fails (no error queued; OpenSSL has set the
    # application size by then when only the handshake size is too large).
    "SSL_CTX_set_block_padding_ex": refused(
        note="record padding: rustls pads no records",
        cases=[("a1 > 16384 || a2 > 16384", ok("0")), ("a1 <= 1 && a2 <= 1", ok("1"))]),
    "SSL_set_block_padding_ex": refused(
        note="record padding: rustls pads no records", null_ok=True,
        cases=[("a1 > 16384 || a2 > 16384", ok("0")), ("a1 <= 1 && a2 <= 1", ok("1"))]),
    "SSL_CTX_set_record_padding_callback": cleared_or_refused(
        "a1.is_none()", "record padding: rustls pads no records", ok_value="()"),
    "SSL_set_record_padding_callback": cleared_or_refused(
        "a1.is_none()", "record padding: rustls pads no records"),
    "SSL_CTX_set_record_padding_callback_arg": absent(note="accepted; no padding callback is ever set"),
    "SSL_set_record_padding_callback_arg": absent(note="accepted; no padding callback is ever set"),
    "SSL_CTX_get_record_padding_callback_arg": absent("NULL", note="NULL: no padding callback argument"),
    "SSL_get_record_padding_callback_arg": absent("NULL", note="NULL: no padding callback argument"),
    "SSL_CTX_set_default_read_buffer_len": absent(note="accepted; rustls sizes its own buffers"),
    "SSL_set_default_read_buffer_len": absent(note="accepted; rustls sizes its own buffers"),
    "SSL_alloc_buffers": absent("1", note="1; rustls manages its own buffers"),
    "SSL_free_buffers": absent("1", note="1; rustls manages its own buffers"),
    "SSL_rstate_string": absent('c"RH".as_ptr()', fail='c"unknown".as_ptr()',
                                note='"RH" (read header), OpenSSL\'s state between records'),
    "SSL_rstate_string_long": absent('c"read header".as_ptr()', fail='c"unknown".as_ptr()',
                                     note='"read header", OpenSSL\'s state between records'),

    # Async (engines).
    "SSL_CTX_set_async_callback": absent("1", note="1, as OpenSSL; no async job ever runs, so it is never called"),
    "SSL_CTX_set_async_callback_arg": absent("1", note="1, as OpenSSL; no async job ever runs"),
    "SSL_set_async_callback": absent("1", note="1, as OpenSSL; no async job ever runs, so it is never called"),
    "SSL_set_async_callback_arg": absent("1", note="1, as OpenSSL; no async job ever runs"),
    "SSL_get_all_async_fds": absent("0", note="0, as OpenSSL without an async job"),
    "SSL_get_changed_async_fds": absent("0", note="0, as OpenSSL without an async job"),
    "SSL_get_async_status": absent("0", note="0, as OpenSSL without an async job"),
    "SSL_waiting_for_async": absent("0", note="0: no async job"),

    # Security callback and policy.
    "SSL_CTX_set_security_callback": cleared_or_refused(
        "a1.is_none()", "a security callback: rustls applies its own policy and would not ask it",
        ok_value="()"),
    "SSL_set_security_callback": cleared_or_refused(
        "a1.is_none()", "a security callback: rustls applies its own policy and would not ask it",
        ok_value="()"),
    "SSL_CTX_get_security_callback": absent("NULL", note="NULL (OpenSSL returns its default callback)"),
    "SSL_get_security_callback": absent("NULL", note="NULL (OpenSSL returns its default callback)"),
    "SSL_CTX_set0_security_ex_data": absent(note="accepted; no security callback is ever called with it"),
    "SSL_set0_security_ex_data": absent(note="accepted; no security callback is ever called with it"),
    "SSL_CTX_get0_security_ex_data": absent("NULL", note="NULL: no security callback data"),
    "SSL_get0_security_ex_data": absent("NULL", note="NULL: no security callback data"),
    "SSL_check_chain": refused(note="checking a chain against OpenSSL's signature-algorithm rules"),

    # Certificates and verification.
    "SSL_CTX_set_client_cert_engine": refused(note="client certificates from an ENGINE: not supported"),
    "SSL_CTX_set_tmp_dh_callback": never_fires("rustls offers no DHE key exchange"),
    "SSL_set_tmp_dh_callback": never_fires("rustls offers no DHE key exchange"),
    "SSL_get_signature_type_nid": absent("0", note="0 (not known): rustls does not report the signature scheme used"),
    "SSL_get_sigalgs": absent("0", note="0: the peer's signature algorithms are not reported by rustls"),
    "SSL_get_shared_sigalgs": absent("0", note="0: the shared signature algorithms are not reported by rustls"),


    # Sessions.
    "SSL_CTX_sessions": absent("NULL", note="NULL: the session cache is not an LHASH (OpenSSL returns its table)"),
    "SSL_has_matching_session_id": absent("0", note="0: no session of the server cache is looked up by id"),
    "SSL_CTX_set_generate_session_id": absent(
        "1", note="1, as OpenSSL; rustls makes its own session ids, so it is never called"),
    "SSL_set_generate_session_id": absent(
        "1", note="1, as OpenSSL; rustls makes its own session ids, so it is never called"),
    "SSL_CTX_set_not_resumable_session_callback": never_fires("every session is resumable"),
    "SSL_set_not_resumable_session_callback": never_fires("every session is resumable"),
    "SSL_CTX_set_session_ticket_cb": absent(
        "1", note="1, as OpenSSL; rustls's tickets carry no application data, so they are never called"),
    "SSL_set_session_ticket_ext": refused(
        note="a hand-made SessionTicket extension (EAP-FAST): not available with rustls",
        cases=[("a1.is_null()", ok("1"))]),
    "SSL_set_session_ticket_ext_cb": absent(
        "1", null_ok=True, note="1, as OpenSSL; no hand-made ticket extension arrives, so it is never called"),
    "SSL_SESSION_get0_ticket": absent(outs={1: "NULL", 2: "0"}, note="*tick = NULL, *len = 0: rustls keeps the ticket"),
    "SSL_SESSION_get_ticket_lifetime_hint": absent("0", note="0: the ticket lifetime is not reported by rustls"),

    # Handshake transcript.
    "SSL_get_finished": absent("0", note="0 bytes: rustls does not expose the Finished messages (tls-unique)"),
    "SSL_get_peer_finished": absent("0", note="0 bytes: rustls does not expose the Finished messages (tls-unique)"),
    "SSL_bytes_to_cipher_list": refused(note="parsing raw cipher suites: not implemented yet"),

    # Methods, configuration, misc.
    "SSL_add_ssl_module": absent(note="does nothing, as OpenSSL (libcrypto adds the module)"),
    "SSL_set_debug": absent(note="does nothing, as OpenSSL"),
    "SSL_test_functions": absent("NULL", note="NULL: OpenSSL's internal test hooks"),
    "SSL_trace": absent(note="prints nothing: OpenSSL's protocol trace needs its record layer"),

    # OpenSSL 3.2-3.5's QUIC-only settings on a TLS connection: what OpenSSL 3.5 answers there.
    "SSL_get_blocking_mode": absent(
        "-1", fail="-1", null_ok=True,
        note="-1: the blocking mode is a QUIC object's; OpenSSL answers -1 on TLS (no error)"),
    "SSL_set_blocking_mode": absent(
        "0", null_ok=True,
        note="0: the blocking mode is a QUIC object's; OpenSSL answers 0 on TLS (no error)"),
    "SSL_get_value_uint": absent(
        "0", check=False, error="SSL_R_UNSUPPORTED_PROTOCOL",
        note="the SSL_VALUE_* settings are QUIC's: on TLS (or NULL) OpenSSL fails every one"),
    "SSL_set_value_uint": absent(
        "0", check=False, error="SSL_R_UNSUPPORTED_PROTOCOL",
        note="the SSL_VALUE_* settings are QUIC's: on TLS (or NULL) OpenSSL fails every one"),
    # OpenSSL 3.5: certificate compression and raw public keys (the rest is in src/capi).
    "SSL_add_expected_rpk": absent(
        "0", null_ok=True, note="0 (nothing queued), as OpenSSL when DANE is not enabled: it adds a DANE TLSA record, and SSL_dane_enable is refused"),
}

# OpenSSL 3.2-3.5's QUIC-era functions (abi/behaviour_quic.py).
from behaviour_quic import BEHAVIOUR_QUIC  # noqa: E402

BEHAVIOUR.update(BEHAVIOUR_QUIC)
