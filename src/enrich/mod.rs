//! What a log row says about the person behind it beyond their login: where
//! the client address is ([`geo`]: special ranges built in, MaxMind-format
//! databases the user gives, the mobile-carrier table). Answers are offline
//! and name their source and its date: evidence never leaves the machine, and
//! an address's owner on the day of the log is not always today's.

pub mod geo;
