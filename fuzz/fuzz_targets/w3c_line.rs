//! The W3C line scanner, tokenizer and directive parser on any bytes, line
//! by line, and the field-list parser on the first line.
#![no_main]
use leaktrace::w3c::directive;
use leaktrace::w3c::row::{scan_line, tokenize};
use leaktrace::w3c::FieldMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let scan = scan_line(&data[pos..], &mut spans);
        assert!(scan.next > 0 && scan.len <= scan.next);
        let line = &data[pos..pos + scan.len];
        pos += scan.next;
        let _ = directive::parse(line);
        for expected in [None, Some(15), Some(spans.len())] {
            let _ = tokenize(line, expected, &mut spans);
        }
    }
    let _ = FieldMap::parse_override(&String::from_utf8_lossy(data));
});
