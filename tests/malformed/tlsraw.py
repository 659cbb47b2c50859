"""Raw-TLS client machinery for the malformation probes (probes.py), on tlslite-ng 0.8.2.

A probe opens one TCP connection ([Peer]), writes records built from tlslite's message classes
(or drives a real tlslite handshake, [Peer.handshake], whose outgoing messages a hook may change,
replace or follow with raw records), then [Peer.finish] reads what the server sends until it
closes (FIN), resets, or stays quiet, and decodes every record: plaintext ones directly, encrypted
ones through the handshake's own record layer.
"""

import select
import socket
import time

from tlslite.api import HandshakeSettings, TLSConnection
from tlslite.constants import (
    TLS_1_3_HRR,
    AlertDescription,
    AlertLevel,
    CipherSuite,
    ContentType,
    ECPointFormat,
    GroupName,
    HandshakeType,
    SignatureScheme,
)
from tlslite.errors import TLSRemoteAlert
from tlslite.extensions import (
    ClientKeyShareExtension,
    ECPointFormatsExtension,
    KeyShareEntry,
    SignatureAlgorithmsExtension,
    SNIExtension,
    SupportedGroupsExtension,
    SupportedVersionsExtension,
    TLSExtension,
)
from tlslite.keyexchange import ECDHKeyExchange
from tlslite.messages import ClientHello, Message, RecordHeader3
from tlslite.utils.codec import Writer

# Whole-probe bound, and how long the server may stay silent before we stop reading.
TIMEOUT = 5.0
QUIET = 2.5

SIG_ALGS = [
    SignatureScheme.ecdsa_secp256r1_sha256,
    SignatureScheme.rsa_pss_rsae_sha256,
    SignatureScheme.rsa_pkcs1_sha256,
    SignatureScheme.ed25519,
]
TLS13_SUITES = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384]
TLS12_SUITES = [
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
]


class Abort(Exception):
    """Raised by a hook to stop tlslite's handshake after the hook wrote its records."""


def record(ct, body, version=(3, 1)):
    """One plaintext record: tlslite's 5-byte header, then `body` (any length, unchecked)."""
    body = bytes(body)
    return bytes(RecordHeader3().create(version, ct, len(body)).write()) + body


def handshake_msg(hs_type, body, length=None):
    """A handshake message header (type, 24-bit length, default len(body)) and `body`."""
    w = Writer()
    w.add(hs_type, 1)
    w.add(len(body) if length is None else length, 3)
    return bytes(w.bytes) + bytes(body)


def key_share(group):
    """A valid public key share for `group` (x25519 or an ECDHE curve)."""
    kex = ECDHKeyExchange(group, (3, 4))
    return bytes(kex.calc_public_value(kex.get_random_private_key()))


def client_hello(tls13=True, shares=None, groups=None, extra=(), version=(3, 3), suites=None,
                 sni=True):
    """A ClientHello (tlslite object) that stock OpenSSL would accept: TLS 1.3 (x25519 share) and
    TLS 1.2 suites, SNI localhost. `shares` is a list of (group, bytes); `extra` extensions are
    appended."""
    if groups is None:
        groups = [GroupName.x25519, GroupName.secp256r1]
    if shares is None:
        shares = [(GroupName.x25519, key_share(GroupName.x25519))]
    exts = []
    if sni:
        exts.append(SNIExtension().create(b"localhost"))
    exts += [
        SupportedGroupsExtension().create(groups),
        ECPointFormatsExtension().create([ECPointFormat.uncompressed]),
        SignatureAlgorithmsExtension().create(SIG_ALGS),
    ]
    if tls13:
        exts.append(SupportedVersionsExtension().create([(3, 4), (3, 3)]))
        entries = [KeyShareEntry().create(g, bytearray(k)) for g, k in shares]
        exts.append(ClientKeyShareExtension().create(entries))
    exts += list(extra)
    if suites is None:
        suites = (TLS13_SUITES if tls13 else []) + TLS12_SUITES
    ch = ClientHello()
    ch.create(version, bytearray(32), bytearray(32), suites, extensions=exts)
    return ch


def raw_ext(ext_type, data):
    """An extension with arbitrary bytes as its body."""
    return TLSExtension(extType=ext_type).create(bytearray(data))


def alert_name(level, desc):
    return "%s:%s" % (AlertLevel.toStr(level), AlertDescription.toStr(desc))


class RecSock:
    """The socket tlslite reads through: keeps every byte received and how the stream ended."""

    def __init__(self, sock):
        self.sock = sock
        self.data = bytearray()
        self.end = None

    def recv(self, n):
        try:
            got = self.sock.recv(n)
        except ConnectionResetError:
            self.end = self.end or "reset"
            raise
        if not got:
            self.end = self.end or "fin"
        self.data += got
        return got

    def __getattr__(self, name):
        return getattr(self.sock, name)


class FakeSock:
    """Serves one captured record to a tlslite record layer."""

    def __init__(self, data):
        self.data = bytearray(data)

    def recv(self, n):
        out = self.data[:n]
        del self.data[:n]
        return out


class HookConn(TLSConnection):
    """A tlslite connection whose outgoing handshake messages pass through `hook(conn, msg)`:
    it returns the message to send (the same, a changed one, or None to drop it), may first
    write raw records (send_record / conn.sock.send), and may raise Abort to stop there."""

    hook = None
    saved_layer = None

    def _sendMsg(self, msg, randomizeFirstBlock=True, update_hashes=True):
        if self.hook is not None:
            try:
                msg = self.hook(self, msg)
            except Abort:
                self.saved_layer = dict(self._recordLayer.__dict__)
                raise
        if msg is None:
            return
        yield from TLSConnection._sendMsg(self, msg, randomizeFirstBlock, update_hashes)


def send_record(conn, ct, data):
    """Writes one record of type `ct` through conn's record layer (encrypted once keys are set;
    no size check)."""
    for _ in conn._recordLayer.sendRecord(Message(ct, bytearray(data))):
        pass


def answered(conn, wait):
    """Flushes conn's writes; True if the server sends something (or closes) within `wait` s."""
    conn.sock.flush()
    ready, _, _ = select.select([conn.sock.socket.sock], [], [], wait)
    return bool(ready)


def tap(layer, log):
    """Logs (inner type, payload) of every record tlslite's record layer returns."""
    orig = layer.recvRecord

    def recv_record():
        for res in orig():
            if res not in (0, 1):
                header, parser = res
                log.append((header.type, bytes(parser.bytes)))
            yield res

    layer.recvRecord = recv_record


class Peer:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.rec = RecSock(self.sock)
        self.conn = None
        self.decoded = []
        self.client_error = None
        self.done = False  # a handshake completed: its ServerHello is no outcome

    def send(self, *chunks):
        try:
            self.sock.sendall(b"".join(bytes(c) for c in chunks))
        except OSError as err:
            self.client_error = "send: %s" % err

    def half_close(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as err:
            self.client_error = "shutdown: %s" % err

    def settings(self, version):
        st = HandshakeSettings()
        st.minVersion = st.maxVersion = version
        if version == (3, 3):
            st.eccCurves = ["secp256r1", "x25519"]
            st.keyShares = []
        return st

    def handshake(self, version=(3, 4), hook=None, record_size=None, settings=None):
        """A tlslite client handshake at `version`; True when it completed."""
        conn = HookConn(self.rec)
        conn.closeSocket = False
        conn.hook = hook
        if record_size:
            conn.recordSize = record_size
        tap(conn._recordLayer, self.decoded)
        self.conn = conn
        try:
            conn.handshakeClientCert(settings=settings or self.settings(version),
                                     serverName="localhost")
            self.done = True
            return True
        except Abort:
            conn._recordLayer.__dict__.update(conn.saved_layer)
            self.flush()
        except TLSRemoteAlert:
            pass
        except (OSError, EOFError) as err:
            self.client_error = "handshake: %r" % err
        except Exception as err:  # tlslite's own objections to what the server sent
            self.client_error = "handshake: %r" % err
        return False

    def flush(self):
        try:
            self.conn.sock.flush()
        except OSError as err:
            self.client_error = "send: %s" % err

    def write_records(self, *records):
        """(type, data) records through the connection's record layer, then flush."""
        try:
            for ct, data in records:
                send_record(self.conn, ct, data)
            self.conn.sock.flush()
        except OSError as err:
            self.client_error = "send: %s" % err

    def http_get(self):
        try:
            self.conn.write(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        except OSError as err:
            self.client_error = "send: %s" % err

    def _read_rest(self):
        start = time.monotonic()
        last = start
        while self.rec.end is None:
            now = time.monotonic()
            wait = min(start + TIMEOUT - now, last + QUIET - now)
            if wait <= 0:
                self.rec.end = "timeout"
                break
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                continue
            try:
                got = self.sock.recv(65536)
            except ConnectionResetError:
                self.rec.end = "reset"
                break
            if not got:
                self.rec.end = "fin"
                break
            self.rec.data += got
            last = time.monotonic()

    def _decode(self, index, ct, raw):
        """(inner type, payload or None) of record `index`."""
        if index < len(self.decoded):
            return self.decoded[index]
        layer = self.conn._recordLayer if self.conn else None
        encrypted = layer is not None and layer._readState.encContext is not None
        plain_alert = ct == ContentType.alert and len(raw) - 5 == 2
        if layer is None and ct == ContentType.application_data:
            return None, None  # encrypted: a raw probe holds no keys
        if not encrypted or ct == ContentType.change_cipher_spec or plain_alert:
            return ct, raw[5:]
        layer._recordSocket.sock = FakeSock(raw)
        try:
            for res in layer.recvRecord():
                if res not in (0, 1):
                    return self.decoded[-1]
        except Exception:  # noqa: BLE001 - an undecryptable record is reported as such
            return None, None
        return None, None

    def finish(self):
        """Reads to the end and returns the probe's result."""
        self._read_rest()
        data = bytes(self.rec.data)
        records, alerts = [], []
        server_hello = hrr = app_data = False
        pos = 0
        while len(data) - pos >= 5:
            ct, length = data[pos], int.from_bytes(data[pos + 3:pos + 5], "big")
            if len(data) - pos - 5 < length:
                break
            raw = data[pos:pos + 5 + length]
            entry = {"type": ct, "version": "0x" + data[pos + 1:pos + 3].hex(), "length": length}
            inner, payload = self._decode(len(records), ct, raw)
            if inner is None:
                entry["undecrypted"] = True
            elif inner != ct:
                entry["inner"] = inner
            if inner == ContentType.alert and payload is not None and len(payload) == 2:
                entry["alert"] = alert_name(payload[0], payload[1])
                alerts.append(entry["alert"])
            elif inner == ContentType.handshake and payload:
                if payload[0] == HandshakeType.server_hello:
                    if payload[6:38] == TLS_1_3_HRR:
                        hrr = True
                        entry["handshake"] = "hello_retry_request"
                    else:
                        server_hello = True
                        entry["handshake"] = "server_hello"
                else:
                    entry["handshake"] = HandshakeType.toStr(payload[0])
            elif inner == ContentType.application_data:
                app_data = True
            records.append(entry)
            pos += 5 + length
        end = self.rec.end
        fatal = [a for a in alerts if not a.startswith("warning:")]
        if fatal:
            outcome, summary = "alert", "alert:" + fatal[0]
        elif hrr:
            outcome = summary = "hrr"
        elif app_data:
            outcome = summary = "data"
        elif alerts:
            outcome, summary = "alert", "alert:" + alerts[0]
        elif server_hello and not self.done:
            outcome = summary = "serverhello"
        else:
            by_end = {"fin": "closed-without-alert", "reset": "reset"}
            outcome = summary = by_end.get(end, "timeout")
        return {
            "records": records,
            "trailing_bytes": len(data) - pos,
            "alerts": alerts,
            "server_hello": server_hello,
            "hrr": hrr,
            "end": end,
            "outcome": outcome,
            "summary": summary,
            "alert_before_close": bool(alerts) and end in ("fin", "reset"),
            "client_error": self.client_error,
        }

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
