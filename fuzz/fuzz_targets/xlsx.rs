//! The workbook reader on any bytes (calamine behind our caps).
#![no_main]
use leaktrace::artifact::grid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // Panics the readers contain (calamine's and lopdf's arithmetic on
    // hostile files) are reported as data, not crashes; others still abort.
    leaktrace::contain::install_hook();
}, |data: &[u8]| {
    let _ = grid::is_xlsx_zip(data);
    let _ = grid::examine_xlsx(data);
});
