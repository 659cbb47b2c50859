"""pyOpenSSL (python3-openssl) as a TLS client or server against a stock openssl peer.

client <port> <cafile>: GET / from `s_server -www` with SNI, ALPN and verification; prints facts.
server <port> <pki> <ready>: one connection from `s_client`; answers lines reversed until CLOSE.
"""
import os
import socket
import sys

from OpenSSL import SSL, crypto


def fact(*parts):
    print(*parts, flush=True)


def client(port, cafile):
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    ctx.load_verify_locations(cafile)
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: bool(ok))
    ctx.set_alpn_protos([b"http/1.1"])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(None)  # pyOpenSSL wants a blocking socket
    conn = SSL.Connection(ctx, sock)
    conn.set_tlsext_host_name(b"localhost")
    conn.set_connect_state()
    conn.do_handshake()
    fact("version", conn.get_protocol_version_name(), "cipher", conn.get_cipher_name())
    fact("alpn", conn.get_alpn_proto_negotiated())
    chain = conn.get_peer_cert_chain()
    fact("chain", [c.get_subject().CN for c in chain])
    fact("peer", conn.get_peer_certificate().get_subject().CN)
    conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        try:
            d = conn.recv(65536)
        except SSL.ZeroReturnError:
            break
        except SSL.SysCallError:
            break
        if not d:
            break
        data += d
    fact("status", data.split(b"\r\n")[0].decode())
    fact("page names the session", b"SSL-Session:" in data and b"Cipher    :" in data)
    fact("bytes", len(data))
    conn.shutdown()
    conn.close()


def server(port, pki, ready):
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.use_certificate_chain_file(os.path.join(pki, "server-rsa.chain.pem"))
    ctx.use_privatekey_file(os.path.join(pki, "server-rsa.key"))
    ctx.check_privatekey()
    ctx.load_verify_locations(os.path.join(pki, "root-ca.pem"))
    ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
                   lambda conn, cert, errno, depth, ok: bool(ok))
    names = []
    ctx.set_tlsext_servername_callback(lambda c: names.append(c.get_servername()))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    fact(ready)
    sock, _ = ls.accept()
    sock.settimeout(None)
    conn = SSL.Connection(ctx, sock)
    conn.set_accept_state()
    conn.do_handshake()
    fact("sni", names, "version", conn.get_protocol_version_name())
    fact("client", conn.get_peer_certificate().get_subject().CN)
    buf = b""
    total = 0
    while True:
        try:
            d = conn.recv(65536)
        except (SSL.ZeroReturnError, SSL.SysCallError):
            break
        if not d:
            break
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line == b"CLOSE":
                fact("received", total)
                conn.shutdown()
                conn.close()
                fact("closed")
                return
            total += len(line) + 1
            conn.sendall(line[::-1] + b"\n")
    fact("eof", total)


if __name__ == "__main__":
    if sys.argv[1] == "client":
        client(int(sys.argv[2]), sys.argv[3])
    else:
        server(int(sys.argv[2]), sys.argv[3], sys.argv[4])
