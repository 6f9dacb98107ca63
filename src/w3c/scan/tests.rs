//! Tests of the parallel driver.

use super::*;
use crate::w3c::fields::Column;

fn scan_bytes(data: &[u8], cfg: &ScanConfig) -> (FileReport, Vec<(u64, String)>) {
    let mut reader = Reader::new(cfg);
    let mut report = FileReport::default();
    let select = |row: &Row<'_>| row.text(Column::UriStem);
    let hits = reader.batch(data, true, &Selected::new(&select), &mut report);
    (
        report,
        hits.into_iter()
            .flatten()
            .map(|h| (h.line, h.item))
            .collect(),
    )
}

#[test]
fn header_blocks_change_the_field_map() {
    let log = b"#Fields: date time cs-uri-stem\n2017-01-19 00:00:00 /a\n#Fields: time cs-uri-stem date\n00:00:01 /b 2017-01-19\n";
    let (report, hits) = scan_bytes(log, &ScanConfig::default());
    assert_eq!(hits, [(2, "/a".to_string()), (4, "/b".to_string())]);
    assert_eq!(report.records, 2);
    assert_eq!(report.malformed, 0);
}

#[test]
fn state_carries_across_chunks() {
    // Enough rows for several chunks: the header of the first chunk must
    // apply to the rows of the later ones.
    let mut log = b"#Fields: date time cs-uri-stem\n".to_vec();
    let row = b"2017-01-19 00:00:00 /a-rather-long-path-to-fill-the-chunks-quickly-with-rows\n";
    while log.len() < 3 * CHUNK {
        log.extend_from_slice(row);
    }
    let rows = (log.len() as u64 - 31) / row.len() as u64;
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert_eq!(report.records, rows);
    assert_eq!(hits.last().unwrap().0, rows + 1);
    assert_eq!(report.malformed, 0);
}

#[test]
fn nul_padding_and_restart_after_it() {
    let mut log = b"#Fields: time cs-uri-stem\n00:00:01 /a\n".to_vec();
    log.extend(std::iter::repeat_n(0u8, 100));
    log.extend_from_slice(b"#Fields: cs-uri-stem\n/b\n");
    log.extend(std::iter::repeat_n(0u8, 50));
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert_eq!(hits, [(2, "/a".to_string()), (4, "/b".to_string())]);
    assert_eq!(report.nul_bytes, 150);
    assert_eq!(report.malformed, 0);
}

#[test]
fn bom_crlf_and_cut_off_last_line() {
    let log =
        b"\xEF\xBB\xBF#Fields: date time cs-uri-stem\r\n2017-01-19 00:00:00 /a\r\n2017-01-19 00:00";
    let (report, hits) = scan_bytes(log, &ScanConfig::default());
    assert_eq!(hits, [(2, "/a".to_string())]);
    assert_eq!(report.malformed, 1);
    assert_eq!(report.samples[0].line, 3);
    assert!(report.samples[0].cut_off);
}

#[test]
fn rows_without_header_use_a_default_layout_and_say_so() {
    let log = b"2017-01-19 00:00:00 10.0.0.1 GET /a - 443 - 1.2.3.4 UA - 200 0 0 5\n1 2 3\n";
    let (report, hits) = scan_bytes(log, &ScanConfig::default());
    assert_eq!(hits, [(1, "/a".to_string())]);
    assert_eq!(report.inferred.values().sum::<u64>(), 1);
    assert_eq!(report.samples[0].problem, Problem::NoHeader { found: 3 });
}

/// Writes `data` to a file and reads it with [`scan`], as a named input.
/// The file is dated an hour back: under `--mmap auto` it is mapped (a
/// file just written would be streamed as a live log).
fn scan_file(data: &[u8], cfg: &ScanConfig) -> (FileReport, Vec<(u64, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, data).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let input = Input::File {
        path,
        explicit: true,
    };
    let select = |row: &Row<'_>| row.text(Column::UriStem);
    let mut hits = Vec::new();
    let mut sink = |_: &Arc<str>, batch: Vec<Hit<String>>| {
        hits.extend(batch.into_iter().map(|h| (h.line, h.item)));
        Ok(())
    };
    let report = scan(&input, cfg, &select, &mut sink, &|_| {}).unwrap();
    (report, hits)
}

/// Scans `data` from a file, mapped and then streamed: the two reports
/// and hits must agree; returns the mapped ones.
fn scan_both_ways(data: &[u8]) -> (FileReport, Vec<(u64, String)>) {
    let mapped = scan_file(data, &ScanConfig::default());
    let streamed = scan_file(
        data,
        &ScanConfig {
            mmap: MmapChoice::Never,
            ..ScanConfig::default()
        },
    );
    assert_eq!(mapped.1, streamed.1, "the same hits either way");
    let (a, b) = (&mapped.0, &streamed.0);
    assert_eq!(
        (
            a.lines,
            a.rows,
            a.records,
            a.malformed,
            a.nul_bytes,
            a.bytes
        ),
        (
            b.lines,
            b.rows,
            b.records,
            b.malformed,
            b.nul_bytes,
            b.bytes
        )
    );
    assert_eq!(a.samples, b.samples);
    mapped
}

#[test]
fn a_line_longer_than_16_mib_is_one_malformed_row_mapped_or_streamed() {
    let mut data = b"#Fields: date time cs-uri-stem\n2024-01-01 00:00:01 /a\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', MAX_LINE + 5));
    data.extend_from_slice(b"\n2024-01-01 00:00:02 /b\n");
    let (report, hits) = scan_both_ways(&data);
    assert_eq!(hits, [(2, "/a".to_string()), (4, "/b".to_string())]);
    assert_eq!((report.records, report.malformed), (2, 1));
    assert_eq!(report.bytes, data.len() as u64);
    assert_eq!(
        report.samples[0].problem,
        Problem::LineTooLong {
            bytes: MAX_LINE as u64 + 5
        }
    );
    assert_eq!(report.samples[0].line, 3);
}

#[test]
fn nul_padding_longer_than_a_batch_is_skipped_and_the_header_after_it_read() {
    // IIS preallocates with NULs and, after a restart, writes its header
    // right after them, on the same line.
    let mut data = b"#Fields: date time cs-uri-stem\n2024-01-01 00:00:01 /a\n".to_vec();
    data.extend(std::iter::repeat_n(0u8, BATCH + MAX_LINE + 7));
    data.extend_from_slice(b"#Fields: date time cs-method cs-uri-stem\n");
    data.extend_from_slice(b"2024-01-01 00:00:02 GET /b\n");
    let (report, hits) = scan_both_ways(&data);
    assert_eq!(hits, [(2, "/a".to_string()), (4, "/b".to_string())]);
    assert_eq!(report.malformed, 0);
    assert_eq!(report.nul_bytes, (BATCH + MAX_LINE + 7) as u64);
}

#[test]
fn a_batch_never_takes_a_nul_run_or_a_long_line_whole() {
    let nothing = |_: usize, _: usize| {};
    // A NUL run longer than a batch, in the line the cut falls in.
    let mut data = b"ab\ncd\n".to_vec();
    data.extend(std::iter::repeat_n(0u8, 100));
    data.extend_from_slice(b"ef\n");
    assert_eq!(
        cut_batch(&data, 0, 8, 20, &nothing),
        Cut {
            lines_end: 6,
            then: After::Nuls(100),
            next: 106
        }
    );
    // A line over the limit, with some NULs before it.
    let mut data = b"ab\n\0\0".to_vec();
    data.extend(std::iter::repeat_n(b'x', 50));
    data.extend_from_slice(b"\nef\n");
    assert_eq!(
        cut_batch(&data, 0, 8, 20, &nothing),
        Cut {
            lines_end: 3,
            then: After::Long {
                nuls: 2,
                line: LongLine {
                    bytes: 50,
                    unterminated: false
                }
            },
            next: 56
        }
    );
    // A line within the limit that the cut falls in is kept whole.
    let data = b"ab\ncdefghijklmnop\nqr\n";
    assert_eq!(
        cut_batch(data, 0, 8, 20, &nothing),
        Cut {
            lines_end: 18,
            then: After::Nothing,
            next: 18
        }
    );
}

/// Bytes that look like a binary: an ELF header, then noise with line ends.
fn binary(len: usize) -> Vec<u8> {
    let mut next = crate::w3c::xorshift(0x9e37_79b9_7f4a_7c15);
    let mut out = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    while out.len() < len {
        let seed = next();
        out.push(match seed % 64 {
            0 => b'\n',
            1..=4 => b' ',
            _ => (seed >> 8) as u8,
        });
    }
    out
}

#[test]
fn fields_line_over_the_limit_is_reported_and_its_rows_are_not_read() {
    // Once `unwrap_or(u16::MAX)`: c-ip, the 70,000th name, read position
    // 65,535 of a row, and the rows of such a block were read with it.
    let names: Vec<String> = (0..69_999).map(|i| format!("x-{i}")).collect();
    let mut log = format!("#Fields: {} c-ip\n", names.join(" ")).into_bytes();
    log.extend_from_slice(b"/a 1.2.3.4\n/b 1.2.3.4\n#Fields: cs-uri-stem c-ip\n/c 1.2.3.4\n");
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert_eq!(hits, [(5, "/c".to_string())]);
    assert_eq!(report.records, 1);
    assert_eq!(report.malformed, 3, "the header line and its two rows");
    let problems: Vec<(u64, String)> = report
        .samples
        .iter()
        .map(|a| (a.line, a.problem.to_string()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                1,
                "a #Fields line of 70000 names, over the limit of 256; the rows of its block are not read".to_string()
            ),
            (
                2,
                "not read: its #Fields line names 70000 fields, over the limit of 256".to_string()
            ),
            (
                3,
                "not read: its #Fields line names 70000 fields, over the limit of 256".to_string()
            ),
        ]
    );
    // At the limit, the header is read.
    let names: Vec<String> = (0..255).map(|i| format!("x-{i}")).collect();
    let mut log = format!("#Fields: {} cs-uri-stem\n", names.join(" ")).into_bytes();
    log.extend_from_slice(format!("{}/a\n", "- ".repeat(255)).as_bytes());
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert_eq!(hits, [(2, "/a".to_string())]);
    assert_eq!(report.malformed, 0);
}

#[test]
fn fields_line_over_the_limit_holds_for_the_rows_of_later_chunks() {
    let names = vec!["cs-uri-stem"; 300].join(" ");
    let mut log = format!("#Fields: {names}\n").into_bytes();
    let header = log.len();
    let row = b"/a-rather-long-path-to-fill-the-chunks-quickly-with-rows-of-the-block\n";
    while log.len() < 3 * CHUNK {
        log.extend_from_slice(row);
    }
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert!(hits.is_empty());
    assert_eq!(report.records, 0);
    assert_eq!(report.rows, ((log.len() - header) / row.len()) as u64);
    assert_eq!(report.malformed, report.rows + 1);
    // With --fields the header is replaced, whatever its length.
    let cfg = ScanConfig {
        fields: Some(Arc::new(FieldMap::parse_override("cs-uri-stem").unwrap())),
        ..ScanConfig::default()
    };
    let (report, _) = scan_bytes(&log, &cfg);
    assert_eq!(report.malformed, 0);
    assert_eq!(report.records, report.rows);
}

#[test]
fn input_with_nothing_w3c_is_not_a_log_and_not_malformed_rows() {
    // Once "155523 malformed" and exit 0 for an ELF binary.
    let (report, hits) = scan_file(&binary(1 << 20), &ScanConfig::default());
    assert!(hits.is_empty());
    assert_eq!(
        report.skipped,
        Some("no W3C directive, and no row fits a default layout or --fields")
    );
    assert_eq!((report.rows, report.malformed), (0, 0));
    assert!(report.samples.is_empty());
    assert!(!report.empty);
    // So is text with no W3C in it, comments included; and --fields
    // that no row fits changes nothing.
    for text in [
        &b"hello world\nsecond line\n"[..],
        b"#!/bin/sh\necho hi\n",
        b"# a comment\n",
    ] {
        let (report, _) = scan_file(text, &ScanConfig::default());
        assert!(
            report.skipped.is_some(),
            "{}",
            String::from_utf8_lossy(text)
        );
    }
    let cfg = ScanConfig {
        fields: Some(Arc::new(FieldMap::parse_override("date time").unwrap())),
        ..ScanConfig::default()
    };
    assert!(scan_file(&binary(4096), &cfg).0.skipped.is_some());
}

#[test]
fn a_log_with_malformed_rows_is_still_a_log() {
    // A directive makes it a log, even when no row fits.
    let log = b"#Software: Microsoft IIS\n#Fields: date cs-uri-stem\nbad\nworse row\n";
    let (report, _) = scan_file(log, &ScanConfig::default());
    assert_eq!(report.skipped, None);
    assert_eq!(report.malformed, 2);
    // So does one row that fits a default layout, among garbage.
    let mut log = binary(10_000);
    log.extend_from_slice(
        b"\n2017-01-19 00:00:00 10.0.0.1 GET /a - 443 - 1.2.3.4 UA - 200 0 0 5\n",
    );
    let (report, hits) = scan_file(&log, &ScanConfig::default());
    assert_eq!(report.skipped, None);
    assert_eq!(report.records, 1);
    assert!(report.malformed > 0);
    assert_eq!(hits.len(), 1);
    // And an oversized #Fields line is a directive too.
    let log = format!("#Fields: {}\nrow\n", vec!["x"; 300].join(" "));
    let (report, _) = scan_file(log.as_bytes(), &ScanConfig::default());
    assert_eq!(report.skipped, None);
    assert_eq!(report.malformed, 2);
}

#[test]
fn empty_input_is_an_empty_log_not_an_error() {
    for data in [&b""[..], b"\n\r\n\n", &[0u8; 4096]] {
        let (report, _) = scan_file(data, &ScanConfig::default());
        assert_eq!(report.skipped, None, "{data:?}");
        assert!(report.empty, "{data:?}");
        assert_eq!(report.malformed, 0);
    }
    let (report, _) = scan_file(b"#Fields: date time\n", &ScanConfig::default());
    assert!(!report.empty);
    assert_eq!(report.skipped, None);
}

#[test]
fn fields_override_replaces_headers() {
    let cfg = ScanConfig {
        fields: Some(Arc::new(FieldMap::parse_override("cs-uri-stem x").unwrap())),
        ..ScanConfig::default()
    };
    let (_, hits) = scan_bytes(b"#Fields: a b c\n/a 1\n", &cfg);
    assert_eq!(hits, [(2, "/a".to_string())]);
}

#[test]
fn each_chunk_knows_its_first_line() {
    let chunks: [&[u8]; 4] = [b"a\nb\n", b"\n\n", b"c\r\nd", b"e\n"];
    assert_eq!(lines_before(&chunks, 10), [10, 12, 14, 16]);
    // Rows and anomalies far into a batch carry the input's lines: rows
    // over several chunks, a blank and a malformed line among them.
    let mut log = b"#Fields: cs-uri-stem sc-status\n".to_vec();
    let mut lines = 1u64;
    while log.len() < 3 * CHUNK {
        log.extend_from_slice(b"/a 200\n\n");
        lines += 2;
    }
    log.extend_from_slice(b"/b 200 x\n/c 200");
    let (report, hits) = scan_bytes(&log, &ScanConfig::default());
    assert_eq!(hits.last(), Some(&(lines + 2, "/c".to_string())));
    assert_eq!(report.samples.first().map(|a| a.line), Some(lines + 1));
    assert!(
        hits.windows(2)
            .all(|w| w[1].0 == w[0].0 + 2 || w[1].0 == w[0].0 + 3)
    );
}

#[test]
fn a_mapped_log_is_hashed_as_it_is_read_skipped_bytes_included() {
    let header = b"#Fields: date time cs-uri-stem\n2024-01-01 00:00:01 /a\n";
    let row = b"2024-01-01 00:00:02 /a-rather-long-path-to-fill-the-batches-with-rows\n";
    let mut several_batches = header.to_vec();
    while several_batches.len() < 2 * BATCH + 3 {
        several_batches.extend_from_slice(row);
    }
    let mut long_line = header.to_vec();
    long_line.extend(std::iter::repeat_n(b'x', MAX_LINE + 5));
    long_line.extend_from_slice(b"\n2024-01-01 00:00:02 /b");
    let mut nul_run = header.to_vec();
    nul_run.extend(std::iter::repeat_n(0u8, BATCH + 7));
    nul_run.extend_from_slice(b"#Fields: cs-uri-stem\n/b\n");
    nul_run.extend(std::iter::repeat_n(0u8, 50));
    let mut long_first = std::iter::repeat_n(b'y', MAX_LINE + 1).collect::<Vec<u8>>();
    long_first.extend_from_slice(b"\n");
    long_first.extend_from_slice(header);
    let hashing = ScanConfig {
        hash: true,
        ..ScanConfig::default()
    };
    for data in [
        &header[..],
        &several_batches,
        &long_line,
        &nul_run,
        &long_first,
    ] {
        let (report, _) = scan_file(data, &hashing);
        let whole = crate::digest::sha256_pieces(data, data.len(), |_, _| {});
        assert_eq!(report.sha256, Some(whole), "{} bytes", data.len());
        // Not asked, or not mapped: no hash (the caller hashes the file).
        assert_eq!(scan_file(data, &ScanConfig::default()).0.sha256, None);
        let streamed = ScanConfig {
            mmap: MmapChoice::Never,
            ..hashing.clone()
        };
        assert_eq!(scan_file(data, &streamed).0.sha256, None);
    }
}
