//! ferrossl: a memory-safe, binary drop-in `libssl.so.3` on rustls.
//!
//! Layers, from the outside in:
//! - [`capi`]: the 518 `extern "C"` functions of OpenSSL 3.0's libssl, grouped by OpenSSL's
//!   man-page families. Each resolves its handles and arguments, makes one call into the core,
//!   and maps the result to OpenSSL's return convention and error queue. Every one is defined
//!   through `#[export]` (crate `ferrossl-macros`). The functions without a TLS feature behind
//!   them are generated from `abi/behaviour.py` into `capi/stubs.rs`: *absent* (OpenSSL's
//!   answer when the feature is not in use) or *refused* (one queued error).
//! - [`core`]: safe Rust (`forbid(unsafe_code)`): contexts and the rustls configurations built
//!   from them, connections, sessions, cipher strings, verification, the handle tables, errors.
//! - [`libcrypto`]: the system's OpenSSL `libcrypto.so.3`, which ferrossl keeps: raw
//!   declarations and RAII owners for the objects we share with the program.
//!
//! `unsafe` lives only in `capi` and `libcrypto`.

#![allow(clippy::missing_safety_doc)]

pub mod capi;
pub mod core;
pub mod libcrypto;
