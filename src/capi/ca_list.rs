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
