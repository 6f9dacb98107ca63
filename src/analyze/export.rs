//! Download paths and export file names.
//!
//! The application writes bulk exports to `/temp/<site>/` and the browser
//! fetches them from there, without a login name:
//! `GET /temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip`. The name
//! holds the organisation, the user who built the export, and the server's
//! local civil time when it was built.

use jiff::civil::DateTime;

/// Whether a request fetched a file from `/temp/`: a GET or HEAD whose path
/// starts with the segment `/temp/` (any case). `/templates/…`,
/// `/images/temp/…` and POSTs are not downloads.
pub fn is_download(method: &[u8], stem: &[u8]) -> bool {
    // The path first: it rules out nearly every row, at its second byte.
    stem.len() > 6
        && matches!(stem[1], b't' | b'T')
        && stem[..6].eq_ignore_ascii_case(b"/temp/")
        && (method.eq_ignore_ascii_case(b"GET") || method.eq_ignore_ascii_case(b"HEAD"))
}

/// What a download's path says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportName {
    /// The last path segment.
    pub file_name: String,
    /// After the last `.` of the file name, lower case.
    pub extension: Option<String>,
    /// The segment after `/temp/`, when the file sits below one.
    pub site: Option<String>,
    pub org: Option<String>,
    /// The user in an export-shaped name `<Org>.<user>.<YYYY-MM-DD-HH-MM-SS>.<ext>`.
    pub export_user: Option<String>,
    /// The civil time in the name (the server's local time when it was built).
    pub export_time_local: Option<DateTime>,
}

impl ExportName {
    /// Whether the name has the shape of a bulk export,
    /// `<Org>.<user>.<YYYY-MM-DD-HH-MM-SS>.<ext>` (a PDF printout or another
    /// file under `/temp/` has not).
    pub fn is_export(&self) -> bool {
        self.export_user.is_some()
    }
}

/// Reads a `/temp/...` path. User names may contain dots, so the name is read
/// from the right: extension, timestamp, then `<Org>.<user>`.
pub fn parse(stem: &str) -> ExportName {
    let after = stem.get(6..).unwrap_or("");
    let segments: Vec<&str> = after.split('/').filter(|s| !s.is_empty()).collect();
    let file_name = segments.last().copied().unwrap_or("").to_string();
    let site = (segments.len() >= 2).then(|| segments[0].to_string());
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|e| !e.is_empty());
    let mut name = ExportName {
        file_name: file_name.clone(),
        extension,
        site,
        org: None,
        export_user: None,
        export_time_local: None,
    };
    let Some((rest, _ext)) = file_name.rsplit_once('.') else {
        return name;
    };
    let Some((org_user, stamp)) = rest.rsplit_once('.') else {
        return name;
    };
    let (Some(time), Some((org, user))) = (export_stamp(stamp), org_user.split_once('.')) else {
        return name;
    };
    if org.is_empty() || user.is_empty() {
        return name;
    }
    name.org = Some(org.to_string());
    name.export_user = Some(user.to_string());
    name.export_time_local = Some(time);
    name
}

/// `YYYY-MM-DD-HH-MM-SS`.
fn export_stamp(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 | 10 | 13 | 16 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<i32>().ok();
    DateTime::new(
        n(0..4)? as i16,
        n(5..7)? as i8,
        n(8..10)? as i8,
        n(11..13)? as i8,
        n(14..16)? as i8,
        n(17..19)? as i8,
        0,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_get_or_head_under_temp() {
        assert!(is_download(b"GET", b"/temp/acme/x.zip"));
        assert!(is_download(b"head", b"/Temp/acme/x.zip"));
        assert!(!is_download(b"POST", b"/temp/acme/upload.ashx"));
        assert!(!is_download(b"GET", b"/templates/Invoice.html"));
        assert!(!is_download(b"GET", b"/images/temp/spinner.gif"));
        assert!(!is_download(b"GET", b"/temp"));
    }

    #[test]
    fn export_name_read_from_the_right() {
        let n = parse("/temp/acme/AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv");
        assert_eq!(n.site.as_deref(), Some("acme"));
        assert_eq!(n.org.as_deref(), Some("AcmeAmbulance"));
        assert_eq!(n.export_user.as_deref(), Some("mary.jones"));
        assert!(n.is_export());
        assert_eq!(n.extension.as_deref(), Some("csv"));
        assert_eq!(
            n.export_time_local.unwrap().to_string(),
            "2017-01-19T14:02:11"
        );
        assert_eq!(
            n.file_name,
            "AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv"
        );
    }

    #[test]
    fn other_temp_files_have_no_export_user() {
        let n = parse("/temp/acme/PCR.48213.pdf");
        assert_eq!(n.export_user, None);
        assert!(!n.is_export());
        assert_eq!(n.extension.as_deref(), Some("pdf"));
        let n = parse("/temp/AcmeAmbulance.jsmith.2017-02-30-09-16-16.zip");
        assert_eq!((n.site, n.export_user), (None, None));
        let n = parse("/temp/acme/.jsmith.2017-01-19-09-16-16.zip");
        assert_eq!(n.export_user, None);
    }
}
