//! Facts into polars: each chunk's sums ([`Partial`], made on the cores)
//! appended to columns, grouped by polars when the columns are full (one
//! row per group, and the distinct addresses and pages per group), and
//! grouped once more at the end.

use std::collections::HashMap;

use polars::prelude::*;

use super::outliers;
use super::partial::Partial;
use super::{
    GroupStats, Key, LogName, NO_DAY, NO_HOUR, NewGroup, Parts, StatsConfig, StatsReport, clock,
};

/// Rows (a group of a chunk, or a pair) held before polars groups them:
/// 80 bytes a group row, about 20 MiB of columns.
pub const BUFFER_ROWS: usize = 1 << 18;
/// Grouped rows (groups, or distinct pairs) held before they are
/// grouped together again; doubled when grouping leaves more than half
/// of it (so that re-grouping stays rare when the groups are many).
pub const COMPACT_ROWS: usize = 1 << 20;

/// The facts of a run, as they come.
pub struct FactFrame {
    by: Vec<Key>,
    buffer: Columns,
    /// Grouped rows (one row per group), and distinct (group, address) and
    /// (group, page) pairs (one row per pair).
    groups: Held,
    ips: Held,
    pages: Held,
    /// The parts of each group.
    parts: HashMap<u64, Parts>,
    /// The smallest spelling of each user, address and page key.
    names: [HashMap<u64, LogName>; 3],
}

/// The chunks' sums not yet grouped, column by column, and their pairs.
#[derive(Default)]
struct Columns {
    group: Vec<u64>,
    requests: Vec<u64>,
    post: Vec<u64>,
    export: Vec<u64>,
    bytes_known: Vec<u64>,
    failed: Vec<u64>,
    after: Vec<u64>,
    bytes: Vec<u64>,
    /// The first time (`i64::MAX` when absent) and the last (`i64::MIN`
    /// when absent): no validity mask to build.
    first: Vec<i64>,
    last: Vec<i64>,
    /// `[pair, group]`.
    ip_pairs: Vec<[u64; 2]>,
    page_pairs: Vec<[u64; 2]>,
}

impl Columns {
    fn is_full(&self) -> bool {
        [self.group.len(), self.ip_pairs.len(), self.page_pairs.len()]
            .iter()
            .any(|&n| n >= BUFFER_ROWS)
    }
}

/// Grouped frames and how many rows they hold.
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

    /// Adds a chunk's sums; groups the columns when they are full.
    pub fn add(&mut self, partial: Partial) -> PolarsResult<()> {
        for new in &partial.new {
            self.learn(new);
        }
        let b = &mut self.buffer;
        for (group, t) in partial.groups {
            b.group.push(group);
            b.requests.push(t.requests);
            b.post.push(t.posts);
            b.export.push(t.exports);
            b.bytes_known.push(t.bytes_known);
            b.failed.push(t.failed);
            b.after.push(t.after);
            b.bytes.push(t.bytes);
            b.first.push(t.first);
            b.last.push(t.last);
        }
        b.ip_pairs.extend(partial.ip_pairs);
        b.page_pairs.extend(partial.page_pairs);
        if b.is_full() {
            self.flush()?;
        }
        Ok(())
    }

    /// Remembers a group's parts and the smallest spelling of its names.
    fn learn(&mut self, new: &NewGroup) {
        self.parts.entry(new.group).or_insert(new.parts);
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

    /// Groups the buffered sums and pairs.
    fn flush(&mut self) -> PolarsResult<()> {
        let b = std::mem::take(&mut self.buffer);
        if !b.group.is_empty() {
            let u64s = |name: &str, v: Vec<u64>| Column::new(name.into(), v);
            let i64s = |name: &str, v: Vec<i64>| Column::new(name.into(), v);
            let height = b.group.len();
            let columns = vec![
                u64s("group", b.group),
                u64s("requests", b.requests),
                u64s("post", b.post),
                u64s("export", b.export),
                u64s("bytes_known", b.bytes_known),
                u64s("failed", b.failed),
                u64s("after", b.after),
                u64s("bytes", b.bytes),
                i64s("first", b.first),
                i64s("last", b.last),
            ];
            let rows = DataFrame::new(height, columns)?.lazy();
            self.groups.add(regroup(rows).collect()?, &regroup)?;
        }
        for (pair, pairs, held) in [
            ("ip_pair", b.ip_pairs, &mut self.ips),
            ("page_pair", b.page_pairs, &mut self.pages),
        ] {
            if pairs.is_empty() {
                continue;
            }
            let height = pairs.len();
            let (keys, groups): (Vec<u64>, Vec<u64>) =
                pairs.into_iter().map(|[p, g]| (p, g)).unzip();
            let rows = DataFrame::new(
                height,
                vec![
                    Column::new(pair.into(), keys),
                    Column::new("group".into(), groups),
                ],
            )?;
            let distinct_pairs = distinct(rows.lazy(), pair).collect()?;
            held.add(distinct_pairs, &|lf| distinct(lf, pair))?;
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

/// The totals per group of chunks' sums.
fn regroup(lf: LazyFrame) -> LazyFrame {
    lf.group_by([col("group")]).agg([
        sum("requests"),
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
                    fn ip(g: &GroupStats) -> Option<(Option<std::net::IpAddr>, &LogName)> {
                        g.ip.as_ref()
                            .map(|s| (crate::filter::parse_ip(s.as_bytes()), s))
                    }
                    absent_last(&ip(a), &ip(b))
                }
                Key::Page => absent_last(&a.page, &b.page),
                Key::Day => absent_last(&a.day, &b.day),
                Key::Hour => absent_last(&a.hour, &b.hour),
            })
        })
    });
}
