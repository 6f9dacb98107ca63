//! `leaktrace stats`: read W3C logs, group the filtered requests with
//! polars, print one row per group.

use std::io::{self, BufWriter};
use std::sync::Arc;

use anyhow::Context as _;

use crate::analyze::stats::frame::FactFrame;
use crate::analyze::stats::partial::{Partial, Summing};
use crate::analyze::stats::{Facts, Key, StatsConfig, WorkHours};
use crate::cli::{GlobalArgs, StatsArgs};
use crate::exit::{Exit, usage};
use crate::output::{Context, table};
use crate::w3c::scan_all_chunks;

pub fn run(args: &StatsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let config = config(args)?;
    let cfg = super::scan_config(&args.read)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);

    let facts = Facts::new(&filter, &zone, &config);
    let work = Summing { facts: &facts };
    // Each chunk's facts are summed on the cores as its rows are read; a
    // thread of its own adds the sums to polars' columns and lets polars
    // group them. At most `QUEUED` sums wait for it.
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
        let mut sink = |_: &Arc<str>, sums: Vec<Partial>| -> io::Result<()> {
            sums.into_iter().try_for_each(|partial| {
                send.send(partial)
                    .map_err(|_| io::Error::other("the grouping thread stopped"))
            })
        };
        let scanned = scan_all_chunks(&inputs, &cfg, &work, &mut sink, &progress);
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
