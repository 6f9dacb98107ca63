//! A session's lists (addresses, agents, pages, downloads, polled paths),
//! each up to a limit, with what it leaves out counted.

use jiff::Timestamp;

use super::super::keys::Prehashed;
use super::{KeyedText, Page, PathValue, Polled, Text};

/// A point in the stream: the request's time, then its arrival (ties in
/// time keep the order the requests came in).
pub(super) type Seq = (Timestamp, u64);

/// Distinct addresses or user agents listed per session at most.
pub const MAX_LISTED_VALUES: usize = 1_000;
/// Pages, and downloads, listed per session at most.
pub const MAX_LISTED_PATHS: usize = 10_000;
/// Distinct polled paths listed per session at most.
pub const MAX_POLLING_PATHS: usize = 100;

/// What a session's lists leave out, past [`MAX_LISTED_VALUES`] and
/// [`MAX_LISTED_PATHS`] and [`MAX_POLLING_PATHS`]: requests whose address
/// (user agent) is not listed, pages and downloads not listed, and polling
/// requests of paths not listed. Memory follows the limits, not a
/// flood of distinct values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotListed {
    pub client_ips: u64,
    pub user_agents: u64,
    pub pages: u64,
    pub downloads: u64,
    pub polling_paths: u64,
}

/// Distinct values with the point each was first seen, up to a limit
/// (hashed where the value was read, not here).
///
/// Most sessions see one address and one browser: the first [`FEW`] values
/// are kept in a list, searched by hash before any map is made, and only
/// the values past them go to a map.
#[derive(Debug, Default)]
pub(super) struct FirstSeen {
    few: Vec<(KeyedText, Seq)>,
    many: std::collections::HashMap<KeyedText, Seq, Prehashed>,
    /// Values not kept, the list being full.
    pub(super) not_listed: u64,
}

/// Values a [`FirstSeen`] searches in a list.
const FEW: usize = 4;

impl FirstSeen {
    pub(super) fn add(&mut self, at: Seq, value: &KeyedText) {
        let found = match self.few.iter_mut().find(|(v, _)| v == value) {
            Some((_, first)) => Some(first),
            None => self.many.get_mut(value),
        };
        if let Some(first) = found {
            *first = (*first).min(at);
            return;
        }
        if self.few.len() < FEW {
            self.few.push((value.clone(), at));
        } else if self.few.len() + self.many.len() >= MAX_LISTED_VALUES {
            self.not_listed += 1;
        } else {
            self.many.insert(value.clone(), at);
        }
    }

    pub(super) fn merge(&mut self, other: FirstSeen) {
        self.not_listed += other.not_listed;
        for (at, value) in other.by_first() {
            self.add(at, &value);
        }
    }

    pub(super) fn into_vec(self) -> Vec<Text> {
        self.by_first()
            .into_iter()
            .map(|(_, v)| v.text().clone())
            .collect()
    }

    /// The values in the order first seen (then by text: never map order).
    fn by_first(self) -> Vec<(Seq, KeyedText)> {
        let mut all: Vec<(Seq, KeyedText)> = self
            .few
            .into_iter()
            .chain(self.many)
            .map(|(v, at)| (at, v))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.text().cmp(b.1.text())));
        all
    }
}

/// Paths in stream order; optionally with consecutive repeats folded (and
/// counted); up to [`MAX_LISTED_PATHS`] of them.
#[derive(Debug)]
pub(super) struct Timeline {
    /// When, what (its [`path_key`] and text), and how many requests were
    /// folded into it.
    entries: Vec<(Seq, (u64, Text), u64)>,
    fold: bool,
    /// Entries not kept, the list being full.
    pub(super) not_listed: u64,
}

impl Timeline {
    pub(super) fn new(fold: bool) -> Timeline {
        Timeline {
            entries: Vec::new(),
            fold,
            not_listed: 0,
        }
    }

    pub(super) fn add(&mut self, at: Seq, path: &PathValue) {
        // IIS paths are case-insensitive: `/home.aspx` repeats `/Home.aspx`.
        let fold = self.fold;
        let key = path.facts.key;
        let same = |e: &(Seq, (u64, Text), u64)| fold && same_path(&e.1, key, &path.text);
        let entry = || (at, (key, path.text.clone()), 1);
        if self.entries.last().is_none_or(|(last, _, _)| *last <= at) {
            let full = self.entries.len() >= MAX_LISTED_PATHS;
            match self.entries.last_mut() {
                Some(e) if same(e) => e.2 += 1,
                _ if full => self.not_listed += 1,
                _ => self.entries.push(entry()),
            }
            return;
        }
        // A late request (inputs overlapping in time): put it in its place.
        let pos = self.entries.partition_point(|(e, _, _)| *e <= at);
        if let Some(e) = pos.checked_sub(1).and_then(|p| self.entries.get_mut(p))
            && same(e)
        {
            e.2 += 1;
            return;
        }
        if let Some(e) = self.entries.get_mut(pos)
            && same(e)
        {
            e.0 = at;
            e.2 += 1;
            return;
        }
        self.entries.insert(pos, entry());
        self.cap();
    }

    pub(super) fn merge(&mut self, other: Timeline) {
        self.not_listed += other.not_listed;
        self.entries.extend(other.entries);
        self.entries.sort_by_key(|(at, _, _)| *at);
        if self.fold {
            self.entries.dedup_by(|b, a| {
                let same = same_path(&a.1, b.1.0, &b.1.1);
                if same {
                    a.2 += b.2;
                }
                same
            });
        }
        self.cap();
    }

    /// Keeps the first [`MAX_LISTED_PATHS`] entries, counting the rest.
    pub(super) fn cap(&mut self) {
        if self.entries.len() > MAX_LISTED_PATHS {
            self.not_listed += (self.entries.len() - MAX_LISTED_PATHS) as u64;
            self.entries.truncate(MAX_LISTED_PATHS);
        }
    }

    pub(super) fn into_paths(self) -> Vec<Text> {
        self.entries
            .into_iter()
            .map(|(_, (_, text), _)| text)
            .collect()
    }

    pub(super) fn into_pages(self) -> Vec<Page> {
        self.entries
            .into_iter()
            .map(|((time, _), (_, path), requests)| Page {
                path,
                time,
                requests,
            })
            .collect()
    }
}

/// Whether two paths are the same in any ASCII case (IIS's): paths of
/// different keys never are ([`path_key`] ignores ASCII case).
fn same_path(a: &(u64, Text), key: u64, text: &str) -> bool {
    a.0 == key && a.1.eq_ignore_ascii_case(text)
}

/// Polled paths with their requests, in the order first polled, up to
/// [`MAX_POLLING_PATHS`]; few per client, so searched in a list.
#[derive(Debug, Default)]
pub(super) struct PollingPaths {
    /// [`path_key`], the path, first polled, requests.
    paths: Vec<(u64, Text, Seq, u64)>,
    pub(super) not_listed: u64,
}

impl PollingPaths {
    /// Adds `requests` polling requests of `path`, whose [`path_key`] is `key`.
    pub(super) fn add_keyed(&mut self, at: Seq, key: u64, path: &Text, requests: u64) {
        if let Some(p) = self.paths.iter_mut().find(|p| p.0 == key) {
            p.2 = p.2.min(at);
            p.3 += requests;
        } else if self.paths.len() >= MAX_POLLING_PATHS {
            self.not_listed += requests;
        } else {
            self.paths.push((key, path.clone(), at, requests));
        }
    }

    pub(super) fn merge(&mut self, other: PollingPaths) {
        self.not_listed += other.not_listed;
        for (key, path, at, requests) in other.paths {
            self.add_keyed(at, key, &path, requests);
        }
    }

    pub(super) fn into_vec(mut self) -> Vec<Polled> {
        self.paths.sort_by_key(|p| p.2);
        self.paths
            .into_iter()
            .map(|(_, path, _, requests)| Polled { path, requests })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(secs: i64, arrival: u64) -> Seq {
        (Timestamp::from_second(secs).unwrap(), arrival)
    }

    #[test]
    fn values_past_the_short_list_keep_their_first_point_and_their_order() {
        let value = |s: &str| KeyedText::new(Text::from(s));
        let mut seen = FirstSeen::default();
        // Six values: four in the list, two in the map; each seen again
        // later, and the sixth once earlier (a late request).
        for (i, v) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            seen.add(seq(100 + i as i64, i as u64), &value(v));
        }
        for (i, v) in ["f", "a", "e"].iter().enumerate() {
            seen.add(seq(200, 10 + i as u64), &value(v));
        }
        seen.add(seq(50, 20), &value("f"));
        let mut other = FirstSeen::default();
        other.add(seq(60, 30), &value("e"));
        other.add(seq(70, 31), &value("g"));
        seen.merge(other);
        let texts: Vec<String> = seen.into_vec().iter().map(|t| t.to_string()).collect();
        assert_eq!(texts, ["f", "e", "g", "a", "b", "c", "d"]);
    }
}
