//! The command line: global options, the subcommands and their arguments
//! (clap derive). Only definitions live here; `cmd/` turns them into work.
//!
//! Doc comments here are the `--help` text, written for people at a
//! terminal, not rustdoc: `<user>` and `[:SS]` mean what they say.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;
use crate::w3c::input::MmapChoice;

const EXIT_CODES: &str = "\
Exit status:
  0  success, also when some rows were malformed (they are reported) and
     when the output pipe closed early (`| head`)
  1  some input could not be read or is not what the command reads (a log,
     a leaked file); the rest was processed
  2  usage error: a bad option, time zone, time, filter or field list
  130  interrupted (Ctrl-C): the output was closed but is incomplete";

/// Trace leaked patient data through IIS W3C logs and the leaked files.
///
/// leaktrace reads the server's IIS W3C logs (UTC, space-separated, with
/// #Fields header blocks that may change inside a file), filters them by user,
/// IP, path and local time, and prints what it finds for a person (table) or
/// for programs (JSON, NDJSON, CSV). It also reads the leaked files
/// themselves (NEMSIS XML, CSV and XLSX grid exports, PDFs, and ZIP bulk
/// exports member by member): whom their forensic statements name, and
/// whether someone edited them; investigate joins the two. Inputs are opened
/// read-only.
#[derive(Debug, Parser)]
#[command(name = "leaktrace", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The folder --format parquet writes to (created if needed; not inside
    /// an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder
    /// per UTC day; downloads.parquet; sessions.parquet. Output of an
    /// earlier run is never added to or replaced: a day's partition or a
    /// file that exists stops the run (exit 2) and nothing of it is kept.
    /// Files are written under hidden temporary names and renamed when the
    /// run succeeds, so an error or Ctrl-C leaves no partial file.
    #[cfg(feature = "analytics")]
    #[arg(long, global = true, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// IANA time zone for local times and for local --since/--until values
    /// (America/Chicago, Europe/Berlin, UTC), or a fixed offset without
    /// daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST,
    /// CET) are refused, with the names they may stand for: EST would be
    /// UTC-05:00 all year. The time zone database is built into leaktrace,
    /// so results do not depend on the machine.
    #[arg(
        long,
        global = true,
        env = "LEAKTRACE_TZ",
        default_value = "UTC",
        value_name = "ZONE"
    )]
    pub tz: String,
    /// Print no summary or notes on standard error (errors are still printed).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail. Commands that read logs: show more malformed lines in
    /// the summary, the first 20 of each file (all of them are always
    /// counted), not just the first 5 overall. examine: one table row per
    /// patient care report of a NEMSIS file (its verdict, who, when, from
    /// where), under the file's row.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read IIS W3C logs and print the requests that match the filters.
    ///
    /// Each input is a file, a directory (read recursively, in name order), a
    /// .gz file (recognised by its content), or - for standard input. Every
    /// #Fields header applies to the rows after it. Rows that do not fit are
    /// counted and reported on standard error with file, line and reason.
    #[command(after_help = EXIT_CODES)]
    Logs(LogsArgs),
    /// Find the bulk exports downloaded from /temp/ and who made them.
    ///
    /// A download is a GET or HEAD of a path under /temp/. Its request carries
    /// no login name: leaktrace reads the export's user from the file name
    /// (<Org>.<user>.<YYYY-MM-DD-HH-MM-SS>.<ext>) and the session's user from
    /// the latest authenticated request of the same client (address and
    /// browser) within --window, and says whether they agree. Only bulk
    /// exports (files with such a name) are listed; --all lists the other
    /// /temp/ fetches too (PDF printouts and the like), and the summary counts
    /// them either way. Inputs are read as one time-ordered stream, whatever
    /// order they are given in.
    #[command(after_help = EXIT_CODES)]
    Downloads(DownloadsArgs),
    /// Group requests into sessions: what each person did, in order.
    ///
    /// Authenticated requests are grouped by user; anonymous ones (images,
    /// scripts, /temp/ downloads) join the session of the same client address
    /// and browser. A session ends after --idle without a request of the
    /// person's own: timed polling (a handler or web service called again
    /// with no page load between, or one path at a near-constant interval)
    /// is counted in the session, not listed, and keeps no session open.
    /// Pages are listed with their local time. Inputs are read as one
    /// time-ordered stream, so a session that crosses midnight UTC (and so
    /// two daily files) stays one session.
    #[command(after_help = EXIT_CODES)]
    Sessions(SessionsArgs),
    /// Which addresses each person used, where they are, and which stand out.
    ///
    /// One row per login and client address: first and last seen (UTC and
    /// --tz), requests, sessions, exports (downloads of exports whose name
    /// gives the user), the address's place (as --geo gives it) and the
    /// clients its user agents name. Flags: first_seen_on_export_day (the
    /// address was first seen, local day, on a day the user's exports were
    /// downloaded, after another of the user's addresses), mobile (a
    /// mobile carrier's network), device_changed (its user agents name a
    /// device class or OS family that none of the user's earlier addresses
    /// used), private_among_public (a private address while the same user's
    /// others are public: a VPN, a proxy or the office), impossible_travel
    /// (the user's previous request came from a place too far away for the
    /// time between them: more than 500 km apart after both places'
    /// accuracy radii, faster than 900 km/h; needs a City database in
    /// --geoip, and each move is listed under travel with both addresses,
    /// places, points, requests, the km, the hours and the speed). Inputs
    /// are read as one time-ordered stream.
    #[command(after_help = EXIT_CODES)]
    Ips(IpsArgs),
    /// Read leaked files: whom their forensic statements name, and whether
    /// they were tampered with.
    ///
    /// NEMSIS XML (the eRecord.900 plain and eRecord.901 base64 engravitures
    /// of every report, compared), CSV grid exports (the signature beyond the
    /// rightmost column, also after Excel re-saved or re-sorted the file),
    /// XLSX workbooks and PDFs. The kind is decided from the content, not the
    /// name. ZIP archives (bulk exports) are opened and each member examined
    /// as <archive>!<member>; a ZIP inside one is opened too (one level), and
    /// what an archive may decompress to is capped. Every report carries the
    /// file's SHA-256 (a member's own, and its archive's). Files are opened
    /// read-only.
    #[command(after_help = EXIT_CODES)]
    Examine(ExamineArgs),
    /// Who leaked these files, and what else did they take: a case folder
    /// (logs and leaked files, mixed) in, the person and a report out.
    ///
    /// Inputs are sorted by content into W3C logs (.gz too), leaked files
    /// (what examine reads, and ZIP archives member by member) and the
    /// roster; anything else is listed as ignored. Each leaked file's
    /// statement is joined with the logs (read once, as one time-ordered
    /// stream): the download or build request it describes, the login of
    /// the session that made it, whether that login is the person named, and
    /// every other export that person made. Verdicts: corroborated,
    /// contradicted, not_in_logs, outside_logs, registry_upload, unsigned.
    #[command(after_help = EXIT_CODES)]
    Investigate(InvestigateArgs),
    /// Requests, exports and failed logons per user, address, page, local
    /// day or hour: who exported more than usual, who works at 3 a.m.
    ///
    /// One row per group of --by (any comma-separated combination of user,
    /// ip, page, day, hour; day and hour are local, in --tz, so a
    /// daylight-saving day has 23 or 25 hours): requests, posts, ips and
    /// pages (distinct), exports (downloads of bulk exports from /temp/,
    /// counted for the user the file name gives when the download has no
    /// login name) and export_bytes (their sc-bytes; null when not logged),
    /// failed_logons (a POST to /Login.aspx answered 200, the form again, or
    /// 401; a good logon is answered 302), first_local and last_local. The
    /// filters apply before grouping. Rows are sorted by the --by keys.
    /// Memory grows with the groups and their distinct addresses and
    /// pages, not with the rows.
    #[cfg(feature = "analytics")]
    #[command(after_help = EXIT_CODES)]
    Stats(StatsArgs),
}

#[cfg(feature = "analytics")]
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Log files, directories, or - for standard input.
    #[arg(required = true, value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Filters applied before grouping; --user also matches an export
    /// download by the user its file name gives.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// What to group by: user, ip, page, day (local date), hour (local hour
    /// 0-23), or a comma-separated combination (user,day). Default: user
    /// (user,day with --outliers).
    #[arg(long, value_name = "KEYS")]
    pub by: Option<String>,
    /// Working hours, local (--tz): adds after_hours, the actions outside
    /// them or on a Saturday or Sunday, and after_hours_share, their share
    /// of the group's requests. 22:00-06:00 is a night shift.
    #[arg(long, value_name = "HH:MM-HH:MM")]
    pub after_hours: Option<String>,
    /// One row per user and local day, scored against the user's own days
    /// and the day's peers (modified z-score, 0.6745 x (count - median) /
    /// MAD, with a MAD below 1 taken as 1), for exports and for requests;
    /// sorted by score, highest first, with why in words ("12 exports, usual
    /// 1 (peers 0)"). Groups without a user or a local time are left out.
    #[arg(long)]
    pub outliers: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Log files, directories, or - for standard input.
    #[arg(required = true, value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print only the number of matching records: the number alone, or
    /// {"matched": N} with --format json or ndjson, a `matched` column with
    /// --format csv.
    #[arg(long)]
    pub count: bool,
    #[command(flatten)]
    pub enrich: EnrichArgs,
}

#[derive(Debug, Args)]
pub struct DownloadsArgs {
    /// Log files, directories, or - for standard input.
    #[arg(required = true, value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Filters on the download request; --user matches the export's user or
    /// the session's user.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How far back the session's user is looked for: the latest authenticated
    /// request of the same client within this time before the download.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub window: String,
    /// Host for replay URLs when the log has no cs-host and no referer.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Mark downloads older than 7 days at this date (or RFC 3339 instant) as
    /// likely purged: the server keeps exports for 2 to 7 days.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// List every fetch from /temp/, not only bulk exports: PDF printouts and
    /// other files without an export name too (in every --format).
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub enrich: EnrichArgs,
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Log files, directories, or - for standard input.
    #[arg(required = true, value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Only the sessions of this login name (whole name, any case; a name
    /// without a domain also matches DOMAIN\name).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub user: Vec<String>,
    /// Only sessions with a request from this address or network.
    #[arg(long, value_name = "IP|CIDR", value_delimiter = ',')]
    pub ip: Vec<String>,
    /// Only requests at or after this time (RFC 3339, or local
    /// "YYYY-MM-DD[ HH:MM[:SS]]" in --tz).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only requests before this time (a date alone includes that whole local day).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// A session ends after this long without a request other than polling
    /// (30m, 1h, 90s).
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub idle: String,
    /// With --geo, the place is that of the session's first client address;
    /// with --device, the client is that of its user agent.
    #[command(flatten)]
    pub enrich: EnrichArgs,
}

#[derive(Debug, Args)]
pub struct IpsArgs {
    /// Log files, directories, or - for standard input.
    #[arg(required = true, value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Only the addresses of this login name (whole name, any case; a name
    /// without a domain also matches DOMAIN\name).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub user: Vec<String>,
    /// Sessions are counted as sessions gives them: one ends after this long
    /// without a request.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub idle: String,
    /// MaxMind-format databases (.mmdb file, or a folder of them) to place
    /// the addresses; see --geoip of logs. Without it, only the built-in
    /// ranges and carrier table answer; impossible_travel needs a City
    /// database (latitude, longitude, accuracy radius).
    #[arg(long, value_name = "PATH", env = "LEAKTRACE_GEOIP")]
    pub geoip: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExamineArgs {
    /// Files or directories (read recursively, in name order); ZIP archives
    /// are examined member by member.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Read every file as this kind instead of deciding from its content
    /// (the members of an archive are always decided from their content).
    #[arg(long = "as", value_enum, value_name = "KIND")]
    pub kind: Option<crate::artifact::Kind>,
    /// Password for PDFs that need one to open (user or owner password).
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
}

#[derive(Debug, Args)]
pub struct InvestigateArgs {
    /// Case files and folders (read recursively): logs and leaked files, mixed.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// The employee list as CSV: login, name and employee ID columns
    /// (headers matched loosely: Login/User/Username, Name/Full Name or
    /// First/Last Name, ID/Employee ID). Without it, a CSV employee list
    /// among the inputs is used; without either, names are tied to logins by
    /// a heuristic, reported as such.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Also write report.md, report.html, findings.json, timeline.jsonl
    /// (Timesketch) and SHA256SUMS to this folder (created if needed; it
    /// must not be inside the evidence).
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Record the generation time in the report (otherwise the same inputs
    /// give the same bytes).
    #[arg(long)]
    pub stamp: bool,
    /// Password for PDFs that need one to open.
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Host for replay URLs when the log has no cs-host and no referer.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// MaxMind-format databases (.mmdb file, or a folder of them) to place
    /// the client addresses the investigation reports; see --geoip of logs.
    /// Without it, only the built-in ranges and carrier table answer.
    #[arg(long, value_name = "PATH", env = "LEAKTRACE_GEOIP")]
    pub geoip: Option<PathBuf>,
}

/// Where client addresses are and which devices made the requests.
#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// Add a geo object to each result: country, region, city, asn, as_org,
    /// network (loopback, private, cgnat, link_local, documentation,
    /// multicast, reserved, mobile, public), mobile, carrier, source (the
    /// databases that answered and their build dates), and a Place column
    /// to the table. Answers are offline: the special ranges and a table of
    /// US mobile carriers' autonomous systems are built in; country, city
    /// and owner need --geoip. A note warns when a database was built more
    /// than a year from the log's dates (addresses change hands).
    #[arg(long)]
    pub geo: bool,
    /// MaxMind-format databases for --geo: a .mmdb file, or a folder whose
    /// .mmdb files are all read (name order; the first that knows a field
    /// answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any
    /// database of that shape. The files are memory-mapped, not read
    /// whole: replace a database only between runs (one truncated while
    /// leaktrace runs ends it with a bus error, SIGBUS).
    #[arg(long, value_name = "PATH", env = "LEAKTRACE_GEOIP")]
    pub geoip: Option<PathBuf>,
    /// Add a client object to each result, read from its user agent (in
    /// which IIS wrote spaces as plus signs): browser, browser_version, os,
    /// os_version, device (iPhone, iPad, a phone model), class (desktop,
    /// mobile, tablet, bot, other) and source (the built-in uap-core rules
    /// and their version), and a Device column to the table. sessions also
    /// get device_changed: whether the session's user agents name a device
    /// class or OS family that the same user's earlier sessions did not use
    /// (null without a login; "device changed" in the Device column). A
    /// user agent is what the client says it is, not proof.
    #[arg(long)]
    pub device: bool,
}

/// How logs are read.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Field list to use instead of the logs' own #Fields headers, for logs
    /// whose header is missing or wrong, e.g.
    /// "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken".
    #[arg(long, value_name = "FIELDS")]
    pub fields: Option<String>,
    /// Whether log files may be memory-mapped. auto (the default) maps plain
    /// files, the fastest way to read them, but streams a file modified in
    /// the last 5 seconds (probably still being written). never reads every
    /// file as a stream: choose it for a log the server is still writing or
    /// may truncate, and for files on a network share, where a file that
    /// shrinks while mapped would stop leaktrace with a bus error (SIGBUS).
    /// Either way, a file whose size or time changed while it was read is
    /// noted in the summary.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = MmapChoice::Auto)]
    pub mmap: MmapChoice,
    /// IANA time zone the server wrote local times in, for rows that have
    /// only date-local and time-local (IIS Advanced Logging) and no UTC
    /// date and time. Each such row then gets its UTC time; a local time
    /// that names no instant or two (a daylight-saving change) is reported,
    /// not guessed. Rows with a UTC time are not affected.
    #[arg(long, value_name = "ZONE")]
    pub log_tz: Option<String>,
}

/// Which records to keep: different flags must all match; a repeated flag
/// (or a comma-separated list) matches any of its values.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Login name (cs-username), whole name, any case. A name without a domain
    /// also matches DOMAIN\name.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub user: Vec<String>,
    /// Client address (c-ip) or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32.
    #[arg(long, value_name = "IP|CIDR", value_delimiter = ',')]
    pub ip: Vec<String>,
    /// Glob on the path (cs-uri-stem), any case; * also matches /, as in a URL
    /// filter: "/temp/*", "*.zip". A comma separates globs ("*.zip,*.csv"),
    /// except inside {a,b}; \, is a comma of the path.
    #[arg(long, value_name = "GLOB")]
    pub path: Vec<String>,
    /// HTTP method (GET, POST, HEAD ...), any case.
    #[arg(long, value_name = "METHOD", value_delimiter = ',')]
    pub method: Vec<String>,
    /// HTTP status code (404) or class (4xx).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Keep records at or after this time: an RFC 3339 instant
    /// (2017-01-19T17:16:30Z) or a local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Keep records before this time (same forms as --since). A date alone
    /// includes that whole local day.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

/// The clap command, for generated documentation.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
