use std::sync::Arc;

use super::columns::RecordColumns;
use super::record::{LocalZone, extend};
use super::*;
use crate::time::Zone;
use crate::w3c::Record;

fn record(time: Option<&str>) -> Record {
    Record {
        file: Arc::from("u_ex170119.log"),
        line: 7,
        time_utc: time.map(|t| t.parse().unwrap()),
        method: Some("GET".into()),
        uri_stem: Some("/temp/acme/X.zip".into()),
        uri_query: None,
        username: Some("ACME\\jsmith".into()),
        client_ip: Some("73.21.44.9".into()),
        user_agent: Some("Mozilla/5.0+(Windows)".into()),
        referer: None,
        status: Some(200),
        substatus: Some(0),
        win32_status: Some(64),
        time_taken_ms: Some(1234),
        server_ip: Some("10.0.0.1".into()),
        server_port: Some(443),
        host: None,
        bytes_sent: Some(u64::MAX),
        bytes_received: Some(512),
        extra: vec![
            (Arc::from("cs-version"), Some("HTTP/1.1".into())),
            (Arc::from("x-note"), None),
        ],
        replaced: false,
        invalid: vec![(Arc::from("c-ip"), "not-an-ip".into())],
    }
}

fn plain(time: Option<&str>) -> Record {
    Record {
        extra: Vec::new(),
        invalid: Vec::new(),
        bytes_sent: Some(99),
        ..record(time)
    }
}

#[test]
fn records_give_the_rows_their_cells_give() {
    let zone = Zone::named("America/Chicago").unwrap();
    let ctx = Context {
        zone: zone.clone(),
        verbose: false,
    };
    let records = [
        record(Some("2017-01-19T16:57:02Z")),
        record(Some("2017-01-19T16:57:02Z")),
        plain(Some("2017-03-12T08:00:00.25Z")),
        plain(None),
        record(Some("1969-12-31T23:59:59Z")),
    ];
    let local = LocalZone::new(zone.clone());
    let mut direct = RowGroup::new(Record::FIELDS, record::TYPES);
    let mut cells = RowGroup::new(Record::FIELDS, record::TYPES);
    let mut columns = RecordColumns::default();
    for r in &records {
        columns.push_record(r);
    }
    // In two calls, as the rows of a chunk go to a day's files.
    let file = file_value("u_ex170119.log");
    extend(&mut direct, &columns, 0..2, &file, &local);
    extend(&mut direct, &columns, 2..records.len(), &file, &local);
    for r in &records {
        cells.push_cells(r.cells(&ctx));
    }
    // bytes_sent of the three records made by `record()`.
    assert_eq!(direct.too_big, 3);
    assert_eq!(cells.too_big, 3);
    let (direct, cells) = (direct.take().unwrap(), cells.take().unwrap());
    assert_eq!(direct.height(), records.len());
    assert!(direct.equals_missing(&cells), "{direct:?}\n{cells:?}");
    let names: Vec<&str> = direct
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(names, Record::FIELDS);
    let utc = direct.column("time_utc").unwrap();
    assert_eq!(
        utc.dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    );
    let micros = utc.datetime().unwrap().physical().get(2);
    assert_eq!(
        micros,
        Some(
            "2017-03-12T08:00:00.25Z"
                .parse::<Timestamp>()
                .unwrap()
                .as_microsecond()
        )
    );
    let extra = direct.column("extra").unwrap().str().unwrap().get(0);
    assert_eq!(extra, Some(r#"{"cs-version":"HTTP/1.1","x-note":null}"#));
    assert_eq!(
        direct.column("extra").unwrap().str().unwrap().get(2),
        Some("{}")
    );
    assert_eq!(
        direct.column("invalid").unwrap().str().unwrap().get(2),
        None
    );
    let dates = direct
        .column("local_date")
        .unwrap()
        .date()
        .unwrap()
        .physical()
        .clone();
    // 2017-01-19 10:57 in Chicago; 1969-12-31 17:59 in Chicago.
    assert_eq!(dates.get(0), Some(17_185));
    assert_eq!(dates.get(3), None);
    assert_eq!(dates.get(4), Some(-1));
}

#[test]
fn days_count_from_1970() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(1969, 12, 31), -1);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(days_from_civil(2017, 1, 19), 17_185);
    assert_eq!(days_of("2016-02-29"), Some(16_860));
    assert_eq!(days_of("2017-02-29"), None);
}

#[test]
fn local_columns_are_what_jiff_writes() {
    use super::record::LocalTimes;
    // Whole hours, half and quarter hours, a 30-minute daylight saving
    // (Lord Howe), and offsets with seconds before 1900 (jiff writes those).
    for name in [
        "America/Chicago",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "UTC",
        "Africa/Monrovia",
        "America/St_Johns",
    ] {
        let zone = Zone::named(name).unwrap();
        let local = LocalZone::new(zone.clone());
        let mut times = LocalTimes::new(&local);
        let mut instants: Vec<Timestamp> = [
            "1677-09-21T00:12:44Z",
            "1850-06-01T12:00:00Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00Z",
            "2017-01-19T16:57:02.125Z",
            "2262-04-11T23:47:16Z",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        // Every 7 minutes and 13 seconds over 2026, back and forth.
        let mut t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        for _ in 0..73_000 {
            instants.push(t);
            t += jiff::SignedDuration::from_secs(433);
        }
        instants.extend(instants.clone().into_iter().rev().step_by(3));
        for t in instants {
            let (date, time) = zone.civil(t);
            assert_eq!(times.stamp(t), zone.rfc3339(t), "{name} {t}");
            assert_eq!(times.time(t), time, "{name} {t}");
            assert_eq!(times.date(t), days_of(&date), "{name} {t}");
        }
    }
}
