//! Tests of the grid readers as a whole: the fixtures, what a grid holds,
//! the budgets and limits of `examine_xlsx_within`, and the helpers the
//! other test modules share.

use super::*;

use crate::artifact::{Kind, sniff};

pub(super) const SIG: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";

pub(super) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/grid/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(super) fn csv(text: &str) -> GridReport {
    examine_csv(text.as_bytes())
}

pub(super) fn at(report: &GridReport) -> Option<(u64, u64)> {
    report.signature.as_ref().map(|s| (s.row, s.column))
}

pub(super) fn name(report: &GridReport) -> Option<&str> {
    report.attribution.as_ref()?.statement.name.as_deref()
}

pub(super) fn verified(report: &GridReport) -> Option<bool> {
    report.attribution.as_ref().map(|a| a.verified)
}

pub(super) fn warned(report: &GridReport, part: &str) -> bool {
    report.warnings.iter().any(|w| w.contains(part))
}

pub(super) fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
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
fn an_unparsed_signature_is_kept_raw_with_a_warning() {
    let r = csv("a,b\n1,2\n3,4,Downloaded by Jane\n");
    assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))));
    let a = r.attribution.as_ref().unwrap();
    assert!(!a.statement.parsed && a.verified);
    assert_eq!(a.statement.text, "Downloaded by Jane");
    assert!(warned(&r, "statement shape"), "{:?}", r.warnings);
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
fn nul_padding_after_the_last_record_is_blank() {
    let mut bytes = format!("a,b\n1,2,{SIG}\n").into_bytes();
    bytes.extend([0u8; 300]);
    let r = examine_csv(&bytes);
    assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
    assert!(warned(&r, "NUL bytes"));
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
fn a_csv_converted_to_utf8_is_capped_whatever_its_bytes() {
    // Windows-1252 `€` (0x80) becomes three bytes of UTF-8: a file of them
    // held three times its size beside itself.
    let mut bytes = b"a;b\r\n".to_vec();
    for _ in 0..1000 {
        bytes.extend(b"\x80\x80;1\r\n");
    }
    let whole = examine_csv_within(&bytes, usize::MAX);
    assert_eq!((whole.verdict, whole.data_rows), (GridVerdict::None, 1000));
    let cut = examine_csv_within(&bytes, 1000);
    assert_eq!(cut.verdict, GridVerdict::Damaged);
    assert!(cut.data_rows < 200, "{}", cut.data_rows);
    assert!(
        warned(
            &cut,
            "converted to UTF-8, the text is longer than 1000 bytes, the limit: the rest of the \
             file was not read"
        ),
        "{:?}",
        cut.warnings
    );
    // UTF-16 is converted under the same cap.
    let text = format!("a\tb\r\n{}", "\u{20ac}\t1\r\n".repeat(1000));
    let cut = examine_csv_within(&utf16(&text, false, true), 1000);
    assert_eq!(cut.verdict, GridVerdict::Damaged);
    assert!(warned(&cut, "the text is longer than 1000 bytes"));
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
pub(super) fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
    workbook_with(sheets, &[])
}

/// A workbook with more parts (`xl/sharedStrings.xml`, ...).
pub(super) fn workbook_with(sheets: &[(&str, String)], parts: &[(&str, String)]) -> Vec<u8> {
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

pub(super) fn rows(cells: &[(&str, &str)]) -> String {
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
