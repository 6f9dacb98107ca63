//! The W3C extended log engine: directives, field maps per header block, the
//! row parser, the inputs (files, directories, gzip, stdin) and the parallel
//! driver that ties them together.

pub mod chunk;
pub mod directive;
pub mod fields;
pub mod input;
pub mod record;
pub mod row;
pub mod scan;
pub mod split;
pub mod stream;
pub mod tokenize;
pub mod when;

/// A small deterministic generator for the randomized tests of the engine.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

pub use fields::{Column, FieldMap};
pub use input::{Input, Listing, expand, list};
pub use record::Record;
pub use row::{Problem, Row};
pub use scan::{
    Anomaly, CHUNKS_PER_BATCH, ChunkWork, FileReport, Hit, RunReport, ScanConfig, Start,
    peek_start, scan, scan_all, scan_all_chunks,
};
