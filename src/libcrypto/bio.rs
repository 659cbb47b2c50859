//! `Bio`: an owned `BIO`.

use std::ffi::{c_int, CStr};
use std::io;
use std::ptr;

use super::{ffi, PKey, PasswordCb, X509Cert};

unsafe fn bio_free_one(b: *mut ffi::BIO) {
    // SAFETY: forwarded contract.
    unsafe { ffi::BIO_free(b) };
}
unsafe fn bio_up(b: *mut ffi::BIO) {
    // SAFETY: forwarded contract.
    unsafe { ffi::BIO_up_ref(b) };
}

owner!(Bio, ffi::BIO, bio_free_one, bio_up);

impl Bio {
    /// A socket BIO on `fd` that does not close it (`SSL_set_fd`).
    pub fn socket(fd: c_int) -> Option<Bio> {
        // SAFETY: BIO_new_socket only records the descriptor.
        unsafe { Bio::from_raw(ffi::BIO_new_socket(fd, ffi::BIO_NOCLOSE)) }
    }

    /// A read-only file BIO, opened as OpenSSL's libssl opens certificate, key and CA files
    /// (`BIO_new(BIO_s_file())` and `BIO_read_filename`), so that a missing file queues the same
    /// libcrypto errors ("calling fopen(NAME, r)", then BIO's "system lib").
    pub fn open(path: &CStr) -> Option<Bio> {
        /// `BIO_C_SET_FILENAME`, with `BIO_CLOSE | BIO_FP_READ` (`BIO_read_filename`).
        const BIO_C_SET_FILENAME: c_int = 108;
        const CLOSE_READ: std::ffi::c_long = 0x01 | 0x02;
        // SAFETY: a new file BIO, owned here.
        let bio = unsafe { Bio::from_raw(ffi::BIO_new(ffi::BIO_s_file()))? };
        // SAFETY: BIO_C_SET_FILENAME reads the NUL-terminated name during the call.
        let ok = unsafe {
            ffi::BIO_ctrl(
                bio.as_ptr(),
                BIO_C_SET_FILENAME,
                CLOSE_READ,
                path.as_ptr().cast_mut().cast(),
            )
        };
        (ok > 0).then_some(bio)
    }

    /// A read-only memory BIO over a copy-free view of `data` (valid while `data` lives).
    pub fn with_mem<R>(data: &[u8], f: impl FnOnce(&Bio) -> R) -> Option<R> {
        let len = c_int::try_from(data.len()).ok()?;
        // SAFETY: the BIO reads `data` only inside `f`, during which `data` is borrowed.
        let bio = unsafe { Bio::from_raw(ffi::BIO_new_mem_buf(data.as_ptr().cast(), len))? };
        Some(f(&bio))
    }

    /// The descriptor behind a socket or fd BIO, or -1.
    pub fn fd(&self) -> c_int {
        let mut fd: c_int = -1;
        // SAFETY: BIO_C_GET_FD writes an int through parg when the BIO has a descriptor.
        let r = unsafe {
            ffi::BIO_ctrl(
                self.as_ptr(),
                ffi::BIO_C_GET_FD,
                0,
                (&mut fd as *mut c_int).cast(),
            )
        };
        if r < 0 {
            -1
        } else {
            fd
        }
    }

    fn retry(&self) -> bool {
        // SAFETY: the BIO is live.
        unsafe { ffi::BIO_test_flags(self.as_ptr(), ffi::BIO_FLAGS_SHOULD_RETRY) != 0 }
    }

    /// One `BIO_read`, mapped to `io` results: `WouldBlock` when the BIO asks for a retry,
    /// `Ok(0)` on end of file, another error when the BIO failed.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: buf is writable for len bytes.
        let n = unsafe { ffi::BIO_read(self.as_ptr(), buf.as_mut_ptr().cast(), len) };
        if n > 0 {
            return Ok(n as usize);
        }
        if self.retry() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if n == 0 {
            return Ok(0);
        }
        Err(io::Error::last_os_error())
    }

    /// One `BIO_write`, mapped like `read`.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: buf is readable for len bytes.
        let n = unsafe { ffi::BIO_write(self.as_ptr(), buf.as_ptr().cast(), len) };
        if n > 0 {
            return Ok(n as usize);
        }
        if self.retry() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Err(io::Error::other("BIO_write failed"))
    }

    pub fn flush(&self) -> io::Result<()> {
        // SAFETY: BIO_CTRL_FLUSH takes no pointer argument.
        let r = unsafe { ffi::BIO_ctrl(self.as_ptr(), ffi::BIO_CTRL_FLUSH, 0, ptr::null_mut()) };
        if r > 0 {
            Ok(())
        } else if self.retry() {
            Err(io::ErrorKind::WouldBlock.into())
        } else {
            Err(io::Error::other("BIO flush failed"))
        }
    }

    /// Reads the next PEM certificate (`aux`: trusted-certificate form allowed).
    pub fn read_pem_x509(&self, aux: bool, pw: PasswordCb) -> Option<X509Cert> {
        // SAFETY: the BIO is live; the callback contract is PasswordCb's.
        unsafe {
            let x = if aux {
                ffi::PEM_read_bio_X509_AUX(self.as_ptr(), ptr::null_mut(), pw.cb, pw.userdata())
            } else {
                ffi::PEM_read_bio_X509(self.as_ptr(), ptr::null_mut(), pw.cb, pw.userdata())
            };
            X509Cert::from_raw(x)
        }
    }

    /// Reads every remaining PEM certificate. The read that finds no more leaves no error on the
    /// queue (OpenSSL's chain loading clears it too).
    pub fn read_remaining_pem_x509(&self, pw: PasswordCb) -> Vec<X509Cert> {
        let mut out = Vec::new();
        // SAFETY: the mark brackets the errors of the final, failing read.
        unsafe {
            ffi::ERR_set_mark();
            while let Some(c) = self.read_pem_x509(false, pw) {
                out.push(c);
            }
            ffi::ERR_pop_to_mark();
        }
        out
    }

    /// Reads a PEM private key, decrypting it with `pw` when it is encrypted.
    pub fn read_pem_key(&self, pw: PasswordCb) -> Option<PKey> {
        // SAFETY: as read_pem_x509.
        unsafe {
            PKey::from_raw(ffi::PEM_read_bio_PrivateKey(
                self.as_ptr(),
                ptr::null_mut(),
                pw.cb,
                pw.userdata(),
            ))
        }
    }
}
