//! What a log row says about the person behind it beyond their login: where
//! the client address is ([`geo`]: special ranges built in, MaxMind-format
//! databases the user gives, the mobile-carrier table) and which device the
//! user agent claims ([`device`]: the uap-core rules). Answers are offline
//! and name their source and its date: evidence never leaves the machine, and
//! an address's owner on the day of the log is not always today's.

pub mod device;
pub mod geo;

use std::sync::Arc;

use device::{Client, Devices};
use geo::{Geo, Locator};

/// What `--geo` and `--device` asked for.
#[derive(Default)]
pub struct Enricher {
    pub locator: Option<Locator>,
    pub devices: Option<Devices>,
}

/// What is known of one item's address and user agent.
#[derive(Default)]
pub struct Enrichment {
    pub geo: Option<Arc<Geo>>,
    pub client: Option<Arc<Client>>,
}

impl Enricher {
    pub fn is_on(&self) -> bool {
        self.locator.is_some() || self.devices.is_some()
    }

    /// The address and user agent as logged (either may be absent).
    pub fn enrich(&mut self, ip: Option<&str>, ua: Option<&str>) -> Enrichment {
        Enrichment {
            geo: self
                .locator
                .as_mut()
                .and_then(|l| ip.map(|ip| l.locate(ip))),
            client: self
                .devices
                .as_mut()
                .and_then(|d| ua.and_then(|ua| d.identify(ua))),
        }
    }
}
