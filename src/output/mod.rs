//! Every byte leaktrace writes to standard output goes through here.
//!
//! A command hands over items that know their fields ([`Item`]); the
//! [`Writer`] prints them as a table for people, or as JSON, NDJSON or CSV for
//! programs. JSON keys and CSV headers are the same names, absent values are
//! `null` (empty in CSV), times are RFC 3339. Text from logs is untrusted: it
//! is escaped before it reaches a terminal (and a table cell shows at most
//! [`sanitize::TABLE_CELL_CHARS`] characters of it), and guarded against
//! formula injection and control characters in CSV. JSON and NDJSON carry
//! every character.

pub mod case;
pub mod clock;
pub mod download;
pub mod enrich;
pub mod examination;
pub mod geo;
pub mod ips;
pub mod json;
#[cfg(feature = "analytics")]
pub mod parquet;
pub mod record;
pub mod report;
pub mod sanitize;
pub mod session;
#[cfg(feature = "analytics")]
pub mod stats;
pub mod summary;
pub mod table;

use std::any::Any;
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::time::Zone;
pub use table::{Column, Keep};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people; local times with the zone's abbreviation.
    Table,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line (JSON Lines).
    Ndjson,
    /// CSV with a header row, safe to open in Excel.
    Csv,
    /// Typed Parquet files in the folder of --output (logs, downloads,
    /// sessions): logs hive-partitioned by UTC day.
    #[cfg(feature = "analytics")]
    Parquet,
}

/// One value of an item.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Int(u64),
    /// A JSON value (an object or array); a JSON string of it in CSV.
    Json(serde_json::Value),
    /// The same, already written as JSON text: a value many items share
    /// (the place of an address), rendered once ([`Writer::shared_cell`]).
    Raw(Arc<str>),
}

/// A file name: text, or `{"bytes": "<base64>"}` for a name that is not
/// UTF-8 (see [`crate::name`]).
pub fn file_cell(name: &str) -> Cell {
    match crate::name::raw_bytes(name) {
        Some(_) => Cell::Json(crate::name::json(name)),
        None => Cell::Text(name.to_string()),
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        v.map_or(Cell::Null, Cell::Text)
    }
}

impl From<Option<u64>> for Cell {
    fn from(v: Option<u64>) -> Cell {
        v.map_or(Cell::Null, Cell::Int)
    }
}

/// What the writer needs to show an item.
pub struct Context {
    pub zone: Zone,
    /// `--verbose`: items may show more table rows (a NEMSIS file its reports).
    pub verbose: bool,
}

/// Something printed as one JSON object / CSV row / table row.
pub trait Item {
    /// JSON keys and CSV header, in order.
    const FIELDS: &'static [&'static str];
    /// Table columns: titles, and how each fits a narrow terminal.
    const TABLE: &'static [Column];
    /// The values, in the order of `FIELDS`.
    fn cells(&self, ctx: &Context) -> Vec<Cell>;
    /// The JSON object's members, `"key":value` in the order of `FIELDS`
    /// joined by `,` (no braces), written into `out`: the [`Item::cells`]
    /// as JSON, unless the item writes them itself (faster, and the same
    /// bytes).
    fn json_members(&self, ctx: &Context, out: &mut Vec<u8>) {
        json::members(out, Self::FIELDS.iter().copied(), &self.cells(ctx), true);
    }
    /// The table row, in the order of `TABLE` (not yet escaped).
    fn table_row(&self, ctx: &Context) -> Vec<String>;
    /// All table rows of the item (one, unless it has parts to show).
    fn table_rows(&self, ctx: &Context) -> Vec<Vec<String>> {
        vec![self.table_row(ctx)]
    }
}

/// A value as a CSV field: empty for null, text guarded for spreadsheets.
fn csv_cell(cell: Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Text(s) => sanitize::for_spreadsheet(s),
        Cell::Int(n) => n.to_string(),
        Cell::Json(v) => sanitize::for_spreadsheet(v.to_string()),
        Cell::Raw(text) => sanitize::for_spreadsheet(text.to_string()),
    }
}

/// A CSV writer's error as the I/O error it is, or one that names it.
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `logs --count`: the number of matching records. As a table (the default)
/// the number alone, as `grep -c` prints it; in JSON and NDJSON one object
/// `{"matched": N}` on one line; in CSV a header `matched` and the number.
pub fn write_count<W: Write>(mut out: W, format: Format, matched: u64) -> io::Result<()> {
    match format {
        Format::Table => writeln!(out, "{matched}")?,
        Format::Json | Format::Ndjson => writeln!(out, "{{\"matched\":{matched}}}")?,
        Format::Csv => writeln!(out, "matched\n{matched}")?,
        // Refused before the run (`cmd::destination::check_parquet`).
        #[cfg(feature = "analytics")]
        Format::Parquet => {
            return Err(io::Error::other(
                "--count prints a number; it does not go with --format parquet",
            ));
        }
    }
    out.flush()
}

/// Rows per printed table: a table is laid out as a whole, so long outputs
/// are printed in pages rather than held in memory.
const TABLE_PAGE: usize = 1000;

/// Writes items in one format to a buffered output.
pub struct Writer<W: Write> {
    format: Format,
    ctx: Context,
    out: Raw<W>,
    written: u64,
    page: Vec<Vec<String>>,
    table_header: &'static [Column],
    /// Columns after the item's own (`geo`): JSON keys, table columns.
    appended: (&'static [&'static str], &'static [Column]),
    /// Cells of shared values, by the value's address; the value is held
    /// so that its address is not reused.
    shared: HashMap<usize, (Arc<dyn Any + Send + Sync>, Cell)>,
    /// The width tables are laid out for ([`table::width`]).
    width: usize,
    left_out: Option<LeftOut>,
    /// An item's JSON object, made here before it is written.
    json: Vec<u8>,
    /// In CSV format, rows go through here to `out`.
    csv: Option<csv::Writer<W>>,
}

impl<W: Write> Writer<W> {
    /// A writer; tables are laid out for `width` columns.
    pub fn new(out: W, format: Format, ctx: Context, width: usize) -> Writer<W> {
        let (out, csv) = match format {
            Format::Csv => (
                None,
                Some(
                    csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(out),
                ),
            ),
            _ => (Some(out), None),
        };
        Writer {
            format,
            ctx,
            out: out.map_or(Raw::Csv, Raw::Out),
            written: 0,
            page: Vec::new(),
            table_header: &[],
            appended: (&[], &[]),
            shared: HashMap::new(),
            width,
            left_out: None,
            json: Vec::new(),
            csv,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Adds columns after every item's own: `fields` to JSON and CSV,
    /// `table` to the table; [`Writer::write_appended`] gives their values.
    pub fn append_columns(&mut self, fields: &'static [&'static str], table: &'static [Column]) {
        self.appended = (fields, table);
    }

    /// The cell of a value that many items share, rendered once.
    pub fn shared_cell<T: Any + Send + Sync>(
        &mut self,
        value: &Arc<T>,
        render: impl FnOnce(&T) -> Cell,
    ) -> Cell {
        /// Shared values remembered; past it cells are rendered again.
        const MAX_SHARED: usize = 1 << 20;
        let key = Arc::as_ptr(value) as usize;
        if let Some((_, cell)) = self.shared.get(&key) {
            return cell.clone();
        }
        let cell = render(value);
        if self.shared.len() < MAX_SHARED {
            let held: Arc<dyn Any + Send + Sync> = value.clone();
            self.shared.insert(key, (held, cell.clone()));
        }
        cell
    }

    pub fn write<I: Item>(&mut self, item: &I) -> io::Result<()> {
        self.write_appended(item, Vec::new(), Vec::new())
    }

    /// Writes an item with the values of the appended columns (missing
    /// ones are null).
    pub fn write_appended<I: Item>(
        &mut self,
        item: &I,
        mut cells: Vec<Cell>,
        mut table: Vec<String>,
    ) -> io::Result<()> {
        cells.resize(self.appended.0.len(), Cell::Null);
        table.resize(self.appended.1.len(), String::new());
        match self.format {
            Format::Table => {
                self.table_header = I::TABLE;
                // Every table cell passes here: escaped for the terminal, and
                // cut to a size comfy-table lays out quickly (its layout time
                // grows much faster than a cell's length).
                for (i, mut row) in item.table_rows(&self.ctx).into_iter().enumerate() {
                    if i == 0 {
                        row.append(&mut table);
                    } else {
                        row.resize(row.len() + self.appended.1.len(), String::new());
                    }
                    self.page
                        .push(row.iter().map(|c| sanitize::for_table(c)).collect());
                }
                if self.page.len() >= TABLE_PAGE {
                    self.flush_table()?;
                }
            }
            Format::Json | Format::Ndjson => {
                let mut json = std::mem::take(&mut self.json);
                json.clear();
                let array = self.format == Format::Json;
                json::framed(&mut json, array, |out| {
                    out.push(b'{');
                    item.json_members(&self.ctx, out);
                    json::members(out, self.appended.0.iter().copied(), &cells, false);
                    out.push(b'}');
                });
                let written = self.write_json_framed(&json, 1);
                self.json = json;
                // Counted by write_json_framed.
                return written;
            }
            Format::Csv => {
                if self.written == 0 {
                    self.csv_header::<I>()?;
                }
                let mut all = item.cells(&self.ctx);
                all.append(&mut cells);
                let cells = all.into_iter().map(csv_cell);
                self.csv_row(cells)?;
            }
            // Parquet goes to files (`parquet`), never to a stream.
            #[cfg(feature = "analytics")]
            Format::Parquet => {
                return Err(io::Error::other(
                    "--format parquet writes to the folder of --output",
                ));
            }
        }
        self.written += 1;
        Ok(())
    }

    /// How many items have been written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes `objects` JSON objects already made and framed for the
    /// format ([`json::framed`]), in one piece: the fast path of items
    /// rendered on the cores (a log's records). In a JSON array, the `,`
    /// before the output's first object becomes the array's `[`. In JSON
    /// and NDJSON only; an error in other formats.
    pub fn write_json_framed(&mut self, block: &[u8], objects: u64) -> io::Result<()> {
        if !matches!(self.format, Format::Json | Format::Ndjson) {
            return Err(io::Error::other(
                "an object made as JSON is written as JSON",
            ));
        }
        match block {
            [b',', rest @ ..] if self.format == Format::Json && self.written == 0 => {
                self.out.write_all(b"[")?;
                self.out.write_all(rest)?;
            }
            _ => self.out.write_all(block)?,
        }
        self.written += objects;
        Ok(())
    }

    /// Ends the output (closes the JSON array, prints the last table page).
    /// For CSV with no items, prints the header of `I` so the file is valid.
    /// Returns the table columns left out to fit the width, if any.
    pub fn finish<I: Item>(mut self) -> io::Result<Option<LeftOut>> {
        match self.format {
            Format::Table => {
                self.table_header = I::TABLE;
                self.flush_table()?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?
            }
            Format::Csv if self.written == 0 => self.csv_header::<I>()?,
            _ => {}
        }
        if let Some(csv) = &mut self.csv {
            csv.flush()?;
        }
        self.out.flush()?;
        Ok(self.left_out)
    }

    fn csv_header<I: Item>(&mut self) -> io::Result<()> {
        let header: Vec<String> = keys::<I>(self.appended.0).map(str::to_string).collect();
        self.csv_row(header.into_iter())
    }

    fn csv_row(&mut self, cells: impl Iterator<Item = String>) -> io::Result<()> {
        match &mut self.csv {
            Some(csv) => csv.write_record(cells).map_err(csv_error),
            None => Ok(()),
        }
    }

    fn flush_table(&mut self) -> io::Result<()> {
        if self.page.is_empty() {
            return Ok(());
        }
        let table = if self.appended.1.is_empty() {
            table::render(self.table_header, &self.page, self.width)
        } else {
            let columns: Vec<Column> = self
                .table_header
                .iter()
                .chain(self.appended.1)
                .copied()
                .collect();
            table::render(&columns, &self.page, self.width)
        };
        self.page.clear();
        LeftOut::add(&mut self.left_out, &table, self.width);
        writeln!(self.out, "{}", table.text)
    }
}

/// The output stream, or nothing of its own when CSV owns it.
enum Raw<W: Write> {
    Out(W),
    Csv,
}

impl<W: Write> Write for Raw<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Raw::Out(w) => w.write(buf),
            Raw::Csv => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Raw::Out(w) => w.flush(),
            Raw::Csv => Ok(()),
        }
    }
}

/// The JSON keys of `I` and the appended columns.
fn keys<I: Item>(appended: &'static [&'static str]) -> impl Iterator<Item = &'static str> {
    I::FIELDS.iter().chain(appended).copied()
}

/// `1 report`, `2 reports`: a count and a noun whose plural takes an `s`.
pub fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Table columns left out to fit a narrow terminal (on any page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    pub columns: Vec<&'static str>,
    /// The width the tables were laid out for.
    pub width: usize,
    /// The width that would have shown every column.
    pub full_width: usize,
}

impl LeftOut {
    /// Adds what one table left out.
    pub fn add(to: &mut Option<LeftOut>, table: &table::Rendered, width: usize) {
        if table.left_out.is_empty() {
            return;
        }
        let l = to.get_or_insert_with(|| LeftOut {
            columns: Vec::new(),
            width,
            full_width: 0,
        });
        for c in &table.left_out {
            if !l.columns.contains(c) {
                l.columns.push(c);
            }
        }
        l.full_width = l.full_width.max(table.full_width);
    }
}

/// Whether an error (anywhere in its chain) is a closed output pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// An item as a JSON object, keys in the order of its fields.
pub fn item_json<I: Item>(item: &I, ctx: &Context) -> serde_json::Value {
    let map = I::FIELDS
        .iter()
        .zip(item.cells(ctx))
        .map(|(k, c)| {
            let v = match c {
                Cell::Null => serde_json::Value::Null,
                Cell::Text(s) => serde_json::Value::String(s),
                Cell::Int(n) => serde_json::Value::from(n),
                Cell::Json(v) => v,
                Cell::Raw(text) => serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            };
            ((*k).to_string(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}

/// An item's JSON members as it writes them, and as the JSON of its cells
/// (what the writer wrote before items wrote their own): for tests.
#[cfg(test)]
pub(crate) fn own_and_cells_json<I: Item>(item: &I, ctx: &Context) -> (String, String) {
    let mut own = Vec::new();
    item.json_members(ctx, &mut own);
    let mut of_cells = Vec::new();
    json::members(
        &mut of_cells,
        I::FIELDS.iter().copied(),
        &item.cells(ctx),
        true,
    );
    let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
    (text(own), text(of_cells))
}
