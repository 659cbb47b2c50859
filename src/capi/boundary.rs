//! The C boundary's runtime: what `#[export]` (crate `ferrossl-macros`) wraps around every
//! exported function's body.
//!
//! [`call`] runs the body inside a panic boundary, with the export's name recorded for this
//! thread, and turns an `Err` (or a panic) into one queued error naming the function plus the
//! export's failure value. [`Failure`] gives the default failure value of each C return type.

use std::cell::Cell;
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::error::{Error, Result};

thread_local! {
    /// The export this thread is inside (the innermost, when a callback re-enters the API).
    static CURRENT: Cell<Option<&'static CStr>> = const { Cell::new(None) };
}

/// Runs an export's body. Called only by the code `#[export]` generates.
pub fn call<T>(name: &'static CStr, fail: T, body: impl FnOnce() -> Result<T>) -> T {
    let outer = CURRENT.with(|c| c.replace(Some(name)));
    let result = catch_unwind(AssertUnwindSafe(body));
    CURRENT.with(|c| c.set(outer));
    match result {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            raise(name, &e);
            fail
        }
        Err(_) => {
            let _ = catch_unwind(|| {
                raise(
                    name,
                    &Error::Internal("panic caught at the C boundary".into()),
                )
            });
            fail
        }
    }
}

/// The name of the export this thread is running (for errors queued by shared helpers, which
/// must name the function the program called).
pub fn current() -> &'static CStr {
    CURRENT.with(Cell::get).unwrap_or(c"ferrossl")
}

/// Queues `e` on the OpenSSL error queue, naming the function it happened in.
pub fn raise(func: &CStr, e: &Error) {
    if let Error::Queued = e {
        return;
    }
    super::init::load_strings();
    let (reason, data) = e.reason();
    log_error(func, e, reason, data.as_deref());
    crate::libcrypto::err::push(reason, func, data.as_deref());
}

/// The debug log's line for an error queued under `func` (FERROSSL_LOG, `core::logging`).
fn log_error(func: &CStr, e: &Error, reason: std::ffi::c_int, data: Option<&str>) {
    let level = match e {
        Error::Refused { .. } => log::Level::Warn,
        Error::Internal(_) => log::Level::Error,
        _ => log::Level::Debug,
    };
    if !log::log_enabled!(level) {
        return;
    }
    let text = crate::libcrypto::err::reason_text(reason);
    let what = if level == log::Level::Warn {
        "refused"
    } else {
        "error"
    };
    log::log!(
        level,
        "{}: {what}: {text} (reason {reason}){}",
        func.to_string_lossy(),
        data.map(|d| format!(": {d}")).unwrap_or_default()
    );
}

/// Queues `e` under the name of the export this thread is running.
pub fn raise_here(e: &Error) {
    raise(current(), e);
}

/// The failure value of a C return type when the export gives no other: NULL, 0, nothing.
pub trait Failure {
    const FAILURE: Self;
}

macro_rules! zero_is_failure {
    ($($t:ty),*) => { $(impl Failure for $t { const FAILURE: Self = 0; })* };
}
zero_is_failure!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl Failure for () {
    const FAILURE: Self = ();
}

impl<T> Failure for *mut T {
    const FAILURE: Self = std::ptr::null_mut();
}

impl<T> Failure for *const T {
    const FAILURE: Self = std::ptr::null();
}

impl<T> Failure for Option<T> {
    const FAILURE: Self = None;
}
