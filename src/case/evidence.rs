//! What the correlation works from: the collected logs, their coverage, the
//! roster and the site's zone, with the indexes the join looks leads up by
//! (downloads by their export name's civil time, the first fetch of each
//! `/temp/` path, the UTC offsets the export names imply), and the address
//! and time helpers the join uses (address comparison, saturating shifts,
//! the UTC offsets an export name's civil time may be read under).

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

use super::collect::Collected;
use super::roster::Roster;
use super::{Coverage, TOLERANCES};
use crate::analyze::downloads::Download;
use crate::analyze::same_user;
use crate::filter::parse_ip;
use crate::time::Zone;

/// What the correlation works from.
pub struct Evidence<'a> {
    pub collected: &'a Collected,
    pub coverage: &'a [Coverage],
    pub roster: Option<&'a Roster>,
    pub zone: &'a Zone,
    /// Every client address seen is private or loopback: a proxy stands
    /// between the users and the server, so addresses cannot be compared.
    pub proxied: bool,
    /// Indexes of the first fetch of each `/temp/` path.
    first_fetches: HashSet<usize>,
    /// Downloads with an export name, by the name's civil time.
    by_local: BTreeMap<DateTime, Vec<usize>>,
    /// Every UTC offset the export names imply.
    implied: Vec<Offset>,
}

impl<'a> Evidence<'a> {
    pub fn new(
        collected: &'a Collected,
        coverage: &'a [Coverage],
        roster: Option<&'a Roster>,
        zone: &'a Zone,
        proxied: bool,
    ) -> Evidence<'a> {
        let mut seen = HashSet::new();
        let mut first_fetches = HashSet::new();
        let mut by_local: BTreeMap<DateTime, Vec<usize>> = BTreeMap::new();
        let mut implied = Vec::new();
        for (i, d) in collected.downloads.iter().enumerate() {
            if seen.insert(d.record.uri_stem.as_deref().map(str::to_lowercase)) {
                first_fetches.insert(i);
            }
            if let Some(local) = d.name.export_time_local {
                by_local.entry(local).or_default().push(i);
            }
            for o in offsets_for(zone, Timestamp::UNIX_EPOCH, d.implied_utc_offset)
                .into_iter()
                .skip(1)
            {
                if !implied.contains(&o) {
                    implied.push(o);
                }
            }
        }
        Evidence {
            collected,
            coverage,
            roster,
            zone,
            proxied,
            first_fetches,
            by_local,
            implied,
        }
    }

    /// Downloads whose export name's civil time is within the tolerance of
    /// `p` under some offset in play (the zone's at `p`, or one the names
    /// imply), in download order.
    pub(super) fn named_near(&self, p: Timestamp) -> impl Iterator<Item = &Download> {
        let mut offsets = vec![self.zone.offset(p)];
        offsets.extend(self.implied.iter().copied());
        let tolerance = TOLERANCES.name_time;
        let mut hits: Vec<usize> = offsets
            .iter()
            .filter_map(|o| {
                let local = o.to_datetime(p);
                let from = local.checked_sub(tolerance).ok()?;
                let to = local.checked_add(tolerance).ok()?;
                Some(
                    self.by_local
                        .range(from..=to)
                        .flat_map(|(_, v)| v.iter().copied()),
                )
            })
            .flatten()
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter().map(|i| &self.collected.downloads[i])
    }

    /// The downloads a login made: those its session fetched, and first
    /// fetches of exports named for it that no session claims. A later
    /// fetch of someone's export by another client is a replay, not theirs.
    pub(super) fn downloads_of<'s>(
        &'s self,
        login: &'s str,
    ) -> impl Iterator<Item = &'s Download> + 's {
        self.collected
            .downloads
            .iter()
            .enumerate()
            .filter(move |(i, d)| match &d.session_user {
                Some(u) => same_user(u, login),
                None => {
                    self.first_fetches.contains(i)
                        && d.name
                            .export_user
                            .as_deref()
                            .is_some_and(|u| same_user(u, login))
                }
            })
            .map(|(_, d)| d)
    }
}

/// Whether an address is private, loopback, link-local or unique-local.
pub fn is_internal(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// `t + d`, saturating at the ends of time (statements are untrusted).
pub fn shift(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

pub(super) fn same_ip(a: &str, b: &str) -> bool {
    match (parse_ip(a.as_bytes()), parse_ip(b.as_bytes())) {
        (Some(a), Some(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

pub(super) fn is_loopback(ip: &str) -> bool {
    parse_ip(ip.as_bytes()).is_some_and(|ip| ip.is_loopback())
}

/// The offset under which an export name's civil time is `at`, if any.
pub(super) fn name_offset(
    local: jiff::civil::DateTime,
    at: Timestamp,
    offsets: &[Offset],
) -> Option<Offset> {
    offsets.iter().copied().find(|off| {
        off.to_timestamp(local)
            .is_ok_and(|t| t.duration_since(at).abs() <= TOLERANCES.name_time)
    })
}

pub(super) fn offsets_for(
    zone: &Zone,
    at: Timestamp,
    implied: Option<SignedDuration>,
) -> Vec<Offset> {
    let mut offsets = vec![zone.offset(at)];
    if let Some(o) = implied
        .and_then(|d| i32::try_from(d.as_secs()).ok())
        .and_then(|s| Offset::from_seconds(s).ok())
        && !offsets.contains(&o)
    {
        offsets.push(o);
    }
    offsets
}
