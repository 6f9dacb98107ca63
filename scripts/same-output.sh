#!/usr/bin/env bash
# same-output.sh - checks that two leaktrace binaries write the same bytes.
#
# Usage:  scripts/same-output.sh BEFORE AFTER
#
# Runs both binaries on the same commands and compares, with cmp, their
# standard output, standard error and exit status: `sessions` (--format
# ndjson, table, csv; alone and with --user jsmith, --ip, --device, --geo,
# --user with --ip), `downloads --all`, `ips`, on every log fixture of
# testdata/ (each file, each log folder, and all of them at once), and
# `investigate testdata/case --tz America/Chicago`; then, if present,
# the sessions commands, `downloads --all` and `ips` on target/bench/big.log
# (or BIG_LOG=PATH; SKIP_BIG=1 to skip it). Prints one line per difference and a count;
# exit status 0 when every output is the same, 1 otherwise.
set -uo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BEFORE AFTER" >&2; exit 2; }
BEFORE=$(readlink -f -- "$1"); AFTER=$(readlink -f -- "$2")
for b in "$BEFORE" "$AFTER"; do [[ -x $b ]] || { echo "not executable: $b" >&2; exit 2; }; done
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
RUNS=0; DIFFS=0

# same ARGS...: runs both binaries with ARGS, compares stdout, stderr, status.
same() {
  local side
  for side in before after; do
    local bin=$BEFORE; [[ $side == after ]] && bin=$AFTER
    COLUMNS=120 "$bin" "$@" >"$WORK/$side.out" 2>"$WORK/$side.err" </dev/null
    echo $? >"$WORK/$side.status"
  done
  RUNS=$((RUNS + 1))
  local what
  for what in out err status; do
    if ! cmp -s "$WORK/before.$what" "$WORK/after.$what"; then
      DIFFS=$((DIFFS + 1)); echo "DIFFERENT ($what): leaktrace $*"
    fi
  done
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

mapfile -t LOGS < <(find testdata -type f \( -name '*.log' -o -name '*.log.gz' \) | LC_ALL=C sort)
for log in "${LOGS[@]}"; do
  sessions_on "$log"
  same downloads "$log" --all --format ndjson
  same ips "$log" --format ndjson
done
for dir in testdata/sample testdata/case/logs testdata/tree testdata/w3c testdata/gz; do
  sessions_on "$dir"
  same downloads "$dir" --all
  same ips "$dir"
done
sessions_on "${LOGS[@]}"
same investigate testdata/case --tz America/Chicago
same investigate testdata/case --tz America/Chicago --format json

BIG=${BIG_LOG:-target/bench/big.log}
if [[ ${SKIP_BIG:-0} != 1 && -s $BIG ]]; then
  echo "big log: $BIG"
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

echo "$RUNS commands, $DIFFS differences"
[[ $DIFFS -eq 0 ]]
