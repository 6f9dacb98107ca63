//! Record filters: `--user`, `--ip`, `--path`, `--method`, `--status`,
//! `--since`, `--until`. Flags combine with AND; a repeated flag with OR.
//!
//! Filters run on the raw row on the cores, before any record is built, so a
//! filtered scan costs little more than a plain one.

use std::net::IpAddr;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ipnet::IpNet;
use jiff::Timestamp;

use crate::w3c::{Column, Row};

/// A filter value that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error(
        "--ip '{0}' is not an IP address or CIDR network (203.0.113.7, 203.0.113.0/24, 2001:db8::/32)"
    )]
    Ip(String),
    #[error("--path '{0}' is not a valid glob: {1}")]
    Path(String, String),
    #[error("--status '{0}' is not a status: give a code (404) or a class (4xx)")]
    Status(String),
    #[error("--since {since} is not before --until {until}")]
    EmptyRange { since: Timestamp, until: Timestamp },
}

/// A status filter: one code or a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMatch {
    Code(u64),
    Class(u64),
}

impl StatusMatch {
    pub fn parse(text: &str) -> Result<StatusMatch, FilterError> {
        let t = text.trim().to_ascii_lowercase();
        let err = || FilterError::Status(text.to_string());
        if t.len() == 3 && t.ends_with("xx") {
            let class = t[..1].parse::<u64>().map_err(|_| err())?;
            return if (1..=9).contains(&class) {
                Ok(StatusMatch::Class(class))
            } else {
                Err(err())
            };
        }
        match t.parse::<u64>() {
            Ok(code) if (100..=999).contains(&code) => Ok(StatusMatch::Code(code)),
            _ => Err(err()),
        }
    }

    fn matches(self, status: u64) -> bool {
        match self {
            StatusMatch::Code(c) => status == c,
            StatusMatch::Class(c) => status / 100 == c,
        }
    }
}

/// One filter of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    User,
    Time,
    Method,
    Status,
    Ip,
    Path,
}

impl Criterion {
    /// The flag, for messages.
    pub fn flag(self) -> &'static str {
        match self {
            Criterion::User => "--user",
            Criterion::Time => "--since/--until",
            Criterion::Method => "--method",
            Criterion::Status => "--status",
            Criterion::Ip => "--ip",
            Criterion::Path => "--path",
        }
    }
}

/// The filters on the request itself (all but the user), cheapest first.
const REQUEST_CRITERIA: [Criterion; 5] = [
    Criterion::Time,
    Criterion::Method,
    Criterion::Status,
    Criterion::Ip,
    Criterion::Path,
];

/// The validated filter set.
#[derive(Debug, Default)]
pub struct Filter {
    users: Vec<UserMatch>,
    nets: Vec<IpNet>,
    paths: Option<GlobSet>,
    methods: Vec<String>,
    statuses: Vec<StatusMatch>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// The raw filter values from the command line.
#[derive(Debug, Default, Clone)]
pub struct FilterSpec {
    pub users: Vec<String>,
    pub ips: Vec<String>,
    pub paths: Vec<String>,
    pub methods: Vec<String>,
    pub statuses: Vec<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// Parses an address (an IPv6 zone id like `%eth0` is ignored) or a network.
pub fn parse_net(text: &str) -> Option<IpNet> {
    let t = text.trim();
    if let Ok(net) = t.parse::<IpNet>() {
        return Some(net.trunc());
    }
    parse_ip(t.as_bytes()).map(IpNet::from)
}

/// Parses a logged address: IPv4, IPv6 with an optional `%zone`, and
/// IPv4-mapped IPv6 (`::ffff:203.0.113.7`) is taken as the IPv4 address.
pub fn parse_ip(raw: &[u8]) -> Option<IpAddr> {
    let raw = match memchr::memchr(b'%', raw) {
        Some(i) => &raw[..i],
        None => raw,
    };
    let raw = raw
        .strip_prefix(b"[")
        .and_then(|r| r.strip_suffix(b"]"))
        .unwrap_or(raw);
    let ip: IpAddr = std::str::from_utf8(raw).ok()?.parse().ok()?;
    Some(ip.to_canonical())
}

impl Filter {
    pub fn new(spec: &FilterSpec) -> Result<Filter, FilterError> {
        let nets = spec
            .ips
            .iter()
            .map(|t| parse_net(t).ok_or_else(|| FilterError::Ip(t.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for p in spec.paths.iter().flat_map(|p| split_patterns(p)) {
                set.add(path_glob(p)?);
            }
            Some(
                set.build()
                    .map_err(|e| FilterError::Path(spec.paths.join(" "), e.to_string()))?,
            )
        };
        let statuses = spec
            .statuses
            .iter()
            .map(|s| StatusMatch::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        if let (Some(since), Some(until)) = (spec.since, spec.until)
            && since >= until
        {
            return Err(FilterError::EmptyRange { since, until });
        }
        Ok(Filter {
            users: spec.users.iter().map(|u| UserMatch::new(u)).collect(),
            nets,
            paths,
            methods: spec
                .methods
                .iter()
                .map(|m| m.trim().to_ascii_uppercase())
                .collect(),
            statuses,
            since: spec.since,
            until: spec.until,
        })
    }

    /// Whether the filter has a time bound (rows without a time never match one).
    pub fn has_time_bound(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether a row passes every filter.
    pub fn matches(&self, row: &Row<'_>) -> bool {
        (self.users.is_empty() || self.row_user_matches(row)) && self.matches_request(row)
    }

    /// Whether any `--user` was given.
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// Every filter but `--user`: for requests whose person is found by other
    /// means (a download carries no login name).
    pub fn matches_request(&self, row: &Row<'_>) -> bool {
        REQUEST_CRITERIA.iter().all(|&c| self.passes(c, row))
    }

    /// The filters given, in the order they are named in messages.
    pub fn given(&self) -> Vec<Criterion> {
        [Criterion::User]
            .into_iter()
            .chain(REQUEST_CRITERIA)
            .filter(|c| match c {
                Criterion::User => !self.users.is_empty(),
                Criterion::Time => self.has_time_bound(),
                Criterion::Method => !self.methods.is_empty(),
                Criterion::Status => !self.statuses.is_empty(),
                Criterion::Ip => !self.nets.is_empty(),
                Criterion::Path => self.paths.is_some(),
            })
            .collect()
    }

    /// Whether the row passes one filter (true for a filter not given).
    pub fn passes(&self, criterion: Criterion, row: &Row<'_>) -> bool {
        match criterion {
            Criterion::User => self.users.is_empty() || self.row_user_matches(row),
            Criterion::Time => {
                if !self.has_time_bound() {
                    return true;
                }
                let Some(t) = row.time else { return false };
                !(self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u))
            }
            Criterion::Method => {
                self.methods.is_empty()
                    || row.raw(Column::Method).is_some_and(|m| {
                        self.methods
                            .iter()
                            .any(|f| f.as_bytes().eq_ignore_ascii_case(&m))
                    })
            }
            Criterion::Status => {
                self.statuses.is_empty()
                    || row
                        .number(Column::Status)
                        .is_some_and(|s| self.statuses.iter().any(|f| f.matches(s)))
            }
            Criterion::Ip => {
                self.nets.is_empty()
                    || row
                        .raw(Column::ClientIp)
                        .and_then(|r| parse_ip(&r))
                        .is_some_and(|ip| self.nets.iter().any(|n| n.contains(&ip)))
            }
            Criterion::Path => match &self.paths {
                None => true,
                Some(paths) => row
                    .raw(Column::UriStem)
                    .is_some_and(|stem| paths.is_match(String::from_utf8_lossy(&stem).as_ref())),
            },
        }
    }

    /// [`Filter::user_matches`] of a row's login; without a copy when the
    /// row has no escaped value (almost always).
    #[inline]
    fn row_user_matches(&self, row: &Row<'_>) -> bool {
        if row.has_escapes() {
            self.user_matches(row.raw(Column::Username).as_deref())
        } else {
            self.user_matches(row.plain(Column::Username))
        }
    }

    /// Whole-name match, ignoring case. A name given without a domain also
    /// matches the account part of a logged `DOMAIN\name`.
    pub fn user_matches(&self, logged: Option<&[u8]>) -> bool {
        let Some(logged) = logged else { return false };
        self.users.iter().any(|want| want.matches(logged))
    }
}

/// A `--user` value, lowercased once, with what the match of a logged
/// name needs known in advance.
#[derive(Debug)]
struct UserMatch {
    /// The name, lowercased (Unicode).
    lower: String,
    /// It holds a `\`: it matches whole names only, never an account part.
    has_domain: bool,
    /// It is ASCII: an ASCII logged name is compared byte for byte.
    ascii: bool,
}

impl UserMatch {
    fn new(given: &str) -> UserMatch {
        let lower = given.trim().to_lowercase();
        UserMatch {
            has_domain: lower.contains('\\'),
            ascii: lower.is_ascii(),
            lower,
        }
    }

    /// Whether a logged name is this one: the whole name, or (for a name
    /// given without a domain) the part after the last `\`, ignoring case.
    #[inline]
    fn matches(&self, logged: &[u8]) -> bool {
        let want = self.lower.as_bytes();
        if self.ascii && logged.is_ascii() {
            // Lengths first: most logged names are not the one asked for.
            // Without a `\` in `want`, the part after the last `\` of
            // `logged` is `want` exactly when `logged` ends with `\want`.
            return logged.eq_ignore_ascii_case(want)
                || !self.has_domain
                    && logged.len() > want.len()
                    && logged[logged.len() - want.len() - 1] == b'\\'
                    && logged[logged.len() - want.len()..].eq_ignore_ascii_case(want);
        }
        let account = memchr::memrchr(b'\\', logged).map(|i| &logged[i + 1..]);
        eq_fold(logged, want) || (!self.has_domain && account.is_some_and(|a| eq_fold(a, want)))
    }
}

/// Case-insensitive equality of a logged name and a lowercased filter value.
fn eq_fold(logged: &[u8], want_lower: &[u8]) -> bool {
    if logged.is_ascii() {
        return logged.len() == want_lower.len()
            && logged
                .iter()
                .zip(want_lower)
                .all(|(a, b)| a.to_ascii_lowercase() == *b);
    }
    String::from_utf8_lossy(logged).to_lowercase().as_bytes() == want_lower
}

/// A `--path` value's patterns: a comma separates them (any matches, as
/// for the other filters), except inside `{a,b}`, the glob's own
/// alternation. An escaped comma (`\,`) is a comma of the path.
fn split_patterns(value: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut escaped = false;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.into_iter().filter(|p| !p.is_empty())
}

/// `--path` globs: `*` crosses `/` (as in a URL filter), case-insensitive (as IIS).
fn path_glob(pattern: &str) -> Result<Glob, FilterError> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .map_err(|e| FilterError::Path(pattern.to_string(), e.kind().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(users: &[&str]) -> Filter {
        Filter::new(&FilterSpec {
            users: users.iter().map(|s| s.to_string()).collect(),
            ..FilterSpec::default()
        })
        .unwrap()
    }

    #[test]
    fn user_is_whole_name_case_insensitive() {
        let f = filter(&["jsmith"]);
        assert!(f.user_matches(Some(b"JSmith")));
        assert!(f.user_matches(Some(b"ACME\\jsmith")));
        assert!(!f.user_matches(Some(b"jsmith2")));
        assert!(!f.user_matches(Some(b"xjsmith")));
        assert!(!f.user_matches(None));
        let f = filter(&["ACME\\jsmith"]);
        assert!(f.user_matches(Some(b"acme\\JSMITH")));
        assert!(!f.user_matches(Some(b"jsmith")));
        assert!(filter(&["jürgen"]).user_matches(Some("JÜRGEN".as_bytes())));
    }

    #[test]
    fn user_fast_path_agrees_with_the_folding_match() {
        // The match before the fast path: every name lowercased, the
        // account part found with memrchr.
        fn folding(users: &[&str], logged: &[u8]) -> bool {
            let account = memchr::memrchr(b'\\', logged).map(|i| &logged[i + 1..]);
            users.iter().any(|u| {
                let want = u.trim().to_lowercase();
                let want = want.as_bytes();
                eq_fold(logged, want)
                    || (memchr::memchr(b'\\', want).is_none()
                        && account.is_some_and(|a| eq_fold(a, want)))
            })
        }
        let wanted: &[&[&str]] = &[
            &["jsmith"],
            &["JSmith "],
            &["ACME\\jsmith"],
            &["k"],
            &["jürgen"],
            &["i\u{307}"],
            &["ß"],
            &["a\\b"],
            &[""],
            &["jsmith", "mary.jones"],
        ];
        let logged: &[&[u8]] = &[
            b"jsmith",
            b"JSMITH",
            b"jsmith2",
            b"xjsmith",
            b"ACME\\jsmith",
            b"acme\\JSmith",
            b"OTHER\\jsmith",
            b"a\\b\\jsmith",
            b"\\jsmith",
            b"jsmith\\",
            b"ACME/jsmith",
            b"\\",
            b"k",
            b"K",
            "\u{212a}".as_bytes(),
            "ACME\\\u{212a}".as_bytes(),
            "JÜRGEN".as_bytes(),
            "ACME\\Jürgen".as_bytes(),
            "\u{130}".as_bytes(),
            "SS".as_bytes(),
            "ß".as_bytes(),
            b"\xffjsmith",
            b"ACME\\\xff",
            b"a\\b",
            b"x\\a\\b",
            b"mary.jones",
        ];
        for users in wanted {
            let f = filter(users);
            for name in logged {
                assert_eq!(
                    f.user_matches(Some(name)),
                    folding(users, name),
                    "{users:?} {:?}",
                    String::from_utf8_lossy(name)
                );
            }
        }
    }

    #[test]
    fn ip_networks_and_zone_ids() {
        let net = parse_net("73.21.44.0/24").unwrap();
        assert!(net.contains(&parse_ip(b"73.21.44.200").unwrap()));
        assert!(net.contains(&parse_ip(b"::ffff:73.21.44.9").unwrap()));
        assert!(!net.contains(&parse_ip(b"73.21.45.1").unwrap()));
        let v6 = parse_net("2001:db8::/32").unwrap();
        assert!(v6.contains(&parse_ip(b"2001:db8::7").unwrap()));
        let link = parse_net("fe80::1ff:fe23:4567:890a").unwrap();
        assert!(link.contains(&parse_ip(b"fe80::1ff:fe23:4567:890a%3").unwrap()));
        assert!(parse_net("not-an-ip").is_none());
        assert!(parse_net("73.21.44.9%eth0").is_some());
    }

    #[test]
    fn a_comma_separates_path_patterns_except_inside_braces() {
        fn all(v: &str) -> Vec<&str> {
            split_patterns(v).collect()
        }
        assert_eq!(all("*.zip,*.csv"), ["*.zip", "*.csv"]);
        assert_eq!(
            all("/temp/*.{zip,csv},/PCR*"),
            ["/temp/*.{zip,csv}", "/PCR*"]
        );
        assert_eq!(all(r"/a\,b.aspx"), [r"/a\,b.aspx"]);
        assert_eq!(all("*.zip,"), ["*.zip"]);
    }

    #[test]
    fn path_glob_crosses_slashes_and_ignores_case() {
        let g = path_glob("/temp/*.zip").unwrap().compile_matcher();
        assert!(g.is_match("/Temp/acme/A.jsmith.zip"));
        assert!(!g.is_match("/images/temp/a.zip"));
    }

    #[test]
    fn statuses() {
        assert_eq!(StatusMatch::parse("4xx"), Ok(StatusMatch::Class(4)));
        assert_eq!(StatusMatch::parse("404"), Ok(StatusMatch::Code(404)));
        assert!(StatusMatch::parse("4x").is_err());
        assert!(StatusMatch::parse("99").is_err());
        assert!(StatusMatch::Class(4).matches(404));
        assert!(!StatusMatch::Class(4).matches(500));
    }
}
