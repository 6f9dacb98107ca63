//! `leaktrace downloads`: the bulk exports fetched from /temp/ (with
//! `--all`, every fetch from there), attributed to a person.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use jiff::{SignedDuration, Timestamp};

use super::destination::Destination;
use crate::analyze::downloads::{self, Download, Settings, Tracker, format_offset};
use crate::analyze::{Located, Lookahead, RepeatCheck, Repeats, scan_ordered};
use crate::cli::{DownloadsArgs, GlobalArgs};
use crate::exit::{Exit, usage};
use crate::output::sanitize::for_terminal;
use crate::output::{Context, counted};
use crate::time::{Bound, Zone, parse_bound};
use crate::w3c::Row;

pub fn run(args: &DownloadsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let cfg = super::scan_config(&args.read)?;
    let window = super::duration(&args.window, "--window")?;
    let as_of = match &args.as_of {
        Some(text) => Some(
            parse_bound(text, Bound::Since, &zone).map_err(|e| usage(format!("--as-of: {e}")))?,
        ),
        None => None,
    };
    let mut enricher = super::enricher(&args.enrich)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);

    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone: zone.clone(),
        verbose: global.verbose,
    };
    let mut writer: Destination<_, Download> =
        Destination::new(out, global, ctx, &enricher, &args.inputs)?;
    let mut tracker = Tracker::new(Settings {
        window,
        host: args.host.clone(),
        as_of,
    });
    let mut tally = DownloadCounts::default();
    let mut repeats = Repeats::default();
    let select = |row: &Row<'_>| downloads::event(row, &filter);
    let mut deliver = |t: Timestamp, ev: Located<downloads::Event>| -> io::Result<()> {
        let Some((d, selected)) = tracker.observe(t, ev) else {
            return Ok(());
        };
        if repeats.is_repeat(Repeats::key(&d.record), &d.record.file, d.record.line) {
            return Ok(());
        }
        let by_user = !filter.has_users()
            || filter.user_matches(d.name.export_user.as_deref().map(str::as_bytes))
            || filter.user_matches(d.session_user.as_deref().map(str::as_bytes));
        if !(selected && by_user) {
            return Ok(());
        }
        if args.all || d.name.is_export() {
            tally.add(&d, &zone);
            writer.write(
                &mut enricher,
                &d,
                d.record.client_ip.as_deref(),
                d.record.user_agent.as_deref(),
            )?;
        } else {
            tally.others_not_shown += 1;
        }
        Ok(())
    };
    let ordered = scan_ordered(
        &inputs,
        &cfg,
        &select,
        &mut deliver,
        &progress,
        Lookahead::Batch,
        RepeatCheck::Off,
    )?;
    bar.finish_and_clear();
    let left_out = writer.finish(global)?;
    let exit = super::finish(&ordered.run, &list_errors, global, Some(tally.total));
    super::note_left_out(left_out.as_ref(), global);
    if !global.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        let _ = tally.write(&mut err, &zone, args.all);
        let _ = super::write_order_notes(&mut err, &ordered);
        if let Some(locator) = &enricher.locator {
            let _ = super::write_geo_notes(&mut err, locator, &ordered.run);
        }
        if let Some(note) = repeats.note("downloads") {
            let _ = writeln!(err, "note: {}", for_terminal(&note));
        }
    }
    Ok(exit)
}

/// What the downloads found, for the summary on stderr.
#[derive(Default)]
struct DownloadCounts {
    /// Downloads shown, and of them bulk exports.
    total: u64,
    exports: u64,
    /// Other /temp/ fetches that matched but are shown only with --all.
    others_not_shown: u64,
    outcomes: BTreeMap<&'static str, u64>,
    attributions: BTreeMap<&'static str, u64>,
    /// Per site: implied offset -> count.
    offsets: BTreeMap<String, BTreeMap<SignedDuration, u64>>,
    /// Downloads whose implied offset differs from --tz at that instant.
    disagreements: Vec<(String, SignedDuration, SignedDuration)>,
    disagreeing: u64,
}

impl DownloadCounts {
    fn add(&mut self, d: &Download, zone: &Zone) {
        self.total += 1;
        self.exports += u64::from(d.name.is_export());
        *self.outcomes.entry(d.outcome.as_str()).or_default() += 1;
        *self.attributions.entry(d.attribution.as_str()).or_default() += 1;
        let (Some(implied), Some(t)) = (d.implied_utc_offset, d.record.time_utc) else {
            return;
        };
        let site = d.name.site.clone().unwrap_or_else(|| "(none)".into());
        *self
            .offsets
            .entry(site)
            .or_default()
            .entry(implied)
            .or_default() += 1;
        let zone_offset = SignedDuration::from_secs(i64::from(zone.offset(t).seconds()));
        if zone_offset != implied {
            self.disagreeing += 1;
            if self.disagreements.len() < 5 {
                let at = format!("{}:{}", d.record.file, d.record.line);
                self.disagreements.push((at, implied, zone_offset));
            }
        }
    }

    fn write<W: Write>(&self, out: &mut W, zone: &Zone, all: bool) -> io::Result<()> {
        let list = |m: &BTreeMap<&'static str, u64>| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fetches = |n: u64| format!("{n} other /temp/ fetch{}", if n == 1 { "" } else { "es" });
        let exports = counted(self.exports, "export");
        if all {
            writeln!(
                out,
                "downloads: {exports} and {} shown",
                fetches(self.total - self.exports)
            )?;
        } else if self.others_not_shown > 0 {
            writeln!(
                out,
                "downloads: {exports} shown; {} not shown: --all shows {}",
                fetches(self.others_not_shown),
                if self.others_not_shown == 1 {
                    "it"
                } else {
                    "them"
                }
            )?;
        } else {
            writeln!(out, "downloads: {exports} shown")?;
        }
        if self.total > 0 {
            writeln!(
                out,
                "  outcome: {}; attribution: {}",
                list(&self.outcomes),
                list(&self.attributions)
            )?;
        }
        for (site, offsets) in &self.offsets {
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
        if self.disagreeing > 0 {
            writeln!(
                out,
                "warning: {} download{} an export name implying a UTC offset that {} did not have at that time; check --tz (first {} below):",
                self.disagreeing,
                if self.disagreeing == 1 {
                    " has"
                } else {
                    "s have"
                },
                zone.name(),
                self.disagreements.len(),
            )?;
            for (at, implied, actual) in &self.disagreements {
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
}
