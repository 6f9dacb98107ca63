//! Detections over records: bulk-export downloads and who made them, and
//! sessions (what one person did, in order).
//!
//! Both need the requests as one time-ordered stream across files: inputs
//! are put in order by the median time of their first records
//! ([`order_with_starts`]), and a small
//! reorder buffer ([`ordered::Reorder`]) absorbs rows that IIS wrote a little
//! out of order. State is kept per active client and session only, so memory
//! does not grow with the size of the input.

pub mod downloads;
pub mod export;
pub mod input_order;
pub mod ips;
pub mod keys;
pub mod ordered;
pub mod polling;
pub mod repeats;
pub mod scan;
pub mod sessions;
#[cfg(feature = "analytics")]
pub mod stats;
pub mod travel;
pub mod users;

pub use input_order::order_with_starts;
pub use keys::{client_key, path_key};
pub use repeats::Repeats;
pub use scan::{Located, Lookahead, OrderedRun, RepeatCheck, SLACK, scan_ordered};
pub use users::same_user;
