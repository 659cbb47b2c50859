//! SSL_add_file_cert_subjects_to_stack(3), SSL_add_dir_cert_subjects_to_stack(3),
//! SSL_add_store_cert_subjects_to_stack(3), SSL_dup_CA_list(3), SSL_set_client_CA_list(3):
//! lists of CA names, built from certificate files and directories.

#![allow(non_snake_case)]

use std::ffi::{c_char, c_int, CString};
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use ferrossl_macros::export;

use super::args;
use super::boundary;
use super::handle;
use super::types::*;
use crate::core::ca_names::{self, DirEntry};
use crate::core::error::{reason, Error};
use crate::libcrypto::names::{self, ProgramNames};
use crate::libcrypto::{err, ffi, NameStack};

/// The program's stack argument.
///
/// # Safety
/// `sk` must be NULL or a live `STACK_OF(X509_NAME)`.
unsafe fn names_arg(sk: *mut stack_st_X509_NAME) -> Result<ProgramNames, Error> {
    // SAFETY: per the contract.
    unsafe { ProgramNames::new(sk.cast()) }.ok_or(Error::NullArgument("stack"))
}

/// `SSL_add_file_cert_subjects_to_stack`: appends the subject names of the PEM certificates
/// in `file` that `stack` does not have yet (reading stops at the first thing that is not a
/// certificate); 1 on success, 0 when the file cannot be read. As OpenSSL, the stack is left
/// sorted by name (apart from the last name added), and its comparison function as it was.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_add_file_cert_subjects_to_stack(
    stack: *mut stack_st_X509_NAME,
    file: *const c_char,
) -> c_int {
    // SAFETY: the program's stack and string.
    let (names, file) = unsafe { (names_arg(stack)?, args::cstr(file, "file")?) };
    // libcrypto queued why the file could not be read.
    Ok(names.add_file_subjects(file) as c_int)
}

/// `SSL_add_dir_cert_subjects_to_stack`: as `SSL_add_file_cert_subjects_to_stack` for every
/// file of `dir` (subdirectories skipped), in directory order; 0 at the first file that cannot
/// be read, or when the directory cannot be listed.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_add_dir_cert_subjects_to_stack(
    stack: *mut stack_st_X509_NAME,
    dir: *const c_char,
) -> c_int {
    // SAFETY: the program's stack and string.
    let (names, dir) = unsafe { (names_arg(stack)?, args::str(dir, "dir")?) };
    let entries = match ca_names::cert_dir_entries(dir) {
        Ok(e) => e,
        Err(e) => {
            // As OpenSSL: the system error, then ERR_R_SYS_LIB.
            err::push_lib(
                ffi::ERR_LIB_SYS,
                e.raw_os_error().unwrap_or(0),
                boundary::current(),
            );
            return Err(Error::Syscall(e));
        }
    };
    for entry in entries {
        let path = match entry {
            DirEntry::File(p) => p,
            DirEntry::TooLong => {
                return Err(Error::Misuse {
                    reason: reason::PATH_TOO_LONG,
                    detail: format!("a file name in {dir} is too long"),
                })
            }
        };
        let Ok(path) = CString::new(path.as_os_str().as_bytes()) else {
            return Ok(0);
        };
        if !names.add_file_subjects(&path) {
            return Ok(0);
        }
    }
    Ok(1)
}

/// `SSL_add_store_cert_subjects_to_stack`: as `SSL_add_file_cert_subjects_to_stack` for the
/// certificates of an `OSSL_STORE` URI (a file, a directory one level deep, ...).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_add_store_cert_subjects_to_stack(
    stack: *mut stack_st_X509_NAME,
    uri: *const c_char,
) -> c_int {
    // SAFETY: the program's stack and string.
    let (names, uri) = unsafe { (names_arg(stack)?, args::cstr(uri, "uri")?) };
    Ok(names.add_store_subjects(uri) as c_int)
}

/// `SSL_dup_CA_list`: a new stack with copies of the names of `sk` (an empty one for NULL);
/// the caller frees it with `sk_X509_NAME_pop_free(..., X509_NAME_free)`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_dup_CA_list(sk: *const stack_st_X509_NAME) -> *mut stack_st_X509_NAME {
    // SAFETY: the program's stack (or NULL).
    let p = unsafe { names::dup_names(sk.cast()) };
    if p.is_null() {
        return Err(Error::Misuse {
            reason: reason::MALLOC_FAILURE,
            detail: "copying the CA list".into(),
        });
    }
    Ok(p.cast())
}

/// `SSL_set_client_CA_list`: this connection's client CA list (sent in a server's
/// CertificateRequest, reported by `SSL_get_client_CA_list`); takes ownership of `list`. NULL
/// goes back to the context's list.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_client_CA_list(s: *mut SSL, list: *mut stack_st_X509_NAME) {
    let conn = handle::ssl(s)?;
    // SAFETY: ownership of the stack and its names passes to us.
    let own = unsafe { NameStack::from_raw(list.cast()) }.map(Arc::new);
    let names = match &own {
        Some(sk) => sk.der_names(),
        None => conn
            .ctx()
            .client_ca_stack
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(NameStack::der_names)
            .unwrap_or_default(),
    };
    conn.update(|st| {
        st.own_client_ca = own;
        st.client_ca = names;
        Ok(())
    })
}

/// `SSL_add_client_CA`: adds `x`'s subject to this connection's own client CA list (started
/// empty, as OpenSSL: from then on it replaces the context's list); 1, or 0 for NULL.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_add_client_CA(s: *mut SSL, x: *mut X509) -> c_int {
    let conn = handle::ssl(s)?;
    // SAFETY: a live X509 the caller keeps (or NULL).
    let Some(cert) = (unsafe { crate::libcrypto::X509Cert::from_borrowed(x.cast()) }) else {
        return Ok(0);
    };
    conn.update(|st| {
        let own = match &st.own_client_ca {
            Some(own) => own.clone(),
            None => Arc::new(NameStack::new().ok_or(Error::Internal("out of memory".into()))?),
        };
        if !own.push_subject_of(&cert) {
            return Err(Error::Internal("X509_NAME_dup failed".into()));
        }
        st.client_ca = own.der_names();
        st.own_client_ca = Some(own);
        Ok(1)
    })
}

/// Appends `x`'s subject to `list` (a new list when there is none); the list's DER names.
fn push_subject(
    list: &mut Option<NameStack>,
    x: *const X509,
) -> Result<Option<Vec<Vec<u8>>>, Error> {
    // SAFETY: a live X509 the caller keeps (or NULL).
    let Some(cert) = (unsafe { crate::libcrypto::X509Cert::from_borrowed(x as *mut _) }) else {
        return Ok(None);
    };
    if list.is_none() {
        *list = NameStack::new();
    }
    let stack = list
        .as_ref()
        .ok_or_else(|| Error::Internal("out of memory".into()))?;
    if !stack.push_subject_of(&cert) {
        return Err(Error::Internal("X509_NAME_dup failed".into()));
    }
    Ok(Some(stack.der_names()))
}

/// The context's CA list as DER names.
fn ctx_ca_names(ctx: &crate::core::context::Context) -> Vec<Vec<u8>> {
    let sk = ctx.ca_names_stack.lock().unwrap_or_else(|e| e.into_inner());
    sk.as_ref().map(NameStack::der_names).unwrap_or_default()
}

/// `SSL_CTX_set0_CA_list`: the context's certificate_authorities list (takes ownership; NULL
/// leaves none). A server sends it in its CertificateRequest when its client CA list is empty;
/// a client does not send it (rustls has no certificate_authorities extension in its
/// ClientHello).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_CA_list(
    ctx: *mut SSL_CTX,
    name_list: *mut stack_st_X509_NAME,
) {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: ownership of the stack and its names passes to us.
    let stack = unsafe { NameStack::from_raw(name_list.cast()) };
    let names = stack.as_ref().map(NameStack::der_names).unwrap_or_default();
    *ctx.ca_names_stack.lock().unwrap_or_else(|e| e.into_inner()) = stack;
    ctx.update(|s| {
        s.ca_names = names;
        Ok(())
    })
}

/// `SSL_set0_CA_list`: this connection's own CA list (takes ownership); NULL goes back to the
/// context's.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_CA_list(s: *mut SSL, name_list: *mut stack_st_X509_NAME) {
    let conn = handle::ssl(s)?;
    // SAFETY: ownership of the stack and its names passes to us.
    let own = unsafe { NameStack::from_raw(name_list.cast()) }.map(Arc::new);
    let names = match &own {
        Some(sk) => sk.der_names(),
        None => ctx_ca_names(&conn.ctx()),
    };
    conn.update(|st| {
        st.own_ca_names = own;
        st.ca_names = names;
        Ok(())
    })
}

/// `SSL_CTX_add1_to_CA_list`: adds `x`'s subject to the context's CA list; 1, or 0 for NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_add1_to_CA_list(ctx: *mut SSL_CTX, x: *const X509) -> c_int {
    let ctx = handle::ctx(ctx)?;
    let names = push_subject(
        &mut ctx.ca_names_stack.lock().unwrap_or_else(|e| e.into_inner()),
        x,
    )?;
    let Some(names) = names else {
        return Ok(0);
    };
    ctx.update(|s| {
        s.ca_names = names;
        Ok(1)
    })
}

/// `SSL_add1_to_CA_list`: adds `x`'s subject to this connection's own CA list (started empty,
/// as OpenSSL: from then on it replaces the context's); 1, or 0 for NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_add1_to_CA_list(s: *mut SSL, x: *const X509) -> c_int {
    let conn = handle::ssl(s)?;
    conn.update(|st| {
        let mut list = match st.own_ca_names.take() {
            Some(own) => match Arc::try_unwrap(own) {
                Ok(sk) => Some(sk),
                Err(shared) => {
                    st.own_ca_names = Some(shared.clone());
                    shared.duplicate()
                }
            },
            None => None,
        };
        let names = push_subject(&mut list, x);
        st.own_ca_names = list.map(Arc::new);
        let Some(names) = names? else {
            return Ok(0);
        };
        st.ca_names = names;
        Ok(1)
    })
}

/// `SSL_CTX_get0_CA_list`: the context's CA list (owned by it), or NULL after
/// `SSL_CTX_set0_CA_list(ctx, NULL)`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get0_CA_list(ctx: *const SSL_CTX) -> *const stack_st_X509_NAME {
    Ok(ctx_ca_list(&*handle::ctx(ctx)?))
}

fn ctx_ca_list(ctx: &crate::core::context::Context) -> *const stack_st_X509_NAME {
    let sk = ctx.ca_names_stack.lock().unwrap_or_else(|e| e.into_inner());
    sk.as_ref().map_or(std::ptr::null(), |s| s.as_ptr().cast())
}

/// `SSL_get0_CA_list`: the connection's own CA list, else its context's.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_CA_list(s: *const SSL) -> *const stack_st_X509_NAME {
    let conn = handle::ssl(s)?;
    if let Some(own) = conn.settings().own_ca_names.clone() {
        return Ok(own.as_ptr().cast());
    }
    Ok(ctx_ca_list(&conn.ctx()))
}

/// `SSL_get0_peer_CA_list`: a client's view of the CA names the server's CertificateRequest
/// listed (NULL before one). A server answers NULL: the client's certificate_authorities
/// extension is not read (OpenSSL reports it).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_peer_CA_list(s: *const SSL) -> *const stack_st_X509_NAME {
    let conn = handle::ssl(s)?;
    Ok(conn
        .peer_ca_names()
        .map_or(std::ptr::null(), |sk| sk.as_ptr().cast()))
}
