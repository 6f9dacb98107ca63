//! One request as a session sees it: taken from the row on the cores.

use super::super::client_key;
use super::super::export::is_download;
use crate::w3c::{Column, Row};

/// Extensions of static assets: requested by the browser on its own (with no
/// login name), not pages a person chose to visit.
pub(super) const STATIC: &[&str] = &[
    "png", "gif", "jpg", "jpeg", "ico", "css", "js", "map", "woff", "woff2", "ttf", "svg", "axd",
];

/// What a session needs of one request, taken from the row on the cores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionEvent {
    /// The login name as logged (`None` for `-`).
    pub user: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: Option<String>,
    pub stem: Option<String>,
    pub status: Option<u64>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// A GET or HEAD under `/temp/` (see [`is_download`]), whatever its status.
    pub download: bool,
    /// [`client_key`] of the address and user agent.
    pub client: u64,
}

impl SessionEvent {
    pub fn from_row(row: &Row<'_>) -> SessionEvent {
        let ip = row.raw(Column::ClientIp);
        let agent = row.raw(Column::UserAgent);
        let method = row.raw(Column::Method);
        let stem = row.raw(Column::UriStem);
        let download = match (&method, &stem) {
            (Some(m), Some(s)) => is_download(m, s),
            _ => false,
        };
        // Held while the session is open: cut past a few KiB.
        let text = |b: &Option<std::borrow::Cow<'_, [u8]>>| {
            b.as_ref().map(|b| {
                let mut s = String::from_utf8_lossy(b).into_owned();
                crate::w3c::record::clip(&mut s);
                s
            })
        };
        SessionEvent {
            user: row.text(Column::Username).map(|mut u| {
                crate::w3c::record::clip(&mut u);
                u
            }),
            client: client_key(
                ip.as_deref().unwrap_or_default(),
                agent.as_deref().unwrap_or_default(),
            ),
            client_ip: text(&ip),
            user_agent: text(&agent),
            method: text(&method),
            stem: text(&stem),
            status: row.number(Column::Status),
            bytes_sent: row.number(Column::BytesSent),
            bytes_received: row.number(Column::BytesReceived),
            download,
        }
    }

    pub(super) fn is_post(&self) -> bool {
        self.method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
    }
}

/// A login name in lower case, without a copy when it is already (most are).
pub(super) fn lowercase(name: &str) -> std::borrow::Cow<'_, str> {
    if name
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(name.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Whether a path is a static asset, by the extension of its last segment.
pub fn is_static(stem: &str) -> bool {
    let b = stem.as_bytes();
    // The extension of the last segment: after its last dot, if any.
    let Some(dot) = memchr::memrchr(b'.', b) else {
        return false;
    };
    let ext = &b[dot + 1..];
    ext.len() <= 5
        && !ext.contains(&b'/')
        && STATIC
            .iter()
            .any(|s| ext.eq_ignore_ascii_case(s.as_bytes()))
}
