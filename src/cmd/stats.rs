//! `leaktrace stats`: read W3C logs, group the filtered requests with
//! polars, print one row per group.

use std::io::{self, BufWriter};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;

use crate::analyze::stats::frame::FactFrame;
use crate::analyze::stats::partial::Partial;
use crate::analyze::stats::{Fact, Facts, Key, StatsConfig, WorkHours};
use crate::cli::{GlobalArgs, StatsArgs};
use crate::exit::{Exit, usage};
use crate::output::{Context, table};
use crate::w3c::{Hit, Row, scan_all};

pub fn run(args: &StatsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let config = config(args)?;
    let cfg = super::scan_config(&args.read)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);

    let facts = Facts::new(&filter, &zone, &config);
    let select = |row: &Row<'_>| facts.fact(row);
    // Each chunk's facts are summed on the cores (a task beside the parse of
    // the next batch); a thread of its own adds the sums to polars' columns
    // and lets polars group them. At most `QUEUED` sums wait for it.
    const QUEUED: usize = 64;
    let (run, report) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Partial>(QUEUED);
        let adder = scope.spawn(|| -> polars::prelude::PolarsResult<FactFrame> {
            let mut tally = FactFrame::new(&config);
            for partial in receive {
                tally.add(partial)?;
            }
            Ok(tally)
        });
        let stopped = AtomicBool::new(false);
        let scanned = rayon::in_place_scope(|tasks| {
            let mut sink = |_: &Arc<str>, hits: Vec<Hit<Fact>>| -> io::Result<()> {
                if stopped.load(Ordering::Relaxed) {
                    return Err(io::Error::other("the grouping thread stopped"));
                }
                let (send, stopped) = (send.clone(), &stopped);
                tasks.spawn(move |_| {
                    if send.send(Partial::of(hits)).is_err() {
                        stopped.store(true, Ordering::Relaxed);
                    }
                });
                Ok(())
            };
            scan_all(&inputs, &cfg, &select, &mut sink, &progress)
        });
        drop(send);
        let tally = match adder.join() {
            Ok(tally) => tally.context("grouping the requests (polars)")?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let run = scanned?;
        bar.finish_and_clear();
        let report = tally
            .finish(&config)
            .context("grouping the requests (polars)")?;
        Ok((run, report))
    })?;
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone,
        verbose: global.verbose,
    };
    let left_out = crate::output::stats::write(out, global.format, &ctx, table::width(), &report)?;
    let exit = super::finish(&run, &list_errors, global, None);
    super::note_left_out(left_out.as_ref(), global);
    Ok(exit)
}

/// The validated `--by`, `--after-hours` and `--outliers`.
fn config(args: &StatsArgs) -> anyhow::Result<StatsConfig> {
    let default = if args.outliers { "user,day" } else { "user" };
    let text = args.by.as_deref().unwrap_or(default);
    let by = Key::parse_list(text).map_err(usage)?;
    if args.outliers && by != [Key::User, Key::Day] {
        return Err(usage(format!(
            "--outliers scores each user's days: it goes with --by user,day (its default), not --by {text}"
        )));
    }
    let work_hours = args
        .after_hours
        .as_deref()
        .map(WorkHours::parse)
        .transpose()
        .map_err(usage)?;
    Ok(StatsConfig {
        by,
        work_hours,
        outliers: args.outliers,
    })
}
