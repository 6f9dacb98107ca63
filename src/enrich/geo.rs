//! Where a client address is, offline: the special ranges (loopback,
//! private, CGNAT, link-local, documentation, multicast) are built in; country,
//! region, city and autonomous system come from MaxMind-format databases the
//! user gives (`--geoip`: GeoLite2/GeoIP2 City, Country, ASN, ISP, or any
//! database of that shape); an autonomous system in the carrier table makes
//! the address a mobile network. Every answer names the databases that gave
//! it and their build dates, because addresses change hands: a database built
//! long after (or before) the log may name today's owner, not the log's.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// What kind of network an address belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    Loopback,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16) and unique local fc00::/7.
    Private,
    /// Carrier-grade NAT, 100.64.0.0/10 (RFC 6598): the carrier's side of a
    /// shared address, often a mobile phone.
    Cgnat,
    LinkLocal,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    Multicast,
    /// Unspecified, "this network" 0/8, benchmarking 198.18/15, 240/4 and
    /// broadcast: no client should have one.
    Reserved,
    /// A public address of a mobile carrier (the carrier table, or the
    /// database's own mobile or cellular marks).
    Mobile,
    Public,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Loopback => "loopback",
            Network::Private => "private",
            Network::Cgnat => "cgnat",
            Network::LinkLocal => "link_local",
            Network::Documentation => "documentation",
            Network::Multicast => "multicast",
            Network::Reserved => "reserved",
            Network::Mobile => "mobile",
            Network::Public => "public",
        }
    }
}

/// Where a City database puts an address: the centre of the place it
/// names, and how far from it the address may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
    /// MaxMind's `accuracy_radius`: the address is within this many
    /// kilometres of the point (0 when the database gives none).
    pub accuracy_km: u16,
}

/// What is known of one address. JSON keys in this order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Geo {
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// The first subdivision (a US state), English name.
    pub region: Option<String>,
    pub city: Option<String>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
    /// None when the value is not an address.
    pub network: Option<Network>,
    pub mobile: bool,
    /// The carrier table's name for the autonomous system.
    pub carrier: Option<&'static str>,
    /// What answered: "built-in ranges", or each database that knew the
    /// address with its build date ("GeoLite2-City 2026-11-25"), and
    /// "carrier table" when it made the address mobile.
    pub source: Option<String>,
    /// The point a City database gives (not in the `geo` object: it is the
    /// centre of the place named above; impossible travel reports it).
    #[serde(skip)]
    pub coordinates: Option<Coordinates>,
}

/// Mobile carriers' autonomous systems (US), keyed by number: a database may
/// name them by their parent (DB-IP labels AS6167 "Verizon Business", and
/// AS20057 "AT&T Enterprises", both wireless). Their wireline systems are
/// left out on purpose: AS701/AS702 (Verizon Business), AS7018 (AT&T),
/// AS1239 (Sprint's backbone), AS4181 (TDS Telecom, US Cellular's parent).
///
/// Checked against the ARIN registrations as the tools' data name them
/// (CELLCO-PART and CELLCO: Cellco Partnership d/b/a Verizon Wireless;
/// T-MOBILE-AS21928; ATT-MOBILITY-LLC-AS20057; SPCS: Sprint Personal
/// Communications Systems) and against the RouteViews-based npm snapshot
/// `@ip-location-db/asn` of June 2026, where AS6167, AS22394, AS21928 and
/// AS20057 announce 232, 249, 28 and 84 IPv4 prefixes. AS10507 (Sprint PCS)
/// and AS6430 (US Cellular) announce nothing in that snapshot: both carriers
/// were taken over by T-Mobile (2020, 2025). They stay in the table for logs
/// and databases of their years.
const CARRIERS: &[(u32, &str)] = &[
    (6167, "Verizon Wireless"),
    (22394, "Verizon Wireless"),
    (21928, "T-Mobile US"),
    (20057, "AT&T Mobility"),
    (10507, "Sprint"),
    (6430, "US Cellular"),
];

/// The mobile carrier an autonomous system belongs to.
pub fn carrier(asn: u32) -> Option<&'static str> {
    CARRIERS
        .iter()
        .find(|(n, _)| *n == asn)
        .map(|(_, name)| *name)
}

/// The built-in answer for addresses that no database needs to place.
/// IPv4-mapped IPv6 addresses are answered as the IPv4 address they carry.
pub fn special(ip: IpAddr) -> Option<Network> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<Network> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (127, ..) => Network::Loopback,
        (10, ..) | (192, 168, _) => Network::Private,
        (172, 16..=31, _) => Network::Private,
        (100, 64..=127, _) => Network::Cgnat,
        (169, 254, _) => Network::LinkLocal,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Network::Documentation,
        (224..=239, ..) => Network::Multicast,
        (0, ..) | (240..=255, ..) | (198, 18..=19, _) | (192, 0, 0) => Network::Reserved,
        _ => return None,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<Network> {
    let s = ip.segments();
    Some(if ip.is_loopback() {
        Network::Loopback
    } else if ip.is_unspecified() {
        Network::Reserved
    } else if s[0] & 0xfe00 == 0xfc00 {
        Network::Private
    } else if s[0] & 0xffc0 == 0xfe80 {
        Network::LinkLocal
    } else if (s[0] == 0x2001 && s[1] == 0x0db8) || s[0] & 0xfff0 == 0x3ff0 {
        Network::Documentation
    } else if s[0] & 0xff00 == 0xff00 {
        Network::Multicast
    } else {
        return None;
    })
}

/// A database that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("--geoip {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("--geoip {path}: not a MaxMind-format database ({message})")]
    Invalid { path: String, message: String },
    #[error("--geoip {path}: a folder with no .mmdb file")]
    Empty { path: String },
}

/// A database's bytes: mapped from its file, or held (tests).
enum Bytes {
    Mapped(memmap2::Mmap),
    Held(Vec<u8>),
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Held(bytes) => bytes,
        }
    }
}

/// One MaxMind-format database.
pub struct Database {
    reader: maxminddb::Reader<Bytes>,
    /// Its type and build date: "GeoLite2-City 2026-11-25".
    pub label: String,
    pub built: Timestamp,
    pub path: PathBuf,
}

impl Database {
    /// Maps a database file, read-only: a lookup touches a few pages of
    /// it, so memory holds those, not the whole file (a City database is
    /// 50 to 100 MiB). A file that is empty or cannot be mapped is read
    /// whole instead.
    pub fn open(path: &Path) -> Result<Database, GeoError> {
        let read = |source| GeoError::Read {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read)?;
        let len = file.metadata().map_err(read)?.len();
        // SAFETY: a shared, read-only mapping of a file other processes may
        // change. A database is not evidence and is not written while
        // leaktrace runs, but if it were truncated while mapped, touching a
        // page past its new end raises SIGBUS and the run ends without its
        // summary; a change in place gives wrong or undecodable answers,
        // which `maxminddb` checks as it reads (an error, no answer). No
        // reference into the map outlives the `Database` that owns it.
        let mapped = if len > 0 {
            unsafe { memmap2::Mmap::map(&file) }.ok()
        } else {
            None
        };
        let bytes = match mapped {
            Some(map) => Bytes::Mapped(map),
            None => Bytes::Held(std::fs::read(path).map_err(read)?),
        };
        Database::from_source(bytes, path)
    }

    /// A database from its bytes; `path` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Database, GeoError> {
        Database::from_source(Bytes::Held(bytes), path)
    }

    fn from_source(bytes: Bytes, path: &Path) -> Result<Database, GeoError> {
        let reader = maxminddb::Reader::from_source(bytes).map_err(|e| GeoError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let meta = reader.metadata();
        let built = i64::try_from(meta.build_epoch)
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let label = format!("{} {}", meta.database_type, built.strftime("%Y-%m-%d"));
        Ok(Database {
            reader,
            label,
            built,
            path: path.to_path_buf(),
        })
    }

    fn answer(&self, ip: IpAddr) -> Option<Answer> {
        // An IPv6 address in an IPv4-only database is an error: no answer.
        let found = self.reader.lookup(ip).ok()?;
        found.decode::<Answer>().ok().flatten()
    }
}

/// The databases `--geoip` names: a file, or every `.mmdb` file of a folder
/// (not its subfolders) in name order. Where two know the same field, the
/// first in that order answers.
pub fn open_databases(path: &Path) -> Result<Vec<Database>, GeoError> {
    if !path.is_dir() {
        return Ok(vec![Database::open(path)?]);
    }
    let read = |source| GeoError::Read {
        path: path.display().to_string(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(read)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("mmdb"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(GeoError::Empty {
            path: path.display().to_string(),
        });
    }
    files.iter().map(|p| Database::open(p)).collect()
}

/// The fields leaktrace reads of a record, whatever the database's type
/// (City, Country, ASN, ISP, Connection-Type; `country_code` is the shape
/// of the ip-location-db country databases).
#[derive(Debug, Default, Deserialize)]
struct Answer {
    country: Option<Place>,
    registered_country: Option<Place>,
    #[serde(default)]
    subdivisions: Vec<Place>,
    city: Option<Place>,
    location: Option<Location>,
    country_code: Option<String>,
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<String>,
    isp: Option<String>,
    mobile_network_code: Option<String>,
    connection_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Place {
    iso_code: Option<String>,
    #[serde(default)]
    names: HashMap<String, String>,
}

/// A City database's `location`. MaxMind writes doubles and a uint16, but
/// the decoder wants the exact type: a database of that shape written with
/// other number types must not lose its whole answer, so any number is
/// taken.
#[derive(Debug, Default, Deserialize)]
struct Location {
    latitude: Option<Number>,
    longitude: Option<Number>,
    accuracy_radius: Option<Number>,
}

impl Location {
    /// The point, when both coordinates are given and on the globe.
    fn coordinates(&self) -> Option<Coordinates> {
        let (latitude, longitude) = (self.latitude?.0, self.longitude?.0);
        let radius = self.accuracy_radius.map_or(0.0, |r| r.0);
        let on_globe = (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude);
        (on_globe && (0.0..=f64::from(u16::MAX)).contains(&radius)).then_some(Coordinates {
            latitude,
            longitude,
            accuracy_km: radius.round() as u16,
        })
    }
}

/// Any number a database holds, as a double.
#[derive(Clone, Copy, Debug)]
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Place {
    fn english(&self) -> Option<String> {
        self.names.get("en").cloned()
    }
}

/// A database's build date far from the log's dates.
#[derive(Debug, PartialEq)]
pub struct Stale {
    pub label: String,
    /// The database was built this long after the last record (positive) or
    /// before the first (negative).
    pub gap: SignedDuration,
}

/// More than this between a database's build and the log: addresses change
/// hands, the answer may be another owner's.
pub const STALE_AFTER: SignedDuration = SignedDuration::from_hours(365 * 24);

/// Distinct addresses remembered; past it answers are still right, only
/// looked up again.
const CACHE_CAP: usize = 1 << 20;

/// Answers addresses, each distinct address looked up once.
pub struct Locator {
    databases: Vec<Database>,
    used: Vec<bool>,
    cache: HashMap<Box<str>, Arc<Geo>, foldhash::fast::RandomState>,
}

impl Locator {
    pub fn new(databases: Vec<Database>) -> Locator {
        Locator {
            used: vec![false; databases.len()],
            databases,
            cache: HashMap::default(),
        }
    }

    pub fn databases(&self) -> &[Database] {
        &self.databases
    }

    /// What is known of an address as the log wrote it (`[::1]`, `fe80::1%4`
    /// are read too).
    pub fn locate(&mut self, text: &str) -> Arc<Geo> {
        if let Some(geo) = self.cache.get(text) {
            return geo.clone();
        }
        let geo = Arc::new(match crate::filter::parse_ip(text.as_bytes()) {
            Some(ip) => self.lookup(ip),
            None => Geo::default(),
        });
        if self.cache.len() < CACHE_CAP {
            self.cache.insert(text.into(), geo.clone());
        }
        geo
    }

    /// What is known of an address: built-in ranges first (no database
    /// places a private address), then the databases in order.
    pub fn lookup(&mut self, ip: IpAddr) -> Geo {
        let ip = ip.to_canonical();
        if let Some(network) = special(ip) {
            return Geo {
                network: Some(network),
                source: Some("built-in ranges".into()),
                ..Geo::default()
            };
        }
        let mut geo = Geo {
            network: Some(Network::Public),
            ..Geo::default()
        };
        let mut sources: Vec<&str> = Vec::new();
        let mut mobile_mark = false;
        for (db, used) in self.databases.iter().zip(&mut self.used) {
            let Some(a) = db.answer(ip) else { continue };
            let before = geo.clone();
            let country = a
                .country
                .as_ref()
                .and_then(|c| c.iso_code.clone())
                .or(a.country_code)
                .or_else(|| a.registered_country.and_then(|c| c.iso_code));
            fill(&mut geo.country, country);
            fill(
                &mut geo.region,
                a.subdivisions
                    .first()
                    .and_then(|s| s.english().or_else(|| s.iso_code.clone())),
            );
            fill(&mut geo.city, a.city.and_then(|c| c.english()));
            fill(
                &mut geo.coordinates,
                a.location.as_ref().and_then(Location::coordinates),
            );
            fill(&mut geo.asn, a.autonomous_system_number);
            fill(&mut geo.as_org, a.autonomous_system_organization.or(a.isp));
            mobile_mark |=
                a.mobile_network_code.is_some() || a.connection_type.as_deref() == Some("Cellular");
            if geo != before || mobile_mark {
                *used = true;
                sources.push(&db.label);
            }
        }
        let mut source = sources.join(", ");
        geo.carrier = geo.asn.and_then(carrier);
        if geo.carrier.is_some() {
            source.push_str(", carrier table");
        }
        if geo.carrier.is_some() || mobile_mark {
            geo.network = Some(Network::Mobile);
            geo.mobile = true;
        }
        geo.source = (!source.is_empty()).then(|| source.trim_start_matches(", ").to_string());
        geo
    }

    /// The databases that answered and were built more than [`STALE_AFTER`]
    /// from the records' span `first ..= last`.
    pub fn stale(&self, first: Timestamp, last: Timestamp) -> Vec<Stale> {
        self.databases
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| **used)
            .filter_map(|(db, _)| {
                let gap = if db.built > last {
                    db.built.duration_since(last)
                } else if db.built < first {
                    db.built.duration_since(first)
                } else {
                    return None;
                };
                (gap.abs() > STALE_AFTER).then(|| Stale {
                    label: db.label.clone(),
                    gap,
                })
            })
            .collect()
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_ranges_are_named_without_a_database() {
        let cases = [
            ("127.0.0.1", Some(Network::Loopback)),
            ("::1", Some(Network::Loopback)),
            ("10.1.2.3", Some(Network::Private)),
            ("172.31.255.255", Some(Network::Private)),
            ("172.32.0.1", None),
            ("192.168.0.10", Some(Network::Private)),
            ("fd12:3456::1", Some(Network::Private)),
            ("100.64.0.1", Some(Network::Cgnat)),
            ("100.127.255.254", Some(Network::Cgnat)),
            ("100.128.0.1", None),
            ("169.254.1.1", Some(Network::LinkLocal)),
            ("fe80::1", Some(Network::LinkLocal)),
            ("192.0.2.7", Some(Network::Documentation)),
            ("198.51.100.7", Some(Network::Documentation)),
            ("203.0.113.7", Some(Network::Documentation)),
            ("2001:db8::7", Some(Network::Documentation)),
            ("224.0.0.251", Some(Network::Multicast)),
            ("ff02::1", Some(Network::Multicast)),
            ("0.0.0.0", Some(Network::Reserved)),
            ("255.255.255.255", Some(Network::Reserved)),
            ("::ffff:10.0.0.1", Some(Network::Private)),
            ("::ffff:8.8.8.8", None),
            ("8.8.8.8", None),
            ("2600:1000::1", None),
        ];
        for (text, want) in cases {
            assert_eq!(special(ip(text)), want, "{text}");
        }
    }

    #[test]
    fn carrier_table_has_wireless_not_wireline() {
        assert_eq!(carrier(6167), Some("Verizon Wireless"));
        assert_eq!(carrier(22394), Some("Verizon Wireless"));
        assert_eq!(carrier(21928), Some("T-Mobile US"));
        assert_eq!(carrier(20057), Some("AT&T Mobility"));
        assert_eq!(carrier(10507), Some("Sprint"));
        assert_eq!(carrier(6430), Some("US Cellular"));
        for wireline in [701, 702, 7018, 1239, 4181, 7922] {
            assert_eq!(carrier(wireline), None, "AS{wireline}");
        }
    }

    /// A database written here: `records` are (network, JSON object).
    pub(crate) fn database(
        kind: &str,
        built: &str,
        records: &[(&str, serde_json::Value)],
    ) -> Database {
        let epoch: Timestamp = built.parse().unwrap();
        let mut writer = mmdb_writer::Writer::builder(kind)
            .build_epoch(std::time::SystemTime::from(epoch))
            .build();
        for (net, value) in records {
            writer
                .insert(net.parse::<ipnet::IpNet>().unwrap(), &Record(value.clone()))
                .unwrap();
        }
        Database::from_bytes(writer.to_bytes().unwrap(), Path::new("test.mmdb")).unwrap()
    }

    /// JSON with integers written as the 32-bit numbers MaxMind uses (and
    /// other numbers as doubles, as latitudes are).
    struct Record(serde_json::Value);

    impl Serialize for Record {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            match &self.0 {
                serde_json::Value::Object(map) => {
                    let mut m = s.serialize_map(Some(map.len()))?;
                    for (k, v) in map {
                        m.serialize_entry(k, &Record(v.clone()))?;
                    }
                    m.end()
                }
                serde_json::Value::Array(items) => {
                    s.collect_seq(items.iter().map(|v| Record(v.clone())))
                }
                serde_json::Value::Number(n) => match n.as_u64() {
                    Some(u) => s.serialize_u32(u as u32),
                    None => s.serialize_f64(n.as_f64().unwrap()),
                },
                serde_json::Value::String(t) => s.serialize_str(t),
                serde_json::Value::Bool(b) => s.serialize_bool(*b),
                serde_json::Value::Null => s.serialize_unit(),
            }
        }
    }

    fn city_and_asn() -> Vec<Database> {
        use serde_json::json;
        let city = database(
            "GeoLite2-City",
            "2017-03-01T00:00:00Z",
            &[
                (
                    "174.192.0.0/10",
                    json!({"country": {"iso_code": "US"},
                           "subdivisions": [{"iso_code": "TX", "names": {"en": "Texas"}}],
                           "city": {"names": {"en": "Dallas", "de": "Dallas"}}}),
                ),
                (
                    "2607:fb90::/32",
                    json!({"country": {"iso_code": "US"},
                           "subdivisions": [{"iso_code": "IL", "names": {"en": "Illinois"}}],
                           "city": {"names": {"en": "Chicago"}}}),
                ),
                ("73.0.0.0/8", json!({"country": {"iso_code": "US"}})),
            ],
        );
        let asn = database(
            "GeoLite2-ASN",
            "2026-11-25T00:00:00Z",
            &[
                (
                    "174.192.0.0/10",
                    json!({"autonomous_system_number": 6167,
                           "autonomous_system_organization": "Verizon Business"}),
                ),
                (
                    "2607:fb90::/32",
                    json!({"autonomous_system_number": 21928,
                           "autonomous_system_organization": "T-Mobile USA, Inc."}),
                ),
                (
                    "73.0.0.0/8",
                    json!({"autonomous_system_number": 7922,
                           "autonomous_system_organization": "Comcast Cable Communications, LLC"}),
                ),
            ],
        );
        vec![city, asn]
    }

    #[test]
    fn city_and_asn_databases_answer_together_with_their_dates() {
        let mut locator = Locator::new(city_and_asn());
        let geo = locator.locate("174.205.1.2");
        assert_eq!(geo.country.as_deref(), Some("US"));
        assert_eq!(geo.region.as_deref(), Some("Texas"));
        assert_eq!(geo.city.as_deref(), Some("Dallas"));
        assert_eq!(geo.asn, Some(6167));
        assert_eq!(geo.as_org.as_deref(), Some("Verizon Business"));
        assert_eq!(geo.network, Some(Network::Mobile));
        assert!(geo.mobile);
        assert_eq!(geo.carrier, Some("Verizon Wireless"));
        assert_eq!(
            geo.source.as_deref(),
            Some("GeoLite2-City 2017-03-01, GeoLite2-ASN 2026-11-25, carrier table")
        );
        let residential = locator.locate("73.12.0.9");
        assert_eq!(residential.network, Some(Network::Public));
        assert!(!residential.mobile);
        assert_eq!(residential.asn, Some(7922));
    }

    #[test]
    fn a_city_location_gives_coordinates_and_special_ranges_none() {
        use serde_json::json;
        let city = database(
            "GeoLite2-City",
            "2017-03-01T00:00:00Z",
            &[
                (
                    "73.0.0.0/8",
                    json!({"city": {"names": {"en": "Chicago"}},
                           "location": {"latitude": 41.8781, "longitude": -87.6298,
                                        "accuracy_radius": 20}}),
                ),
                (
                    "74.0.0.0/8",
                    json!({"location": {"latitude": 95.5, "longitude": 0.5}}),
                ),
                (
                    "10.0.0.0/8",
                    json!({"location": {"latitude": 1.5, "longitude": 1.5}}),
                ),
            ],
        );
        let mut locator = Locator::new(vec![city]);
        let geo = locator.locate("73.1.2.3");
        assert_eq!(
            geo.coordinates,
            Some(Coordinates {
                latitude: 41.8781,
                longitude: -87.6298,
                accuracy_km: 20
            })
        );
        // Off the globe: no point, no claim.
        assert_eq!(locator.locate("74.1.2.3").coordinates, None);
        // A private address is answered by the built-in ranges alone.
        assert_eq!(locator.locate("10.1.2.3").coordinates, None);
        // Not part of the geo object.
        let text = serde_json::to_string(&*geo).unwrap();
        assert!(!text.contains("41.8781"), "{text}");
    }

    #[test]
    fn ipv6_and_mapped_addresses_are_looked_up() {
        let mut locator = Locator::new(city_and_asn());
        let geo = locator.locate("2607:fb90:1234::5");
        assert_eq!(geo.city.as_deref(), Some("Chicago"));
        assert_eq!(geo.carrier, Some("T-Mobile US"));
        assert_eq!(geo.network, Some(Network::Mobile));
        let mapped = locator.locate("::ffff:174.205.1.2");
        assert_eq!(mapped.city.as_deref(), Some("Dallas"));
    }

    #[test]
    fn the_first_database_answers_a_field_both_know() {
        use serde_json::json;
        let a = database(
            "A-Country",
            "2026-01-01T00:00:00Z",
            &[("73.0.0.0/8", json!({"country": {"iso_code": "US"}}))],
        );
        let b = database(
            "B-Country",
            "2026-01-01T00:00:00Z",
            &[("73.0.0.0/8", json!({"country_code": "CA"}))],
        );
        let mut locator = Locator::new(vec![a, b]);
        let geo = locator.lookup(ip("73.1.1.1"));
        assert_eq!(geo.country.as_deref(), Some("US"));
        assert_eq!(geo.source.as_deref(), Some("A-Country 2026-01-01"));
    }

    #[test]
    fn a_database_built_years_from_the_log_is_stale() {
        let mut locator = Locator::new(city_and_asn());
        let first: Timestamp = "2017-01-19T00:00:00Z".parse().unwrap();
        let last: Timestamp = "2017-01-20T00:00:00Z".parse().unwrap();
        assert!(
            locator.stale(first, last).is_empty(),
            "nothing answered yet"
        );
        locator.locate("174.205.1.2");
        let stale = locator.stale(first, last);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].label, "GeoLite2-ASN 2026-11-25");
        assert!(stale[0].gap > STALE_AFTER);
    }

    #[test]
    fn without_databases_a_public_address_is_public_with_no_source() {
        let mut locator = Locator::new(Vec::new());
        let geo = locator.locate("8.8.8.8");
        assert_eq!(geo.network, Some(Network::Public));
        assert_eq!(geo.source, None);
        let private = locator.locate("[::ffff:192.168.1.5]");
        assert_eq!(private.network, Some(Network::Private));
        assert_eq!(private.source.as_deref(), Some("built-in ranges"));
        assert_eq!(locator.locate("not an address").network, None);
    }
}
