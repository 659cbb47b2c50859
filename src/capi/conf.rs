//! SSL_CONF_CTX_new(3), SSL_CONF_CTX_set_flags(3), SSL_CONF_CTX_set1_prefix(3),
//! SSL_CONF_CTX_set_ssl_ctx(3), SSL_CONF_cmd(3), SSL_CONF_cmd_argv(3): configuring an `SSL_CTX`
//! or `SSL` from name/value commands (nginx's `ssl_conf_command`, configuration files, command
//! lines). The command table and value grammar are `core::conf`'s; this file keeps the
//! `SSL_CONF_CTX` objects, applies the changes through the same settings the `SSL_CTX_*`
//! setters use, and reports as OpenSSL 3.0 does:
//! - `SSL_CONF_cmd` returns 2 for a command that took its value, 1 for a switch, -2 for an
//!   unknown command, -3 for a missing value and 0 for a failure;
//! - with `SSL_CONF_FLAG_SHOW_ERRORS` an unknown command queues "unknown cmd name" (`cmd=NAME`)
//!   and a failure "bad value" (`cmd=NAME, value=VALUE`); errors of the setter that failed are
//!   queued either way; a NULL command name always queues "invalid null cmd name".
//!
//! An `SSL_CONF_CTX*` is a handle like every other (NULL, freed or foreign pointers are
//! reported, never followed). It names its `SSL_CTX`/`SSL` by handle too, without a reference,
//! as OpenSSL's does: a command after that object was freed fails instead of reaching it.
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

use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::ptr;
use std::sync::{Mutex, OnceLock};

use super::args;
use super::context::Target;
use super::handle;
use super::raise;
use super::types::*;
use crate::core::conf::{self, Change, Command, Conf, Lookup};
use crate::core::context::Context;
use crate::core::credentials::{self, FILETYPE_PEM};
use crate::core::error::{reason, Error, Result};
use crate::core::registry::{self, Object, Refs, Table};
use crate::libcrypto::{self, Bio, PasswordCb, Store};

/// `SSL_R_INVALID_NULL_CMD_NAME`.
const INVALID_NULL_CMD_NAME: c_int = 385;

/// What an `SSL_CONF_CTX` configures: a handle id, resolved at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attached {
    Nothing,
    Ctx(usize),
    Ssl(usize),
}

struct State {
    conf: Conf,
    attached: Attached,
    /// The file of the last `Certificate` (for `SSL_CONF_FLAG_REQUIRE_PRIVATE`).
    cert_file: Option<CString>,
    /// CA names collected by `RequestCAFile` and friends (DER `X509_NAME`s), set by `finish`.
    ca_names: Option<Vec<Vec<u8>>>,
    /// The verification store this `SSL_CONF_CTX` installed in its `SSL_CTX`.
    verify_store: Option<Store>,
}

/// An `SSL_CONF_CTX`.
pub struct ConfCtx {
    refs: Refs,
    state: Mutex<State>,
}

impl Object for ConfCtx {
    const KIND: &'static str = "SSL_CONF_CTX";
    fn refs(&self) -> &Refs {
        &self.refs
    }
    fn table() -> &'static Table<Self> {
        static T: OnceLock<Table<ConfCtx>> = OnceLock::new();
        T.get_or_init(Table::new)
    }
}

fn conf_ctx(p: *const SSL_CONF_CTX) -> Result<std::sync::Arc<ConfCtx>> {
    let id = p as usize;
    if id == 0 {
        return Err(Error::NullHandle(ConfCtx::KIND));
    }
    ConfCtx::table().get(id).ok_or(Error::BadHandle {
        expected: ConfCtx::KIND,
        found: None,
    })
}

/// Runs `f` on the state of a live `SSL_CONF_CTX`. An `SSL_CONF_CTX` is used by one thread at a
/// time (as OpenSSL's); a call re-entering it from a callback fails instead of deadlocking.
fn with_state<R>(p: *const SSL_CONF_CTX, f: impl FnOnce(&mut State) -> Result<R>) -> Result<R> {
    let cc = conf_ctx(p)?;
    let mut guard = match cc.state.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return Err(Error::Reentrant("SSL_CONF_CTX")),
    };
    f(&mut guard)
}

impl State {
    /// The attached object, resolved now; `None` when nothing is attached.
    fn target(&self) -> Result<Option<Target>> {
        Ok(match self.attached {
            Attached::Nothing => None,
            Attached::Ctx(id) => Some(Target::Ctx(handle::ctx(handle::id_ptr(id))?)),
            Attached::Ssl(id) => Some(Target::Ssl(handle::ssl(handle::id_ptr(id))?)),
        })
    }

    fn attach(&mut self, to: Attached) {
        self.attached = to;
        self.cert_file = None;
        self.verify_store = None;
    }

    /// Runs one command that takes a value.
    fn run(&mut self, name: conf::Name, value: &CStr) -> Result<()> {
        let change = self.conf.parse(name, value)?;
        let Some(target) = self.target()? else {
            return self.detached(&change);
        };
        let method_version = match &target {
            Target::Ctx(c) => c.method.version,
            Target::Ssl(s) => s.ctx().method.version,
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
    fn finish(&mut self) -> Result<()> {
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

/// `SSL_CONF_CTX_new`: a context with no flags, no prefix and nothing attached.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_new() -> *mut SSL_CONF_CTX {
    let cc = ConfCtx::table().insert_with(|refs| ConfCtx {
        refs,
        state: Mutex::new(State {
            conf: Conf::default(),
            attached: Attached::Nothing,
            cert_file: None,
            ca_names: None,
            verify_store: None,
        }),
    });
    Ok(handle::ptr(&*cc))
}

/// `SSL_CONF_CTX_free`: NULL is ignored; a freed or invalid handle is reported and otherwise
/// ignored.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_free(cctx: *mut SSL_CONF_CTX) {
    if cctx.is_null() {
        return Ok(());
    }
    registry::release(&*conf_ctx(cctx)?);
    Ok(())
}

/// `SSL_CONF_CTX_set_flags`: adds `SSL_CONF_FLAG_*` flags; returns the new set (0 for an
/// invalid handle).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_flags(cctx: *mut SSL_CONF_CTX, flags: c_uint) -> c_uint {
    with_state(cctx, |st| {
        st.conf.flags |= flags;
        Ok(st.conf.flags)
    })
}

/// `SSL_CONF_CTX_clear_flags`: removes flags; returns the new set.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_clear_flags(cctx: *mut SSL_CONF_CTX, flags: c_uint) -> c_uint {
    with_state(cctx, |st| {
        st.conf.flags &= !flags;
        Ok(st.conf.flags)
    })
}

/// `SSL_CONF_CTX_set1_prefix`: the prefix command names carry (NULL: none; for command lines
/// the default is `-`); 1 on success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set1_prefix(
    cctx: *mut SSL_CONF_CTX,
    pre: *const c_char,
) -> c_int {
    let pre = if pre.is_null() {
        None
    } else {
        // SAFETY: a C string argument.
        Some(unsafe { args::cstr(pre, "prefix") }?.to_bytes())
    };
    with_state(cctx, |st| {
        st.conf.set_prefix(pre);
        Ok(1)
    })
}

/// The id a non-NULL handle argument names; an invalid one is reported now and kept, so that
/// the commands that follow fail rather than configure nothing.
fn attach_id(func: &CStr, p: usize, check: impl FnOnce() -> Result<()>) -> usize {
    if p != 0 {
        if let Err(e) = check() {
            raise(func, &e);
        }
    }
    p
}

/// `SSL_CONF_CTX_set_ssl_ctx`: the commands that follow configure `ctx` (NULL: nothing).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_ssl_ctx(cctx: *mut SSL_CONF_CTX, ctx: *mut SSL_CTX) {
    let id = attach_id(c"SSL_CONF_CTX_set_ssl_ctx", ctx as usize, || {
        handle::ctx(ctx).map(|_| ())
    });
    with_state(cctx, |st| {
        st.attach(if id == 0 {
            Attached::Nothing
        } else {
            Attached::Ctx(id)
        });
        Ok(())
    })
}

/// `SSL_CONF_CTX_set_ssl`: the commands that follow configure `ssl` (NULL: nothing).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_ssl(cctx: *mut SSL_CONF_CTX, ssl: *mut SSL) {
    let id = attach_id(c"SSL_CONF_CTX_set_ssl", ssl as usize, || {
        handle::ssl(ssl).map(|_| ())
    });
    with_state(cctx, |st| {
        st.attach(if id == 0 {
            Attached::Nothing
        } else {
            Attached::Ssl(id)
        });
        Ok(())
    })
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

/// `SSL_CONF_CTX_finish`: loads the private key `SSL_CONF_FLAG_REQUIRE_PRIVATE` asks for and
/// installs the CA names collected; 1 on success, 0 on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_finish(cctx: *mut SSL_CONF_CTX) -> c_int {
    with_state(cctx, |st| st.finish().map(|_| 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::context::{SSL_CTX_free, SSL_CTX_get_options, SSL_CTX_new};

    #[test]
    fn invalid_handles_fail_without_crashing() {
        let bogus = 0x5e55_dead_0000usize as *mut SSL_CONF_CTX;
        // SAFETY: the functions take any pointer and report invalid ones.
        unsafe {
            assert_eq!(
                SSL_CONF_cmd(ptr::null_mut(), c"Options".as_ptr(), c"x".as_ptr()),
                0
            );
            assert_eq!(SSL_CONF_cmd(bogus, c"Options".as_ptr(), c"x".as_ptr()), 0);
            assert_eq!(SSL_CONF_CTX_set_flags(bogus, 2), 0);
            assert_eq!(SSL_CONF_CTX_finish(bogus), 0);
            assert_eq!(SSL_CONF_cmd_value_type(bogus, c"Options".as_ptr()), 0);
            SSL_CONF_CTX_free(ptr::null_mut());
            let cc = SSL_CONF_CTX_new();
            assert!(!cc.is_null());
            SSL_CONF_CTX_free(cc);
            SSL_CONF_CTX_free(cc); // a double free is reported, not followed
            assert_eq!(SSL_CONF_CTX_set_flags(cc, 2), 0);
            let mut argc = 1;
            let mut argv = ptr::null_mut();
            assert_eq!(SSL_CONF_cmd_argv(cc, &mut argc, &mut argv), 0);
            libcrypto::ffi::ERR_clear_error();
        }
    }

    #[test]
    fn a_freed_ssl_ctx_fails_the_commands_that_follow() {
        // SAFETY: handles from this library.
        unsafe {
            let ctx = SSL_CTX_new(crate::capi::method::TLS_server_method());
            let cc = SSL_CONF_CTX_new();
            assert_eq!(SSL_CONF_CTX_set_flags(cc, 0x0a), 0x0a);
            SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
            let before = SSL_CTX_get_options(ctx);
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"-SessionTicket".as_ptr()),
                2
            );
            assert_eq!(SSL_CTX_get_options(ctx), before | conf::op::NO_TICKET);
            assert_eq!(SSL_CONF_cmd(cc, c"-no_ticket".as_ptr(), ptr::null()), -2);
            assert_eq!(SSL_CONF_cmd(cc, c"Options".as_ptr(), ptr::null()), -3);
            SSL_CTX_free(ctx);
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"SessionTicket".as_ptr()),
                0
            );
            assert_eq!(SSL_CONF_CTX_finish(cc), 0);
            SSL_CONF_CTX_set_ssl_ctx(cc, ptr::null_mut());
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"SessionTicket".as_ptr()),
                2
            );
            assert_eq!(SSL_CONF_CTX_finish(cc), 1);
            SSL_CONF_CTX_free(cc);
            libcrypto::ffi::ERR_clear_error();
        }
    }
}
