//! Grid exports: the forensic signature beyond the rightmost column.
//!
//! The application writes its statement into a cell to the right of the
//! header's last column, in the final data record of a CSV export. Such files
//! are opened in a spreadsheet and saved again (`;`-separated Windows-1252 in
//! much of Europe, tab-separated UTF-16 "Unicode Text", XLSX), padded with
//! empty cells, and sorted, which moves the signature up. So every record of
//! every sheet is read, and the report says where the text beyond the header
//! is, whether that is where the application put it, and what else is there.
//! Nothing is held per row: a grid is read once, cell by cell, keeping only the
//! best candidate, counts and the header's names, so long files and long cells
//! cost linear time. The report also says how much the file holds (its records
//! and column names), for an assessment of what leaked.

use crate::contain::contain;
use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Reverse;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::Attribution;
use super::statement::Statement;

/// The most an XLSX workbook may declare that it decompresses to. Leaked
/// exports are small; more than this is a ZIP bomb or not an export.
pub const MAX_XLSX_UNCOMPRESSED: u64 = 512 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridVerdict {
    /// The signature is in the final data record, where it was written.
    Signed,
    /// The signature is in another row: the rows were sorted, moved or
    /// added to after the export.
    SignedMoved,
    /// No cell beyond the header holds text.
    None,
    /// The file could not be read as a whole; what was read is reported.
    Damaged,
}

/// Where the signature was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The cell's text, as found.
    pub text: String,
    /// 1-based; the header is row 1, as in a spreadsheet.
    pub row: u64,
    /// 1-based.
    pub column: u64,
    /// XLSX only: the sheet's name.
    pub sheet: Option<String>,
    /// XLSX only: the cell (`J5`).
    pub cell: Option<String>,
}

/// What a grid export says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridReport {
    pub verdict: GridVerdict,
    pub attribution: Option<Attribution>,
    pub signature: Option<Signature>,
    /// The records: rows below the header row with at least one non-blank
    /// cell, within or beyond the header's width (so the record carrying the
    /// signature counts; empty and padding rows do not). XLSX: the sum over
    /// the worksheets read. A damaged file: what was read before the damage.
    pub data_rows: u64,
    /// The header row's cells in column order, trimmed, up to the header's
    /// width (blank cells are `""`); at most [`MAX_COLUMNS`] names of at most
    /// [`MAX_COLUMN_NAME`] characters (cut with `…`; a warning says when
    /// columns were left out). XLSX: the header of the sheet the signature
    /// was found on, or else of the first worksheet with text.
    pub columns: Vec<String>,
    pub warnings: Vec<String>,
}

/// How many header names a report lists.
pub const MAX_COLUMNS: usize = 512;
/// How many characters of a header name a report keeps.
pub const MAX_COLUMN_NAME: usize = 256;

/// Whether a ZIP's first bytes belong to an XLSX workbook (`xl/workbook.xml`).
///
/// Entry names are looked for anywhere in the head, so entries written with a
/// data descriptor (no sizes in their local header) do not hide the rest. A
/// binary workbook (XLSB, `xl/workbook.bin`) is not one.
pub fn is_xlsx_zip(head: &[u8]) -> bool {
    if !head.starts_with(b"PK\x03\x04") {
        return false;
    }
    let has = |name: &[u8]| memchr::memmem::find(head, name).is_some();
    if has(b"xl/workbook.bin") {
        return false;
    }
    has(b"xl/workbook.xml")
        || has(b"xl/worksheets/")
        || (has(b"[Content_Types].xml") && has(b"xl/"))
}

/// Whether text looks delimited (CSV, `;`, tab; UTF-8, UTF-16, Windows-1252).
///
/// The first record must hold a `,`, `;` or tab and no control characters;
/// NUL bytes are allowed only in UTF-16. The head may end anywhere, even in
/// the middle of a character.
pub fn looks_delimited(head: &[u8]) -> bool {
    let decoded = decode(head, true);
    if !decoded.utf16 && head.contains(&0) {
        return false;
    }
    let text = decoded.text.trim_start_matches(['\u{feff}', '\r', '\n']);
    let first = first_record(text);
    first.contains([',', ';', '\t'])
        && !first
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// Reads a CSV (or `;`/tab-separated) export: the header is the first record
/// with text, and its width is its rightmost non-blank cell.
pub fn examine_csv(bytes: &[u8]) -> GridReport {
    let decoded = decode(bytes, false);
    let mut warnings = decoded.notes;
    let mut damaged = false;
    if let Some(damage) = decoded.damage {
        warnings.push(damage);
        damaged = true;
    }
    let full = decoded
        .text
        .strip_prefix('\u{feff}')
        .unwrap_or(&decoded.text);
    let (delimiter, text) = match excel_sep_line(full) {
        Some((delimiter, rest)) => {
            warnings.push(format!(
                "the first line `sep={}` names the delimiter (a spreadsheet hint); it is not counted as a row",
                char::from(delimiter).escape_default()
            ));
            (delimiter, rest)
        }
        None => (detect_delimiter(full), full),
    };
    if !decoded.utf16 && text.contains('\0') {
        warnings.push(
            "the text holds NUL bytes (padding, or not a text file); they count as blank".into(),
        );
    }
    let skipped = full.len() - text.len();
    let mut tally = Tally::default();
    let open = unterminated_quote(text.as_bytes(), delimiter);
    let mut reader = csv_reader(delimiter, true, text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => row += 1,
            Ok(false) => break,
            Err(e) => {
                damaged = true;
                warnings.push(format!("unreadable after row {row}: {e}"));
                break;
            }
        }
        // The record holding a quote that never closes runs to the end of the
        // file (it is the last one read): read what it swallowed line by line.
        if let Some(open) = &open
            && reader.position().byte() > open.quote as u64
        {
            damaged = true;
            warnings.push(format!(
                "unterminated quote at line {} (row {row}) swallows the rest of the file; from row {row} on, \
                 each line was read as one row, without quoting",
                line_of(full.as_bytes(), skipped + open.quote)
            ));
            row -= 1;
            let mut lines = csv_reader(delimiter, false, &text.as_bytes()[open.record..]);
            loop {
                match lines.read_byte_record(&mut record) {
                    Ok(true) => row += 1,
                    Ok(false) => break,
                    Err(e) => {
                        warnings.push(format!("unreadable after row {row}: {e}"));
                        break;
                    }
                }
                feed(&mut tally, row, &record);
            }
            break;
        }
        feed(&mut tally, row, &record);
    }
    if tally.header.is_none() {
        warnings.push("the file holds no text".into());
    }
    let outcome = tally.finish("");
    warnings.extend(outcome.warnings);
    warnings.extend(outcome.contents.cut_note(""));
    let found = outcome.found.map(|found| Located {
        found,
        in_final_row: outcome.in_final_row,
        sheet: None,
    });
    conclude(found, damaged, warnings, outcome.contents)
}

/// Reads every worksheet of an XLSX workbook; refuses one that declares more
/// than [`MAX_XLSX_UNCOMPRESSED`] of content, or more shared strings than its
/// shared strings part could hold, and an OLE compound file (an encrypted
/// workbook, a legacy `.xls`): the XLSX reader would abort the process on
/// those.
pub fn examine_xlsx(bytes: &[u8]) -> GridReport {
    let budget = (bytes.len() as u64)
        .saturating_mul(READS_PER_BYTE)
        .saturating_add(READS_SPARE);
    examine_xlsx_within(bytes, MAX_XLSX_UNCOMPRESSED, budget)
}

/// How often a workbook's bytes may be read over (plus a spare): each part
/// is read once, a sheet out of row order twice. Sheets that all point at
/// one large part would otherwise decompress it once per sheet.
const READS_PER_BYTE: u64 = 8;
const READS_SPARE: u64 = 1 << 20;

fn examine_xlsx_within(bytes: &[u8], limit: u64, budget: u64) -> GridReport {
    let declared = declared_uncompressed(bytes);
    if declared > limit {
        return conclude(
            None,
            true,
            vec![format!(
                "refused: the archive declares {} of content uncompressed, over the limit of {} \
                 (a ZIP bomb, or not a leaked export)",
                size(declared),
                size(limit)
            )],
            Contents::default(),
        );
    }
    // The XLSX reader trusts some of what the file declares (see these two):
    // a lie there aborts the process, which no `catch_unwind` can catch and
    // which would lose the reports of every other file in the run.
    if let Some(refusal) = compound_file(bytes).or_else(|| implausible_counts(bytes)) {
        return conclude(None, true, vec![refusal], Contents::default());
    }
    let read = Rc::new(Cell::new(0));
    let metered = Metered {
        inner: Cursor::new(bytes),
        read: Rc::clone(&read),
        budget,
    };
    // The XLSX reader's arithmetic on cell references can overflow on
    // hostile input (a panic in debug builds): a bad file, not a crash.
    let opened = contain(|| Xlsx::new(metered));
    let mut workbook = match opened {
        Ok(Ok(workbook)) => workbook,
        Ok(Err(e)) => {
            return conclude(
                None,
                true,
                vec![format!("not a readable XLSX workbook: {e}")],
                Contents::default(),
            );
        }
        Err(_) => {
            return conclude(
                None,
                true,
                vec!["not a readable XLSX workbook: the reader failed on it".into()],
                Contents::default(),
            );
        }
    };
    let sheets = workbook.sheets_metadata().to_vec();
    let mut warnings = Vec::new();
    let mut damaged = false;
    let mut worksheets = 0;
    let mut with_text = 0;
    let mut signed: Vec<(usize, Located)> = Vec::new();
    let mut data_rows = 0u64;
    // The header names of the first sheet with text, and of the best signed
    // sheet so far (by the key the signature is chosen by, below).
    let mut first_header: Option<(Contents, String)> = None;
    type Rank = (bool, bool, Reverse<usize>);
    let mut signed_header: Option<(Rank, Contents, String)> = None;
    for (index, sheet) in sheets.iter().enumerate() {
        if sheet.typ != SheetType::WorkSheet {
            continue;
        }
        worksheets += 1;
        let place = format!("sheet '{}': ", sheet.name);
        let (tally, error) =
            contain(|| scan_sheet(&mut workbook, &sheet.name)).unwrap_or_else(|_| {
                (
                    Tally::default(),
                    Some("(the XLSX reader failed on it)".into()),
                )
            });
        let has_text = tally.header.is_some();
        let outcome = tally.finish(&place);
        data_rows = data_rows.saturating_add(outcome.contents.data_rows);
        if has_text && first_header.is_none() {
            first_header = Some((outcome.contents.clone(), place.clone()));
        }
        if error.is_some() && read.get() > budget {
            damaged = true;
            warnings.push(format!(
                "{place}stopped: the workbook's parts were read over and over (more than {} for a \
                 {} file: sheets sharing one part?); the sheets after it were not read",
                size(budget),
                size(bytes.len() as u64)
            ));
            break;
        }
        if let Some(error) = error {
            damaged = true;
            warnings.push(format!("{place}unreadable {error}"));
        }
        with_text += usize::from(has_text);
        warnings.extend(outcome.warnings);
        if let Some(found) = outcome.found {
            let rank = (found.statement, outcome.in_final_row, Reverse(index));
            if signed_header.as_ref().is_none_or(|(best, ..)| rank > *best) {
                signed_header = Some((rank, outcome.contents, place));
            }
            signed.push((
                index,
                Located {
                    found,
                    in_final_row: outcome.in_final_row,
                    sheet: Some(sheet.name.clone()),
                },
            ));
        }
    }
    if worksheets == 0 {
        warnings.push("the workbook has no worksheets".into());
    } else if with_text == 0 {
        warnings.push("every sheet is empty".into());
    }
    // Across sheets as within one: a statement first, then one in its
    // sheet's final row, then the first sheet (where a converted export is).
    let best = signed
        .iter()
        .enumerate()
        .max_by_key(|(_, (index, l))| (l.found.statement, l.in_final_row, Reverse(*index)))
        .map(|(i, _)| i);
    let found = best.map(|i| signed.swap_remove(i));
    if let Some((index, located)) = &found {
        if !signed.is_empty() {
            signed.sort_by_key(|(index, _)| *index);
            let mut others: Vec<String> = signed
                .iter()
                .take(SAMPLE_ROWS)
                .map(|(_, l)| format!("'{}'", l.sheet.as_deref().unwrap_or_default()))
                .collect();
            if signed.len() > SAMPLE_ROWS {
                others.push(format!("and {} more", signed.len() - SAMPLE_ROWS));
            }
            warnings.push(format!(
                "text beyond the header also on sheet{} {}; reported sheet '{}'",
                if signed.len() == 1 { "" } else { "s" },
                others.join(", "),
                located.sheet.as_deref().unwrap_or_default()
            ));
        }
        match sheets[*index].visible {
            SheetVisible::Visible => {}
            SheetVisible::Hidden => {
                warnings.push(format!("sheet '{}' is hidden", sheets[*index].name))
            }
            SheetVisible::VeryHidden => warnings.push(format!(
                "sheet '{}' is very hidden (not listed by the spreadsheet's Unhide dialog)",
                sheets[*index].name
            )),
        }
    }
    let (mut contents, place) = signed_header
        .map(|(_, contents, place)| (contents, place))
        .or(first_header)
        .unwrap_or_default();
    contents.data_rows = data_rows;
    warnings.extend(contents.cut_note(&place));
    conclude(found.map(|(_, l)| l), damaged, warnings, contents)
}

/// The signature candidate chosen for a grid, and where.
struct Located {
    found: Found,
    in_final_row: bool,
    sheet: Option<String>,
}

fn conclude(
    found: Option<Located>,
    damaged: bool,
    mut warnings: Vec<String>,
    contents: Contents,
) -> GridReport {
    let verdict = match &found {
        _ if damaged => GridVerdict::Damaged,
        None => GridVerdict::None,
        Some(l) if l.in_final_row => GridVerdict::Signed,
        Some(_) => GridVerdict::SignedMoved,
    };
    let Some(Located { found, sheet, .. }) = found else {
        return GridReport {
            verdict,
            attribution: None,
            signature: None,
            data_rows: contents.data_rows,
            columns: contents.columns,
            warnings,
        };
    };
    let statement = Statement::parse(&found.text);
    if !statement.parsed {
        warnings.push(
            "the signature does not have the vendor's statement shape \
             (`Produced <time> by <host> for user <name> (ID <n>) at <ip>.`); kept as found"
                .into(),
        );
    }
    GridReport {
        verdict,
        attribution: Some(Attribution {
            statement,
            verified: verdict == GridVerdict::Signed,
        }),
        signature: Some(Signature {
            cell: sheet.as_ref().map(|_| cell_name(found.row, found.column)),
            text: found.text,
            row: found.row,
            column: found.column,
            sheet,
        }),
        data_rows: contents.data_rows,
        columns: contents.columns,
        warnings,
    }
}

// ---------------------------------------------------------------------------
// What lies beyond the header
// ---------------------------------------------------------------------------

/// A non-blank cell beyond the header's width.
#[derive(Clone, Debug)]
struct Found {
    row: u64,
    column: u64,
    text: String,
    /// Whether the text has the vendor's statement shape.
    statement: bool,
}

/// How many rows (or sheets) a warning lists.
const SAMPLE_ROWS: usize = 5;
/// How many different statements a warning quotes.
const DISTINCT_STATEMENTS: usize = 4;

/// What one grid (a CSV file, one sheet) holds beyond its header, fed cell by
/// cell in row order. Only the best candidate, counts and the header row's
/// names are kept.
#[derive(Default)]
struct Tally {
    /// The header's row and width (its rightmost non-blank column).
    header: Option<(u64, u64)>,
    /// Set for a second pass over a sheet whose rows came out of order.
    fixed_header: bool,
    /// The last row with text (the final data record).
    last_row: u64,
    /// A row came after a lower one (XLSX only): the candidates may have been
    /// judged against a header that was not yet complete.
    out_of_order: bool,
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
struct Outcome {
    found: Option<Found>,
    in_final_row: bool,
    warnings: Vec<String>,
    contents: Contents,
}

/// How much a grid holds: its records and its header's names.
#[derive(Clone, Debug, Default)]
struct Contents {
    data_rows: u64,
    columns: Vec<String>,
    /// The header's width, which may be more than the names listed.
    width: u64,
}

impl Contents {
    /// The warning that the header was cut to [`MAX_COLUMNS`] names.
    fn cut_note(&self, place: &str) -> Option<String> {
        (self.width > MAX_COLUMNS as u64).then(|| {
            format!(
                "{place}header has {} columns; the first {MAX_COLUMNS} are listed",
                self.width
            )
        })
    }
}

impl Tally {
    fn with_header(row: u64, width: u64) -> Tally {
        Tally {
            header: Some((row, width)),
            fixed_header: true,
            ..Tally::default()
        }
    }

    fn cell(&mut self, row: u64, column: u64, text: &str) {
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
    fn finish(mut self, place: &str) -> Outcome {
        let mut warnings = Vec::new();
        let contents = self.contents();
        let Some(found) = self.best else {
            return Outcome {
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
        Outcome {
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

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

fn csv_reader(delimiter: u8, quoting: bool, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(quoting)
        .from_reader(bytes)
}

fn feed(tally: &mut Tally, row: u64, record: &csv::ByteRecord) {
    for (i, field) in record.iter().enumerate() {
        // Delimiters are ASCII, so fields of decoded text are UTF-8.
        tally.cell(row, i as u64 + 1, &String::from_utf8_lossy(field));
    }
}

/// The delimiter most frequent outside quotes in the header; on a tie, the
/// one most frequent in the first records; then `,`, `;`, tab in that order.
fn detect_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    const RECORDS: u32 = 8;
    let mut header = [0u64; 3];
    let mut early = [0u64; 3];
    let (mut quoted, mut in_record, mut records) = (false, false, 0u32);
    for &b in text.as_bytes() {
        match b {
            b'"' => {
                quoted = !quoted;
                in_record = true;
            }
            b'\r' | b'\n' if !quoted => {
                if in_record {
                    in_record = false;
                    records += 1;
                    if records == RECORDS {
                        break;
                    }
                }
            }
            _ => {
                in_record = true;
                if !quoted && let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    if records == 0 {
                        header[i] += 1;
                    }
                    early[i] += 1;
                }
            }
        }
    }
    let best = (0..CANDIDATES.len())
        .max_by_key(|&i| (header[i], early[i], Reverse(i)))
        .unwrap_or(0);
    CANDIDATES[best]
}

/// Excel's `sep=;` first line: the delimiter, and the text after the line.
fn excel_sep_line(text: &str) -> Option<(u8, &str)> {
    let rest = text.strip_prefix("sep=")?;
    let delimiter = *rest.as_bytes().first()?;
    if !delimiter.is_ascii() || matches!(delimiter, b'\r' | b'\n' | b'"') {
        return None;
    }
    let rest = &rest[1..];
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .or_else(|| rest.strip_prefix('\r'))
        .or_else(|| rest.is_empty().then_some(rest))?;
    Some((delimiter, rest))
}

/// The first record of text (up to a line break outside quotes).
fn first_record(text: &str) -> &str {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\r' | b'\n' if !quoted => return &text[..i],
            _ => {}
        }
    }
    text
}

/// A quote that opens a field and never closes.
struct OpenQuote {
    /// Byte offset of the quote.
    quote: usize,
    /// Byte offset where its record starts.
    record: usize,
}

/// Finds a quoted field that runs to the end of the text, with the csv
/// crate's rules: a quote opens a field only at its start, `""` inside is a
/// quote, and text after the closing quote belongs to the field.
fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<OpenQuote> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        RecordStart,
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut quote, mut record) = (State::RecordStart, 0, 0);
    let mut i = 0;
    while i < bytes.len() {
        if state == State::Quoted {
            match memchr::memchr(b'"', &bytes[i..]) {
                Some(k) => {
                    i += k + 1;
                    state = State::QuoteInQuoted;
                    continue;
                }
                None => return Some(OpenQuote { quote, record }),
            }
        }
        let b = bytes[i];
        let newline = b == b'\n' || b == b'\r';
        state = match state {
            State::RecordStart if newline => State::RecordStart,
            State::RecordStart | State::FieldStart => {
                if state == State::RecordStart {
                    record = i;
                }
                if b == b'"' {
                    quote = i;
                    State::Quoted
                } else if b == delimiter {
                    State::FieldStart
                } else if newline {
                    State::RecordStart
                } else {
                    State::Unquoted
                }
            }
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            _ if b == delimiter => State::FieldStart,
            _ if newline => State::RecordStart,
            _ => State::Unquoted,
        };
        i += 1;
    }
    (state == State::Quoted).then_some(OpenQuote { quote, record })
}

/// 1-based physical line of a byte offset (LF, CRLF or CR line ends).
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let before = &bytes[..offset.min(bytes.len())];
    let lf = memchr::memchr_iter(b'\n', before).count();
    let lone_cr = memchr::memchr_iter(b'\r', before)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64 + 1
}

// ---------------------------------------------------------------------------
// Text encodings
// ---------------------------------------------------------------------------

/// A file's text, and how it was decoded.
struct Decoded<'a> {
    text: Cow<'a, str>,
    utf16: bool,
    /// Bytes that are not valid in the encoding the file declares.
    damage: Option<String>,
    notes: Vec<String>,
}

/// UTF-16 by its byte-order mark (or by its NUL bytes); UTF-8 when valid;
/// Windows-1252 otherwise. `head`: the bytes may stop anywhere.
fn decode<'a>(bytes: &'a [u8], head: bool) -> Decoded<'a> {
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(body, UTF_16LE, 2, head);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(body, UTF_16BE, 2, head);
    }
    if let Some(encoding) = utf16_by_nuls(bytes) {
        let mut decoded = decode_utf16(bytes, encoding, 0, head);
        decoded.notes.insert(
            0,
            format!(
                "no byte-order mark, but the NUL bytes say {}: read as such",
                encoding.name()
            ),
        );
        return decoded;
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { bytes };
    let plain = |text: Cow<'a, str>, note: Option<String>| Decoded {
        text,
        utf16: false,
        damage: None,
        notes: note.into_iter().collect(),
    };
    match std::str::from_utf8(body) {
        Ok(text) => plain(Cow::Borrowed(text), None),
        // A head may end inside a character.
        Err(e) if head && e.error_len().is_none() => plain(
            Cow::Borrowed(std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default()),
            None,
        ),
        Err(e) if bom || e.error_len().is_none() => {
            let offset = e.valid_up_to() + if bom { 3 } else { 0 };
            let why = if e.error_len().is_none() {
                "the file ends inside a UTF-8 character (cut off?)".to_string()
            } else {
                format!(
                    "the file has a UTF-8 byte-order mark but is not UTF-8 (byte offset {offset})"
                )
            };
            plain(
                String::from_utf8_lossy(body),
                Some(format!("{why}: the bad bytes were read as U+FFFD")),
            )
        }
        Err(e) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(body);
            let offset = e.valid_up_to();
            plain(
                text,
                Some(format!(
                    "read as Windows-1252: not UTF-8 (byte 0x{:02X} at offset {offset})",
                    body[offset]
                )),
            )
        }
    }
}

fn decode_utf16<'a>(
    body: &'a [u8],
    encoding: &'static Encoding,
    bom: usize,
    head: bool,
) -> Decoded<'a> {
    let utf16 = |text: Cow<'a, str>, damage: Option<String>| Decoded {
        text,
        utf16: true,
        damage,
        notes: Vec::new(),
    };
    if head {
        let even = &body[..body.len() & !1];
        return utf16(encoding.decode_without_bom_handling(even).0, None);
    }
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(body) {
        return utf16(text, None);
    }
    let (text, _) = encoding.decode_without_bom_handling(body);
    let bad = text.find('\u{fffd}').unwrap_or(text.len());
    let offset = bom + 2 * text[..bad].encode_utf16().count();
    let why = if offset + 1 >= bom + body.len() && body.len() % 2 == 1 {
        format!("an odd number of bytes: the last byte (offset {offset}) is cut off")
    } else {
        format!("an unpaired surrogate at byte offset {offset}")
    };
    utf16(
        text,
        Some(format!(
            "invalid {}: {why}; read with U+FFFD in its place",
            encoding.name()
        )),
    )
}

/// UTF-16 without a byte-order mark: ASCII text leaves every other byte NUL.
fn utf16_by_nuls(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if even == 0 && odd * 2 >= units {
        Some(UTF_16LE)
    } else if odd == 0 && even * 2 >= units {
        Some(UTF_16BE)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------

type Workbook<'a> = Xlsx<Metered<'a>>;

/// The workbook's bytes, read through a meter that fails once more than the
/// budget has been read.
struct Metered<'a> {
    inner: Cursor<&'a [u8]>,
    read: Rc<Cell<u64>>,
    budget: u64,
}

impl Read for Metered<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.get() > self.budget {
            return Err(io::Error::other("read budget exhausted"));
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl Seek for Metered<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

/// The signature of an OLE compound file: a password-protected workbook (its
/// XLSX encrypted inside one), or a legacy `.xls`.
const COMPOUND_FILE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The XLSX reader looks into a compound file for an encrypted package and
/// follows its sector chains as the file declares them, without a guard
/// against a chain that loops (memory grows until the process aborts). No
/// compound file is an XLSX workbook, so none is handed to it.
fn compound_file(bytes: &[u8]) -> Option<String> {
    if !bytes.starts_with(COMPOUND_FILE) {
        return None;
    }
    let encrypted: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    Some(if memchr::memmem::find(bytes, &encrypted).is_some() {
        "not a readable XLSX workbook: it is password-protected (an encrypted package in an OLE \
         compound file); leaktrace does not decrypt workbooks"
            .into()
    } else {
        "not a readable XLSX workbook: it is an OLE compound file (a legacy .xls workbook?)".into()
    })
}

/// The fewest bytes one shared string takes in `xl/sharedStrings.xml`
/// (`<si/>`).
const SHARED_STRING_BYTES: u64 = 5;

/// The XLSX reader reserves room for the `uniqueCount` that the shared
/// strings part declares before reading a string: a count of billions makes
/// the allocation fail, which aborts the process. A count is refused when
/// the part, at its declared size, could not hold that many strings. (Its
/// `count` is the number of cells using them, which no size bounds; it is
/// not used to reserve anything.) Every part the reader could take for the
/// shared strings is checked: it looks the name up without case, under the
/// folder of the workbook part.
fn implausible_counts(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let parts: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|name| {
            name.replace('\\', "/")
                .to_ascii_lowercase()
                .ends_with("sharedstrings.xml")
        })
        .map(|name| name.into_owned())
        .collect();
    for name in parts {
        let Ok(part) = archive.by_name(&name) else {
            continue;
        };
        let declared = part.size();
        let Some(unique) = declared_unique_count(part) else {
            continue;
        };
        if unique > declared / SHARED_STRING_BYTES {
            return Some(format!(
                "refused: {name} declares uniqueCount=\"{unique}\" shared strings, more than its {} \
                 could hold (at least {SHARED_STRING_BYTES} bytes each); the XLSX reader would try to \
                 reserve memory for them all (a hostile or damaged workbook)",
                size(declared)
            ));
        }
    }
    None
}

/// The `uniqueCount` on the first `sst` element of a shared strings part,
/// read as the XLSX reader reads it (`u64::MAX` for more digits than fit).
fn declared_unique_count(part: impl Read) -> Option<u64> {
    let mut xml = quick_xml::Reader::from_reader(io::BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = true;
    config.trim_text(false);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            quick_xml::events::Event::Start(e) if e.local_name().as_ref() == "sst" => {
                let value = raw_attribute(e.attributes_raw(), "uniqueCount")?;
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let digits = value.trim_start_matches('0');
                // Too many digits for a u64: more than any part holds, too.
                return Some(if digits.is_empty() {
                    0
                } else {
                    digits.parse().unwrap_or(u64::MAX)
                });
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

/// The raw value of an attribute (any namespace prefix) in an element's
/// attribute text, scanning as the XLSX reader does: `key="value"` pairs in
/// order, stopping at the first malformed one.
fn raw_attribute<'a>(raw: &'a str, local: &str) -> Option<&'a str> {
    let mut rest = raw;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let body = &after[1..];
        let end = body.find(quote).unwrap_or(body.len());
        let key = key.trim_end();
        if key == local || key.rsplit_once(':').is_some_and(|(_, k)| k == local) {
            return Some(&body[..end]);
        }
        rest = body.get(end + 1..).unwrap_or_default();
    }
}

/// Reads one sheet; the error says where reading stopped. A sheet whose rows
/// are out of order is read again once its header is known.
fn scan_sheet(workbook: &mut Workbook<'_>, name: &str) -> (Tally, Option<String>) {
    let mut tally = Tally::default();
    let error = read_cells(workbook, name, &mut tally);
    if error.is_none()
        && tally.out_of_order
        && let Some((row, width)) = tally.header
    {
        let mut fixed = Tally::with_header(row, width);
        let error = read_cells(workbook, name, &mut fixed);
        return (fixed, error);
    }
    (tally, error)
}

fn read_cells(workbook: &mut Workbook<'_>, name: &str, tally: &mut Tally) -> Option<String> {
    let mut cells = match workbook.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        Err(e) => return Some(format!("({e})")),
    };
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let (row, column) = cell.get_position();
                if let Some(text) = cell_text(cell.get_value()) {
                    tally.cell(u64::from(row) + 1, u64::from(column) + 1, &text);
                }
            }
            Ok(None) => return None,
            Err(e) => return Some(format!("after row {} ({e})", tally.last_row)),
        }
    }
}

/// A cell's value as the spreadsheet would show it (roughly: numbers and
/// dates unformatted).
fn cell_text<'a>(value: &'a DataRef<'_>) -> Option<Cow<'a, str>> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cow::Borrowed(s.as_str())
        }
        DataRef::SharedString(s) => Cow::Borrowed(*s),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) => Cow::Owned(f.to_string()),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(d) => Cow::Owned(d.to_string()),
        DataRef::Error(e) => Cow::Owned(e.to_string()),
    })
}

/// `J5`: column letters (`A`..`Z`, `AA`.., bijective base 26) and row.
fn cell_name(row: u64, column: u64) -> String {
    let mut letters = Vec::new();
    let mut n = column;
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// Compression methods the `zip` crate knows; entries of other methods
/// cannot be decompressed at all.
const ZIP_METHODS: [u16; 15] = [0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 14, 93, 95, 98, 99];

/// The sum of the uncompressed sizes the archive declares, over every
/// central-directory header anywhere in the file (not only those the end
/// record points to, so that no way of locating the directory is missed).
/// The ZIP reader stops each entry at its declared size, so this bounds what
/// the workbook can decompress to.
fn declared_uncompressed(bytes: &[u8]) -> u64 {
    let u16_at = |h: &[u8], i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
    let mut total = 0u64;
    for at in memchr::memmem::find_iter(bytes, b"PK\x01\x02") {
        let Some(h) = bytes.get(at..at + 46) else {
            continue;
        };
        if !ZIP_METHODS.contains(&u16_at(h, 10)) {
            continue;
        }
        let (name, extra, comment) = (
            usize::from(u16_at(h, 28)),
            usize::from(u16_at(h, 30)),
            usize::from(u16_at(h, 32)),
        );
        let extra_at = at + 46 + name;
        let Some(extra) = bytes.get(extra_at..extra_at + extra) else {
            continue;
        };
        if bytes.len() < extra_at + extra.len() + comment {
            continue;
        }
        let mut declared = u64::from(u32::from_le_bytes([h[24], h[25], h[26], h[27]]));
        if declared == u64::from(u32::MAX)
            && let Some(zip64) = zip64_uncompressed(extra)
        {
            declared = zip64;
        }
        total = total.saturating_add(declared);
    }
    total
}

/// The uncompressed size in a ZIP64 extended-information field (it comes
/// first when the 32-bit size is `0xFFFFFFFF`).
fn zip64_uncompressed(mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let id = u16::from_le_bytes([extra[0], extra[1]]);
        let len = usize::from(u16::from_le_bytes([extra[2], extra[3]]));
        let data = extra.get(4..4 + len)?;
        if id == 1 {
            return Some(u64::from_le_bytes(data.get(..8)?.try_into().ok()?));
        }
        extra = &extra[4 + len..];
    }
    None
}

/// A byte count for messages: `512 MiB`, `300 bytes`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{Kind, sniff};

    const SIG: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
    const SIG_OTHER: &str = "Produced 2021-06-30 09:00:00-00:00 by acme.angeltrack.com for user John Roe (ID 17) at 192.168.1.43.";

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/testdata/grid/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn csv(text: &str) -> GridReport {
        examine_csv(text.as_bytes())
    }

    fn at(report: &GridReport) -> Option<(u64, u64)> {
        report.signature.as_ref().map(|s| (s.row, s.column))
    }

    fn name(report: &GridReport) -> Option<&str> {
        report.attribution.as_ref()?.statement.name.as_deref()
    }

    fn verified(report: &GridReport) -> Option<bool> {
        report.attribution.as_ref().map(|a| a.verified)
    }

    fn warned(report: &GridReport, part: &str) -> bool {
        report.warnings.iter().any(|w| w.contains(part))
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for unit in std::iter::once(0xFEFF)
            .filter(|_| bom)
            .chain(text.encode_utf16())
        {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    use GridVerdict::{Damaged, None as Unsigned, Signed, SignedMoved};

    #[test]
    fn csv_fixtures() {
        type Case = (
            &'static str,
            GridVerdict,
            Option<(u64, u64)>,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            ("plain.csv", Signed, Some((5, 7)), Some("Jane Doe")),
            ("quoted.csv", Signed, Some((5, 6)), Some("Jane Doe")),
            (
                "crlf_bom.csv",
                Signed,
                Some((4, 5)),
                Some("Zoë O'Brien-Núñez"),
            ),
            ("excel_eu.csv", Signed, Some((5, 6)), Some("Renée Dupré")),
            ("unicode_text.txt", Signed, Some((4, 6)), Some("Jane Doe")),
            ("trailing_rows.csv", Signed, Some((5, 7)), Some("Jane Doe")),
            ("padding.csv", Signed, Some((4, 5)), Some("Jane Doe")),
            ("resorted.csv", SignedMoved, Some((3, 7)), Some("Jane Doe")),
            ("unsigned.csv", Unsigned, None, None),
            ("notes_beyond.csv", Signed, Some((5, 7)), Some("Jane Doe")),
            ("damaged_quote.csv", Damaged, Some((5, 7)), Some("Jane Doe")),
            ("damaged_utf16.txt", Damaged, Some((4, 6)), Some("Jane Doe")),
        ];
        for &(file, verdict, place, who) in cases {
            let r = examine_csv(&fixture(file));
            assert_eq!(
                (r.verdict, at(&r), name(&r)),
                (verdict, place, who),
                "{file}: {r:#?}"
            );
            assert_eq!(verified(&r), who.map(|_| verdict == Signed), "{file}");
            if let Some(s) = &r.signature {
                assert_eq!(
                    (s.sheet.as_deref(), s.cell.as_deref()),
                    (None, None),
                    "{file}"
                );
            }
        }
    }

    #[test]
    fn plain_export_has_no_warnings_and_the_vendors_statement() {
        let r = examine_csv(&fixture("plain.csv"));
        assert_eq!(r.warnings, Vec::<String>::new());
        let s = &r.attribution.as_ref().unwrap().statement;
        assert!(s.parsed);
        assert_eq!(
            (s.user_id, s.ip.as_deref()),
            (Some(16), Some("192.168.1.42"))
        );
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-01T17:35:16Z");
        assert_eq!(r.signature.unwrap().text, SIG);
    }

    #[test]
    fn quoted_newlines_count_records_not_lines() {
        let bytes = fixture("quoted.csv");
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 8);
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((5, 6))));
        assert_eq!(
            r.signature.unwrap().text,
            SIG,
            "the quotes are not part of the text"
        );
    }

    #[test]
    fn european_excel_is_windows_1252_with_semicolons() {
        let r = examine_csv(&fixture("excel_eu.csv"));
        assert!(warned(&r, "Windows-1252"), "{:?}", r.warnings);
        let s = &r.attribution.unwrap().statement;
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-02T06:05:00Z");
        assert_eq!(s.ip.as_deref(), Some("192.168.1.77"));
    }

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
    fn damage_is_reported_with_what_was_read() {
        let r = examine_csv(&fixture("damaged_quote.csv"));
        assert!(
            warned(&r, "unterminated quote at line 3 (row 3)"),
            "{:?}",
            r.warnings
        );
        let r = examine_csv(&fixture("damaged_utf16.txt"));
        assert!(
            warned(&r, "unpaired surrogate at byte offset 116"),
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
    fn an_unparsed_signature_is_kept_raw_with_a_warning() {
        let r = csv("a,b\n1,2\n3,4,Downloaded by Jane\n");
        assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))));
        let a = r.attribution.as_ref().unwrap();
        assert!(!a.statement.parsed && a.verified);
        assert_eq!(a.statement.text, "Downloaded by Jane");
        assert!(warned(&r, "statement shape"), "{:?}", r.warnings);
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
    fn empty_input_is_none() {
        for text in ["", "\n\n", "\u{feff}", ",,,\r\n"] {
            let r = csv(text);
            assert_eq!(r.verdict, Unsigned, "{text:?}");
            assert!(warned(&r, "holds no text"), "{text:?}");
        }
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_is_no_row() {
        let r = csv(&format!("sep=;\r\na;b,x\r\n1;2;{SIG}\r\n"));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "sep=;"));
    }

    #[test]
    fn line_ends_cr_lf_crlf() {
        for eol in ["\n", "\r\n", "\r"] {
            let r = csv(&format!("a,b{eol}1,2{eol}3,4,{SIG}{eol}"));
            assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))), "{eol:?}");
        }
        // No final line end.
        assert_eq!(at(&csv(&format!("a,b\n1,2,{SIG}"))), Some((2, 3)));
    }

    #[test]
    fn utf16_big_endian_and_without_bom() {
        let text = format!("a\tb\r\n1\t2\t{SIG}\r\n");
        let r = examine_csv(&utf16(&text, true, true));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let r = examine_csv(&utf16(&text, false, false));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "NUL bytes say UTF-16LE"), "{:?}", r.warnings);
    }

    #[test]
    fn utf16_cut_off_is_damaged_but_read() {
        let mut bytes = utf16(&format!("a\tb\r\n1\t2\t{SIG}\r\n"), false, true);
        bytes.push(b'x');
        let r = examine_csv(&bytes);
        assert_eq!(
            (r.verdict, at(&r), verified(&r)),
            (Damaged, Some((2, 3)), Some(false))
        );
        assert!(warned(&r, "odd number of bytes"), "{:?}", r.warnings);
    }

    #[test]
    fn utf8_cut_off_in_a_character_stays_utf8() {
        let mut bytes = format!("a,b\nZoë,2,{SIG}\n3,Jos").into_bytes();
        bytes.push(0xC3);
        let r = examine_csv(&bytes);
        assert_eq!(
            (r.verdict, at(&r), name(&r)),
            (SignedMoved, Some((2, 3)), Some("Jane Doe"))
        );
        assert!(
            warned(&r, "ends inside a UTF-8 character"),
            "{:?}",
            r.warnings
        );
        assert!(!warned(&r, "Windows-1252"));
    }

    #[test]
    fn utf8_bom_with_bad_bytes_is_read_as_utf8() {
        let mut bytes = b"\xEF\xBB\xBFa,b\n1,\xFF,".to_vec();
        bytes.extend(SIG.as_bytes());
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "byte offset 9"), "{:?}", r.warnings);
    }

    #[test]
    fn windows_1252_names_are_decoded() {
        let (before, after) = SIG.split_once("Jane Doe").unwrap();
        let mut bytes = b"a;b\r\n1;2;".to_vec();
        bytes.extend(before.as_bytes());
        bytes.extend(b"J\xe9r\xf4me \x80");
        bytes.extend(after.as_bytes());
        let r = examine_csv(&bytes);
        assert_eq!(name(&r), Some("Jérôme €"));
    }

    #[test]
    fn nul_padding_after_the_last_record_is_blank() {
        let mut bytes = format!("a,b\n1,2,{SIG}\n").into_bytes();
        bytes.extend([0u8; 300]);
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "NUL bytes"));
    }

    #[test]
    fn unterminated_quote_in_the_header() {
        let r = csv(&format!("\"a,b\n1,2,{SIG}\n"));
        assert_eq!((r.verdict, at(&r)), (Damaged, Some((2, 3))));
        assert!(warned(&r, "line 1 (row 1)"), "{:?}", r.warnings);
    }

    #[test]
    fn unterminated_quote_after_blank_lines_and_crlf() {
        let r = csv(&format!("a,b\r\n1,2\r\n\r\n\r\n3,\"4\r\n5,6,{SIG}\r\n"));
        assert_eq!((r.verdict, at(&r)), (Damaged, Some((4, 3))));
        assert!(warned(&r, "line 5 (row 3)"), "{:?}", r.warnings);
    }

    #[test]
    fn long_cells_and_many_rows() {
        let long = "x".repeat(8 << 20);
        let mut text = format!("a,b,c\n1,\"{long}\",3\n");
        for i in 0..50_000 {
            text.push_str(&format!("{i},\"q,\"\"{i}\"\"\",z\n"));
        }
        text.push_str(&format!("9,\"{long}\",9,{SIG}\n"));
        let r = csv(&text);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((50_003, 4))));
        assert_eq!(holds(&r), (50_002, vec!["a", "b", "c"]));
        // A long cell beyond the header is kept whole.
        let r = csv(&format!("a\n1,{long}\n"));
        assert_eq!(r.signature.map(|s| s.text.len()), Some(long.len()));
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\n1,5;2\n"), b';');
        assert_eq!(detect_delimiter("a\tb, c\tc\n"), b'\t');
        assert_eq!(
            detect_delimiter("\"x,y,z\";b\n"),
            b';',
            "commas inside quotes do not count"
        );
        assert_eq!(detect_delimiter("\"multi\nline,,\";b\n"), b';');
        assert_eq!(
            detect_delimiter("a;b,c\n1;2\n3;4\n"),
            b';',
            "tie: the first records decide"
        );
        assert_eq!(detect_delimiter("abc\n"), b',');
    }

    #[test]
    fn unterminated_quote_follows_csv_rules() {
        let open = |t: &str| unterminated_quote(t.as_bytes(), b',').map(|o| (o.quote, o.record));
        assert_eq!(open("a,\"b\"\"c\",d\n"), None);
        assert_eq!(open("a,b\"c\n"), None, "a quote inside a field is text");
        assert_eq!(
            open("a,\"b\"x\"y\n"),
            None,
            "text after the closing quote is text"
        );
        assert_eq!(open("a,\"b\n"), Some((2, 0)));
        assert_eq!(open("x\n\n\"a,b\nc"), Some((3, 3)));
        assert_eq!(open("x\ny,\"\"\"\n"), Some((4, 2)));
    }

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("zoë!", 3), "zoë…");
    }

    #[test]
    fn cell_names() {
        let cases = [
            ((1, 1), "A1"),
            ((5, 10), "J5"),
            ((1, 26), "Z1"),
            ((1, 27), "AA1"),
            ((4, 29), "AC4"),
            ((1, 52), "AZ1"),
            ((1, 53), "BA1"),
            ((1, 702), "ZZ1"),
            ((1, 703), "AAA1"),
            ((1_048_576, 16_384), "XFD1048576"),
        ];
        for ((row, column), want) in cases {
            assert_eq!(cell_name(row, column), want);
        }
    }

    #[test]
    fn looks_delimited_heads() {
        for file in [
            "plain.csv",
            "quoted.csv",
            "crlf_bom.csv",
            "excel_eu.csv",
            "unicode_text.txt",
            "damaged_utf16.txt",
        ] {
            let bytes = fixture(file);
            assert!(looks_delimited(&bytes), "{file}");
            assert_eq!(sniff(&bytes), Some(Kind::Csv), "{file}");
        }
        let yes: &[&[u8]] = &[
            b"a;b\r\n",
            b"sep=;\r\n",
            b"\n\na\tb\n",
            b"\"multi\nline\",b\n",
            b"a,Zo\xc3",            // cut inside a character
            b"\xff\xfea\x00,\x00b", // UTF-16LE
        ];
        for head in yes {
            assert!(looks_delimited(head), "{head:?}");
        }
        let no: &[&[u8]] = &[
            b"",
            b"%PDF-1.7\n",
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EMSDataSet>",
            b"#Software: Microsoft Internet Information Services 8.5\r\n",
            b"just words\n,,,\n",
            b"a,b\x00c\n",
            b"\x01\x02,\x03\x04",
            b"PK\x03\x04\x14\x00,\x00",
        ];
        for head in no {
            assert!(!looks_delimited(head), "{head:?}");
        }
    }

    #[test]
    fn xlsx_fixtures() {
        type Case = (
            &'static str,
            GridVerdict,
            Option<(u64, u64, &'static str, &'static str)>,
        );
        let cases: &[Case] = &[
            ("signed.xlsx", Signed, Some((5, 10, "Patients", "J5"))),
            ("two_sheets.xlsx", Signed, Some((4, 29, "Export", "AC4"))),
            ("resorted.xlsx", SignedMoved, Some((3, 10, "Sheet1", "J3"))),
            ("unsigned.xlsx", Unsigned, None),
            ("empty.xlsx", Unsigned, None),
            ("bomb.xlsx", Damaged, None),
            ("truncated.xlsx", Damaged, None),
        ];
        for &(file, verdict, place) in cases {
            let bytes = fixture(file);
            assert!(is_xlsx_zip(&bytes), "{file}");
            assert_eq!(sniff(&bytes), Some(Kind::Xlsx), "{file}");
            let r = examine_xlsx(&bytes);
            let got = r.signature.as_ref().map(|s| {
                (
                    s.row,
                    s.column,
                    s.sheet.as_deref().unwrap(),
                    s.cell.as_deref().unwrap(),
                )
            });
            assert_eq!((r.verdict, got), (verdict, place), "{file}: {r:#?}");
            assert_eq!(verified(&r), place.map(|_| verdict == Signed), "{file}");
        }
    }

    #[test]
    fn xlsx_signed_has_the_statement_and_no_warnings() {
        let r = examine_xlsx(&fixture("signed.xlsx"));
        assert_eq!(r.warnings, Vec::<String>::new());
        assert_eq!(name(&r), Some("Jane Doe"));
        let r = examine_xlsx(&fixture("two_sheets.xlsx"));
        assert_eq!(name(&r), Some("Mary Jones"));
        assert_eq!(r.warnings, Vec::<String>::new());
    }

    #[test]
    fn xlsx_bomb_and_damage_are_explained() {
        let r = examine_xlsx(&fixture("bomb.xlsx"));
        assert!(warned(&r, "declares 600 MiB"), "{:?}", r.warnings);
        let r = examine_xlsx(&fixture("truncated.xlsx"));
        assert!(
            warned(&r, "not a readable XLSX workbook"),
            "{:?}",
            r.warnings
        );
        let r = examine_xlsx(b"not a zip at all");
        assert_eq!(r.verdict, Damaged);
        let r = examine_xlsx_within(&fixture("signed.xlsx"), 1024, u64::MAX);
        assert_eq!(r.verdict, Damaged);
        assert!(
            warned(&r, "over the limit of 1024 bytes"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn declared_sizes_include_zip64() {
        let bomb = declared_uncompressed(&fixture("bomb.xlsx"));
        let signed = declared_uncompressed(&fixture("signed.xlsx"));
        assert!(bomb > 600 << 20 && signed < 64 << 10, "{bomb} {signed}");
        let header = |size: u32, extra: &[u8]| {
            let mut h = b"PK\x01\x02".to_vec();
            h.extend([
                20, 0, 45, 0, 0, 0, 8, 0, 0, 0, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ]);
            h.extend(size.to_le_bytes());
            h.extend(1u16.to_le_bytes()); // name
            h.extend((extra.len() as u16).to_le_bytes());
            h.extend([0; 14]);
            h.push(b'x');
            h.extend(extra);
            h
        };
        let mut zip64 = vec![0x01, 0x00, 16, 0];
        zip64.extend((7u64 << 30).to_le_bytes());
        zip64.extend(5u64.to_le_bytes());
        assert_eq!(declared_uncompressed(&header(u32::MAX, &zip64)), 7 << 30);
        assert_eq!(
            declared_uncompressed(&header(u32::MAX, &[])),
            u64::from(u32::MAX)
        );
        assert_eq!(declared_uncompressed(&header(123, &[])), 123);
        // Cut short, or an unknown method: not an entry the reader could use.
        assert_eq!(declared_uncompressed(&header(123, &[])[..40]), 0);
        let mut unknown = header(123, &[]);
        unknown[10] = 77;
        assert_eq!(declared_uncompressed(&unknown), 0);
    }

    #[test]
    fn is_xlsx_zip_heads() {
        assert!(!is_xlsx_zip(b"PK\x03\x04....docs/readme.txt"));
        assert!(!is_xlsx_zip(b"xl/workbook.xml"));
        assert!(is_xlsx_zip(
            b"PK\x03\x04....[Content_Types].xml....PK\x03\x04xl/styles.xml"
        ));
        assert!(!is_xlsx_zip(
            b"PK\x03\x04....[Content_Types].xml..xl/workbook.bin"
        ));
    }

    /// A ZIP of stored entries.
    fn stored_zip(entries: &[(&str, String)]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for (name, data) in entries {
            let mut crc = flate2::Crc::new();
            crc.update(data.as_bytes());
            let offset = out.len() as u32;
            let len = (data.len() as u32).to_le_bytes();
            let common = |v: &mut Vec<u8>| {
                v.extend([20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
                v.extend(crc.sum().to_le_bytes());
                v.extend(len);
                v.extend(len);
                v.extend((name.len() as u16).to_le_bytes());
                v.extend([0, 0]);
            };
            out.extend(b"PK\x03\x04");
            common(&mut out);
            out.extend(name.as_bytes());
            out.extend(data.as_bytes());
            central.extend(b"PK\x01\x02\x14\x00");
            common(&mut central);
            central.extend([0; 10]);
            central.extend(offset.to_le_bytes());
            central.extend(name.as_bytes());
        }
        let (at, n) = (out.len() as u32, entries.len() as u16);
        out.extend(&central);
        out.extend(b"PK\x05\x06\0\0\0\0");
        out.extend(n.to_le_bytes());
        out.extend(n.to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(at.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    /// A workbook of `(sheet attributes, worksheet body)`; cells as `(ref, text)`.
    fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
        workbook_with(sheets, &[])
    }

    /// A workbook with more parts (`xl/sharedStrings.xml`, ...).
    fn workbook_with(sheets: &[(&str, String)], parts: &[(&str, String)]) -> Vec<u8> {
        const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut entries = vec![
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
                    .to_string(),
            ),
            (
                "_rels/.rels",
                format!(
                    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                     <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
                ),
            ),
        ];
        let mut list = String::new();
        let mut rels = String::new();
        let mut bodies = Vec::new();
        for (i, (attrs, body)) in sheets.iter().enumerate() {
            let n = i + 1;
            list.push_str(&format!("<sheet {attrs} sheetId=\"{n}\" r:id=\"rId{n}\"/>"));
            rels.push_str(&format!(
                "<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
            ));
            bodies.push((
                format!("xl/worksheets/sheet{n}.xml"),
                format!("<?xml version=\"1.0\"?><worksheet xmlns=\"{NS}\">{body}</worksheet>"),
            ));
        }
        entries.push((
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\"?><workbook xmlns=\"{NS}\" xmlns:r=\"{REL}\"><sheets>{list}</sheets></workbook>"),
        ));
        entries.push((
            "xl/_rels/workbook.xml.rels",
            format!("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"),
        ));
        let mut all: Vec<(&str, String)> = entries;
        for (path, body) in &bodies {
            all.push((path.as_str(), body.clone()));
        }
        all.extend(parts.iter().cloned());
        stored_zip(&all)
    }

    fn rows(cells: &[(&str, &str)]) -> String {
        let mut out = String::from("<sheetData>");
        for (at, text) in cells {
            let row: String = at.chars().filter(char::is_ascii_digit).collect();
            out.push_str(&format!(
                "<row r=\"{row}\"><c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c></row>"
            ));
        }
        out.push_str("</sheetData>");
        out
    }

    #[test]
    fn xlsx_handmade_workbook_reads() {
        let book = workbook(&[(
            "name=\"S\"",
            rows(&[("A1", "h1"), ("B1", "h2"), ("A2", "1"), ("C2", SIG)]),
        )]);
        assert!(is_xlsx_zip(&book));
        let r = examine_xlsx(&book);
        assert_eq!(
            r.signature.and_then(|s| s.cell),
            Some("C2".into()),
            "{:?}",
            r.warnings
        );
        assert_eq!(r.verdict, Signed);
    }

    #[test]
    fn xlsx_far_corner_cell_is_streamed_not_allocated() {
        let book = workbook(&[(
            "name=\"S\"",
            format!(
                "<dimension ref=\"A1:XFD1048576\"/>{}",
                rows(&[("A1", "h"), ("XFD1048576", SIG)])
            ),
        )]);
        let r = examine_xlsx(&book);
        assert_eq!(r.verdict, Signed, "{:?}", r.warnings);
        assert_eq!(r.signature.and_then(|s| s.cell), Some("XFD1048576".into()));
    }

    #[test]
    fn xlsx_rows_out_of_order_are_read_twice() {
        // The data row comes before the header row in the XML.
        let book = workbook(&[(
            "name=\"S\"",
            rows(&[
                ("C3", SIG),
                ("A3", "x"),
                ("A1", "h1"),
                ("B1", "h2"),
                ("C1", "h3"),
                ("D2", "z"),
            ]),
        )]);
        let r = examine_xlsx(&book);
        assert_eq!(
            r.signature.as_ref().and_then(|s| s.cell.clone()),
            Some("D2".into()),
            "{r:#?}"
        );
        assert_eq!(
            r.verdict, SignedMoved,
            "C3 is inside the header's width; D2 is not"
        );
        assert!(warned(&r, "statement shape"));
    }

    #[test]
    fn xlsx_hostile_dimension_is_damage_not_a_crash() {
        let book = workbook(&[
            (
                "name=\"Bad\"",
                format!("<dimension ref=\"B2:A1\"/>{}", rows(&[("A1", "h")])),
            ),
            ("name=\"Good\"", rows(&[("A1", "h"), ("B2", SIG)])),
        ]);
        let r = examine_xlsx(&book);
        // Release builds read the bad sheet; debug builds trap the overflow.
        assert!(matches!(r.verdict, Damaged | Signed), "{r:#?}");
        assert_eq!(r.signature.and_then(|s| s.sheet), Some("Good".into()));
    }

    /// A shared strings part holding `strings`, declaring `counts`.
    fn shared_strings(counts: &str, strings: &[&str]) -> String {
        let items: String = strings
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect();
        format!(
            "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             {counts}>{items}</sst>"
        )
    }

    /// A sheet whose header is shared string 0 and whose B2 is string 1.
    fn shared_sheet() -> Vec<(&'static str, String)> {
        vec![(
            "name=\"S\"",
            "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>\
             <row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c></row></sheetData>"
                .into(),
        )]
    }

    #[test]
    fn xlsx_shared_strings_unique_count_beyond_the_part_is_refused_not_an_abort() {
        // calamine reserves `uniqueCount` strings up front: 2^32 of them is
        // a ~103 GB allocation whose failure aborts the process.
        for (counts, name) in [
            (
                "count=\"2\" uniqueCount=\"4294967296\"",
                "xl/sharedStrings.xml",
            ),
            (
                "uniqueCount=\"000000000000000000000000004294967296\"",
                "xl/sharedStrings.xml",
            ),
            (
                "uniqueCount=\"99999999999999999999999999\"",
                "xl/sharedStrings.xml",
            ),
            ("uniqueCount = '4294967296'", "xl/sharedStrings.xml"),
            // The reader finds the part without regard to case.
            ("uniqueCount=\"4294967296\"", "XL/SharedStrings.XML"),
        ] {
            // The check alone: were it to let one through, the reader would
            // abort the test process (tests/examine_grid.rs runs the binary).
            let sst = shared_strings(counts, &["h", SIG]);
            let book = workbook_with(&shared_sheet(), &[(name, sst.clone())]);
            assert_eq!(
                implausible_counts(&book),
                Some(format!(
                    "refused: {name} declares uniqueCount=\"{}\" shared strings, more than its {} bytes \
                     could hold (at least 5 bytes each); the XLSX reader would try to reserve memory for \
                     them all (a hostile or damaged workbook)",
                    if counts.contains("999") {
                        u64::MAX
                    } else {
                        4294967296
                    },
                    sst.len()
                )),
                "{counts}"
            );
        }
    }

    #[test]
    fn xlsx_shared_strings_with_honest_or_harmless_counts_are_read() {
        for counts in [
            "count=\"2\" uniqueCount=\"2\"",
            // `count` is cells, not strings: any number is possible.
            "count=\"4294967296\" uniqueCount=\"2\"",
            // Stale but small, absent, or not a number the reader takes.
            "uniqueCount=\"20\"",
            "",
            "uniqueCount=\"+4294967296\"",
            "uniqueCount=\" 4294967296\"",
        ] {
            let sst = shared_strings(counts, &["h", SIG]);
            let book = workbook_with(&shared_sheet(), &[("xl/sharedStrings.xml", sst)]);
            let r = examine_xlsx(&book);
            assert_eq!(r.verdict, Signed, "{counts}: {r:#?}");
            assert_eq!(name(&r), Some("Jane Doe"), "{counts}");
        }
    }

    #[test]
    fn unique_count_is_read_like_the_xlsx_reader_reads_it() {
        let count = |xml: &str| declared_unique_count(xml.as_bytes());
        assert_eq!(count("<sst uniqueCount=\"12\"/>"), Some(12));
        assert_eq!(count("<x:sst x:uniqueCount=\"12\"></x:sst>"), Some(12));
        assert_eq!(
            count("<!-- <sst uniqueCount=\"9\"> --><sst uniqueCount=\"0\">"),
            Some(0)
        );
        assert_eq!(count("<sst count=\"12\">"), None);
        assert_eq!(count("<sst uniqueCount=\"1e9\">"), None);
        assert_eq!(count("<sst bad uniqueCount=\"12\">"), None);
        assert_eq!(count("<workbook/>"), None);
        assert_eq!(raw_attribute(" a=\"1\" b = '2'", "b"), Some("2"));
        assert_eq!(raw_attribute(" a=\"1", "b"), None);
    }

    /// An OLE compound file: a header, one FAT sector, one directory sector.
    /// With `cycle`, the FAT chains the directory sector to itself.
    fn compound(cycle: bool, name: &str) -> Vec<u8> {
        let mut bytes = COMPOUND_FILE.to_vec();
        bytes.resize(512, 0);
        let put =
            |b: &mut Vec<u8>, at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        bytes[24..34].copy_from_slice(&[0x3E, 0, 3, 0, 0xFE, 0xFF, 9, 0, 6, 0]);
        put(&mut bytes, 44, 1); // FAT sectors
        put(&mut bytes, 48, 1); // the directory starts at sector 1
        put(&mut bytes, 56, 4096);
        put(&mut bytes, 60, 0xFFFF_FFFE);
        put(&mut bytes, 68, 0xFFFF_FFFE);
        put(&mut bytes, 76, 0); // the FAT is sector 0
        for at in (80..512).step_by(4) {
            put(&mut bytes, at, u32::MAX);
        }
        let mut fat = vec![0xFFFF_FFFD_u32, if cycle { 1 } else { 0xFFFF_FFFE }];
        fat.resize(128, u32::MAX);
        bytes.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        let mut directory: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        directory.resize(512, 0);
        bytes.extend(directory);
        bytes
    }

    #[test]
    fn xlsx_compound_files_are_not_handed_to_the_reader() {
        // calamine follows the directory chain without a loop guard: memory
        // grows until the process aborts.
        let r = examine_xlsx(&compound(true, "Root Entry"));
        assert_eq!(r.verdict, Damaged);
        assert_eq!(
            r.warnings,
            ["not a readable XLSX workbook: it is an OLE compound file (a legacy .xls workbook?)"]
        );
        let r = examine_xlsx(&compound(false, "EncryptedPackage"));
        assert_eq!(r.verdict, Damaged);
        assert!(warned(&r, "password-protected"), "{:?}", r.warnings);
    }

    #[test]
    fn xlsx_hidden_sheet_and_several_sheets_are_warned() {
        let book = workbook(&[
            ("name=\"Visible\"", rows(&[("A1", "h"), ("B2", "note")])),
            (
                "name=\"Secret\" state=\"hidden\"",
                rows(&[("A1", "h"), ("B2", SIG)]),
            ),
        ]);
        let r = examine_xlsx(&book);
        assert_eq!(
            r.signature.as_ref().and_then(|s| s.sheet.clone()),
            Some("Secret".into())
        );
        assert!(warned(&r, "sheet 'Secret' is hidden"), "{:?}", r.warnings);
        assert!(warned(&r, "also on sheet 'Visible'"), "{:?}", r.warnings);
    }

    #[test]
    fn xlsx_numbers_beyond_the_header_are_text() {
        let book = workbook(&[(
            "name=\"S\"",
            "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>h</t></is></c></row>\
             <row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"><v>42.5</v></c></row></sheetData>"
                .into(),
        )]);
        let r = examine_xlsx(&book);
        assert_eq!(
            (r.verdict, r.signature.map(|s| s.text)),
            (Signed, Some("42.5".into()))
        );
    }

    #[test]
    fn xlsx_sheets_sharing_one_part_are_cut_off() {
        let mut book = workbook(&[("name=\"S1\"", rows(&[("A1", "h"), ("B2", SIG)]))]);
        // 40 more sheets whose relationships all point at sheet1.xml.
        let rels = "Target=\"worksheets/sheet1.xml\"/>";
        let list: String = (2..=41)
            .map(|n| format!("<sheet name=\"S{n}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"))
            .collect();
        let targets: String = (2..=41)
            .map(|n| format!("<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" {rels}"))
            .collect();
        book = rebuild(
            &book,
            &[
                ("</sheets>", &format!("{list}</sheets>")),
                ("</Relationships>", &format!("{targets}</Relationships>")),
            ],
        );
        let full = examine_xlsx_within(&book, MAX_XLSX_UNCOMPRESSED, u64::MAX);
        assert_eq!(full.verdict, Signed, "{:?}", full.warnings);
        assert!(warned(&full, "also on sheets"), "{:?}", full.warnings);
        assert!(
            warned(
                &full,
                "also on sheets 'S2', 'S3', 'S4', 'S5', 'S6', and 35 more"
            ),
            "{:?}",
            full.warnings
        );
        // Reading each part once stays within twice the file.
        let two = fixture("two_sheets.xlsx");
        let once = examine_xlsx_within(&two, MAX_XLSX_UNCOMPRESSED, 2 * two.len() as u64);
        assert_eq!(once.verdict, Signed, "{:?}", once.warnings);
        let cut = examine_xlsx_within(&book, MAX_XLSX_UNCOMPRESSED, 2 * book.len() as u64);
        assert_eq!(cut.verdict, Damaged, "{:?}", cut.warnings);
        assert!(warned(&cut, "read over and over"), "{:?}", cut.warnings);
        assert_eq!(
            cut.warnings
                .iter()
                .filter(|w| w.contains("over and over"))
                .count(),
            1
        );
        assert_eq!(cut.signature.and_then(|s| s.sheet), Some("S1".into()));
    }

    // -----------------------------------------------------------------------
    // What a grid holds: records and column names
    // -----------------------------------------------------------------------

    fn holds(report: &GridReport) -> (u64, Vec<&str>) {
        (
            report.data_rows,
            report.columns.iter().map(String::as_str).collect(),
        )
    }

    const RUNS: [&str; 6] = [
        "Run Number",
        "Date of Service",
        "Patient",
        "Pickup",
        "Destination",
        "Miles",
    ];

    #[test]
    fn csv_fixtures_count_records_and_name_columns() {
        let cases: &[(&str, u64, &[&str])] = &[
            ("plain.csv", 4, &RUNS),
            (
                "quoted.csv",
                4,
                &["Run Number", "Patient", "Address", "Notes", "Miles"],
            ),
            (
                "crlf_bom.csv",
                3,
                &["Run Number", "Patient", "City", "Miles"],
            ),
            (
                "excel_eu.csv",
                4,
                &["Run Number", "Patient", "Ville", "Kilomètres", "Coût"],
            ),
            (
                "unicode_text.txt",
                3,
                &["Run Number", "Patient", "Notes", "Pickup", "Miles"],
            ),
            ("trailing_rows.csv", 4, &RUNS),
            (
                "padding.csv",
                3,
                &["Run Number", "Patient", "Pickup", "Miles"],
            ),
            ("resorted.csv", 6, &RUNS),
            ("unsigned.csv", 4, &RUNS),
            ("notes_beyond.csv", 4, &RUNS),
            // Read line by line after the open quote: what was read counts.
            ("damaged_quote.csv", 4, &RUNS),
            (
                "damaged_utf16.txt",
                3,
                &["Run Number", "Patient", "Notes", "Pickup", "Miles"],
            ),
        ];
        for &(file, rows, columns) in cases {
            let r = examine_csv(&fixture(file));
            assert_eq!(holds(&r), (rows, columns.to_vec()), "{file}");
            assert!(!warned(&r, "columns; the first"), "{file}");
        }
    }

    #[test]
    fn signed_csv_counts_the_signature_row_and_names_columns_exactly() {
        let r = csv(&format!(
            " Run Number ,,\tPatient\u{0}\n1,2,3\n4,5,6,{SIG}\n"
        ));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 4))));
        assert_eq!(holds(&r), (2, vec!["Run Number", "", "Patient"]));
        // The header starts right of column 1: the blank cells before it are
        // named "" too.
        let r = csv(",,a,b\n1,2,3,4\n");
        assert_eq!(holds(&r), (1, vec!["", "", "a", "b"]));
        // A header alone (even with text beyond where a signature would be).
        let r = csv(&format!("a,b,{SIG}\n"));
        assert_eq!(holds(&r), (0, vec!["a", "b", SIG]));
    }

    #[test]
    fn empty_rows_and_padding_cells_are_not_records() {
        let r = csv(&format!(
            "\n,,\na,b,,\n1,,, \n,,,\n\n , ,\t\n\u{0},\n2,x,{SIG},\n,,,\n \n\n"
        ));
        // Empty lines are no records (as in the csv crate): row 7.
        assert_eq!((r.verdict, at(&r)), (Signed, Some((7, 3))));
        assert_eq!(holds(&r), (2, vec!["a", "b"]));
        // A record with text only beyond the header is a record.
        let r = csv(&format!("a,b\n1,2\n,,{SIG}\n,,\n"));
        assert_eq!((r.verdict, holds(&r)), (Signed, (2, vec!["a", "b"])));
        let mut bytes = b"a,b\n1,2\n".to_vec();
        bytes.extend([0u8; 64]);
        assert_eq!(holds(&examine_csv(&bytes)), (1, vec!["a", "b"]));
    }

    #[test]
    fn sep_line_and_bom_are_not_the_header() {
        let r = csv(&format!(
            "\u{feff}sep=;\r\nName;Date\r\n1;2\r\n3;4;{SIG}\r\n"
        ));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))));
        assert_eq!(holds(&r), (2, vec!["Name", "Date"]));
        assert!(warned(&r, "sep=;"));
        let r = csv("\u{feff}Name,Date\n1,2\n");
        assert_eq!(holds(&r), (1, vec!["Name", "Date"]));
    }

    #[test]
    fn utf16_tab_export_counts_and_names() {
        let text = format!("Name\tDate\t\r\nZoë\t2\t\r\n\t\t\r\n1\t2\t{SIG}\r\n\t\t\r\n");
        for (big_endian, bom) in [(false, true), (true, true), (false, false)] {
            let r = examine_csv(&utf16(&text, big_endian, bom));
            assert_eq!(
                (r.verdict, at(&r), holds(&r)),
                (Signed, Some((4, 3)), (2, vec!["Name", "Date"])),
                "{big_endian} {bom}"
            );
        }
    }

    #[test]
    fn wide_header_is_cut_and_warned() {
        let long = "n".repeat(1 << 20);
        let mut header: Vec<String> = (1..=600).map(|i| format!("c{i}")).collect();
        header[1] = format!(" {long} ");
        header[599] = String::new();
        header[598] = "last".into();
        let text = format!("{}\n1,2\n3,4,{SIG}\n", header.join(","));
        let r = csv(&text);
        assert_eq!((r.data_rows, r.columns.len()), (2, MAX_COLUMNS));
        assert_eq!(
            (r.columns[0].as_str(), r.columns[511].as_str()),
            ("c1", "c512")
        );
        assert_eq!(r.columns[1], format!("{}…", "n".repeat(MAX_COLUMN_NAME)));
        assert!(
            warned(&r, "header has 599 columns; the first 512 are listed"),
            "{:?}",
            r.warnings
        );
        // Text beyond column 599 is what the header does not cover.
        assert_eq!(r.verdict, Unsigned);
        // Exactly 512 columns: nothing cut, no warning.
        let names: Vec<String> = (1..=512).map(|i| format!("c{i}")).collect();
        let r = csv(&format!("{}\n1\n", names.join(",")));
        assert_eq!((r.data_rows, r.columns, r.warnings), (1, names, vec![]));
        // XLSX: the sheet's header is cut the same way, the warning names it.
        let mut cells: Vec<(String, String)> = (1..=520u64)
            .map(|c| (cell_name(1, c), format!("f{c}")))
            .collect();
        cells.push(("A2".into(), "1".into()));
        cells.push((cell_name(2, 521), SIG.into()));
        let cells: Vec<(&str, &str)> = cells
            .iter()
            .map(|(a, t)| (a.as_str(), t.as_str()))
            .collect();
        let r = examine_xlsx(&workbook(&[("name=\"Wide\"", one_row_per_row(&cells))]));
        assert_eq!(r.verdict, Signed, "{:?}", r.warnings);
        assert_eq!((r.data_rows, r.columns.len()), (1, MAX_COLUMNS));
        assert_eq!(r.columns[511], "f512");
        assert!(
            warned(
                &r,
                "sheet 'Wide': header has 520 columns; the first 512 are listed"
            ),
            "{:?}",
            r.warnings
        );
    }

    /// Cells grouped into one `<row>` per row number, in the order given.
    fn one_row_per_row(cells: &[(&str, &str)]) -> String {
        let mut out = String::from("<sheetData>");
        let mut open: Option<String> = None;
        for (at, text) in cells {
            let row: String = at.chars().filter(char::is_ascii_digit).collect();
            if open.as_deref() != Some(row.as_str()) {
                if open.is_some() {
                    out.push_str("</row>");
                }
                out.push_str(&format!("<row r=\"{row}\">"));
                open = Some(row);
            }
            out.push_str(&format!(
                "<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>"
            ));
        }
        if open.is_some() {
            out.push_str("</row>");
        }
        out.push_str("</sheetData>");
        out
    }

    #[test]
    fn xlsx_fixtures_count_records_and_name_columns() {
        let patients = [
            "Run Number",
            "Date of Service",
            "Patient",
            "Pickup",
            "Destination",
            "Miles",
            "Crew",
            "Unit",
            "Disposition",
        ];
        let fields: Vec<String> = (1..=28).map(|i| format!("Field {i:02}")).collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let cases: &[(&str, u64, &[&str])] = &[
            ("signed.xlsx", 4, &patients),
            // Summary (2 records) and Export (3): the names are Export's,
            // where the signature is.
            ("two_sheets.xlsx", 5, &fields),
            ("resorted.xlsx", 6, &patients),
            ("unsigned.xlsx", 6, &patients),
            ("empty.xlsx", 0, &[]),
            ("bomb.xlsx", 0, &[]),
            ("truncated.xlsx", 0, &[]),
        ];
        for &(file, rows, columns) in cases {
            let r = examine_xlsx(&fixture(file));
            assert_eq!(holds(&r), (rows, columns.to_vec()), "{file}");
        }
    }

    #[test]
    fn xlsx_two_sheets_sum_records_and_name_the_signed_sheet() {
        let book = workbook(&[
            (
                "name=\"Summary\"",
                one_row_per_row(&[("A1", "Unit"), ("B1", "Runs"), ("A2", "M07"), ("A3", "M12")]),
            ),
            (
                "name=\"Export\"",
                one_row_per_row(&[
                    ("B2", "Patient"),
                    ("D2", "Miles"),
                    ("B3", "Ann"),
                    ("B4", "Bob"),
                    ("A5", "Cy"),
                    ("E5", SIG),
                    ("A7", " "),
                ]),
            ),
        ]);
        let r = examine_xlsx(&book);
        assert_eq!(
            r.signature.as_ref().and_then(|s| s.cell.as_deref()),
            Some("E5")
        );
        assert_eq!(holds(&r), (5, vec!["", "Patient", "", "Miles"]));
        assert!(warned(&r, "the header is row 2"), "{:?}", r.warnings);
        // Unsigned: the first sheet with text names the columns.
        let book = workbook(&[
            ("name=\"Blank\"", "<sheetData/>".into()),
            (
                "name=\"Data\"",
                one_row_per_row(&[("A1", "x"), ("B1", "y"), ("A2", "1")]),
            ),
            (
                "name=\"More\"",
                one_row_per_row(&[("A1", "z"), ("A2", "2"), ("A3", "3")]),
            ),
        ]);
        let r = examine_xlsx(&book);
        assert_eq!((r.verdict, holds(&r)), (Unsigned, (3, vec!["x", "y"])));
        // Two signed sheets: the names follow the reported sheet.
        let book = workbook(&[
            (
                "name=\"Notes\"",
                one_row_per_row(&[("A1", "n"), ("A2", "1"), ("B2", "see me")]),
            ),
            (
                "name=\"Export\"",
                one_row_per_row(&[("A1", "e1"), ("B1", "e2"), ("A2", "1"), ("C2", SIG)]),
            ),
        ]);
        let r = examine_xlsx(&book);
        assert_eq!(
            r.signature.as_ref().and_then(|s| s.sheet.as_deref()),
            Some("Export")
        );
        assert_eq!(holds(&r), (2, vec!["e1", "e2"]));
    }

    #[test]
    fn xlsx_rows_out_of_order_count_against_the_final_header() {
        // The header row comes last in the XML: the rows read before it as
        // the header are records after all.
        let book = workbook(&[(
            "name=\"S\"",
            rows(&[
                ("C3", SIG),
                ("A3", "x"),
                ("A2", "y"),
                ("A1", "h1"),
                ("B1", "h2"),
                ("C1", "h3"),
                ("D2", "z"),
            ]),
        )]);
        let r = examine_xlsx(&book);
        assert_eq!(holds(&r), (2, vec!["h1", "h2", "h3"]), "{r:#?}");
    }

    #[test]
    fn tally_header_found_late_resets_names_and_counts_the_old_header() {
        // The first pass alone (what a sheet damaged mid-way reports).
        let feed = |tally: &mut Tally| {
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
        let mut first = Tally::default();
        feed(&mut first);
        assert!(first.out_of_order);
        assert_eq!(first.header, Some((1, 2)));
        let c = first.contents();
        assert_eq!(
            (c.data_rows, c.columns, c.width),
            (5, vec!["h1".into(), "h2".into()], 2)
        );
        // The second pass, with the header known.
        let mut fixed = Tally::with_header(1, 2);
        feed(&mut fixed);
        let c = fixed.contents();
        assert_eq!(
            (c.data_rows, c.columns),
            (5, vec!["h1".into(), "h2".into()])
        );
        // A row number repeated apart from itself is counted again, but
        // never beyond the rows below the header.
        let mut split = Tally::with_header(1, 1);
        for row in [2, 3, 2, 3, 2] {
            split.cell(row, 1, "x");
        }
        assert_eq!(split.contents().data_rows, 2);
    }

    #[test]
    fn empty_and_unreadable_files_hold_nothing() {
        for text in ["", "\n\n", "\u{feff}", ",,,\r\n", "sep=,\n"] {
            assert_eq!(holds(&csv(text)), (0, vec![]), "{text:?}");
        }
        let r = examine_xlsx(b"not a zip at all");
        assert_eq!((r.verdict, holds(&r)), (Damaged, (0, vec![])));
        let r = examine_xlsx(&workbook(&[("name=\"S\"", "<sheetData/>".into())]));
        assert_eq!((r.verdict, holds(&r)), (Unsigned, (0, vec![])));
    }

    #[test]
    fn unsigned_files_are_still_counted() {
        let r = csv("a;b\n1;2\n3;4\n");
        assert_eq!((r.verdict, holds(&r)), (Unsigned, (2, vec!["a", "b"])));
        let r = examine_xlsx(&fixture("unsigned.xlsx"));
        assert_eq!((r.verdict, r.data_rows, r.columns.len()), (Unsigned, 6, 9));
    }

    #[test]
    fn damaged_xlsx_sheet_counts_what_was_read() {
        let cells = [
            ("A1", "h1"),
            ("B1", "h2"),
            ("A2", "1"),
            ("C2", SIG),
            ("A3", "2"),
        ];
        let body = rows(&cells).replace("</sheetData>", "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>3</t></is></c></row><row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>4</is></c></row></sheetData>");
        let book = workbook(&[
            ("name=\"Broken\"", body),
            ("name=\"Fine\"", rows(&[("A1", "x"), ("A2", "1")])),
        ]);
        let r = examine_xlsx(&book);
        assert_eq!(r.verdict, Damaged, "{r:#?}");
        assert!(warned(&r, "unreadable after row 4"), "{:?}", r.warnings);
        // Rows 2-4 of the broken sheet (row 5 is where it broke), row 2 of
        // the other.
        assert_eq!(holds(&r), (4, vec!["h1", "h2"]));
    }

    #[test]
    fn damaged_csv_counts_what_was_read() {
        let r = csv(&format!("a,b\r\n1,2\r\n\r\n3,\"4\r\n5,6,{SIG}\r\n"));
        assert_eq!((r.verdict, holds(&r)), (Damaged, (3, vec!["a", "b"])));
        let mut bytes = utf16(&format!("a\tb\r\n1\t2\t{SIG}\r\n"), false, true);
        bytes.push(b'x');
        let r = examine_csv(&bytes);
        // The cut-off byte reads as U+FFFD, text in a row of its own: what
        // was read is counted, as it is for the final data row.
        assert_eq!((r.verdict, holds(&r)), (Damaged, (2, vec!["a", "b"])));
        // Cut on a character boundary, the file reads whole: no damage to
        // see, and the rows before the cut are what it holds.
        bytes.pop();
        bytes.truncate(bytes.len() - 2 * (SIG.len() + 2));
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, holds(&r)), (Unsigned, (1, vec!["a", "b"])));
    }

    /// The same stored ZIP with text replaced inside its entries.
    fn rebuild(zip: &[u8], edits: &[(&str, &str)]) -> Vec<u8> {
        let mut entries = Vec::new();
        let mut at = 0;
        while zip[at..].starts_with(b"PK\x03\x04") {
            let u16_at = |i: usize| usize::from(u16::from_le_bytes([zip[at + i], zip[at + i + 1]]));
            let len = u32::from_le_bytes(zip[at + 18..at + 22].try_into().unwrap()) as usize;
            let name_len = u16_at(26);
            let name = String::from_utf8(zip[at + 30..at + 30 + name_len].to_vec()).unwrap();
            let start = at + 30 + name_len + u16_at(28);
            let mut data = String::from_utf8(zip[start..start + len].to_vec()).unwrap();
            if name == "xl/workbook.xml" || name == "xl/_rels/workbook.xml.rels" {
                for (from, to) in edits {
                    data = data.replace(from, to);
                }
            }
            entries.push((name, data));
            at = start + len;
        }
        let entries: Vec<(&str, String)> = entries
            .iter()
            .map(|(n, d)| (n.as_str(), d.clone()))
            .collect();
        stored_zip(&entries)
    }
}
