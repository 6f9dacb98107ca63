//! One chunk's facts summed on a core, before polars sees them: one row
//! per group of the chunk (its counts, bytes, first and last time) and the
//! (group, address) and (group, page) pairs it sent, so that polars groups
//! a few rows per chunk rather than one per request.
//!
//! Each fact is added to its chunk's sums as its row is read ([`Summing`],
//! the scan's [`ChunkWork`]): no list of a chunk's facts is built, grown
//! and read again.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::keys::Prehashed;
use super::{Fact, Facts, NewGroup, flag};
use crate::w3c::{ChunkWork, Row};

/// A group's numbers within a chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub requests: u64,
    pub posts: u64,
    pub exports: u64,
    /// Exports whose `sc-bytes` was logged.
    pub bytes_known: u64,
    pub failed: u64,
    pub after: u64,
    pub bytes: u64,
    /// UTC nanoseconds; `i64::MAX` (first) and `i64::MIN` (last) when no
    /// request of the group had a time.
    pub first: i64,
    pub last: i64,
}

impl Default for Totals {
    fn default() -> Totals {
        Totals {
            requests: 0,
            posts: 0,
            exports: 0,
            bytes_known: 0,
            failed: 0,
            after: 0,
            bytes: 0,
            first: i64::MAX,
            last: i64::MIN,
        }
    }
}

impl Totals {
    fn add(&mut self, fact: &Fact) {
        let bit = |mask: u8| u64::from(fact.flags & mask != 0);
        self.requests += 1;
        self.posts += bit(flag::POST);
        self.exports += bit(flag::EXPORT);
        self.bytes_known += bit(flag::BYTES);
        self.failed += bit(flag::FAILED_LOGON);
        self.after += bit(flag::AFTER_HOURS);
        // As polars sums a u64 column.
        self.bytes = self.bytes.wrapping_add(fact.bytes);
        if let Some(t) = fact.time {
            self.first = self.first.min(t);
            self.last = self.last.max(t);
        }
    }
}

/// A chunk's facts, summed.
#[derive(Debug, Default)]
pub struct Partial {
    /// Each group of the chunk once, with its totals.
    /// (Group hashes are keyed hashes already: the table hashes them no
    /// further.)
    pub groups: HashMap<u64, Totals, Prehashed>,
    /// `[pair, group]` of the (group, address) and (group, page) pairs sent.
    pub ip_pairs: Vec<[u64; 2]>,
    pub page_pairs: Vec<[u64; 2]>,
    /// Groups and spellings met for the first time (see [`super::Facts`]).
    pub new: Vec<Box<NewGroup>>,
}

impl Partial {
    /// Adds one fact to the chunk's sums.
    #[inline]
    pub fn add(&mut self, fact: Fact) {
        self.groups.entry(fact.group).or_default().add(&fact);
        if fact.ip_pair != 0 {
            self.ip_pairs.push([fact.ip_pair, fact.group]);
        }
        if fact.page_pair != 0 {
            self.page_pairs.push([fact.page_pair, fact.group]);
        }
        if let Some(new) = fact.new {
            self.new.push(new);
        }
    }
}

/// The scan's work on the cores: each row's fact ([`Facts::fact`]) added
/// to its chunk's [`Partial`].
pub struct Summing<'f, 'a> {
    pub facts: &'f Facts<'a>,
}

impl ChunkWork for Summing<'_, '_> {
    type Out = Partial;
    /// Sums need no line numbers.
    const INPUT_LINES: bool = false;

    fn start(&self, _: &Arc<str>) -> Partial {
        Partial::default()
    }

    fn shift(&self, _: &mut Partial, _: u64) {}

    fn row(&self, out: &mut Partial, _: u64, row: &Row<'_>) -> bool {
        match self.facts.fact(row) {
            Some(fact) => {
                out.add(fact);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(group: u64, flags: u8, time: Option<i64>) -> Fact {
        Fact {
            group,
            ip_pair: group + 100,
            page_pair: 0,
            flags,
            bytes: 7,
            time,
            new: None,
        }
    }

    #[test]
    fn a_chunk_is_summed_per_group() {
        let mut p = Partial::default();
        p.add(fact(1, flag::POST, Some(5)));
        p.add(fact(2, flag::EXPORT | flag::BYTES, None));
        p.add(fact(1, flag::AFTER_HOURS, Some(3)));
        let mut groups: Vec<(u64, Totals)> = p.groups.into_iter().collect();
        groups.sort_by_key(|g| g.0);
        let one = groups[0].1;
        assert_eq!(
            (one.requests, one.posts, one.after, one.first, one.last),
            (2, 1, 1, 3, 5)
        );
        let two = groups[1].1;
        assert_eq!(
            (two.exports, two.bytes_known, two.first, two.last),
            (1, 1, i64::MAX, i64::MIN)
        );
        assert_eq!(p.ip_pairs, vec![[101, 1], [102, 2], [101, 1]]);
        assert!(p.page_pairs.is_empty());
    }
}
