//! Which device made a request, from its user agent, offline: the uap-core
//! rules (the browserscope standard, Apache-2.0, vendored as JSON in
//! `uap-core/` by `scripts/uap_regexes.py`) matched by the `ua-parser` crate
//! give browser, OS and device; the class (desktop, mobile, tablet, bot,
//! other) is derived from them. A user agent is a claim the client makes,
//! not proof: it tells what the client says it is.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

/// The rules: uap-core's regexes.yaml as JSON, and its version.
const RULES: &str = include_str!("uap-core/regexes.json");
const RULES_VERSION: &str = include_str!("uap-core/VERSION");

/// What kind of device a user agent claims to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    Desktop,
    Mobile,
    Tablet,
    /// A crawler or monitor (uap-core's "Spider" device, or a name that
    /// says bot, crawler or spider).
    Bot,
    /// Not a browser on a known system: scripts, libraries, mail clients.
    Other,
}

impl DeviceClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Desktop => "desktop",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Bot => "bot",
            DeviceClass::Other => "other",
        }
    }
}

/// What a user agent says of the client. JSON keys in this order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Client {
    /// Browser or program family ("Chrome", "IE", "Mobile Safari", "curl").
    pub browser: Option<String>,
    /// Its version, as many parts as the user agent gives ("85.0.4183").
    pub browser_version: Option<String>,
    /// Operating system family ("Windows", "Mac OS X", "iOS", "Android").
    pub os: Option<String>,
    pub os_version: Option<String>,
    /// Device family when it is one ("iPhone", "iPad", "Samsung SM-G900P").
    pub device: Option<String>,
    pub class: DeviceClass,
    /// The rules that answered: "uap-core 0.18.0".
    pub source: String,
}

/// What a device change is judged on: the class and the OS family (a new
/// browser or version on the same system is not a new device).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Kind {
    pub class: DeviceClass,
    pub os: Option<String>,
}

impl Kind {
    pub fn of(client: &Client) -> Kind {
        Kind {
            class: client.class,
            os: client.os.clone(),
        }
    }
}

/// Whether `clients` name a device class or OS family that none of the
/// kinds seen `before` has; false when nothing came before (a first
/// device is not a change).
pub fn is_new_kind(before: &BTreeSet<Kind>, clients: &[Arc<Client>]) -> bool {
    !before.is_empty() && clients.iter().any(|c| !before.contains(&Kind::of(c)))
}

/// The device kinds each login used so far, for a flag on what comes next
/// (`sessions`' `device_changed`, on the rule of [`is_new_kind`]). One
/// small set per login: a kind is a class and an OS family.
#[derive(Default)]
pub struct KindsSeen {
    by_user: HashMap<String, BTreeSet<Kind>>,
}

impl KindsSeen {
    /// Whether `clients` name a kind the login's earlier ones did not
    /// (logins in any case); they are then remembered.
    pub fn changed(&mut self, user: &str, clients: &[Arc<Client>]) -> bool {
        let seen = self.by_user.entry(user.to_lowercase()).or_default();
        let changed = is_new_kind(seen, clients);
        seen.extend(clients.iter().map(|c| Kind::of(c)));
        changed
    }
}

/// Rules could not be loaded (a build with broken vendored rules).
#[derive(Debug, thiserror::Error)]
#[error("the built-in user-agent rules could not be loaded: {0}")]
pub struct RulesError(String);

/// Distinct user agents remembered (there are few; past this they are
/// parsed again).
const CACHE_CAP: usize = 1 << 16;

/// Parses user agents, each distinct one once.
pub struct Devices {
    extractor: ua_parser::Extractor<'static>,
    source: String,
    cache: HashMap<Box<str>, Arc<Client>, foldhash::fast::RandomState>,
}

impl Devices {
    /// Compiles the rules (about a quarter of a second).
    pub fn new() -> Result<Devices, RulesError> {
        let regexes: ua_parser::Regexes<'static> =
            serde_json::from_str(RULES).map_err(|e| RulesError(e.to_string()))?;
        let extractor =
            ua_parser::Extractor::try_from(regexes).map_err(|e| RulesError(format!("{e:?}")))?;
        Ok(Devices {
            extractor,
            source: format!("uap-core {}", RULES_VERSION.trim()),
            cache: HashMap::default(),
        })
    }

    /// The client a user agent as logged names; IIS writes its spaces as
    /// `+`. None for an empty one.
    pub fn identify(&mut self, logged: &str) -> Option<Arc<Client>> {
        if logged.is_empty() || logged == "-" {
            return None;
        }
        if let Some(client) = self.cache.get(logged) {
            return Some(client.clone());
        }
        let client = Arc::new(self.parse(&logged.replace('+', " ")));
        if self.cache.len() < CACHE_CAP {
            self.cache.insert(logged.into(), client.clone());
        }
        Some(client)
    }

    /// What a (decoded) user agent says.
    pub fn parse(&self, ua: &str) -> Client {
        let (browser, os, device) = self.extractor.extract(ua);
        let known = |family: &str| (family != "Other").then(|| family.to_string());
        let version = |parts: &[Option<&str>]| {
            let given: Vec<&str> = parts.iter().map_while(|p| *p).collect();
            (!given.is_empty()).then(|| given.join("."))
        };
        let browser_family = browser.as_ref().and_then(|b| known(&b.family));
        let browser_version = browser
            .as_ref()
            .and_then(|b| version(&[b.major, b.minor, b.patch]));
        let os_family = os.as_ref().and_then(|o| known(&o.os));
        let os_version = os
            .as_ref()
            .and_then(|o| version(&[o.major.as_deref(), o.minor.as_deref(), o.patch.as_deref()]));
        let device_family = device.as_ref().and_then(|d| known(&d.device));
        let class = classify(
            ua,
            browser_family.as_deref(),
            os_family.as_deref(),
            device_family.as_deref(),
        );
        Client {
            browser: browser_family,
            browser_version,
            os: os_family,
            os_version,
            device: device_family.filter(|d| d != "Spider"),
            class,
            source: self.source.clone(),
        }
    }
}

/// The class from what the rules found: uap-core names devices, not
/// classes, so the class is read from the device, the OS and the user
/// agent's own "Mobile"/"Tablet" tokens.
fn classify(
    ua: &str,
    browser: Option<&str>,
    os: Option<&str>,
    device: Option<&str>,
) -> DeviceClass {
    let lower = |s: Option<&str>| s.unwrap_or("").to_ascii_lowercase();
    let (b, d) = (lower(browser), lower(device));
    let ua_lower = ua.to_ascii_lowercase();
    if d == "spider"
        || ["bot", "crawler", "spider", "slurp"]
            .iter()
            .any(|w| b.contains(w))
    {
        return DeviceClass::Bot;
    }
    let tablet = d.contains("ipad")
        || d.contains("tablet")
        || d.contains("kindle")
        || ua_lower.contains("tablet")
        // Android tablets leave the "Mobile" token out (Google's advice to
        // their makers).
        || (os == Some("Android") && !ua_lower.contains("mobile"));
    let mobile_os = matches!(
        os,
        Some(
            "iOS"
                | "Android"
                | "Windows Phone"
                | "BlackBerry OS"
                | "BlackBerry Tablet OS"
                | "KaiOS"
                | "Symbian OS"
                | "Firefox OS"
                | "Tizen"
        )
    );
    match os {
        _ if tablet && (mobile_os || d.contains("ipad") || d.contains("kindle")) => {
            DeviceClass::Tablet
        }
        _ if mobile_os || ua_lower.contains("mobile") && device.is_some() => DeviceClass::Mobile,
        Some(_) if browser.is_some() => DeviceClass::Desktop,
        _ => DeviceClass::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// User agents as the corpus logs (`../shared/corpus/w3c`) write them,
    /// spaces as `+`: (user agent, browser, browser version, OS, OS
    /// version, class).
    /// (user agent, browser, browser version, OS, OS version, class).
    type Expected = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        DeviceClass,
    );

    const CORPUS: &[Expected] = &[
        (
            "Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_9_4)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/36.0.1985.125+Safari/537.36",
            Some("Chrome"),
            Some("36.0.1985"),
            Some("Mac OS X"),
            Some("10.9.4"),
            DeviceClass::Desktop,
        ),
        (
            "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/85.0.4183.121+Safari/537.36",
            Some("Chrome"),
            Some("85.0.4183"),
            Some("Windows"),
            Some("10"),
            DeviceClass::Desktop,
        ),
        (
            "Mozilla/4.0+(compatible;+MSIE+8.0;+Windows+NT+5.1;+Trident/4.0)",
            Some("IE"),
            Some("8.0"),
            Some("Windows"),
            Some("XP"),
            DeviceClass::Desktop,
        ),
        (
            "Mozilla/5.0+(Windows+NT+6.1;+Win64;+x64;+rv:57.0)+Gecko/20100101+Firefox/57.0",
            Some("Firefox"),
            Some("57.0"),
            Some("Windows"),
            Some("7"),
            DeviceClass::Desktop,
        ),
        (
            "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+13_7+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/13.1.2+Mobile/15E148+Safari/604.1",
            Some("Mobile Safari"),
            Some("13.1.2"),
            Some("iOS"),
            Some("13.7"),
            DeviceClass::Mobile,
        ),
        (
            "Mozilla/5.0+(Linux;+Android+5.0;+SM-G900P+Build/LRX21T;+wv)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Version/4.0+Chrome/43.0.2357.121+Mobile+Safari/537.36+[FB_IAB/FB4A;FBAV/35.0.0.48.273;]",
            Some("Facebook"),
            Some("35.0.0"),
            Some("Android"),
            Some("5.0"),
            DeviceClass::Mobile,
        ),
        (
            "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
            Some("bingbot"),
            Some("2.0"),
            None,
            None,
            DeviceClass::Bot,
        ),
        (
            "Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)",
            Some("Googlebot"),
            Some("2.1"),
            None,
            None,
            DeviceClass::Bot,
        ),
        (
            "curl/7.68.0",
            Some("curl"),
            Some("7.68.0"),
            None,
            None,
            DeviceClass::Other,
        ),
    ];

    #[test]
    fn corpus_user_agents_are_identified() {
        let mut devices = Devices::new().unwrap();
        for &(ua, browser, version, os, os_version, class) in CORPUS {
            let c = devices.identify(ua).unwrap();
            assert_eq!(
                (
                    c.browser.as_deref(),
                    c.browser_version.as_deref(),
                    c.os.as_deref(),
                    c.os_version.as_deref(),
                    c.class
                ),
                (browser, version, os, os_version, class),
                "{ua}"
            );
            assert!(c.source.starts_with("uap-core "), "{}", c.source);
        }
    }

    #[test]
    fn a_tablet_is_not_a_phone() {
        let devices = Devices::new().unwrap();
        let ipad = devices.parse("Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1");
        assert_eq!(ipad.class, DeviceClass::Tablet);
        assert_eq!(ipad.device.as_deref(), Some("iPad"));
        let android_tablet = devices.parse("Mozilla/5.0 (Linux; Android 9; SM-T820) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.157 Safari/537.36");
        assert_eq!(android_tablet.class, DeviceClass::Tablet);
    }

    #[test]
    fn an_empty_user_agent_is_none_and_repeats_come_from_the_cache() {
        let mut devices = Devices::new().unwrap();
        assert!(devices.identify("-").is_none());
        assert!(devices.identify("").is_none());
        let a = devices.identify("curl/7.68.0").unwrap();
        let b = devices.identify("curl/7.68.0").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }

    fn client(class: DeviceClass, os: &str, browser: &str) -> Arc<Client> {
        Arc::new(Client {
            browser: Some(browser.into()),
            browser_version: None,
            os: Some(os.into()),
            os_version: None,
            device: None,
            class,
            source: "test".into(),
        })
    }

    #[test]
    fn a_new_class_or_os_is_a_change_a_new_browser_is_not() {
        let pc = client(DeviceClass::Desktop, "Windows", "Chrome");
        let firefox = client(DeviceClass::Desktop, "Windows", "Firefox");
        let mac = client(DeviceClass::Desktop, "Mac OS X", "Chrome");
        let phone = client(DeviceClass::Mobile, "iOS", "Mobile Safari");
        let mut seen = KindsSeen::default();
        assert!(
            !seen.changed("ann", std::slice::from_ref(&pc)),
            "a first device"
        );
        assert!(!seen.changed("ANN", &[firefox]));
        assert!(
            !seen.changed("bob", std::slice::from_ref(&phone)),
            "bob's first"
        );
        assert!(seen.changed("ann", &[pc.clone(), phone]));
        assert!(seen.changed("ann", &[mac]));
        assert!(!seen.changed("ann", &[pc]));
        assert!(!seen.changed("cy", &[]));
        assert!(!seen.changed("cy", &[]), "no user agent, no change");
    }
}
