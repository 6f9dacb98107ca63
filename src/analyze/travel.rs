//! Impossible travel: one login's requests from two places too far apart
//! for the time between them. Each change of address of a login (its last
//! request from one address, then the next from another, in time order) is
//! a move; the fastest move between each two addresses is kept, and judged
//! once the places are known: the great-circle distance between the two
//! points a City database gives, less both accuracy radii (the least the
//! person must have travelled), over the time between the two requests.
//! Without coordinates (no City database, private and other special
//! ranges) nothing is judged and nothing is claimed.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use crate::enrich::geo::{Coordinates, Geo};

/// Faster than this is not travel: an airliner cruises at 800 to 950 km/h,
/// and gate to gate is slower still.
pub const MAX_KM_PER_H: f64 = 900.0;

/// Moves shorter than this (after both accuracy radii) are never flagged:
/// a metropolitan area is at most some 150 km across, and a mobile
/// carrier's addresses are often placed at a gateway a few hundred
/// kilometres from the phone; 500 km is a day's drive's worth of doubt
/// that no move between neighbouring cities reaches.
pub const MIN_KM: f64 = 500.0;

/// The mean radius of the Earth (IUGG), in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Distinct moves (login, from, to) remembered; past it a move between two
/// new addresses is counted, not judged ([`Moves::not_kept`]).
pub const MAX_MOVES: usize = 1 << 20;

/// One end of a move: a request of the login from one address.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub ip: String,
    pub time: Timestamp,
    pub file: Arc<str>,
    pub line: u64,
}

/// A change of address of one login: its last request from `from`, then
/// its next from `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// The login as logged at `to`.
    pub user: String,
    pub from: Stop,
    pub to: Stop,
}

/// Gathers the moves of each login from its requests in time order.
#[derive(Default)]
pub struct Moves {
    /// Per login (lower case): as logged, and its latest request.
    last: HashMap<String, (String, Stop)>,
    /// Per login (lower case), from and to address: the fastest move.
    fastest: HashMap<(String, String, String), Move>,
    /// Moves between addresses not remembered, [`MAX_MOVES`] being reached.
    pub not_kept: u64,
}

impl Moves {
    /// An authenticated request of `user` from `ip` at `time`.
    pub fn observe(&mut self, user: &str, ip: &str, time: Timestamp, file: &Arc<str>, line: u64) {
        let here = Stop {
            ip: ip.to_string(),
            time,
            file: file.clone(),
            line,
        };
        let key = user.to_lowercase();
        let Some((last_user, last)) = self.last.get_mut(&key) else {
            self.last.insert(key, (user.to_string(), here));
            return;
        };
        if last.ip == here.ip {
            if time >= last.time {
                *last = here;
            }
            return;
        }
        // A request later than the reordering window may come before the
        // latest: the move then goes the other way in time.
        let (from, to, as_logged) = if time >= last.time {
            let from = std::mem::replace(last, here.clone());
            *last_user = user.to_string();
            (from, here, user.to_string())
        } else {
            (here, last.clone(), last_user.clone())
        };
        let gap = to.time.duration_since(from.time);
        let full = self.fastest.len() >= MAX_MOVES;
        match self.fastest.entry((key, from.ip.clone(), to.ip.clone())) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                if gap < e.get().to.time.duration_since(e.get().from.time) {
                    e.insert(Move {
                        user: as_logged,
                        from,
                        to,
                    });
                }
            }
            std::collections::hash_map::Entry::Vacant(_) if full => self.not_kept += 1,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Move {
                    user: as_logged,
                    from,
                    to,
                });
            }
        }
    }

    /// The fastest move between each two addresses of each login, by
    /// arrival, then login and addresses.
    pub fn into_moves(self) -> Vec<Move> {
        let mut moves: Vec<Move> = self.fastest.into_values().collect();
        moves.sort_by(|a, b| {
            (a.to.time, a.user.to_lowercase(), &a.from.ip, &a.to.ip).cmp(&(
                b.to.time,
                b.user.to_lowercase(),
                &b.from.ip,
                &b.to.ip,
            ))
        });
        moves
    }
}

/// A move too fast to be travel, with what it is judged on.
#[derive(Clone, Debug, PartialEq)]
pub struct Travel {
    pub from: Stop,
    pub to: Stop,
    pub from_geo: Arc<Geo>,
    pub to_geo: Arc<Geo>,
    pub from_point: Coordinates,
    pub to_point: Coordinates,
    /// Between the two points.
    pub distance_km: f64,
    /// `distance_km` less both accuracy radii: the least the person moved.
    pub min_km: f64,
    pub hours: f64,
    /// `min_km` over `hours`; None when both requests came at one instant.
    pub km_per_h: Option<f64>,
}

/// The move, when its places are known and too far apart for its time.
pub fn judge(m: &Move, from_geo: Arc<Geo>, to_geo: Arc<Geo>) -> Option<Travel> {
    let (a, b) = (from_geo.coordinates?, to_geo.coordinates?);
    let distance_km = distance_km(a, b);
    let min_km = (distance_km - f64::from(a.accuracy_km) - f64::from(b.accuracy_km)).max(0.0);
    if min_km <= MIN_KM {
        return None;
    }
    let seconds = m.to.time.duration_since(m.from.time).as_secs_f64().max(0.0);
    let hours = seconds / 3600.0;
    let km_per_h = (seconds > 0.0).then(|| min_km / hours);
    if km_per_h.is_some_and(|v| v <= MAX_KM_PER_H) {
        return None;
    }
    Some(Travel {
        from: m.from.clone(),
        to: m.to.clone(),
        from_geo,
        to_geo,
        from_point: a,
        to_point: b,
        distance_km,
        min_km,
        hours,
        km_per_h,
    })
}

/// The great-circle distance between two points (haversine, on a sphere of
/// the Earth's mean radius: within 0.5 % of the ellipsoid, far finer than
/// a City database's radii).
pub fn distance_km(a: Coordinates, b: Coordinates) -> f64 {
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dla = la2 - la1;
    let dlo = (b.longitude - a.longitude).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHICAGO: Coordinates = Coordinates {
        latitude: 41.8781,
        longitude: -87.6298,
        accuracy_km: 20,
    };
    const MILWAUKEE: Coordinates = Coordinates {
        latitude: 43.0389,
        longitude: -87.9065,
        accuracy_km: 20,
    };
    const LAGOS: Coordinates = Coordinates {
        latitude: 6.4550,
        longitude: 3.3841,
        accuracy_km: 50,
    };

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap()
    }

    fn geo(point: Option<Coordinates>) -> Arc<Geo> {
        Arc::new(Geo {
            coordinates: point,
            ..Geo::default()
        })
    }

    fn moves(requests: &[(&str, &str, &str)]) -> Vec<Move> {
        let file: Arc<str> = Arc::from("u_ex.log");
        let mut m = Moves::default();
        for (i, (user, ip, t)) in requests.iter().enumerate() {
            m.observe(user, ip, at(t), &file, i as u64 + 2);
        }
        m.into_moves()
    }

    #[test]
    fn distances_are_great_circles() {
        let d = distance_km(CHICAGO, MILWAUKEE);
        assert!((d - 130.0).abs() < 5.0, "{d}");
        let d = distance_km(CHICAGO, LAGOS);
        assert!((d - 9_613.0).abs() < 5.0, "{d}");
        assert_eq!(distance_km(LAGOS, LAGOS), 0.0);
        let antipode = Coordinates {
            latitude: -41.8781,
            longitude: 92.3702,
            accuracy_km: 0,
        };
        let d = distance_km(CHICAGO, antipode);
        assert!(
            (d - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1.0,
            "{d}"
        );
    }

    #[test]
    fn only_address_changes_are_moves_and_the_fastest_is_kept() {
        let m = moves(&[
            ("ann", "1.1.1.1", "2017-01-19T10:00:00Z"),
            ("ann", "1.1.1.1", "2017-01-19T11:00:00Z"),
            ("ANN", "2.2.2.2", "2017-01-19T13:00:00Z"),
            ("bob", "3.3.3.3", "2017-01-19T13:30:00Z"),
            ("ann", "1.1.1.1", "2017-01-19T14:00:00Z"),
            ("ann", "2.2.2.2", "2017-01-19T14:10:00Z"),
            ("ann", "2.2.2.2", "2017-01-19T15:00:00Z"),
        ]);
        let seen: Vec<(&str, &str, &str, Timestamp, Timestamp, u64)> = m
            .iter()
            .map(|m| {
                (
                    m.user.as_str(),
                    m.from.ip.as_str(),
                    m.to.ip.as_str(),
                    m.from.time,
                    m.to.time,
                    m.to.line,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "ann",
                    "2.2.2.2",
                    "1.1.1.1",
                    at("2017-01-19T13:00:00Z"),
                    at("2017-01-19T14:00:00Z"),
                    6
                ),
                (
                    "ann",
                    "1.1.1.1",
                    "2.2.2.2",
                    at("2017-01-19T14:00:00Z"),
                    at("2017-01-19T14:10:00Z"),
                    7
                ),
            ]
        );
    }

    #[test]
    fn a_late_request_moves_backwards_in_time() {
        let m = moves(&[
            ("ann", "1.1.1.1", "2017-01-19T10:00:00Z"),
            ("ann", "2.2.2.2", "2017-01-19T09:00:00Z"),
        ]);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].from.ip.as_str(), m[0].to.ip.as_str()),
            ("2.2.2.2", "1.1.1.1")
        );
        assert_eq!(m[0].from.time, at("2017-01-19T09:00:00Z"));
    }

    fn one_move(gap_from: &str, gap_to: &str) -> Move {
        moves(&[("ann", "1.1.1.1", gap_from), ("ann", "2.2.2.2", gap_to)]).remove(0)
    }

    #[test]
    fn chicago_then_lagos_an_hour_later_is_impossible() {
        let m = one_move("2017-01-19T10:00:00Z", "2017-01-19T11:00:00Z");
        let t = judge(&m, geo(Some(CHICAGO)), geo(Some(LAGOS))).unwrap();
        assert!((t.min_km - (t.distance_km - 70.0)).abs() < 1e-9);
        assert_eq!(t.hours, 1.0);
        assert_eq!(t.km_per_h, Some(t.min_km));
        assert_eq!(t.from.ip, "1.1.1.1");
        assert_eq!(t.to_point, LAGOS);
    }

    #[test]
    fn neighbouring_cities_far_places_days_apart_and_unknown_places_are_not() {
        let hour = one_move("2017-01-19T10:00:00Z", "2017-01-19T11:00:00Z");
        assert_eq!(judge(&hour, geo(Some(CHICAGO)), geo(Some(MILWAUKEE))), None);
        let days = one_move("2017-01-19T10:00:00Z", "2017-01-22T10:00:00Z");
        assert_eq!(judge(&days, geo(Some(CHICAGO)), geo(Some(LAGOS))), None);
        assert_eq!(judge(&hour, geo(None), geo(Some(LAGOS))), None);
        assert_eq!(judge(&hour, geo(Some(CHICAGO)), geo(None)), None);
        // Radii as wide as the distance: the person may not have moved.
        let wide = |p: Coordinates| Coordinates {
            accuracy_km: 5_000,
            ..p
        };
        assert_eq!(
            judge(&hour, geo(Some(wide(CHICAGO))), geo(Some(wide(LAGOS)))),
            None
        );
    }

    #[test]
    fn two_places_at_one_instant_have_no_speed() {
        let m = one_move("2017-01-19T10:00:00Z", "2017-01-19T10:00:00Z");
        let t = judge(&m, geo(Some(CHICAGO)), geo(Some(LAGOS))).unwrap();
        assert_eq!(t.hours, 0.0);
        assert_eq!(t.km_per_h, None);
    }

    #[test]
    fn moves_past_the_limit_are_counted() {
        let file: Arc<str> = Arc::from("u_ex.log");
        let mut m = Moves::default();
        let t = at("2017-01-19T10:00:00Z");
        m.fastest.reserve(MAX_MOVES);
        for i in 0..MAX_MOVES {
            let key = (format!("u{i}"), "a".to_string(), "b".to_string());
            let stop = Stop {
                ip: "a".into(),
                time: t,
                file: file.clone(),
                line: 1,
            };
            let mv = Move {
                user: key.0.clone(),
                from: stop.clone(),
                to: stop,
            };
            m.fastest.insert(key, mv);
        }
        m.observe("ann", "1.1.1.1", t, &file, 2);
        m.observe("ann", "2.2.2.2", t, &file, 3);
        assert_eq!(m.not_kept, 1);
        assert_eq!(m.fastest.len(), MAX_MOVES);
    }
}
