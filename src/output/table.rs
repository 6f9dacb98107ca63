//! Tables for people, laid out to fit a width (the terminal's, `COLUMNS`, or
//! 80 columns when there is no terminal).
//!
//! Each column says how it behaves when the table is too wide ([`Fit`]):
//! times, verdicts, addresses, users, statuses and counts are never cut or
//! broken; one or two text columns (a path, a file name, a page trail) take
//! the width that is left and show a longer value cut with `…`; some columns
//! are left out at narrow widths, the least useful first, and the caller is
//! told which (the JSON has every field). No cell ever wraps inside a word:
//! a value that does not fit is cut, and only a header may wrap, at a space.
//!
//! Widths are counted in terminal cells (as comfy-table counts them), so a
//! wide character counts twice.

use comfy_table::{ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width when nothing says otherwise: no terminal, or a terminal that
/// reports 0 columns.
pub const DEFAULT_WIDTH: usize = 80;

/// Spaces between two columns.
const GAP: usize = 2;

/// Plain columns with a rule under the header: quiet enough for long listings.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

/// How a column behaves when the table does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Always shown, never cut: its width is its longest value.
    Whole,
    /// Like [`Fit::Whole`], but left out when the table does not fit;
    /// lower ranks are left out first.
    Optional(u8),
    /// Takes the width that is left (shared with the other shrinking
    /// columns), down to `min`; a longer value is cut with `…`, keeping its
    /// start or its end.
    Shrink { keep: Keep, min: usize },
}

/// Which end of a cut value is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// `/Logon.aspx → /Home.a…`: the start (a trail, a path, a name).
    Start,
    /// `…2017-01-19-09-16-16.zip`: the end (a file name: its extension).
    End,
}

/// A table column: its title and how it fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub fit: Fit,
}

impl Column {
    pub const fn whole(title: &'static str) -> Column {
        Column {
            title,
            fit: Fit::Whole,
        }
    }

    pub const fn optional(title: &'static str, rank: u8) -> Column {
        Column {
            title,
            fit: Fit::Optional(rank),
        }
    }

    pub const fn shrink(title: &'static str, keep: Keep, min: usize) -> Column {
        Column {
            title,
            fit: Fit::Shrink { keep, min },
        }
    }
}

/// The width tables are laid out for: `COLUMNS` when it is a positive
/// number, else the terminal's width when standard output is one (and it
/// reports more than 0 columns), else [`DEFAULT_WIDTH`].
pub fn width() -> usize {
    let terminal = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    width_from(std::env::var("COLUMNS").ok().as_deref(), terminal)
}

/// [`width`] from its two sources.
pub fn width_from(columns: Option<&str>, terminal: Option<usize>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or(terminal.filter(|&n| n > 0))
        .unwrap_or(DEFAULT_WIDTH)
}

/// A laid-out table.
#[derive(Debug)]
pub struct Rendered {
    /// The lines, without a final line end.
    pub text: String,
    /// Titles of the columns left out to fit the width.
    pub left_out: Vec<&'static str>,
    /// The width the table needs to show every column whole.
    pub full_width: usize,
}

/// Lays out `rows` (already escaped for the terminal; a cell may hold
/// several lines) under `columns` to fit `width`.
pub fn render(columns: &[Column], rows: &[Vec<String>], width: usize) -> Rendered {
    let plan = plan(columns, rows, width);
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX))
        .set_header(columns.iter().map(|c| c.title).collect::<Vec<_>>());
    for row in rows {
        let cells = row.iter().enumerate().map(|(i, cell)| {
            match (plan.widths.get(i).copied().flatten(), columns.get(i)) {
                (Some(w), Some(c)) => cut_lines(cell, w, keep_of(c.fit)),
                _ => cell.clone(),
            }
        });
        table.add_row(cells.collect::<Vec<_>>());
    }
    let last = plan.widths.iter().rposition(Option::is_some);
    for (i, w) in plan.widths.iter().enumerate() {
        let Some(column) = table.column_mut(i) else {
            continue;
        };
        match w {
            None => {
                column.set_constraint(ColumnConstraint::Hidden);
            }
            Some(w) => {
                // The gap is the right padding of every column but the last,
                // so that the rule under the header ends where the text does.
                let pad = if Some(i) == last { 0 } else { GAP };
                column.set_padding((0, pad as u16));
                let total = u16::try_from(w + pad).unwrap_or(u16::MAX);
                column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(total)));
            }
        }
    }
    let left_out = columns
        .iter()
        .zip(&plan.widths)
        .filter(|(_, w)| w.is_none())
        .map(|(c, _)| c.title)
        .collect();
    Rendered {
        text: table.trim_fmt(),
        left_out,
        full_width: plan.full_width,
    }
}

fn keep_of(fit: Fit) -> Keep {
    match fit {
        Fit::Shrink { keep, .. } => keep,
        _ => Keep::Start,
    }
}

/// Column widths: `None` for a column left out.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    widths: Vec<Option<usize>>,
    full_width: usize,
}

/// Decides the widths. In this order, until the table fits: every column as
/// wide as its longest value and its title; titles wrapped at their spaces;
/// optional columns left out, lowest rank first (one that fits again whole,
/// with nothing cut, once a later one is out comes back). Shrinking columns then
/// share what is left. If even that does not fit, the shrinking columns go
/// below their minimum, and last (a value of hundreds of characters in a
/// column that is never cut) the widest whole columns are cut.
fn plan(columns: &[Column], rows: &[Vec<String>], width: usize) -> Plan {
    let content: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .flat_map(|cell| cell.split('\n'))
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let title = |i: usize| columns[i].title.width();
    let title_word = |i: usize| {
        columns[i]
            .title
            .split(' ')
            .map(UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = (0..columns.len())
        .map(|i| content[i].max(title(i)))
        .collect();
    let compact: Vec<usize> = (0..columns.len())
        .map(|i| content[i].max(title_word(i)))
        .collect();
    let full_width = total(&natural.iter().map(|&w| Some(w)).collect::<Vec<_>>());
    let min_of = |i: usize, widths: &[usize]| match columns[i].fit {
        Fit::Shrink { min, .. } => widths[i].min(min.max(title_word(i))),
        _ => widths[i],
    };
    let mut shown = vec![true; columns.len()];
    let mut optional: Vec<(u8, usize)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.fit {
            Fit::Optional(rank) => Some((rank, i)),
            _ => None,
        })
        .collect();
    optional.sort();
    let mut optional = optional.into_iter();
    let needed = |widths: &[usize], shown: &[bool]| {
        let mins: Vec<Option<usize>> = (0..columns.len())
            .map(|i| shown[i].then(|| min_of(i, widths)))
            .collect();
        total(&mins)
    };
    let mut dropped = Vec::new();
    let widths = loop {
        if needed(&natural, &shown) <= width {
            break natural.clone();
        }
        if needed(&compact, &shown) <= width {
            break compact.clone();
        }
        match optional.next() {
            Some((_, i)) => {
                shown[i] = false;
                dropped.push(i);
            }
            None => break compact.clone(),
        }
    };
    // A column left out early may fit again once a wider one is out too:
    // it comes back if no value has to be cut for it.
    for &i in dropped.iter().rev().skip(1) {
        shown[i] = true;
        let whole = (0..columns.len()).map(|j| shown[j].then_some(widths[j]));
        if total(&whole.collect::<Vec<_>>()) > width {
            shown[i] = false;
        }
    }
    let mut out: Vec<Option<usize>> = (0..columns.len())
        .map(|i| shown[i].then_some(widths[i]))
        .collect();
    let shrinking: Vec<usize> = (0..columns.len())
        .filter(|&i| shown[i] && matches!(columns[i].fit, Fit::Shrink { .. }))
        .collect();
    let fixed: usize = (0..columns.len())
        .filter(|&i| shown[i] && !shrinking.contains(&i))
        .map(|i| widths[i])
        .sum();
    let gaps = GAP * shown.iter().filter(|s| **s).count().saturating_sub(1);
    let left = width.saturating_sub(fixed + gaps);
    share(&mut out, &shrinking, &widths, left, |i| min_of(i, &widths));
    if total(&out) > width {
        // The whole columns leave the shrinking ones less than their
        // minimum: these go down to their title's longest word.
        share(&mut out, &shrinking, &widths, left, title_word);
    }
    if total(&out) > width {
        // Values too wide for the screen in columns that are never cut (a
        // user name of hundreds of characters): the widest are cut first,
        // down to what the others are, so that a time is cut last.
        let whole: Vec<usize> = (0..columns.len())
            .filter(|&i| shown[i] && !shrinking.contains(&i))
            .collect();
        let room =
            width.saturating_sub(gaps + shrinking.iter().filter_map(|&i| out[i]).sum::<usize>());
        let capped = |cap: usize| -> Vec<usize> {
            whole
                .iter()
                .map(|&i| widths[i].min(cap.max(title_word(i))))
                .collect()
        };
        let widest = whole.iter().map(|&i| widths[i]).max().unwrap_or(0);
        let cap = (1..=widest)
            .rev()
            .find(|&c| capped(c).iter().sum::<usize>() <= room)
            .unwrap_or(1);
        for (&i, w) in whole.iter().zip(capped(cap)) {
            out[i] = Some(w);
        }
    }
    Plan {
        widths: out,
        full_width,
    }
}

/// The width of a table with these columns (`None`: left out).
fn total(widths: &[Option<usize>]) -> usize {
    let shown: Vec<usize> = widths.iter().flatten().copied().collect();
    shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1)
}

/// Shares `space` among the columns `which`: each gets its minimum (at most
/// its natural width), then the rest goes in equal shares, each column
/// taking at most its natural width and leaving what it does not need to
/// the others.
fn share(
    out: &mut [Option<usize>],
    which: &[usize],
    natural: &[usize],
    space: usize,
    min: impl Fn(usize) -> usize,
) {
    let floor = |i: usize| min(i).min(natural[i]).max(1);
    let mut left = space.saturating_sub(which.iter().map(|&i| floor(i)).sum());
    let mut order = which.to_vec();
    order.sort_by_key(|&i| (natural[i].saturating_sub(floor(i)), i));
    for (k, &i) in order.iter().enumerate() {
        let fair = left / (order.len() - k);
        let more = (natural[i].saturating_sub(floor(i))).min(fair);
        out[i] = Some(floor(i) + more);
        left -= more;
    }
}

/// Each line of a cell cut to `width` cells.
fn cut_lines(cell: &str, width: usize, keep: Keep) -> String {
    if cell.width() <= width && !cell.contains('\n') {
        return cell.to_string();
    }
    cell.split('\n')
        .map(|line| cut(line, width, keep))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A line cut to `width` cells, with `…` where text was left out.
pub fn cut(line: &str, width: usize, keep: Keep) -> String {
    if line.width() <= width {
        return line.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let fits = |c: &char| {
        used += c.width().unwrap_or(0);
        used <= room
    };
    match keep {
        Keep::Start => {
            let mut out: String = line.chars().take_while(fits).collect();
            out.push('…');
            out
        }
        Keep::End => {
            let kept: Vec<char> = line.chars().rev().take_while(fits).collect();
            std::iter::once('…').chain(kept.into_iter().rev()).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column::whole("Local time"),
        Column::optional("Client IP", 1),
        Column::shrink("Path", Keep::Start, 8),
        Column::whole("Status"),
    ];

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "2017-01-19 17:16:30 UTC".into(),
            "73.21.44.9".into(),
            "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip".into(),
            "200".into(),
        ]]
    }

    fn widest_line(text: &str) -> usize {
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn width_comes_from_columns_then_the_terminal_then_80() {
        assert_eq!(width_from(Some("132"), Some(100)), 132);
        assert_eq!(width_from(None, Some(100)), 100);
        assert_eq!(width_from(Some("0"), Some(100)), 100);
        assert_eq!(width_from(Some("wide"), None), 80);
        assert_eq!(width_from(Some("-5"), None), 80);
        assert_eq!(width_from(None, Some(0)), 80);
        assert_eq!(width_from(None, None), 80);
    }

    #[test]
    fn a_wide_table_shows_everything_whole() {
        let r = render(COLUMNS, &rows(), 200);
        assert!(r.left_out.is_empty());
        assert!(
            r.text
                .contains("AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip  200")
        );
        assert_eq!(widest_line(&r.text), r.full_width);
        assert!(!r.text.starts_with(' '), "{}", r.text);
    }

    #[test]
    fn a_narrow_table_cuts_the_shrinking_column_and_keeps_the_rest_whole() {
        let r = render(COLUMNS, &rows(), 60);
        assert!(r.left_out.is_empty(), "{r:?}");
        assert_eq!(widest_line(&r.text), 60, "{}", r.text);
        let row = r.text.lines().nth(2).unwrap();
        assert!(
            row.starts_with("2017-01-19 17:16:30 UTC  73.21.44.9  /temp/"),
            "{row}"
        );
        assert!(row.ends_with("…  200"), "{row}");
        assert_eq!(r.text.lines().count(), 3, "one line per row:\n{}", r.text);
    }

    #[test]
    fn optional_columns_are_left_out_before_the_table_overflows() {
        let r = render(COLUMNS, &rows(), 45);
        assert_eq!(r.left_out, vec!["Client IP"]);
        assert!(widest_line(&r.text) <= 45, "{}", r.text);
        assert!(!r.text.contains("73.21.44.9"));
        assert!(r.text.contains("2017-01-19 17:16:30 UTC"));
    }

    #[test]
    fn a_narrow_optional_column_comes_back_when_a_wide_one_is_left_out() {
        let columns = [
            Column::whole("Time"),
            Column::optional("Kind", 1),
            Column::optional("Address", 2),
        ];
        let rows = vec![vec![
            "12:00".into(),
            "pdf".into(),
            "2001:db8::1:2:3:4".into(),
        ]];
        // 5 + 2 + 4 + 2 + 17 = 30: Kind goes first, then Address; Kind
        // then fits again.
        let r = render(&columns, &rows, 12);
        assert_eq!(r.left_out, vec!["Address"]);
        assert_eq!(r.text.lines().nth(2), Some("12:00  pdf"));
    }

    #[test]
    fn titles_wrap_at_spaces_before_columns_are_left_out() {
        let columns = [
            Column::whole("Session user"),
            Column::optional("IP", 1),
            Column::shrink("File", Keep::End, 4),
        ];
        let rows = vec![vec!["jsmith".into(), "10.0.0.1".into(), "x.zip".into()]];
        // 12 + 2 + 8 + 2 + 5 = 29 with the title whole; 24 with it wrapped.
        let r = render(&columns, &rows, 25);
        assert!(r.left_out.is_empty(), "{r:?}");
        assert!(r.text.starts_with("Session  IP"), "{}", r.text);
        assert!(widest_line(&r.text) <= 25, "{}", r.text);
    }

    #[test]
    fn values_longer_than_any_terminal_are_cut_as_a_last_resort() {
        let columns = [
            Column::whole("Local time"),
            Column::whole("User"),
            Column::whole("Status"),
        ];
        let rows = vec![vec![
            "2017-01-19 17:16:30 UTC".into(),
            "x".repeat(500),
            "200".into(),
        ]];
        let r = render(&columns, &rows, 80);
        assert!(widest_line(&r.text) <= 80, "{}", r.text);
        assert!(
            r.text.contains("2017-01-19 17:16:30 UTC  xxx"),
            "{}",
            r.text
        );
        assert!(r.text.contains("…  200"), "{}", r.text);
    }

    #[test]
    fn long_user_names_take_from_the_shrinking_column_not_from_the_time() {
        // The generated logs have user names of 15 characters: the whole
        // columns then leave the file name less than its minimum.
        let columns = [
            Column::whole("Local time"),
            Column::whole("Export user"),
            Column::whole("Session user"),
            Column::shrink("File", Keep::End, 16),
            Column::whole("Status"),
        ];
        let rows = vec![vec![
            "2023-03-02 14:40:45 UTC".into(),
            "david.rodriguez".into(),
            "david.rodriguez".into(),
            "AcmeAmbulance.david.rodriguez.2023-03-02-08-40-40.zip".into(),
            "200 partial".into(),
        ]];
        let r = render(&columns, &rows, 80);
        let row = r.text.lines().nth(2).unwrap();
        assert!(
            row.starts_with("2023-03-02 14:40:45 UTC  david.rodriguez"),
            "{row}"
        );
        assert!(row.ends_with("…-40.zip  200 partial"), "{row}");
        assert_eq!(widest_line(&r.text), 80, "{}", r.text);
    }

    #[test]
    fn cut_keeps_the_start_or_the_end() {
        assert_eq!(cut("abcdefgh", 5, Keep::Start), "abcd…");
        assert_eq!(cut("abcdefgh", 5, Keep::End), "…efgh");
        assert_eq!(cut("abc", 5, Keep::End), "abc");
        // A wide character is never split: it is left out whole.
        assert_eq!(cut("日本語テキスト", 6, Keep::Start), "日本…");
        assert_eq!(cut("Zoë O'Brien", 5, Keep::Start), "Zoë …");
    }

    #[test]
    fn lines_of_a_cell_are_cut_one_by_one() {
        let columns = [
            Column::whole("Login"),
            Column::shrink("Files", Keep::End, 4),
        ];
        let rows = vec![vec!["jsmith".into(), "a-long-name.csv\nb.pdf".into()]];
        let r = render(&columns, &rows, 16);
        let lines: Vec<&str> = r.text.lines().collect();
        assert_eq!(lines[2], "jsmith  …ame.csv");
        assert_eq!(lines[3], "        b.pdf");
    }
}
