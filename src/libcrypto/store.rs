//! Trust stores and verification: `Store`, `VerifyParam`, chain verification and building.
//! `Send`/`Sync`: see the `libcrypto` module docs.

use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};
use std::ptr;

use super::{certs_of_stack, ffi, AppVerifyCb, CertStack, VerifyCb, X509Cert};

unsafe fn store_up(s: *mut ffi::X509_STORE) {
    // SAFETY: forwarded contract.
    unsafe { ffi::X509_STORE_up_ref(s) };
}

owner!(Store, ffi::X509_STORE, ffi::X509_STORE_free, store_up);

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
    /// `X509_VERIFY_PARAM_get0_peername` (owned by the parameters).
    pub fn peername(&self) -> *const c_char {
        // SAFETY: live.
        unsafe { ffi::X509_VERIFY_PARAM_get0_peername(self.as_ptr()) }
    }
    /// Forgets the name the last verification matched (`X509_VERIFY_PARAM_get0_peername`), as
    /// a new verification does.
    pub fn clear_peername(&self) {
        if let Some(empty) = VerifyParam::new() {
            // SAFETY: both live; the empty set's (NULL) peer name replaces ours.
            unsafe { ffi::X509_VERIFY_PARAM_move_peername(self.as_ptr(), empty.as_ptr()) }
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
    /// `SSL_get_security_level`: the key and signature strength the chain must have.
    pub auth_level: c_int,
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
        // As libssl: the security level, then the defaults of the purpose, then whatever the
        // connection's parameters set.
        ffi::X509_VERIFY_PARAM_set_auth_level(ffi::X509_STORE_CTX_get0_param(ctx), req.auth_level);
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

/// Inputs to the verification of a raw public key (RFC 7250): as `VerifyRequest`, with the key
/// in place of the chain.
pub struct RpkRequest<'a> {
    pub store: &'a Store,
    pub key: &'a super::PKey,
    pub param: &'a VerifyParam,
    pub purpose: &'a CStr,
    pub callback: Option<VerifyCb>,
    pub app_verify: Option<AppVerifyCb>,
    pub app_data: usize,
    pub app_index: c_int,
}

/// `X509_STORE_CTX_init_rpk` (libcrypto 3.2 and later), looked up at run time: the library is
/// built against 3.0's libcrypto, which has no raw key verification.
type InitRpk = unsafe extern "C" fn(
    *mut ffi::X509_STORE_CTX,
    *mut ffi::X509_STORE,
    *mut ffi::EVP_PKEY,
) -> c_int;

fn init_rpk() -> Option<InitRpk> {
    static F: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let f = *F.get_or_init(|| {
        // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name.
        unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"X509_STORE_CTX_init_rpk".as_ptr()) as usize }
    });
    // SAFETY: the symbol, when present, has this signature (<openssl/x509_vfy.h> 3.2+).
    (f != 0).then(|| unsafe { std::mem::transmute::<usize, InitRpk>(f) })
}

/// Verifies a peer's raw public key as OpenSSL 3.5's libssl does (`ssl_verify_rpk`): libcrypto
/// finds it untrusted (`X509_V_ERR_RPK_UNTRUSTED`, there being no DANE records) and the verify
/// callback may accept it. On a libcrypto without raw key support: untrusted, no callback.
pub fn verify_rpk(req: &RpkRequest<'_>) -> Verdict {
    let fail = |e: c_long| Verdict {
        ok: false,
        error: e,
        chain: Vec::new(),
    };
    let Some(init) = init_rpk() else {
        return fail(95);
    };
    // SAFETY: every pointer below is live for the duration of the call; ctx is freed on exit.
    unsafe {
        let ctx = ffi::X509_STORE_CTX_new();
        if ctx.is_null() {
            return fail(17);
        }
        if init(ctx, req.store.as_ptr(), req.key.as_ptr()) != 1 {
            ffi::X509_STORE_CTX_free(ctx);
            return fail(1);
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
            Some(app) => (app.f)(ctx, app.arg as *mut c_void) > 0,
            None => ffi::X509_verify_cert(ctx) > 0,
        };
        let error = ffi::X509_STORE_CTX_get_error(ctx) as c_long;
        ffi::X509_STORE_CTX_free(ctx);
        Verdict {
            ok,
            error,
            chain: Vec::new(),
        }
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

/// `X509_verify_cert_error_string`.
pub fn verify_error_string(code: c_long) -> String {
    // SAFETY: returns a static string.
    unsafe { CStr::from_ptr(ffi::X509_verify_cert_error_string(code)) }
        .to_string_lossy()
        .into_owned()
}
