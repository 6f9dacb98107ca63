//! The PDF reader (stamp text, Info, XMP, revisions) on any bytes.
#![no_main]
use leaktrace::artifact::pdf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // Panics the readers contain (calamine's and lopdf's arithmetic on
    // hostile files) are reported as data, not crashes; others still abort.
    leaktrace::contain::install_hook();
}, |data: &[u8]| {
    let _ = pdf::examine(data, None);
});
