//! `--format parquet --output DIR`: typed Parquet files for engines that
//! read more than one machine holds (DuckDB, Spark, polars).
//!
//! The columns are the JSON keys of the command, in the same order, with
//! types: times in UTC are timestamps (microseconds, adjusted to UTC),
//! numbers are 64-bit integers, local dates are dates, text is text, and
//! values JSON gives as objects or arrays (`extra`, `invalid`, a session's
//! `pages`) are their JSON text. Null where JSON has null.
//!
//! `logs` writes one folder per UTC day (`DIR/date=2017-01-19/part-0.parquet`,
//! hive partitioning; records without a UTC time go to
//! `date=__HIVE_DEFAULT_PARTITION__`); `downloads` and `sessions` one file
//! each. Rows are written as row groups of [`ROWS_PER_GROUP`] as they come,
//! so memory follows the open row groups, not the input.
//!
//! Nothing is added to or replaced in earlier output: a partition or file
//! that exists is refused (exit 2). Each file is written under a hidden
//! temporary name in its own folder and renamed when the whole run has
//! succeeded: an error or Ctrl-C leaves no `part-*.parquet` a reader could
//! take for complete.

mod columns;
mod record;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use jiff::Timestamp;
use polars::prelude::*;
use polars_io::parquet::write::{BatchedWriter, ParquetCompression, ParquetWriter};

use super::{Cell, Context, Item};
use crate::analyze::downloads::Download;
use crate::analyze::sessions::Session;
pub use columns::RecordColumns;
pub use record::{DayPartitions, file_value};

/// Rows per row group: what one open file holds in memory before writing.
pub const ROWS_PER_GROUP: usize = 65_536;

/// UTC days of `logs` written at once. Logs come mostly in time order, so
/// one or two are open; past this, the day written to least recently is
/// closed, and if its records come again they go to its next part
/// (`part-1.parquet`), rather than being held.
pub const MAX_OPEN_DAYS: usize = 4;

/// The partition of records without a UTC time (Hive's name for null).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The type a column is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// A 64-bit signed integer.
    Int,
    /// An instant: microseconds since the epoch, adjusted to UTC.
    Utc,
    /// A calendar date (local).
    Date,
    /// A JSON object or array, as its JSON text.
    Json,
    /// A file name: text, or for a name that is not UTF-8 the JSON text
    /// `{"bytes": "<base64>"}`, as JSON output gives it.
    File,
    Bool,
}

impl ColumnType {
    fn dtype(self) -> DataType {
        match self {
            ColumnType::Text | ColumnType::Json | ColumnType::File => DataType::String,
            ColumnType::Int => DataType::Int64,
            ColumnType::Utc => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
            ColumnType::Date => DataType::Date,
            ColumnType::Bool => DataType::Boolean,
        }
    }
}

/// An item written as one file: the types of its columns, and its name.
pub trait OneFile: Item {
    /// The type of each of [`Item::FIELDS`], in order.
    const TYPES: &'static [ColumnType];
    /// The file name in the output folder.
    const FILE_NAME: &'static str;
}

impl OneFile for Download {
    const TYPES: &'static [ColumnType] = {
        use ColumnType::*;
        &[
            File, Int, Utc, Text, Date, Text, Text, Text, Text, Int, Int, Text, Text, Text, Text,
            Text, Text, Text, Text, Text, Text, Int, Int, Text, Bool,
        ]
    };
    const FILE_NAME: &'static str = "downloads.parquet";
}

impl OneFile for Session {
    const TYPES: &'static [ColumnType] = {
        use ColumnType::*;
        &[
            Text, Json, Text, Json, Utc, Utc, Text, Text, Int, Int, Int, Int, Json, Json, Json,
            Int, Int, Json, File, Int,
        ]
    };
    const FILE_NAME: &'static str = "sessions.parquet";
}

const _: () = assert!(Download::TYPES.len() == Download::FIELDS.len());
const _: () = assert!(Session::TYPES.len() == Session::FIELDS.len());
const _: () = assert!(record::TYPES.len() == crate::w3c::Record::FIELDS.len());

/// The Arrow schema of columns `names` of types `types`.
fn schema(names: &[&str], types: &[ColumnType]) -> Schema {
    names
        .iter()
        .zip(types)
        .map(|(n, t)| Field::new((*n).into(), t.dtype()))
        .collect()
}

/// One column being filled.
enum Builder {
    Text(StringChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Utc(PrimitiveChunkedBuilder<Int64Type>),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    Bool(BooleanChunkedBuilder),
}

impl Builder {
    fn new(name: &str, ty: ColumnType, capacity: usize) -> Builder {
        let name = PlSmallStr::from(name);
        match ty {
            ColumnType::Text | ColumnType::Json | ColumnType::File => {
                Builder::Text(StringChunkedBuilder::new(name, capacity))
            }
            ColumnType::Int => Builder::Int(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Utc => Builder::Utc(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Date => Builder::Date(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Bool => Builder::Bool(BooleanChunkedBuilder::new(name, capacity)),
        }
    }

    fn finish(self) -> polars::prelude::Column {
        match self {
            Builder::Text(b) => b.finish().into_series().into(),
            Builder::Int(b) => b.finish().into_series().into(),
            Builder::Utc(b) => b
                .finish()
                .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
                .into_series()
                .into(),
            Builder::Date(b) => b.finish().into_date().into_series().into(),
            Builder::Bool(b) => b.finish().into_series().into(),
        }
    }
}

/// Rows collected into one row group, column by column.
pub struct RowGroup {
    names: &'static [&'static str],
    types: &'static [ColumnType],
    builders: Vec<Builder>,
    rows: usize,
    /// Integers beyond the signed 64-bit range, written as null.
    pub too_big: u64,
}

impl RowGroup {
    pub fn new(names: &'static [&'static str], types: &'static [ColumnType]) -> RowGroup {
        RowGroup {
            names,
            types,
            builders: Self::builders(names, types),
            rows: 0,
            too_big: 0,
        }
    }

    fn builders(names: &[&str], types: &[ColumnType]) -> Vec<Builder> {
        names
            .iter()
            .zip(types)
            .map(|(n, t)| Builder::new(n, *t, ROWS_PER_GROUP))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn text(&mut self, i: usize, v: Option<&str>) {
        if let Some(Builder::Text(b)) = self.builders.get_mut(i) {
            b.append_option(v);
        }
    }

    fn int(&mut self, i: usize, v: Option<u64>) {
        let v = v.and_then(|n| {
            let fits = i64::try_from(n).ok();
            self.too_big += u64::from(fits.is_none());
            fits
        });
        if let Some(Builder::Int(b)) = self.builders.get_mut(i) {
            b.append_option(v);
        }
    }

    fn utc(&mut self, i: usize, v: Option<Timestamp>) {
        if let Some(Builder::Utc(b)) = self.builders.get_mut(i) {
            b.append_option(v.map(Timestamp::as_microsecond));
        }
    }

    fn date(&mut self, i: usize, days: Option<i32>) {
        if let Some(Builder::Date(b)) = self.builders.get_mut(i) {
            b.append_option(days);
        }
    }

    fn bool(&mut self, i: usize, v: Option<bool>) {
        if let Some(Builder::Bool(b)) = self.builders.get_mut(i) {
            b.append_option(v);
        }
    }

    /// Adds one row from an item's cells, in the order of the columns.
    pub fn push_cells(&mut self, cells: Vec<Cell>) {
        for (i, cell) in cells.into_iter().enumerate() {
            let Some(&ty) = self.types.get(i) else { break };
            match (ty, cell) {
                (ColumnType::Int, Cell::Int(n)) => self.int(i, Some(n)),
                (ColumnType::Utc, Cell::Text(s)) => self.utc(i, s.parse().ok()),
                (ColumnType::Date, Cell::Text(s)) => self.date(i, days_of(&s)),
                (ColumnType::Bool, Cell::Json(serde_json::Value::Bool(b))) => self.bool(i, Some(b)),
                (_, Cell::Null) => self.null(i),
                (_, Cell::Text(s)) => self.text(i, Some(&s)),
                (_, Cell::Int(n)) => self.text(i, Some(&n.to_string())),
                (_, Cell::Json(v)) => self.text(i, Some(&v.to_string())),
                (_, Cell::Raw(text)) => self.text(i, Some(&text)),
            }
        }
        self.rows += 1;
    }

    fn null(&mut self, i: usize) {
        match self.builders.get_mut(i) {
            Some(Builder::Text(b)) => b.append_null(),
            Some(Builder::Int(b) | Builder::Utc(b)) => b.append_null(),
            Some(Builder::Date(b)) => b.append_null(),
            Some(Builder::Bool(b)) => b.append_null(),
            None => {}
        }
    }

    /// The rows so far as a data frame; the group starts empty again.
    pub fn take(&mut self) -> PolarsResult<DataFrame> {
        let builders =
            std::mem::replace(&mut self.builders, Self::builders(self.names, self.types));
        let height = std::mem::take(&mut self.rows);
        DataFrame::new(height, builders.into_iter().map(Builder::finish).collect())
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days_of(date: &str) -> Option<i32> {
    let d: jiff::civil::Date = date.parse().ok()?;
    Some(days_from_civil(
        i32::from(d.year()),
        d.month().unsigned_abs().into(),
        d.day().unsigned_abs().into(),
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// A Parquet file being written under a hidden temporary name beside its
/// final one.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Creates the temporary file of `target` (in the same folder, so the
    /// final rename is atomic); readers skip names that start with a dot.
    fn create(target: PathBuf) -> io::Result<(Staged, File)> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::options().write(true).create_new(true).open(&temp)?;
        Ok((Staged { temp, target }, file))
    }

    /// Gives the file its final name, unless that name is taken.
    fn publish(self) -> io::Result<()> {
        match fs::hard_link(&self.temp, &self.target) {
            Ok(()) => fs::remove_file(&self.temp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(taken(&self.target)),
            // A file system without hard links: rename, having looked.
            Err(_) if !self.target.exists() => fs::rename(&self.temp, &self.target),
            Err(_) => Err(taken(&self.target)),
        }
    }
}

fn taken(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} appeared while leaktrace was writing (another run into the same folder?)",
            path.display()
        ),
    )
}

/// The output file, shared so that it can be flushed (and its errors seen)
/// after the Parquet writer, which keeps it, has written the footer.
#[derive(Clone)]
struct SharedFile(Arc<Mutex<BufWriter<File>>>);

impl SharedFile {
    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, BufWriter<File>>> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("a Parquet write failed earlier"))
    }

    /// Flushes the buffer and waits until the file is on disk.
    fn sync(&self) -> io::Result<()> {
        let mut out = self.lock()?;
        out.flush()?;
        out.get_ref().sync_all()
    }
}

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lock()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.lock()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lock()?.flush()
    }
}

/// Zstandard at level 1: on the benchmark log's records about 4% less work
/// than the default level 3 for 1.4% more bytes (Snappy and LZ4 save 9%
/// for 52% more bytes). Every Parquet reader (DuckDB, Spark, polars) reads it.
fn compression() -> ParquetCompression {
    ParquetCompression::Zstd(polars::polars_utils::compression::ZstdLevel::try_new(1).ok())
}

/// An open Parquet file and the row group being filled for it.
struct OpenFile {
    staged: Staged,
    file: SharedFile,
    writer: Background,
    rows: RowGroup,
}

/// The thread that encodes, compresses and writes a file's row groups, so
/// that the cores go on reading while a row group is written: at most one
/// waits for it while it writes another.
struct Background {
    send: Option<SyncSender<DataFrame>>,
    thread: Option<JoinHandle<PolarsResult<()>>>,
}

impl Background {
    fn spawn(writer: BatchedWriter<SharedFile>) -> io::Result<Background> {
        let (send, receive) = sync_channel::<DataFrame>(1);
        let thread = std::thread::Builder::new()
            .name("parquet-writer".into())
            .spawn(move || -> PolarsResult<()> {
                let mut writer = writer;
                for df in receive {
                    writer.write_batch(&df)?;
                }
                writer.finish()?;
                Ok(())
            })?;
        Ok(Background {
            send: Some(send),
            thread: Some(thread),
        })
    }

    /// Hands a row group to the thread; if it stopped, its error.
    fn write(&mut self, df: DataFrame) -> anyhow::Result<()> {
        let sent = self.send.as_ref().map(|s| s.send(df));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => Err(self
                .join()
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the Parquet writer stopped before the end"))),
        }
    }

    /// Writes the footer once the row groups handed over are written; the
    /// thread's error if it had one.
    fn join(&mut self) -> anyhow::Result<()> {
        drop(self.send.take());
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e.into()),
            Some(Err(_)) => Err(anyhow::anyhow!("the Parquet writer failed (panic)")),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.join();
    }
}

impl OpenFile {
    fn create(
        target: PathBuf,
        names: &'static [&'static str],
        types: &'static [ColumnType],
    ) -> anyhow::Result<OpenFile> {
        let (staged, file) = Staged::create(target)?;
        let file = SharedFile(Arc::new(Mutex::new(BufWriter::with_capacity(
            1 << 20,
            file,
        ))));
        let writer = ParquetWriter::new(file.clone())
            .with_compression(compression())
            .batched(&schema(names, types))
            .map_err(anyhow::Error::from)
            .and_then(|w| Ok(Background::spawn(w)?));
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                let _ = fs::remove_file(&staged.temp);
                return Err(e);
            }
        };
        Ok(OpenFile {
            staged,
            file,
            writer,
            rows: RowGroup::new(names, types),
        })
    }

    /// Writes the row group if it is full.
    fn flush_full(&mut self) -> anyhow::Result<()> {
        if self.rows.len() >= ROWS_PER_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if !self.rows.is_empty() {
            let df = self.rows.take()?;
            self.writer.write(df)?;
        }
        Ok(())
    }

    /// Writes what is left and the footer; the file is complete but keeps
    /// its temporary name (removed on error). Returns it, and the integers
    /// written as null.
    fn close(mut self) -> anyhow::Result<(Staged, u64)> {
        let done = self
            .flush()
            .and_then(|()| self.writer.join())
            .and_then(|()| Ok(self.file.sync()?));
        match done {
            Ok(()) => Ok((self.staged, self.rows.too_big)),
            Err(e) => {
                let _ = fs::remove_file(&self.staged.temp);
                Err(e)
            }
        }
    }

    /// Abandons the file: closed and removed.
    fn discard(self) {
        let temp = self.staged.temp;
        drop(self.writer);
        drop(self.file);
        let _ = fs::remove_file(temp);
    }
}

/// Checks the output folder: not inside an input folder (evidence is never
/// written to); created if needed.
pub fn prepare_folder(dir: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    crate::cmd::refuse_inside_evidence("--output", dir, inputs, "the Parquet files")?;
    if dir.exists() && !dir.is_dir() {
        return Err(crate::exit::usage(format!(
            "--output {}: not a folder",
            dir.display()
        )));
    }
    fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("--output {}: cannot create the folder: {e}", dir.display()))
}

/// Files written and not yet published; removed if the run does not end
/// well (error, Ctrl-C).
#[derive(Default)]
struct Pending(Vec<Staged>);

impl Pending {
    /// Publishes every file: first checks that no final name is taken, so
    /// a refusal publishes nothing.
    fn publish(&mut self) -> anyhow::Result<()> {
        if let Some(s) = self.0.iter().find(|s| s.target.exists()) {
            return Err(taken(&s.target).into());
        }
        for staged in std::mem::take(&mut self.0) {
            let temp = staged.temp.clone();
            if let Err(e) = staged.publish() {
                let _ = fs::remove_file(temp);
                return Err(e.into());
            }
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        for s in &self.0 {
            let _ = fs::remove_file(&s.temp);
        }
    }
}

/// `downloads` or `sessions` into `DIR/<FILE_NAME>`.
pub struct ItemFile<I> {
    file: Option<OpenFile>,
    pending: Pending,
    ctx: Context,
    _item: std::marker::PhantomData<I>,
}

impl<I: OneFile> ItemFile<I> {
    /// Refuses a file of an earlier run (exit 2).
    pub fn create(dir: &Path, ctx: Context) -> anyhow::Result<ItemFile<I>> {
        let target = dir.join(I::FILE_NAME);
        if target.exists() {
            return Err(crate::exit::usage(format!(
                "--output {}: {} exists (an earlier run?); leaktrace does not replace it: write to another folder or delete it first",
                dir.display(),
                target.display()
            )));
        }
        let file = OpenFile::create(target, I::FIELDS, I::TYPES)?;
        Ok(ItemFile {
            file: Some(file),
            pending: Pending::default(),
            ctx,
            _item: std::marker::PhantomData,
        })
    }

    pub fn write(&mut self, item: &I) -> io::Result<()> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        file.rows.push_cells(item.cells(&self.ctx));
        file.flush_full().map_err(io::Error::other)
    }

    /// Completes the file and gives it its name. Returns the integers
    /// beyond the signed 64-bit range, written as null.
    pub fn finish(mut self) -> anyhow::Result<u64> {
        let mut too_big = 0;
        if let Some(file) = self.file.take() {
            let (staged, n) = file.close()?;
            too_big = n;
            self.pending.0.push(staged);
        }
        self.pending.publish()?;
        Ok(too_big)
    }
}

impl<I> Drop for ItemFile<I> {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            file.discard();
        }
    }
}

#[cfg(test)]
mod tests;
