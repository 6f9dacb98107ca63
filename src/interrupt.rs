//! Ctrl-C. The first one asks the run to stop: the readers stop taking new
//! batches and files, the output is finished as usual (a JSON array is
//! closed, the progress bar cleared), and `main` says the run was
//! interrupted and exits 130. A second Ctrl-C ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit status of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: u8 = 130;

/// Installs the handler (once, from `main`).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_STATUS));
        }
    });
}

/// Whether Ctrl-C was pressed: readers stop at their next batch or file.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}
