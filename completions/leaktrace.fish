# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_leaktrace_global_optspecs
    string join \n format= tz= q/quiet v/verbose h/help V/version
end

function __fish_leaktrace_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_leaktrace_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_leaktrace_using_subcommand
    set -l cmd (__fish_leaktrace_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c leaktrace -n "__fish_leaktrace_needs_command" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_needs_command" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_needs_command" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -s V -l version -d 'Print version'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "logs" -d 'Read IIS W3C logs and print the requests that match the filters'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "downloads" -d 'Find the bulk exports downloaded from /temp/ and who made them'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "sessions" -d 'Group requests into sessions: what each person did, in order'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "ips" -d 'Which addresses each person used, where they are, and which stand out'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "examine" -d 'Read leaked files: whom their forensic statements name, and whether they were tampered with'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "investigate" -d 'Who leaked these files, and what else did they take: a case folder (logs and leaked files, mixed) in, the person and a report out'
complete -c leaktrace -n "__fish_leaktrace_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l fields -d 'Field list to use instead of the logs\' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l mmap -d 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary' -r -f -a "auto\t'Map plain regular files, but stream one modified in the last 5 seconds (probably still being written)'
never\t'Never map: read every file as a stream'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l log-tz -d 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l user -d 'Login name (cs-username), whole name, any case. A name without a domain also matches DOMAIN\\name' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l ip -d 'Client address (c-ip) or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l path -d 'Glob on the path (cs-uri-stem), any case; * also matches /, as in a URL filter: "/temp/*", "*.zip". A comma separates globs ("*.zip,*.csv"), except inside {a,b}; \\, is a comma of the path' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l method -d 'HTTP method (GET, POST, HEAD ...), any case' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l status -d 'HTTP status code (404) or class (4xx)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l since -d 'Keep records at or after this time: an RFC 3339 instant (2017-01-19T17:16:30Z) or a local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l until -d 'Keep records before this time (same forms as --since). A date alone includes that whole local day' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l geoip -d 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l count -d 'Print only the number of matching records'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l geo -d 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers\' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log\'s dates (addresses change hands)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -l device -d 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l fields -d 'Field list to use instead of the logs\' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l mmap -d 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary' -r -f -a "auto\t'Map plain regular files, but stream one modified in the last 5 seconds (probably still being written)'
never\t'Never map: read every file as a stream'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l log-tz -d 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l user -d 'Login name (cs-username), whole name, any case. A name without a domain also matches DOMAIN\\name' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l ip -d 'Client address (c-ip) or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l path -d 'Glob on the path (cs-uri-stem), any case; * also matches /, as in a URL filter: "/temp/*", "*.zip". A comma separates globs ("*.zip,*.csv"), except inside {a,b}; \\, is a comma of the path' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l method -d 'HTTP method (GET, POST, HEAD ...), any case' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l status -d 'HTTP status code (404) or class (4xx)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l since -d 'Keep records at or after this time: an RFC 3339 instant (2017-01-19T17:16:30Z) or a local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l until -d 'Keep records before this time (same forms as --since). A date alone includes that whole local day' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l window -d 'How far back the session\'s user is looked for: the latest authenticated request of the same client within this time before the download' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l host -d 'Host for replay URLs when the log has no cs-host and no referer' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l as-of -d 'Mark downloads older than 7 days at this date (or RFC 3339 instant) as likely purged: the server keeps exports for 2 to 7 days' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l geoip -d 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l all -d 'List every fetch from /temp/, not only bulk exports: PDF printouts and other files without an export name too (in every --format)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l geo -d 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers\' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log\'s dates (addresses change hands)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -l device -d 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand downloads" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l fields -d 'Field list to use instead of the logs\' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l mmap -d 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary' -r -f -a "auto\t'Map plain regular files, but stream one modified in the last 5 seconds (probably still being written)'
never\t'Never map: read every file as a stream'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l log-tz -d 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l user -d 'Only the sessions of this login name (whole name, any case; a name without a domain also matches DOMAIN\\name)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l ip -d 'Only sessions with a request from this address or network' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l since -d 'Only requests at or after this time (RFC 3339, or local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l until -d 'Only requests before this time (a date alone includes that whole local day)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l idle -d 'A session ends after this long without a request other than polling (30m, 1h, 90s)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l geoip -d 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l geo -d 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers\' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log\'s dates (addresses change hands)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -l device -d 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand sessions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l fields -d 'Field list to use instead of the logs\' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l mmap -d 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary' -r -f -a "auto\t'Map plain regular files, but stream one modified in the last 5 seconds (probably still being written)'
never\t'Never map: read every file as a stream'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l log-tz -d 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l user -d 'Only the addresses of this login name (whole name, any case; a name without a domain also matches DOMAIN\\name)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l idle -d 'Sessions are counted as sessions gives them: one ends after this long without a request' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l geoip -d 'MaxMind-format databases (.mmdb file, or a folder of them) to place the addresses; see --geoip of logs. Without it, only the built-in ranges and carrier table answer; impossible_travel needs a City database (latitude, longitude, accuracy radius)' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand ips" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -l as -d 'Read every file as this kind instead of deciding from its content (the members of an archive are always decided from their content)' -r -f -a "nemsis\t'NEMSIS XML (root element `EMSDataSet`)'
csv\t'Delimited text: a CSV grid export, also re-saved by Excel (`;`, tab, Windows-1252, UTF-16)'
xlsx\t'An Excel workbook (a ZIP holding `xl/workbook.xml`)'
pdf\t'A PDF document (a run report or CMS-1500 form)'
zip\t'A ZIP archive (a bulk export): each member is examined'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -l password -d 'Password for PDFs that need one to open (user or owner password)' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand examine" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l fields -d 'Field list to use instead of the logs\' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l mmap -d 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary' -r -f -a "auto\t'Map plain regular files, but stream one modified in the last 5 seconds (probably still being written)'
never\t'Never map: read every file as a stream'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l log-tz -d 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l roster -d 'The employee list as CSV: login, name and employee ID columns (headers matched loosely: Login/User/Username, Name/Full Name or First/Last Name, ID/Employee ID). Without it, a CSV employee list among the inputs is used; without either, names are tied to logins by a heuristic, reported as such' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l report -d 'Also write report.md, report.html, findings.json, timeline.jsonl (Timesketch) and SHA256SUMS to this folder (created if needed; it must not be inside the evidence)' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l password -d 'Password for PDFs that need one to open' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l host -d 'Host for replay URLs when the log has no cs-host and no referer' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l geoip -d 'MaxMind-format databases (.mmdb file, or a folder of them) to place the client addresses the investigation reports; see --geoip of logs. Without it, only the built-in ranges and carrier table answer' -r -F
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l format -d 'Output format' -r -f -a "table\t'Aligned columns for people; local times with the zone\'s abbreviation'
json\t'One JSON array of objects'
ndjson\t'One JSON object per line (JSON Lines)'
csv\t'CSV with a header row, safe to open in Excel'"
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l tz -d 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine' -r
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -l stamp -d 'Record the generation time in the report (otherwise the same inputs give the same bytes)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -s q -l quiet -d 'Print no summary or notes on standard error (errors are still printed)'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -s v -l verbose -d 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file\'s row'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand investigate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "logs" -d 'Read IIS W3C logs and print the requests that match the filters'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "downloads" -d 'Find the bulk exports downloaded from /temp/ and who made them'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "sessions" -d 'Group requests into sessions: what each person did, in order'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "ips" -d 'Which addresses each person used, where they are, and which stand out'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "examine" -d 'Read leaked files: whom their forensic statements name, and whether they were tampered with'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "investigate" -d 'Who leaked these files, and what else did they take: a case folder (logs and leaked files, mixed) in, the person and a report out'
complete -c leaktrace -n "__fish_leaktrace_using_subcommand help; and not __fish_seen_subcommand_from logs downloads sessions ips examine investigate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
