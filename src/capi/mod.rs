//! The C boundary: OpenSSL 3.0's libssl functions, grouped as OpenSSL's man pages group them.
//!
//! Every export has three beats: resolve handles and arguments (`handle`, `args`), make one
//! call into `core`, map the result to OpenSSL's return convention. Each body runs inside
//! `ffi!`, which catches panics and writes the error queue (once, here) on failure.

use std::ffi::CStr;

use crate::core::error::Error;
use crate::libcrypto::err;

pub mod args;
pub mod callbacks;
pub mod certificate;
pub mod cipher;
pub mod connection;
pub mod context;
pub mod ctrl;
pub mod handle;
pub mod init;
pub mod io;
pub mod method;
pub mod reasons;
pub mod session;
pub mod stubs;
pub mod types;
pub mod verify;

/// Queues `e` on the OpenSSL error queue, naming the function it happened in.
pub fn raise(func: &CStr, e: &Error) {
    init::load_strings();
    let (reason, data) = e.reason();
    err::push(reason, func, data.as_deref());
}

/// The body of every generated stub: queues `ERR_R_UNSUPPORTED` naming the function and returns
/// its documented failure value.
pub fn stub<T>(func: &'static CStr, failure: T) -> T {
    let name = func.to_string_lossy();
    let _ = std::panic::catch_unwind(|| {
        raise(func, &Error::Unsupported(format!("{name} is not implemented by ferrossl")))
    });
    failure
}

/// Runs an export's body: `Ok(v)` returns `v`; an error or a panic is queued under the
/// function's name and the failure value returned.
macro_rules! ffi {
    ($name:literal, $fail:expr, $body:block) => {{
        let name: &'static ::std::ffi::CStr = $name;
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<_, $crate::core::error::Error> { $body },
        )) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                $crate::capi::raise(name, &e);
                $fail
            }
            Err(_) => {
                let _ = ::std::panic::catch_unwind(|| {
                    $crate::capi::raise(
                        name,
                        &$crate::core::error::Error::Internal("panic caught at the C boundary".into()),
                    )
                });
                $fail
            }
        }
    }};
}
pub(crate) use ffi;
