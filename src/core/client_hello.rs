//! The ClientHello a server received, parsed from the records ferrossl read for rustls's
//! `Acceptor` (rustls exposes only part of it): what `SSL_client_hello_get0_*`,
//! `SSL_get0_raw_cipherlist` and `SSL_get_shared_ciphers` report.

/// The fields of a ClientHello, as the client sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    /// The cipher suites, two bytes each, in the client's order.
    pub ciphers: Vec<u8>,
    pub compression_methods: Vec<u8>,
    /// (type, body) of each extension, in the client's order.
    pub extensions: Vec<(u16, Vec<u8>)>,
    /// The supported_groups ids in host order, kept for `SSL_get0_iana_groups` (which hands
    /// out a pointer to them).
    pub iana_groups: Vec<u16>,
}

/// TLS record content type of handshake records, and the ClientHello handshake type.
const HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;

impl ClientHello {
    /// Parses the ClientHello from the raw records that carried it; `None` if they do not hold
    /// a well-formed one (rustls has then already refused it, or accepted bytes we cannot read).
    pub fn parse(records: &[u8]) -> Option<ClientHello> {
        let mut msg = Vec::new();
        let mut rest = records;
        while rest.len() >= 5 {
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            let body = rest.get(5..5 + len)?;
            if rest[0] == HANDSHAKE {
                msg.extend_from_slice(body);
            }
            rest = &rest[5 + len..];
        }
        let mut r = Reader(&msg);
        if r.u8()? != CLIENT_HELLO {
            return None;
        }
        let len = r.u24()?;
        let mut r = Reader(r.take(len)?);
        let legacy_version = r.u16()?;
        let random: [u8; 32] = r.take(32)?.try_into().ok()?;
        let session_id = r.vec8()?.to_vec();
        let ciphers = r.vec16()?.to_vec();
        let compression_methods = r.vec8()?.to_vec();
        let mut extensions = Vec::new();
        if !r.0.is_empty() {
            let mut exts = Reader(r.vec16()?);
            while !exts.0.is_empty() {
                let ty = exts.u16()?;
                extensions.push((ty, exts.vec16()?.to_vec()));
            }
        }
        let mut hello = ClientHello {
            legacy_version,
            random,
            session_id,
            ciphers,
            compression_methods,
            extensions,
            iana_groups: Vec::new(),
        };
        hello.iana_groups = hello.supported_groups();
        Some(hello)
    }

    /// The body of extension `ty`, if the client sent it.
    pub fn extension(&self, ty: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, b)| b.as_slice())
    }

    /// Whether the client offered TLS 1.3 (in `supported_versions`).
    pub fn offers_tls13(&self) -> bool {
        self.extension(43).is_some_and(|b| {
            b.get(1..)
                .unwrap_or_default()
                .chunks_exact(2)
                .any(|v| v == [3, 4])
        })
    }

    /// The supported_groups extension's group ids, in the client's order.
    pub fn supported_groups(&self) -> Vec<u16> {
        self.extension(10)
            .and_then(|b| b.get(2..))
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    /// The groups of the key_share extension's entries, in the client's order.
    pub fn key_share_groups(&self) -> Vec<u16> {
        let mut out = Vec::new();
        let Some(mut r) = self.extension(51).map(Reader) else {
            return out;
        };
        let Some(list) = r.vec16() else {
            return out;
        };
        let mut r = Reader(list);
        while let (Some(g), Some(_)) = (r.u16(), r.vec16()) {
            out.push(g);
        }
        out
    }

    /// The cipher suite values offered, in order.
    pub fn suites(&self) -> impl Iterator<Item = u16> + '_ {
        self.ciphers
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
    }
}

/// What a ServerHello says, as far as ferrossl's getters need it during the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerHello {
    pub random: [u8; 32],
    /// The version chosen: `supported_versions` if present, else `legacy_version`.
    pub version: u16,
    pub suite: u16,
}

/// The ServerHello in `records` (the plaintext records a server wrote or a client read first),
/// skipping a HelloRetryRequest; `None` until a whole ServerHello is there.
pub fn server_hello(records: &[u8]) -> Option<ServerHello> {
    /// RFC 8446 4.1.3: the random of a HelloRetryRequest.
    const HRR: [u8; 32] = [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8,
        0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
        0x33, 0x9c,
    ];
    let mut msgs = Vec::new();
    let mut rest = records;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let Some(body) = rest.get(5..5 + len) else {
            break;
        };
        if rest[0] == HANDSHAKE {
            msgs.extend_from_slice(body);
        } else if rest[0] != 20 {
            break; // past the plaintext part (only CCS may come between)
        }
        rest = &rest[5 + len..];
    }
    let mut r = Reader(&msgs);
    while let (Some(ty), Some(len)) = (r.u8(), r.u24()) {
        let mut m = Reader(r.take(len)?);
        if ty != 2 {
            return None;
        }
        let legacy = m.u16()?;
        let random: [u8; 32] = m.take(32)?.try_into().ok()?;
        if random == HRR {
            continue;
        }
        m.vec8()?;
        let suite = m.u16()?;
        m.u8()?;
        let mut version = legacy;
        if !m.0.is_empty() {
            let mut exts = Reader(m.vec16()?);
            while !exts.0.is_empty() {
                let ty = exts.u16()?;
                let body = exts.vec16()?;
                if ty == 43 && body.len() == 2 {
                    version = u16::from_be_bytes([body[0], body[1]]);
                }
            }
        }
        return Some(ServerHello {
            random,
            version,
            suite,
        });
    }
    None
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = usize::from(self.u8()?);
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = usize::from(self.u16()?);
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ty, 3, 1];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.push(2);
        b.extend_from_slice(&[0xaa, 0xbb]);
        b.extend_from_slice(&[0, 4, 0x13, 0x01, 0xc0, 0x2b]);
        b.extend_from_slice(&[1, 0]);
        let exts = [
            0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03, 0x00, 0x17, 0x00, 0x00,
        ];
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(&exts);
        let mut m = vec![CLIENT_HELLO, 0, 0, b.len() as u8];
        m.extend_from_slice(&b);
        m
    }

    #[test]
    fn parses_a_client_hello_split_over_records() {
        let m = hello();
        let mut raw = record(HANDSHAKE, &m[..10]);
        raw.extend(record(HANDSHAKE, &m[10..]));
        let h = ClientHello::parse(&raw).expect("parses");
        assert_eq!(h.legacy_version, 0x0303);
        assert_eq!(h.random, [7; 32]);
        assert_eq!(h.session_id, [0xaa, 0xbb]);
        assert_eq!(h.suites().collect::<Vec<_>>(), [0x1301, 0xc02b]);
        assert_eq!(h.compression_methods, [0]);
        assert_eq!(h.extension(0), Some(&[1, 2, 3][..]));
        assert_eq!(h.extension(0x17), Some(&[][..]));
        assert_eq!(h.extension(5), None);
    }

    #[test]
    fn refuses_truncated_input() {
        let m = hello();
        for cut in 0..m.len() {
            assert_eq!(
                ClientHello::parse(&record(HANDSHAKE, &m[..cut])),
                None,
                "cut {cut}"
            );
        }
    }
}
