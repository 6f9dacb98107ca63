//! Tests of the NEMSIS reader as a whole (its parts have their own).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::fixtures::*;
use super::*;

// ---------------------------------------------------------- reading

#[test]
fn vendor_sample_is_consistent() {
    let xml = doc(&[pcr_with(
        "P1",
        &(group(JANE, "eRecord.900") + &group(VENDOR_901, "eRecord.901")),
    )]);
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
    assert_eq!(r.warnings, Vec::<String>::new());
    let p = &r.pcrs[0];
    assert_eq!(
        (p.pcr.as_deref(), p.uuid.as_deref(), p.line),
        (Some("P1"), Some("uuid-P1"), 4)
    );
    assert_eq!(p.e901.as_ref().unwrap().name.as_deref(), Some("Jane Doe"));
    assert_eq!(who(&r), Some((JANE.to_string(), true)));
}

#[test]
fn version_3_4_has_no_uuid() {
    let xml = doc(&[pcr("P1", JANE, JANE)]).replace(" UUID=\"uuid-P1\"", "");
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert_eq!(r.pcrs[0].uuid, None);
}

#[test]
fn prefixed_namespace() {
    let xml = doc(&[pcr("P1", JANE, JANE)])
        .replace("<EMSDataSet xmlns=", "<nem:EMSDataSet xmlns:nem=")
        .replace("<", "<nem:")
        .replace("<nem:/", "</nem:")
        .replace("<nem:?", "<?")
        .replace("<nem:nem:", "<nem:");
    assert!(
        xml.contains("<nem:eCustomResults.01>") && xml.contains("</nem:eRecord.01>"),
        "{xml}"
    );
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
    assert_eq!(r.pcrs[0].pcr.as_deref(), Some("P1"));
    assert_eq!(r.pcrs[0].uuid.as_deref(), Some("uuid-P1"));
    assert!(is_nemsis(xml.as_bytes()));
}

#[test]
fn crlf_line_endings() {
    let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]).replace('\n', "\r\n");
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert_eq!(
        r.pcrs[1].line,
        pcr("P1", JANE, JANE).lines().count() as u64 + 4
    );
}

#[test]
fn base64_wrapped_at_any_width_or_not_at_all() {
    for width in [1, 3, 60, 64, 66, 76, 1000] {
        let groups = group(JANE, "eRecord.900") + &group(&wrap(&b64(JANE), width), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Consistent, "width {width}");
    }
    // Tabs, CRLF and indentation inside the value are whitespace too.
    let indented = wrap(&b64(JANE), 20).replace('\n', "\r\n\t    ");
    let r = run(&doc(&[pcr_with(
        "P",
        &(group(JANE, "eRecord.900") + &group(&indented, "eRecord.901")),
    )]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
}

#[test]
fn references_and_cdata_keep_their_spaces() {
    let name = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane & John O'Doe <x> (ID 16) at 192.168.1.42.";
    let plain = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane &amp; John O&apos;Doe &lt;x&#62; (ID&#32;16) at 192.168.1.42.";
    let r = run(&doc(&[pcr("P", plain, name)]));
    assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
    assert_eq!(
        r.pcrs[0].e900.as_ref().unwrap().name.as_deref(),
        Some("Jane & John O'Doe <x>")
    );
    let cdata = format!("<![CDATA[{name}]]>");
    let r = run(&doc(&[pcr("P", &cdata, name)]));
    assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
}

#[test]
fn other_custom_results_are_not_engravitures() {
    let groups = group("FN3230", "eMedications.903")
        + &group(JANE, "eRecord.902")
        + &group(&b64(JOHN), "eRecord.9010")
        + "<eCustomResults.ResultsGroup CorrelationID=\"433-333\">\n<eCustomResults.01>x</eCustomResults.01>\n<eCustomResults.02>CDateTime</eCustomResults.02>\n<eCustomResults.03>433-333</eCustomResults.03>\n</eCustomResults.ResultsGroup>\n";
    let r = run(&doc(&[pcr_with("P", &groups)]));
    assert_eq!(
        (r.verdict, verdicts(&r)),
        (FileVerdict::None, vec![PcrVerdict::None])
    );
    assert_eq!(r.attribution, None);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Mixed in with the engravitures, they change nothing.
    let groups = group("a", "C101")
        + &group(JANE, "eRecord.900")
        + &group("b", "C102")
        + &group(&b64(JANE), "eRecord.901");
    let r = run(&doc(&[pcr_with("P", &groups)]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn the_group_kind_may_come_first_and_be_padded() {
    let groups = format!(
        "<eCustomResults.ResultsGroup><eCustomResults.02> eRecord.900\n</eCustomResults.02><eCustomResults.01>{JANE}</eCustomResults.01></eCustomResults.ResultsGroup>{}",
        group(&b64(JANE), "eRecord.901")
    );
    assert_eq!(
        run(&doc(&[pcr_with("P", &groups)])).verdict,
        FileVerdict::Consistent
    );
}

#[test]
fn registry_upload() {
    let r = run(&doc(&[pcr("P", REGISTRY, REGISTRY)]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    let s = &r.attribution.as_ref().unwrap().statement;
    assert_eq!(
        s.recipient.as_deref(),
        Some("newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws")
    );
    assert_eq!(s.name, None);
}

#[test]
fn statements_in_other_shapes_that_agree_are_flagged() {
    let r = run(&doc(&[pcr("P", "hello", "hello")]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("not in the vendor's statement form"));
}

// ---------------------------------------------------------- tampering

#[test]
fn edited_plain_copy_is_a_mismatch_attributed_from_901() {
    let r = run(&doc(&[pcr(
        "P",
        &JANE.replace("Jane Doe", "John Smith"),
        JANE,
    )]));
    assert_eq!(
        (r.verdict, verdicts(&r)),
        (FileVerdict::Mismatch, vec![PcrVerdict::Mismatch])
    );
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
}

#[test]
fn a_901_that_is_not_a_statement_is_a_mismatch_attributed_from_900() {
    let r = run(&doc(&[pcr(
        "P",
        JANE,
        "This export was produced by nobody.",
    )]));
    assert_eq!(r.verdict, FileVerdict::Mismatch);
    assert!(!r.pcrs[0].e901.as_ref().unwrap().parsed);
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
}

#[test]
fn a_missing_copy_is_incomplete() {
    let only_901 = pcr_with("P", &group(&b64(JANE), "eRecord.901"));
    let r = run(&doc(&[only_901]));
    assert_eq!(
        (r.verdict, verdicts(&r)),
        (FileVerdict::Incomplete, vec![PcrVerdict::Incomplete])
    );
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
    assert_eq!(
        (r.pcrs[0].e900.as_ref(), r.pcrs[0].e901_error.as_ref()),
        (None, None)
    );

    let only_900 = pcr_with("P", &group(JANE, "eRecord.900"));
    let r = run(&doc(&[only_900]));
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
}

#[test]
fn an_emptied_copy_is_incomplete_with_a_warning() {
    let groups = group("  ", "eRecord.900") + &group(&b64(JANE), "eRecord.901");
    let r = run(&doc(&[pcr_with("P", &groups)]));
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    assert_eq!(r.pcrs[0].e900, None);
    assert!(
        r.warnings[0].contains("eRecord.900 group at line 9 has no value"),
        "{:?}",
        r.warnings
    );

    let groups = group(JANE, "eRecord.900")
        + "<eCustomResults.ResultsGroup><eCustomResults.01/><eCustomResults.02>eRecord.901</eCustomResults.02></eCustomResults.ResultsGroup>";
    let r = run(&doc(&[pcr_with("P", &groups)]));
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    assert_eq!(
        r.pcrs[0].e901_error.as_deref(),
        Some("eRecord.901 is empty")
    );
}

#[test]
fn corrupt_base64_is_an_error_never_skipped() {
    let good = b64(JANE);
    let cases = [
        (
            format!("{}!{}", &good[..10], &good[10..]),
            "invalid base64: character 11 is '!'",
        ),
        (
            good.trim_end_matches('=').to_string(),
            "invalid base64: wrong padding",
        ),
        (
            format!("{good}="),
            "invalid base64: misplaced padding '=' at character",
        ),
        (
            format!("{}\u{A0}{}", &good[..8], &good[8..]),
            "invalid base64: character 9 is byte 0xC2",
        ),
        (
            format!("{}=={}", &good[..8], &good[8..]),
            "invalid base64: misplaced padding",
        ),
        (
            "eB==".to_string(),
            "invalid base64: character 2 ends the encoding with stray bits",
        ),
    ];
    for (value, error) in cases {
        let groups = group(JANE, "eRecord.900") + &group(&value, "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Incomplete, "{value}");
        let p = &r.pcrs[0];
        assert_eq!(p.e901, None);
        let got = p.e901_error.as_deref().unwrap();
        assert!(got.starts_with(error), "{value}: {got}");
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }
}

/// Regression (issue "Hardening"): a 901 of clean base64 whose bytes are
/// not text was `incomplete`, as if it could not be read; it was read,
/// and it is not the statement: someone replaced it.
#[test]
fn a_901_decoding_to_bytes_that_are_not_text_is_a_mismatch() {
    let cases = [
        (
            STANDARD.encode(b"Produced \xFF\xFE"),
            "decodes to 11 bytes that are not UTF-8 text (from byte 10)",
        ),
        (
            STANDARD.encode([0x89, b'P', b'N', b'G', 0, 1, 2, 3]),
            "decodes to 8 bytes that are not UTF-8 text (from byte 1)",
        ),
    ];
    for (value, error) in cases {
        let groups = group(JANE, "eRecord.900") + &group(&wrap(&value, 4), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(
            (r.verdict, verdicts(&r)),
            (FileVerdict::Mismatch, vec![PcrVerdict::Mismatch]),
            "{value}"
        );
        let p = &r.pcrs[0];
        assert_eq!(p.e901, None);
        assert_eq!(p.e901_error.as_deref(), Some(error));
        // The plain copy is the only statement left, and it is not verified.
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }
    // Without a plain copy to compare with, a copy is still missing.
    let only = pcr_with(
        "P",
        &group(&STANDARD.encode(b"\xFF\xFE\xFD"), "eRecord.901"),
    );
    let r = run(&doc(&[only]));
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    // The same bytes given twice are one copy, not a conflict.
    let twice = group(JANE, "eRecord.900")
        + &group(&STANDARD.encode(b"\xFF"), "eRecord.901")
        + &group(&STANDARD.encode(b"\xFF"), "eRecord.901");
    let r = run(&doc(&[pcr_with("P", &twice)]));
    assert_eq!(verdicts(&r), vec![PcrVerdict::Mismatch]);
    assert!(
        r.warnings.iter().any(|w| w.contains("(same text)")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn both_copies_of_one_report_rewritten_to_another_person_is_mixed() {
    let r = run(&doc(&[pcr("P1", JANE, JANE), pcr("P2", JOHN, JOHN)]));
    assert_eq!(r.verdict, FileVerdict::Mixed);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent; 2]);
    assert_eq!(r.attribution, None);
}

#[test]
fn same_person_exporting_twice_is_not_mixed() {
    let later = JANE.replace("17:35:16", "18:00:00");
    let r = run(&doc(&[pcr("P1", JANE, JANE), pcr("P2", &later, &later)]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert_eq!(who(&r), Some((JANE.to_string(), true)));
}

#[test]
fn a_report_stripped_of_both_copies_makes_the_file_incomplete() {
    let r = run(&doc(&[
        pcr("P1", JANE, JANE),
        pcr_with("P2", ""),
        pcr("P3", JANE, JANE),
    ]));
    assert_eq!(
        verdicts(&r),
        vec![
            PcrVerdict::Consistent,
            PcrVerdict::None,
            PcrVerdict::Consistent
        ]
    );
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
}

#[test]
fn a_copy_given_twice() {
    let same = group(JANE, "eRecord.900")
        + &group(JANE, "eRecord.900")
        + &group(&b64(JANE), "eRecord.901");
    let r = run(&doc(&[pcr_with("P", &same)]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert!(
        r.warnings[0].contains("appears again at line 15 (same text)"),
        "{:?}",
        r.warnings
    );

    let other = group(JANE, "eRecord.900")
        + &group(&b64(JANE), "eRecord.901")
        + &group(JOHN, "eRecord.900");
    let r = run(&doc(&[pcr_with("P", &other)]));
    assert_eq!(r.verdict, FileVerdict::Mismatch);
    assert_eq!(r.pcrs[0].e900.as_ref().unwrap().text, JANE);
    assert!(
        r.warnings[0].contains("with a different text"),
        "{:?}",
        r.warnings
    );
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
}

#[test]
fn two_values_in_one_group_use_the_first() {
    let groups = format!(
        "<eCustomResults.ResultsGroup><eCustomResults.01>{JANE}</eCustomResults.01><eCustomResults.01>{JOHN}</eCustomResults.01><eCustomResults.02>eRecord.900</eCustomResults.02></eCustomResults.ResultsGroup>{}",
        group(&b64(JANE), "eRecord.901")
    );
    let r = run(&doc(&[pcr_with("P", &groups)]));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert!(
        r.warnings[0].contains("has 2 values; the first is used"),
        "{:?}",
        r.warnings
    );
}

// ---------------------------------------------------------- damage

#[test]
fn cut_short_inside_the_second_report_keeps_the_first() {
    let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]);
    let cut = xml.find("<eRecord.01>P2").unwrap() + 8;
    let r = run(&xml[..cut]);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
    assert!(
        r.warnings[0].starts_with("cut short in markup starting at line 26, byte 821"),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings[0].ends_with("inside <eRecord> (opened at line 25)"),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings[1].contains("PCR at line 24 is cut short by the damage before its engravitures")
    );

    // Cut inside text rather than a tag.
    let r = run(&xml[..cut + 5]);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
    assert_eq!(
        r.warnings,
        [
            "cut short: the file ends at line 26, byte 834, inside <eRecord.01> (opened at line 26)",
            "the PCR at line 24 is cut short by the damage before its engravitures: not reported"
        ]
    );
    assert!(
        r.warnings[0].starts_with("cut short: the file ends at line 26, byte 834"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn a_report_cut_after_its_engravitures_is_kept() {
    let xml = doc(&[pcr("P1", JANE, JANE)]);
    let cut = xml.find("</eCustomResults>").unwrap();
    let r = run(&xml[..cut]);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
    assert!(
        r.warnings[1]
            .contains("PCR P1 (line 4) is cut short by the damage; its engravitures were read")
    );
}

#[test]
fn mismatched_tags_are_damage_with_a_position() {
    let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]).replacen(
        "</eRecord>",
        "</eRecrod>",
        2,
    );
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(r.pcrs.len(), 0);
    assert!(
        r.warnings[0].starts_with("not well-formed at line 7, byte 164: ill-formed document: expected `</eRecord>`, but `</eRecrod>` was found, inside <eRecord> (opened at line 5)"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn invalid_utf8_is_damage() {
    let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", "Jos\u{e9}", JANE)]);
    let bytes = xml.replace("Jos\u{e9}", "Jos\u{1}").into_bytes();
    let bytes: Vec<u8> = bytes
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let r = examine(&bytes[..]);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
    assert_eq!(
        r.warnings[0],
        "not well-formed: bytes that are not UTF-8 at byte 930, in the item starting at line 30, byte 926, inside <eCustomResults.01> (opened at line 30)"
    );
}

#[test]
fn not_xml_empty_or_trailing_junk_is_damage() {
    for (input, warning) in [
        ("", "not well-formed: no root element"),
        ("  \n", "not well-formed: no root element"),
        (
            "a,b,c\n1,2,3\n",
            "not well-formed: text before the root element at line 1, byte 0",
        ),
        (
            "<EMSDataSet/>\njunk",
            "not well-formed: text after the root element at line 1, byte 13",
        ),
        (
            "<EMSDataSet/><EMSDataSet/>",
            "not well-formed: a second root element <EMSDataSet> at line 1, byte 13",
        ),
    ] {
        let r = run(input);
        assert_eq!(r.verdict, FileVerdict::Damaged, "{input:?}");
        assert!(r.warnings[0].starts_with(warning), "{:?}", r.warnings);
    }
    // Comments, processing instructions and whitespace around the root are fine.
    let r = run("<!-- a -->\n<EMSDataSet/>\n<?pi x?>\n<!-- b -->\n");
    assert_eq!((r.verdict, r.warnings.len()), (FileVerdict::None, 0));
}

#[test]
fn another_root_is_read_with_a_warning() {
    let r = run("<DEMDataSet><PatientCareReport/></DEMDataSet>");
    assert_eq!(r.verdict, FileVerdict::None);
    assert_eq!(r.pcrs.len(), 1);
    assert_eq!(
        r.warnings,
        vec!["the root element is <DEMDataSet>, not <EMSDataSet>"]
    );
}

// ---------------------------------------------------------- hostile files

const LAUGHS: &str = "<?xml version=\"1.0\"?>\n<!DOCTYPE EMSDataSet [\n <!ENTITY lol \"lol\">\n <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n <!ENTITY ext SYSTEM \"file:///etc/passwd\">\n]>\n";

#[test]
fn billion_laughs_expands_nothing() {
    let xml = format!(
        "{LAUGHS}{}",
        doc(&[pcr("P", "&lol9;", JANE)]).split_once('\n').unwrap().1
    );
    assert!(is_nemsis(xml.as_bytes()));
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Mismatch, "{r:?}");
    assert_eq!(r.pcrs[0].e900.as_ref().unwrap().text, "&lol9;");
    assert_eq!(who(&r), Some((JANE.to_string(), false)));
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].starts_with("line 2, byte 22: the file has a DOCTYPE"));
    assert!(
        r.warnings[1].starts_with("line 18, byte 540: "),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings[1].contains("&lol9; is not expanded"));

    let xml = format!("{LAUGHS}<EMSDataSet>&ext;&#0;&#xD800;</EMSDataSet>");
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::None);
    assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
    assert!(r.warnings[3].contains("&#xD800; is not expanded"));
}

#[test]
fn long_text_is_capped_with_a_warning() {
    let limits = Limits {
        text: 300,
        ..LIMITS
    };
    let long = format!("{JANE} {}", "x".repeat(400));
    let groups = group(&long, "eRecord.900") + &group(&b64(&long), "eRecord.901");
    let xml = doc(&[pcr_with("P", &groups)]);
    let r = examine_with(xml.as_bytes(), limits);
    assert_eq!(r.verdict, FileVerdict::Incomplete);
    let p = &r.pcrs[0];
    assert_eq!(
        p.e900.as_ref().unwrap().text.len(),
        299,
        "300 bytes less the leading newline"
    );
    assert_eq!(
        p.e901_error.as_deref(),
        Some("longer than 300 bytes: not decoded")
    );
    assert!(
        r.warnings[0].contains("eRecord.900 is longer than 300 bytes"),
        "{:?}",
        r.warnings
    );
    // The cut never splits a character.
    let limits = Limits { text: 4, ..LIMITS };
    let r = examine_with(doc(&[pcr("ééé", JANE, JANE)]).as_bytes(), limits);
    assert_eq!(r.pcrs[0].pcr.as_deref(), Some("éé"));
}

#[test]
fn an_overlong_item_stops_the_reading() {
    let limits = Limits {
        item: 4096,
        ..LIMITS
    };
    let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", &"y".repeat(10_000), JANE)]);
    let r = examine_with(xml.as_bytes(), limits);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
    assert!(
        r.warnings[0]
            .starts_with("an XML item starting at line 30, byte 926 is longer than 4096 bytes"),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings[0]
            .ends_with("reading stopped there, inside <eCustomResults.01> (opened at line 30)")
    );
}

#[test]
fn deep_nesting_stops_the_reading() {
    let xml = format!("<EMSDataSet>{}", "<a>".repeat(1000));
    let r = run(&xml);
    assert_eq!(r.verdict, FileVerdict::Damaged);
    assert_eq!(
        r.warnings[0],
        "elements nested deeper than 256 at line 1, byte 777: reading stopped there"
    );
}

#[test]
fn warnings_are_capped() {
    let xml = format!("<EMSDataSet>{}</EMSDataSet>", "&x;".repeat(500));
    let r = run(&xml);
    assert_eq!(r.warnings.len(), 101);
    assert_eq!(r.warnings[100], "… and 400 more warnings");
}

/// Yields a document of `n` reports, the `d`th (from 1) written by
/// `report(d)`, without holding it.
struct Many<F> {
    n: usize,
    done: usize,
    chunk: io::Cursor<Vec<u8>>,
    report: F,
}

impl<F: Fn(usize) -> String> Many<F> {
    fn new(n: usize, report: F) -> io::BufReader<Many<F>> {
        io::BufReader::new(Many {
            n,
            done: 0,
            chunk: io::Cursor::new(Vec::new()),
            report,
        })
    }
}

impl<F: Fn(usize) -> String> Read for Many<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let got = self.chunk.read(buf)?;
            if got > 0 || self.done > self.n + 1 {
                return Ok(got);
            }
            let next = match self.done {
                0 => "<EMSDataSet><Header>".to_string(),
                d if d == self.n + 1 => "</Header></EMSDataSet>".to_string(),
                d => (self.report)(d),
            };
            self.done += 1;
            self.chunk = io::Cursor::new(next.into_bytes());
        }
    }
}

#[test]
fn many_reports_stream_through() {
    let n = 20_000;
    let r = examine(Many::new(n, |d| pcr(&d.to_string(), JANE, JANE)));
    assert_eq!(r.verdict, FileVerdict::Consistent);
    assert_eq!(r.reports, n as u64);
    assert_eq!(r.pcrs.len(), MAX_LISTED_REPORTS);
    assert_eq!(r.pcrs.last().unwrap().pcr.as_deref(), Some("10000"));
    assert_eq!(r.statements.groups.len(), 1);
    assert_eq!(r.statements.groups[0].reports, n as u64);
}

#[test]
fn a_nemsis_file_of_many_reports_keeps_memory_bounded() {
    // A review measured 999 MB for 200,000 reports: every report was
    // kept. Now the first are listed, and all are judged and counted.
    let limits = Limits {
        listed: 10,
        ..LIMITS
    };
    let n = 3_000;
    // Report 2,500 was edited (mismatch); 2,000 to 2,999 name John.
    let report = |d: usize| match d {
        2_500 => pcr(&d.to_string(), JANE, JOHN),
        2_000.. => pcr(&d.to_string(), JOHN, JOHN),
        _ => pcr(&d.to_string(), JANE, JANE),
    };
    let r = examine_with(Many::new(n, report), limits);
    assert_eq!(r.reports, n as u64, "every report is counted");
    assert_eq!(r.pcrs.len(), 10, "only the first are listed");
    assert_eq!(r.pcrs[9].pcr.as_deref(), Some("10"));
    assert_eq!(r.verdict, FileVerdict::Mismatch, "judged on every report");
    assert_eq!(who(&r), Some((JOHN.to_string(), false)));
    assert_eq!(
        r.warnings,
        [
            "2990 reports after the first 10 are not listed (the limit per file): counted in the \
          records and judged in the verdict all the same"
        ]
    );
    let groups: Vec<(Option<&str>, bool, u64)> = r
        .statements
        .groups
        .iter()
        .map(|g| (g.statement.name.as_deref(), g.verified, g.reports))
        .collect();
    assert_eq!(
        groups,
        [
            (Some("Jane Doe"), true, 1_999),
            (Some("John Smith"), false, 1_001)
        ]
    );
}

/// A small file with most of what the reader meets: CRLF, references,
/// CDATA, comments, attributes, an empty element and two reports.
fn varied_doc() -> String {
    let cdata = format!("<![CDATA[{JANE}]]>");
    doc(&[
        pcr("P&amp;1", &cdata, JANE),
        pcr("P2", "&#80;roduced &lt;", JOHN),
    ])
    .replace("<Header>", "<Header><!-- c --><x a='1' b=\"&gt;\"/>")
    .replace('\n', "\r\n")
}

#[test]
fn every_prefix_reads_without_panic_and_keeps_what_it_read() {
    let xml = varied_doc();
    let whole = run(&xml);
    assert_eq!(whole.verdict, FileVerdict::Mismatch);
    assert_eq!(whole.pcrs[0].pcr.as_deref(), Some("P&1"));
    let mut reports = 0;
    for cut in 0..xml.len() {
        if !xml.is_char_boundary(cut) {
            continue;
        }
        let r = run(&xml[..cut]);
        if cut < xml.trim_end().len() {
            assert_eq!(r.verdict, FileVerdict::Damaged, "cut at {cut}");
        }
        assert!(
            r.pcrs.len() >= reports,
            "cut at {cut}: fewer reports than before"
        );
        reports = r.pcrs.len();
    }
    assert_eq!(reports, 2);
}

#[test]
fn mutated_bytes_never_panic() {
    let xml = varied_doc().into_bytes();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut bytes = xml.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = b"<>&;/=\"' \n\x00\xFF\xFEAa]!?-"[(next() % 18) as usize];
        }
        let r = examine(&bytes[..]);
        assert!(r.warnings.len() <= LIMITS.warnings + 1);
    }
}

// ---------------------------------------------------------- is_nemsis

#[test]
fn sniffing_the_root() {
    for head in [
        "<EMSDataSet>",
        "<nem:EMSDataSet xmlns:nem=\"http://www.nemsis.org\">",
        "<?xml version=\"1.0\"?>\r\n<!-- a > b -->\n<?pi?>\n<!DOCTYPE EMSDataSet [<!ENTITY a \"<b>\">]>\n<EMSDataSet>",
        "<EMSDataSet/>",
    ] {
        let sniffed = is_nemsis(head.as_bytes());
        assert!(sniffed, "{head}");
    }
    for head in [
        "",
        "<DEMDataSet>",
        "<EMSDataSetX>",
        "hello <EMSDataSet>",
        "<!-- unfinished comment <EMSDataSet>",
        "\u{FFFD}<EMSDataSet>",
        "<html><EMSDataSet>",
    ] {
        assert!(!is_nemsis(head.as_bytes()), "{head}");
    }
    assert!(!is_nemsis(b"\xFF\xD8\xFF\xE0 jpeg"));
}
