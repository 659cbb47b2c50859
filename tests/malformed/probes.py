#!/usr/bin/python3
"""Malformed-TLS probes against a TLS 1.2 + 1.3 server (nginx on stock OpenSSL or on ferrossl).

    probes.py list                    name<TAB>stock OpenSSL's answer<TAB>description, one a line
    probes.py run HOST PORT NAME...   one JSON line per probe (tlsraw.Peer.finish's fields)
    probes.py run-tsv HOST PORT NAME... the same as name, summary, end, alert_before_close (0/1),
                                        records and client error, tab-separated (for the test)

Each probe opens one connection, writes its records (built with tlslite-ng's message classes,
see tlsraw.py), and reports every record the server sent back (type/version/length, alerts
decoded, ServerHello / HelloRetryRequest seen), the outcome and whether the alert arrived before
the server's FIN. The second column of `list` is what stock OpenSSL 3.0 answers (the `summary`
field: "alert:LEVEL:DESCRIPTION", "hrr", "data", "closed-without-alert", "reset", "timeout");
tests/malformed.rs checks it and compares ferrossl's answers with stock's.
Run with PYTHONPATH=<dir holding tlslite> /usr/bin/python3.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tlslite.constants import ContentType as CT  # noqa: E402
from tlslite.constants import ExtensionType, GroupName, HandshakeType  # noqa: E402
from tlslite.extensions import SupportedGroupsExtension  # noqa: E402
from tlslite.messages import (  # noqa: E402
    ChangeCipherSpec,
    ClientHello,
    ClientKeyExchange,
    Finished,
    Message,
    RecordHeader2,
)

import tlsraw  # noqa: E402
from tlsraw import Abort, client_hello, handshake_msg, key_share, raw_ext, record  # noqa: E402

PROBES = {}

HS = CT.handshake
TLS13 = (3, 4)
TLS12 = (3, 3)


def probe(name, expect, desc):
    def add(func):
        PROBES[name] = (expect, desc, func)
        return func

    return add


def ch_bytes(**kw):
    return bytes(client_hello(**kw).write())


def padded_ch(record_len):
    """A ClientHello handshake message of exactly `record_len` bytes (an unknown extension
    pads it)."""
    base = len(ch_bytes(extra=[raw_ext(0xFA00, b"")]))
    return ch_bytes(extra=[raw_ext(0xFA00, bytes(record_len - base))])


# --- record layer, before any handshake ------------------------------------------------------

def in_ch(*records):
    """The ClientHello's 4-byte handshake header in one record, then `records`, then the rest
    of the ClientHello. (nginx hands a connection to the TLS library only when its first byte
    is 0x16, so a malformed record must come after the first handshake record.)"""
    ch = ch_bytes()
    return record(HS, ch[:4]) + b"".join(records) + record(HS, ch[4:])


@probe("bad-content-type", "alert:fatal:unexpected_message",
       "a record of content type 0x63 between the first two fragments of a ClientHello")
def _(p):
    p.send(in_ch(record(0x63, b"\x01\x00")))


for _len in (16385, 18433, 65535):
    probe("ch-record-overflow-%d" % _len, "alert:fatal:record_overflow",
          "a valid ClientHello alone in one plaintext record of %d bytes" % _len)(
        lambda p, n=_len: p.send(record(HS, padded_ch(n))))

for _t in (0, 2, 4, 11, 16, 20, 24, 99):
    probe("record-overflow-hs-type-%d" % _t, "alert:fatal:record_overflow",
          "a 16385-byte handshake record whose first message has type %d" % _t)(
        lambda p, t=_t: p.send(record(HS, handshake_msg(t, bytes(16381)))))


@probe("ch-split-1-byte-records", "data",
       "a full TLS 1.3 handshake whose client messages go out in 1-byte records, then HTTP")
def _(p):
    if p.handshake(TLS13, record_size=1):
        p.http_get()


@probe("ch-split-7-byte-records-tls12", "data",
       "a full TLS 1.2 handshake whose client messages go out in 7-byte records, then HTTP")
def _(p):
    if p.handshake(TLS12, record_size=7):
        p.http_get()


def big_ch_hook(conn, msg):
    if isinstance(msg, ClientHello):
        msg.extensions.append(raw_ext(0xFA01, bytes(20000)))
    return msg


@probe("ch-over-16k", "data",
       "a TLS 1.3 ClientHello of about 20 KiB (unknown extension) over two records, then HTTP")
def _(p):
    if p.handshake(TLS13, hook=big_ch_hook):
        p.http_get()


@probe("zero-length-handshake-before-ch", "serverhello",
       "an empty handshake record, then a ClientHello")
def _(p):
    p.send(record(HS, b""), record(HS, ch_bytes()))


@probe("zero-length-alert-in-ch", "alert:fatal:unexpected_message",
       "an empty alert record inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.alert, b"")))


@probe("zero-length-ccs-in-ch", "alert:fatal:unexpected_message",
       "an empty change_cipher_spec record inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.change_cipher_spec, b"")))


@probe("zero-length-appdata-in-ch", "alert:fatal:unexpected_message",
       "an empty application_data record inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.application_data, b"")))


@probe("ccs-in-ch", "alert:fatal:unexpected_message",
       "a change_cipher_spec (value 1) inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.change_cipher_spec, b"\x01")))


@probe("appdata-in-ch", "alert:fatal:unexpected_message",
       "an application_data record inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.application_data, b"GET / HTTP/1.0\r\n\r\n")))


@probe("alert-one-byte-in-ch", "alert:fatal:unexpected_message",
       "a 1-byte alert record inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.alert, b"\x02")))


@probe("alert-unknown-description-in-ch", "alert:fatal:unexpected_message",
       "a fatal alert of unknown description 0xfe inside a ClientHello")
def _(p):
    p.send(in_ch(record(CT.alert, b"\x02\xfe")))


for _v in (0x0200, 0x0400, 0xFEFD):
    probe("record-version-0x%04x" % _v, "closed-without-alert",
          "a valid ClientHello in a record of legacy version 0x%04x" % _v)(
        lambda p, v=_v: p.send(record(HS, ch_bytes(), version=(v >> 8, v & 0xFF))))


@probe("ch-legacy-version-0x0300", "alert:fatal:handshake_failure",
       "a ClientHello of legacy_version SSL 3.0 and no supported_versions")
def _(p):
    p.send(record(HS, ch_bytes(tls13=False, version=(3, 0))))


@probe("ch-legacy-version-0x0400", "serverhello",
       "a ClientHello of legacy_version 0x0400 (TLS 1.3 in supported_versions)")
def _(p):
    p.send(record(HS, ch_bytes(version=(4, 0))))


# --- ClientHello contents ---------------------------------------------------------------------

@probe("truncated-ch-then-eof", "closed-without-alert",
       "a ClientHello whose length field is 100 bytes beyond its body, then the client's FIN")
def _(p):
    ch = ch_bytes()
    p.send(record(HS, handshake_msg(ch[0], ch[4:], length=len(ch) - 4 + 100)))
    p.half_close()


@probe("truncated-ch-then-finished", "alert:fatal:decode_error",
       "a ClientHello whose length field counts the 36-byte Finished sent after it")
def _(p):
    ch = ch_bytes()
    p.send(record(HS, handshake_msg(ch[0], ch[4:], length=len(ch) - 4 + 36)),
           record(HS, handshake_msg(HandshakeType.finished, bytes(32))))


@probe("ch-extensions-length-overrun", "alert:fatal:decode_error",
       "a ClientHello whose extensions block claims 50 bytes more than the message holds")
def _(p):
    ch = bytearray(ch_bytes())
    # the extensions length is the last 2-byte field before the extensions
    ext_len_pos = 4 + 2 + 32 + 1 + 32
    suites_len = int.from_bytes(ch[ext_len_pos:ext_len_pos + 2], "big")
    ext_len_pos += 2 + suites_len + 2
    ext_len = int.from_bytes(ch[ext_len_pos:ext_len_pos + 2], "big")
    ch[ext_len_pos:ext_len_pos + 2] = (ext_len + 50).to_bytes(2, "big")
    p.send(record(HS, ch))


@probe("unknown-handshake-type", "alert:fatal:unexpected_message",
       "a handshake message of type 99 instead of a ClientHello")
def _(p):
    p.send(record(HS, handshake_msg(99, ch_bytes()[4:])))


@probe("duplicate-extension", "alert:fatal:illegal_parameter",
       "a ClientHello carrying supported_groups twice")
def _(p):
    p.send(record(HS, ch_bytes(extra=[SupportedGroupsExtension().create([GroupName.x25519])])))


@probe("sni-malformed", "alert:fatal:decode_error",
       "a ClientHello whose server_name list length overruns the extension")
def _(p):
    p.send(record(HS, ch_bytes(sni=False, extra=[raw_ext(ExtensionType.server_name,
                                                             b"\x00\x20\x00\x00\x09localhost")])))


@probe("keyshare-unknown-groups-hrr", "hrr",
       "key_share holds only unknown groups 0x1234/0x1235, supported_groups lists them and x25519")
def _(p):
    p.send(record(HS, ch_bytes(groups=[0x1234, 0x1235, GroupName.x25519],
                               shares=[(0x1234, bytes(32)), (0x1235, bytes(40))])))


@probe("keyshare-not-in-supported-groups", "alert:fatal:illegal_parameter",
       "a P-256 key share while supported_groups lists only x25519")
def _(p):
    p.send(record(HS, ch_bytes(groups=[GroupName.x25519],
                               shares=[(GroupName.secp256r1, key_share(GroupName.secp256r1))])))


@probe("keyshare-unknown-hrr-to-x448", "hrr",
       "key_share holds only unknown group 0x1234, supported_groups lists it and x448")
def _(p):
    p.send(record(HS, ch_bytes(groups=[0x1234, GroupName.x448], shares=[(0x1234, bytes(32))])))


@probe("keyshare-unknown-hrr-to-p521", "hrr",
       "key_share holds only unknown group 0x1234, supported_groups lists it and secp521r1")
def _(p):
    p.send(record(HS, ch_bytes(groups=[0x1234, GroupName.secp521r1],
                               shares=[(0x1234, bytes(32))])))


@probe("keyshare-x25519-short", "alert:fatal:illegal_parameter", "an x25519 key share of 31 bytes")
def _(p):
    p.send(record(HS, ch_bytes(shares=[(GroupName.x25519, bytes(range(1, 32)))])))


@probe("keyshare-p256-not-on-curve", "alert:fatal:illegal_parameter",
       "a P-256 key share that is an uncompressed point not on the curve")
def _(p):
    p.send(record(HS, ch_bytes(groups=[GroupName.secp256r1],
                               shares=[(GroupName.secp256r1, b"\x04" + bytes([1]) * 64)])))


@probe("keyshare-p256-compressed", "alert:fatal:illegal_parameter",
       "a P-256 key share in compressed form (0x02 + 32 bytes)")
def _(p):
    share = key_share(GroupName.secp256r1)
    p.send(record(HS, ch_bytes(groups=[GroupName.secp256r1],
                               shares=[(GroupName.secp256r1, b"\x02" + share[1:33])])))


@probe("sslv2-client-hello", "alert:fatal:handshake_failure",
       "an SSLv2-format ClientHello offering TLS 1.2 (ECDHE-ECDSA/RSA-AES128-GCM)")
def _(p):
    ch = ClientHello(ssl2=True)
    ch.create((3, 3), bytearray(os.urandom(16)), bytearray(0), tlsraw.TLS12_SUITES)
    body = bytes(ch.write())
    p.send(bytes(RecordHeader2().create(len(body)).write()) + body)


@probe("ch-no-shared-cipher", "alert:fatal:handshake_failure",
       "a ClientHello offering only the unknown suite 0x0a0a")
def _(p):
    p.send(record(HS, ch_bytes(suites=[0x0A0A])))


@probe("ch-no-null-compression", "alert:fatal:decode_error",
       "a ClientHello whose compression methods are [1] only")
def _(p):
    ch = client_hello()
    ch.compression_methods = [1]
    p.send(record(HS, ch.write()))


@probe("ch-session-id-33", "alert:fatal:decode_error",
       "a ClientHello with a 33-byte legacy_session_id")
def _(p):
    ch = client_hello()
    ch.session_id = bytearray(33)
    p.send(record(HS, ch.write()))


@probe("sni-empty-name", "serverhello", "a ClientHello whose server_name is an empty host_name")
def _(p):
    p.send(record(HS, ch_bytes(sni=False, extra=[raw_ext(ExtensionType.server_name,
                                                             b"\x00\x03\x00\x00\x00")])))


@probe("heartbeat-record-in-ch", "alert:fatal:unexpected_message",
       "a heartbeat (content type 24) record inside a ClientHello")
def _(p):
    p.send(in_ch(record(24, b"\x01\x00\x10" + bytes(32))))


# --- during a handshake -----------------------------------------------------------------------

def is_msg(msg, kind):
    return isinstance(msg, kind)


def cke_invalid_point(conn, msg):
    if is_msg(msg, ClientKeyExchange):
        msg.ecdh_Yc = bytearray(b"\x04" + bytes([1]) * 64)
    return msg


@probe("tls12-cke-invalid-point", "alert:fatal:illegal_parameter",
       "TLS 1.2 ECDHE (P-256): a ClientKeyExchange point that is not on the curve")
def _(p):
    p.handshake(TLS12, hook=cke_invalid_point)


def bad_finished(conn, msg):
    if is_msg(msg, Finished):
        data = bytearray(msg.verify_data)
        data[0] ^= 0x01
        msg.verify_data = data
    return msg


@probe("bad-finished-tls13", "alert:fatal:decrypt_error",
       "TLS 1.3: a client Finished with one bit flipped")
def _(p):
    p.handshake(TLS13, hook=bad_finished)


@probe("bad-finished-tls12", "alert:fatal:decrypt_error",
       "TLS 1.2: a client Finished with one bit flipped")
def _(p):
    p.handshake(TLS12, hook=bad_finished)


def before(kind, *records, stop=True):
    """A hook writing raw (type, data) records through the record layer before the first
    message of `kind`, then aborting; with stop=False it waits 300 ms and goes on with the
    handshake unless the server has answered (an alert) or closed."""

    def hook(conn, msg):
        if is_msg(msg, kind):
            for ct, data in records:
                tlsraw.send_record(conn, ct, data)
            if stop or tlsraw.answered(conn, 0.3):
                raise Abort()
        return msg

    return hook


@probe("appdata-before-finished-tls13", "alert:fatal:unexpected_message",
       "TLS 1.3: application data (under the handshake keys) instead of the client Finished")
def _(p):
    p.handshake(TLS13, hook=before(Finished, (CT.application_data, b"GET / HTTP/1.0\r\n\r\n")))


@probe("appdata-before-finished-tls12", "alert:fatal:unexpected_message",
       "TLS 1.2: encrypted application data between the client's CCS and its Finished")
def _(p):
    p.handshake(TLS12, hook=before(Finished, (CT.application_data, b"GET / HTTP/1.0\r\n\r\n")))


def replace_ccs(value):
    def hook(conn, msg):
        if is_msg(msg, ChangeCipherSpec):
            return Message(CT.change_cipher_spec, bytearray(value))
        return msg

    return hook


@probe("ccs-two-bytes-tls13", "alert:fatal:illegal_parameter",
       "TLS 1.3: the client's compatibility CCS is 2 bytes long")
def _(p):
    p.handshake(TLS13, hook=replace_ccs(b"\x01\x01"))


@probe("ccs-value-2-tls13", "alert:fatal:illegal_parameter",
       "TLS 1.3: the client's compatibility CCS has value 2")
def _(p):
    p.handshake(TLS13, hook=replace_ccs(b"\x02"))


@probe("ccs-two-bytes-tls12", "alert:fatal:unexpected_message",
       "TLS 1.2: the client's ChangeCipherSpec is 2 bytes long")
def _(p):
    p.handshake(TLS12, hook=replace_ccs(b"\x01\x01"))


@probe("ccs-value-2-tls12", "alert:fatal:unexpected_message",
       "TLS 1.2: the client's ChangeCipherSpec has value 2")
def _(p):
    p.handshake(TLS12, hook=replace_ccs(b"\x02"))


UM = "alert:fatal:unexpected_message"
for _name, _ct, _exp12, _exp13 in (
        ("handshake", HS, "data", UM),
        ("alert", CT.alert, UM, UM),
        ("ccs", CT.change_cipher_spec, "data", "alert:fatal:illegal_parameter"),
        ("appdata", CT.application_data, UM, UM)):
    probe("zero-length-%s-tls12-before-cke" % _name, _exp12,
          "TLS 1.2: an empty %s record before the ClientKeyExchange, then the rest" % _name)(
        lambda p, ct=_ct: p.handshake(TLS12, hook=before(ClientKeyExchange, (ct, b""),
                                                          stop=False)) and p.http_get())
    probe("zero-length-%s-tls13-before-finished" % _name, _exp13,
          "TLS 1.3: an empty %s record (encrypted) before the client Finished, then the rest"
          % _name)(
        lambda p, ct=_ct: p.handshake(TLS13, hook=before(Finished, (ct, b""), stop=False))
        and p.http_get())


# --- after the handshake ----------------------------------------------------------------------

@probe("encrypted-overflow-tls13", "alert:fatal:record_overflow",
       "after a TLS 1.3 handshake: application data of 16385 plaintext bytes in one record")
def _(p):
    if p.handshake(TLS13):
        p.write_records((CT.application_data, bytes(16385)))


@probe("encrypted-overflow-tls12", "alert:fatal:record_overflow",
       "after a TLS 1.2 handshake: application data of 16385 plaintext bytes in one record")
def _(p):
    if p.handshake(TLS12):
        p.write_records((CT.application_data, bytes(16385)))


@probe("ciphertext-overflow-tls13", "alert:fatal:record_overflow",
       "after a TLS 1.3 handshake: an application_data record of 16641 random bytes (> 2^14+256)")
def _(p):
    if p.handshake(TLS13):
        p.conn.sock.send(record(CT.application_data, os.urandom(16641), version=(3, 3)))
        p.flush()


@probe("ciphertext-overflow-tls12", "alert:fatal:record_overflow",
       "after a TLS 1.2 handshake: an application_data record of 18433 random bytes (> 2^14+2048)")
def _(p):
    if p.handshake(TLS12):
        p.conn.sock.send(record(CT.application_data, os.urandom(18433), version=(3, 3)))
        p.flush()


@probe("truncated-keyupdate-then-eof", "alert:fatal:illegal_parameter",
       "after a TLS 1.3 handshake: a KeyUpdate header claiming 4 body bytes, 1 sent, then FIN "
       "(OpenSSL refuses the length from the header)")
def _(p):
    if p.handshake(TLS13):
        p.write_records((HS, handshake_msg(HandshakeType.key_update, b"\x00", length=4)))
        p.half_close()


@probe("keyupdate-bad-request", "alert:fatal:illegal_parameter",
       "after a TLS 1.3 handshake: a KeyUpdate whose request_update is 5")
def _(p):
    if p.handshake(TLS13):
        p.write_records((HS, handshake_msg(HandshakeType.key_update, b"\x05")))


@probe("keyupdate-wrong-length", "alert:fatal:illegal_parameter",
       "after a TLS 1.3 handshake: a KeyUpdate with a 2-byte body")
def _(p):
    if p.handshake(TLS13):
        p.write_records((HS, handshake_msg(HandshakeType.key_update, b"\x00\x00")))


@probe("alert-unknown-warning-tls13", "closed-without-alert",
       "after a TLS 1.3 handshake: a warning alert with unknown description 0xfe")
def _(p):
    if p.handshake(TLS13):
        p.write_records((CT.alert, b"\x01\xfe"))


@probe("alert-empty-tls12", "alert:fatal:unexpected_message",
       "after a TLS 1.2 handshake: an alert record with no bytes")
def _(p):
    if p.handshake(TLS12):
        p.write_records((CT.alert, b""))


@probe("data-after-close-notify-tls13", "closed-without-alert",
       "after a TLS 1.3 handshake: close_notify, then an HTTP request as application data")
def _(p):
    if p.handshake(TLS13):
        p.write_records((CT.alert, b"\x01\x00"),
                        (CT.application_data, b"GET / HTTP/1.0\r\n\r\n"))


@probe("handshake-after-close-notify-tls12", "closed-without-alert",
       "after a TLS 1.2 handshake: close_notify, then a handshake record (ClientHello)")
def _(p):
    if p.handshake(TLS12):
        p.write_records((CT.alert, b"\x01\x00"), (HS, ch_bytes()))


def compact(records, trailing):
    """Records as `type/version/length[=inner][ alert|handshake]`, space-separated."""
    out = []
    for r in records:
        text = "%d/%s/%d" % (r["type"], r["version"][2:], r["length"])
        if "inner" in r:
            text += "=%d" % r["inner"]
        if r.get("undecrypted"):
            text += "=?"
        if "alert" in r:
            text += "[%s]" % r["alert"]
        elif "handshake" in r:
            text += "[%s]" % r["handshake"]
        out.append(text)
    if trailing:
        out.append("+%d bytes" % trailing)
    return " ".join(out) or "(nothing)"


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        for name, (expect, desc, _func) in PROBES.items():
            print("%s\t%s\t%s" % (name, expect, desc))
        return 0
    if len(argv) >= 5 and argv[1] in ("run", "run-tsv"):
        host, port = argv[2], int(argv[3])
        for name in argv[4:]:
            if name not in PROBES:
                print("unknown probe %s" % name, file=sys.stderr)
                return 2
            peer = tlsraw.Peer(host, port)
            try:
                PROBES[name][2](peer)
                result = peer.finish()
            finally:
                peer.close()
            if argv[1] == "run":
                print(json.dumps(dict(name=name, **result)), flush=True)
            else:
                print("\t".join([name, result["summary"], result["end"],
                                 str(int(result["alert_before_close"])),
                                 compact(result["records"], result["trailing_bytes"]),
                                 result["client_error"] or "-"]), flush=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
