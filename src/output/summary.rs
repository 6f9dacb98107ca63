//! The run summary on standard error: what was read, what matched, and every
//! kind of trouble met on the way (nothing is dropped without a word).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::counted;
use super::sanitize::for_terminal;
use crate::analyze::downloads::{Summary, format_offset};
use crate::time::Zone;
use crate::w3c::Problem;
use crate::w3c::scan::{FileReport, RunReport};

/// Malformed lines shown with their reason (all are counted).
const SHOWN: usize = 5;

/// Writes the one-line summary, the first malformed lines, and notes.
pub fn write_summary<W: Write>(
    out: &mut W,
    run: &RunReport,
    unlisted: usize,
    found: Option<u64>,
    verbose: bool,
) -> io::Result<()> {
    let files = &run.files;
    let sum = |f: fn(&FileReport) -> u64| files.iter().map(f).sum::<u64>();
    let malformed = sum(|f| f.malformed);
    let kept = sum(|f| f.kept_invalid);
    let ambiguous = sum(|f| f.local_ambiguous);
    writeln!(
        out,
        "leaktrace: {}, {}, {} matched, {} malformed{}{}",
        counted(files.len() as u64, "file"),
        counted(sum(|f| f.records), "record"),
        found.unwrap_or_else(|| sum(|f| f.matched)),
        malformed,
        match kept {
            0 => String::new(),
            1 => ", 1 row kept with an invalid value".to_string(),
            n => format!(", {n} rows kept with an invalid value"),
        },
        match run.errors.len() + unlisted {
            0 => String::new(),
            n => format!(", {n} unreadable"),
        },
    )?;
    let limit = if verbose { usize::MAX } else { SHOWN };
    let mut shown = 0;
    let mut wrong_header = false;
    for f in files {
        wrong_header |= systematic_field_count(f);
        for a in &f.samples {
            if shown < limit {
                let cut = if a.cut_off {
                    " (last line, no line end: cut off?)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {}:{}: {}{cut}",
                    for_terminal(&f.name),
                    a.line,
                    a.problem
                )?;
                shown += 1;
            }
        }
    }
    // Compared in u64 (lossless from usize): a count of malformed lines need
    // not fit a 32-bit usize.
    let shown_lines = shown as u64;
    // The lines shown are malformed rows and rows kept with an invalid value.
    let reported = malformed + kept + ambiguous;
    if reported > shown_lines {
        let more = reported - shown_lines;
        writeln!(
            out,
            "  ... {more} more {}line{} ({shown} shown; --verbose shows up to {} per file)",
            if kept + ambiguous == 0 {
                "malformed "
            } else {
                "reported "
            },
            if more == 1 { "" } else { "s" },
            crate::w3c::scan::MAX_SAMPLES
        )?;
    }
    if wrong_header {
        writeln!(
            out,
            "hint: when a log's #Fields header does not match its rows (as in the vendor's documented sample), --fields \"date time ...\" replaces it"
        )?;
    }
    for f in files {
        let name = for_terminal(&f.name);
        for (layout, n) in &f.inferred {
            writeln!(
                out,
                "note: {name}: {} came before any #Fields header; read with {layout} (give --fields if that is wrong)",
                counted(*n, "row")
            )?;
        }
        if f.nul_bytes > 0 {
            writeln!(
                out,
                "note: {name}: skipped {} NUL bytes of padding (IIS preallocates log files)",
                f.nul_bytes
            )?;
        }
        if let Some(c) = f.changed {
            let what = if c.len_before == c.len_after {
                format!("modified time changed; size {} bytes", c.len_after)
            } else {
                format!("size {} → {} bytes", c.len_before, c.len_after)
            };
            writeln!(
                out,
                "note: {name} changed while it was read ({what}): re-run on a copy"
            )?;
        }
        let other_untimed = f.untimed - f.local_only - f.local_ambiguous;
        if other_untimed > 0 {
            writeln!(
                out,
                "note: {name}: {} no UTC time (no date/time field, or no #Date for them); time filters never match them",
                records_have(other_untimed)
            )?;
        }
        if f.local_only > 0 {
            writeln!(
                out,
                "note: {name}: {} only a local time (date-local, time-local) and no UTC time; give --log-tz ZONE, the zone the server wrote them in (its Windows time zone), to read them",
                records_have(f.local_only)
            )?;
        }
        if f.local_ambiguous > 0 {
            writeln!(
                out,
                "note: {name}: {} a local time that names no instant or two in --log-tz (a daylight-saving change): kept without a UTC time, not guessed",
                records_have(f.local_ambiguous)
            )?;
        }
        if f.records == 0 && f.malformed > 0 {
            writeln!(
                out,
                "warning: {name}: no row could be read as a W3C record: is it a log, and is its field list right?"
            )?;
        }
        if let Some(kind) = f.skipped {
            writeln!(out, "warning: {name}: skipped: not a W3C text log ({kind})")?;
        } else if f.empty {
            writeln!(
                out,
                "note: {name}: empty: no row and no directive (a log with nothing in it yet?)"
            )?;
        }
    }
    Ok(())
}

/// `1 record has`, `2 records have`.
fn records_have(n: u64) -> String {
    format!(
        "{} {}",
        counted(n, "record"),
        if n == 1 { "has" } else { "have" }
    )
}

/// The note that a table left columns out to fit the width.
pub fn write_left_out<W: Write>(out: &mut W, left_out: &super::LeftOut) -> io::Result<()> {
    let names = match left_out.columns.as_slice() {
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => return Ok(()),
    };
    writeln!(
        out,
        "note: to fit {} columns the table leaves out {names}; {} columns show {} (COLUMNS={} or a wider terminal), --format json shows every field",
        left_out.width,
        left_out.full_width,
        if left_out.columns.len() == 1 {
            "it"
        } else {
            "them"
        },
        left_out.full_width,
    )
}

/// Whether a file's rows keep missing its field list the same way (the same
/// value count against the same field count): the mark of a wrong header.
fn systematic_field_count(f: &FileReport) -> bool {
    let counts: Vec<(usize, usize)> = f
        .samples
        .iter()
        .filter(|a| !a.cut_off)
        .filter_map(|a| match a.problem {
            Problem::FieldCount { found, expected } => Some((found, expected)),
            _ => None,
        })
        .collect();
    counts.len() >= 2 && counts.iter().all(|c| *c == counts[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::w3c::input::ChangedDuringRead;

    fn summary_of(changed: ChangedDuringRead) -> String {
        let run = RunReport {
            files: vec![FileReport {
                name: "u_ex170119.log".into(),
                changed: Some(changed),
                ..FileReport::default()
            }],
            errors: Vec::new(),
        };
        let mut out = Vec::new();
        write_summary(&mut out, &run, 0, None, false).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn left_out_columns_are_named_with_the_width_that_shows_them() {
        let note = |columns: Vec<&'static str>| {
            let mut out = Vec::new();
            let left_out = crate::output::LeftOut {
                columns,
                width: 80,
                full_width: 131,
            };
            write_left_out(&mut out, &left_out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            note(vec!["Attribution", "Client IP"]),
            "note: to fit 80 columns the table leaves out Attribution and Client IP; 131 columns show them (COLUMNS=131 or a wider terminal), --format json shows every field\n"
        );
        assert!(note(vec!["ms"]).contains("leaves out ms; 131 columns show it "));
        assert!(note(vec!["a", "b", "c"]).contains("leaves out a, b and c;"));
        assert_eq!(note(vec![]), "");
    }

    #[test]
    fn a_file_changed_while_it_was_read_is_noted() {
        let grown = summary_of(ChangedDuringRead {
            len_before: 100,
            len_after: 250,
        });
        assert!(
            grown.contains(
                "note: u_ex170119.log changed while it was read (size 100 → 250 bytes): re-run on a copy\n"
            ),
            "{grown}"
        );
        let touched = summary_of(ChangedDuringRead {
            len_before: 100,
            len_after: 100,
        });
        assert!(
            touched.contains(
                "note: u_ex170119.log changed while it was read (modified time changed; size 100 bytes): re-run on a copy\n"
            ),
            "{touched}"
        );
    }
}

/// What `examine` says on stderr, in input and archive order: problems (the
/// run exits 1) and warnings (members passed over inside archives), then a
/// count of the files examined.
#[derive(Default)]
pub struct ExamineSummary {
    lines: Vec<String>,
    pub problems: usize,
    warnings: usize,
}

impl ExamineSummary {
    pub fn problem(&mut self, line: String) {
        self.lines.push(line);
        self.problems += 1;
    }

    pub fn warning(&mut self, line: String) {
        self.lines.push(line);
        self.warnings += 1;
    }

    /// Writes every line, then (unless `quiet`) the count line. Errors
    /// writing to stderr are ignored: there is nowhere left to report them.
    pub fn write<W: Write>(&self, err: &mut W, examined: u64, quiet: bool) {
        for line in &self.lines {
            let _ = writeln!(err, "leaktrace: {}", for_terminal(line));
        }
        if quiet {
            return;
        }
        let count = |n: usize, what: &str| match n {
            0 => String::new(),
            n => format!(", {}", counted(n as u64, what)),
        };
        let _ = writeln!(
            err,
            "leaktrace: {} examined{}{}",
            counted(examined, "file"),
            count(self.problems, "problem"),
            count(self.warnings, "warning"),
        );
    }
}

/// The summary of `downloads` on stderr: what was shown, outcomes and
/// attributions, the offsets export names imply per site, and a warning for
/// names whose offset `--tz` did not have at that time.
pub fn write_downloads<W: Write>(
    out: &mut W,
    found: &Summary,
    zone: &Zone,
    all: bool,
) -> io::Result<()> {
    let list = |m: &BTreeMap<&'static str, u64>| {
        m.iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fetches = |n: u64| format!("{n} other /temp/ fetch{}", if n == 1 { "" } else { "es" });
    let exports = counted(found.exports, "export");
    if all {
        writeln!(
            out,
            "downloads: {exports} and {} shown",
            fetches(found.total - found.exports)
        )?;
    } else if found.others_not_shown > 0 {
        writeln!(
            out,
            "downloads: {exports} shown; {} not shown: --all shows {}",
            fetches(found.others_not_shown),
            if found.others_not_shown == 1 {
                "it"
            } else {
                "them"
            }
        )?;
    } else {
        writeln!(out, "downloads: {exports} shown")?;
    }
    if found.total > 0 {
        writeln!(
            out,
            "  outcome: {}; attribution: {}",
            list(&found.outcomes),
            list(&found.attributions)
        )?;
    }
    for (site, offsets) in &found.offsets {
        let shown: Vec<String> = offsets
            .iter()
            .map(|(o, n)| format!("UTC{} ({n})", format_offset(*o)))
            .collect();
        writeln!(
            out,
            "site {}: export names imply {}",
            for_terminal(site),
            shown.join(", ")
        )?;
    }
    if found.disagreeing > 0 {
        writeln!(
            out,
            "warning: {} download{} an export name implying a UTC offset that {} did not have at that time; check --tz (first {} below):",
            found.disagreeing,
            if found.disagreeing == 1 {
                " has"
            } else {
                "s have"
            },
            zone.name(),
            found.disagreements.len(),
        )?;
        for (at, implied, actual) in &found.disagreements {
            writeln!(
                out,
                "  {}: name implies UTC{}, {} was UTC{}",
                for_terminal(at),
                format_offset(*implied),
                zone.name(),
                format_offset(*actual)
            )?;
        }
    }
    Ok(())
}

/// Notes on the places given: databases built more than a year from the
/// records' span.
pub fn write_geo_notes<W: Write>(
    out: &mut W,
    locator: &crate::enrich::geo::Locator,
    run: &RunReport,
) -> io::Result<()> {
    let first = run.files.iter().filter_map(|f| f.first_time).min();
    let last = run.files.iter().filter_map(|f| f.last_time).max();
    if let (Some(first), Some(last)) = (first, last) {
        crate::output::geo::write_stale(out, &locator.stale(first, last), first, last)?;
    }
    Ok(())
}

/// Notes of a time-ordered analysis: rows handled out of order, rows left out.
pub fn write_order_notes<W: Write>(
    out: &mut W,
    ordered: &crate::analyze::OrderedRun,
) -> io::Result<()> {
    let crate::analyze::OrderedRun {
        late,
        early,
        untimed,
        ..
    } = *ordered;
    if early > 0 {
        writeln!(
            out,
            "note: more than {} records fell within {:#} of each other: the {early} oldest were handled before that time had passed, so that memory stays bounded",
            crate::analyze::ordered::MAX_HELD,
            crate::analyze::SLACK
        )?;
    }
    if late > 0 {
        writeln!(
            out,
            "note: {} more than {:#} behind newer ones (inputs overlapping in time?) and {} handled out of order",
            records_were(late, "came", "came"),
            crate::analyze::SLACK,
            if late == 1 { "was" } else { "were" }
        )?;
    }
    if untimed > 0 {
        writeln!(
            out,
            "note: {} no UTC time and {} left out of the time-ordered analysis",
            records_were(untimed, "has", "have"),
            if untimed == 1 { "was" } else { "were" }
        )?;
    }
    if let Some(note) = ordered.repeats.as_ref().and_then(|r| r.note("records")) {
        writeln!(out, "note: {}", for_terminal(&note))?;
    }
    if ordered.not_remembered > 0 {
        writeln!(
            out,
            "note: {} past the {} remembered to find records repeated across inputs: a repeat of one of them is counted twice",
            records_were(ordered.not_remembered, "was", "were"),
            crate::analyze::repeats::MAX_REMEMBERED
        )?;
    }
    Ok(())
}

/// `1 record was`, `2 records were`: a count of records and a verb that
/// agrees with it.
fn records_were(n: u64, one: &str, many: &str) -> String {
    let verb = if n == 1 { one } else { many };
    format!("{} {verb}", counted(n, "record"))
}

/// The summary of `sessions`: how many there were (and were shown, when
/// `--user` or `--ip` chose among them), and the polling that came while
/// its client had no open session.
pub fn write_sessions<W: Write>(
    out: &mut W,
    shown: u64,
    total: u64,
    filtered: bool,
    polling_outside: u64,
) -> io::Result<()> {
    let plural = if total == 1 { "" } else { "s" };
    if filtered {
        writeln!(out, "leaktrace: {shown} of {total} session{plural} shown")?;
    } else {
        writeln!(out, "leaktrace: {total} session{plural}")?;
    }
    if polling_outside > 0 {
        writeln!(
            out,
            "leaktrace: {} came while their client had no open session (a page left open): counted in no session",
            match polling_outside {
                1 => "1 polling request".to_string(),
                n => format!("{n} polling requests"),
            }
        )?;
    }
    Ok(())
}
