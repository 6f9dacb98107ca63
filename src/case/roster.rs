//! Who a name is: the link between the name a leaked file's statement gives
//! ("Charles Garcia (ID 57)") and the login the logs know (`charles.garcia`).
//!
//! With a roster (the employee list exported as CSV: login, name, employee
//! ID, under headers matched loosely) the link is exact: by ID first, then
//! by name. Without one, or for a name the roster lacks, a documented
//! heuristic says whether a login *could* be that person's (first.last,
//! initial + surname, ...): reported as a heuristic, never as fact.

use std::fmt;
use std::path::Path;

use encoding_rs::{UTF_8, WINDOWS_1252};

use crate::analyze::same_user;

/// Rows a roster may have; the rest are counted and reported.
pub const MAX_ROSTER_ROWS: usize = 100_000;
/// Bytes a roster file may have.
pub const MAX_ROSTER_BYTES: u64 = 64 << 20;

/// One employee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Employee {
    pub login: String,
    pub name: Option<String>,
    pub id: Option<u64>,
    /// 1-based line in the roster file.
    pub line: u64,
}

/// The employee list.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    pub path: String,
    pub employees: Vec<Employee>,
    /// Rows that could not be used, with why (`roster.csv:7: no login`).
    pub skipped: Vec<String>,
    pub skipped_count: u64,
}

/// Why a roster cannot be used at all.
#[derive(Debug)]
pub struct RosterError(pub String);

impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RosterError {}

/// What a header cell is, by its letters and digits only, lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Login,
    Name,
    First,
    Last,
    Id,
}

fn column_of(header: &str) -> Option<Column> {
    let key: String = header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let column = match key.as_str() {
        "login" | "loginname" | "logon" | "logonname" | "username" | "user" | "userlogin"
        | "account" | "accountname" | "samaccountname" | "userid" | "loginid" => Column::Login,
        "name" | "fullname" | "employeename" | "displayname" | "employee" | "staffname" => {
            Column::Name
        }
        "firstname" | "first" | "givenname" | "forename" => Column::First,
        "lastname" | "last" | "surname" | "familyname" => Column::Last,
        "id" | "employeeid" | "empid" | "employeeno" | "employeenumber" | "staffid"
        | "employeeidnumber" | "idnumber" | "badge" | "badgenumber" => Column::Id,
        _ => return None,
    };
    // `userid` is a login in most exports, but a number column called
    // `User ID` is an ID: decided from the data in `Roster::read`.
    Some(column)
}

/// A file that may be a roster, read whole: no more than
/// [`MAX_ROSTER_BYTES`] of it (a device or a pipe included).
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::artifact::intake::read_path(path, MAX_ROSTER_BYTES, "a roster")
}

impl Roster {
    /// Reads a roster CSV (`,`, `;` or tab; UTF-8 or Windows-1252).
    pub fn read(path: &Path) -> Result<Roster, RosterError> {
        let shown = path.display().to_string();
        let bytes = read_capped(path).map_err(|e| RosterError(format!("{shown}: {e}")))?;
        Roster::parse(&shown, &bytes)
    }

    pub fn parse(shown: &str, bytes: &[u8]) -> Result<Roster, RosterError> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let text = match UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(t) => t.into_owned(),
            None => WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        };
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(RosterError(format!("{shown}: {e}"))),
            None => return Err(RosterError(format!("{shown}: empty roster"))),
        };
        let mut columns: Vec<Option<Column>> = header.iter().map(column_of).collect();
        let find =
            |columns: &[Option<Column>], c: Column| columns.iter().position(|x| *x == Some(c));
        // Two login-like columns (`Login` and `User ID`): the second is an ID.
        if let Some(first) = find(&columns, Column::Login)
            && let Some(second) = columns
                .iter()
                .skip(first + 1)
                .position(|x| *x == Some(Column::Login))
                .map(|p| p + first + 1)
            && find(&columns, Column::Id).is_none()
        {
            columns[second] = Some(Column::Id);
        }
        let Some(login_at) = find(&columns, Column::Login) else {
            let found: Vec<&str> = header.iter().collect();
            return Err(RosterError(format!(
                "{shown}: no login column in the header ({}); name one Login, User or Username",
                found.join(", ")
            )));
        };
        let name_at = find(&columns, Column::Name);
        let first_at = find(&columns, Column::First);
        let last_at = find(&columns, Column::Last);
        let id_at = find(&columns, Column::Id);
        let mut roster = Roster {
            path: shown.to_string(),
            ..Roster::default()
        };
        for record in records {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    roster.skip(format!("{shown}: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            let cell = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|s| !s.is_empty())
            };
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let Some(login) = cell(Some(login_at)) else {
                roster.skip(format!("{shown}:{line}: no login; row skipped"));
                continue;
            };
            let name = cell(name_at).or_else(|| match (cell(first_at), cell(last_at)) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (f, l) => f.or(l),
            });
            let id = match cell(id_at) {
                Some(text) => match text.trim_start_matches('#').parse::<u64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        roster.skip(format!(
                            "{shown}:{line}: employee ID '{text}' is not a number; kept without it"
                        ));
                        None
                    }
                },
                None => None,
            };
            if roster.employees.len() >= MAX_ROSTER_ROWS {
                roster.skip(format!(
                    "{shown}:{line}: past {MAX_ROSTER_ROWS} employees; row skipped"
                ));
                continue;
            }
            roster.employees.push(Employee {
                login,
                name,
                id,
                line,
            });
        }
        Ok(roster)
    }

    fn skip(&mut self, why: String) {
        self.skipped_count += 1;
        if self.skipped.len() < 20 {
            self.skipped.push(why);
        }
    }

    /// The employee a statement names: by ID when the roster has IDs and
    /// the statement one (a name that disagrees is noted by the caller),
    /// else by the name.
    pub fn find(&self, name: Option<&str>, id: Option<u64>) -> Option<&Employee> {
        if let Some(id) = id
            && let Some(e) = self.employees.iter().find(|e| e.id == Some(id))
        {
            return Some(e);
        }
        let wanted = name.map(fold_name)?;
        self.employees
            .iter()
            .find(|e| e.name.as_deref().map(fold_name).as_deref() == Some(wanted.as_str()))
    }

    /// The employee with a login.
    pub fn by_login(&self, login: &str) -> Option<&Employee> {
        self.employees.iter().find(|e| same_user(&e.login, login))
    }
}

/// A name compared loosely: lower case, accents folded, words joined by one
/// space, punctuation other than letters and digits dropped.
pub fn fold_name(name: &str) -> String {
    words(name).join(" ")
}

/// The words of a name, lower case and folded to ASCII where a Latin letter
/// has an obvious base (`Núñez` → `nunez`); apostrophes and hyphens join.
fn words(name: &str) -> Vec<String> {
    // `Smith, John Q.` is `John Q. Smith`.
    let reordered;
    let name = match name.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() && !last.trim().is_empty() => {
            reordered = format!("{first} {last}");
            reordered.as_str()
        }
        _ => name,
    };
    name.split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .filter_map(fold_char)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn fold_char(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c);
    }
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ß' => 's',
        _ if c.is_alphanumeric() => c,
        _ => return None,
    };
    Some(base)
}

/// The login forms the heuristic accepts for a name, with what each is.
/// `John Q. Smith` gives `john.smith`, `john_smith`, `john-smith`,
/// `johnsmith`, `jsmith`, `j.smith`, `smithj`, `smith.john`, `smithjohn`;
/// a login matches one of them ignoring case, a `DOMAIN\` prefix and
/// trailing digits (`jsmith2`).
pub fn login_forms(name: &str) -> Vec<(String, &'static str)> {
    let w = words(name);
    let (Some(first), Some(last)) = (w.first(), w.last()) else {
        return Vec::new();
    };
    if w.len() < 2 {
        return vec![(first.clone(), "the whole name")];
    }
    let initial: String = first.chars().take(1).collect();
    vec![
        (format!("{first}.{last}"), "first.last"),
        (format!("{first}_{last}"), "first_last"),
        (format!("{first}-{last}"), "first-last"),
        (format!("{first}{last}"), "firstlast"),
        (format!("{initial}{last}"), "initial + surname"),
        (format!("{initial}.{last}"), "initial.surname"),
        (format!("{last}{initial}"), "surname + initial"),
        (format!("{last}.{first}"), "last.first"),
        (format!("{last}{first}"), "lastfirst"),
    ]
}

/// Whether a login could be the person's by the heuristic; the form it has.
pub fn heuristic_fit(login: &str, name: &str) -> Option<&'static str> {
    let bare = login.rsplit('\\').next().unwrap_or(login).to_lowercase();
    let bare = bare.trim_end_matches(|c: char| c.is_ascii_digit());
    if bare.is_empty() {
        return None;
    }
    login_forms(name)
        .into_iter()
        .find(|(form, _)| form == bare)
        .map(|(_, what)| what)
}

/// How a statement's name was tied to a login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameLink {
    /// The roster has the person (by ID or name) with this login.
    Roster {
        employee: Employee,
        by: &'static str,
    },
    /// No roster entry: the login has a form the heuristic accepts.
    Heuristic { form: &'static str },
    /// Neither.
    None,
}

impl NameLink {
    pub fn as_str(&self) -> &'static str {
        match self {
            NameLink::Roster { .. } => "roster",
            NameLink::Heuristic { .. } => "heuristic",
            NameLink::None => "none",
        }
    }
}

/// Whether `login` fits the statement's person, and how that was decided.
/// With a roster entry for the person the answer is the roster's; else the
/// heuristic's.
pub fn link(
    roster: Option<&Roster>,
    name: Option<&str>,
    id: Option<u64>,
    login: &str,
) -> (bool, NameLink) {
    if let Some(employee) = roster.and_then(|r| r.find(name, id)) {
        let by = if id.is_some() && employee.id == id {
            "employee ID"
        } else {
            "name"
        };
        let fits = same_user(&employee.login, login);
        return (
            fits,
            NameLink::Roster {
                employee: employee.clone(),
                by,
            },
        );
    }
    match name.and_then(|n| heuristic_fit(login, n)) {
        Some(form) => (true, NameLink::Heuristic { form }),
        None => (false, NameLink::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heuristic_accepts_the_usual_login_forms_and_nothing_else() {
        for login in [
            "charles.garcia",
            "CGarcia",
            "cgarcia2",
            "ACME\\charles.garcia",
            "garcia.charles",
            "garciac",
        ] {
            assert!(heuristic_fit(login, "Charles Garcia").is_some(), "{login}");
        }
        for login in ["charles", "garcia", "cgarcias", "bwhite", "", "123"] {
            assert!(heuristic_fit(login, "Charles Garcia").is_none(), "{login}");
        }
        assert_eq!(
            heuristic_fit("jsmith", "John Q. Smith"),
            Some("initial + surname")
        );
        assert_eq!(
            heuristic_fit("zobriennunez", "Zoë O'Brien-Núñez"),
            Some("initial + surname")
        );
    }

    #[test]
    fn roster_headers_are_matched_loosely_and_ids_win_over_names() {
        let text = "Employee ID;Full Name;Login\n57;Charles Garcia;charles.garcia\n42;John Smith;jsmith\n;Nobody;\nx1;Mary Jones;mary.jones\n";
        let r = Roster::parse("roster.csv", text.as_bytes()).unwrap();
        assert_eq!(r.employees.len(), 3);
        assert_eq!(r.skipped_count, 2, "{:?}", r.skipped);
        assert!(
            r.skipped[0].starts_with("roster.csv:4: no login"),
            "{:?}",
            r.skipped
        );
        assert_eq!(
            r.find(Some("Someone Else"), Some(42)).unwrap().login,
            "jsmith"
        );
        assert_eq!(
            r.find(Some("charles  GARCIA"), None).unwrap().login,
            "charles.garcia"
        );
        let (fits, link) = link(Some(&r), Some("John Smith"), Some(42), "JSMITH");
        assert!(fits);
        assert_eq!(link.as_str(), "roster");
        let (fits, _) = link_for(&r, "bwhite");
        assert!(!fits);
    }

    fn link_for(r: &Roster, login: &str) -> (bool, NameLink) {
        link(Some(r), Some("John Smith"), Some(42), login)
    }

    #[test]
    fn roster_with_first_and_last_name_columns() {
        let text = "User,First Name,Last Name,Badge #\r\njdoe,Jane,Doe,16\r\n";
        let r = Roster::parse("r.csv", text.as_bytes()).unwrap();
        assert_eq!(r.employees[0].name.as_deref(), Some("Jane Doe"));
        assert_eq!(r.employees[0].id, Some(16));
    }

    #[test]
    fn roster_without_a_login_column_is_refused_with_the_headers_found() {
        let e = Roster::parse("r.csv", b"Name,Phone\nJane,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv: no login column in the header (Name, Phone); name one Login, User or Username"
        );
    }
}
