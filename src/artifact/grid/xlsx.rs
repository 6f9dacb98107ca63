//! XLSX: reading a workbook's sheets cell by cell through the XLSX reader, and
//! the checks that keep a hostile workbook (a ZIP bomb, an OLE compound file, an
//! implausible shared strings count, parts read over and over) from crashing it.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use calamine::{DataRef, Xlsx};

use super::size;
use super::tally::SheetTally;

type Workbook<'a> = Xlsx<Metered<'a>>;

/// The workbook's bytes, read through a meter that fails once more than the
/// budget has been read.
pub(super) struct Metered<'a> {
    pub(super) inner: Cursor<&'a [u8]>,
    pub(super) read: Rc<Cell<u64>>,
    pub(super) budget: u64,
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
pub(super) fn compound_file(bytes: &[u8]) -> Option<String> {
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
pub(super) fn implausible_counts(bytes: &[u8]) -> Option<String> {
    implausible_counts_within(bytes, MAX_SHARED_STRINGS)
}

/// The most shared strings a workbook may hold. The XLSX reader keeps every
/// one in memory (some 50 bytes each besides its text): a 1 MB workbook of
/// tens of millions of tiny strings took more than a GiB and 13 s. An
/// export of 100,000 rows has far fewer distinct strings.
pub const MAX_SHARED_STRINGS: u64 = 2_000_000;

/// [`implausible_counts`], also refusing a part that holds more than `max`
/// strings.
pub(super) fn implausible_counts_within(bytes: &[u8], max: u64) -> Option<String> {
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
        if let Some(unique) = declared_unique_count(part)
            && unique > declared / SHARED_STRING_BYTES
        {
            return Some(format!(
                "refused: {name} declares uniqueCount=\"{unique}\" shared strings, more than its {} \
                 could hold (at least {SHARED_STRING_BYTES} bytes each); the XLSX reader would try to \
                 reserve memory for them all (a hostile or damaged workbook)",
                size(declared)
            ));
        }
        if let Ok(part) = archive.by_name(&name)
            && count_strings(part, max) > max
        {
            return Some(format!(
                "refused: {name} holds more than {max} shared strings, the limit: the XLSX reader \
                 would keep every one in memory (a hostile workbook, or not a leaked export)"
            ));
        }
    }
    None
}

/// The `si` elements (any prefix) of a shared strings part, counted up to
/// one past `max`, in chunks: no XML item is held whole, however long.
fn count_strings(part: impl Read, max: u64) -> u64 {
    /// Longer names are not `si`, with any prefix a real file uses.
    const NAME: usize = 64;
    let mut part = part.take(super::MAX_XLSX_UNCOMPRESSED);
    let mut buf = vec![0u8; 64 << 10];
    let (mut kept, mut count) = (0, 0u64);
    loop {
        let filled = match part.read(&mut buf[kept..]) {
            Ok(0) | Err(_) => return count,
            Ok(n) => kept + n,
        };
        let window = &buf[..filled];
        // A tag whose name the chunk cuts is carried over to the next one.
        let mut cut = None;
        for at in memchr::memchr_iter(b'<', window) {
            let rest = &window[at + 1..];
            let end = rest
                .iter()
                .take(NAME)
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'));
            match end {
                Some(len) => {
                    let name = &rest[..len];
                    if name.rsplit(|&b| b == b':').next() == Some(b"si") {
                        count += 1;
                        if count > max {
                            return count;
                        }
                    }
                }
                None if rest.len() < NAME => {
                    cut = Some(at);
                    break;
                }
                None => {}
            }
        }
        kept = match cut {
            Some(at) => {
                buf.copy_within(at..filled, 0);
                filled - at
            }
            None => 0,
        };
    }
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
pub(super) fn scan_sheet(workbook: &mut Workbook<'_>, name: &str) -> (SheetTally, Option<String>) {
    let mut tally = SheetTally::default();
    let error = read_cells(workbook, name, &mut tally);
    if error.is_none()
        && tally.out_of_order
        && let Some((row, width)) = tally.header
    {
        let mut fixed = SheetTally::with_header(row, width);
        let error = read_cells(workbook, name, &mut fixed);
        return (fixed, error);
    }
    (tally, error)
}

fn read_cells(workbook: &mut Workbook<'_>, name: &str, tally: &mut SheetTally) -> Option<String> {
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
pub(super) fn cell_name(row: u64, column: u64) -> String {
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
pub(super) fn declared_uncompressed(bytes: &[u8]) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::grid::GridVerdict::{Damaged, Signed, SignedMoved};
    use crate::artifact::grid::tests::{SIG, fixture, name, rows, warned, workbook, workbook_with};
    use crate::artifact::grid::{examine_xlsx, is_xlsx_zip};

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
            // abort the test process (tests/cli/examine_grid.rs runs the binary).
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
    fn an_xlsx_of_millions_of_tiny_shared_strings_is_refused() {
        // A 1 MB workbook of 25 million `<si><t>x</t></si>` took 1.37 GB
        // and 13 s: the reader keeps every string.
        let texts: Vec<String> = (0..50).map(|i| format!("s{i}")).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let sst = shared_strings("", &texts);
        let book = workbook_with(&shared_sheet(), &[("xl/sharedStrings.xml", sst.clone())]);
        assert_eq!(implausible_counts_within(&book, 50), None);
        assert_eq!(
            implausible_counts_within(&book, 49).as_deref(),
            Some(
                "refused: xl/sharedStrings.xml holds more than 49 shared strings, the limit: the \
                 XLSX reader would keep every one in memory (a hostile workbook, or not a leaked \
                 export)"
            )
        );
        // Names cut between chunks, prefixes, and lookalikes.
        let mut xml = b"<x:sst>".to_vec();
        xml.resize((64 << 10) - 3, b' ');
        xml.extend(b"<x:si><t>a</t></x:si><si/><sis/><s i/>");
        assert_eq!(count_strings(&xml[..], 10), 2);
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
}
