#!/usr/bin/env bash
# same-output.sh - checks that two leaktrace binaries write the same bytes.
#
# Usage:  scripts/same-output.sh BEFORE AFTER
#
# Runs both binaries on the same commands and compares, with cmp, their
# standard output, standard error and exit status: `logs` (--format json,
# ndjson, csv, table; alone, with filters, --tz, --geo, --device), `sessions` (--format
# ndjson, table, csv; alone and with --user jsmith, --ip, --device, --geo,
# --user with --ip), `downloads --all`, `ips`, on every log fixture of
# testdata/ (each file, each log folder, and all of them at once), and
# `investigate testdata/case --tz America/Chicago`, and `logs` (formats,
# --count, each filter; the block at the end, and the writer's: json, ndjson, csv,
# table with --tz, --geo, --device); then, if present, filtered `logs`, the whole
# `logs --format ndjson` and `--format json` (stdout compared by its SHA-256, not
# kept), the sessions commands, `downloads --all` and `ips` on target/bench/big.log
# (or BIG_LOG=PATH; SKIP_BIG=1 to skip it; SKIP_FIXTURES=1 for the big log alone). Prints one line per difference and a count;
# a command whose output differs between two runs of the first binary is reported as
# UNSTABLE, not as a difference. At the end, `stats` (block of its own: every format and
# --by, --after-hours, --outliers) on the fixtures and the big log. Exit status 0 when every
# output is the same, 1 otherwise.
set -uo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BEFORE AFTER" >&2; exit 2; }
BEFORE=$(readlink -f -- "$1"); AFTER=$(readlink -f -- "$2")
for b in "$BEFORE" "$AFTER"; do [[ -x $b ]] || { echo "not executable: $b" >&2; exit 2; }; done
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
RUNS=0; DIFFS=0; UNSTABLE=0

# run SIDE BIN ARGS...: BIN's stdout, stderr and status in $WORK/SIDE.{out,err,status}
run() {
  local side=$1 bin=$2; shift 2
  COLUMNS=120 "$bin" "$@" >"$WORK/$side.out" 2>"$WORK/$side.err" </dev/null
  echo $? >"$WORK/$side.status"
}
# differs A B: whether A's and B's outputs (stdout, stderr, status) differ; names the first.
differs() {
  local what
  for what in out err status; do
    cmp -s "$WORK/$1.$what" "$WORK/$2.$what" || { echo "$what"; return 0; }
  done
  return 1
}
# compare RUN ARGS...: runs both binaries with ARGS through RUN (run or run_digest) and compares
# their outputs; on a difference, runs BEFORE again: if it differs from itself, the command is not
# deterministic (UNSTABLE, counted apart), else the difference is the change's (DIFFERENT).
compare() {
  local runner=$1; shift
  $runner before "$BEFORE" "$@"; $runner after "$AFTER" "$@"
  RUNS=$((RUNS + 1))
  local what
  if what=$(differs before after); then
    $runner again "$BEFORE" "$@"
    if differs before again >/dev/null; then
      UNSTABLE=$((UNSTABLE + 1)); echo "UNSTABLE (the first binary differs from itself): leaktrace $*"
    else
      DIFFS=$((DIFFS + 1)); echo "DIFFERENT ($what): leaktrace $*"
    fi
  fi
}
# same ARGS...: both binaries' outputs compared.
same() { compare run "$@"; }
# run_digest SIDE BIN ARGS...: as run, with standard output kept as its SHA-256; same_digest
# ARGS...: as same, with it (for outputs too big to keep twice).
run_digest() {
  local side=$1 bin=$2; shift 2
  { COLUMNS=120 "$bin" "$@" 2>"$WORK/$side.err" </dev/null; echo $? >"$WORK/$side.status"; } |
    sha256sum >"$WORK/$side.out"
}
same_digest() { compare run_digest "$@"; }

logs_on() {
  local f
  for f in json ndjson csv table; do
    same logs "$@" --format "$f"
    same logs "$@" --format "$f" --user jsmith
  done
  same logs "$@" --format ndjson --tz America/Chicago
  same logs "$@" --format json --tz Europe/London --ip 10.0.0.0/8 --status 200
  same logs "$@" --format ndjson --tz +05:30 --method POST
  same logs "$@" --format ndjson --geo --device
  same logs "$@" --format json --geo
  same logs "$@" --format csv --device --tz America/Chicago
  same logs "$@" --format table --geo --device
}

sessions_on() {
  local f
  for f in ndjson table csv; do
    same sessions "$@" --format "$f"
    same sessions "$@" --format "$f" --user jsmith
  done
  same sessions "$@" --format ndjson --user jsmith --ip 10.0.0.0/8
  same sessions "$@" --format ndjson --ip 73.21.44.9
  same sessions "$@" --format ndjson --ip 10.0.0.0/8
  same sessions "$@" --format ndjson --user mary.jones --user charles.garcia
  same sessions "$@" --format csv --device --geo
  same sessions "$@" --format table --user jsmith --device --geo
}

if [[ ${SKIP_FIXTURES:-0} != 1 ]]; then
mapfile -t LOGS < <(find testdata -type f \( -name '*.log' -o -name '*.log.gz' \) | LC_ALL=C sort)
for log in "${LOGS[@]}"; do
  logs_on "$log"
  sessions_on "$log"
  same downloads "$log" --all --format ndjson
  same ips "$log" --format ndjson
done
for dir in testdata/sample testdata/case/logs testdata/tree testdata/w3c testdata/gz; do
  logs_on "$dir"
  sessions_on "$dir"
  same downloads "$dir" --all
  same ips "$dir"
done
logs_on "${LOGS[@]}"
sessions_on "${LOGS[@]}"
same investigate testdata/case --tz America/Chicago
same investigate testdata/case --tz America/Chicago --format json
else
  echo "fixtures: SKIP_FIXTURES=1, skipped"
fi

BIG=${BIG_LOG:-target/bench/big.log}
if [[ ${SKIP_BIG:-0} != 1 && -s $BIG ]]; then
  echo "big log: $BIG"
  same logs "$BIG" --format ndjson --user jsmith -q
  same logs "$BIG" --format json --ip 24.91.217.253 -q
  same logs "$BIG" --format ndjson --user jsmith --tz America/Chicago --geo --device -q
  same_digest logs "$BIG" --format ndjson -q
  same_digest logs "$BIG" --format json --tz America/Chicago -q
  for f in ndjson table csv; do
    same sessions "$BIG" --format "$f" -q
    same sessions "$BIG" --format "$f" --user jsmith
  done
  same sessions "$BIG" --format ndjson --ip 10.0.0.0/8 -q
  same sessions "$BIG" --format ndjson --user jsmith --device --geo
  same downloads "$BIG" --all --format ndjson -q
  same ips "$BIG" --format ndjson -q
else
  echo "big log: not found or SKIP_BIG=1, skipped"
fi

# ---- logs: --count and the filters (the row engine and src/filter.rs) ----
# `logs` in every format and with --count, alone and with each filter
# (--user, also in DOMAIN\name form and non-ASCII; --ip; --since/--until;
# --status; --path; --method; all of them at once), on every log fixture
# (malformed and hostile ones included), the fixture folders, and the big
# log (--count and ndjson only: its table is 4 million rows).
set -f # the filters' globs are for leaktrace, not the shell
LOGS_FILTERS=(
  ""
  "--user jsmith"
  "--user JSMITH --user mary.jones"
  "--user ACME\\jsmith"
  "--user jürgen"
  "--ip 10.0.0.0/8"
  "--ip 73.21.44.9 --ip 2001:db8::/32"
  "--since 2017-01-19T17:00:00Z --until 2017-01-20T12:00:00Z"
  "--since 2023-03-15"
  "--status 4xx --status 200"
  "--path /temp/* --method GET"
  "--method post"
  "--user jsmith --ip 0.0.0.0/0 --status 2xx --path /*.aspx,/temp/* --method GET --since 2000-01-01"
)
logs_on() {
  local filters f
  for filters in "${LOGS_FILTERS[@]}"; do
    # shellcheck disable=SC2086 # the filters are words
    same logs "$@" $filters --count
    for f in table json ndjson csv; do
      # shellcheck disable=SC2086
      same logs "$@" $filters --format "$f"
    done
  done
  same logs "$@" --count --format json
}
if [[ ${SKIP_FIXTURES:-0} != 1 ]]; then
  for log in "${LOGS[@]}"; do
    logs_on "$log"
  done
  for dir in testdata/sample testdata/case/logs testdata/tree testdata/w3c testdata/gz; do
    logs_on "$dir"
  done
  logs_on "${LOGS[@]}"
fi
if [[ ${SKIP_BIG:-0} != 1 && -s $BIG ]]; then
  for filters in "${LOGS_FILTERS[@]}"; do
    # shellcheck disable=SC2086
    same logs "$BIG" $filters --count
  done
  same logs "$BIG" --user jsmith --format ndjson -q
  same logs "$BIG" --ip 10.0.0.0/8 --status 4xx --format csv -q
fi
set +f
# ---- end of the logs block ----
# ---- stats (polars; skipped when BEFORE was built without it) ------------------------------
# Every format, --after-hours, --outliers and each --by key alone and in pairs, on every log
# fixture and all of them at once; on the big log the common ones. SKIP_STATS=1 skips them.
stats_on() {
  local f by
  for f in table json ndjson csv; do
    same stats "$@" --format "$f" --tz America/Chicago -q
  done
  for by in user ip page day hour user,day user,hour ip,page day,hour page,user user,ip,page,day,hour; do
    same stats "$@" --by "$by" --format json -q
  done
  same stats "$@" --by user,day --after-hours 07:00-19:00 --tz America/Chicago --format csv -q
  same stats "$@" --after-hours 22:00-06:00 --format table -q
  same stats "$@" --outliers --format json -q
  same stats "$@" --outliers --after-hours 07:00-19:00 --tz America/Chicago --format table -q
  same stats "$@" --by user,day --user jsmith --format ndjson -q
  same stats "$@" --by page --ip 10.0.0.0/8 --format ndjson -q
}
if [[ ${SKIP_STATS:-0} != 1 ]] && "$BEFORE" stats --help >/dev/null 2>&1; then
  if [[ ${SKIP_FIXTURES:-0} != 1 ]]; then
    for log in "${LOGS[@]}"; do stats_on "$log"; done
    stats_on "${LOGS[@]}"
  fi
  if [[ ${SKIP_BIG:-0} != 1 && -s $BIG ]]; then
    for f in table json csv; do same stats "$BIG" --by user,day --format "$f" -q; done
    same stats "$BIG" --by user,day --after-hours 07:00-19:00 --tz America/Chicago --format csv -q
    same stats "$BIG" --outliers --format json -q
    same stats "$BIG" --by ip,page --format csv -q
    same stats "$BIG" --by hour --tz America/Chicago --format json -q
  fi
else
  echo "stats: SKIP_STATS=1 or built without it, skipped"
fi

echo "$RUNS commands, $DIFFS differences, $UNSTABLE not deterministic in the first binary"
[[ $DIFFS -eq 0 ]]
