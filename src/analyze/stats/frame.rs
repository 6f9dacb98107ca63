//! Facts into polars: columns filled a batch at a time, pre-aggregated into
//! one row per group (and the distinct addresses and pages per group) when
//! full, and grouped once more at the end.

use std::collections::HashMap;

use polars::prelude::*;

use super::outliers;
use super::{
    Fact, GroupStats, Key, NO_DAY, NO_HOUR, NewGroup, Parts, StatsConfig, StatsReport, clock, flag,
};

/// Facts held before polars pre-aggregates them: 53 bytes a fact, about
/// 14 MiB of columns.
pub const BUFFER_ROWS: usize = 1 << 18;
/// Pre-aggregated rows (groups, or distinct pairs) held before they are
/// grouped together again; doubled when grouping leaves more than half
/// of it (so that re-grouping stays rare when the groups are many).
pub const COMPACT_ROWS: usize = 1 << 20;

/// The facts of a run, as they come.
pub struct FactFrame {
    by: Vec<Key>,
    buffer: Columns,
    /// Pre-aggregated groups (one row per group), and distinct (group,
    /// address) and (group, page) pairs (one row per pair), with their
    /// row counts.
    groups: Held,
    ips: Held,
    pages: Held,
    /// The parts of each group.
    parts: HashMap<u64, Parts>,
    /// The smallest spelling of each user, address and page key.
    names: [HashMap<u64, String>; 3],
}

/// The buffered facts, column by column (flags as 0 or 1, summed).
#[derive(Default)]
struct Columns {
    group: Vec<u64>,
    ip_pair: Vec<u64>,
    page_pair: Vec<u64>,
    post: Vec<u8>,
    export: Vec<u8>,
    bytes_known: Vec<u8>,
    failed: Vec<u8>,
    after: Vec<u8>,
    bytes: Vec<u64>,
    /// The time for `min` (`i64::MAX` when absent) and for `max`
    /// (`i64::MIN` when absent): no validity mask to build.
    first: Vec<i64>,
    last: Vec<i64>,
}

impl Columns {
    fn clear(&mut self) {
        self.group.clear();
        self.ip_pair.clear();
        self.page_pair.clear();
        self.post.clear();
        self.export.clear();
        self.bytes_known.clear();
        self.failed.clear();
        self.after.clear();
        self.bytes.clear();
        self.first.clear();
        self.last.clear();
    }
}

/// Pre-aggregated frames and how many rows they hold.
struct Held {
    frames: Vec<LazyFrame>,
    rows: usize,
    limit: usize,
}

impl Held {
    fn new() -> Held {
        Held {
            frames: Vec::new(),
            rows: 0,
            limit: COMPACT_ROWS,
        }
    }

    /// Adds a frame; past the limit, groups all held frames into one with
    /// `regroup`.
    fn add(
        &mut self,
        frame: DataFrame,
        regroup: &dyn Fn(LazyFrame) -> LazyFrame,
    ) -> PolarsResult<()> {
        self.rows += frame.height();
        self.frames.push(frame.lazy());
        if self.rows > self.limit {
            let all = regroup(self.all()?).collect()?;
            self.rows = all.height();
            if self.rows > self.limit / 2 {
                self.limit *= 2;
            }
            self.frames = vec![all.lazy()];
        }
        Ok(())
    }

    /// All held frames as one (not yet grouped).
    fn all(&self) -> PolarsResult<LazyFrame> {
        concat(&self.frames, UnionArgs::default())
    }
}

impl FactFrame {
    pub fn new(config: &StatsConfig) -> FactFrame {
        FactFrame {
            by: config.by.clone(),
            buffer: Columns::default(),
            groups: Held::new(),
            ips: Held::new(),
            pages: Held::new(),
            parts: HashMap::new(),
            names: Default::default(),
        }
    }

    /// Adds a fact; pre-aggregates when the buffer is full.
    pub fn add(&mut self, fact: Fact) -> PolarsResult<()> {
        if let Some(new) = fact.new {
            self.learn(&new);
        }
        let b = &mut self.buffer;
        b.group.push(fact.group);
        b.ip_pair.push(fact.ip_pair);
        b.page_pair.push(fact.page_pair);
        let f = fact.flags;
        let bit = |mask: u8| u8::from(f & mask != 0);
        b.post.push(bit(flag::POST));
        b.export.push(bit(flag::EXPORT));
        b.bytes_known.push(bit(flag::BYTES));
        b.failed.push(bit(flag::FAILED_LOGON));
        b.after.push(bit(flag::AFTER_HOURS));
        b.bytes.push(fact.bytes);
        b.first.push(fact.time.unwrap_or(i64::MAX));
        b.last.push(fact.time.unwrap_or(i64::MIN));
        if b.group.len() >= BUFFER_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Remembers a group's parts and the smallest spelling of its names.
    fn learn(&mut self, new: &NewGroup) {
        self.parts.entry(mix_of(&new.parts)).or_insert(new.parts);
        let keys = [new.parts.user, new.parts.ip, new.parts.page];
        for (i, name) in new.names.iter().enumerate() {
            if let Some(text) = name {
                let held = self.names[i].entry(keys[i]).or_insert_with(|| text.clone());
                if text < held {
                    held.clone_from(text);
                }
            }
        }
    }

    /// Pre-aggregates the buffer.
    fn flush(&mut self) -> PolarsResult<()> {
        let b = &self.buffer;
        if b.group.is_empty() {
            return Ok(());
        }
        let height = b.group.len();
        let u64s = |name: &str, v: &[u64]| Column::new(name.into(), v);
        let u8s = |name: &str, v: &[u8]| Column::new(name.into(), v);
        let i64s = |name: &str, v: &[i64]| Column::new(name.into(), v);
        let columns = vec![
            u64s("group", &b.group),
            u64s("ip_pair", &b.ip_pair),
            u64s("page_pair", &b.page_pair),
            u8s("post", &b.post),
            u8s("export", &b.export),
            u8s("bytes_known", &b.bytes_known),
            u8s("failed", &b.failed),
            u8s("after", &b.after),
            u64s("bytes", &b.bytes),
            i64s("first", &b.first),
            i64s("last", &b.last),
        ];
        let rows = DataFrame::new(height, columns)?.lazy();
        self.buffer.clear();
        let groups =
            totals(rows.clone(), len().cast(DataType::UInt64).alias("requests")).collect()?;
        self.groups.add(groups, &regroup)?;
        for (pair, held) in [("ip_pair", &mut self.ips), ("page_pair", &mut self.pages)] {
            let pairs = distinct(rows.clone(), pair).collect()?;
            held.add(pairs, &|lf| distinct(lf, pair))?;
        }
        Ok(())
    }

    /// Groups everything, counts distinct addresses and pages, and (with
    /// `--outliers`) scores each user's days.
    pub fn finish(mut self, config: &StatsConfig) -> PolarsResult<StatsReport> {
        self.flush()?;
        let mut groups = Vec::new();
        if !self.groups.frames.is_empty() {
            let join = |lf: LazyFrame, other: LazyFrame| {
                lf.join(
                    other,
                    [col("group")],
                    [col("group")],
                    JoinArgs::new(JoinType::Left),
                )
            };
            let count = |held: &Held, pair: &str, name: &str| -> PolarsResult<LazyFrame> {
                Ok(distinct(held.all()?, pair)
                    .group_by([col("group")])
                    .agg([len().cast(DataType::UInt64).alias(name)]))
            };
            let all = join(
                join(
                    regroup(self.groups.all()?),
                    count(&self.ips, "ip_pair", "ips")?,
                ),
                count(&self.pages, "page_pair", "pages")?,
            )
            .with_columns([
                col("ips").fill_null(lit(0u64)),
                col("pages").fill_null(lit(0u64)),
            ])
            .collect()?;
            let all = self.with_parts(all)?;
            let all = if config.outliers {
                outliers::standings(all.lazy())?.collect()?
            } else {
                all
            };
            groups = self.rows(&all, config.outliers)?;
        }
        sort(&mut groups, &self.by, config.outliers);
        Ok(StatsReport {
            by: self.by,
            after_hours: config.work_hours.is_some(),
            outliers: config.outliers,
            groups,
        })
    }

    /// The groups with their parts as columns (`k_user` ...).
    fn with_parts(&self, mut df: DataFrame) -> PolarsResult<DataFrame> {
        let parts: Vec<Parts> = df
            .column("group")?
            .u64()?
            .iter()
            .map(|g| {
                g.and_then(|g| self.parts.get(&g).copied())
                    .unwrap_or(Parts {
                        user: 0,
                        ip: 0,
                        page: 0,
                        day: NO_DAY,
                        hour: NO_HOUR,
                    })
            })
            .collect();
        let u64s = |f: fn(&Parts) -> u64| parts.iter().map(f).collect::<Vec<u64>>();
        df.with_column(Column::new("k_user".into(), u64s(|p| p.user)))?;
        df.with_column(Column::new("k_ip".into(), u64s(|p| p.ip)))?;
        df.with_column(Column::new("k_page".into(), u64s(|p| p.page)))?;
        df.with_column(Column::new(
            "k_day".into(),
            parts.iter().map(|p| p.day).collect::<Vec<i32>>(),
        ))?;
        df.with_column(Column::new(
            "k_hour".into(),
            parts
                .iter()
                .map(|p| i32::from(p.hour))
                .collect::<Vec<i32>>(),
        ))?;
        Ok(df)
    }

    /// The groups of the final frame.
    fn rows(&self, df: &DataFrame, outliers: bool) -> PolarsResult<Vec<GroupStats>> {
        let u64s = |name: &str| -> PolarsResult<Vec<u64>> {
            Ok(df
                .column(name)?
                .cast(&DataType::UInt64)?
                .u64()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect())
        };
        let i64s = |name: &str| -> PolarsResult<Vec<i64>> {
            Ok(df
                .column(name)?
                .cast(&DataType::Int64)?
                .i64()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect())
        };
        let (requests, posts, ips, pages) = (
            u64s("requests")?,
            u64s("post")?,
            u64s("ips")?,
            u64s("pages")?,
        );
        let (exports, bytes, known, failed, after) = (
            u64s("export")?,
            u64s("bytes")?,
            u64s("bytes_known")?,
            u64s("failed")?,
            u64s("after")?,
        );
        let (first, last) = (i64s("first")?, i64s("last")?);
        let (users, ip_keys, page_keys) = (u64s("k_user")?, u64s("k_ip")?, u64s("k_page")?);
        let (days, hours) = (i64s("k_day")?, i64s("k_hour")?);
        let name =
            |i: usize, k: u64| (k != 0).then(|| self.names[i].get(&k).cloned().unwrap_or_default());
        let mut out = Vec::with_capacity(df.height());
        for row in 0..df.height() {
            let time = |t: i64| {
                (t != i64::MAX && t != i64::MIN)
                    .then(|| jiff::Timestamp::from_nanosecond(i128::from(t)).ok())
                    .flatten()
            };
            out.push(GroupStats {
                user: name(0, users[row]),
                ip: name(1, ip_keys[row]),
                page: name(2, page_keys[row]),
                day: i32::try_from(days[row])
                    .ok()
                    .filter(|&d| d != NO_DAY)
                    .and_then(clock::date_of),
                hour: u8::try_from(hours[row]).ok(),
                requests: requests[row],
                posts: posts[row],
                ips: ips[row],
                pages: pages[row],
                exports: exports[row],
                export_bytes: (exports[row] == 0 || known[row] > 0).then_some(bytes[row]),
                failed_logons: failed[row],
                first: time(first[row]),
                last: time(last[row]),
                after_hours: after[row],
                outlier: None,
            });
        }
        if outliers {
            outliers::attach(df, &mut out)?;
        }
        Ok(out)
    }
}

/// The sum of a flag or count column, as `u64`.
fn sum(name: &str) -> Expr {
    col(name).sum().cast(DataType::UInt64).alias(name)
}

/// The group hash of a group's parts, as [`super::Facts`] makes it.
fn mix_of(parts: &Parts) -> u64 {
    super::mix(parts)
}

/// Pre-aggregated groups grouped again.
fn regroup(lf: LazyFrame) -> LazyFrame {
    totals(lf, sum("requests"))
}

/// The totals per group, `requests` counted as given.
fn totals(lf: LazyFrame, requests: Expr) -> LazyFrame {
    lf.group_by([col("group")]).agg([
        requests,
        sum("post"),
        sum("export"),
        sum("bytes_known"),
        sum("failed"),
        sum("after"),
        sum("bytes"),
        col("first").min(),
        col("last").max(),
    ])
}

/// The distinct pairs of a frame (one row per pair, with its group),
/// absent ones left out.
fn distinct(lf: LazyFrame, pair: &str) -> LazyFrame {
    lf.select([col(pair), col("group")])
        .filter(col(pair).neq(lit(0u64)))
        .group_by([col(pair)])
        .agg([col("group").first()])
}

/// Deterministic order: outliers by score (highest first), then by the
/// `--by` keys in the order given, absent values last.
fn sort(groups: &mut [GroupStats], by: &[Key], outliers: bool) {
    use std::cmp::Ordering;
    fn absent_last<T: Ord>(a: &Option<T>, b: &Option<T>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    groups.sort_by(|a, b| {
        let score = |g: &GroupStats| g.outlier.as_ref().map_or(0.0, |o| o.score);
        let first = if outliers {
            score(b).total_cmp(&score(a))
        } else {
            Ordering::Equal
        };
        by.iter().fold(first, |order, key| {
            order.then_with(|| match key {
                Key::User => absent_last(&a.user, &b.user),
                Key::Ip => {
                    // By address (10.0.0.9 before 10.0.0.10), then as written.
                    let ip = |g: &GroupStats| {
                        g.ip.as_ref()
                            .map(|s| (crate::filter::parse_ip(s.as_bytes()), s.clone()))
                    };
                    absent_last(&ip(a), &ip(b))
                }
                Key::Page => absent_last(&a.page, &b.page),
                Key::Day => absent_last(&a.day, &b.day),
                Key::Hour => absent_last(&a.hour, &b.hour),
            })
        })
    });
}
