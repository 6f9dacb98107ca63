//! A ZIP archive examined member by member, on any bytes.
#![no_main]
use leaktrace::artifact::Kind;
use leaktrace::cmd::examine::examine_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // Panics the readers contain (calamine's and lopdf's arithmetic on
    // hostile files) are reported as data, not crashes; others still abort.
    leaktrace::contain::install_hook();
}, |data: &[u8]| {
    let _ = examine_bytes("fuzz.zip", data, Some(Kind::Zip), None);
});
