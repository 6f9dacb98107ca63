//! Field maps: which W3C field sits at which position of a row.
//!
//! A `#Fields:` directive (or `--fields`, or an inferred default layout) names
//! the values of the rows that follow it. A [`FieldMap`] turns those names into
//! the positions of the columns leaktrace understands ([`Column`]); every other
//! field is kept, by its W3C name, in the record's `extra`.

use std::fmt;

/// A field leaktrace gives a column of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Date,
    Time,
    Method,
    UriStem,
    UriQuery,
    /// `cs-uri`: stem and query in one value (HTTPERR, Oracle Web Cache).
    Uri,
    Username,
    ClientIp,
    UserAgent,
    Referer,
    Status,
    Substatus,
    Win32Status,
    TimeTaken,
    ServerIp,
    ServerPort,
    Host,
    BytesSent,
    BytesReceived,
}

/// Number of [`Column`] variants.
pub const COLUMN_COUNT: usize = 19;

/// The numeric columns, in the order a checked [`Row`](super::row::Row) keeps their values.
pub const NUMERIC_COLUMNS: [Column; 7] = [
    Column::Status,
    Column::Substatus,
    Column::Win32Status,
    Column::TimeTaken,
    Column::ServerPort,
    Column::BytesSent,
    Column::BytesReceived,
];

impl Column {
    /// The column a W3C field name maps to, if any. Names are case-insensitive
    /// (`cs(user-agent)` is as good as `cs(User-Agent)`), and a few aliases
    /// written by other producers are accepted.
    pub fn from_w3c(name: &str) -> Option<Column> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "date" => Column::Date,
            "time" => Column::Time,
            "cs-method" => Column::Method,
            "cs-uri-stem" => Column::UriStem,
            "cs-uri-query" => Column::UriQuery,
            "cs-uri" => Column::Uri,
            "cs-username" => Column::Username,
            "c-ip" => Column::ClientIp,
            "cs(user-agent)" => Column::UserAgent,
            "cs(referer)" | "cs(referrer)" => Column::Referer,
            "sc-status" => Column::Status,
            "sc-substatus" => Column::Substatus,
            "sc-win32-status" => Column::Win32Status,
            "time-taken" | "timetakenms" => Column::TimeTaken,
            "s-ip" => Column::ServerIp,
            "s-port" => Column::ServerPort,
            "cs-host" | "cs(host)" => Column::Host,
            "sc-bytes" => Column::BytesSent,
            "cs-bytes" => Column::BytesReceived,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a field map came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldOrigin {
    /// A `#Fields:` directive in the log.
    Header,
    /// The user's `--fields`.
    Override,
    /// A default layout guessed for rows that have no header.
    Inferred(&'static str),
}

/// The meaning of each value of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    names: Vec<String>,
    slots: [Option<u16>; COLUMN_COUNT],
    extra: Vec<u16>,
    /// (index in `NUMERIC_COLUMNS`, position) of the numeric columns present.
    numeric: Vec<(usize, usize)>,
    /// Positions of `date-local` and `time-local` (IIS Advanced Logging),
    /// when the map has both; they stay among the `extra` fields.
    local: Option<(u16, u16)>,
    origin: FieldOrigin,
}

impl FieldMap {
    /// Builds a map from W3C field names, in row order. The first field that
    /// maps to a column wins; a repeated one goes to `extra`.
    ///
    /// Lists longer than [`MAX_FIELDS`] are refused where they come in (a
    /// `#Fields` line: [`Directive::TooManyFields`](super::directive::Directive),
    /// `--fields`: [`FieldMap::parse_override`]). Given one anyway, the names
    /// past the limit get no position: no row fits such a map (a row of more
    /// than [`MAX_FIELDS`] values is refused), so none is read with it.
    pub fn new<S: AsRef<str>>(names: &[S], origin: FieldOrigin) -> FieldMap {
        let mut slots = [None; COLUMN_COUNT];
        let mut extra = Vec::new();
        for (pos, name) in (0..=MAX_POSITION).zip(names) {
            match Column::from_w3c(name.as_ref()) {
                Some(col) if slots[col.index()].is_none() => slots[col.index()] = Some(pos),
                _ => extra.push(pos),
            }
        }
        // `cs-uri` only stands in for the stem when there is no `cs-uri-stem`.
        if slots[Column::UriStem.index()].is_some()
            && let Some(pos) = slots[Column::Uri.index()].take()
        {
            extra.push(pos);
            extra.sort_unstable();
        }
        let numeric = NUMERIC_COLUMNS
            .iter()
            .enumerate()
            .filter_map(|(i, col)| slots[col.index()].map(|pos| (i, usize::from(pos))))
            .collect();
        let find = |wanted: &str| {
            (0..=MAX_POSITION)
                .zip(names)
                .find(|(_, n)| n.as_ref().eq_ignore_ascii_case(wanted))
                .map(|(pos, _)| pos)
        };
        let local = find("date-local").zip(find("time-local"));
        FieldMap {
            names: names.iter().map(|n| n.as_ref().to_string()).collect(),
            slots,
            extra,
            numeric,
            local,
            origin,
        }
    }

    /// Parses a `--fields` value: names separated by spaces or commas.
    pub fn parse_override(spec: &str) -> Result<FieldMap, String> {
        let names: Vec<&str> = spec
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            return Err("--fields needs at least one field name".into());
        }
        if names.len() > MAX_FIELDS {
            return Err(format!(
                "--fields names {} fields; at most {MAX_FIELDS} are supported",
                names.len()
            ));
        }
        Ok(FieldMap::new(&names, FieldOrigin::Override))
    }

    /// Number of values a row must have.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Position of a column in the row, if the map has it.
    #[inline]
    pub fn slot(&self, col: Column) -> Option<usize> {
        self.slots[col.index()].map(usize::from)
    }

    /// Positions of `date-local` and `time-local`, if the map has both.
    #[inline]
    pub fn local_slots(&self) -> Option<(usize, usize)> {
        self.local.map(|(d, t)| (usize::from(d), usize::from(t)))
    }

    /// The numeric columns present: (index in [`NUMERIC_COLUMNS`], position).
    pub fn numeric(&self) -> &[(usize, usize)] {
        &self.numeric
    }

    /// Positions of the fields without a column of their own.
    pub fn extra(&self) -> &[u16] {
        &self.extra
    }

    /// The W3C name of the field at a position.
    pub fn name(&self, pos: usize) -> &str {
        self.names.get(pos).map(String::as_str).unwrap_or("")
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn origin(&self) -> &FieldOrigin {
        &self.origin
    }

    /// Whether the map gives rows a UTC time of day (`time`, with or without `date`).
    pub fn has_time(&self) -> bool {
        self.slot(Column::Time).is_some()
    }
}

/// The most fields a field list (a `#Fields` line, `--fields`) may name, and
/// the most values a row may hold: wider rows are rejected rather than
/// tokenized without bound, and a wider `#Fields` line is reported and its
/// rows are not read.
pub const MAX_FIELDS: usize = 256;

/// The last position a field map gives (positions are `u16`).
const MAX_POSITION: u16 = MAX_FIELDS as u16 - 1;
const _: () = assert!(MAX_FIELDS <= u16::MAX as usize + 1);

/// Default layouts tried, by value count, for rows that come before any
/// `#Fields:` directive (and only when `--fields` is not given).
pub fn default_layout(values: usize) -> Option<(&'static str, &'static [&'static str])> {
    const IIS: &[&str] = &[
        "date",
        "time",
        "s-ip",
        "cs-method",
        "cs-uri-stem",
        "cs-uri-query",
        "s-port",
        "cs-username",
        "c-ip",
        "cs(User-Agent)",
        "cs(Referer)",
        "sc-status",
        "sc-substatus",
        "sc-win32-status",
        "time-taken",
    ];
    const IIS7: &[&str] = &[
        "date",
        "time",
        "s-ip",
        "cs-method",
        "cs-uri-stem",
        "cs-uri-query",
        "s-port",
        "cs-username",
        "c-ip",
        "cs(User-Agent)",
        "sc-status",
        "sc-substatus",
        "sc-win32-status",
        "time-taken",
    ];
    const HTTPERR: &[&str] = &[
        "date",
        "time",
        "c-ip",
        "c-port",
        "s-ip",
        "s-port",
        "cs-version",
        "cs-method",
        "cs-uri",
        "sc-status",
        "s-siteid",
        "s-reason",
        "s-queuename",
    ];
    match values {
        15 => Some(("the IIS 8.5+ default layout (15 fields)", IIS)),
        14 => Some(("the IIS 7 default layout (14 fields, no cs(Referer))", IIS7)),
        13 => Some(("the HTTP.sys error log default layout (13 fields)", HTTPERR)),
        _ => None,
    }
}

impl fmt::Display for FieldMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_known_names_case_insensitively() {
        let map = FieldMap::new(
            &["date", "TIME", "cs(user-agent)", "s-sitename"],
            FieldOrigin::Header,
        );
        assert_eq!(map.slot(Column::Date), Some(0));
        assert_eq!(map.slot(Column::Time), Some(1));
        assert_eq!(map.slot(Column::UserAgent), Some(2));
        assert_eq!(map.extra(), &[3]);
    }

    #[test]
    fn cs_uri_is_extra_when_stem_is_present() {
        let map = FieldMap::new(&["cs-uri", "cs-uri-stem"], FieldOrigin::Header);
        assert_eq!(map.slot(Column::UriStem), Some(1));
        assert_eq!(map.slot(Column::Uri), None);
        assert_eq!(map.extra(), &[0]);
    }

    #[test]
    fn repeated_field_goes_to_extra() {
        let map = FieldMap::new(&["c-ip", "c-ip"], FieldOrigin::Header);
        assert_eq!(map.slot(Column::ClientIp), Some(0));
        assert_eq!(map.extra(), &[1]);
    }

    #[test]
    fn a_list_over_the_limit_maps_no_position_past_it() {
        // Once `unwrap_or(u16::MAX)`: name 70,000 read position 65,535.
        let mut names: Vec<String> = (0..70_000).map(|i| format!("x-{i}")).collect();
        names[69_999] = "c-ip".into();
        names[300] = "cs-username".into();
        let map = FieldMap::new(&names, FieldOrigin::Header);
        assert_eq!(map.slot(Column::ClientIp), None);
        assert_eq!(map.slot(Column::Username), None);
        assert_eq!(map.extra().len(), MAX_FIELDS);
        assert_eq!(map.extra().last(), Some(&(MAX_FIELDS as u16 - 1)));
        // Its length stays honest: no row (at most MAX_FIELDS values) fits it.
        assert_eq!(map.len(), 70_000);
    }

    #[test]
    fn override_over_the_limit_is_refused() {
        let spec = vec!["x"; MAX_FIELDS + 1].join(" ");
        assert_eq!(
            FieldMap::parse_override(&spec).unwrap_err(),
            "--fields names 257 fields; at most 256 are supported"
        );
        assert!(FieldMap::parse_override(&vec!["x"; MAX_FIELDS].join(" ")).is_ok());
    }

    #[test]
    fn override_accepts_commas_and_rejects_empty() {
        let map = FieldMap::parse_override("date, time cs-method").unwrap();
        assert_eq!(map.len(), 3);
        assert!(FieldMap::parse_override("  ").is_err());
    }
}
