//! Detections over records: bulk-export downloads and who made them, and
//! sessions (what one person did, in order).
//!
//! Both need the requests as one time-ordered stream across files: inputs
//! are put in order by their first timestamp ([`order_inputs`]), and a small
//! reorder buffer ([`ordered::Reorder`]) absorbs rows that IIS wrote a little
//! out of order. State is kept per active client and session only, so memory
//! does not grow with the size of the input.

pub mod downloads;
pub mod export;
pub mod ips;
pub mod ordered;
pub mod polling;
pub mod repeats;
pub mod sessions;
#[cfg(feature = "analytics")]
pub mod stats;

use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::w3c::{CHUNKS_PER_BATCH, Hit, Input, Row, RunReport, ScanConfig, peek_start, scan_all};
use ordered::Reorder;
use repeats::AcrossInputs;
pub use repeats::Repeats;

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

/// A client: the same address and the same browser. Hashed (64 bits) so the
/// per-row events that the cores produce carry no strings. The hash is keyed
/// with a random key per run (foldhash), so that log fields an attacker controls
/// cannot be crafted to collide with another person's client.
pub fn client_key(ip: &[u8], user_agent: &[u8]) -> u64 {
    let mut h = hash_state().build_hasher();
    ip.hash(&mut h);
    user_agent.hash(&mut h);
    h.finish()
}

/// A keyed hash of a path, ignoring ASCII case (as IIS does).
pub fn path_key(path: &[u8]) -> u64 {
    let n = path.len();
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&path[i..i + 8]);
        u128::from(ascii_lower(u64::from_le_bytes(w)))
    };
    let mut h = hash_state().build_hasher();
    if n < 8 {
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(path);
        h.write_u64(ascii_lower(u64::from_le_bytes(w)));
    } else {
        // Sixteen bytes per step (one multiply in foldhash); the rest is read
        // from the end, overlapping. With the length last, equal keys still
        // mean equal paths (up to the hash).
        let mut i = 0;
        while i + 16 <= n {
            h.write_u128(word(i) | (word(i + 8) << 64));
            i += 16;
        }
        match n - i {
            0 => {}
            1..=8 => h.write_u128(word(n - 8)),
            _ => h.write_u128(word(i) | (word(n - 8) << 64)),
        }
    }
    h.write_usize(n);
    h.finish()
}

/// Eight bytes at once, with ASCII `A`..=`Z` made lower case and every other
/// byte kept: what `make_ascii_lowercase` does, without a loop.
fn ascii_lower(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & (0x7f * ONES);
    // The top bit of each byte: set where the byte is at least `A`, and where
    // it is past `Z` (7-bit sums, so no carry crosses into the next byte).
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = from_a & !past_z & !x & (0x80 * ONES);
    x | (upper >> 2)
}

fn hash_state() -> &'static foldhash::quality::RandomState {
    static STATE: std::sync::OnceLock<foldhash::quality::RandomState> = std::sync::OnceLock::new();
    STATE.get_or_init(foldhash::quality::RandomState::default)
}

/// Puts inputs in the order of their first timestamp (logs come one file per
/// day and may be given in any order). Standard input, pipes and other
/// inputs that are not regular files (which can be read only once, so are
/// not peeked at), and files whose start cannot be read, keep their place
/// after the others, in the order given.
pub fn order_inputs(inputs: Vec<Input>, cfg: &ScanConfig) -> Vec<Input> {
    order_with_starts(inputs, cfg)
        .into_iter()
        .map(|(input, _)| input)
        .collect()
}

/// [`order_inputs`], with each input's first time where it was read.
fn order_with_starts(inputs: Vec<Input>, cfg: &ScanConfig) -> Vec<(Input, Option<Timestamp>)> {
    let peekable = |input: &Input| match input {
        Input::File { path, .. } => std::fs::metadata(path).is_ok_and(|m| m.is_file()),
        Input::Stdin => false,
    };
    let mut keyed: Vec<(Option<jiff::Timestamp>, usize, Input)> = inputs
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
    keyed.sort_by_key(|(start, i, _)| (start.is_none(), *start, *i));
    keyed
        .into_iter()
        .map(|(start, _, input)| (input, start))
        .collect()
}

/// Whether two login names are the same person: equal ignoring case, or
/// equal once a `DOMAIN\` prefix is set aside (when only one has it).
pub fn same_user(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b {
        return true;
    }
    match (a.rsplit_once('\\'), b.rsplit_once('\\')) {
        (Some((_, account)), None) => account == b,
        (None, Some((_, account))) => account == a,
        _ => false,
    }
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
    /// delivers the last. For small events and quick delivery (downloads).
    Batch,
    /// One chunk: when delivery is the slower side, more only holds events
    /// in memory (sessions).
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
    E: Send,
    F: Fn(&Row<'_>) -> Option<E> + Sync,
    D: FnMut(Timestamp, Located<'_, E>) -> io::Result<()>,
{
    type Batch<E> = (Arc<str>, Vec<Hit<(i64, u64, E)>>);
    let (ordered, starts): (Vec<Input>, Vec<Option<i64>>) = order_with_starts(inputs.to_vec(), cfg)
        .into_iter()
        .map(|(input, start)| (input, start.map(ordered::key)))
        .unzip();
    let check = repeats == RepeatCheck::AcrossInputs && ordered.len() > 1;
    let mut across = check
        .then(|| AcrossInputs::new(ordered.iter().map(Input::display_name).collect(), &starts));
    // Rows without a time are left out (the scan counts them). Times travel
    // as 8-byte keys: every selected row passes through the reorder buffer.
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
    // Events wait with the index of their file's name, not a copy of it.
    let mut reorder: Reorder<(usize, u64, E)> = Reorder::new(SLACK);
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
        let mut delivered = Ok(());
        for (file, hits) in rx {
            if !files.last().is_some_and(|f| Arc::ptr_eq(f, &file)) {
                files.push(file);
            }
            let index = files.len() - 1;
            let events = hits.into_iter().filter_map(|h| {
                let (time, key, event) = h.item;
                if let Some(across) = &mut across
                    && across.is_repeat(key, time, &files[index], h.line)
                {
                    return None;
                }
                Some((time, (index, h.line, event)))
            });
            delivered = reorder.push(events, |t, (i, line, event)| {
                deliver(
                    ordered::instant(t),
                    Located {
                        file: &files[i],
                        line,
                        event,
                    },
                )
            });
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
        reorder.finish(|t, (i, line, event)| {
            deliver(
                ordered::instant(t),
                Located {
                    file: &files[i],
                    line,
                    event,
                },
            )
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_user_ignores_case_and_domain() {
        assert!(same_user("jsmith", "JSmith"));
        assert!(same_user("ACME\\jsmith", "jsmith"));
        assert!(!same_user("jsmith", "jsmith2"));
        assert!(!same_user("ACME\\jsmith", "OTHER\\jsmith"));
    }

    #[test]
    fn client_key_separates_browsers_on_one_address() {
        assert_ne!(client_key(b"1.2.3.4", b"A"), client_key(b"1.2.3.4", b"B"));
        assert_eq!(client_key(b"1.2.3.4", b"A"), client_key(b"1.2.3.4", b"A"));
        assert_eq!(
            path_key(b"/DispatchesClosed.aspx"),
            path_key(b"/dispatchesclosed.ASPX")
        );
        assert_ne!(path_key(b"/a.aspx"), path_key(b"/b.aspx"));
        assert_ne!(path_key(b"/a.aspx"), path_key(b"/a.aspx\0"));
        assert_ne!(path_key(b""), path_key(b"\0"));
        // Every length through the short, overlapping and long paths.
        let long = b"/Some/Deep/Path/To/DispatchesClosed.aspx";
        for n in 0..long.len() {
            let lower = long[..n].to_ascii_lowercase();
            assert_eq!(path_key(&long[..n]), path_key(&lower), "length {n}");
            if n > 0 {
                let mut other = lower.clone();
                other[n / 2] ^= 0x01;
                assert_ne!(path_key(&lower), path_key(&other), "length {n}");
                assert_ne!(path_key(&long[..n]), path_key(&long[..n - 1]), "length {n}");
            }
        }
    }

    #[test]
    fn ascii_lower_matches_the_standard_library_for_every_byte_and_lane() {
        for byte in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = *b"aZ@[`{\x80\xff";
                bytes[lane] = byte;
                let mut expected = bytes;
                expected.make_ascii_lowercase();
                let got = ascii_lower(u64::from_le_bytes(bytes)).to_le_bytes();
                assert_eq!(got, expected, "byte {byte:#x} in lane {lane}");
            }
        }
    }
}
