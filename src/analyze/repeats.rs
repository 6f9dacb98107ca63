//! Records that turn up in more than one input: the same log given twice in
//! two forms (`.log` and `.gz`), or copies from two servers that overlap in
//! time. The first place a record was seen is kept; the same record in
//! another input is a repeat, dropped and counted, with the places it was
//! found (a record repeated within one file is two requests, and kept).
//!
//! [`Repeats`] checks the few records a command keeps (downloads).
//! [`AcrossInputs`] checks every record of a time-ordered scan, and keeps
//! only what a later input could repeat: a record older than the earliest
//! start of the inputs after it (less the reordering slack) can never be
//! repeated, and is not remembered.

use std::sync::Arc;

use super::SLACK;
use super::keys::hash_state;
use crate::w3c::{Column, Row};
use std::hash::{BuildHasher, Hash, Hasher};

/// Records that turn up in more than one input: the same log given twice
/// in two forms (`.log` and `.gz`), or two copies that overlap in time.
/// The first place a record was seen is kept; the same record in another
/// input is a repeat, dropped and counted (a record repeated within one
/// file is two requests, and kept).
#[derive(Debug, Default)]
pub struct Repeats {
    seen: foldhash::HashMap<u64, (Arc<str>, u64)>,
    /// Records dropped as repeats.
    pub dropped: u64,
    /// The first few: (repeat, first seen), as `file:line`.
    pub samples: Vec<(String, String)>,
}

impl Repeats {
    /// Whether a record (by `key`, a hash of what identifies it) was already
    /// seen in another input.
    pub fn is_repeat(&mut self, key: u64, file: &Arc<str>, line: u64) -> bool {
        match self.seen.get(&key) {
            Some((first, first_line)) if !Arc::ptr_eq(first, file) && **first != **file => {
                self.dropped += 1;
                if self.samples.len() < 5 {
                    self.samples
                        .push((format!("{file}:{line}"), format!("{first}:{first_line}")));
                }
                true
            }
            Some(_) => false,
            None => {
                self.seen.insert(key, (file.clone(), line));
                false
            }
        }
    }

    /// The key of a log record: its time, client, request, status and size.
    pub fn key(r: &crate::w3c::Record) -> u64 {
        hash_state().hash_one((
            r.time_utc,
            &r.client_ip,
            &r.user_agent,
            &r.method,
            &r.uri_stem,
            &r.uri_query,
            &r.username,
            r.status,
            r.win32_status,
            r.bytes_sent,
            r.time_taken_ms,
        ))
    }

    /// The note for the summary, if any record was dropped.
    pub fn note(&self, what: &str) -> Option<String> {
        (self.dropped > 0).then(|| {
            let places: Vec<String> = self
                .samples
                .iter()
                .map(|(again, first)| format!("{again} = {first}"))
                .collect();
            format!(
                "{} {what} appeared in more than one input (the same log given twice, or copies overlapping in time) and {} counted once: {}",
                self.dropped,
                if self.dropped == 1 { "was" } else { "were" },
                places.join(", ")
            )
        })
    }
}

/// Records remembered at most by [`AcrossInputs`] (about 40 bytes each).
pub const MAX_REMEMBERED: usize = 4_000_000;

/// The repeat check of a time-ordered scan over several inputs.
pub struct AcrossInputs {
    /// Key → (time, input position, line) of the first place it was seen.
    seen: foldhash::HashMap<u64, (i64, u32, u64)>,
    /// Per input (in scan order): the time from which its records must be
    /// remembered (`None`: never, no input after it).
    remember_from: Vec<Option<i64>>,
    /// Per input: the time before which no record of it or a later input
    /// falls (the earliest of their starts less the slack), to forget what
    /// cannot come again.
    forget_before: Vec<Option<i64>>,
    names: Vec<Arc<str>>,
    current: usize,
    /// The name the scan last handed over (its own `Arc`): while the
    /// records come from it, no names are compared.
    last: Option<Arc<str>>,
    found: Repeats,
    /// Records not remembered because [`MAX_REMEMBERED`] were.
    pub not_remembered: u64,
}

impl AcrossInputs {
    /// `starts`: each input's earliest time (as an ordering key), in scan
    /// order (inputs with an unknown start come last).
    pub fn new(names: Vec<Arc<str>>, starts: &[Option<i64>]) -> AcrossInputs {
        let slack = super::ordered::key_span(SLACK);
        let before = |t: Option<i64>| t.map(|t| t.saturating_sub(slack));
        // Per position: the earliest start of the inputs from there on, and
        // whether one of them has no known start (one pass from the end).
        let mut from = vec![(None::<i64>, false); starts.len() + 1];
        for (p, start) in starts.iter().enumerate().rev() {
            let (earliest, unknown) = from[p + 1];
            from[p] = (
                earliest.into_iter().chain(*start).min(),
                unknown || start.is_none(),
            );
        }
        let remember_from = (0..starts.len())
            .map(|p| match from[p + 1] {
                _ if p + 1 == starts.len() => None,
                (_, true) => Some(i64::MIN),
                (earliest, false) => before(earliest),
            })
            .collect();
        AcrossInputs {
            seen: foldhash::HashMap::default(),
            remember_from,
            // Inputs are in the order of their median start: a later one
            // may start earlier than this one.
            forget_before: starts
                .iter()
                .zip(&from)
                .map(|(start, (earliest, _))| before(start.and(*earliest)))
                .collect(),
            names,
            current: 0,
            last: None,
            found: Repeats::default(),
            not_remembered: 0,
        }
    }

    /// Whether the record (its `key` from [`row_key`], its time) at `line`
    /// of `file` repeats one of another input: then it is counted, and the
    /// caller drops it.
    pub fn is_repeat(&mut self, key: u64, time: i64, file: &Arc<str>, line: u64) -> bool {
        if !self.last.as_ref().is_some_and(|l| Arc::ptr_eq(l, file)) {
            if *self.names[self.current] != **file {
                self.enter(file);
            }
            self.last = Some(file.clone());
        }
        let here = self.current as u32;
        if let Some(&(_, input, first_line)) = self.seen.get(&key) {
            if input == here {
                return false;
            }
            self.found.dropped += 1;
            if self.found.samples.len() < 5 {
                self.found.samples.push((
                    format!("{file}:{line}"),
                    format!("{}:{first_line}", self.names[input as usize]),
                ));
            }
            return true;
        }
        if self.remember_from[self.current].is_some_and(|from| time >= from) {
            if self.seen.len() < MAX_REMEMBERED {
                self.seen.insert(key, (time, here, line));
            } else {
                self.not_remembered += 1;
            }
        }
        false
    }

    /// The scan moved on to `file`: what no later record can repeat is
    /// forgotten.
    fn enter(&mut self, file: &Arc<str>) {
        let next = (self.current + 1..self.names.len()).find(|&p| *self.names[p] == **file);
        let Some(p) = next else { return };
        self.current = p;
        if let Some(before) = self.forget_before[p] {
            self.seen.retain(|_, (t, _, _)| *t >= before);
        }
    }

    /// What was found, for the summary.
    pub fn into_found(self) -> Repeats {
        self.found
    }
}

/// The key of a row for [`AcrossInputs`]: its time, client, request,
/// status, size and duration, as logged.
pub fn row_key(row: &Row<'_>, time: i64) -> u64 {
    let mut h = hash_state().build_hasher();
    time.hash(&mut h);
    for col in [
        Column::ClientIp,
        Column::UserAgent,
        Column::Method,
        Column::UriStem,
        Column::UriQuery,
        Column::Uri,
        Column::Username,
        Column::Status,
        Column::Win32Status,
        Column::BytesSent,
        Column::TimeTaken,
    ] {
        match row.raw(col) {
            Some(v) => v.hash(&mut h),
            None => h.write_u8(0xff),
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000_000;

    fn names(n: usize) -> Vec<Arc<str>> {
        (0..n).map(|i| Arc::from(format!("log{i}"))).collect()
    }

    #[test]
    fn only_what_a_later_input_could_repeat_is_remembered() {
        // Two consecutive days: only the last 15 minutes of the first (the
        // reordering slack before the second's start) could come again.
        let day = 24 * 60 * MIN;
        let files = names(2);
        let mut f = AcrossInputs::new(files.clone(), &[Some(0), Some(day)]);
        assert!(!f.is_repeat(1, 0, &files[0], 1));
        assert!(!f.is_repeat(2, day - 16 * MIN, &files[0], 2));
        assert!(!f.is_repeat(3, day - 14 * MIN, &files[0], 3));
        assert_eq!(f.seen.len(), 1, "the rest of the day is not remembered");
        // The same record again in the second input is a repeat; a record
        // repeated within one input is not.
        assert!(f.is_repeat(3, day - 14 * MIN, &files[1], 7));
        assert!(!f.is_repeat(4, day, &files[1], 8));
        assert!(!f.is_repeat(4, day, &files[1], 9));
        assert_eq!(f.seen.len(), 1, "nothing comes after the last input");
        let found = f.into_found();
        assert_eq!(found.dropped, 1);
        assert_eq!(
            found.samples,
            [("log1:7".to_string(), "log0:3".to_string())]
        );
    }

    #[test]
    fn a_later_input_that_starts_earlier_still_finds_its_repeats() {
        // Inputs are put in order by their median start: the third starts
        // before the second, and repeats a record of the first that falls
        // before the second's start.
        let files = names(3);
        let mut f = AcrossInputs::new(files.clone(), &[Some(0), Some(100 * MIN), Some(50 * MIN)]);
        assert!(!f.is_repeat(7, 60 * MIN, &files[0], 1));
        assert!(!f.is_repeat(8, 100 * MIN, &files[1], 1));
        assert!(f.is_repeat(7, 60 * MIN, &files[2], 1));
        assert_eq!(f.into_found().dropped, 1);
    }

    #[test]
    fn the_same_span_twice_is_remembered_whole_and_forgotten_when_passed() {
        let files = names(3);
        let mut f = AcrossInputs::new(files.clone(), &[Some(0), Some(0), Some(100 * MIN)]);
        for t in 0..10 {
            assert!(!f.is_repeat(t as u64, t * MIN, &files[0], 1 + t as u64));
        }
        assert_eq!(f.seen.len(), 10);
        for t in 0..10 {
            assert!(f.is_repeat(t as u64, t * MIN, &files[1], 1 + t as u64));
        }
        // The third input starts long after: what came before is forgotten.
        assert!(!f.is_repeat(99, 100 * MIN, &files[2], 1));
        assert!(f.seen.is_empty());
        assert_eq!(f.into_found().dropped, 10);
    }

    #[test]
    fn an_input_of_unknown_start_makes_everything_before_it_remembered() {
        let files = names(2);
        let mut f = AcrossInputs::new(files.clone(), &[Some(0), None]);
        assert!(!f.is_repeat(1, 0, &files[0], 1));
        assert!(f.is_repeat(1, 0, &files[1], 1));
    }
}
