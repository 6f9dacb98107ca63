//! leaktrace: a forensic toolkit that finds out who took leaked patient data,
//! when, and from where. It reads a web application's IIS W3C logs at high
//! throughput (every header block, every dirty byte accounted for), filters
//! them by user, IP, path and local time with correct daylight-saving rules,
//! and prints the evidence for people and for programs.

pub mod analyze;
pub mod artifact;
pub mod case;
pub mod cli;
pub mod cmd;
pub mod contain;
pub mod digest;
pub mod enrich;
pub mod exit;
pub mod filter;
pub mod interrupt;
pub mod name;
pub mod output;
pub mod time;
pub mod w3c;
