//! (b) A client on memory BIOs fed server flights: a byte choosing the client configuration,
//! then framed chunks, one per step. Seeds: recorded servers (src/bin/record.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ferrossl_fuzz::tls::run_client(data);
});
