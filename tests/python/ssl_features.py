"""Prints facts about Python's ssl module (run on stock OpenSSL and on ferrossl, then diffed).

Usage: ssl_features.py <mode> <args...>; see the functions below. Every line printed is a fact
the two runs must agree on, unless the Rust test says otherwise.
"""
import os
import socket
import ssl
import sys


def fact(*parts):
    print(*parts, flush=True)


def err(e):
    """The stable part of an exception: its type and OpenSSL reason (if any)."""
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"{type(e).__name__} {e.verify_code} {e.verify_message}"
    if isinstance(e, ssl.SSLError):
        return f"{type(e).__name__} {e.library} {e.reason}"
    return f"{type(e).__name__}"


def cns(certs):
    return sorted(dict(x[0] for x in c["subject"])["commonName"] for c in certs)


def offline(pki):
    root = os.path.join(pki, "root-ca.pem")
    inter = os.path.join(pki, "intermediate-ca.pem")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    fact("cafile stats", ctx.cert_store_stats(), cns(ctx.get_ca_certs()))
    pem = open(root).read() + open(inter).read()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=pem)
    fact("cadata-pem stats", ctx.cert_store_stats(), cns(ctx.get_ca_certs()))
    der = ssl.PEM_cert_to_DER_cert(open(inter).read())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=der)
    fact("cadata-der stats", ctx.cert_store_stats(), cns(ctx.get_ca_certs()))
    fact("cadata-der binary", ctx.get_ca_certs(binary_form=True) == [der])
    try:
        ctx.load_verify_locations(cadata="not a certificate")
    except Exception as e:
        fact("cadata-garbage", err(e))

    cert = os.path.join(pki, "client.pem")
    key = os.path.join(pki, "client.enc.key")
    password = sys.argv[3]
    for label, pw in [("str", password), ("bytes", password.encode()),
                      ("callable", lambda: password)]:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key, password=pw)
        fact("load_cert_chain password", label, "ok")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key, password="wrong")
    except Exception as e:
        fact("load_cert_chain wrong password", type(e).__name__)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
            cert, os.path.join(pki, "server-ecdsa.key"))
    except Exception as e:
        fact("load_cert_chain mismatched key", err(e))

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for curve in ["prime256v1", "secp384r1", "nosuchcurve"]:
        try:
            ctx.set_ecdh_curve(curve)
            fact("set_ecdh_curve", curve, "ok")
        except Exception as e:
            fact("set_ecdh_curve", curve, type(e).__name__, e)

    ctx = ssl.create_default_context()
    fact("defaults", ctx.minimum_version, ctx.maximum_version, ctx.verify_flags,
         ctx.verify_mode, ctx.check_hostname)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    fact("versions set", ctx.minimum_version, ctx.maximum_version)
    ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
    fact("maximum reset", ctx.maximum_version)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_CRL_CHECK_LEAF
    fact("verify_flags set", ctx.verify_flags)
    fact("post_handshake_auth", ctx.post_handshake_auth)
    ctx.post_handshake_auth = True
    fact("post_handshake_auth set", ctx.post_handshake_auth)


def connect(ctx, port, host="localhost", session=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(s, server_hostname=host, session=session)


def get(t):
    t.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        d = t.recv(65536)
        if not d:
            break
        data += d
    return data


def client(port, root, capath):
    """Two GETs to a stock `s_server -www`: facts about the session and the connection."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if capath:
        ctx.load_verify_locations(capath=capath)
    else:
        ctx.load_verify_locations(cafile=root)
    t = connect(ctx, port)
    fact("version", t.version(), "cipher", t.cipher()[0])
    fact("session id nonempty", len(t.session.id) > 0 if t.session else None)
    fact("reused first", t.session_reused)
    shared = t.shared_ciphers()
    fact("client shared_ciphers", None if shared is None else len(shared) > 0)
    cb = t.get_channel_binding("tls-unique")
    fact("tls-unique", type(cb).__name__, 0 if cb is None else len(cb))
    fact("peer", cns([t.getpeercert()]))
    page = get(t)
    fact("page", page.split(b"\r\n")[0].decode())
    session = t.session
    fact("session id after reading", len(session.id) > 0, "has_ticket", session.has_ticket)
    t.close()
    t = connect(ctx, port, session=session)
    page = get(t)
    fact("reused second", t.session_reused, b"Reused," in page)
    t.close()
    if capath:
        fact("capath stats after use", ctx.cert_store_stats()["x509_ca"] >= 1)


def crl(port, root, crlfile):
    """A verified GET with VERIFY_CRL_CHECK_LEAF (the CRL of the leaf's issuer loaded)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    ctx.load_verify_locations(cafile=crlfile)
    ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF | ssl.VERIFY_X509_STRICT
    fact("stats", ctx.cert_store_stats())
    try:
        t = connect(ctx, port)
        fact("connected", t.version(), get(t).split(b"\r\n")[0].decode())
    except Exception as e:
        fact("refused", err(e))


def keylog(port, root, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    ctx.keylog_filename = path
    fact("keylog_filename", ctx.keylog_filename == path)
    t = connect(ctx, port)
    fact("version", t.version(), get(t).split(b"\r\n")[0].decode())
    t.close()


def versions(port, root, minimum, maximum):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    if minimum != "-":
        ctx.minimum_version = ssl.TLSVersion[minimum]
    if maximum != "-":
        ctx.maximum_version = ssl.TLSVersion[maximum]
    try:
        t = connect(ctx, port)
        fact("connected", t.version(), get(t).split(b"\r\n")[0].decode())
    except Exception as e:
        fact("refused", err(e))


def server(port, pki, mode, ready):
    """One connection from a stock s_client: answers each line reversed, until `CLOSE`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(pki, "server-rsa.chain.pem"),
                        os.path.join(pki, "server-rsa.key"))
    if mode == "client-cert":
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=os.path.join(pki, "root-ca.pem"))
    if mode == "pha":
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.post_handshake_auth = True
        ctx.load_verify_locations(cafile=os.path.join(pki, "root-ca.pem"))
    names = []

    def sni(sock, name, c):
        names.append(name)
        if mode == "deny":
            return ssl.ALERT_DESCRIPTION_ACCESS_DENIED
        if mode == "raise":
            raise RuntimeError("sni callback refuses")
        return None

    ctx.sni_callback = sni
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    fact(ready)
    conn, _ = ls.accept()
    conn.settimeout(10)
    try:
        t = ctx.wrap_socket(conn, server_side=True)
    except Exception as e:
        fact("handshake failed", err(e), "sni", names)
        return
    fact("sni", names, "version", t.version())
    shared = t.shared_ciphers()
    fact("server shared_ciphers nonempty", bool(shared),
         "all tuples", all(len(c) == 3 for c in shared or []))
    peer = t.getpeercert()
    fact("peer", cns([peer]) if peer else None)
    if mode == "pha":
        try:
            t.verify_client_post_handshake()
            fact("verify_client_post_handshake ok")
        except Exception as e:
            fact("verify_client_post_handshake", err(e))
    f = t.makefile("rb")
    while True:
        line = f.readline()
        if not line or line.strip() == b"CLOSE":
            break
        t.sendall(line.rstrip(b"\n")[::-1] + b"\n")
    fact("closed")
    t.unwrap().close()


def ciphers():
    """get_ciphers() of a default context, one JSON object a line."""
    import json
    for c in ssl.create_default_context().get_ciphers():
        print(json.dumps(c, sort_keys=True))


def main():
    mode = sys.argv[1]
    if mode == "ciphers":
        ciphers()
    elif mode == "offline":
        offline(sys.argv[2])
    elif mode == "client":
        client(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif mode == "crl":
        crl(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif mode == "keylog":
        keylog(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif mode == "versions":
        versions(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif mode == "server":
        server(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
