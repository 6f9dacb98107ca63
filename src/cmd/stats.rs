//! `leaktrace stats`: read W3C logs, group the filtered requests with
//! polars, print one row per group.

use std::io::{self, BufWriter};
use std::sync::Arc;

use anyhow::Context as _;

use crate::analyze::stats::frame::FactFrame;
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
    // The facts are added to polars' columns (and pre-aggregated) on a thread
    // of their own, so that the cores go on parsing meanwhile; at most
    // `QUEUED` chunks of facts wait for it.
    const QUEUED: usize = 8;
    let (run, report) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Hit<Fact>>>(QUEUED);
        let adder = scope.spawn(|| -> polars::prelude::PolarsResult<FactFrame> {
            let mut tally = FactFrame::new(&config);
            for hits in receive {
                for hit in hits {
                    tally.add(hit.item)?;
                }
            }
            Ok(tally)
        });
        let mut sink = |_: &Arc<str>, hits: Vec<Hit<Fact>>| -> io::Result<()> {
            send.send(hits)
                .map_err(|_| io::Error::other("the grouping thread stopped"))
        };
        let scanned = scan_all(&inputs, &cfg, &select, &mut sink, &progress);
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
