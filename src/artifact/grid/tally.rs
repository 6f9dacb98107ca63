//! What lies beyond the header: a grid's cells, fed one by one in row order
//! (a CSV file, or one sheet), are tallied into the best signature candidate,
//! counts and the header row's names, without holding any row.

use std::borrow::Cow;
use std::cmp::Reverse;

use super::{MAX_COLUMN_NAME, MAX_COLUMNS};
use crate::artifact::statement::Statement;

/// A non-blank cell beyond the header's width.
#[derive(Clone, Debug)]
pub(super) struct Found {
    pub(super) row: u64,
    pub(super) column: u64,
    pub(super) text: String,
    /// Whether the text has the vendor's statement shape.
    pub(super) statement: bool,
}

/// How many rows (or sheets) a warning lists.
pub(super) const SAMPLE_ROWS: usize = 5;
/// How many different statements a warning quotes.
const DISTINCT_STATEMENTS: usize = 4;

/// What one grid (a CSV file, one sheet) holds beyond its header, fed cell by
/// cell in row order. Only the best candidate, counts and the header row's
/// names are kept.
#[derive(Default)]
pub(super) struct SheetTally {
    /// The header's row and width (its rightmost non-blank column).
    pub(super) header: Option<(u64, u64)>,
    /// Set for a second pass over a sheet whose rows came out of order.
    fixed_header: bool,
    /// The last row with text (the final data record).
    pub(super) last_row: u64,
    /// A row came after a lower one (XLSX only): the candidates may have been
    /// judged against a header that was not yet complete.
    pub(super) out_of_order: bool,
    best: Option<Found>,
    beyond_rows: u64,
    sample: Vec<u64>,
    current_row: u64,
    cells_in_row: u64,
    best_row_cells: u64,
    statements: Vec<Statement>,
    more_statements: bool,
    /// The header row's names so far, by column (at most [`MAX_COLUMNS`]).
    names: Vec<String>,
    /// Rows below the header with text, and the last row counted (a row's
    /// cells come together, so a new row number is a new record).
    data_rows: u64,
    counted_row: u64,
}

/// The result of a tally: the candidate, what the investigator should know
/// about the others, and what the grid holds.
pub(super) struct SheetFindings {
    pub(super) found: Option<Found>,
    pub(super) in_final_row: bool,
    pub(super) warnings: Vec<String>,
    pub(super) contents: Contents,
}

/// How much a grid holds: its records and its header's names.
#[derive(Clone, Debug, Default)]
pub(super) struct Contents {
    pub(super) data_rows: u64,
    pub(super) columns: Vec<String>,
    /// The header's width, which may be more than the names listed.
    width: u64,
}

impl Contents {
    /// The warning that the header was cut to [`MAX_COLUMNS`] names.
    pub(super) fn cut_note(&self, place: &str) -> Option<String> {
        (self.width > MAX_COLUMNS as u64).then(|| {
            format!(
                "{place}header has {} columns; the first {MAX_COLUMNS} are listed",
                self.width
            )
        })
    }
}

impl SheetTally {
    pub(super) fn with_header(row: u64, width: u64) -> SheetTally {
        SheetTally {
            header: Some((row, width)),
            fixed_header: true,
            ..SheetTally::default()
        }
    }

    pub(super) fn cell(&mut self, row: u64, column: u64, text: &str) {
        if is_blank(text) {
            return;
        }
        if row < self.last_row {
            self.out_of_order = true;
        }
        self.last_row = self.last_row.max(row);
        let Some((header, width)) = self.header else {
            self.header = Some((row, column));
            self.name(column, text);
            return;
        };
        if self.fixed_header {
            if row < header {
                return;
            }
            if row == header {
                self.name(column, text);
                return;
            }
        } else if row < header {
            // A row above the header came late (XLSX rows out of order): it
            // is the header, and the old header row, which has text, is a
            // record. The names start again.
            self.header = Some((row, column));
            self.names.clear();
            self.name(column, text);
            self.data_rows += 1;
            return;
        } else if row == header {
            self.header = Some((header, width.max(column)));
            self.name(column, text);
            return;
        }
        if row != self.counted_row {
            self.counted_row = row;
            self.data_rows += 1;
        }
        if column > width {
            self.beyond(row, column, text);
        }
    }

    /// Keeps a header cell's name: trimmed, cut to [`MAX_COLUMN_NAME`]
    /// characters (reading no further into a long cell).
    fn name(&mut self, column: u64, text: &str) {
        let Some(at) = column
            .checked_sub(1)
            .and_then(|at| usize::try_from(at).ok())
            .filter(|&at| at < MAX_COLUMNS)
        else {
            return;
        };
        if self.names.len() <= at {
            self.names.resize(at + 1, String::new());
        }
        self.names[at] = clip(trim_blank(text), MAX_COLUMN_NAME).into_owned();
    }

    /// The records and names, once every cell was seen.
    fn contents(&mut self) -> Contents {
        let Some((header, width)) = self.header else {
            return Contents::default();
        };
        let mut columns = std::mem::take(&mut self.names);
        columns.resize(
            usize::try_from(width).map_or(MAX_COLUMNS, |w| w.min(MAX_COLUMNS)),
            String::new(),
        );
        Contents {
            // Rows out of order (XLSX) are counted as they come; a row
            // number repeated apart from itself would count twice, but never
            // beyond the rows there are.
            data_rows: self.data_rows.min(self.last_row.saturating_sub(header)),
            columns,
            width,
        }
    }

    fn beyond(&mut self, row: u64, column: u64, text: &str) {
        if row != self.current_row {
            self.current_row = row;
            self.cells_in_row = 0;
            self.beyond_rows += 1;
            if self.sample.len() < SAMPLE_ROWS {
                self.sample.push(row);
            }
        }
        self.cells_in_row += 1;
        let statement = looks_like_statement(text)
            .then(|| Statement::parse(text))
            .filter(|s| s.parsed);
        let is_statement = statement.is_some();
        if let Some(statement) = statement
            && !self.statements.iter().any(|s| s.same_identity(&statement))
        {
            if self.statements.len() < DISTINCT_STATEMENTS {
                self.statements.push(statement);
            } else {
                self.more_statements = true;
            }
        }
        // A statement over other text, then the last row (the application
        // writes the final record), then the leftmost cell.
        let key = (is_statement, row, Reverse(column));
        if self
            .best
            .as_ref()
            .is_none_or(|b| key > (b.statement, b.row, Reverse(b.column)))
        {
            self.best = Some(Found {
                row,
                column,
                text: text.to_string(),
                statement: is_statement,
            });
        }
        if self.best.as_ref().is_some_and(|b| b.row == row) {
            self.best_row_cells = self.cells_in_row;
        }
    }

    /// `place` prefixes the warnings (`sheet 'Export': `).
    pub(super) fn finish(mut self, place: &str) -> SheetFindings {
        let mut warnings = Vec::new();
        let contents = self.contents();
        let Some(found) = self.best else {
            return SheetFindings {
                found: None,
                in_final_row: false,
                warnings,
                contents,
            };
        };
        let (header, width) = self.header.unwrap_or((1, 0));
        let in_final_row = found.row == self.last_row;
        if header > 1 {
            warnings.push(format!(
                "{place}the header is row {header} (the rows above it are empty)"
            ));
        }
        if self.beyond_rows > 1 {
            let mut rows: Vec<String> = self.sample.iter().map(u64::to_string).collect();
            if self.beyond_rows > self.sample.len() as u64 {
                rows.push("…".into());
            }
            let why = match (found.statement, in_final_row) {
                (true, true) => "the final data row",
                (true, false) => "the last row holding a statement",
                (false, true) => "the final data row; none of them holds a statement",
                (false, false) => "the last of them; none holds a statement",
            };
            warnings.push(format!(
                "{place}{} rows have text beyond the header's {width} column{} (rows {}); reported row {}, {why}",
                self.beyond_rows,
                if width == 1 { "" } else { "s" },
                rows.join(", "),
                found.row,
            ));
        }
        if self.best_row_cells > 1 {
            warnings.push(format!(
                "{place}row {} has {} cells with text beyond the header; reported column {}, {}",
                found.row,
                self.best_row_cells,
                found.column,
                if found.statement {
                    "the statement"
                } else {
                    "the leftmost"
                }
            ));
        }
        if self.statements.len() > 1 {
            warnings.push(format!(
                "{place}{}{} different statements beyond the header: {}",
                self.statements.len(),
                if self.more_statements { " or more" } else { "" },
                self.statements
                    .iter()
                    .map(|s| format!("\"{}\"", clip(&s.text, 200)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if !in_final_row {
            warnings.push(format!(
                "{place}the signature is in row {}, but the final data row is {}: rows were sorted, moved or \
                 added after the export",
                found.row, self.last_row
            ));
        }
        SheetFindings {
            found: Some(found),
            in_final_row,
            warnings,
            contents,
        }
    }
}

/// At most `max` characters of text, marked when cut.
fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// Empty, whitespace or NUL padding: no signature.
fn is_blank(text: &str) -> bool {
    trim_blank(text).is_empty()
}

/// Text without the whitespace and NUL padding around it.
fn trim_blank(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\0')
}

/// Whether text might be a statement (parsing is kept for those).
fn looks_like_statement(text: &str) -> bool {
    text.trim_start().starts_with("Produced ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::grid::GridVerdict::{None as Unsigned, Signed, SignedMoved};
    use crate::artifact::grid::examine_csv;
    use crate::artifact::grid::tests::{SIG, at, csv, fixture, name, verified, warned};

    const SIG_OTHER: &str = "Produced 2021-06-30 09:00:00-00:00 by acme.angeltrack.com for user John Roe (ID 17) at 192.168.1.43.";

    #[test]
    fn moved_signature_is_unverified_and_explained() {
        let r = examine_csv(&fixture("resorted.csv"));
        assert_eq!(verified(&r), Some(false));
        assert!(
            warned(&r, "row 3, but the final data row is 7"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn blank_and_whitespace_cells_are_not_signatures() {
        let r = csv("a,b,,\n1,2, ,\t\n3,4,,\u{a0}\n,,,\n\n");
        assert_eq!((r.verdict, r.signature), (Unsigned, None));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_statement_wins_over_other_text_beyond_the_header() {
        // Someone added a row with a note below the signed one.
        let r = csv(&format!("a,b\n1,2,{SIG}\n3,4,see me\n"));
        assert_eq!((r.verdict, at(&r)), (SignedMoved, Some((2, 3))));
        assert!(
            warned(
                &r,
                "2 rows have text beyond the header's 2 columns (rows 2, 3); reported row 2, the last row holding a statement"
            ),
            "{:?}",
            r.warnings
        );
        // Without a statement, the last text.
        let r = csv("a,b\n1,2,x\n3,4,y\n");
        assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))));
        assert!(
            warned(&r, "none of them holds a statement"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn different_statements_are_all_named() {
        let r = csv(&format!("a,b\n1,2,{SIG_OTHER}\n3,4,{SIG}\n"));
        assert_eq!(
            (r.verdict, at(&r), name(&r)),
            (Signed, Some((3, 3)), Some("Jane Doe"))
        );
        assert!(warned(&r, "2 different statements"), "{:?}", r.warnings);
        assert!(warned(&r, "John Roe"));
        // The same statement twice (two exports pasted together) is one.
        let r = csv(&format!("a,b\n1,2,{SIG}\n3,4,{SIG}\n"));
        assert!(!warned(&r, "different statements"), "{:?}", r.warnings);
        assert!(warned(&r, "2 rows have text"));
    }

    #[test]
    fn several_cells_beyond_in_one_row() {
        let r = csv(&format!("a,b\n1,2,x,{SIG},y\n"));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 4))));
        assert!(
            warned(
                &r,
                "row 2 has 3 cells with text beyond the header; reported column 4, the statement"
            ),
            "{:?}",
            r.warnings
        );
        let r = csv("a,b\n1,2,x,y\n");
        assert_eq!(at(&r), Some((2, 3)));
        assert!(warned(&r, "the leftmost"));
    }

    #[test]
    fn header_is_the_first_record_with_text() {
        let r = csv(&format!(",,\n ,\na,b,c\n1,2,3,{SIG}\n"));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((4, 4))));
        assert!(warned(&r, "the header is row 3"));
        // Only a header (with a signature in it, it is the header): none.
        assert_eq!(csv(&format!("a,b,{SIG}\n")).verdict, Unsigned);
        // A gap in the header does not shorten it.
        assert_eq!(csv("a,,c\n1,2,3\n").verdict, Unsigned);
    }

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("zoë!", 3), "zoë…");
    }

    #[test]
    fn tally_header_found_late_resets_names_and_counts_the_old_header() {
        // The first pass alone (what a sheet damaged mid-way reports).
        let feed = |tally: &mut SheetTally| {
            for (row, column, text) in [
                (5, 2, "old header"),
                (5, 3, "old"),
                (6, 1, "y"),
                (3, 1, "mid header"),
                (3, 4, "m"),
                (7, 1, "z"),
                (1, 2, "h2"),
                (1, 1, "h1"),
                (4, 9, "w"),
            ] {
                tally.cell(row, column, text);
            }
        };
        let mut first = SheetTally::default();
        feed(&mut first);
        assert!(first.out_of_order);
        assert_eq!(first.header, Some((1, 2)));
        let c = first.contents();
        assert_eq!(
            (c.data_rows, c.columns, c.width),
            (5, vec!["h1".into(), "h2".into()], 2)
        );
        // The second pass, with the header known.
        let mut fixed = SheetTally::with_header(1, 2);
        feed(&mut fixed);
        let c = fixed.contents();
        assert_eq!(
            (c.data_rows, c.columns),
            (5, vec!["h1".into(), "h2".into()])
        );
        // A row number repeated apart from itself is counted again, but
        // never beyond the rows below the header.
        let mut split = SheetTally::with_header(1, 1);
        for row in [2, 3, 2, 3, 2] {
            split.cell(row, 1, "x");
        }
        assert_eq!(split.contents().data_rows, 2);
    }
}
