//! The end-to-end tests: each module runs the release binary on the fixtures
//! in `testdata/` (or on files it writes itself) and checks what a user sees.
//!
//! They are one test binary, not one per file: every test binary links the
//! whole of leaktrace and polars, and twenty of them ran a clean CI build out
//! of disk.

mod support;
#[allow(dead_code)] // each of the README and man page tests uses a part
#[path = "../../xtask/src/tour.rs"]
mod tour;

mod device;
mod downloads;
mod examine_grid;
mod examine_nemsis;
mod examine_pdf;
mod examine_zip;
mod geo;
mod investigate;
mod ips;
mod logs;
mod logs_json;
mod man;
mod mmap;
mod output_safety;
mod parquet;
mod readme;
mod sessions;
mod stats;
mod tables;
