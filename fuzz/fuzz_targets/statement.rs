//! The forensic statement parser on any text.
#![no_main]
use leaktrace::artifact::statement::Statement;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let s = Statement::parse(&text);
    // A parsed statement keeps its text; an unparsed one has no fields.
    if !s.parsed {
        assert!(s.name.is_none() && s.produced_at.is_none());
    }
});
