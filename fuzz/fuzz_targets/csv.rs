//! The grid export reader on any bytes as delimited text.
#![no_main]
use leaktrace::artifact::grid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = grid::looks_delimited(data);
    let report = grid::examine_csv(data);
    assert!(report.columns.len() <= grid::MAX_COLUMNS);
});
