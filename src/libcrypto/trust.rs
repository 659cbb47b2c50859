//! What the certificate fast path (`core::fast_verify`) reads from libcrypto: a trust store's
//! certificates and whether they changed, the verification settings of a store and of a
//! connection's `X509_VERIFY_PARAM`, and per-anchor facts libcrypto's own checks depend on.
//! `Send`/`Sync`: see the `libcrypto` module docs.

use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void, CStr};
use std::ptr;

use super::ffi::{self, OPENSSL_STACK, X509, X509_STORE, X509_VERIFY_PARAM};
use super::{Store, VerifyParam, X509Cert};

extern "C" {
    fn X509_STORE_lock(s: *mut X509_STORE) -> c_int;
    fn X509_STORE_unlock(s: *mut X509_STORE) -> c_int;
    fn X509_STORE_get0_objects(s: *const X509_STORE) -> *mut OPENSSL_STACK;
    fn X509_STORE_get0_param(s: *const X509_STORE) -> *mut X509_VERIFY_PARAM;
    fn X509_OBJECT_get_type(o: *const c_void) -> c_int;
    fn X509_OBJECT_get0_X509(o: *const c_void) -> *mut X509;
    fn X509_STORE_get_verify(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_verify_cb(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_get_issuer(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_check_issued(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_check_revocation(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_get_crl(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_check_crl(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_cert_crl(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_check_policy(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_lookup_certs(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_lookup_crls(s: *const X509_STORE) -> *const c_void;
    fn X509_STORE_get_cleanup(s: *const X509_STORE) -> *const c_void;
    fn X509_VERIFY_PARAM_get_flags(p: *const X509_VERIFY_PARAM) -> c_ulong;
    fn X509_VERIFY_PARAM_get_hostflags(p: *const X509_VERIFY_PARAM) -> c_uint;
    fn X509_VERIFY_PARAM_get_auth_level(p: *const X509_VERIFY_PARAM) -> c_int;
    fn X509_VERIFY_PARAM_get0_host(p: *mut X509_VERIFY_PARAM, idx: c_int) -> *mut c_char;
    fn X509_VERIFY_PARAM_get0_email(p: *mut X509_VERIFY_PARAM) -> *mut c_char;
    fn X509_VERIFY_PARAM_get1_ip_asc(p: *mut X509_VERIFY_PARAM) -> *mut c_char;
    fn X509_trusted(x: *const X509) -> c_int;
    fn X509_check_purpose(x: *mut X509, id: c_int, ca: c_int) -> c_int;
    fn X509_check_host(
        x: *mut X509,
        chk: *const c_char,
        chklen: usize,
        flags: c_uint,
        peername: *mut *mut c_char,
    ) -> c_int;
    fn X509_get0_notBefore(x: *const X509) -> *const c_void;
    fn X509_get0_notAfter(x: *const X509) -> *const c_void;
    fn ASN1_TIME_to_tm(t: *const c_void, tm: *mut libc::tm) -> c_int;
    fn EVP_PKEY_get_security_bits(k: *const ffi::EVP_PKEY) -> c_int;
}

const X509_LU_X509: c_int = 1;
const X509_PURPOSE_SSL_CLIENT: c_int = 1;
const X509_PURPOSE_SSL_SERVER: c_int = 2;

/// Identifies the contents of a store: its address, how many objects it holds and a hash of
/// their addresses. libcrypto has no generation counter; objects are only ever added (a
/// hashed-directory lookup adds what it found), so a change of count or address set is a change.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StoreKey {
    store: usize,
    count: usize,
    hash: u64,
}

/// A trusted certificate of a store, with what libcrypto's verification would check of it as a
/// trust anchor.
pub struct AnchorCert {
    pub cert: X509Cert,
    pub der: Vec<u8>,
    /// `notBefore` / `notAfter` in seconds since the epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// libcrypto considers it self-signed (`EXFLAG_SS`): a chain may end there without
    /// `X509_V_FLAG_PARTIAL_CHAIN`.
    pub self_signed: bool,
    /// Carries auxiliary trust settings (a `TRUSTED CERTIFICATE`): libcrypto's trust check
    /// differs, so a path ending here goes to `X509_verify_cert`.
    pub aux_trust: bool,
    /// `X509_check_purpose(.., ca=1)` accepts it as an SSL server / client CA.
    pub ca_for_server: bool,
    pub ca_for_client: bool,
    /// `EVP_PKEY_get_security_bits` of its key.
    pub key_bits: c_int,
}

fn epoch_seconds(t: *const c_void) -> Option<i64> {
    if t.is_null() {
        return None;
    }
    // SAFETY: tm is plain data; t is a live ASN1_TIME owned by its certificate.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if ASN1_TIME_to_tm(t, &mut tm) != 1 {
            return None;
        }
        Some(libc::timegm(&mut tm))
    }
}

impl Store {
    /// Runs `f` on every certificate object of the store, under the store's lock (libcrypto
    /// adds objects under it, e.g. from a hashed-directory lookup on another thread).
    fn each_cert(&self, mut f: impl FnMut(*mut X509)) -> usize {
        let s = self.as_ptr();
        // SAFETY: the store is live; its object stack is read under its own lock and every
        // object pointer is used only inside that section.
        unsafe {
            X509_STORE_lock(s);
            let objs = X509_STORE_get0_objects(s);
            let n = if objs.is_null() {
                0
            } else {
                ffi::OPENSSL_sk_num(objs).max(0)
            };
            for i in 0..n {
                let o = ffi::OPENSSL_sk_value(objs, i);
                if X509_OBJECT_get_type(o) == X509_LU_X509 {
                    let x = X509_OBJECT_get0_X509(o);
                    if !x.is_null() {
                        f(x);
                    }
                }
            }
            X509_STORE_unlock(s);
            n as usize
        }
    }

    /// The store's current contents, cheaply (one pass over object addresses).
    pub fn key(&self) -> StoreKey {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let count = self.each_cert(|x| {
            hash = (hash ^ x as u64).wrapping_mul(0x0100_0000_01b3);
        });
        StoreKey {
            store: self.as_ptr() as usize,
            count,
            hash,
        }
    }

    /// The store's certificates as trust anchors, with what libcrypto checks of each.
    pub fn anchors(&self) -> Vec<AnchorCert> {
        let mut raw = Vec::new();
        self.each_cert(|x| {
            // SAFETY: x is live (under the store's lock); the new reference keeps it so.
            if let Some(c) = unsafe { X509Cert::from_borrowed(x) } {
                raw.push(c);
            }
        });
        // Nothing this reads may leave an error behind (a malformed extension, say).
        // SAFETY: marks on the calling thread's queue, popped below.
        unsafe { ffi::ERR_set_mark() };
        let anchors = raw
            .into_iter()
            .filter_map(|cert| {
                let der = cert.to_der()?;
                let x = cert.as_ptr();
                // SAFETY: x is a live certificate we hold a reference to; the purpose checks
                // only cache its extension flags (as verification itself does).
                unsafe {
                    let flags = ffi::X509_get_extension_flags(x);
                    Some(AnchorCert {
                        not_before: epoch_seconds(X509_get0_notBefore(x))?,
                        not_after: epoch_seconds(X509_get0_notAfter(x))?,
                        self_signed: flags & ffi::EXFLAG_SS != 0,
                        aux_trust: X509_trusted(x) != 0,
                        ca_for_server: X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 1) > 0,
                        ca_for_client: X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 1) > 0,
                        key_bits: {
                            let k = ffi::X509_get0_pubkey(x);
                            if k.is_null() {
                                0
                            } else {
                                EVP_PKEY_get_security_bits(k)
                            }
                        },
                        der,
                        cert,
                    })
                }
            })
            .collect();
        // SAFETY: the mark set above.
        unsafe { ffi::ERR_pop_to_mark() };
        anchors
    }

    /// Whether the program changed how the store verifies: any callback set on it
    /// (`X509_STORE_set_verify_cb`, `_set_get_issuer`, `_set_lookup_certs`, ...).
    pub fn has_callbacks(&self) -> bool {
        let s = self.as_ptr();
        // SAFETY: getters of a live store.
        unsafe {
            [
                X509_STORE_get_verify(s),
                X509_STORE_get_verify_cb(s),
                X509_STORE_get_get_issuer(s),
                X509_STORE_get_check_issued(s),
                X509_STORE_get_check_revocation(s),
                X509_STORE_get_get_crl(s),
                X509_STORE_get_check_crl(s),
                X509_STORE_get_cert_crl(s),
                X509_STORE_get_check_policy(s),
                X509_STORE_get_lookup_certs(s),
                X509_STORE_get_lookup_crls(s),
                X509_STORE_get_cleanup(s),
            ]
            .iter()
            .any(|f| !f.is_null())
        }
    }

    /// The store's own `X509_VERIFY_PARAM` settings (which a verification inherits).
    pub fn param_settings(&self) -> ParamSettings {
        // SAFETY: a store always has its param, owned by it.
        unsafe { ParamSettings::of(X509_STORE_get0_param(self.as_ptr())) }
    }
}

/// The fields of an `X509_VERIFY_PARAM` that decide whether libcrypto's answer could differ
/// from the fast path's.
pub struct ParamSettings {
    pub flags: c_ulong,
    pub depth: c_int,
    pub auth_level: c_int,
    pub hostflags: c_uint,
    /// `SSL_set1_host`/`add1_host` names.
    pub hosts: Vec<Vec<u8>>,
    /// `X509_VERIFY_PARAM_set1_ip_asc` (text).
    pub ip: Option<String>,
    pub email: bool,
}

impl ParamSettings {
    /// # Safety
    /// `p` must be a live parameter set.
    unsafe fn of(p: *mut X509_VERIFY_PARAM) -> ParamSettings {
        // SAFETY: per the contract; the strings returned are owned by p (get0) or by us
        // (get1_ip_asc, freed here).
        unsafe {
            let mut hosts = Vec::new();
            for i in 0.. {
                let h = X509_VERIFY_PARAM_get0_host(p, i);
                if h.is_null() {
                    break;
                }
                hosts.push(CStr::from_ptr(h).to_bytes().to_vec());
            }
            // Without an address, libcrypto queues "passed a null parameter": bracketed.
            ffi::ERR_set_mark();
            let ip_p = X509_VERIFY_PARAM_get1_ip_asc(p);
            ffi::ERR_pop_to_mark();
            let ip = (!ip_p.is_null()).then(|| CStr::from_ptr(ip_p).to_string_lossy().into_owned());
            if !ip_p.is_null() {
                ffi::CRYPTO_free(ip_p.cast(), c"trust.rs".as_ptr(), 0);
            }
            ParamSettings {
                flags: X509_VERIFY_PARAM_get_flags(p),
                depth: ffi::X509_VERIFY_PARAM_get_depth(p),
                auth_level: X509_VERIFY_PARAM_get_auth_level(p),
                hostflags: X509_VERIFY_PARAM_get_hostflags(p),
                hosts,
                ip,
                email: !X509_VERIFY_PARAM_get0_email(p).is_null(),
            }
        }
    }
}

impl VerifyParam {
    pub fn settings(&self) -> ParamSettings {
        // SAFETY: live.
        unsafe { ParamSettings::of(self.as_ptr()) }
    }
}

impl X509Cert {
    /// `X509_check_host` with `flags`: the certificate name that matched `host`, when one did
    /// (what libcrypto records as the peer name).
    pub fn matching_host(&self, host: &[u8], flags: c_uint) -> Option<Vec<u8>> {
        let mut peer: *mut c_char = ptr::null_mut();
        // SAFETY: live certificate; host is readable for its length; peer receives a string we
        // own and free.
        unsafe {
            ffi::ERR_set_mark();
            let ok = X509_check_host(
                self.as_ptr(),
                host.as_ptr().cast(),
                host.len(),
                flags,
                &mut peer,
            ) == 1;
            ffi::ERR_pop_to_mark();
            if peer.is_null() {
                return None;
            }
            let name = CStr::from_ptr(peer).to_bytes().to_vec();
            ffi::CRYPTO_free(peer.cast(), c"trust.rs".as_ptr(), 0);
            ok.then_some(name)
        }
    }
}
