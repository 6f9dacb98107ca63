//! The parallel driver: reads an input in batches, splits each batch into
//! chunks at line ends, and parses the chunks on all cores.
//!
//! Header blocks make chunks depend on each other: the rows of a chunk are read
//! with the `#Fields` and `#Date` in force where the chunk starts. A quick
//! parallel pre-scan finds the directive lines of every chunk (they start with
//! `#`, which data rows never do); replaying them in order gives each chunk its
//! starting state, and then every chunk is parsed independently. Results are
//! put back in input order, so output never depends on thread timing.
//!
//! Line numbers are counted per chunk and fixed up afterwards, so every record
//! and every anomaly keeps the physical line (1-based) it came from.
//!
//! An input in which nothing is W3C (no directive of the format, no row that
//! fits a layout) is not a log: it is skipped, and its lines are not counted
//! as malformed rows. An empty input (nothing but blank lines or NUL padding)
//! is an empty log.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;

use jiff::Timestamp;

use crate::time::Zone;
use memchr::{memchr, memrchr};
use rayon::prelude::*;

use super::chunk::{
    BlockState, ChunkAt, ChunkOut, NOTHING_W3C, earliest, latest, nothing_w3c, scan_chunk,
};
use super::fields::FieldMap;
use super::input::{ChangedDuringRead, FileStamp, Input, MmapChoice, Opened, open, release};
use super::row::{MAX_LINE, Problem, Row};
use super::stream::{LongLine, spawn_reader};

/// Bytes handed to the cores at a time.
const BATCH: usize = 32 << 20;
/// Bytes per chunk within a batch.
const CHUNK: usize = 1 << 20;
/// About how many chunks (so, calls of a scan's sink) one batch makes.
pub const CHUNKS_PER_BATCH: usize = BATCH / CHUNK;
/// Anomalies kept with their details per file (all are counted).
pub const MAX_SAMPLES: usize = 20;

/// How rows are read, beyond what the log's own headers say.
#[derive(Clone, Debug, Default)]
pub struct ScanConfig {
    /// `--fields`: replaces every `#Fields` directive.
    pub fields: Option<Arc<FieldMap>>,
    /// `--mmap`: whether regular files may be memory-mapped.
    pub mmap: MmapChoice,
    /// `--log-tz`: the zone rows with only `date-local`/`time-local` were
    /// written in.
    pub log_tz: Option<Zone>,
    /// Take the SHA-256 of each mapped input as it is read
    /// ([`FileReport::sha256`]): a batch is hashed on one core while the
    /// others parse it, so the hash costs no read of its own.
    pub hash: bool,
}

/// A selected row's result, with the line it came from.
#[derive(Debug)]
pub struct Hit<T> {
    pub line: u64,
    pub item: T,
}

/// A row that was not turned into a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    pub line: u64,
    pub problem: Problem,
    /// The last line of the input, without a line end: probably cut off.
    pub cut_off: bool,
}

/// What reading one input found.
#[derive(Debug, Default)]
pub struct FileReport {
    pub name: Arc<str>,
    pub bytes: u64,
    pub lines: u64,
    /// Data (non-directive, non-blank) lines.
    pub rows: u64,
    /// Rows that fit their field map.
    pub records: u64,
    /// Records the filter selected.
    pub matched: u64,
    /// Rows that were not read (and `#Fields` lines over the field limit).
    pub malformed: u64,
    /// Records kept although a value of theirs is invalid (an address or a
    /// number that is not one); reported with the anomalies.
    pub kept_invalid: u64,
    /// The first [`MAX_SAMPLES`] anomalies.
    pub samples: Vec<Anomaly>,
    /// NUL bytes skipped (IIS preallocates log files with them).
    pub nul_bytes: u64,
    /// Rows read with a default layout, by layout, because no header came first.
    pub inferred: BTreeMap<&'static str, u64>,
    /// Records with no UTC time (no time field, or no date for it).
    pub untimed: u64,
    /// Of those, records with only a local time (`date-local`/`time-local`)
    /// and no `--log-tz` to read it in.
    pub local_only: u64,
    /// Of those, records whose local time falls in a gap or a fold of
    /// `--log-tz` (reported with the anomalies).
    pub local_ambiguous: u64,
    /// The earliest and latest UTC time of a record: the span the file covers.
    pub first_time: Option<Timestamp>,
    pub last_time: Option<Timestamp>,
    /// W3C directive lines (`#Fields`, `#Date`, `#Software` ...).
    pub directives: u64,
    /// Other lines that start with `#` (comments, unknown directives).
    pub comments: u64,
    /// Rows that could not be read but start with a W3C date and time
    /// (`2020-10-07 23:00:17 `): a log whose field list is missing or
    /// wrong, not something else.
    pub dated: u64,
    /// The input is not a log (why), and was skipped.
    pub skipped: Option<&'static str>,
    /// The input was read to its end and held nothing but blank lines (or
    /// NUL padding): an empty log, not an error.
    pub empty: bool,
    /// The input could not be opened or read to its end.
    pub read_error: Option<io::Error>,
    /// The file's size or modification time changed while it was read (a
    /// live log): what was read may be neither the old nor the new file.
    pub changed: Option<ChangedDuringRead>,
    /// With [`ScanConfig::hash`], the SHA-256 of the bytes read, when the
    /// input was mapped and read to its end (`None` for a stream, a
    /// decompressed or skipped input, or a scan stopped early).
    pub sha256: Option<crate::digest::FileDigest>,
}

/// What a scan makes of the rows of one chunk, on the core that parses it:
/// a chunk's [`ChunkWork::Out`] is started empty, given the chunk's rows
/// that fit their field map in order, and handed to the scan's sink with
/// the others of its batch, in input order.
pub trait ChunkWork: Sync {
    type Out: Send;
    /// Whether [`ChunkWork::row`] is given the input's lines: they are then
    /// counted first, in a pass over the batch of its own. Otherwise it is
    /// given the lines of the chunk, and [`ChunkWork::shift`] adds the
    /// lines before the chunk once they are known (the lighter scans, for
    /// which the pass costs a fifth more time, keep doing without it).
    const INPUT_LINES: bool;
    /// A chunk's output before its first row, for the rows of `file`.
    fn start(&self, file: &Arc<str>) -> Self::Out;
    /// Takes a row (at `line`, 1-based) into `out`; whether the row was
    /// selected (counted as matched).
    fn row(&self, out: &mut Self::Out, line: u64, row: &Row<'_>) -> bool;
    /// Adds `lines` to the lines of the rows taken into `out` (only without
    /// [`ChunkWork::INPUT_LINES`]).
    fn shift(&self, out: &mut Self::Out, lines: u64);
    /// Called once a chunk's rows are all in `out`, on the core.
    fn end(&self, _out: &mut Self::Out) {}
}

/// The [`ChunkWork`] of a `select` closure: a chunk's hits.
struct Selected<'f, F, T> {
    select: &'f F,
    /// How many hits the last chunk had: the next starts with room for as
    /// many, instead of growing there a copy at a time (chunks of one input
    /// are alike; a hint, so any chunk's count will do).
    room: AtomicUsize,
    item: PhantomData<fn() -> T>,
}

impl<'f, F, T> Selected<'f, F, T> {
    fn new(select: &'f F) -> Self {
        Selected {
            select,
            room: AtomicUsize::new(0),
            item: PhantomData,
        }
    }
}

impl<F, T> ChunkWork for Selected<'_, F, T>
where
    T: Send,
    F: Fn(&Row<'_>) -> Option<T> + Sync,
{
    type Out = Vec<Hit<T>>;
    const INPUT_LINES: bool = false;

    fn start(&self, _: &Arc<str>) -> Vec<Hit<T>> {
        Vec::with_capacity(self.room.load(Ordering::Relaxed))
    }

    fn end(&self, out: &mut Vec<Hit<T>>) {
        self.room.store(out.len(), Ordering::Relaxed);
    }

    fn shift(&self, out: &mut Vec<Hit<T>>, lines: u64) {
        for hit in out {
            hit.line += lines;
        }
    }

    fn row(&self, out: &mut Vec<Hit<T>>, line: u64, row: &Row<'_>) -> bool {
        match (self.select)(row) {
            Some(item) => {
                out.push(Hit { line, item });
                true
            }
            None => false,
        }
    }
}

/// Reads one input, hands each chunk's selected rows to `sink` in input
/// order, and reports what was found. `select` runs on the cores, once per
/// row that fits its field map. An error from `sink` (a closed pipe) stops the
/// scan and is returned; problems with the input itself are in the report.
pub fn scan<T, F, S>(
    input: &Input,
    cfg: &ScanConfig,
    select: &F,
    sink: &mut S,
    progress: &dyn Fn(u64),
) -> io::Result<FileReport>
where
    T: Send,
    F: Fn(&Row<'_>) -> Option<T> + Sync,
    S: FnMut(&Arc<str>, Vec<Hit<T>>) -> io::Result<()>,
{
    scan_chunks(
        input,
        cfg,
        &Selected::new(select),
        &mut chunk_by_chunk(sink),
        progress,
    )
}

/// A batch sink that hands each chunk's hits to `sink`, in order.
fn chunk_by_chunk<T, S>(sink: &mut S) -> impl FnMut(&Arc<str>, Vec<Vec<Hit<T>>>) -> io::Result<()>
where
    S: FnMut(&Arc<str>, Vec<Hit<T>>) -> io::Result<()>,
{
    |name, batch| batch.into_iter().try_for_each(|hits| sink(name, hits))
}

/// [`scan`] with a [`ChunkWork`] done on the cores, and `sink` called once
/// per batch with the outputs of its chunks (in input order).
fn scan_chunks<W, S>(
    input: &Input,
    cfg: &ScanConfig,
    work: &W,
    sink: &mut S,
    progress: &dyn Fn(u64),
) -> io::Result<FileReport>
where
    W: ChunkWork,
    S: FnMut(&Arc<str>, Vec<W::Out>) -> io::Result<()>,
{
    let mut report = FileReport {
        name: input.display_name(),
        ..FileReport::default()
    };
    let mut reader = Reader::new(cfg);
    let before = FileStamp::of(input);
    match open(input, cfg.mmap) {
        Err(e) => report.read_error = Some(e),
        Ok(Opened::NotALog(kind)) => report.skipped = Some(kind),
        Ok(Opened::Mapped(map)) => {
            let mut start = 0;
            let mut hasher = cfg.hash.then(crate::digest::Running::default);
            // The batch read last: its pages are released while the next
            // is read (on one core, while the other starts on the batch).
            let mut read: Option<(usize, usize)> = None;
            while start < map.len() && !crate::interrupt::requested() {
                let cut = cut_batch(&map, start, BATCH, MAX_LINE, &|a, b| release(&map, a, b));
                if cut.lines_end > start {
                    let eof = cut.lines_end == map.len();
                    let data = &map[start..cut.lines_end];
                    let hits = match (read.take(), hasher.as_mut()) {
                        (None, None) => reader.batch(data, eof, work, &mut report),
                        (released, hashing) => {
                            // Beside the batch: the last one's pages let go,
                            // this one hashed.
                            let beside = || {
                                if let Some((from, to)) = released {
                                    release(&map, from, to);
                                }
                                if let Some(h) = hashing {
                                    h.update(data);
                                }
                            };
                            rayon::join(beside, || reader.batch(data, eof, work, &mut report)).1
                        }
                    };
                    sink(&report.name, hits)?;
                    progress(data.len() as u64);
                    read = Some((start, cut.lines_end));
                }
                if let Some(h) = hasher.as_mut() {
                    // What was skipped (NUL padding, a line over the limit),
                    // its pages let go again as they are passed.
                    let (from, to) = (cut.lines_end, cut.next);
                    h.update_pieces(&map[from..to], SKIP_STEP, |a, b| {
                        release(&map, from + a, from + b);
                    });
                }
                match cut.then {
                    After::Nothing => {}
                    After::Nuls(n) => {
                        report.bytes += n;
                        report.nul_bytes += n;
                        progress(n);
                    }
                    After::Long { nuls, line } => {
                        report.bytes += nuls;
                        report.nul_bytes += nuls;
                        reader.long_line(line, &mut report);
                        progress((cut.next - cut.lines_end) as u64);
                    }
                }
                start = cut.next;
            }
            if let Some((from, to)) = read {
                release(&map, from, to);
            }
            if start >= map.len() {
                report.sha256 = hasher.map(crate::digest::Running::finish);
            }
        }
        Ok(Opened::Stream(stream)) => {
            let batches = spawn_reader(stream);
            loop {
                // A stream may block (a pipe, a terminal): Ctrl-C is looked
                // at while waiting, not only between batches.
                let batch = match batches.recv_timeout(std::time::Duration::from_millis(100)) {
                    Ok(batch) => batch,
                    Err(RecvTimeoutError::Timeout) if !crate::interrupt::requested() => continue,
                    Err(_) => break,
                };
                if crate::interrupt::requested() {
                    break;
                }
                match batch {
                    Ok(batch) => {
                        let hits = reader.batch(&batch.data, batch.eof, work, &mut report);
                        sink(&report.name, hits)?;
                        report.bytes += batch.dropped_nuls;
                        report.nul_bytes += batch.dropped_nuls;
                        if let Some(long) = batch.long {
                            reader.long_line(long, &mut report);
                        }
                        progress(batch.data.len() as u64 + batch.dropped_nuls);
                    }
                    Err(e) => {
                        report.read_error = Some(e);
                        break;
                    }
                }
            }
        }
    }
    report.changed = ChangedDuringRead::between(before, FileStamp::of(input));
    let read = report.read_error.is_none() && report.skipped.is_none();
    report.empty = read && report.rows + report.directives + report.comments == 0;
    if read && nothing_w3c(&report) {
        // Its lines were never rows of a log: not "malformed" by the thousand.
        // No record came out of it, so nothing was handed to `sink`.
        report.skipped = Some(NOTHING_W3C);
        report.rows = 0;
        report.malformed = 0;
        report.kept_invalid = 0;
        report.samples.clear();
        report.nul_bytes = 0;
        report.comments = 0;
    }
    Ok(report)
}
/// The UTC times of the first records of an input (its first MiB), to put
/// inputs in time order before a time-ordered analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    /// The earliest.
    pub earliest: jiff::Timestamp,
    /// The median (the lower of the two middle ones of an even count): what
    /// inputs are put in order by, as one row dated far from the rows
    /// around it (a clock set wrong after a restart, a forged row) does not
    /// move it.
    pub median: jiff::Timestamp,
}

/// The [`Start`] of an input. `None` for standard input (it cannot be read
/// twice) and for inputs whose start holds no timed record or cannot be
/// read (the scan reports those).
pub fn peek_start(input: &Input, cfg: &ScanConfig) -> Option<Start> {
    const HEAD: usize = 1 << 20;
    if matches!(input, Input::Stdin) {
        return None;
    }
    let mut head: Vec<u8> = match open(input, cfg.mmap).ok()? {
        Opened::Mapped(map) => map[..HEAD.min(map.len())].to_vec(),
        Opened::Stream(stream) => {
            let mut buf = Vec::with_capacity(HEAD);
            stream.take(HEAD as u64).read_to_end(&mut buf).ok()?;
            buf
        }
        Opened::NotALog(_) => return None,
    };
    // Whole lines only (a line longer than the head is not read here).
    if head.len() == HEAD
        && let Some(nl) = memrchr(b'\n', &head)
    {
        head.truncate(nl + 1);
    }
    let mut reader = Reader::new(cfg);
    let mut report = FileReport::default();
    let select = |row: &Row<'_>| row.time;
    let hits = reader.batch(&head, true, &Selected::new(&select), &mut report);
    let mut times: Vec<jiff::Timestamp> = hits.into_iter().flatten().map(|h| h.item).collect();
    let earliest = times.iter().min().copied()?;
    let middle = (times.len() - 1) / 2;
    let median = *times.select_nth_unstable(middle).1;
    Some(Start { earliest, median })
}

/// What reading all inputs found.
#[derive(Debug, Default)]
pub struct RunReport {
    pub files: Vec<FileReport>,
    /// Inputs that could not be listed, opened or read to their end.
    pub errors: Vec<String>,
}

impl RunReport {
    /// Whether some input could not be processed (exit status 1).
    pub fn had_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Reads every input in order with [`scan`]. A bad input is recorded in the
/// report and the others are still read.
pub fn scan_all<T, F, S>(
    inputs: &[Input],
    cfg: &ScanConfig,
    select: &F,
    sink: &mut S,
    progress: &dyn Fn(u64),
) -> io::Result<RunReport>
where
    T: Send,
    F: Fn(&Row<'_>) -> Option<T> + Sync,
    S: FnMut(&Arc<str>, Vec<Hit<T>>) -> io::Result<()>,
{
    scan_all_chunks(
        inputs,
        cfg,
        &Selected::new(select),
        &mut chunk_by_chunk(sink),
        progress,
    )
}

/// [`scan_all`] with a [`ChunkWork`] done on the cores and a sink called
/// once per batch with the outputs of its chunks, in input order.
pub fn scan_all_chunks<W, S>(
    inputs: &[Input],
    cfg: &ScanConfig,
    work: &W,
    sink: &mut S,
    progress: &dyn Fn(u64),
) -> io::Result<RunReport>
where
    W: ChunkWork,
    S: FnMut(&Arc<str>, Vec<W::Out>) -> io::Result<()>,
{
    let mut run = RunReport::default();
    for input in inputs {
        if crate::interrupt::requested() {
            break;
        }
        let mut report = scan_chunks(input, cfg, work, sink, progress)?;
        if let Some(e) = report.read_error.take() {
            let what = if report.bytes > 0 {
                format!(
                    "{}: read stopped after {} bytes: {e}",
                    report.name, report.bytes
                )
            } else {
                format!("{}: {e}", report.name)
            };
            run.errors.push(what);
        }
        // An input that is not a log is skipped and makes the exit status 1
        // (the README's exit table), whether it was named or met in a folder.
        if let Some(kind) = report.skipped {
            run.errors
                .push(format!("{}: not a W3C text log ({kind})", report.name));
            report.skipped = None;
        }
        run.files.push(report);
    }
    Ok(run)
}

/// The first line end at or after `at`, plus one; or the end of `data`.
fn cut_at_line_end(data: &[u8], at: usize) -> usize {
    if at >= data.len() {
        return data.len();
    }
    memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1)
}

/// Where a batch of a mapped input ends, and what is skipped after it.
#[derive(Debug, PartialEq, Eq)]
struct Cut {
    /// The batch is `start..lines_end` (whole lines, possibly none).
    lines_end: usize,
    then: After,
    /// Where the next batch starts.
    next: usize,
}

/// What follows a batch without being read as lines: never held whole.
#[derive(Debug, PartialEq, Eq)]
enum After {
    Nothing,
    /// A run of NUL padding at the start of a line (the line goes on after it).
    Nuls(u64),
    /// A line over the limit, skipped to its line end, after the NUL
    /// padding at its start.
    Long {
        nuls: u64,
        line: LongLine,
    },
}

/// Cuts the batch that starts at `start` (a line start) about `batch` bytes
/// on, at a line end. The line the cut falls in decides: if it starts with a
/// NUL run longer than a batch, the batch ends before it and the run is
/// skipped; if it is longer than `max_line` (its NULs aside), the batch ends
/// before it and the line is skipped. The pages of what is skipped are
/// released as the scan passes them, so resident memory stays near a batch
/// whatever the file holds.
fn cut_batch(
    map: &[u8],
    start: usize,
    batch: usize,
    max_line: usize,
    release: &dyn Fn(usize, usize),
) -> Cut {
    let whole = |end| Cut {
        lines_end: end,
        then: After::Nothing,
        next: end,
    };
    let at = start + batch;
    if at >= map.len() {
        return whole(map.len());
    }
    let line = memrchr(b'\n', &map[start..at]).map_or(start, |i| start + i + 1);
    let content = skip_nuls(map, line, release);
    if content - line > batch {
        return Cut {
            lines_end: line,
            then: After::Nuls((content - line) as u64),
            next: content,
        };
    }
    let from = at.max(content);
    let limit = (content + max_line + 1).min(map.len());
    match memchr(b'\n', &map[from.min(limit)..limit]) {
        Some(i) => whole(from + i + 1),
        None if limit == map.len() => whole(map.len()),
        None => {
            let end = find_line_end(map, limit, release);
            let (bytes, next) = match end {
                Some(nl) => (nl - content, nl + 1),
                None => (map.len() - content, map.len()),
            };
            Cut {
                lines_end: line,
                then: After::Long {
                    nuls: (content - line) as u64,
                    line: LongLine {
                        bytes: bytes as u64,
                        unterminated: end.is_none(),
                    },
                },
                next,
            }
        }
    }
}

/// The first byte at or after `from` that is not NUL (or the end), releasing
/// the pages of long runs as it passes them.
fn skip_nuls(map: &[u8], from: usize, release: &dyn Fn(usize, usize)) -> usize {
    let mut pos = from;
    while pos < map.len() {
        let end = (pos + SKIP_STEP).min(map.len());
        match map[pos..end].iter().position(|&b| b != 0) {
            Some(i) => return pos + i,
            None => pos = end,
        }
        release(from, pos);
    }
    map.len()
}

/// The first line end at or after `from`, releasing the pages passed.
fn find_line_end(map: &[u8], from: usize, release: &dyn Fn(usize, usize)) -> Option<usize> {
    let mut pos = from;
    while pos < map.len() {
        let end = (pos + SKIP_STEP).min(map.len());
        if let Some(i) = memchr(b'\n', &map[pos..end]) {
            return Some(pos + i);
        }
        pos = end;
        release(from, pos);
    }
    None
}

/// Bytes scanned between releases while a run or a long line is skipped.
const SKIP_STEP: usize = 8 << 20;

/// The state carried from one batch of an input to the next.
struct Reader<'c> {
    cfg: &'c ScanConfig,
    state: BlockState,
    line_base: u64,
    first: bool,
}

impl<'c> Reader<'c> {
    /// A reader at the start of an input.
    fn new(cfg: &'c ScanConfig) -> Reader<'c> {
        Reader {
            cfg,
            state: BlockState::default(),
            line_base: 0,
            first: true,
        }
    }

    /// A line over [`MAX_LINE`](super::row::MAX_LINE) that the stream reader
    /// skipped: one malformed row, as the chunk scan reports one in a map.
    fn long_line(&mut self, long: LongLine, report: &mut FileReport) {
        self.line_base += 1;
        report.lines = self.line_base;
        report.bytes += long.bytes + u64::from(!long.unterminated);
        report.rows += 1;
        report.malformed += 1;
        if report.samples.len() < MAX_SAMPLES {
            report.samples.push(Anomaly {
                line: self.line_base,
                problem: Problem::LineTooLong { bytes: long.bytes },
                cut_off: long.unterminated,
            });
        }
    }

    fn batch<W: ChunkWork>(
        &mut self,
        mut data: &[u8],
        eof: bool,
        work: &W,
        report: &mut FileReport,
    ) -> Vec<W::Out> {
        report.bytes += data.len() as u64;
        if std::mem::take(&mut self.first) {
            data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        }
        let chunks = split_chunks(data);
        let last = chunks.len().saturating_sub(1);
        let cfg = self.cfg;
        if self.state.before_fields() {
            // The header block at the top of a log: read before the chunks
            // start, or every chunk of the first batch would be read twice.
            for line in data
                .split(|&b| b == b'\n')
                .take_while(|l| l.first() == Some(&b'#'))
            {
                self.state
                    .apply(line.strip_suffix(b"\r").unwrap_or(line), cfg);
            }
        }
        // Optimistic: every chunk starts with the state in force at the start
        // of the batch. Replaying the directives each chunk met gives the true
        // start of the next; the rare chunk whose rows read differently under
        // it (a header block with other fields began in an earlier chunk) is
        // scanned again.
        let assumed = self.state.clone();
        // A work that needs the input's lines knows each chunk's first line
        // from the start; the others count from the chunk's start.
        let before = if W::INPUT_LINES {
            lines_before(&chunks, self.line_base)
        } else {
            vec![0; chunks.len()]
        };
        let at = |i: usize| ChunkAt {
            work,
            file: &report.name,
            before: before[i],
        };
        let mut outs: Vec<ChunkOut<W::Out>> = chunks
            .par_iter()
            .enumerate()
            .map(|(i, chunk)| scan_chunk(chunk, assumed.clone(), cfg, at(i), eof && i == last))
            .collect();
        let mut redo = Vec::new();
        for (i, out) in outs.iter().enumerate() {
            if !self.state.reads_like(&assumed, cfg) {
                redo.push((i, self.state.clone()));
            }
            for &(from, to) in &out.directives {
                self.state.apply(&chunks[i][from..to], cfg);
            }
        }
        let again: Vec<(usize, ChunkOut<W::Out>)> = redo
            .into_par_iter()
            .map(|(i, start)| {
                (
                    i,
                    scan_chunk(chunks[i], start, cfg, at(i), eof && i == last),
                )
            })
            .collect();
        for (i, out) in again {
            outs[i] = out;
        }
        // Per chunk, in order: placing them needs no copy of the results.
        let mut works = Vec::with_capacity(outs.len());
        for (i, mut out) in outs.into_iter().enumerate() {
            let shift = if W::INPUT_LINES {
                debug_assert_eq!(self.line_base, before[i]);
                0
            } else {
                work.shift(&mut out.work, self.line_base);
                self.line_base
            };
            report.matched += out.matched;
            works.push(out.work);
            for mut a in out.anomalies {
                if report.samples.len() < MAX_SAMPLES {
                    a.line += shift;
                    report.samples.push(a);
                }
            }
            let c = out.counters;
            report.rows += c.rows;
            report.records += c.records;
            report.malformed += c.malformed;
            report.kept_invalid += c.kept_invalid;
            report.directives += c.directives;
            report.comments += c.comments;
            report.dated += c.dated;
            report.nul_bytes += c.nul_bytes;
            report.untimed += c.untimed;
            report.local_only += c.local_only;
            report.local_ambiguous += c.local_ambiguous;
            report.first_time = earliest(report.first_time, c.first_time);
            report.last_time = latest(report.last_time, c.last_time);
            for (k, v) in c.inferred {
                *report.inferred.entry(k).or_default() += v;
            }
            self.line_base += out.lines;
        }
        report.lines = self.line_base;
        works
    }
}

/// The lines of the input before each chunk, `base` before the first: a
/// line is a line end, or what follows the last one.
fn lines_before(chunks: &[&[u8]], base: u64) -> Vec<u64> {
    let lines: Vec<u64> = chunks
        .par_iter()
        .map(|chunk| {
            let ends = memchr::memchr_iter(b'\n', chunk).count() as u64;
            ends + u64::from(chunk.last().is_some_and(|&b| b != b'\n'))
        })
        .collect();
    lines
        .iter()
        .scan(base, |before, n| {
            let at = *before;
            *before += n;
            Some(at)
        })
        .collect()
}

fn split_chunks(data: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::with_capacity(data.len() / CHUNK + 1);
    let mut start = 0;
    while start < data.len() {
        let end = cut_at_line_end(data, start + CHUNK);
        chunks.push(&data[start..end]);
        start = end;
    }
    chunks
}

#[cfg(test)]
mod tests;
