//! Which addresses each person used: per login and client address, when it
//! was first and last seen, how many requests, sessions and exports came
//! from it, and which user agents. The flags that make an address worth a
//! look (first seen on the day of an export, a mobile network, a private
//! address among public ones, a device not used before, impossible travel
//! from another address: [`super::travel`]) are set once the places are
//! known.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;

use super::export;
use super::same_user;
use super::sessions::{Session, SessionEvent};
use super::travel::{self, Moves, Travel};
use crate::enrich::device::{self, Client};
use crate::enrich::geo::{Geo, Network};
use crate::time::Zone;

/// User agents kept per address (the rest are counted).
const MAX_AGENTS: usize = 16;

/// One login's use of one client address.
#[derive(Clone, Debug)]
pub struct AddressUse {
    /// The login as logged (`ACME\jsmith`), or the user an export's name
    /// gives when the address only fetched exports.
    pub user: String,
    pub ip: String,
    pub first: Timestamp,
    pub last: Timestamp,
    /// Authenticated requests of this login from this address.
    pub requests: u64,
    /// Sessions of this login with a request from this address.
    pub sessions: u64,
    /// Downloads from this address of exports whose name gives this user.
    pub exports: u64,
    /// The user agents seen, as logged, in first-seen order.
    pub user_agents: Vec<String>,
    /// Requests whose user agent is not listed (past `MAX_AGENTS`).
    pub more_user_agents: u64,
    /// Where it was first seen.
    pub file: Arc<str>,
    pub line: u64,
    pub flags: Vec<Flag>,
    /// The moves to this address too fast to be travel (flag
    /// [`Flag::ImpossibleTravel`]), by arrival.
    pub travel: Vec<Travel>,
    /// What is known of the address.
    pub geo: Arc<Geo>,
    /// What the user agents say, one per distinct client (browser, OS,
    /// device), in first-seen order.
    pub clients: Vec<Arc<Client>>,
}

/// Why an address deserves a look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// First seen (local day, --tz) on a day this user's exports were
    /// downloaded, after another of the user's addresses: a new address
    /// on the day of an export (the user's first address is not new to the
    /// logs, only to their start).
    FirstSeenOnExportDay,
    /// A mobile carrier's network.
    Mobile,
    /// Its user agents name a device class or OS family that none of the
    /// user's earlier addresses used (a phone after a desktop).
    DeviceChanged,
    /// Private, loopback, CGNAT or link-local, while the same user's other
    /// addresses are public: a VPN, a proxy, or the office.
    PrivateAmongPublic,
    /// The user's previous request came from a place too far away for the
    /// time between them ([`travel::judge`]; needs a City database).
    ImpossibleTravel,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::FirstSeenOnExportDay => "first_seen_on_export_day",
            Flag::Mobile => "mobile",
            Flag::DeviceChanged => "device_changed",
            Flag::PrivateAmongPublic => "private_among_public",
            Flag::ImpossibleTravel => "impossible_travel",
        }
    }
}

/// Gathers address uses from the time-ordered events and finished
/// sessions.
#[derive(Default)]
pub struct AddressBook {
    uses: HashMap<(String, String), AddressUse>,
    /// Per export user (lower case): the export downloads' times.
    export_times: HashMap<String, Vec<Timestamp>>,
    /// Each login's changes of address, for impossible travel.
    moves: Moves,
}

impl AddressBook {
    /// One request, before it goes to the session tracker.
    pub fn observe(&mut self, t: Timestamp, ev: &SessionEvent, file: &Arc<str>, line: u64) {
        let Some(ip) = ev.client_ip().map(|ip| &**ip) else {
            return;
        };
        let entry = match (ev.user(), ev.download()) {
            (Some(user), _) => {
                self.moves.observe(user, ip, t, file, line);
                let entry = self.entry((user.to_string(), ip.to_string()), t, file, line);
                entry.requests += 1;
                entry
            }
            (None, true) => {
                let Some(user) = ev.stem().and_then(|s| export::parse(s).export_user) else {
                    return;
                };
                self.export_times
                    .entry(user.to_lowercase())
                    .or_default()
                    .push(t);
                // Of the logins on this address the name may stand for
                // (`JSmith`, `ACME\jsmith`), the least: never the first in
                // hash order, which changes from run to run.
                let key = self
                    .uses
                    .keys()
                    .filter(|(u, i)| i == ip && same_user(u, &user))
                    .min()
                    .cloned()
                    .unwrap_or((user, ip.to_string()));
                let entry = self.entry(key, t, file, line);
                entry.exports += 1;
                entry
            }
            (None, false) => return,
        };
        if let Some(agent) = ev.user_agent()
            && !entry.user_agents.iter().any(|a| **a == **agent)
        {
            if entry.user_agents.len() < MAX_AGENTS {
                entry.user_agents.push(agent.to_string());
            } else {
                entry.more_user_agents += 1;
            }
        }
    }

    fn entry(
        &mut self,
        key: (String, String),
        t: Timestamp,
        file: &Arc<str>,
        line: u64,
    ) -> &mut AddressUse {
        let entry = self
            .uses
            .entry(key)
            .or_insert_with_key(|(user, ip)| AddressUse {
                user: user.clone(),
                ip: ip.clone(),
                first: t,
                last: t,
                requests: 0,
                sessions: 0,
                exports: 0,
                user_agents: Vec::new(),
                more_user_agents: 0,
                file: file.clone(),
                line,
                flags: Vec::new(),
                travel: Vec::new(),
                geo: Arc::default(),
                clients: Vec::new(),
            });
        entry.first = entry.first.min(t);
        entry.last = entry.last.max(t);
        entry
    }

    /// A finished session counts once for each of its user's addresses.
    pub fn session(&mut self, session: &Session) {
        let Some(user) = &session.user else { return };
        for ip in &session.client_ips {
            if let Some(entry) = self.uses.get_mut(&(user.clone(), ip.to_string())) {
                entry.sessions += 1;
            }
        }
    }

    /// Changes of address not judged for impossible travel, past
    /// [`travel::MAX_MOVES`].
    pub fn moves_not_judged(&self) -> u64 {
        self.moves.not_kept
    }

    /// The uses, by user (any case) then first seen, with their places
    /// (`place` answers an address), clients (`identify` a user agent) and
    /// flags.
    pub fn finish(
        self,
        zone: &Zone,
        mut place: impl FnMut(&str) -> Arc<Geo>,
        mut identify: impl FnMut(&str) -> Option<Arc<Client>>,
    ) -> Vec<AddressUse> {
        let mut uses: Vec<AddressUse> = self.uses.into_values().collect();
        uses.sort_by(|a, b| {
            (a.user.to_lowercase(), a.first, &a.ip).cmp(&(b.user.to_lowercase(), b.first, &b.ip))
        });
        for u in &mut uses {
            u.geo = place(&u.ip);
            for agent in &u.user_agents {
                if let Some(client) = identify(agent)
                    && !u.clients.iter().any(|c| same_client(c, &client))
                {
                    u.clients.push(client);
                }
            }
        }
        let at: HashMap<(&str, &str), usize> = uses
            .iter()
            .enumerate()
            .map(|(i, u)| ((u.user.as_str(), u.ip.as_str()), i))
            .collect();
        let mut travels: Vec<(usize, Travel)> = Vec::new();
        for m in self.moves.into_moves() {
            if let Some(&i) = at.get(&(m.user.as_str(), m.to.ip.as_str()))
                && let Some(t) = travel::judge(&m, place(&m.from.ip), place(&m.to.ip))
            {
                travels.push((i, t));
            }
        }
        for (i, t) in travels {
            uses[i].travel.push(t);
        }
        let networks: Vec<Option<Network>> = uses.iter().map(|u| u.geo.network).collect();
        let day = |t: Timestamp| -> Date { zone.zoned(t).date() };
        for i in 0..uses.len() {
            let mut flags = Vec::new();
            let export_days: BTreeSet<Date> = self
                .export_times
                .iter()
                .filter(|(u, _)| same_user(u, &uses[i].user))
                .flat_map(|(_, times)| times.iter().map(|t| day(*t)))
                .collect();
            let earlier = (0..uses.len()).any(|j| {
                j != i && same_user(&uses[j].user, &uses[i].user) && uses[j].first < uses[i].first
            });
            if earlier && export_days.contains(&day(uses[i].first)) {
                flags.push(Flag::FirstSeenOnExportDay);
            }
            if networks[i] == Some(Network::Mobile) {
                flags.push(Flag::Mobile);
            }
            let before: BTreeSet<_> = (0..uses.len())
                .filter(|&j| {
                    j != i
                        && same_user(&uses[j].user, &uses[i].user)
                        && uses[j].first < uses[i].first
                })
                .flat_map(|j| uses[j].clients.iter().map(|c| device::Kind::of(c)))
                .collect();
            if device::is_new_kind(&before, &uses[i].clients) {
                flags.push(Flag::DeviceChanged);
            }
            let inside = matches!(
                networks[i],
                Some(Network::Private | Network::Loopback | Network::Cgnat | Network::LinkLocal)
            );
            let others_public = (0..uses.len()).any(|j| {
                j != i
                    && same_user(&uses[j].user, &uses[i].user)
                    && matches!(networks[j], Some(Network::Public | Network::Mobile))
            });
            if inside && others_public {
                flags.push(Flag::PrivateAmongPublic);
            }
            if !uses[i].travel.is_empty() {
                flags.push(Flag::ImpossibleTravel);
            }
            uses[i].flags = flags;
        }
        uses
    }
}

/// The same browser family and major version, OS and device.
fn same_client(a: &Client, b: &Client) -> bool {
    let major = |v: &Option<String>| {
        v.as_deref()
            .map(|v| v.split('.').next().unwrap_or(v).to_string())
    };
    a.browser == b.browser
        && major(&a.browser_version) == major(&b.browser_version)
        && a.os == b.os
        && a.device == b.device
        && a.class == b.class
}
