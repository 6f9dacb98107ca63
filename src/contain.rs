//! Panics in third-party readers (calamine, lopdf, zip) on hostile files,
//! contained: the file is reported as unreadable and the run goes on.
//!
//! [`contain`] catches a panic of the code it runs (the profiles pin
//! `panic = "unwind"`, without which nothing could be caught). While it
//! runs, the panic hook that `main` installs ([`install_hook`]) stays
//! silent: a contained panic is reported by its caller, as data, once, not
//! as a "thread panicked" message in the middle of the output. Panics
//! anywhere else are printed as usual: they are bugs.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many [`contain`] calls this thread is inside.
    static CONTAINING: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`; a panic in it comes back as `Err` with the panic's payload.
pub fn contain<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    CONTAINING.with(|c| c.set(c.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(c.get().saturating_sub(1)));
    result
}

/// Keeps the default panic message for panics that nothing contains.
pub fn install_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CONTAINING.with(Cell::get) == 0 {
            default(info);
        }
    }));
}

/// The message of a panic payload, for a report.
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contained_panic_is_returned_and_the_counter_unwinds() {
        let r = contain(|| -> u32 { panic!("hostile input") });
        let payload = r.unwrap_err();
        assert_eq!(message(payload.as_ref()), "hostile input");
        assert_eq!(CONTAINING.with(Cell::get), 0);
        assert_eq!(contain(|| 7).ok(), Some(7));
        // Nested: the inner panic is caught by the inner call.
        let outer = contain(|| contain(|| panic!("inner")).is_err());
        assert_eq!(outer.ok(), Some(true));
        assert_eq!(CONTAINING.with(Cell::get), 0);
    }
}
