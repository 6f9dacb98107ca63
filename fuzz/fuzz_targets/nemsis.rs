//! The NEMSIS engraviture reader on any bytes, as a stream.
#![no_main]
use leaktrace::artifact::nemsis;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nemsis::is_nemsis(data);
    let _ = nemsis::examine(data);
});
