//! Subject-name lists (`STACK_OF(X509_NAME)`) the program owns: what
//! `SSL_add_file_cert_subjects_to_stack`, `SSL_add_store_cert_subjects_to_stack` and
//! `SSL_dup_CA_list` do to them.
//!
//! Names are compared as OpenSSL's libssl compares them (DER length, then DER bytes), with
//! libcrypto's own `sk_X509_NAME_find`, so that a list ends up in exactly the order OpenSSL
//! leaves it (`find` sorts the stack).

use std::cmp::Ordering;
use std::ffi::{c_int, c_void, CStr};
use std::ptr::{self, NonNull};

use super::ffi;

fn name_der(n: *const ffi::X509_NAME) -> Option<Vec<u8>> {
    // SAFETY: n is a live name; a NULL out pointer asks for the length, then a buffer that size.
    unsafe {
        let len = ffi::i2d_X509_NAME(n, ptr::null_mut());
        if len < 0 {
            return None;
        }
        let mut buf = vec![0u8; len as usize];
        let mut p = buf.as_mut_ptr();
        ffi::i2d_X509_NAME(n, &mut p);
        Some(buf)
    }
}

/// OpenSSL's `xname_sk_cmp`: shorter DER first, then by bytes; -2 when either fails to encode.
unsafe extern "C" fn xname_cmp(a: *const *const c_void, b: *const *const c_void) -> c_int {
    // SAFETY: libcrypto passes pointers to two stack elements, both X509_NAMEs.
    let (a, b) = unsafe { ((*a).cast::<ffi::X509_NAME>(), (*b).cast::<ffi::X509_NAME>()) };
    match (name_der(a), name_der(b)) {
        (Some(x), Some(y)) => {
            if x.len() != y.len() {
                return (x.len() as i64 - y.len() as i64).clamp(-1, 1) as c_int;
            }
            match x.cmp(&y) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }
        }
        _ => -2,
    }
}

/// A `STACK_OF(X509_NAME)` the program owns, borrowed for one call.
pub struct ProgramNames(NonNull<ffi::OPENSSL_STACK>);

impl ProgramNames {
    /// # Safety
    /// `sk` must be NULL or a live `STACK_OF(X509_NAME)` for as long as the value is used.
    pub unsafe fn new(sk: *mut c_void) -> Option<ProgramNames> {
        NonNull::new(sk.cast()).map(ProgramNames)
    }

    fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }

    /// Runs `f` with the stack's comparison set to OpenSSL's name order, restoring the
    /// program's own afterwards.
    fn with_name_order<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: live stack; xname_cmp compares X509_NAMEs, which is what the stack holds.
        let old = unsafe { ffi::OPENSSL_sk_set_cmp_func(self.as_ptr(), Some(xname_cmp)) };
        let r = f();
        // SAFETY: as above.
        unsafe { ffi::OPENSSL_sk_set_cmp_func(self.as_ptr(), old) };
        r
    }

    /// Appends a copy of `xn` unless an equal name is there; false when out of memory.
    ///
    /// # Safety
    /// `xn` must be a live `X509_NAME`.
    unsafe fn add_copy(&self, xn: *const ffi::X509_NAME) -> bool {
        // SAFETY: per the contract; the copy becomes the stack's or is freed here.
        unsafe {
            if xn.is_null() {
                return false;
            }
            let dup = ffi::X509_NAME_dup(xn);
            if dup.is_null() {
                return false;
            }
            if ffi::OPENSSL_sk_find(self.as_ptr(), dup.cast()) >= 0 {
                ffi::X509_NAME_free(dup);
                return true;
            }
            if ffi::OPENSSL_sk_push(self.as_ptr(), dup.cast()) <= 0 {
                ffi::X509_NAME_free(dup);
                return false;
            }
            true
        }
    }

    /// `SSL_add_file_cert_subjects_to_stack`: adds the subject of every PEM certificate in
    /// `path` (up to the first thing that is not one) that the stack lacks. False when the file
    /// cannot be opened (libcrypto's reasons are queued); the read that ends the list leaves
    /// nothing on the queue.
    pub fn add_file_subjects(&self, path: &CStr) -> bool {
        self.with_name_order(|| {
            // SAFETY: a fresh file BIO and the X509 the reads reuse, both freed at the end.
            unsafe {
                let bio = ffi::BIO_new(ffi::BIO_s_file());
                if bio.is_null() {
                    return false;
                }
                let mut x: *mut ffi::X509 = ptr::null_mut();
                let mut ok = ffi::BIO_ctrl(
                    bio,
                    ffi::BIO_C_SET_FILENAME,
                    (ffi::BIO_CLOSE | ffi::BIO_FP_READ) as _,
                    path.as_ptr() as *mut c_void,
                ) > 0;
                if ok {
                    while !ffi::PEM_read_bio_X509(bio, &mut x, None, ptr::null_mut()).is_null() {
                        if !self.add_copy(ffi::X509_get_subject_name(x)) {
                            ok = false;
                            break;
                        }
                    }
                    if ok {
                        ffi::ERR_clear_error();
                    }
                }
                ffi::BIO_free(bio);
                ffi::X509_free(x);
                ok
            }
        })
    }

    /// `SSL_add_store_cert_subjects_to_stack`: as `add_file_subjects`, for every certificate
    /// an `OSSL_STORE` URI (or path) gives, one directory level deep.
    pub fn add_store_subjects(&self, uri: &CStr) -> bool {
        self.with_name_order(|| self.add_store_level(uri, 1))
    }

    fn add_store_level(&self, uri: &CStr, depth: c_int) -> bool {
        // SAFETY: the store context and each info are freed here; names and certificates are
        // borrowed from the info only while it lives.
        unsafe {
            let st = ffi::OSSL_STORE_open(
                uri.as_ptr(),
                ptr::null(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            );
            if st.is_null() {
                return false;
            }
            let mut ok = true;
            while ffi::OSSL_STORE_eof(st) == 0 && ffi::OSSL_STORE_error(st) == 0 {
                let info = ffi::OSSL_STORE_load(st);
                if info.is_null() {
                    continue;
                }
                match ffi::OSSL_STORE_INFO_get_type(info) {
                    ffi::OSSL_STORE_INFO_NAME if depth > 0 => {
                        let name = ffi::OSSL_STORE_INFO_get0_NAME(info);
                        ok = !name.is_null()
                            && self.add_store_level(CStr::from_ptr(name), depth - 1);
                    }
                    ffi::OSSL_STORE_INFO_CERT => {
                        let x = ffi::OSSL_STORE_INFO_get0_CERT(info);
                        if x.is_null() || !self.add_copy(ffi::X509_get_subject_name(x)) {
                            ffi::OSSL_STORE_INFO_free(info);
                            ffi::OSSL_STORE_close(st);
                            return false;
                        }
                    }
                    _ => {}
                }
                ffi::OSSL_STORE_INFO_free(info);
            }
            ffi::ERR_clear_error();
            ffi::OSSL_STORE_close(st);
            ok
        }
    }
}

/// `SSL_dup_CA_list`: a new stack holding copies of the names of `sk` (empty for NULL), or
/// NULL when out of memory.
///
/// # Safety
/// `sk` must be NULL or a live `STACK_OF(X509_NAME)`.
pub unsafe fn dup_names(sk: *const c_void) -> *mut c_void {
    // SAFETY: per the contract; the copy is ours until returned.
    unsafe {
        let sk = sk.cast::<ffi::OPENSSL_STACK>();
        let out = ffi::OPENSSL_sk_new_null();
        if out.is_null() {
            return ptr::null_mut();
        }
        let n = if sk.is_null() {
            0
        } else {
            ffi::OPENSSL_sk_num(sk)
        };
        for i in 0..n {
            let name = ffi::X509_NAME_dup(ffi::OPENSSL_sk_value(sk, i).cast());
            if name.is_null() || ffi::OPENSSL_sk_push(out, name.cast()) <= 0 {
                ffi::X509_NAME_free(name);
                for j in 0..ffi::OPENSSL_sk_num(out) {
                    ffi::X509_NAME_free(ffi::OPENSSL_sk_value(out, j).cast());
                }
                ffi::OPENSSL_sk_free(out);
                return ptr::null_mut();
            }
        }
        out.cast()
    }
}
