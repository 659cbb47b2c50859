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
"""


def absent(ret=None, outs=None, note="", check=True, fail=None, body=None):
    return {"class": "absent", "ret": ret, "outs": outs or {}, "note": note, "check": check,
            "fail": fail, "body": body}


def refused(reason="ERR_R_UNSUPPORTED", note="", fail=None, check=True, body=None):
    return {"class": "refused", "reason": reason, "note": note, "fail": fail, "check": check,
            "body": body}


BEHAVIOUR = {
}
