//! The one pass over the logs an investigation makes.
//!
//! On the cores, each row becomes at most one [`CaseEvent`]: what the
//! downloads tracker needs (as in `downloads`), and, for rows inside a
//! window around some statement's time, the whole record (the context the
//! correlation and the session are rebuilt from). In time order, the
//! [`Collector`] attributes every download and keeps the context rows, both
//! capped ([`MAX_DOWNLOADS`], [`MAX_CONTEXT_ROWS`]); what passes a cap is
//! counted and reported.

use jiff::Timestamp;

use super::{MAX_CONTEXT_ROWS, MAX_DOWNLOADS, TOLERANCES};
use crate::analyze::downloads::{self, Download, Settings, Tracker};
use crate::analyze::{Located, Repeats, ordered};
use crate::filter::Filter;
use crate::w3c::{Record, Row};

/// Time windows (as [`ordered::key`]s), merged and sorted.
#[derive(Clone, Debug, Default)]
pub struct Windows(Vec<(i64, i64)>);

impl Windows {
    /// The context windows around these instants.
    pub fn around(times: impl IntoIterator<Item = Timestamp>) -> Windows {
        let before = i64::try_from(TOLERANCES.context_before.as_nanos()).unwrap_or(i64::MAX);
        let after = i64::try_from(TOLERANCES.context_after.as_nanos()).unwrap_or(i64::MAX);
        let mut spans: Vec<(i64, i64)> = times
            .into_iter()
            .map(|t| {
                let k = ordered::key(t);
                (k.saturating_sub(before), k.saturating_add(after))
            })
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Windows(merged)
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        let k = ordered::key(t);
        let i = self.0.partition_point(|(_, e)| *e < k);
        self.0.get(i).is_some_and(|(s, _)| *s <= k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What one row gives the investigation.
#[derive(Debug)]
pub struct CaseEvent {
    download: Option<downloads::Event>,
    context: Option<Box<Record>>,
}

/// Holds only its own values.
impl crate::analyze::ordered::Held for CaseEvent {}

/// Turns a row into an event (on the cores).
pub fn event(row: &Row<'_>, everything: &Filter, windows: &Windows) -> Option<CaseEvent> {
    let download = downloads::event(row, everything);
    let context = row.time.filter(|t| windows.contains(*t)).map(|_| {
        let mut record = Record::from_row(row);
        record.clip_values();
        Box::new(record)
    });
    (download.is_some() || context.is_some()).then_some(CaseEvent { download, context })
}

/// What the pass found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Every download, attributed, in time order.
    pub downloads: Vec<Download>,
    pub downloads_dropped: u64,
    /// The rows inside the context windows, in time order (see [`Collector::finish`]).
    pub context: Vec<Record>,
    pub context_dropped: u64,
    /// Downloads found in more than one input, counted once (the note).
    pub repeats: Option<String>,
}

/// Follows the time-ordered stream.
pub struct Collector {
    tracker: Tracker,
    found: Collected,
    /// Downloads seen in another input already (overlapping logs).
    repeats: Repeats,
    context_repeats: Repeats,
}

impl Collector {
    pub fn new(settings: Settings) -> Collector {
        Collector {
            tracker: Tracker::new(settings),
            found: Collected::default(),
            repeats: Repeats::default(),
            context_repeats: Repeats::default(),
        }
    }

    /// What was found, the context in time order (rows that came late
    /// are put in place; ties keep the order they came in).
    pub fn finish(mut self) -> Collected {
        self.found.context.sort_by_key(|r| r.time_utc);
        self.found.repeats = self.repeats.note("downloads");
        self.found
    }

    pub fn observe(&mut self, t: Timestamp, ev: Located<'_, CaseEvent>) {
        let Located { file, line, event } = ev;
        if let Some(mut record) = event.context {
            record.file = file.clone();
            record.line = line;
            if self
                .context_repeats
                .is_repeat(Repeats::key(&record), file, line)
            {
                // Counted by the downloads' repeats when it is one; a
                // context row repeated is simply not kept twice.
            } else if self.found.context.len() < MAX_CONTEXT_ROWS {
                self.found.context.push(*record);
            } else {
                self.found.context_dropped += 1;
            }
        }
        if let Some(download) = event.download
            && let Some((d, _)) = self.tracker.observe(
                t,
                Located {
                    file,
                    line,
                    event: download,
                },
            )
            && !self
                .repeats
                .is_repeat(Repeats::key(&d.record), &d.record.file, d.record.line)
        {
            if self.found.downloads.len() < MAX_DOWNLOADS {
                self.found.downloads.push(d);
            } else {
                self.found.downloads_dropped += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_merge_and_contain() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let w = Windows::around([t("2017-01-19T17:16:16Z"), t("2017-01-19T17:50:00Z")]);
        assert_eq!(w.0.len(), 1);
        assert!(w.contains(t("2017-01-19T16:16:16Z")));
        assert!(!w.contains(t("2017-01-19T16:16:15Z")));
        assert!(w.contains(t("2017-01-19T18:20:00Z")));
        assert!(!w.contains(t("2017-01-19T18:20:01Z")));
        let w = Windows::around([t("2017-01-25T00:00:00Z"), t("2017-01-19T00:00:00Z")]);
        assert_eq!(w.0.len(), 2);
        assert!(w.contains(t("2017-01-24T23:00:00Z")));
        assert!(!w.contains(t("2017-01-22T00:00:00Z")));
        assert!(Windows::default().is_empty());
    }
}
