//! The forensic statement the application engraves into every export:
//!
//! `Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.`
//!
//! and, for uploads to a registry, `Produced <time> by <host> for <endpoint>.`
//! One parser serves every kind of file. Text that does not have this shape
//! is kept as it is and flagged: never guessed at.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// A statement, parsed when it has the vendor's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The text as found (trimmed).
    pub text: String,
    /// Whether the text has the vendor's shape. The parser leaves every other
    /// field `None` when it is false; a PDF's metadata may still fill them
    /// from separate fields (its `text` then lists the fields used).
    pub parsed: bool,
    /// The user's name (`Jane Doe`).
    pub name: Option<String>,
    /// The user's numeric ID (`16`).
    pub user_id: Option<u64>,
    pub ip: Option<String>,
    /// When it was produced, as a UTC instant.
    pub produced_at: Option<Timestamp>,
    /// The server that produced it (`acme.angeltrack.com`).
    pub host: Option<String>,
    /// For uploads: where it was sent (`newyork.imagetrendelite.com/...`).
    pub recipient: Option<String>,
}

impl Statement {
    /// Parses a statement; text of another shape is kept raw, unparsed.
    pub fn parse(text: &str) -> Statement {
        let text = text.trim();
        parse_shape(text).unwrap_or_else(|| Statement {
            text: text.to_string(),
            parsed: false,
            name: None,
            user_id: None,
            ip: None,
            produced_at: None,
            host: None,
            recipient: None,
        })
    }

    /// Whether two statements name the same person and moment (used to
    /// compare copies and reports). Unparsed statements compare by text.
    pub fn same_identity(&self, other: &Statement) -> bool {
        if !(self.parsed && other.parsed) {
            return self.text == other.text;
        }
        (&self.name, self.user_id, &self.ip, &self.recipient)
            == (&other.name, other.user_id, &other.ip, &other.recipient)
    }
}

fn parse_shape(text: &str) -> Option<Statement> {
    let rest = text.strip_prefix("Produced ")?;
    // `2021-07-01 17:35:16-00:00 by ...`: the time is two words.
    let (date, rest) = rest.split_once(' ')?;
    let (time, rest) = rest.split_once(' ')?;
    let produced_at = produced(date, time)?;
    let rest = rest.strip_prefix("by ")?;
    let (host, rest) = rest.split_once(" for ")?;
    if host.is_empty() || host.contains(' ') {
        return None;
    }
    // The final `.` is punctuation (an IPv4 address or a host name ends before it).
    let body = rest.strip_suffix('.')?;
    let mut statement = Statement {
        text: text.to_string(),
        parsed: true,
        name: None,
        user_id: None,
        ip: None,
        produced_at: Some(produced_at),
        host: Some(host.to_string()),
        recipient: None,
    };
    if let Some(user) = body.strip_prefix("user ") {
        // `Jane Doe (ID 16) at 192.168.1.42`, read from the right: the name
        // may hold anything but the `(ID n) at ip` tail.
        let (who, ip) = user.rsplit_once(") at ")?;
        let (name, id) = who.rsplit_once(" (ID ")?;
        let ip = ip.trim();
        if name.trim().is_empty()
            || ip.is_empty()
            || ip.contains(' ')
            || crate::filter::parse_ip(ip.as_bytes()).is_none()
        {
            return None;
        }
        statement.name = Some(name.trim().to_string());
        statement.user_id = Some(id.trim().parse().ok()?);
        statement.ip = Some(ip.to_string());
    } else {
        if body.is_empty() || body.contains(' ') {
            return None;
        }
        statement.recipient = Some(body.to_string());
    }
    Some(statement)
}

/// `2021-07-01` + `17:35:16-00:00` (an offset; `-00:00` means UTC).
fn produced(date: &str, time: &str) -> Option<Timestamp> {
    let split = time.rfind(['+', '-']).filter(|&i| i >= 8)?;
    let (clock, offset) = time.split_at(split);
    let dt: DateTime = format!("{date}T{clock}").parse().ok()?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (h, m) = offset[1..].split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h.abs() > 23 || !(0..60).contains(&m) || offset[1..].len() != 5 {
        return None;
    }
    let off = Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?;
    off.to_timestamp(dt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_sentence() {
        let s = Statement::parse(
            "  Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.\n",
        );
        assert!(s.parsed);
        assert_eq!(s.name.as_deref(), Some("Jane Doe"));
        assert_eq!(s.user_id, Some(16));
        assert_eq!(s.ip.as_deref(), Some("192.168.1.42"));
        assert_eq!(s.host.as_deref(), Some("acme.angeltrack.com"));
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-01T17:35:16Z");
        assert_eq!(s.recipient, None);
    }

    #[test]
    fn registry_upload() {
        let s = Statement::parse(
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.",
        );
        assert!(s.parsed);
        assert_eq!(
            s.recipient.as_deref(),
            Some("newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws")
        );
        assert_eq!((s.name, s.ip), (None, None));
    }

    #[test]
    fn names_with_apostrophes_hyphens_and_accents_and_ipv6() {
        let s = Statement::parse(
            "Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com for user Zoë O'Brien-Núñez (ID 7) at 2001:db8::42.",
        );
        assert_eq!(s.name.as_deref(), Some("Zoë O'Brien-Núñez"));
        assert_eq!(s.ip.as_deref(), Some("2001:db8::42"));
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-01T17:35:16Z");
    }

    #[test]
    fn other_text_is_kept_raw_and_flagged() {
        for text in [
            "Downloaded by Jane",
            "Produced yesterday by acme for user Jane Doe (ID 16) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID x) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at not-an-ip.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 1.2.3.4",
        ] {
            let s = Statement::parse(text);
            assert!(!s.parsed, "{text}");
            assert_eq!(s.text, text);
            assert_eq!(s.name, None);
        }
    }
}
