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

mod csv;
mod encoding;
mod tally;
mod xlsx;

use crate::contain::contain;
use std::cell::Cell;
use std::cmp::Reverse;
use std::io::Cursor;
use std::rc::Rc;

use calamine::{Reader, SheetType, SheetVisible, Xlsx};

use self::csv::{
    csv_reader, detect_delimiter, excel_sep_line, feed, first_record, line_of, unterminated_quote,
};
use encoding::decode;
use tally::{Contents, Found, SAMPLE_ROWS, SheetTally};
pub use xlsx::MAX_SHARED_STRINGS;
use xlsx::{
    Metered, cell_name, compound_file, declared_uncompressed, implausible_counts, scan_sheet,
};

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

impl GridVerdict {
    /// The verdict's name in the output (`examine`'s `verdict`).
    pub fn as_str(self) -> &'static str {
        match self {
            GridVerdict::Signed => "signed",
            GridVerdict::SignedMoved => "signed_moved",
            GridVerdict::None => "none",
            GridVerdict::Damaged => "damaged",
        }
    }
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
    let decoded = decode(head, true, usize::MAX);
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

/// The most text a CSV that is not UTF-8 (Windows-1252, UTF-16, or with
/// bytes that are not valid) is converted to: the converted copy is held
/// beside the file's bytes, and one byte may become three.
pub const MAX_CSV_TEXT: usize = 256 << 20;

/// Reads a CSV (or `;`/tab-separated) export: the header is the first record
/// with text, and its width is its rightmost non-blank cell.
pub fn examine_csv(bytes: &[u8]) -> GridReport {
    examine_csv_within(bytes, MAX_CSV_TEXT)
}

/// [`examine_csv`], converting at most `cap` bytes of text.
fn examine_csv_within(bytes: &[u8], cap: usize) -> GridReport {
    let decoded = decode(bytes, false, cap);
    let mut warnings = decoded.notes;
    let mut damaged = false;
    if let Some(damage) = decoded.damage {
        warnings.push(damage);
        damaged = true;
    }
    if decoded.cut {
        warnings.push(format!(
            "converted to UTF-8, the text is longer than {}, the limit: the rest of the file \
             was not read",
            size(cap as u64)
        ));
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
    let mut tally = SheetTally::default();
    let open = unterminated_quote(text.as_bytes(), delimiter);
    let mut reader = csv_reader(delimiter, true, text.as_bytes());
    let mut record = ::csv::ByteRecord::new();
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
    let found = outcome.found.map(|found| Chosen {
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
/// those. One holding more than [`MAX_SHARED_STRINGS`] shared strings is
/// refused too: the reader keeps them all in memory.
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
    let mut signed: Vec<(usize, Chosen)> = Vec::new();
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
                    SheetTally::default(),
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
                Chosen {
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
struct Chosen {
    found: Found,
    in_final_row: bool,
    sheet: Option<String>,
}

fn conclude(
    found: Option<Chosen>,
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
    let Some(Chosen { found, sheet, .. }) = found else {
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

/// A byte count for messages: `5 GiB`, `512 MiB`, `300 bytes`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests;
