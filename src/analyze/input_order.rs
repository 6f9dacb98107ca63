//! The order in which a time-ordered scan reads its inputs.

use jiff::Timestamp;

use crate::w3c::{Input, ScanConfig, Start, peek_start};

/// Puts inputs in time order (logs come one file per day and may be given in
/// any order): by the median time of their first records ([`Start`]), each
/// with its earliest time there, where it was read. Standard input, pipes
/// and other inputs that are not regular files (which can be read only
/// once, so are not peeked at), and files whose start cannot be read, keep
/// their place after the others, in the order given.
pub fn order_with_starts(inputs: Vec<Input>, cfg: &ScanConfig) -> Vec<(Input, Option<Timestamp>)> {
    let peekable = |input: &Input| match input {
        Input::File { path, .. } => std::fs::metadata(path).is_ok_and(|m| m.is_file()),
        Input::Stdin => false,
    };
    let mut keyed: Vec<(Option<Start>, usize, Input)> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            let start = if peekable(&input) {
                peek_start(&input, cfg)
            } else {
                None
            };
            (start, i, input)
        })
        .collect();
    keyed.sort_by_key(|(start, i, _)| (start.is_none(), start.map(|s| s.median), *i));
    keyed
        .into_iter()
        .map(|(start, _, input)| (input, start.map(|s| s.earliest)))
        .collect()
}
