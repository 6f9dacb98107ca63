//! The time-ordered scan every analysis runs on: inputs in the order of
//! their start (the median time of their first records), events put in
//! order within [`SLACK`], delivered one by one with their file and line.

use std::io;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::input_order::order_with_starts;
use super::ordered::{self, Reorder};
use super::repeats::{self, AcrossInputs, Repeats};
use crate::w3c::{CHUNKS_PER_BATCH, Hit, Input, Row, RunReport, ScanConfig, scan_all};

/// How far out of order rows may be and still be put in order: IIS writes a
/// row when a request ends, so rows lag by up to a long request's duration.
pub const SLACK: SignedDuration = SignedDuration::from_mins(15);

/// An event with the place it came from.
#[derive(Debug)]
pub struct Located<'f, E> {
    pub file: &'f Arc<str>,
    pub line: u64,
    pub event: E,
}

/// What a time-ordered scan found, beyond the per-file reports.
#[derive(Debug, Default)]
pub struct OrderedRun {
    pub run: RunReport,
    /// Events that came after newer ones had been handled (inputs that
    /// overlap in time by more than [`SLACK`]); handled anyway, out of order.
    pub late: u64,
    /// Events released before [`SLACK`] had passed because the reorder
    /// window held [`ordered::MAX_HELD`] of them (a flood of rows within
    /// the slack); a row older than one of them came late.
    pub early: u64,
    /// With [`RepeatCheck::AcrossInputs`]: the records dropped as repeats
    /// of another input's.
    pub repeats: Option<Repeats>,
    /// Records not remembered for the repeat check, past
    /// [`repeats::MAX_REMEMBERED`]: a later repeat of one is not caught.
    pub not_remembered: u64,
    /// Records without a UTC time: left out of the analysis.
    pub untimed: u64,
}

/// Whether [`scan_ordered`] drops records repeated across inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatCheck {
    /// Every record is delivered (the command checks what it keeps).
    Off,
    /// A record that repeats one of another input is dropped and counted
    /// ([`repeats::AcrossInputs`]).
    AcrossInputs,
}

/// How far parsing may run ahead of delivery in [`scan_ordered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookahead {
    /// A whole batch: the cores parse the next batch while this thread
    /// delivers the last (downloads, sessions). With one chunk of room,
    /// the cores would wait for this thread to take a batch's chunks one by
    /// one, and this thread for the cores to parse the next: the two
    /// sides would take turns instead of running together.
    Batch,
    /// One chunk: when delivery is much the slower side, more only holds
    /// events in memory.
    Chunk,
}

/// Scans the inputs as one time-ordered stream. `select` runs on the cores
/// and turns a row into an event (or not); `deliver` gets the events one by
/// one in time order, with their file and line. Delivery runs on this thread
/// while the next chunks are parsed on the others, up to `lookahead` ahead;
/// memory is bounded by that, not by the input.
pub fn scan_ordered<E, F, D>(
    inputs: &[Input],
    cfg: &ScanConfig,
    select: &F,
    deliver: &mut D,
    progress: &(dyn Fn(u64) + Sync),
    lookahead: Lookahead,
    repeats: RepeatCheck,
) -> io::Result<OrderedRun>
where
    E: Send + ordered::Held,
    F: Fn(&Row<'_>) -> Option<E> + Sync,
    D: FnMut(Timestamp, Located<'_, E>) -> io::Result<()>,
{
    type Batch<E> = (Arc<str>, Vec<Hit<(i64, u64, E)>>);
    // One input has no order to find, and no other input to repeat: its
    // start is not read ahead (for a `.gz`, that would decompress it twice).
    let (ordered, starts): (Vec<Input>, Vec<Option<i64>>) = if inputs.len() < 2 {
        (inputs.to_vec(), vec![None; inputs.len()])
    } else {
        order_with_starts(inputs.to_vec(), cfg)
            .into_iter()
            .map(|(input, start)| (input, start.map(ordered::key)))
            .unzip()
    };
    let check = repeats == RepeatCheck::AcrossInputs && ordered.len() > 1;
    let mut across = check
        .then(|| AcrossInputs::new(ordered.iter().map(Input::display_name).collect(), &starts));
    // Rows without a time are left out (the scan counts them). Times travel
    // as 8-byte keys: every selected row passes through the reorder buffer.
    // The second field is the row's repeat key on the cores, and the index
    // of its file's name once this thread has taken it (the repeat check
    // done): events wait with that index, not a copy of the name.
    let timed = |row: &Row<'_>| {
        let time = ordered::key(row.time?);
        let event = select(row)?;
        let key = if check {
            repeats::row_key(row, time)
        } else {
            0
        };
        Some((time, key, event))
    };
    let mut reorder: Reorder<Hit<(i64, u64, E)>> = Reorder::new(SLACK);
    let mut files: Vec<Arc<str>> = Vec::new();
    std::thread::scope(|scope| {
        // The scanner sends each chunk's events as soon as its batch is
        // parsed; with room for a whole batch, it goes on to the next batch
        // at once instead of waiting for this thread to take them one by one.
        let room = match lookahead {
            Lookahead::Batch => CHUNKS_PER_BATCH + 1,
            Lookahead::Chunk => 1,
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<E>>(room);
        let scanner = scope.spawn(move || {
            let mut sink = |file: &Arc<str>, hits: Vec<Hit<(i64, u64, E)>>| {
                tx.send((file.clone(), hits))
                    .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the analysis stopped"))
            };
            scan_all(&ordered, cfg, &timed, &mut sink, progress)
        });
        // An ordered event to `deliver`, with its file and line.
        let mut hand_over = |files: &[Arc<str>], h: Hit<(i64, u64, E)>| {
            let (t, index, event) = h.item;
            let file = &files[index as usize];
            deliver(
                ordered::instant(t),
                Located {
                    file,
                    line: h.line,
                    event,
                },
            )
        };
        let mut delivered = Ok(());
        for (file, mut hits) in rx {
            if !files.last().is_some_and(|f| Arc::ptr_eq(f, &file)) {
                files.push(file);
            }
            let index = files.len() - 1;
            if let Some(across) = &mut across {
                hits.retain(|h| {
                    let (time, key, _) = &h.item;
                    !across.is_repeat(*key, *time, &files[index], h.line)
                });
            }
            for h in &mut hits {
                h.item.1 = index as u64;
            }
            delivered = reorder.push(hits, |h| hand_over(&files, h));
            if delivered.is_err() {
                // Dropping the receiver stops the scanner at its next batch.
                break;
            }
        }
        let run = scanner
            .join()
            .map_err(|_| io::Error::other("the log scanner panicked"))?;
        delivered?;
        let run = run?;
        reorder.finish(|h| hand_over(&files, h))?;
        Ok(OrderedRun {
            untimed: run.files.iter().map(|f| f.untimed).sum(),
            run,
            late: reorder.late(),
            early: reorder.early(),
            not_remembered: across.as_ref().map_or(0, |a| a.not_remembered),
            repeats: across.map(AcrossInputs::into_found),
        })
    })
}

impl<E: ordered::Held> ordered::Timed for Hit<(i64, u64, E)> {
    fn key(&self) -> i64 {
        self.item.0
    }

    fn settle(&mut self) {
        self.item.2.settle();
    }
}
