//! SSL_CONF_cmd(3), SSL_CONF_cmd_argv(3): running the commands of an `SSL_CONF_CTX` (the object
//! is `conf`'s). The command table and value grammar are `core::conf`'s; this file applies the
//! changes through the same settings the `SSL_CTX_*` setters use, and reports as OpenSSL 3.0
//! does:
//! - `SSL_CONF_cmd` returns 2 for a command that took its value, 1 for a switch, -2 for an
//!   unknown command, -3 for a missing value and 0 for a failure;
//! - with `SSL_CONF_FLAG_SHOW_ERRORS` an unknown command queues "unknown cmd name" (`cmd=NAME`)
//!   and a failure "bad value" (`cmd=NAME, value=VALUE`); errors of the setter that failed are
//!   queued either way; a NULL command name always queues "invalid null cmd name".
//!
//! Decisions where ferrossl cannot do what OpenSSL does:
//! - `VerifyCAFile`/`VerifyCAPath` give OpenSSL's context a separate verification store that
//!   replaces its `X509_STORE` for verifying peers. ferrossl does the same by installing a new
//!   store as the context's store (`SSL_CTX_get_cert_store` then returns it) on the first such
//!   command of an `SSL_CONF_CTX`, and adding to it after; on an `SSL` they are refused.
//! - `RequestCAFile`/`ClientCAFile`/`RequestCAPath`/`ClientCAPath` collect CA names, and
//!   `SSL_CONF_CTX_finish` makes them the names a server sends in its CertificateRequest when no
//!   `SSL_CTX_set_client_CA_list` list is set (OpenSSL's CA list, which its client CA list
//!   overrides); ferrossl has no client-side certificate_authorities extension.
//! - `SSL_CONF_FLAG_REQUIRE_PRIVATE`: the file of the last `Certificate` is remembered, and
//!   `SSL_CONF_CTX_finish` loads the private key from it when none was set (ferrossl keeps one
//!   certificate per context, OpenSSL one per key type).

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, CStr, CString};
use std::ptr;

use super::args;
use super::conf::{conf_ctx, with_state, State};
use super::context::Target;
use super::raise;
use super::types::*;
use crate::core::conf::{self, Change, Command, Lookup};
use crate::core::context::Context;
use crate::core::credentials::{self, FILETYPE_PEM};
use crate::core::error::{reason, Error, Result};
use crate::libcrypto::{self, Bio, PasswordCb, Store};

/// `SSL_R_INVALID_NULL_CMD_NAME`.
const INVALID_NULL_CMD_NAME: c_int = 385;

impl State {
    /// Runs one command that takes a value.
    fn run(&mut self, name: conf::Name, value: &CStr) -> Result<()> {
        let change = self.conf.parse(name, value)?;
        let Some(target) = self.target()? else {
            return self.detached(&change);
        };
        let method_version = match &target {
            Target::Ctx(c) => c.method().version,
            Target::Ssl(s) => s.method().version,
        };
        if let Change::ServerInfo = change {
            if let Target::Ctx(_) = target {
                return Err(Error::Unsupported(
                    "ServerInfoFile (SSL_CTX_use_serverinfo_file) is not supported by ferrossl"
                        .into(),
                ));
            }
        }
        if target.update(|s| change.apply(s, method_version))? {
            return Ok(());
        }
        match change {
            Change::Certificate(path) => {
                let pw = target.read(|s| s.password);
                let (leaf, chain) = load_chain_file(&path, pw)?;
                target.update(|s| {
                    s.credentials.set_chain(chain)?;
                    s.credentials.set_leaf(leaf)
                })?;
                self.cert_file = Some(path);
                Ok(())
            }
            Change::PrivateKey(path) => load_key(&target, &path),
            Change::VerifyCa { file, dir } => {
                let Target::Ctx(ctx) = &target else {
                    return Err(Error::Unsupported(
                        "VerifyCAFile/VerifyCAPath on an SSL (only on an SSL_CTX) are not \
                         supported by ferrossl"
                            .into(),
                    ));
                };
                self.verify_ca(ctx, file.as_deref(), dir.as_deref())
            }
            Change::RequestCa { file, dir } => {
                let names = self.ca_names.get_or_insert_with(Vec::new);
                match (file, dir) {
                    (Some(f), _) => add_file_subjects(names, &f),
                    (None, Some(d)) => add_dir_subjects(names, &d),
                    (None, None) => Ok(()),
                }
            }
            Change::DhParameters(path) => conf::check_dh_file(&path),
            _ => Ok(()),
        }
    }

    /// A command with nothing attached: what OpenSSL checks then.
    fn detached(&mut self, change: &Change) -> Result<()> {
        if let Change::RequestCa { file, dir } = change {
            let names = self.ca_names.get_or_insert_with(Vec::new);
            return match (file, dir) {
                (Some(f), _) => add_file_subjects(names, f),
                (None, Some(d)) => add_dir_subjects(names, d),
                (None, None) => Ok(()),
            };
        }
        change.check_detached()
    }

    fn verify_ca(&mut self, ctx: &Context, file: Option<&CStr>, dir: Option<&CStr>) -> Result<()> {
        let (store, fresh) = match &self.verify_store {
            Some(s) => (s.clone(), false),
            None => (
                Store::new().ok_or_else(|| Error::Internal("X509_STORE_new failed".into()))?,
                true,
            ),
        };
        // libcrypto queues why a location cannot be used.
        if let Some(f) = file {
            if !store.load_file(f) {
                return Err(Error::Queued);
            }
        }
        if let Some(d) = dir {
            if !store.load_path(d) {
                return Err(Error::Queued);
            }
        }
        if fresh {
            ctx.set_store(store.clone());
            self.verify_store = Some(store);
        }
        Ok(())
    }

    /// `SSL_CONF_CTX_finish`.
    pub(super) fn finish(&mut self) -> Result<()> {
        let target = self.target()?;
        if let (Some(t), Some(file)) = (&target, &self.cert_file) {
            if self.conf.flags & conf::FLAG_REQUIRE_PRIVATE != 0
                && t.read(|s| s.credentials.key.is_none())
            {
                let file = file.clone();
                load_key(t, &file)?;
            }
        }
        if let Some(names) = self.ca_names.take() {
            if let Some(t) = &target {
                t.update(|s| {
                    if s.client_ca.is_empty() {
                        s.client_ca = names;
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}

/// `credentials::load_chain_file`, leaving no error behind when it succeeds (reading past the
/// last certificate queues a PEM "no start line" error, which OpenSSL clears).
fn load_chain_file(
    path: &CStr,
    pw: PasswordCb,
) -> Result<(libcrypto::X509Cert, Vec<libcrypto::X509Cert>)> {
    // SAFETY: no arguments; the mark is popped or cleared below.
    unsafe { libcrypto::ffi::ERR_set_mark() };
    let r = credentials::load_chain_file(path, pw);
    // SAFETY: as above.
    unsafe {
        if r.is_ok() {
            libcrypto::ffi::ERR_pop_to_mark();
        } else {
            libcrypto::ffi::ERR_clear_last_mark();
        }
    }
    r
}

fn load_key(target: &Target, path: &CStr) -> Result<()> {
    let pw = target.read(|s| s.password);
    let key = credentials::load_key_file(path, FILETYPE_PEM, pw)?;
    target.update(|s| s.credentials.set_key(key))
}

/// `SSL_add_file_cert_subjects_to_stack`: the subject names of the certificates of a PEM file,
/// each once; a file without certificates adds nothing and succeeds, as in OpenSSL.
fn add_file_subjects(names: &mut Vec<Vec<u8>>, path: &CStr) -> Result<()> {
    let bio = Bio::open(path).ok_or_else(|| Error::BadFile {
        reason: reason::SYS_LIB,
        detail: format!("cannot open {}", path.to_string_lossy()),
    })?;
    // The end of the file reads as a PEM "no start line" error: not a failure, and not kept.
    // SAFETY: no arguments.
    unsafe { libcrypto::ffi::ERR_set_mark() };
    while let Some(cert) = bio.read_pem_x509(false, PasswordCb::default()) {
        // SAFETY: a live certificate; its subject name belongs to it and is only read here.
        let der = unsafe {
            let name = libcrypto::ffi::X509_get_subject_name(cert.as_ptr());
            let len = libcrypto::ffi::i2d_X509_NAME(name, ptr::null_mut());
            if len <= 0 {
                continue;
            }
            let mut buf = vec![0u8; len as usize];
            let mut p = buf.as_mut_ptr();
            if libcrypto::ffi::i2d_X509_NAME(name, &mut p) != len {
                continue;
            }
            buf
        };
        if !names.contains(&der) {
            names.push(der);
        }
    }
    // SAFETY: no arguments; the mark was set above.
    unsafe { libcrypto::ffi::ERR_pop_to_mark() };
    Ok(())
}

/// `SSL_add_dir_cert_subjects_to_stack`: every file of a directory, in name order.
fn add_dir_subjects(names: &mut Vec<Vec<u8>>, dir: &CStr) -> Result<()> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(dir.to_bytes()));
    let entries = std::fs::read_dir(path).map_err(|e| Error::BadFile {
        reason: reason::SYS_LIB,
        detail: format!("cannot read the directory {}: {e}", path.display()),
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let c = CString::new(f.into_os_string().into_vec())
            .map_err(|_| Error::InvalidArgument("file name with a NUL byte".into()))?;
        add_file_subjects(names, &c)?;
    }
    Ok(())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `SSL_CONF_cmd` for a live handle and a non-NULL command name.
fn conf_cmd(cctx: *mut SSL_CONF_CTX, cmd: &CStr, value: Option<&CStr>) -> Result<c_int> {
    with_state(cctx, |st| {
        let show = st.conf.flags & conf::FLAG_SHOW_ERRORS != 0;
        let (entry, name) = match st.conf.lookup(cmd.to_bytes()) {
            Lookup::Found(e, n) => (e, n),
            Lookup::Unknown(n) => {
                if show {
                    raise(
                        c"SSL_CONF_cmd",
                        &Error::Misuse {
                            reason: reason::UNKNOWN_CMD_NAME,
                            detail: format!("cmd={}", lossy(n)),
                        },
                    );
                }
                return Ok(-2);
            }
        };
        let rv = match (entry.command, value) {
            (Command::Switch { bits, inverse }, _) => {
                if let Some(t) = st.target()? {
                    t.update(|s| Change::switch(bits, inverse).apply(s, 0))?;
                }
                return Ok(1);
            }
            (Command::Value(_), None) => -3,
            (Command::Value(n), Some(v)) => match st.run(n, v) {
                Ok(()) => return Ok(2),
                Err(e) => {
                    raise(c"SSL_CONF_cmd", &e);
                    0
                }
            },
        };
        if show {
            raise(
                c"SSL_CONF_cmd",
                &Error::Misuse {
                    reason: reason::BAD_VALUE,
                    detail: format!(
                        "cmd={}, value={}",
                        lossy(name),
                        value.map_or("<EMPTY>".into(), |v| lossy(v.to_bytes()))
                    ),
                },
            );
        }
        Ok(rv)
    })
}

/// `SSL_CONF_cmd`: runs one command; see the module documentation for the return values.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd(
    cctx: *mut SSL_CONF_CTX,
    cmd: *const c_char,
    value: *const c_char,
) -> c_int {
    conf_ctx(cctx)?;
    if cmd.is_null() {
        // As OpenSSL: the reason alone, whatever the flags.
        super::init::load_strings();
        libcrypto::err::push(INVALID_NULL_CMD_NAME, c"SSL_CONF_cmd", None);
        return Err(Error::Queued);
    }
    // SAFETY: C string arguments.
    let cmd = unsafe { args::cstr(cmd, "cmd") }?;
    let value = if value.is_null() {
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { args::cstr(value, "value") }?)
    };
    conf_cmd(cctx, cmd, value)
}

/// `SSL_CONF_cmd_argv`: runs the command at `(*pargv)[0]` (its value, if it takes one, at
/// `(*pargv)[1]`) in command-line mode and advances `*pargv`/`*pargc` past what it used.
/// Returns the number of arguments used, 0 for an unknown command (or none left), -1 for a
/// failed command and -3 for a missing value.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd_argv(
    cctx: *mut SSL_CONF_CTX,
    pargc: *mut c_int,
    pargv: *mut *mut *mut c_char,
) -> c_int {
    conf_ctx(cctx)?;
    // SAFETY: pargc is NULL or the caller's count.
    let argc = (!pargc.is_null()).then(|| unsafe { *pargc });
    if argc == Some(0) {
        return Ok(0);
    }
    if pargv.is_null() {
        return Err(Error::NullArgument("pargv"));
    }
    // SAFETY: *pargv points at the remaining arguments, at least `argc` of them (or, with
    // no count, NULL-terminated).
    let argv = unsafe { *pargv };
    if argv.is_null() || argc.is_some_and(|n| n < 0) {
        return Ok(0);
    }
    // SAFETY: as above.
    let arg = unsafe { *argv };
    if arg.is_null() {
        return Ok(0);
    }
    let argn = if argc.is_none_or(|n| n > 1) {
        // SAFETY: as above: a second argument exists (or the NULL terminator).
        unsafe { *argv.add(1) }
    } else {
        ptr::null_mut()
    };
    with_state(cctx, |st| {
        st.conf.flags &= !conf::FLAG_FILE;
        st.conf.flags |= conf::FLAG_CMDLINE;
        Ok(())
    })?;
    // SAFETY: C strings from the argument vector.
    let rv = unsafe { SSL_CONF_cmd(cctx, arg, argn) };
    Ok(match rv {
        1 | 2 => {
            // SAFETY: rv arguments were there to be used.
            unsafe {
                *pargv = argv.add(rv as usize);
                if !pargc.is_null() {
                    *pargc -= rv;
                }
            }
            rv
        }
        -2 => 0,
        0 => -1,
        other => other,
    })
}

/// `SSL_CONF_cmd_value_type`: `SSL_CONF_TYPE_*` of the value `cmd` takes, or
/// `SSL_CONF_TYPE_UNKNOWN`.
#[export(fail = conf::TYPE_UNKNOWN)]
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd_value_type(
    cctx: *mut SSL_CONF_CTX,
    cmd: *const c_char,
) -> c_int {
    if cmd.is_null() {
        conf_ctx(cctx)?;
        return Ok(conf::TYPE_UNKNOWN);
    }
    // SAFETY: a C string argument.
    let cmd = unsafe { args::cstr(cmd, "cmd") }?;
    with_state(cctx, |st| Ok(st.conf.value_type(cmd.to_bytes())))
}
