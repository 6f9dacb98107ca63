//! The `#` directive lines of a W3C log (`#Fields:`, `#Date:`, `#Software:` …).
//!
//! Only two directives change how rows are read: `#Fields:` (the field map of
//! the rows after it) and `#Date:` / `#Start-Date:` (the date of rows that have
//! no `date` field). Every other directive, known or not, is accepted and
//! ignored. Trailing `// comments` (HTTP.sys writes them) are dropped.
//!
//! The W3C directives (`#Version`, `#Software`, `#End-Date`, `#Remark` beside
//! the three above) are told apart from other `#` lines: a file with none of
//! them and no row that fits a layout is not a log.

use jiff::civil::Date;
use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take, take_till, take_while_m_n},
    character::complete::{char, space0},
    combinator::{map_opt, map_res, opt, rest},
};

use super::fields::MAX_FIELDS;

/// A parsed directive line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `#Fields:` with its field names, in order (at most [`MAX_FIELDS`]).
    Fields(Vec<String>),
    /// `#Fields:` naming more than [`MAX_FIELDS`] fields: how many. The names
    /// are not kept (a line of millions would be millions of strings).
    TooManyFields(usize),
    /// `#Date:` or `#Start-Date:`; `None` when the value is not a date we read.
    Date { start: bool, date: Option<Date> },
    /// `#Version:`, `#Software:`, `#End-Date:`, `#Remark:`: W3C directives
    /// that do not change how rows are read.
    Standard,
    /// Any other directive, or a comment line.
    Other,
}

impl Directive {
    /// Whether the line is one of the W3C extended log directives.
    pub fn is_w3c(&self) -> bool {
        !matches!(self, Directive::Other)
    }
}

/// Parses one directive line (it starts with `#`; line ending already removed).
pub fn parse(line: &[u8]) -> Directive {
    let text = String::from_utf8_lossy(line);
    let Ok((_, (name, value))) = name_value(&text) else {
        return Directive::Other;
    };
    let value = strip_comment(value).trim();
    if name.eq_ignore_ascii_case("Fields") {
        let count = value.split_ascii_whitespace().count();
        if count > MAX_FIELDS {
            return Directive::TooManyFields(count);
        }
        let names = value.split_ascii_whitespace().map(str::to_string).collect();
        return Directive::Fields(names);
    }
    let start = name.eq_ignore_ascii_case("Start-Date");
    if start || name.eq_ignore_ascii_case("Date") {
        return Directive::Date {
            start,
            date: header_date(value),
        };
    }
    if ["Version", "Software", "End-Date", "Remark"]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known))
    {
        return Directive::Standard;
    }
    Directive::Other
}

fn name_value(input: &str) -> IResult<&str, (&str, &str)> {
    let (input, _) = char('#')(input)?;
    let (input, name) = take_till(|c| c == ':' || c == ' ')(input)?;
    let (input, _) = (space0, char(':')).parse(input)?;
    let (input, value) = rest(input)?;
    Ok((input, (name.trim(), value)))
}

/// Drops a `// comment` that follows the value after whitespace.
fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(off) = value[i..].find("//") {
        let at = i + off;
        if at == 0 || bytes[at - 1].is_ascii_whitespace() {
            return &value[..at];
        }
        i = at + 2;
    }
    value
}

/// Reads the date part of a `#Date:` value: `2017-01-19 00:00:21[.123]` (IIS)
/// or `28/Jun/2017 07:28:59` (Incapsula).
pub fn header_date(value: &str) -> Option<Date> {
    alt((iso_date, dmy_date))
        .parse(value.trim())
        .ok()
        .map(|(_, d)| d)
}

/// A number of exactly `digits` digits (so at most 9999: it fits an `i16`).
fn number(digits: usize) -> impl Fn(&str) -> IResult<&str, i16> {
    move |input| {
        map_res(
            take_while_m_n(digits, digits, |c: char| c.is_ascii_digit()),
            |s: &str| s.parse::<i16>(),
        )
        .parse(input)
    }
}

/// A two-digit month or day.
fn small(input: &str) -> IResult<&str, i8> {
    map_res(number(2), i8::try_from).parse(input)
}

fn iso_date(input: &str) -> IResult<&str, Date> {
    map_res(
        (number(4), char('-'), small, char('-'), small, opt(rest)),
        |(y, _, m, _, d, _)| Date::new(y, m, d),
    )
    .parse(input)
}

/// A month's English abbreviation, any case, as its number (1-12).
fn month(input: &str) -> IResult<&str, i8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    map_opt(take(3usize), |abbr: &str| {
        (1i8..)
            .zip(MONTHS)
            .find_map(|(n, m)| m.eq_ignore_ascii_case(abbr).then_some(n))
    })
    .parse(input)
}

fn dmy_date(input: &str) -> IResult<&str, Date> {
    map_res(
        (small, char('/'), month, tag("/"), number(4)),
        |(day, _, month, _, year)| Date::new(year, month, day),
    )
    .parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fields_with_extra_spaces_and_trailing_space() {
        assert_eq!(
            parse(b"#Fields:   date  time cs-method "),
            Directive::Fields(vec!["date".into(), "time".into(), "cs-method".into()])
        );
    }

    #[test]
    fn date_with_trailing_comment() {
        assert_eq!(
            parse(b"#Date: 2002-05-02 17:42:15  // when the first log file entry was recorded"),
            Directive::Date {
                start: false,
                date: Some(date(2002, 5, 2))
            }
        );
    }

    #[test]
    fn start_date_with_milliseconds() {
        assert_eq!(
            parse(b"#Start-Date: 2014-11-18 00:00:00.128"),
            Directive::Date {
                start: true,
                date: Some(date(2014, 11, 18))
            }
        );
    }

    #[test]
    fn incapsula_date() {
        assert_eq!(header_date("28/Jun/2017 07:28:59"), Some(date(2017, 6, 28)));
    }

    #[test]
    fn invalid_date_is_none_not_error() {
        assert_eq!(
            parse(b"#Date: 2017-02-30 00:00:00"),
            Directive::Date {
                start: false,
                date: None
            }
        );
    }

    #[test]
    fn other_directives_and_comments() {
        assert_eq!(parse(b"#Software: Microsoft IIS 8.5"), Directive::Standard);
        assert_eq!(parse(b"#remark: restarted"), Directive::Standard);
        assert_eq!(parse(b"#Version: 1.0"), Directive::Standard);
        assert_eq!(parse(b"# just a comment"), Directive::Other);
        assert_eq!(parse(b"#X-Custom: whatever // note"), Directive::Other);
        assert_eq!(parse(b"#!/bin/sh"), Directive::Other);
        assert_eq!(parse(b"#"), Directive::Other);
        assert!(parse(b"#Fields:").is_w3c());
        assert!(!parse(b"#include <stdio.h>").is_w3c());
    }

    #[test]
    fn fields_line_over_the_limit_is_counted_not_kept() {
        let names: Vec<String> = (0..70_000).map(|i| format!("f{i}")).collect();
        let line = format!("#Fields: {}", names.join(" "));
        assert_eq!(parse(line.as_bytes()), Directive::TooManyFields(70_000));
        let line = format!("#Fields: {}", names[..256].join(" "));
        assert!(matches!(parse(line.as_bytes()), Directive::Fields(n) if n.len() == 256));
    }

    #[test]
    fn incapsula_month_is_read_whatever_its_case_and_unknown_ones_fail() {
        assert_eq!(header_date("01/dec/2016 00:00:00"), Some(date(2016, 12, 1)));
        assert_eq!(header_date("01/JAN/2016"), Some(date(2016, 1, 1)));
        assert_eq!(header_date("01/Foo/2016"), None);
        assert_eq!(header_date("31/Feb/2016"), None);
    }

    #[test]
    fn far_dates_are_read_as_dates() {
        // Whether leaktrace can place them in time is the row's business.
        assert_eq!(header_date("9999-12-31 10:00:00"), Some(date(9999, 12, 31)));
        assert_eq!(header_date("0000-01-01"), Some(date(0, 1, 1)));
    }

    #[test]
    fn comment_marker_inside_a_value_is_kept() {
        assert_eq!(strip_comment(" http://x/y"), " http://x/y");
        assert_eq!(strip_comment(" 1.0   // version"), " 1.0   ");
    }
}
