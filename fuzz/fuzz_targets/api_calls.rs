//! (f) Arbitrary sequences of API calls on arbitrary handles, freed, NULL and wrong-kind ones
//! included (src/calls.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ferrossl_fuzz::calls::run(data);
});
