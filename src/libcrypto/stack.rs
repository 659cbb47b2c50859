//! `STACK_OF(...)` owners: certificates, pointers to statics, names.
//! `Send`/`Sync`: see the `libcrypto` module docs.

use std::ptr;

use super::{ffi, X509Cert};

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
    /// A stack of the DER names `der` (those that do not parse are left out).
    pub fn from_der(der: &[&[u8]]) -> Option<NameStack> {
        let out = NameStack::new()?;
        for d in der {
            let mut p = d.as_ptr();
            let Ok(len) = std::ffi::c_long::try_from(d.len()) else {
                continue;
            };
            // SAFETY: p covers len bytes; the parsed name becomes the stack's.
            unsafe {
                let n = ffi::d2i_X509_NAME(ptr::null_mut(), &mut p, len);
                if !n.is_null() && ffi::OPENSSL_sk_push(out.as_ptr(), n.cast()) <= 0 {
                    ffi::X509_NAME_free(n);
                }
            }
        }
        Some(out)
    }
    /// A copy of the stack and its names (`SSL_dup`).
    pub fn duplicate(&self) -> Option<NameStack> {
        // SAFETY: our own live stack; the copy is handed over to the new value.
        unsafe { NameStack::from_raw(super::names::dup_names(self.as_ptr().cast()).cast()) }
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

/// Pushes `names` (static strings: the stack holds borrowed pointers, as a
/// `STACK_OF(OPENSSL_CSTRING)` does) onto the caller's stack; false if a push failed.
///
/// # Safety
/// `sk` must be a live `STACK_OF(OPENSSL_CSTRING)`.
pub unsafe fn push_cstrings(
    sk: *mut ffi::OPENSSL_STACK,
    names: &[&'static std::ffi::CStr],
) -> bool {
    names
        .iter()
        // SAFETY: live per the contract; the strings are 'static.
        .all(|n| unsafe { ffi::OPENSSL_sk_push(sk, n.as_ptr().cast()) } > 0)
}
