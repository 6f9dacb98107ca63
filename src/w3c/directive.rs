//! The `#` directive lines of a W3C log (`#Fields:`, `#Date:`, `#Software:` …).
//!
//! Only two directives change how rows are read: `#Fields:` (the field map of
//! the rows after it) and `#Date:` / `#Start-Date:` (the date of rows that have
//! no `date` field). Every other directive, known or not, is accepted and
//! ignored. Trailing `// comments` (HTTP.sys writes them) are dropped.

use jiff::civil::Date;
use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, tag_no_case, take_till, take_while_m_n},
    character::complete::{char, space0},
    combinator::{map_res, opt, rest},
};

/// A parsed directive line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `#Fields:` with its field names, in order.
    Fields(Vec<String>),
    /// `#Date:` or `#Start-Date:`; `None` when the value is not a date we read.
    Date { start: bool, date: Option<Date> },
    /// Any other directive, or a comment line.
    Other,
}

/// Parses one directive line (it starts with `#`; line ending already removed).
pub fn parse(line: &[u8]) -> Directive {
    let text = String::from_utf8_lossy(line);
    let Ok((_, (name, value))) = name_value(&text) else {
        return Directive::Other;
    };
    let value = strip_comment(value).trim();
    if name.eq_ignore_ascii_case("Fields") {
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

fn number(digits: usize) -> impl Fn(&str) -> IResult<&str, i16> {
    move |input| {
        map_res(
            take_while_m_n(digits, digits, |c: char| c.is_ascii_digit()),
            |s: &str| s.parse::<i16>(),
        )
        .parse(input)
    }
}

fn iso_date(input: &str) -> IResult<&str, Date> {
    map_res(
        (
            number(4),
            char('-'),
            number(2),
            char('-'),
            number(2),
            opt(rest),
        ),
        |(y, _, m, _, d, _)| Date::new(y, m as i8, d as i8),
    )
    .parse(input)
}

fn dmy_date(input: &str) -> IResult<&str, Date> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (input, day) = number(2)(input)?;
    let (input, _) = char('/')(input)?;
    let (input, mon) = alt(MONTHS.map(tag_no_case::<&str, &str, _>)).parse(input)?;
    let (input, _) = tag("/")(input)?;
    let (input, year) = number(4)(input)?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(mon))
        .unwrap_or(0)
        + 1;
    match Date::new(year, month as i8, day as i8) {
        Ok(d) => Ok((input, d)),
        Err(_) => Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Verify,
        ))),
    }
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
        assert_eq!(parse(b"#Software: Microsoft IIS 8.5"), Directive::Other);
        assert_eq!(parse(b"#Remark: restarted"), Directive::Other);
        assert_eq!(parse(b"# just a comment"), Directive::Other);
        assert_eq!(parse(b"#X-Custom: whatever // note"), Directive::Other);
        assert_eq!(parse(b"#"), Directive::Other);
    }

    #[test]
    fn comment_marker_inside_a_value_is_kept() {
        assert_eq!(strip_comment(" http://x/y"), " http://x/y");
        assert_eq!(strip_comment(" 1.0   // version"), " 1.0   ");
    }
}
