//! One chunk of a batch, parsed on one core: its lines read under the
//! header state in force where it starts (`BlockState`), rows checked and
//! selected, counts kept; and the decision that an input in which nothing
//! is W3C is not a log.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::directive::{self, Directive};
use super::fields::{FieldMap, FieldOrigin, default_layout};
use super::row::{
    self, BlockDate, DateCache, LineScan, LocalTime, MAX_LINE, Problem, Row, RowContext, Span,
};
use super::scan::{Anomaly, ChunkWork, FileReport, MAX_SAMPLES, ScanConfig};
use super::split::SplitLines;

/// The header state in force at a point of the input.
#[derive(Clone, Debug, Default)]
pub(super) struct BlockState {
    /// The field map of the latest `#Fields`. Without one, rows are read with
    /// a default layout, if one fits.
    map: Option<Arc<FieldMap>>,
    /// The latest `#Fields` named more than [`MAX_FIELDS`](super::fields::MAX_FIELDS)
    /// fields (how many; `map` is then `None`): its rows are not read.
    over_limit: Option<usize>,
    /// The latest `#Date` / `#Start-Date` (`None` also when it was not a date).
    date: Option<BlockDate>,
}

/// What a directive line was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Met {
    /// A directive of the W3C format.
    W3c,
    /// A `#Fields` line over the limit (how many names): reported.
    FieldsOverLimit(usize),
    /// A comment or an unknown directive.
    Other,
}

impl BlockState {
    /// Whether rows read the same under both states: the same field list,
    /// and the same `#Date` when the field list has no `date` of its own.
    pub(super) fn reads_like(&self, other: &BlockState, cfg: &ScanConfig) -> bool {
        let same_date = |map: &FieldMap| {
            map.slot(super::fields::Column::Date).is_some() || self.date == other.date
        };
        if let Some(map) = cfg.fields.as_deref() {
            return same_date(map);
        }
        match (&self.map, &other.map) {
            (None, None) => self.over_limit == other.over_limit,
            (Some(a), Some(b)) => (Arc::ptr_eq(a, b) || a.names() == b.names()) && same_date(a),
            _ => false,
        }
    }

    /// Whether no `#Fields` line has been met yet.
    pub(super) fn before_fields(&self) -> bool {
        self.map.is_none() && self.over_limit.is_none()
    }

    pub(super) fn apply(&mut self, line: &[u8], cfg: &ScanConfig) -> Met {
        let directive = directive::parse(line);
        match &directive {
            Directive::Fields(names) if cfg.fields.is_none() => {
                self.map = Some(Arc::new(FieldMap::new(names, FieldOrigin::Header)));
                self.over_limit = None;
            }
            Directive::TooManyFields(names) if cfg.fields.is_none() => {
                self.map = None;
                self.over_limit = Some(*names);
                return Met::FieldsOverLimit(*names);
            }
            Directive::Date { date, .. } => self.date = date.map(BlockDate::new),
            _ => {}
        }
        if directive.is_w3c() {
            Met::W3c
        } else {
            Met::Other
        }
    }
}

/// Counters of a chunk, added up per file.
#[derive(Default)]
pub(super) struct Counters {
    pub(super) rows: u64,
    pub(super) records: u64,
    pub(super) malformed: u64,
    pub(super) kept_invalid: u64,
    pub(super) directives: u64,
    pub(super) comments: u64,
    pub(super) dated: u64,
    pub(super) nul_bytes: u64,
    pub(super) untimed: u64,
    pub(super) local_only: u64,
    pub(super) local_ambiguous: u64,
    pub(super) first_time: Option<Timestamp>,
    pub(super) last_time: Option<Timestamp>,
    pub(super) inferred: BTreeMap<&'static str, u64>,
}

pub(super) struct ChunkOut<O> {
    pub(super) lines: u64,
    /// The directive lines met, as ranges of the chunk, in order.
    pub(super) directives: Vec<(usize, usize)>,
    /// What the scan's [`ChunkWork`] made of the chunk's rows.
    pub(super) work: O,
    /// Rows the work selected.
    pub(super) matched: u64,
    pub(super) anomalies: Vec<Anomaly>,
    pub(super) counters: Counters,
}

/// Why an input in which nothing is W3C is skipped.
pub(super) const NOTHING_W3C: &str =
    "no W3C directive, and no row fits a default layout or --fields";

/// Whether an input holds lines, but not one W3C directive nor one row that
/// fits its field list (or a default layout): a binary, or other text. An
/// empty input (no line but blank ones and NUL padding) is an empty log.
pub(super) fn nothing_w3c(report: &FileReport) -> bool {
    report.records == 0
        && report.directives == 0
        && report.dated == 0
        && report.rows + report.comments > 0
}

/// Whether a line starts with a W3C date and time (`YYYY-MM-DD HH:MM:SS `).
pub fn starts_dated(line: &[u8]) -> bool {
    line.len() > 19
        && line[..20].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 | 19 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Strips NUL padding at both ends of a line; returns how many were removed.
fn strip_nuls(line: &mut &[u8]) -> u64 {
    let before = line.len();
    let start = line.iter().position(|&b| b != 0).unwrap_or(line.len());
    let end = line.iter().rposition(|&b| b != 0).map_or(start, |i| i + 1);
    *line = &line[start..end.max(start)];
    (before - line.len()) as u64
}

/// A line's content: without its line end, CR, or NUL padding.
fn clean_line(mut line: &[u8]) -> (&[u8], u64) {
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    let mut nuls = 0;
    if line.first() == Some(&0) || line.last() == Some(&0) {
        nuls = strip_nuls(&mut line);
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
    }
    (line, nuls)
}

/// Parses one chunk under `state`, the header state where it starts; the
/// lines of its rows and anomalies are counted from `at.before`.
pub(super) fn scan_chunk<W: ChunkWork>(
    data: &[u8],
    state: BlockState,
    cfg: &ScanConfig,
    at: ChunkAt<'_, W>,
    ends_input: bool,
) -> ChunkOut<W::Out> {
    let ChunkAt { work, file, before } = at;
    let mut chunk = ChunkScan {
        data,
        out: ChunkOut {
            lines: 0,
            directives: Vec::new(),
            work: work.start(file),
            matched: 0,
            anomalies: Vec::new(),
            counters: Counters::default(),
        },
        state,
        cfg,
        work,
        before,
        ends_input,
        dates: DateCache::default(),
        inferred: Vec::new(),
        scratch: Vec::with_capacity(32),
    };
    // Lines are split a group at a time; one that no group takes (near the
    // chunk's end, or long) alone.
    let mut groups = SplitLines::default();
    let mut pos = 0;
    while pos < data.len() {
        groups.split(data, pos);
        if groups.lines().is_empty() {
            groups.split_alone(data, pos);
        }
        for line in groups.lines() {
            chunk.line(line.start, line.scan, groups.spans(line));
            pos = line.start + line.scan.next;
        }
    }
    work.end(&mut chunk.out.work);
    chunk.out
}

/// A chunk being read: what its lines are read with, and what they gave.
struct ChunkScan<'c, W: ChunkWork> {
    data: &'c [u8],
    out: ChunkOut<W::Out>,
    state: BlockState,
    cfg: &'c ScanConfig,
    work: &'c W,
    /// The input's lines before the chunk ([`ChunkWork::INPUT_LINES`]), or 0.
    before: u64,
    ends_input: bool,
    dates: DateCache,
    inferred: Vec<(usize, FieldMap)>,
    /// The spans of a row tokenized on the careful path.
    scratch: Vec<Span>,
}

impl<W: ChunkWork> ChunkScan<'_, W> {
    /// Reads the line at `pos`, split as `scan` says into `split` (its
    /// single-space split, used when the line is simple).
    #[inline(always)]
    fn line(&mut self, pos: usize, scan: LineScan, split: &[Span]) {
        let ChunkScan {
            data,
            out,
            state,
            cfg,
            work,
            before,
            ends_input,
            dates,
            inferred,
            scratch,
        } = self;
        let (cfg, work, before, ends_input) = (*cfg, *work, *before, *ends_input);
        out.lines += 1;
        let has_line_end = scan.next > scan.len;
        let raw = &data[pos..pos + scan.len];
        let fast = scan.simple && !matches!(raw.first(), Some(b'#' | 0)) && raw.last() != Some(&0);
        let (line, presplit) = if fast {
            (raw, Some(split))
        } else {
            let (line, nuls) = clean_line(raw);
            out.counters.nul_bytes += nuls;
            if line.is_empty() {
                return;
            }
            if line.len() > MAX_LINE {
                // Not read, and not held: as the stream reader skips one.
                out.counters.rows += 1;
                out.counters.malformed += 1;
                if out.anomalies.len() < MAX_SAMPLES {
                    out.anomalies.push(Anomaly {
                        line: before + out.lines,
                        problem: Problem::LineTooLong {
                            bytes: line.len() as u64,
                        },
                        cut_off: ends_input && !has_line_end,
                    });
                }
                return;
            }
            if line[0] == b'#' {
                let from = line.as_ptr() as usize - data.as_ptr() as usize;
                out.directives.push((from, from + line.len()));
                match state.apply(line, cfg) {
                    Met::W3c => out.counters.directives += 1,
                    Met::Other => out.counters.comments += 1,
                    Met::FieldsOverLimit(names) => {
                        out.counters.directives += 1;
                        // The line is reported like a malformed row (it is
                        // one of the lines that were not read).
                        out.counters.malformed += 1;
                        if out.anomalies.len() < MAX_SAMPLES {
                            out.anomalies.push(Anomaly {
                                line: before + out.lines,
                                problem: Problem::FieldsOverLimit { names },
                                cut_off: false,
                            });
                        }
                    }
                }
                return;
            }
            (line, None)
        };
        out.counters.rows += 1;
        let result = read_row(line, presplit, state, cfg, scratch, dates, inferred);
        // The row is read where `read_row` left it, not moved out.
        match result {
            Ok(ref row) => {
                out.counters.records += 1;
                if row.has_invalid() {
                    out.counters.kept_invalid += 1;
                }
                if row.has_invalid() && out.anomalies.len() < MAX_SAMPLES {
                    // Kept (its other values are evidence), and reported.
                    if let Some(problem) = row.invalid_problem() {
                        out.anomalies.push(Anomaly {
                            line: before + out.lines,
                            problem,
                            cut_off: ends_input && !has_line_end,
                        });
                    }
                }
                if let FieldOrigin::Inferred(label) = row.map().origin() {
                    *out.counters.inferred.entry(label).or_default() += 1;
                }
                match row.local {
                    LocalTime::NotUsed | LocalTime::Resolved => {}
                    LocalTime::NoZone => out.counters.local_only += 1,
                    LocalTime::Ambiguous => {
                        out.counters.local_ambiguous += 1;
                        if out.anomalies.len() < MAX_SAMPLES
                            && let Some(zone) = &cfg.log_tz
                            && let Some(problem) = row.local_problem(zone)
                        {
                            out.anomalies.push(Anomaly {
                                line: before + out.lines,
                                problem,
                                cut_off: false,
                            });
                        }
                    }
                }
                match row.time {
                    Some(t) => {
                        let c = &mut out.counters;
                        c.first_time = earliest(c.first_time, Some(t));
                        c.last_time = latest(c.last_time, Some(t));
                    }
                    None => out.counters.untimed += 1,
                }
                if work.row(&mut out.work, before + out.lines, row) {
                    out.matched += 1;
                }
            }
            Err(problem) => {
                out.counters.malformed += 1;
                if starts_dated(line) {
                    out.counters.dated += 1;
                }
                if out.anomalies.len() < MAX_SAMPLES {
                    out.anomalies.push(Anomaly {
                        line: before + out.lines,
                        problem,
                        cut_off: ends_input && !has_line_end,
                    });
                }
            }
        }
    }
}

/// Where a chunk lies, and the work its rows are given to.
pub(super) struct ChunkAt<'a, W> {
    pub(super) work: &'a W,
    pub(super) file: &'a Arc<str>,
    /// The input's lines before the chunk ([`ChunkWork::INPUT_LINES`]), or 0.
    pub(super) before: u64,
}

impl<W> Clone for ChunkAt<'_, W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for ChunkAt<'_, W> {}

pub(super) fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(super) fn latest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    a.max(b)
}

/// Reads a data row. With `split`, the row's single-space split (from
/// [`SplitLines`] or [`row::scan_line`]); without, it is tokenized into
/// `scratch`.
#[inline(always)]
fn read_row<'a>(
    line: &'a [u8],
    split: Option<&'a [Span]>,
    state: &'a BlockState,
    cfg: &'a ScanConfig,
    scratch: &'a mut Vec<Span>,
    dates: &mut DateCache,
    inferred: &'a mut Vec<(usize, FieldMap)>,
) -> Result<Row<'a>, Problem> {
    let presplit = split.is_some();
    let (map, spans): (&FieldMap, &[Span]) = match cfg.fields.as_deref().or(state.map.as_deref()) {
        Some(map) => match split {
            Some(spans) if spans.len() != map.len() => {
                return Err(Problem::FieldCount {
                    found: spans.len(),
                    expected: map.len(),
                });
            }
            Some(spans) => (map, spans),
            None => {
                row::tokenize(line, Some(map.len()), scratch)?;
                (map, scratch)
            }
        },
        None => {
            if let Some(names) = state.over_limit {
                return Err(Problem::UnderFieldsOverLimit { names });
            }
            row::tokenize(line, None, scratch)?;
            let found = scratch.len();
            let Some((label, names)) = default_layout(found) else {
                return Err(Problem::NoHeader { found });
            };
            let i = match inferred.iter().position(|(n, _)| *n == found) {
                Some(i) => i,
                None => {
                    inferred.push((found, FieldMap::new(names, FieldOrigin::Inferred(label))));
                    inferred.len() - 1
                }
            };
            (&inferred[i].1, scratch)
        }
    };
    let ctx = RowContext {
        map,
        block_date: state.date,
        unquoted: presplit,
        log_tz: cfg.log_tz.as_ref(),
    };
    row::check(line, spans, &ctx, dates)
}
