//! `--outliers`: how far a user's day stands from their own usual and from
//! their peers' that day, robustly.
//!
//! For each user and local day, and for each measure (exports, requests):
//! the modified z-score `0.6745 · (x − median) / MAD` against the user's own
//! days (the days they made at least one request), and against every user's
//! count on the same day (peers, the user included). MAD is the median of
//! the absolute deviations from the median. Counts move in whole steps, so
//! a MAD below one (0 when more than half the values are equal, as exports
//! usually are) is taken as one: a day's distance is never measured in
//! steps smaller than one request or export, and one export more than
//! usual scores 0.67, not infinity.
//!
//! A measure's standing is its own score, each counted only above the
//! median (a quiet day is not suspicious), plus its peer score up to as
//! much again: a user who is always busier than their peers (a dispatcher)
//! is not news every day, only on a day above their own usual.
//! The day's `score` is the larger standing of the two measures, and `why`
//! says it in words.

use polars::prelude::*;

use super::GroupStats;

/// The constant that makes MAD comparable to a standard deviation.
const Z: f64 = 0.6745;

/// A user's day, scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// 0 when no measure is above its usual; rounded to 2 decimals.
    pub score: f64,
    /// "12 exports, usual 1 (peers 0)".
    pub why: String,
}

/// The measures scored, with their singular and plural nouns.
const MEASURES: [(&str, &str, &str); 2] = [
    ("export", "export", "exports"),
    ("requests", "request", "requests"),
];

/// Adds the medians and MADs of each measure over the user's days
/// (`own_*`) and over the day's users (`peer_*`), to groups keyed by user
/// and day; groups without a user or a local day are left out (they have
/// no baseline).
pub fn standings(all: LazyFrame) -> PolarsResult<LazyFrame> {
    let user = || col("k_user");
    let day = || col("k_day");
    let mut lf = all.filter(user().neq(lit(0u64)).and(day().neq(lit(i32::MIN))));
    for (measure, _, _) in MEASURES {
        let x = || col(measure).cast(DataType::Float64);
        for (side, over) in [("own", user()), ("peer", day())] {
            let med = format!("{side}_med_{measure}");
            let mad = format!("{side}_mad_{measure}");
            lf = lf
                .with_column(x().median().over([over.clone()])?.alias(med.as_str()))
                .with_column(
                    (x() - col(med.as_str()))
                        .abs()
                        .median()
                        .over([over])?
                        .alias(mad.as_str()),
                );
        }
    }
    Ok(lf)
}

/// Scores each group from the columns [`standings`] added (`df` holds the
/// groups in the order of `groups`).
pub fn attach(df: &DataFrame, groups: &mut [GroupStats]) -> PolarsResult<()> {
    let f64s = |name: &str| -> PolarsResult<Vec<f64>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let mut columns = Vec::new();
    for (measure, _, _) in MEASURES {
        let mut four = Vec::new();
        for name in ["own_med", "own_mad", "peer_med", "peer_mad"] {
            four.push(f64s(&format!("{name}_{measure}"))?);
        }
        columns.push(four);
    }
    for (row, g) in groups.iter_mut().enumerate() {
        let mut best: Option<(f64, String)> = None;
        for (m, (_, one, many)) in MEASURES.iter().enumerate() {
            let x = if m == 0 { g.exports } else { g.requests };
            let c = &columns[m];
            let (own_med, own_mad, peer_med, peer_mad) =
                (c[0][row], c[1][row], c[2][row], c[3][row]);
            let own = above(x as f64, own_med, own_mad);
            // Peers add to a day above the user's own usual, at most as much
            // again: alone they would put the busiest users on top every day.
            let standing = own + above(x as f64, peer_med, peer_mad).min(own);
            if best.as_ref().is_none_or(|(s, _)| standing > *s) {
                let noun = if x == 1 { one } else { many };
                let why = format!(
                    "{x} {noun}, usual {} (peers {})",
                    number(own_med),
                    number(peer_med)
                );
                best = Some((standing, why));
            }
        }
        if let Some((score, why)) = best {
            g.outlier = Some(Standing {
                score: (score * 100.0).round() / 100.0,
                why,
            });
        }
    }
    Ok(())
}

/// The modified z-score of `x`, counted only above the median, with a MAD
/// of at least one (see the module's note).
pub fn above(x: f64, median: f64, mad: f64) -> f64 {
    (Z * (x - median) / mad.max(1.0)).max(0.0)
}

/// A median for people: `1`, `1.5`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mad_of_zero_counts_as_one_step() {
        // 12 exports, usual 1, MAD 0: 0.6745 · 11.
        assert!((above(12.0, 1.0, 0.0) - 7.4195).abs() < 1e-9);
        assert_eq!(above(0.0, 1.0, 0.0), 0.0, "below the usual is not scored");
        assert!((above(30.0, 10.0, 4.0) - 3.3725).abs() < 1e-9);
    }

    #[test]
    fn medians_are_printed_plainly() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.0), "0");
    }
}
