//! Tests of row checking: times and dates, numbers, addresses, invalid values.

use super::*;
use crate::w3c::fields::FieldOrigin;
use crate::w3c::when::parse_date;
use jiff::civil::Date;

#[test]
fn times_and_dates() {
    assert_eq!(parse_time(b"17:16:30"), Some((62190, 0)));
    assert_eq!(parse_time(b"00:00:00.363"), Some((0, 363_000_000)));
    assert_eq!(parse_time(b"25:61:00"), None);
    assert_eq!(parse_time(b"12:00:00."), None);
    assert!(parse_date(b"2017-13-45").is_none());
    assert!(parse_date(b"2016-02-29").is_some());
    assert_eq!(
        midnight_utc(parse_date(b"2017-01-19").unwrap()),
        Some(1484784000)
    );
}

#[test]
fn address_shapes() {
    for ok in [
        "73.21.44.9",
        "::1",
        "::1%0",
        "fe80::1ff:fe23:4567:890a%eth0",
        "::ffff:1.2.3.4",
        "[2001:db8::1]",
    ] {
        assert!(looks_like_ip(ok.as_bytes()), "{ok}");
    }
    for bad in [
        "[10.1.2.3](http://10.1.2.3)",
        "host.example",
        "abc",
        "1234",
        "GET",
    ] {
        assert!(!looks_like_ip(bad.as_bytes()), "{bad}");
    }
}

#[test]
fn numbers_beyond_32_bits_and_decimal_seconds() {
    assert_eq!(
        parse_number(Column::Win32Status, b"214784354254"),
        Some(214784354254)
    );
    assert_eq!(parse_number(Column::TimeTaken, b"0.25"), Some(250));
    assert_eq!(parse_number(Column::Status, b"2.5"), None);
    assert_eq!(
        parse_number(Column::Status, b"99999999999999999999999"),
        None
    );
}

#[test]
fn row_reads_time_numbers_and_unescapes() {
    let map = FieldMap::new(
        &["date", "time", "cs(User-Agent)", "sc-status"],
        FieldOrigin::Header,
    );
    let line = br#"2017-01-19 17:16:30 "say ""hi""" 200"#;
    let mut spans = Vec::new();
    tokenize(line, Some(4), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: false,
        log_tz: None,
    };
    let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
    assert!(row.has_escapes());
    assert_eq!(row.time.unwrap().to_string(), "2017-01-19T17:16:30Z");
    assert_eq!(row.text(Column::UserAgent).unwrap(), r#"say "hi""#);
    assert_eq!(row.number(Column::Status), Some(200));
}

#[test]
fn plain_reads_what_raw_reads() {
    let map = FieldMap::new(
        &[
            "date",
            "time",
            "cs-method",
            "cs-uri",
            "cs-username",
            "sc-status",
        ],
        FieldOrigin::Header,
    );
    for line in [
        &b"2017-01-19 17:16:30 GET /Temp/a.zip?x=1 - 200"[..],
        b"2017-01-19 17:16:30 POST /Page.aspx jsmith 200",
        b"2017-01-19 17:16:30 GET /q? ACME\\jsmith 200",
    ] {
        let mut spans = Vec::new();
        tokenize(line, Some(6), &mut spans).unwrap();
        let ctx = RowContext {
            map: &map,
            block_date: None,
            unquoted: true,
            log_tz: None,
        };
        let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
        assert!(!row.has_escapes());
        for col in [
            Column::Method,
            Column::UriStem,
            Column::UriQuery,
            Column::Username,
            Column::ClientIp,
        ] {
            assert_eq!(row.plain(col), row.raw(col).as_deref(), "{col:?}");
            assert_eq!(row.plain_inlined(col), row.plain(col), "{col:?}");
        }
    }
}

#[test]
fn row_without_date_uses_block_date() {
    let map = FieldMap::new(&["time", "cs-uri"], FieldOrigin::Header);
    let line = b"16:58:07.250 /a/b?x=1";
    let mut spans = Vec::new();
    tokenize(line, Some(2), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: Some(BlockDate::new(jiff::civil::date(2017, 1, 19))),
        unquoted: false,
        log_tz: None,
    };
    let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
    assert_eq!(row.time.unwrap().to_string(), "2017-01-19T16:58:07.25Z");
    assert_eq!(row.text(Column::UriStem).unwrap(), "/a/b");
    assert_eq!(row.text(Column::UriQuery).unwrap(), "x=1");
}

#[test]
fn bad_number_names_the_field() {
    let map = FieldMap::new(&["sc-status"], FieldOrigin::Header);
    let mut spans = Vec::new();
    tokenize(b"abc", Some(1), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: false,
        log_tz: None,
    };
    let row = check(b"abc", &spans, &ctx, &mut DateCache::default()).unwrap();
    assert_eq!(row.number(Column::Status), None);
    let Some(Problem::Kept { first, more: 0 }) = row.invalid_problem() else {
        panic!("not kept");
    };
    assert_eq!(first.to_string(), "sc-status 'abc' is not a number");
}

/// Reads one row of `fields` (space-separated names) with an optional
/// block `#Date`.
fn read(fields: &str, line: &str, block: Option<Date>) -> Result<Option<String>, String> {
    let names: Vec<&str> = fields.split(' ').collect();
    let map = FieldMap::new(&names, FieldOrigin::Header);
    let mut spans = Vec::new();
    tokenize(line.as_bytes(), Some(map.len()), &mut spans).map_err(|e| e.to_string())?;
    let ctx = RowContext {
        map: &map,
        block_date: block.map(BlockDate::new),
        unquoted: false,
        log_tz: None,
    };
    check(line.as_bytes(), &spans, &ctx, &mut DateCache::default())
        .map(|row| row.time.map(|t| t.to_string()))
        .map_err(|e| e.to_string())
}

#[test]
fn date_past_what_an_instant_holds_is_malformed_not_1970() {
    // Once `unwrap_or(0)`: 9999-12-31 10:00:00 became 1970-01-01T10:00:00Z.
    let err = read("date time", "9999-12-31 10:00:00", None).unwrap_err();
    assert!(
        err.starts_with("date '9999-12-31' is out of range: leaktrace places times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z"),
        "{err}"
    );
    assert!(read("date", "9999-12-31", None).is_err(), "date alone");
    assert!(read("date time", "0000-01-01 00:00:00", None).is_err());
}

#[test]
fn date_past_i64_nanoseconds_is_malformed_not_saturated() {
    // 2500 read in `logs` but came out as 2262-04-11T23:47:16.854775807Z
    // in the time-ordered analyses: now it is malformed everywhere.
    let err = read("date time", "2500-01-01 00:00:00", None).unwrap_err();
    assert!(
        err.starts_with("date '2500-01-01' is out of range"),
        "{err}"
    );
    assert!(read("date time", "1600-01-01 00:00:00", None).is_err());
    assert!(read("date time", "2262-04-12 00:00:00", None).is_err());
    assert!(read("date time", "1677-09-20 23:59:59", None).is_err());
}

#[test]
fn the_edges_of_the_range_are_exact_to_the_nanosecond() {
    let last = "2262-04-11T23:47:16.854775807Z";
    let first = "1677-09-21T00:12:43.145224192Z";
    assert_eq!(
        read("date time", "2262-04-11 23:47:16.854775807", None).unwrap(),
        Some(last.to_string())
    );
    assert_eq!(
        read("date time", "1677-09-21 00:12:43.145224192", None).unwrap(),
        Some(first.to_string())
    );
    for past in ["2262-04-11 23:47:16.854775808", "2262-04-11 23:59:59"] {
        let err = read("date time", past, None).unwrap_err();
        assert!(
            err.starts_with(&format!("date and time '{past}' are out of range")),
            "{err}"
        );
    }
    assert!(read("date time", "1677-09-21 00:12:43.145224191", None).is_err());
    assert!(read("date time", "1677-09-21 00:00:00", None).is_err());
    // The two edge dates are dates that hold some instants.
    assert_eq!(read("date", "2262-04-11", None).unwrap(), None);
    assert_eq!(read("date", "1677-09-21", None).unwrap(), None);
    let ts: Timestamp = last.parse().unwrap();
    assert_eq!(ts.as_nanosecond(), i128::from(i64::MAX));
    let ts: Timestamp = first.parse().unwrap();
    assert_eq!(ts.as_nanosecond(), i128::from(i64::MIN));
}

#[test]
fn block_date_out_of_range_makes_its_timed_rows_malformed() {
    let far = Some(jiff::civil::date(9999, 12, 31));
    let err = read("time cs-uri", "10:00:00 /a", far).unwrap_err();
    assert!(
        err.starts_with("date '9999-12-31' (the block's #Date) is out of range"),
        "{err}"
    );
    // A row without a time does not need the date.
    assert_eq!(read("cs-uri", "/a", far).unwrap(), None);
    let edge = Some(jiff::civil::date(2262, 4, 11));
    let err = read("time cs-uri", "23:50:00 /a", edge).unwrap_err();
    assert!(
        err.starts_with("date and time '2262-04-11 23:50:00' are out of range"),
        "{err}"
    );
}

#[test]
fn a_date_cache_hit_does_not_skip_the_range_check_of_the_time() {
    let map = FieldMap::new(&["date", "time"], FieldOrigin::Header);
    let mut dates = DateCache::default();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: false,
        log_tz: None,
    };
    let mut spans = Vec::new();
    for (line, ok) in [
        (&b"2262-04-11 12:00:00"[..], true),
        (b"2262-04-11 23:59:00", false),
        (b"9999-12-31 00:00:00", false),
        (b"2262-04-11 00:00:01", true),
    ] {
        tokenize(line, Some(2), &mut spans).unwrap();
        let got = check(line, &spans, &ctx, &mut dates);
        assert_eq!(got.is_ok(), ok, "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn time_taken_in_seconds_does_not_saturate() {
    // Once `(secs * 1000.0).round() as u64`: 1.5e300 became u64::MAX ms.
    assert_eq!(parse_number(Column::TimeTaken, b"1.5e300"), None);
    assert_eq!(
        parse_number(Column::TimeTaken, b"99999999999999999.9"),
        None,
        "past u64 milliseconds"
    );
    assert_eq!(
        parse_number(Column::TimeTaken, b"18446744073709552.0"),
        None
    );
    assert_eq!(
        parse_number(Column::TimeTaken, b"18446744073709551.6"),
        Some(18_446_744_073_709_551_600)
    );
    assert_eq!(parse_number(Column::TimeTaken, b".25"), Some(250));
    assert_eq!(parse_number(Column::TimeTaken, b"3."), Some(3000));
    assert_eq!(parse_number(Column::TimeTaken, b"0.0005"), Some(1));
    assert_eq!(parse_number(Column::TimeTaken, b"0.0004999"), Some(0));
    assert_eq!(parse_number(Column::TimeTaken, b"1.2345678"), Some(1235));
    for bad in [&b"."[..], b"1.2.3", b"-1.5", b"1.5s", b"inf.", b"NaN."] {
        assert_eq!(parse_number(Column::TimeTaken, bad), None, "{bad:?}");
    }
}

#[test]
fn a_bad_value_in_a_message_is_an_excerpt() {
    let value = "9".repeat(1 << 20);
    let line = format!("{value} x");
    let map = FieldMap::new(&["sc-status", "x"], FieldOrigin::Header);
    let mut spans = Vec::new();
    tokenize(line.as_bytes(), Some(2), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: false,
        log_tz: None,
    };
    let row = check(line.as_bytes(), &spans, &ctx, &mut DateCache::default()).unwrap();
    let Some(Problem::Kept { first, .. }) = row.invalid_problem() else {
        panic!("not kept");
    };
    let Problem::BadNumber { value, .. } = *first else {
        panic!("not a bad number");
    };
    assert_eq!(value.chars().count(), 41);
    // The record keeps it whole.
    assert_eq!(row.invalid_values()[0].2.len(), 1 << 20);
    assert_eq!(excerpt("é".repeat(100).as_bytes()).chars().count(), 41);
    assert_eq!(excerpt(b"short"), "short");
}

fn kept(fields: &str, line: &str) -> (Vec<(String, String)>, Option<String>) {
    let names: Vec<&str> = fields.split(' ').collect();
    let map = FieldMap::new(&names, FieldOrigin::Header);
    let mut spans = Vec::new();
    tokenize(line.as_bytes(), Some(map.len()), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: false,
        log_tz: None,
    };
    let row = check(line.as_bytes(), &spans, &ctx, &mut DateCache::default()).unwrap();
    let values = row
        .invalid_values()
        .into_iter()
        .map(|(_, name, v)| (name.to_string(), String::from_utf8_lossy(&v).into_owned()))
        .collect();
    (values, row.invalid_problem().map(|p| p.to_string()))
}

#[test]
fn a_damaged_address_keeps_the_row_and_reads_as_absent() {
    // A public corpus file holds c-ip values copied through markdown.
    let fields = "date time c-ip cs-username sc-status";
    let line = "2017-01-19 17:16:30 [10.1.2.3](http://10.1.2.3) jsmith 200";
    let map = FieldMap::new(&fields.split(' ').collect::<Vec<_>>(), FieldOrigin::Header);
    let mut spans = Vec::new();
    tokenize(line.as_bytes(), Some(5), &mut spans).unwrap();
    let ctx = RowContext {
        map: &map,
        block_date: None,
        unquoted: true,
        log_tz: None,
    };
    let row = check(line.as_bytes(), &spans, &ctx, &mut DateCache::default()).unwrap();
    assert!(row.has_invalid());
    assert!(row.is_invalid(Column::ClientIp));
    assert!(!row.is_invalid(Column::Status));
    assert_eq!(row.raw(Column::ClientIp), None);
    assert_eq!(row.plain(Column::ClientIp), None);
    assert_eq!(row.plain_inlined(Column::ClientIp), None);
    assert_eq!(row.text(Column::Username).as_deref(), Some("jsmith"));
    assert_eq!(row.number(Column::Status), Some(200));
    assert_eq!(row.time.unwrap().to_string(), "2017-01-19T17:16:30Z");
    let (values, problem) = kept(fields, line);
    assert_eq!(
        values,
        [(
            "c-ip".to_string(),
            "[10.1.2.3](http://10.1.2.3)".to_string()
        )]
    );
    assert_eq!(
        problem.unwrap(),
        "c-ip '[10.1.2.3](http://10.1.2.3)' is not an IP address; the row is kept, the value as logged under \"invalid\""
    );
}

#[test]
fn every_checked_field_is_kept_in_log_order() {
    let fields =
        "s-port sc-bytes cs-bytes time-taken sc-win32-status sc-substatus sc-status s-ip c-ip";
    let line = "p b c t w s x y z";
    let (values, problem) = kept(fields, line);
    let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, fields.split(' ').collect::<Vec<_>>());
    assert_eq!(
        problem.unwrap(),
        "s-port 'p' is not a number (and 8 more invalid values); the row is kept, the value as logged under \"invalid\""
    );
    for (i, col) in CHECKED_COLUMNS.iter().enumerate() {
        assert_eq!(invalid_bit(*col), 1 << i, "{col:?}");
    }
    // Valid and absent values are not invalid.
    let (values, problem) = kept(fields, "443 - 10 1.5 0 0 200 10.0.0.1 ::1");
    assert!(values.is_empty() && problem.is_none());
}

#[test]
fn a_bad_date_or_time_is_still_malformed() {
    assert!(read("date time c-ip", "2017-13-45 10:00:00 x", None).is_err());
    assert!(read("date time c-ip", "2017-01-19 25:00:00 x", None).is_err());
}

/// Bytes that sit at the edges of the fast paths' byte classes: digits and
/// their neighbours (`/`, `:`), separators, letters, spaces, non-ASCII.
const EDGE_BYTES: &[u8] = b"0123456789/:;.-+ aAfFgG[]%\x00\x7f\x80\xb0\xba\xff";

/// Asserts that a fast path and the general form it stands for agree.
fn agree<T: PartialEq + std::fmt::Debug>(
    fast: impl Fn(&[u8]) -> T,
    general: impl Fn(&[u8]) -> T,
) -> impl Fn(&[u8]) {
    move |raw| {
        assert_eq!(
            fast(raw),
            general(raw),
            "{:?}",
            String::from_utf8_lossy(raw)
        )
    }
}

/// `base` with each of its bytes replaced by each byte value in turn.
fn every_byte_everywhere(base: &[u8], check: &impl Fn(&[u8])) {
    check(base);
    for i in 0..base.len() {
        for b in 0..=255u8 {
            let mut raw = base.to_vec();
            raw[i] = b;
            check(&raw);
        }
    }
}

#[test]
fn fixed_width_time_agrees_with_the_general_parse() {
    let same = agree(parse_time, crate::w3c::when::parse_time_slow);
    for raw in [
        &b"00:00:00"[..],
        b"23:59:59",
        b"24:00:00",
        b"23:60:00",
        b"23:59:60",
        b"99:99:99",
        b"9:00:00",
        b"09:00:0",
        b"09:00:00.",
        b"09:00:00.1",
        b"09:00:00.123456789",
        b"09:00:00.1234567890",
        b"09:00:00,5",
        b"09:00:00.5x",
        b"09:00:00 ",
        b"0900:00:0",
        b"",
        "09:00:0\u{661}".as_bytes(),
        "\u{661}9:00:00".as_bytes(),
    ] {
        same(raw);
    }
    // Every byte value at every position of a valid time, and of its fraction.
    for base in [&b"12:34:56"[..], b"00:00:00.250", b"23:59:59"] {
        every_byte_everywhere(base, &same);
    }
    // Random pairs of edge bytes.
    let mut next = crate::w3c::xorshift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let mut raw = b"19:45:07".to_vec();
        for _ in 0..2 {
            let at = (next() % 8) as usize;
            raw[at] = EDGE_BYTES[(next() % EDGE_BYTES.len() as u64) as usize];
        }
        same(&raw);
    }
}

#[test]
fn date_cache_agrees_with_the_date_parse() {
    let mut dates = DateCache::default();
    let slow = |raw: &[u8]| parse_date(raw).and_then(midnight_utc);
    // Leap days, out-of-range dates, the edges of the range, and a cached
    // date between them (a refused date must not replace the cached one).
    for raw in [
        &b"2016-02-29"[..],
        b"2016-02-29",
        b"2017-02-29",
        b"2016-02-29",
        b"2000-02-29",
        b"1900-02-29",
        b"2024-02-29",
        b"2024-02-30",
        b"2024-13-01",
        b"2024-00-10",
        b"2024-01-00",
        b"1677-09-20",
        b"1677-09-21",
        b"2262-04-11",
        b"2262-04-12",
        b"9999-12-31",
        b"0000-01-01",
        b"2024-1-01",
        b"24-01-01",
        b"2024/01/01",
        b"2024-01-01 ",
        "2024-01-0\u{661}".as_bytes(),
        b"2024-01-01",
    ] {
        assert_eq!(
            dates.seconds(raw),
            slow(raw),
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[test]
fn fast_numbers_agree_with_the_general_parse() {
    let same = |col: Column, raw: &[u8]| {
        agree(|r| parse_number(col, r), |r| parse_number_slow(col, r))(raw);
    };
    let cases: &[&[u8]] = &[
        b"",
        b"0",
        b"00",
        b"-",
        b"+1",
        b"-1",
        b"1 ",
        b"4294967296",
        b"9999999999999999999",
        b"18446744073709551615",
        b"18446744073709551616",
        b"99999999999999999999",
        b"000000000000000000001",
        b"1.5",
        b".5",
        b"3.",
        b".",
        b"1.2.3",
        b"18446744073709551.615",
        b"1844674407370955161.5",
        b"12\xff",
        "\u{661}\u{662}".as_bytes(),
    ];
    let mut next = crate::w3c::xorshift(0x2545_f491_4f6c_dd1d);
    let random: Vec<Vec<u8>> = (0..20_000)
        .map(|_| {
            let len = (next() % 23) as usize;
            (0..len)
                .map(|_| match next() % 10 {
                    0 => EDGE_BYTES[(next() % EDGE_BYTES.len() as u64) as usize],
                    1 => b'.',
                    _ => b'0' + (next() % 10) as u8,
                })
                .collect()
        })
        .collect();
    for raw in cases
        .iter()
        .copied()
        .chain(random.iter().map(Vec::as_slice))
    {
        for col in NUMERIC_COLUMNS {
            same(col, raw);
        }
    }
}

#[test]
fn word_at_a_time_addresses_agree_with_the_byte_check() {
    let same = agree(looks_like_ip, looks_like_ip_by_bytes);
    for base in [
        &b"10.0.1.15"[..],
        b"255.255.255.255",
        b"2001:db8::17",
        b"1.2.3.4",
        b"12345678",
        b"1234567890123456",
        b"12345678901234567",
        b"::ffff:10.0.0.1",
        b"fe80::1%eth0",
    ] {
        every_byte_everywhere(base, &same);
    }
    let alphabet = b"0123456789.:/;-abcfgABCFG%[] \x00\x80\xae\xba\xff";
    let mut next = crate::w3c::xorshift(0x94d0_49bb_1331_11eb);
    for _ in 0..50_000 {
        let len = (next() % 20) as usize;
        let raw: Vec<u8> = (0..len)
            .map(|_| match next() % 3 {
                0 => alphabet[(next() % alphabet.len() as u64) as usize],
                1 => b'.',
                _ => b'0' + (next() % 10) as u8,
            })
            .collect();
        same(&raw);
    }
}
