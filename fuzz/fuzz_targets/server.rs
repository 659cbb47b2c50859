//! (a) A server on memory BIOs fed client flights (framed: one chunk per step), then
//! `SSL_read`/`SSL_write`/`SSL_shutdown`. Seeds: recorded clients (src/bin/record.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ferrossl_fuzz::tls::run_server(data);
});
