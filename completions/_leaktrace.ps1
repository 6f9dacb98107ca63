
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'leaktrace' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'leaktrace'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'leaktrace' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read IIS W3C logs and print the requests that match the filters')
            [CompletionResult]::new('downloads', 'downloads', [CompletionResultType]::ParameterValue, 'Find the bulk exports downloaded from /temp/ and who made them')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'Group requests into sessions: what each person did, in order')
            [CompletionResult]::new('ips', 'ips', [CompletionResultType]::ParameterValue, 'Which addresses each person used, where they are, and which stand out')
            [CompletionResult]::new('examine', 'examine', [CompletionResultType]::ParameterValue, 'Read leaked files: whom their forensic statements name, and whether they were tampered with')
            [CompletionResult]::new('investigate', 'investigate', [CompletionResultType]::ParameterValue, 'Who leaked these files, and what else did they take: a case folder (logs and leaked files, mixed) in, the person and a report out')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leaktrace;logs' {
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Field list to use instead of the logs'' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"')
            [CompletionResult]::new('--mmap', '--mmap', [CompletionResultType]::ParameterName, 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary')
            [CompletionResult]::new('--log-tz', '--log-tz', [CompletionResultType]::ParameterName, 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Login name (cs-username), whole name, any case. A name without a domain also matches DOMAIN\name')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Client address (c-ip) or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Glob on the path (cs-uri-stem), any case; * also matches /, as in a URL filter: "/temp/*", "*.zip". A comma separates globs ("*.zip,*.csv"), except inside {a,b}; \, is a comma of the path')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method (GET, POST, HEAD ...), any case')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'HTTP status code (404) or class (4xx)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Keep records at or after this time: an RFC 3339 instant (2017-01-19T17:16:30Z) or a local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Keep records before this time (same forms as --since). A date alone includes that whole local day')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching records')
            [CompletionResult]::new('--geo', '--geo', [CompletionResultType]::ParameterName, 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers'' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log''s dates (addresses change hands)')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;downloads' {
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Field list to use instead of the logs'' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"')
            [CompletionResult]::new('--mmap', '--mmap', [CompletionResultType]::ParameterName, 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary')
            [CompletionResult]::new('--log-tz', '--log-tz', [CompletionResultType]::ParameterName, 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Login name (cs-username), whole name, any case. A name without a domain also matches DOMAIN\name')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Client address (c-ip) or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Glob on the path (cs-uri-stem), any case; * also matches /, as in a URL filter: "/temp/*", "*.zip". A comma separates globs ("*.zip,*.csv"), except inside {a,b}; \, is a comma of the path')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method (GET, POST, HEAD ...), any case')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'HTTP status code (404) or class (4xx)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Keep records at or after this time: an RFC 3339 instant (2017-01-19T17:16:30Z) or a local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Keep records before this time (same forms as --since). A date alone includes that whole local day')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'How far back the session''s user is looked for: the latest authenticated request of the same client within this time before the download')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host for replay URLs when the log has no cs-host and no referer')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Mark downloads older than 7 days at this date (or RFC 3339 instant) as likely purged: the server keeps exports for 2 to 7 days')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every fetch from /temp/, not only bulk exports: PDF printouts and other files without an export name too (in every --format)')
            [CompletionResult]::new('--geo', '--geo', [CompletionResultType]::ParameterName, 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers'' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log''s dates (addresses change hands)')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;sessions' {
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Field list to use instead of the logs'' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"')
            [CompletionResult]::new('--mmap', '--mmap', [CompletionResultType]::ParameterName, 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary')
            [CompletionResult]::new('--log-tz', '--log-tz', [CompletionResultType]::ParameterName, 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only the sessions of this login name (whole name, any case; a name without a domain also matches DOMAIN\name)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Only sessions with a request from this address or network')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only requests at or after this time (RFC 3339, or local "YYYY-MM-DD[ HH:MM[:SS]]" in --tz)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only requests before this time (a date alone includes that whole local day)')
            [CompletionResult]::new('--idle', '--idle', [CompletionResultType]::ParameterName, 'A session ends after this long without a request other than polling (30m, 1h, 90s)')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind-format databases for --geo: a .mmdb file, or a folder whose .mmdb files are all read (name order; the first that knows a field answers it). GeoLite2/GeoIP2 City, Country, ASN or ISP, or any database of that shape')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('--geo', '--geo', [CompletionResultType]::ParameterName, 'Add a geo object to each result: country, region, city, asn, as_org, network (loopback, private, cgnat, link_local, documentation, multicast, reserved, mobile, public), mobile, carrier, source (the databases that answered and their build dates), and a Place column to the table. Answers are offline: the special ranges and a table of US mobile carriers'' autonomous systems are built in; country, city and owner need --geoip. A note warns when a database was built more than a year from the log''s dates (addresses change hands)')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Add a client object to each result, read from its user agent (in which IIS wrote spaces as plus signs): browser, browser_version, os, os_version, device (iPhone, iPad, a phone model), class (desktop, mobile, tablet, bot, other) and source (the built-in uap-core rules and their version), and a Device column to the table. A user agent is what the client says it is, not proof')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;ips' {
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Field list to use instead of the logs'' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"')
            [CompletionResult]::new('--mmap', '--mmap', [CompletionResultType]::ParameterName, 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary')
            [CompletionResult]::new('--log-tz', '--log-tz', [CompletionResultType]::ParameterName, 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only the addresses of this login name (whole name, any case; a name without a domain also matches DOMAIN\name)')
            [CompletionResult]::new('--idle', '--idle', [CompletionResultType]::ParameterName, 'Sessions are counted as sessions gives them: one ends after this long without a request')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind-format databases (.mmdb file, or a folder of them) to place the addresses; see --geoip of logs. Without it, only the built-in ranges and carrier table answer')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;examine' {
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Read every file as this kind instead of deciding from its content (the members of an archive are always decided from their content)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password for PDFs that need one to open (user or owner password)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;investigate' {
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Field list to use instead of the logs'' own #Fields headers, for logs whose header is missing or wrong, e.g. "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"')
            [CompletionResult]::new('--mmap', '--mmap', [CompletionResultType]::ParameterName, 'Whether log files may be memory-mapped. auto (the default) maps plain files, the fastest way to read them, but streams a file modified in the last 5 seconds (probably still being written). never reads every file as a stream: choose it for a log the server is still writing or may truncate, and for files on a network share, where a file that shrinks while mapped would stop leaktrace with a bus error (SIGBUS). Either way, a file whose size or time changed while it was read is noted in the summary')
            [CompletionResult]::new('--log-tz', '--log-tz', [CompletionResultType]::ParameterName, 'IANA time zone the server wrote local times in, for rows that have only date-local and time-local (IIS Advanced Logging) and no UTC date and time. Each such row then gets its UTC time; a local time that names no instant or two (a daylight-saving change) is reported, not guessed. Rows with a UTC time are not affected')
            [CompletionResult]::new('--roster', '--roster', [CompletionResultType]::ParameterName, 'The employee list as CSV: login, name and employee ID columns (headers matched loosely: Login/User/Username, Name/Full Name or First/Last Name, ID/Employee ID). Without it, a CSV employee list among the inputs is used; without either, names are tied to logins by a heuristic, reported as such')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write report.md, report.html, findings.json, timeline.jsonl (Timesketch) and SHA256SUMS to this folder (created if needed; it must not be inside the evidence)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password for PDFs that need one to open')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host for replay URLs when the log has no cs-host and no referer')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind-format databases (.mmdb file, or a folder of them) to place the client addresses the investigation reports; see --geoip of logs. Without it, only the built-in ranges and carrier table answer')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The folder --format parquet writes to (created if needed; not inside an input folder): logs as date=YYYY-MM-DD/part-0.parquet, one folder per UTC day; downloads.parquet; sessions.parquet. Output of an earlier run is never added to or replaced: a day''s partition or a file that exists stops the run (exit 2) and nothing of it is kept. Files are written under hidden temporary names and renamed when the run succeeds, so an error or Ctrl-C leaves no partial file')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA time zone for local times and for local --since/--until values (America/Chicago, Europe/Berlin, UTC), or a fixed offset without daylight saving (UTC-06:00, or --tz=-06:00). Abbreviations (EST, CST, CET) are refused, with the names they may stand for: EST would be UTC-05:00 all year. The time zone database is built into leaktrace, so results do not depend on the machine')
            [CompletionResult]::new('--stamp', '--stamp', [CompletionResultType]::ParameterName, 'Record the generation time in the report (otherwise the same inputs give the same bytes)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary or notes on standard error (errors are still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail. Commands that read logs: show more malformed lines in the summary, the first 20 of each file (all of them are always counted), not just the first 5 overall. examine: one table row per patient care report of a NEMSIS file (its verdict, who, when, from where), under the file''s row')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'leaktrace;help' {
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read IIS W3C logs and print the requests that match the filters')
            [CompletionResult]::new('downloads', 'downloads', [CompletionResultType]::ParameterValue, 'Find the bulk exports downloaded from /temp/ and who made them')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'Group requests into sessions: what each person did, in order')
            [CompletionResult]::new('ips', 'ips', [CompletionResultType]::ParameterValue, 'Which addresses each person used, where they are, and which stand out')
            [CompletionResult]::new('examine', 'examine', [CompletionResultType]::ParameterValue, 'Read leaked files: whom their forensic statements name, and whether they were tampered with')
            [CompletionResult]::new('investigate', 'investigate', [CompletionResultType]::ParameterValue, 'Who leaked these files, and what else did they take: a case folder (logs and leaked files, mixed) in, the person and a report out')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'leaktrace;help;logs' {
            break
        }
        'leaktrace;help;downloads' {
            break
        }
        'leaktrace;help;sessions' {
            break
        }
        'leaktrace;help;ips' {
            break
        }
        'leaktrace;help;examine' {
            break
        }
        'leaktrace;help;investigate' {
            break
        }
        'leaktrace;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
