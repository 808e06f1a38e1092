//! Fuzz target: see `touchbase_fuzz::check_parse_contact` for what it checks.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| touchbase_fuzz::check_parse_contact(data));
