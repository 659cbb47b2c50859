//! The libcrypto bindings: OpenSSL's own `libcrypto.so.3`, which ferrossl keeps.
//!
//! `ffi` declares the raw functions; this module wraps the objects ferrossl owns in RAII owners
//! (`Bio`, `X509Cert`, `PKey`, `Store`, `VerifyParam`, `ExData`) with safe methods, so that the
//! core never touches a raw pointer. Each owner holds exactly one libcrypto reference and drops
//! it on `Drop`; `Clone` takes another reference (`*_up_ref`).
//!
//! Thread safety: libcrypto's reference counts are atomic and the objects below are only mutated
//! by the thread that drives the owning `SSL`/`SSL_CTX` (OpenSSL's own rule), hence the
//! `Send`/`Sync` impls.

pub mod ffi;
pub mod filter;
pub mod names;
pub mod pem;

use std::ffi::{c_char, c_int, c_long, c_uint, c_void, CStr, CString};
use std::io;
use std::ptr;

/// The error queue: the one place ferrossl writes it.
pub mod err {
    use super::*;

    /// Queues an `ERR_LIB_SSL` error with `reason`, naming `func`, with optional extra text.
    pub fn push(reason: c_int, func: &CStr, data: Option<&str>) {
        let data = data.and_then(|d| CString::new(d).ok());
        // SAFETY: all strings are NUL-terminated and outlive the calls; ERR_set_error copies the
        // formatted text.
        unsafe {
            ffi::ERR_new();
            ffi::ERR_set_debug(c"ferrossl".as_ptr(), 0, func.as_ptr());
            match &data {
                Some(d) => ffi::ERR_set_error(ffi::ERR_LIB_SSL, reason, c"%s".as_ptr(), d.as_ptr()),
                None => ffi::ERR_set_error(ffi::ERR_LIB_SSL, reason, ptr::null()),
            }
        }
    }

    /// Queues an error of another library (`ERR_LIB_PEM`...), as libcrypto itself would.
    pub fn push_lib(lib: c_int, reason: c_int, func: &CStr) {
        // SAFETY: as push.
        unsafe {
            ffi::ERR_new();
            ffi::ERR_set_debug(c"ferrossl".as_ptr(), 0, func.as_ptr());
            ffi::ERR_set_error(lib, reason, ptr::null());
        }
    }

    /// `ERR_peek_error()`: the earliest error on this thread's queue, 0 if none.
    pub fn peek() -> u64 {
        // SAFETY: no arguments.
        unsafe { ffi::ERR_peek_error() as u64 }
    }

    /// The library of a packed error code (`ERR_GET_LIB`).
    pub fn lib_of(code: u64) -> c_int {
        if code & 0x8000_0000 != 0 {
            return 2; // ERR_LIB_SYS
        }
        ((code >> 23) & 0xff) as c_int
    }
}

/// A password callback for encrypted PEM keys, as libcrypto takes it.
#[derive(Clone, Copy, Default)]
pub struct PasswordCb {
    cb: Option<ffi::pem_password_cb>,
    userdata: usize,
}

impl PasswordCb {
    /// # Safety
    /// `cb`, if set, must be callable with `userdata` for as long as this value is used.
    pub unsafe fn new(cb: Option<ffi::pem_password_cb>, userdata: *mut c_void) -> Self {
        Self {
            cb,
            userdata: userdata as usize,
        }
    }
    pub fn cb(&self) -> Option<ffi::pem_password_cb> {
        self.cb
    }
    pub fn userdata(&self) -> *mut c_void {
        self.userdata as *mut c_void
    }
}

/// The program's certificate verification callback (`SSL_verify_cb`).
#[derive(Clone, Copy)]
pub struct VerifyCb(ffi::verify_cb);

impl VerifyCb {
    /// # Safety
    /// `cb` must be a valid `SSL_verify_cb` for as long as this value is used.
    pub unsafe fn new(cb: ffi::verify_cb) -> Self {
        Self(cb)
    }
    pub fn raw(&self) -> ffi::verify_cb {
        self.0
    }
}

/// The program's replacement for `X509_verify_cert` (`SSL_CTX_set_cert_verify_callback`) and
/// its argument.
#[derive(Clone, Copy)]
pub struct AppVerifyCb {
    f: unsafe extern "C" fn(*mut ffi::X509_STORE_CTX, *mut c_void) -> c_int,
    arg: usize,
}

impl AppVerifyCb {
    /// # Safety
    /// `f` must be a valid callback, called with `arg`, for as long as this value is used.
    pub unsafe fn new(
        f: unsafe extern "C" fn(*mut ffi::X509_STORE_CTX, *mut c_void) -> c_int,
        arg: usize,
    ) -> Self {
        Self { f, arg }
    }
}

macro_rules! owner {
    ($name:ident, $raw:ty, $free:path, $up:path) => {
        pub struct $name(ptr::NonNull<$raw>);
        // SAFETY: see the module docs.
        unsafe impl Send for $name {}
        // SAFETY: see the module docs.
        unsafe impl Sync for $name {}
        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: we own one reference.
                unsafe { $free(self.0.as_ptr()) };
            }
        }
        impl Clone for $name {
            fn clone(&self) -> Self {
                // SAFETY: the pointer is live; up_ref takes a second reference for the clone.
                unsafe { $up(self.0.as_ptr()) };
                Self(self.0)
            }
        }
        impl $name {
            /// Takes ownership of one reference.
            ///
            /// # Safety
            /// `p` must be a live object whose reference the caller gives up.
            pub unsafe fn from_raw(p: *mut $raw) -> Option<Self> {
                ptr::NonNull::new(p).map(Self)
            }
            /// Takes a new reference to a live object the caller keeps.
            ///
            /// # Safety
            /// `p` must be a live object.
            pub unsafe fn from_borrowed(p: *mut $raw) -> Option<Self> {
                let p = ptr::NonNull::new(p)?;
                // SAFETY: live per the contract.
                unsafe { $up(p.as_ptr()) };
                Some(Self(p))
            }
            pub fn as_ptr(&self) -> *mut $raw {
                self.0.as_ptr()
            }
            /// Hands one new reference to the caller (`get1`).
            pub fn to_raw_ref(&self) -> *mut $raw {
                std::mem::ManuallyDrop::new(self.clone()).0.as_ptr()
            }
        }
    };
}

unsafe fn bio_free_one(b: *mut ffi::BIO) {
    // SAFETY: forwarded contract.
    unsafe { ffi::BIO_free(b) };
}
unsafe fn bio_up(b: *mut ffi::BIO) {
    // SAFETY: forwarded contract.
    unsafe { ffi::BIO_up_ref(b) };
}
unsafe fn x509_up(x: *mut ffi::X509) {
    // SAFETY: forwarded contract.
    unsafe { ffi::X509_up_ref(x) };
}
unsafe fn pkey_up(k: *mut ffi::EVP_PKEY) {
    // SAFETY: forwarded contract.
    unsafe { ffi::EVP_PKEY_up_ref(k) };
}
unsafe fn store_up(s: *mut ffi::X509_STORE) {
    // SAFETY: forwarded contract.
    unsafe { ffi::X509_STORE_up_ref(s) };
}

owner!(Bio, ffi::BIO, bio_free_one, bio_up);
owner!(X509Cert, ffi::X509, ffi::X509_free, x509_up);
owner!(PKey, ffi::EVP_PKEY, ffi::EVP_PKEY_free, pkey_up);
owner!(Store, ffi::X509_STORE, ffi::X509_STORE_free, store_up);

impl Bio {
    /// A socket BIO on `fd` that does not close it (`SSL_set_fd`).
    pub fn socket(fd: c_int) -> Option<Bio> {
        // SAFETY: BIO_new_socket only records the descriptor.
        unsafe { Bio::from_raw(ffi::BIO_new_socket(fd, ffi::BIO_NOCLOSE)) }
    }

    /// A read-only file BIO.
    pub fn open(path: &CStr) -> Option<Bio> {
        // SAFETY: both strings are NUL-terminated.
        unsafe { Bio::from_raw(ffi::BIO_new_file(path.as_ptr(), c"rb".as_ptr())) }
    }

    /// A read-only memory BIO over a copy-free view of `data` (valid while `data` lives).
    pub fn with_mem<R>(data: &[u8], f: impl FnOnce(&Bio) -> R) -> Option<R> {
        let len = c_int::try_from(data.len()).ok()?;
        // SAFETY: the BIO reads `data` only inside `f`, during which `data` is borrowed.
        let bio = unsafe { Bio::from_raw(ffi::BIO_new_mem_buf(data.as_ptr().cast(), len))? };
        Some(f(&bio))
    }

    /// The descriptor behind a socket or fd BIO, or -1.
    pub fn fd(&self) -> c_int {
        let mut fd: c_int = -1;
        // SAFETY: BIO_C_GET_FD writes an int through parg when the BIO has a descriptor.
        let r = unsafe {
            ffi::BIO_ctrl(
                self.as_ptr(),
                ffi::BIO_C_GET_FD,
                0,
                (&mut fd as *mut c_int).cast(),
            )
        };
        if r < 0 {
            -1
        } else {
            fd
        }
    }

    fn retry(&self) -> bool {
        // SAFETY: the BIO is live.
        unsafe { ffi::BIO_test_flags(self.as_ptr(), ffi::BIO_FLAGS_SHOULD_RETRY) != 0 }
    }

    /// One `BIO_read`, mapped to `io` results: `WouldBlock` when the BIO asks for a retry,
    /// `Ok(0)` on end of file, another error when the BIO failed.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: buf is writable for len bytes.
        let n = unsafe { ffi::BIO_read(self.as_ptr(), buf.as_mut_ptr().cast(), len) };
        if n > 0 {
            return Ok(n as usize);
        }
        if self.retry() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if n == 0 {
            return Ok(0);
        }
        Err(io::Error::last_os_error())
    }

    /// One `BIO_write`, mapped like `read`.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: buf is readable for len bytes.
        let n = unsafe { ffi::BIO_write(self.as_ptr(), buf.as_ptr().cast(), len) };
        if n > 0 {
            return Ok(n as usize);
        }
        if self.retry() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Err(io::Error::other("BIO_write failed"))
    }

    pub fn flush(&self) -> io::Result<()> {
        // SAFETY: BIO_CTRL_FLUSH takes no pointer argument.
        let r = unsafe { ffi::BIO_ctrl(self.as_ptr(), ffi::BIO_CTRL_FLUSH, 0, ptr::null_mut()) };
        if r > 0 {
            Ok(())
        } else if self.retry() {
            Err(io::ErrorKind::WouldBlock.into())
        } else {
            Err(io::Error::other("BIO flush failed"))
        }
    }

    /// Reads the next PEM certificate (`aux`: trusted-certificate form allowed).
    pub fn read_pem_x509(&self, aux: bool, pw: PasswordCb) -> Option<X509Cert> {
        // SAFETY: the BIO is live; the callback contract is PasswordCb's.
        unsafe {
            let x = if aux {
                ffi::PEM_read_bio_X509_AUX(self.as_ptr(), ptr::null_mut(), pw.cb, pw.userdata())
            } else {
                ffi::PEM_read_bio_X509(self.as_ptr(), ptr::null_mut(), pw.cb, pw.userdata())
            };
            X509Cert::from_raw(x)
        }
    }

    /// Reads every remaining PEM certificate. The read that finds no more leaves no error on the
    /// queue (OpenSSL's chain loading clears it too).
    pub fn read_remaining_pem_x509(&self, pw: PasswordCb) -> Vec<X509Cert> {
        let mut out = Vec::new();
        // SAFETY: the mark brackets the errors of the final, failing read.
        unsafe {
            ffi::ERR_set_mark();
            while let Some(c) = self.read_pem_x509(false, pw) {
                out.push(c);
            }
            ffi::ERR_pop_to_mark();
        }
        out
    }

    /// Reads a PEM private key, decrypting it with `pw` when it is encrypted.
    pub fn read_pem_key(&self, pw: PasswordCb) -> Option<PKey> {
        // SAFETY: as read_pem_x509.
        unsafe {
            PKey::from_raw(ffi::PEM_read_bio_PrivateKey(
                self.as_ptr(),
                ptr::null_mut(),
                pw.cb,
                pw.userdata(),
            ))
        }
    }
}

impl X509Cert {
    /// Parses a DER certificate (`d2i_X509`: a failure queues libcrypto's reasons).
    pub fn from_der(der: &[u8]) -> Option<X509Cert> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe { X509Cert::from_raw(ffi::d2i_X509(ptr::null_mut(), &mut p, der.len() as c_long)) }
    }

    /// As `from_der`, leaving the error queue as it was (for certificates ferrossl parses for
    /// its own purposes, where a stale error would mislead a later `SSL_get_error`).
    pub fn from_der_quietly(der: &[u8]) -> Option<X509Cert> {
        // SAFETY: the mark brackets d2i's own errors.
        unsafe {
            ffi::ERR_set_mark();
            let x = X509Cert::from_der(der);
            ffi::ERR_pop_to_mark();
            x
        }
    }

    pub fn to_der(&self) -> Option<Vec<u8>> {
        // SAFETY: a NULL out pointer asks for the length only; then we pass a buffer that size.
        unsafe {
            let len = ffi::i2d_X509(self.as_ptr(), ptr::null_mut());
            if len <= 0 {
                return None;
            }
            let mut buf = vec![0u8; len as usize];
            let mut p = buf.as_mut_ptr();
            if ffi::i2d_X509(self.as_ptr(), &mut p) != len {
                return None;
            }
            Some(buf)
        }
    }

    /// `X509_check_private_key`: whether `key` is the private half of this certificate's key.
    /// A mismatch leaves libcrypto's "key values mismatch" on the queue.
    pub fn matches_key(&self, key: &PKey) -> bool {
        // SAFETY: both objects are live.
        unsafe { ffi::X509_check_private_key(self.as_ptr(), key.as_ptr()) == 1 }
    }

    /// `EVP_PKEY_eq` of the certificate's public key and `key`: whether `key` is its private
    /// half. Keys of different types leave libcrypto's `EVP_R_DIFFERENT_KEY_TYPES` queued.
    pub fn public_key_eq(&self, key: &PKey) -> bool {
        // SAFETY: get0 borrows the certificate's key; both keys are live.
        unsafe {
            let pk = ffi::X509_get0_pubkey(self.as_ptr());
            !pk.is_null() && ffi::EVP_PKEY_eq(pk, key.as_ptr()) == 1
        }
    }

    /// The `EVP_PKEY_*` type of the certificate's public key (0 when unknown).
    pub fn key_type(&self) -> c_int {
        // SAFETY: get0 borrows the key the certificate owns.
        unsafe {
            let k = ffi::X509_get0_pubkey(self.as_ptr());
            if k.is_null() {
                0
            } else {
                ffi::EVP_PKEY_get_base_id(k)
            }
        }
    }

    /// As `matches_key`, leaving the error queue as it was.
    pub fn matches_key_quietly(&self, key: &PKey) -> bool {
        // SAFETY: the mark brackets exactly the errors X509_check_private_key queues.
        unsafe {
            ffi::ERR_set_mark();
            let ok = self.matches_key(key);
            ffi::ERR_pop_to_mark();
            ok
        }
    }
}

impl PKey {
    /// The `EVP_PKEY_*` type of the key.
    pub fn key_type(&self) -> c_int {
        // SAFETY: live key.
        unsafe { ffi::EVP_PKEY_get_base_id(self.as_ptr()) }
    }

    /// Parses a DER private key of any type (`d2i_AutoPrivateKey`).
    pub fn from_der(der: &[u8]) -> Option<PKey> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_AutoPrivateKey(
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// Parses a DER private key of a given `EVP_PKEY_*` type (`d2i_PrivateKey`).
    pub fn from_der_typed(ty: c_int, der: &[u8]) -> Option<PKey> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_PrivateKey(
                ty,
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// A public key from a TLS key share: `x25519` (raw) or a NIST curve (uncompressed point),
    /// identified by its TLS group id. `None` for groups OpenSSL 3.0 has no key type for.
    pub fn from_key_share(group: u16, share: &[u8]) -> Option<PKey> {
        const X25519: u16 = 0x001d;
        // SubjectPublicKeyInfo prefixes (algorithm ecPublicKey + curve, BIT STRING header).
        const P256: &[u8] = b"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00";
        const P384: &[u8] = b"\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00";
        const P521: &[u8] = b"\x30\x81\x9b\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x23\x03\x81\x86\x00";
        let (prefix, len) = match group {
            X25519 => {
                // SAFETY: share is readable for its length; 1034 is EVP_PKEY_X25519.
                return unsafe {
                    PKey::from_raw(ffi::EVP_PKEY_new_raw_public_key(
                        1034,
                        ptr::null_mut(),
                        share.as_ptr(),
                        share.len(),
                    ))
                };
            }
            0x0017 => (P256, 65),
            0x0018 => (P384, 97),
            0x0019 => (P521, 133),
            _ => return None,
        };
        if share.len() != len {
            return None;
        }
        let der = [prefix, share].concat();
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_PUBKEY(
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// The key as an unencrypted PKCS#8 `PrivateKeyInfo` (what rustls loads).
    pub fn pkcs8_der(&self) -> Option<Vec<u8>> {
        // SAFETY: p8 is owned here and freed on every path.
        unsafe {
            let p8 = ffi::EVP_PKEY2PKCS8(self.as_ptr());
            if p8.is_null() {
                return None;
            }
            let len = ffi::i2d_PKCS8_PRIV_KEY_INFO(p8, ptr::null_mut());
            let mut out = None;
            if len > 0 {
                let mut buf = vec![0u8; len as usize];
                let mut p = buf.as_mut_ptr();
                if ffi::i2d_PKCS8_PRIV_KEY_INFO(p8, &mut p) == len {
                    out = Some(buf);
                }
            }
            ffi::PKCS8_PRIV_KEY_INFO_free(p8);
            out
        }
    }
}

impl Store {
    pub fn new() -> Option<Store> {
        // SAFETY: no arguments.
        unsafe { Store::from_raw(ffi::X509_STORE_new()) }
    }
    /// Loads every certificate and CRL of a PEM file as trust anchors.
    pub fn load_file(&self, path: &CStr) -> bool {
        // SAFETY: live store, NUL-terminated path.
        unsafe { ffi::X509_STORE_load_file(self.as_ptr(), path.as_ptr()) == 1 }
    }
    /// Adds a hashed directory (`c_rehash` layout), searched lazily at verification time.
    pub fn load_path(&self, path: &CStr) -> bool {
        // SAFETY: live store, NUL-terminated path.
        unsafe { ffi::X509_STORE_load_path(self.as_ptr(), path.as_ptr()) == 1 }
    }
    /// Loads the certificates of an OSSL_STORE URI (`file:`, a path, ...) as trust anchors.
    pub fn load_store(&self, uri: &CStr) -> bool {
        // SAFETY: live store, NUL-terminated URI.
        unsafe { ffi::X509_STORE_load_store(self.as_ptr(), uri.as_ptr()) == 1 }
    }
    /// Adds an OSSL_STORE lookup of libcrypto's default certificate store URI; a default
    /// store that cannot be opened is not an error (its errors are dropped). False only when
    /// the lookup cannot be added.
    pub fn add_default_store(&self) -> bool {
        // SAFETY: live store; the lookup belongs to the store; a NULL name means the default
        // URI; the error mark brackets what the ctrl queues.
        unsafe {
            let lookup = ffi::X509_STORE_add_lookup(self.as_ptr(), ffi::X509_LOOKUP_store());
            if lookup.is_null() {
                return false;
            }
            ffi::ERR_set_mark();
            ffi::X509_LOOKUP_ctrl(
                lookup,
                ffi::X509_L_ADD_STORE,
                ptr::null(),
                0,
                ptr::null_mut(),
            );
            ffi::ERR_pop_to_mark();
        }
        true
    }
}

/// An owned `X509_VERIFY_PARAM` (not reference counted: `Clone` copies).
pub struct VerifyParam(ptr::NonNull<ffi::X509_VERIFY_PARAM>);
// SAFETY: see the module docs.
unsafe impl Send for VerifyParam {}
// SAFETY: see the module docs.
unsafe impl Sync for VerifyParam {}

impl VerifyParam {
    pub fn new() -> Option<VerifyParam> {
        // SAFETY: no arguments.
        ptr::NonNull::new(unsafe { ffi::X509_VERIFY_PARAM_new() }).map(VerifyParam)
    }
    pub fn as_ptr(&self) -> *mut ffi::X509_VERIFY_PARAM {
        self.0.as_ptr()
    }
    /// Copies every field of `from` into this one (`X509_VERIFY_PARAM_set1`).
    pub fn set_from(&self, from: &VerifyParam) -> bool {
        // SAFETY: both live.
        unsafe { ffi::X509_VERIFY_PARAM_set1(self.as_ptr(), from.as_ptr()) == 1 }
    }
    pub fn set_depth(&self, depth: c_int) {
        // SAFETY: live.
        unsafe { ffi::X509_VERIFY_PARAM_set_depth(self.as_ptr(), depth) }
    }
    pub fn depth(&self) -> c_int {
        // SAFETY: live.
        unsafe { ffi::X509_VERIFY_PARAM_get_depth(self.as_ptr()) }
    }
    /// Replaces (`add == false`) or extends the expected host names; `None` clears them. An IP
    /// address literal is checked as an address instead (OpenSSL 3.0's `SSL_set1_host`).
    pub fn set_host(&self, name: Option<&[u8]>, add: bool) -> bool {
        if let Some(ip) = name
            .and_then(|n| std::str::from_utf8(n).ok())
            .filter(|n| n.parse::<std::net::IpAddr>().is_ok())
        {
            let Ok(c) = CString::new(ip) else {
                return false;
            };
            // SAFETY: live param, NUL-terminated address text.
            return unsafe {
                ffi::X509_VERIFY_PARAM_set1_host(self.as_ptr(), ptr::null(), 0);
                ffi::X509_VERIFY_PARAM_set1_ip_asc(self.as_ptr(), c.as_ptr()) == 1
            };
        }
        let (p, len) = match name {
            Some(n) => (n.as_ptr().cast::<c_char>(), n.len()),
            None => (ptr::null(), 0),
        };
        // SAFETY: p is readable for len bytes (libcrypto copies it).
        unsafe {
            if add {
                ffi::X509_VERIFY_PARAM_add1_host(self.as_ptr(), p, len) == 1
            } else {
                ffi::X509_VERIFY_PARAM_set1_host(self.as_ptr(), p, len) == 1
            }
        }
    }
    pub fn set_hostflags(&self, flags: u32) {
        // SAFETY: live.
        unsafe { ffi::X509_VERIFY_PARAM_set_hostflags(self.as_ptr(), flags) }
    }
}

impl Clone for VerifyParam {
    fn clone(&self) -> Self {
        let p = VerifyParam::new().expect("X509_VERIFY_PARAM_new: out of memory");
        p.set_from(self);
        p
    }
}

impl Drop for VerifyParam {
    fn drop(&mut self) {
        // SAFETY: owned.
        unsafe { ffi::X509_VERIFY_PARAM_free(self.as_ptr()) }
    }
}

/// The NID of the named curve of an `EC_KEY` (`SSL_CTX_set_tmp_ecdh`'s argument); None when it
/// has no group or an unnamed one.
///
/// # Safety
/// `key` must be a live `EC_KEY`.
pub unsafe fn ec_key_curve_nid(key: *const c_void) -> Option<c_int> {
    // SAFETY: per the contract; the group belongs to the key.
    let nid = unsafe {
        let group = ffi::EC_KEY_get0_group(key);
        if group.is_null() {
            return None;
        }
        ffi::EC_GROUP_get_curve_name(group)
    };
    (nid != 0).then_some(nid)
}

/// A `STACK_OF(X509)` that owns one reference to each element (handed out as `get0`).
pub struct CertStack(ptr::NonNull<ffi::OPENSSL_STACK>);
// SAFETY: see the module docs; the stack is never mutated after construction.
unsafe impl Send for CertStack {}
// SAFETY: as above.
unsafe impl Sync for CertStack {}

impl CertStack {
    pub fn new(certs: &[X509Cert]) -> Option<CertStack> {
        // SAFETY: the stack is fresh; each pushed element carries its own reference.
        unsafe {
            let sk = ptr::NonNull::new(ffi::OPENSSL_sk_new_null())?;
            let stack = CertStack(sk);
            for c in certs {
                let r = c.to_raw_ref();
                if ffi::OPENSSL_sk_push(sk.as_ptr(), r.cast()) <= 0 {
                    ffi::X509_free(r);
                    return None;
                }
            }
            Some(stack)
        }
    }
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }
}

impl Drop for CertStack {
    fn drop(&mut self) {
        // SAFETY: every element holds a reference we own.
        unsafe {
            let sk = self.as_ptr();
            for i in 0..ffi::OPENSSL_sk_num(sk) {
                ffi::X509_free(ffi::OPENSSL_sk_value(sk, i).cast());
            }
            ffi::OPENSSL_sk_free(sk);
        }
    }
}

/// A `STACK_OF(...)` of pointers to statics (such as `SSL_CIPHER`s), handed out as `get0`: the
/// stack is ours, its elements nobody's.
pub struct StaticStack(ptr::NonNull<ffi::OPENSSL_STACK>);
// SAFETY: never mutated after construction; the elements are immutable statics.
unsafe impl Send for StaticStack {}
// SAFETY: as above.
unsafe impl Sync for StaticStack {}

impl StaticStack {
    pub fn new<T>(items: &[&'static T]) -> Option<StaticStack> {
        // SAFETY: a fresh stack holding pointers to statics.
        unsafe {
            let sk = ptr::NonNull::new(ffi::OPENSSL_sk_new_null())?;
            let stack = StaticStack(sk);
            for it in items {
                if ffi::OPENSSL_sk_push(sk.as_ptr(), (*it as *const T).cast()) <= 0 {
                    return None;
                }
            }
            Some(stack)
        }
    }
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }
}

impl StaticStack {
    /// Hands the stack to the caller, who frees it (`sk_*_free`, `get1`).
    pub fn into_raw(self) -> *mut ffi::OPENSSL_STACK {
        std::mem::ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Drop for StaticStack {
    fn drop(&mut self) {
        // SAFETY: ours; the elements are not owned.
        unsafe { ffi::OPENSSL_sk_free(self.as_ptr()) }
    }
}

/// An owned `STACK_OF(X509_NAME)` (the client CA list a server sends), freed with its names.
pub struct NameStack(ptr::NonNull<ffi::OPENSSL_STACK>);
// SAFETY: mutated only under the owning context's lock.
unsafe impl Send for NameStack {}
// SAFETY: as above.
unsafe impl Sync for NameStack {}

impl NameStack {
    pub fn new() -> Option<NameStack> {
        // SAFETY: a fresh, empty stack.
        ptr::NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() }).map(NameStack)
    }
    /// Takes ownership of a stack and its names.
    ///
    /// # Safety
    /// `sk` must be NULL or a `STACK_OF(X509_NAME)` the caller gives up.
    pub unsafe fn from_raw(sk: *mut ffi::OPENSSL_STACK) -> Option<NameStack> {
        ptr::NonNull::new(sk).map(NameStack)
    }
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }
    /// Appends a copy of `cert`'s subject name.
    pub fn push_subject_of(&self, cert: &X509Cert) -> bool {
        // SAFETY: the name belongs to the live certificate; the copy becomes the stack's.
        unsafe {
            let dup = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
            !dup.is_null() && ffi::OPENSSL_sk_push(self.as_ptr(), dup.cast()) > 0
        }
    }
    /// The DER encoding of every name.
    pub fn der_names(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        // SAFETY: every element is an X509_NAME this stack owns.
        unsafe {
            for i in 0..ffi::OPENSSL_sk_num(self.as_ptr()) {
                let n = ffi::OPENSSL_sk_value(self.as_ptr(), i).cast::<ffi::X509_NAME>();
                let len = ffi::i2d_X509_NAME(n, ptr::null_mut());
                if len > 0 {
                    let mut buf = vec![0u8; len as usize];
                    let mut p = buf.as_mut_ptr();
                    ffi::i2d_X509_NAME(n, &mut p);
                    out.push(buf);
                }
            }
        }
        out
    }
}

impl Drop for NameStack {
    fn drop(&mut self) {
        // SAFETY: the stack and its names are ours.
        unsafe {
            for i in 0..ffi::OPENSSL_sk_num(self.as_ptr()) {
                ffi::X509_NAME_free(ffi::OPENSSL_sk_value(self.as_ptr(), i).cast());
            }
            ffi::OPENSSL_sk_free(self.as_ptr());
        }
    }
}

/// Reads a `STACK_OF(X509)` the caller keeps into owned certificates.
///
/// # Safety
/// `sk` must be NULL or a live `STACK_OF(X509)`.
pub unsafe fn certs_of_stack(sk: *const ffi::OPENSSL_STACK) -> Vec<X509Cert> {
    let mut out = Vec::new();
    if sk.is_null() {
        return out;
    }
    // SAFETY: per the contract.
    unsafe {
        for i in 0..ffi::OPENSSL_sk_num(sk) {
            if let Some(c) = X509Cert::from_borrowed(ffi::OPENSSL_sk_value(sk, i).cast()) {
                out.push(c);
            }
        }
    }
    out
}

/// What `X509_verify_cert` concluded.
pub struct Verdict {
    pub ok: bool,
    /// `X509_STORE_CTX_get_error`: the last `X509_V_*` code, even when a verify callback
    /// overrode it (as OpenSSL's `SSL_get_verify_result` reports).
    pub error: c_long,
    /// The chain that was built (leaf first), when any.
    pub chain: Vec<X509Cert>,
}

/// Inputs to one chain verification.
pub struct VerifyRequest<'a> {
    pub store: &'a Store,
    pub leaf: &'a X509Cert,
    pub intermediates: &'a [X509Cert],
    pub param: &'a VerifyParam,
    /// `"ssl_server"` when verifying a server, `"ssl_client"` a client.
    pub purpose: &'a CStr,
    pub callback: Option<VerifyCb>,
    /// Called instead of `X509_verify_cert`, when the program set one.
    pub app_verify: Option<AppVerifyCb>,
    /// Stored at `app_index` in the `X509_STORE_CTX` ex_data (the `SSL*`, for callbacks).
    pub app_data: usize,
    pub app_index: c_int,
}

/// Empties this thread's error queue (what libssl does once a client accepts the server's
/// certificate: lookups that found nothing leave entries behind).
pub fn clear_errors() {
    // SAFETY: no arguments.
    unsafe { ffi::ERR_clear_error() };
}

/// Verifies a certificate chain with libcrypto, exactly as OpenSSL's libssl does.
pub fn verify_chain(req: &VerifyRequest<'_>) -> Verdict {
    let fail = |e: c_long| Verdict {
        ok: false,
        error: e,
        chain: Vec::new(),
    };
    let Some(untrusted) = CertStack::new(req.intermediates) else {
        return fail(17); // X509_V_ERR_OUT_OF_MEM
    };
    // SAFETY: every pointer below is live for the duration of the call; ctx is freed on exit.
    unsafe {
        let ctx = ffi::X509_STORE_CTX_new();
        if ctx.is_null() {
            return fail(17);
        }
        if ffi::X509_STORE_CTX_init(
            ctx,
            req.store.as_ptr(),
            req.leaf.as_ptr(),
            untrusted.as_ptr(),
        ) != 1
        {
            ffi::X509_STORE_CTX_free(ctx);
            return fail(1); // X509_V_ERR_UNSPECIFIED
        }
        ffi::X509_STORE_CTX_set_default(ctx, req.purpose.as_ptr());
        ffi::X509_VERIFY_PARAM_set1(ffi::X509_STORE_CTX_get0_param(ctx), req.param.as_ptr());
        if req.app_index >= 0 {
            ffi::X509_STORE_CTX_set_ex_data(ctx, req.app_index, req.app_data as *mut c_void);
        }
        if let Some(cb) = req.callback {
            ffi::X509_STORE_CTX_set_verify_cb(ctx, Some(cb.raw()));
        }
        let ok = match req.app_verify {
            // As libssl: the program's function replaces X509_verify_cert entirely.
            Some(app) => (app.f)(ctx, app.arg as *mut c_void) > 0,
            None => ffi::X509_verify_cert(ctx) > 0,
        };
        // As libssl: the name that matched becomes the connection's (SSL_get0_peername).
        ffi::X509_VERIFY_PARAM_move_peername(
            req.param.as_ptr(),
            ffi::X509_STORE_CTX_get0_param(ctx),
        );
        let error = ffi::X509_STORE_CTX_get_error(ctx) as c_long;
        let sk = ffi::X509_STORE_CTX_get1_chain(ctx);
        let chain = certs_of_stack(sk);
        if !sk.is_null() {
            for i in 0..ffi::OPENSSL_sk_num(sk) {
                ffi::X509_free(ffi::OPENSSL_sk_value(sk, i).cast());
            }
            ffi::OPENSSL_sk_free(sk);
        }
        ffi::X509_STORE_CTX_free(ctx);
        Verdict { ok, error, chain }
    }
}

/// How `SSL_CTX_build_cert_chain` builds (its `SSL_BUILD_CHAIN_FLAG_*` flags).
pub struct ChainBuild<'a> {
    /// The trust store to build from (ignored with `chain_only`).
    pub store: &'a Store,
    pub leaf: &'a X509Cert,
    /// The certificate's current chain.
    pub chain: &'a [X509Cert],
    /// `SSL_BUILD_CHAIN_FLAG_CHECK`: the current chain and the leaf are the only trusted
    /// certificates (the chain is checked, not extended).
    pub chain_only: bool,
    /// `SSL_BUILD_CHAIN_FLAG_UNTRUSTED`: the current chain may supply intermediates.
    pub use_chain: bool,
}

/// Builds the leaf's chain as libssl's `ssl_build_cert_chain` does: `Ok` with the chain
/// libcrypto found above the leaf (whether verification succeeded), or the `X509_V_ERR_*`
/// code when no store context could be made.
pub fn build_chain(b: &ChainBuild<'_>) -> Result<(bool, c_long, Vec<X509Cert>), c_long> {
    let own;
    let store = if b.chain_only {
        own = Store::new().ok_or(17)?;
        for c in b.chain.iter().chain(std::iter::once(b.leaf)) {
            // SAFETY: live store and certificate; the store takes its own reference.
            if unsafe { ffi::X509_STORE_add_cert(own.as_ptr(), c.as_ptr()) } != 1 {
                return Err(17);
            }
        }
        &own
    } else {
        b.store
    };
    let untrusted = if b.use_chain && !b.chain_only {
        Some(CertStack::new(b.chain).ok_or(17)?)
    } else {
        None
    };
    // SAFETY: every pointer is live for the call; the context is freed before returning.
    unsafe {
        let ctx = ffi::X509_STORE_CTX_new();
        if ctx.is_null() {
            return Err(17);
        }
        let sk = untrusted.as_ref().map_or(ptr::null_mut(), |u| u.as_ptr());
        if ffi::X509_STORE_CTX_init(ctx, store.as_ptr(), b.leaf.as_ptr(), sk) != 1 {
            ffi::X509_STORE_CTX_free(ctx);
            return Err(1);
        }
        let ok = ffi::X509_verify_cert(ctx) > 0;
        let error = ffi::X509_STORE_CTX_get_error(ctx) as c_long;
        let sk = ffi::X509_STORE_CTX_get1_chain(ctx);
        let mut chain = certs_of_stack(sk);
        if !sk.is_null() {
            for i in 0..ffi::OPENSSL_sk_num(sk) {
                ffi::X509_free(ffi::OPENSSL_sk_value(sk, i).cast());
            }
            ffi::OPENSSL_sk_free(sk);
        }
        ffi::X509_STORE_CTX_free(ctx);
        if !chain.is_empty() {
            chain.remove(0);
        }
        Ok((ok, error, chain))
    }
}

impl X509Cert {
    /// Whether the certificate is self-signed (libcrypto's `EXFLAG_SS`).
    pub fn is_self_signed(&self) -> bool {
        // SAFETY: live certificate; computing the flags caches them in it.
        unsafe { ffi::X509_get_extension_flags(self.as_ptr()) & ffi::EXFLAG_SS != 0 }
    }
}

/// The `X509_STORE_CTX` ex_data index under which the `SSL*` is stored during verification
/// (`SSL_get_ex_data_X509_STORE_CTX_idx`), allocated once per process.
pub fn store_ctx_ssl_index() -> c_int {
    static IDX: std::sync::OnceLock<c_int> = std::sync::OnceLock::new();
    *IDX.get_or_init(|| {
        // SAFETY: registers an index with no callbacks.
        unsafe {
            ffi::CRYPTO_get_ex_new_index(
                ffi::CRYPTO_EX_INDEX_X509_STORE_CTX,
                0,
                c"SSL for verify callback".as_ptr() as *mut c_void,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        }
    })
}

/// The ex_data slots of one `SSL`, `SSL_CTX` or `SSL_SESSION` (libcrypto's `CRYPTO_EX_DATA`, so
/// the indices and the program's new/free callbacks are libcrypto's own).
pub struct ExData {
    ad: std::sync::Mutex<Box<ffi::CRYPTO_EX_DATA>>,
    class: c_int,
    obj: usize,
}

// SAFETY: the slots are only touched under the mutex; libcrypto's ex_data is thread-safe.
unsafe impl Send for ExData {}
// SAFETY: as above.
unsafe impl Sync for ExData {}

impl ExData {
    /// `class`: `CRYPTO_EX_INDEX_*`; `obj`: the handle the program's callbacks are given.
    pub fn new(class: c_int, obj: usize) -> ExData {
        let mut ad = Box::new(ffi::CRYPTO_EX_DATA {
            ctx: ptr::null_mut(),
            sk: ptr::null_mut(),
        });
        // SAFETY: ad is a zeroed CRYPTO_EX_DATA that libcrypto initialises.
        unsafe { ffi::CRYPTO_new_ex_data(class, obj as *mut c_void, &mut *ad) };
        ExData {
            ad: std::sync::Mutex::new(ad),
            class,
            obj,
        }
    }
    /// Stores `val` (never dereferenced here) in slot `idx`.
    #[allow(clippy::not_unsafe_ptr_arg_deref)]
    pub fn set(&self, idx: c_int, val: *mut c_void) -> bool {
        let mut ad = self.ad.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: ad is initialised; libcrypto bounds-checks idx.
        unsafe { ffi::CRYPTO_set_ex_data(&mut **ad, idx, val) == 1 }
    }
    pub fn get(&self, idx: c_int) -> *mut c_void {
        let ad = self.ad.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: as set.
        unsafe { ffi::CRYPTO_get_ex_data(&**ad, idx) }
    }
}

impl Drop for ExData {
    fn drop(&mut self) {
        let ad = self.ad.get_mut().unwrap_or_else(|e| e.into_inner());
        // SAFETY: runs the program's free callbacks once, then releases the slots.
        unsafe { ffi::CRYPTO_free_ex_data(self.class, self.obj as *mut c_void, &mut **ad) };
    }
}

/// `X509_verify_cert_error_string`.
pub fn verify_error_string(code: c_long) -> String {
    // SAFETY: returns a static string.
    unsafe { CStr::from_ptr(ffi::X509_verify_cert_error_string(code)) }
        .to_string_lossy()
        .into_owned()
}

/// Allocates a copy of `bytes` with `OPENSSL_malloc`, for buffers the program frees with
/// `OPENSSL_free` (`i2d_*` with `*pp == NULL`).
pub fn openssl_copy(bytes: &[u8]) -> *mut u8 {
    // SAFETY: CRYPTO_malloc returns NULL or a writable block of the requested size.
    unsafe {
        let p = ffi::CRYPTO_malloc(bytes.len().max(1), c"ferrossl".as_ptr(), 0).cast::<u8>();
        if !p.is_null() {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
        p
    }
}

/// The program's session ticket key callback (`SSL_CTX_set_tlsext_ticket_key_cb` with an
/// `HMAC_CTX`, or `SSL_CTX_set_tlsext_ticket_key_evp_cb` with an `EVP_MAC_CTX`), with which
/// tickets are encrypted in OpenSSL's format: key name (16) | IV | ciphertext | MAC.
#[derive(Clone, Copy)]
pub enum TicketKeyCb {
    Hmac(TicketKeyFn),
    Evp(EvpTicketKeyFn),
}

pub type TicketKeyFn = unsafe extern "C" fn(
    ssl: *mut c_void,
    key_name: *mut u8,
    iv: *mut u8,
    ctx: *mut ffi::EVP_CIPHER_CTX,
    hctx: *mut ffi::HMAC_CTX,
    enc: c_int,
) -> c_int;

pub type EvpTicketKeyFn = unsafe extern "C" fn(
    ssl: *mut c_void,
    key_name: *mut u8,
    iv: *mut u8,
    ctx: *mut ffi::EVP_CIPHER_CTX,
    hctx: *mut ffi::EVP_MAC_CTX,
    enc: c_int,
) -> c_int;

/// `EVP_MAX_IV_LENGTH`.
const MAX_IV: usize = 16;
const KEY_NAME: usize = 16;

/// The MAC context handed to the callback.
enum MacCtx {
    Hmac(*mut ffi::HMAC_CTX),
    Evp(*mut ffi::EVP_MAC_CTX, *mut ffi::EVP_MAC),
}

struct TicketCtx {
    cipher: *mut ffi::EVP_CIPHER_CTX,
    mac: MacCtx,
}

impl TicketCtx {
    fn new(evp: bool) -> Option<TicketCtx> {
        // SAFETY: fresh contexts, freed in Drop.
        let t = unsafe {
            let mac = if evp {
                let m = ffi::EVP_MAC_fetch(ptr::null_mut(), c"HMAC".as_ptr(), ptr::null());
                MacCtx::Evp(
                    if m.is_null() {
                        ptr::null_mut()
                    } else {
                        ffi::EVP_MAC_CTX_new(m)
                    },
                    m,
                )
            } else {
                MacCtx::Hmac(ffi::HMAC_CTX_new())
            };
            TicketCtx {
                cipher: ffi::EVP_CIPHER_CTX_new(),
                mac,
            }
        };
        let mac_ok = match t.mac {
            MacCtx::Hmac(h) => !h.is_null(),
            MacCtx::Evp(c, _) => !c.is_null(),
        };
        (!t.cipher.is_null() && mac_ok).then_some(t)
    }

    /// The callback's MAC size, after it initialised the context.
    fn mac_size(&self) -> usize {
        // SAFETY: live contexts.
        unsafe {
            match self.mac {
                MacCtx::Hmac(h) => ffi::HMAC_size(h),
                MacCtx::Evp(c, _) => ffi::EVP_MAC_CTX_get_mac_size(c),
            }
        }
    }

    /// MAC over `data` into `out` (sized `mac_size`); the bytes written.
    fn mac(&self, data: &[u8], out: &mut [u8]) -> Option<usize> {
        // SAFETY: live contexts initialised by the callback; out has out.len() bytes.
        unsafe {
            match self.mac {
                MacCtx::Hmac(h) => {
                    let mut got: c_uint = 0;
                    (ffi::HMAC_Update(h, data.as_ptr(), data.len()) == 1
                        && ffi::HMAC_Final(h, out.as_mut_ptr(), &mut got) == 1)
                        .then_some(got as usize)
                }
                MacCtx::Evp(c, _) => {
                    let mut got: usize = 0;
                    (ffi::EVP_MAC_update(c, data.as_ptr(), data.len()) == 1
                        && ffi::EVP_MAC_final(c, out.as_mut_ptr(), &mut got, out.len()) == 1)
                        .then_some(got)
                }
            }
        }
    }
}

impl Drop for TicketCtx {
    fn drop(&mut self) {
        // SAFETY: owned (NULL is accepted by all of these).
        unsafe {
            ffi::EVP_CIPHER_CTX_free(self.cipher);
            match self.mac {
                MacCtx::Hmac(h) => ffi::HMAC_CTX_free(h),
                MacCtx::Evp(c, m) => {
                    ffi::EVP_MAC_CTX_free(c);
                    ffi::EVP_MAC_free(m);
                }
            }
        }
    }
}

impl TicketKeyCb {
    /// # Safety
    /// `f` must be a ticket key callback valid for as long as this value is used.
    pub unsafe fn new(f: TicketKeyFn) -> Self {
        TicketKeyCb::Hmac(f)
    }

    /// # Safety
    /// As `new`.
    pub unsafe fn new_evp(f: EvpTicketKeyFn) -> Self {
        TicketKeyCb::Evp(f)
    }

    pub fn raw(&self) -> usize {
        match self {
            TicketKeyCb::Hmac(f) => *f as usize,
            TicketKeyCb::Evp(f) => *f as usize,
        }
    }

    /// Calls the program's callback.
    ///
    /// # Safety
    /// `name` and `iv` must be writable for 16 bytes; `t` live.
    unsafe fn call(
        &self,
        ssl: usize,
        name: &mut [u8; KEY_NAME],
        iv: &mut [u8; MAX_IV],
        t: &TicketCtx,
        enc: c_int,
    ) -> c_int {
        // SAFETY: per the contract; the MAC context matches the callback's kind.
        unsafe {
            match (self, &t.mac) {
                (TicketKeyCb::Hmac(f), MacCtx::Hmac(h)) => f(
                    ssl as *mut c_void,
                    name.as_mut_ptr(),
                    iv.as_mut_ptr(),
                    t.cipher,
                    *h,
                    enc,
                ),
                (TicketKeyCb::Evp(f), MacCtx::Evp(c, _)) => f(
                    ssl as *mut c_void,
                    name.as_mut_ptr(),
                    iv.as_mut_ptr(),
                    t.cipher,
                    *c,
                    enc,
                ),
                _ => -1,
            }
        }
    }

    /// Encrypts a ticket for the connection `ssl`; `None` when the callback declines.
    pub fn encrypt(&self, ssl: usize, plain: &[u8]) -> Option<Vec<u8>> {
        let t = TicketCtx::new(matches!(self, TicketKeyCb::Evp(_)))?;
        let mut name = [0u8; KEY_NAME];
        let mut iv = [0u8; MAX_IV];
        // SAFETY: the callback fills name and iv and initialises both contexts (enc = 1); the
        // output buffers are sized for the input plus a cipher block and the MAC.
        unsafe {
            if self.call(ssl, &mut name, &mut iv, &t, 1) != 1 {
                return None;
            }
            let iv_len = usize::try_from(ffi::EVP_CIPHER_CTX_get_iv_length(t.cipher))
                .ok()?
                .min(MAX_IV);
            let block = usize::try_from(ffi::EVP_CIPHER_CTX_get_block_size(t.cipher)).ok()?;
            let mut out = Vec::with_capacity(KEY_NAME + iv_len + plain.len() + block + 64);
            out.extend_from_slice(&name);
            out.extend_from_slice(&iv[..iv_len]);
            let start = out.len();
            out.resize(start + plain.len() + block, 0);
            let (mut n1, mut n2) = (0, 0);
            if ffi::EVP_EncryptUpdate(
                t.cipher,
                out[start..].as_mut_ptr(),
                &mut n1,
                plain.as_ptr(),
                c_int::try_from(plain.len()).ok()?,
            ) != 1
                || ffi::EVP_EncryptFinal_ex(
                    t.cipher,
                    out[start + n1 as usize..].as_mut_ptr(),
                    &mut n2,
                ) != 1
            {
                return None;
            }
            out.truncate(start + (n1 + n2) as usize);
            let mut mac = vec![0u8; t.mac_size().max(1)];
            let got = t.mac(&out, &mut mac)?;
            out.extend_from_slice(&mac[..got]);
            Some(out)
        }
    }

    /// Decrypts a ticket this callback's keys made; `None` for an unknown key or a bad ticket.
    pub fn decrypt(&self, ssl: usize, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < KEY_NAME + MAX_IV {
            return None;
        }
        let t = TicketCtx::new(matches!(self, TicketKeyCb::Evp(_)))?;
        let mut name = [0u8; KEY_NAME];
        name.copy_from_slice(&ticket[..KEY_NAME]);
        let mut iv = [0u8; MAX_IV];
        iv.copy_from_slice(&ticket[KEY_NAME..KEY_NAME + MAX_IV]);
        // SAFETY: as encrypt, with enc = 0 (the callback looks the key up by name).
        unsafe {
            let r = self.call(ssl, &mut name, &mut iv, &t, 0);
            if r != 1 && r != 2 {
                ffi::ERR_clear_error();
                return None;
            }
            let iv_len = usize::try_from(ffi::EVP_CIPHER_CTX_get_iv_length(t.cipher))
                .ok()?
                .min(MAX_IV);
            let mac_len = t.mac_size();
            let body_start = KEY_NAME + iv_len;
            if ticket.len() < body_start + mac_len {
                return None;
            }
            let (signed, mac) = ticket.split_at(ticket.len() - mac_len);
            let mut want = vec![0u8; mac_len.max(1)];
            if t.mac(signed, &mut want) != Some(mac_len)
                || ffi::CRYPTO_memcmp(want.as_ptr().cast(), mac.as_ptr().cast(), mac_len) != 0
            {
                return None;
            }
            let body = &signed[body_start..];
            let mut out = vec![0u8; body.len() + 32];
            let (mut n1, mut n2) = (0, 0);
            if ffi::EVP_DecryptUpdate(
                t.cipher,
                out.as_mut_ptr(),
                &mut n1,
                body.as_ptr(),
                c_int::try_from(body.len()).ok()?,
            ) != 1
                || ffi::EVP_DecryptFinal_ex(t.cipher, out[n1 as usize..].as_mut_ptr(), &mut n2) != 1
            {
                ffi::ERR_clear_error();
                return None;
            }
            out.truncate((n1 + n2) as usize);
            Some(out)
        }
    }
}
