//! The libcrypto bindings: OpenSSL's own `libcrypto.so.3`, which ferrossl keeps.
//!
//! `ffi` declares the raw functions; this module wraps the objects ferrossl owns in RAII owners
//! (`Bio`, `X509Cert`, `PKey`, `Store`, `VerifyParam`, `ExData`) with safe methods, so that the
//! core never touches a raw pointer. Each owner holds exactly one libcrypto reference and drops
//! it on `Drop`; `Clone` takes another reference (`*_up_ref`). Each owner has its own file
//! below; everything is re-exported here, as `crate::libcrypto::*`.
//!
//! Thread safety: libcrypto's reference counts are atomic and the objects below are only mutated
//! by the thread that drives the owning `SSL`/`SSL_CTX` (OpenSSL's own rule), hence the
//! `Send`/`Sync` impls.

pub mod ffi;
pub mod filter;
pub mod names;
pub mod pem;

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

pub mod err;

mod bio;
mod callbacks;
mod chacha;
mod ex_data;
mod mem;
mod pkey;
mod stack;
mod store;
mod ticket;
mod trust;
mod x509;

pub use bio::Bio;
pub use callbacks::{AppVerifyCb, PasswordCb, VerifyCb};
pub use chacha::ChaCha20Poly1305;
pub use err::clear_errors;
pub use ex_data::ExData;
pub use mem::openssl_copy;
pub use pkey::{ec_key_curve_nid, PKey};
pub use stack::{certs_of_stack, push_cstrings, CertStack, NameStack, StaticStack};
pub use store::{
    build_chain, store_ctx_ssl_index, verify_chain, verify_error_string, verify_rpk, ChainBuild,
    RpkRequest, Store, Verdict, VerifyParam, VerifyRequest,
};
pub use ticket::{EvpTicketKeyFn, TicketKeyCb, TicketKeyFn, TicketKeys, TICKET_KEYS_LEN};
pub use trust::{AnchorCert, ParamSettings, StoreKey};
pub use x509::X509Cert;

/// `OpenSSL_version_num()` of the libcrypto this process loaded (`0x30000130` for 3.0.19,
/// `0x30500090` for 3.5.9): ferrossl sits next to it as that release's libssl would.
pub fn version_num() -> std::ffi::c_ulong {
    // SAFETY: no arguments; libcrypto's constant.
    unsafe { ffi::OpenSSL_version_num() }
}

/// Whether the configuration file libcrypto loaded asks for diagnostics (`config_diagnostics`,
/// read through `OSSL_LIB_CTX_get_conf_diagnostics` of libcrypto 3.4 and later, looked up at run
/// time; OpenSSL 3.0's libssl never looks).
pub fn conf_diagnostics() -> bool {
    type Get = unsafe extern "C" fn(*mut std::ffi::c_void) -> std::ffi::c_int;
    static F: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let f = *F.get_or_init(|| {
        // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name.
        let f = unsafe {
            libc::dlsym(
                libc::RTLD_DEFAULT,
                c"OSSL_LIB_CTX_get_conf_diagnostics".as_ptr(),
            )
        };
        f as usize
    });
    if f == 0 {
        return false;
    }
    // SAFETY: the symbol has this signature (<openssl/crypto.h> 3.4+); NULL is the default
    // library context, the one ferrossl's contexts use.
    unsafe { std::mem::transmute::<usize, Get>(f)(std::ptr::null_mut()) != 0 }
}

/// `OPENSSL_issetugid`: whether the process runs set-user-id or set-group-id, where OpenSSL
/// ignores its environment variables.
pub fn is_setugid() -> bool {
    // SAFETY: no arguments.
    unsafe { ffi::OPENSSL_issetugid() != 0 }
}
