//! The roster (employee list) reader and the name heuristic on any bytes.
#![no_main]
use leaktrace::case::roster::{Roster, heuristic_fit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Roster::parse("fuzz.csv", data) {
        for e in r.employees.iter().take(8) {
            let name = e.name.as_deref().unwrap_or("");
            let _ = heuristic_fit(&e.login, name);
            let _ = r.find(Some(name), e.id);
        }
    }
});
