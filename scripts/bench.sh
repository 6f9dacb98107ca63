#!/usr/bin/env bash
# bench.sh - throughput / memory benchmark for `leaktrace logs` on a large IIS W3C log.
#
# Usage:  scripts/bench.sh            (from anywhere; works relative to the repo root)
#
# One run, sequential (2-core machine): build (unless LEAKTRACE), generate + cache target/bench/big.log
# with gen_iis.py (seed 1; regenerated only if missing or BENCH_BYTES/seed changed, see big.stamp), warm
# the page cache, then best-of-N wall time (hyperfine --warmup 1 if installed, else a perf_counter loop),
# GB/s (1e9 B) and GiB/s of: a. leaktrace logs big.log --user jsmith --count (target >= 1.5 GB/s, count
# checked against awk on field 8); b. rg -c -F jsmith (if installed); c. DuckDB read_csv + GROUP BY user
# (python module, timed in-process, or CLI); d. cat big.log | leaktrace logs - ... (peak RSS <= 200 MiB);
# e. leaktrace downloads big.log --all (target: the median ratio to a. over interleaved pairs <= 1.5; output
# checked against the generator's ground truth); f. leaktrace investigate (within 2x of e.); g. leaktrace
# sessions big.log --user jsmith (median ratio to a. over interleaved pairs <= 2, peak RSS <= 100 MiB) and
# without --user (<= 4); h. leaktrace stats big.log --by user,day (median ratio to a. over interleaved pairs
# <= 2; the requests of the groups add up to the log's records); i. logs --format parquet against DuckDB's
# own COPY of the log to Parquet with an explicit schema (aim: faster; when duckdb is installed); j. logs
# --format ndjson of every record (aim >= 1 GB/s of input; one line per record). Peak RSS via GNU /usr/bin/time -v for a, d, e, f, g and h. Summary table on stdout; one JSON line (with timestamp)
# appended to target/bench/results.jsonl; per-command logs/outputs in target/bench/.
#
# Environment:
#   LEAKTRACE=PATH    leaktrace binary to benchmark instead of building target/release/leaktrace
#   BENCH_BYTES=SIZE  size of the generated log, gen_iis.py syntax (K/M/G = KiB/MiB/GiB); default 1G
#   BENCH_RUNS=N      timed runs per command, best one reported; default 5
#   BENCH_INSTALL=1   apt-get install ripgrep/hyperfine and pip install duckdb if missing; default: skip
#   GEN_IIS=PATH      log generator; default <repo>/../shared/bench/gen_iis.py
# Exit status: 0 if the checks and every target pass, 1 otherwise.
set -euo pipefail

if [[ -n ${LEAKTRACE:-} ]]; then   # resolve before cd, so relative paths and bare names work
  LT=$(command -v -- "$LEAKTRACE" || true)
  [[ -n $LT && -x $LT ]] || { echo "LEAKTRACE=$LEAKTRACE is not executable" >&2; exit 1; }
  LT=$(readlink -f -- "$LT")
fi
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=target/bench; mkdir -p "$OUT"
LOG=$OUT/big.log; TRUTH=$OUT/big.truth.jsonl; STAMP=$OUT/big.stamp
BYTES_SPEC=${BENCH_BYTES:-1G}; RUNS=${BENCH_RUNS:-5}; INSTALL=${BENCH_INSTALL:-0}; SEED=1
GEN_IIS=${GEN_IIS:-$ROOT/../shared/bench/gen_iis.py}
USER_NAME=jsmith
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_RUNS must be a positive integer" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n== %s ==\n' "$*"; }
q() { printf '%q' "$1"; }
rate() { awk -v b="$1" -v s="$2" -v d="$3" 'BEGIN { printf "%.3f", b / s / d }'; }
RESULTS=()   # key=value pairs for the JSON line
rec() { RESULTS+=("$1=$2"); }
STATUS=0

# ---- 1. binary ------------------------------------------------------------------------------
section "binary"
if [[ -z ${LT:-} ]]; then
  echo "cargo build --release --quiet"
  cargo build --release --quiet
  LT=${CARGO_TARGET_DIR:-$ROOT/target}/release/leaktrace
fi
echo "leaktrace: $LT"

# ---- optional tools -------------------------------------------------------------------------
if [[ $INSTALL == 1 ]]; then
  if ! have rg || ! have hyperfine; then
    echo "installing ripgrep/hyperfine (apt-get)"
    { apt-get update -qq && apt-get install -y -qq ripgrep hyperfine; } >"$OUT/apt.log" 2>&1 \
      || echo "apt-get install failed, see $OUT/apt.log"
  fi
  if ! python3 -c 'import duckdb' 2>/dev/null && ! have duckdb; then
    echo "installing duckdb (pip)"
    { python3 -m pip install -q duckdb || python3 -m pip install -q --break-system-packages duckdb; } \
      >"$OUT/pip.log" 2>&1 || echo "pip install duckdb failed, see $OUT/pip.log"
  fi
fi

# ---- 2. benchmark log -----------------------------------------------------------------------
section "benchmark log"
want="bytes=$BYTES_SPEC seed=$SEED"
if [[ -s $LOG && -f $STAMP && "$(sed -n 1p "$STAMP")" == "$want" \
      && "$(sed -n 2p "$STAMP")" == "$(stat -c %s "$LOG")" ]]; then
  echo "cached: $LOG ($want)"
else
  [[ -f $GEN_IIS ]] || { echo "generator not found: $GEN_IIS (set GEN_IIS)" >&2; exit 1; }
  echo "generating $LOG ($want) ..."
  rm -f "$STAMP"
  python3 "$GEN_IIS" --bytes "$BYTES_SPEC" --seed "$SEED" --out "$LOG.tmp" --truth "$TRUTH"
  mv -f "$LOG.tmp" "$LOG"
  printf '%s\n%s\n' "$want" "$(stat -c %s "$LOG")" >"$STAMP"
fi
BYTES=$(stat -c %s "$LOG")
printf 'size: %d bytes (%.3f GB, %.3f GiB)\n' "$BYTES" "$(rate "$BYTES" 1 1e9)" "$(rate "$BYTES" 1 1073741824)"
cat "$LOG" >/dev/null   # warm the page cache
REF=$(LC_ALL=C awk -v u="$USER_NAME" '$0 !~ /^#/ && tolower($8) == u { n++ } END { print n + 0 }' "$LOG")
echo "reference count (awk: field 8 == $USER_NAME, case-insensitive): $REF"
rec bytes "$BYTES"; rec bytes_spec "$BYTES_SPEC"; rec runs "$RUNS"; rec reference_count "$REF"; rec leaktrace "$LT"
rec commit "$(git rev-parse --short HEAD 2>/dev/null || echo none)"

# ---- timing helpers -------------------------------------------------------------------------
if have hyperfine; then TIMER=hyperfine; else TIMER=perf_counter; fi
rec timer "$TIMER"
# best_of NAME SHELL-COMMAND: sets BEST to the best wall time in seconds (returns 1 on failure)
best_of() {
  local name=$1 cmd=$2
  if [[ $TIMER == hyperfine ]]; then
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$OUT/$name.json" "$cmd" \
      >"$OUT/$name.hyperfine.log" 2>&1 || { cat "$OUT/$name.hyperfine.log"; return 1; }
    BEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["min"])' "$OUT/$name.json")
  else
    BEST=$(python3 - "$RUNS" "$cmd" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2]
def run():
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, executable="/bin/bash", stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
run()  # warmup
print(min(run() for _ in range(n)))
PY
) || return 1
  fi
}
# interleaved_ratio BASE OTHER (shell commands): the median, over max(RUNS, 5) pairs timed in
# alternation, of OTHER's time over BASE's (the machine's speed drifts between sections); the
# sorted ratios on stderr.
interleaved_ratio() {
  python3 - "$RUNS" "$1" "$2" <<'PY'
import statistics, subprocess, sys, time
runs, base, other = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, executable="/bin/bash", stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
ratios = []
for _ in range(max(runs, 5)):
    b = timed(base)
    ratios.append(timed(other) / b)
print(f"{statistics.median(ratios):.2f}")
print(" ".join(f"{r:.2f}" for r in sorted(ratios)), file=sys.stderr)
PY
}
COUNT_CMD="$(q "$LT") logs $(q "$LOG") --user $USER_NAME --count"
# report KEY LABEL: prints and records BEST with GB/s and GiB/s
report() {
  GBS=$(rate "$BYTES" "$BEST" 1e9)
  printf '%s: best of %d = %.3f s  ->  %s GB/s  (%s GiB/s)\n' "$2" "$RUNS" "$BEST" "$GBS" "$(rate "$BYTES" "$BEST" 1073741824)"
  rec "${1}_seconds" "$BEST"; rec "${1}_gbps" "$GBS"
}
# peak_rss NAME: runs the rest of the arguments under GNU time (output in $OUT/NAME.out); rss_of NAME -> MiB
peak_rss() { local name=$1; shift; /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$OUT/$1.time"; }
count_of() { grep -oE '[0-9]+' "$1" | head -n 1 || true; }
row() { printf '%-46s %9s %8s %12s %-12s %s\n' "$@"; }
ROWS=(); CHECKS=""

# lt_case KEY INPUT(file or -) ROW-LABEL TARGET CHECK(awk expr on g=GB/s, r=RSS MiB):
# best-of-N time, peak RSS and count check of `leaktrace logs INPUT --user jsmith --count`
lt_case() {
  local key=$1 input=$2 label=$3 target=$4 check=$5 s=- g=- r=- res=FAIL cnt="" ok=FAIL
  local cmd; cmd="$(q "$LT") logs $(q "$input") --user $USER_NAME --count"
  [[ $input == - ]] && cmd="cat $(q "$LOG") | $cmd"
  echo "command: $cmd"
  if best_of "$key" "$cmd" && { if [[ $input == - ]]; then cat "$LOG" || true; fi; } \
       | peak_rss "$key" "$LT" logs "$input" --user "$USER_NAME" --count; then
    report "$key" "$key"; s=$(printf '%.3f' "$BEST"); g=$GBS; r=$(rss_of "$key")
    echo "output: $(head -c 200 "$OUT/$key.out")"
    echo "peak RSS: $r MiB"
    cnt=$(count_of "$OUT/$key.out")
    if [[ $cnt == "$REF" ]]; then ok=PASS; echo "count check: PASS ($cnt == reference $REF)"
    else echo "count check: FAIL (leaktrace printed '${cnt}', reference $REF)"; fi
    [[ $ok == PASS ]] && awk -v g="$g" -v r="$r" "BEGIN { exit !($check) }" && res=PASS
  else
    echo "$key: command FAILED; its stderr (last lines):"; bash -c "$cmd" 2>&1 >/dev/null | tail -n 5 || true
  fi
  [[ $ok == PASS && $res == PASS ]] || STATUS=1
  CHECKS+="$key count check: $ok"$'\n'
  rec "${key}_rss_mib" "$r"; rec "${key}_count" "$cnt"; rec "${key}_count_check" "$ok"; rec "${key}_target" "$res"
  ROWS+=("$(row "$label" "$s" "$g" "$r" "$target" "$res")")
}

# ---- 3a. leaktrace on the file --------------------------------------------------------------
section "a. leaktrace logs big.log --user $USER_NAME --count"
lt_case lt_file "$LOG" "leaktrace logs FILE --user $USER_NAME --count" ">=1.5 GB/s" "g >= 1.5"
A_BEST=${BEST:-}

# ---- 3b. ripgrep ----------------------------------------------------------------------------
section "b. rg -c -F $USER_NAME big.log"
if have rg; then
  if best_of rg "rg -c -F $USER_NAME $(q "$LOG")"; then
    RGC=$(rg -c -F "$USER_NAME" "$LOG" || true); rec rg_count "$RGC"
    report rg "ripgrep"; echo "rg count (lines containing '$USER_NAME' anywhere): $RGC"
    ROWS+=("$(row "rg -c -F $USER_NAME FILE" "$(printf '%.3f' "$BEST")" "$GBS" - "(baseline)" -)")
  else echo "rg failed"; fi
else echo "ripgrep not installed, skipped"; fi

# ---- 3c. duckdb -----------------------------------------------------------------------------
section "c. duckdb read_csv ... GROUP BY user"
COLS=$(printf "'c%02d': 'VARCHAR', " $(seq 0 14)); COLS="{${COLS%, }}"
SQL="SELECT c07 AS u, count(*) AS n FROM read_csv('$LOG', delim=' ', header=false, comment='#', quote='', escape='', auto_detect=false, columns=$COLS) GROUP BY u"
DUCK=""
if python3 -c 'import duckdb' 2>/dev/null; then DUCK=python
elif have duckdb; then DUCK=cli; fi
if [[ -z $DUCK ]]; then echo "duckdb not available (python module or CLI), skipped (BENCH_INSTALL=1 to pip install)"
else
  echo "query: $SQL"
  DCOUNT=""
  if [[ $DUCK == python ]]; then   # timed in-process, so interpreter start + import are excluded
    DOUT=$(python3 - "$RUNS" "$SQL" "$USER_NAME" <<'PY'
import sys, time, duckdb
n, sql, user = int(sys.argv[1]), sys.argv[2], sys.argv[3]
duckdb.sql(sql).fetchall()  # warmup
best = float("inf")
for _ in range(n):
    t = time.perf_counter(); rows = duckdb.sql(sql).fetchall(); best = min(best, time.perf_counter() - t)
print(best, sum(c for u, c in rows if u is not None and u.lower() == user))
PY
) || DOUT=""
    read -r BEST DCOUNT <<<"$DOUT" || true
  else
    best_of duckdb "duckdb -csv -noheader -c $(q "$SQL")" || BEST=""
    [[ -n $BEST ]] && DCOUNT=$(duckdb -csv -noheader -c "SELECT coalesce(sum(n), 0) FROM ($SQL) WHERE lower(u) = '$USER_NAME'" || true)
  fi
  if [[ -n ${BEST:-} && -n $DCOUNT ]]; then
    report duckdb "duckdb ($DUCK, $(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || duckdb --version))"
    rec duckdb_mode "$DUCK"; echo "duckdb $USER_NAME count: $DCOUNT (reference $REF)"; rec duckdb_count "$DCOUNT"
    ROWS+=("$(row "duckdb read_csv GROUP BY user ($DUCK)" "$(printf '%.3f' "$BEST")" "$GBS" - "(baseline)" -)")
  else echo "duckdb query failed"; fi
fi

# ---- 3d. leaktrace on stdin (pipe) ----------------------------------------------------------
section "d. cat big.log | leaktrace logs - --user $USER_NAME --count"
lt_case lt_pipe - "cat FILE | leaktrace logs - --user $USER_NAME" "<=200 MiB" "r <= 200"

# ---- 3e. leaktrace downloads on the file ------------------------------------------------------
section "e. leaktrace downloads big.log (target: within 1.5x of a.)"
DL_CMD="$(q "$LT") downloads $(q "$LOG") --all --format ndjson -q"
echo "command: $DL_CMD"
s=- r=- ratio=- res=FAIL
if best_of lt_downloads "$DL_CMD > /dev/null" && peak_rss lt_downloads "$LT" downloads "$LOG" --all --format ndjson -q; then
  report lt_downloads lt_downloads; s=$(printf '%.3f' "$BEST"); r=$(rss_of lt_downloads)
  base=$A_BEST
  if [[ -n $base ]]; then
    best_ratio=$(awk -v a="$BEST" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    echo "downloads / count, best times (measured minutes apart): $best_ratio"
    # The machine's speed drifts between sections: time the two commands in
    # alternation and judge the median of the per-pair ratios.
    ratio=$(interleaved_ratio "$COUNT_CMD" "$DL_CMD") || ratio=-
    echo "downloads / count, median of interleaved pairs: $ratio (target <= 1.5)"
    rec lt_downloads_best_ratio "$best_ratio"
    awk -v x="$ratio" 'BEGIN { exit !(x <= 1.5) }' && res=PASS
  fi
  echo "peak RSS: $r MiB"
  if [[ -s $TRUTH ]]; then
    python3 "$ROOT/scripts/check_truth.py" "$TRUTH" "$OUT/lt_downloads.out" | tee "$OUT/truth.txt"
    grep -q '^PASS' "$OUT/truth.txt" && CHECKS+="ground truth of the exports: PASS"$'\n' || { CHECKS+="ground truth of the exports: FAIL"$'\n'; STATUS=1; }
  fi
fi
rec lt_downloads_ratio "$ratio"; rec lt_downloads_rss_mib "$r"
ROWS+=("$(row "leaktrace downloads FILE" "$s" "-" "$r" "<=1.5x a." "$res ($ratio)")")

# ---- 3f. leaktrace investigate: the log plus a handful of leaked files ----------------------
section "f. leaktrace investigate big.log leaked/ (target: within 2x of e.)"
s=- r=- ratio=- res=FAIL
CASE="$OUT/case"
if [[ -s $TRUTH ]]; then
  rm -rf "$CASE"
  python3 "$ROOT/scripts/bench_case.py" "$TRUTH" "$CASE" 5 >"$OUT/case.expected"
  IV_CMD="$(q "$LT") investigate $(q "$LOG") $(q "$CASE") --tz America/Chicago --format json -q"
  echo "command: $IV_CMD"
  if best_of lt_investigate "$IV_CMD > /dev/null" \
       && peak_rss lt_investigate "$LT" investigate "$LOG" "$CASE" --tz America/Chicago --format json -q; then
    report lt_investigate lt_investigate; s=$(printf '%.3f' "$BEST"); r=$(rss_of lt_investigate)
    ratio=$(python3 - "$RUNS" "$LT" "$LOG" "$CASE" <<'PY'
import statistics, subprocess, sys, time
runs, lt, log, case = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
downloads = [lt, "downloads", log, "--format", "ndjson", "-q"]
investigate = [lt, "investigate", log, case, "--tz", "America/Chicago", "--format", "json", "-q"]
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
ratios = []
for _ in range(max(runs, 5)):
    d = timed(downloads)
    ratios.append(timed(investigate) / d)
print(f"{statistics.median(ratios):.2f}")
PY
    ) || ratio=-
    echo "investigate / downloads, median of interleaved pairs: $ratio (target <= 2)"
    echo "peak RSS: $r MiB (downloads: $(rss_of lt_downloads) MiB)"
    # Every leaked file must be corroborated, by the login and fetch time the generator recorded.
    if python3 - "$OUT/lt_investigate.out" "$OUT/case.expected" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))
want = {l.split()[0]: (l.split()[1], l.split()[2] + "T" + l.split()[3] + "Z") for l in open(sys.argv[2]) if l.strip()}
got = {f["file"].rsplit("/", 1)[1]: f for f in case["findings"]}
bad = [n for n, (login, t) in want.items()
       if n not in got or got[n]["verdict"] != "corroborated" or got[n]["login"] != login
       or (got[n]["download"] or {}).get("time_utc") != t]
print(("PASS" if not bad and want else "FAIL") + f": {len(want) - len(bad)} of {len(want)} leaked files corroborated with the generator's login and fetch time {bad}")
sys.exit(1 if bad or not want else 0)
PY
    then CHECKS+="investigate chains: PASS"$'\n'; awk -v x="$ratio" 'BEGIN { exit !(x <= 2) }' && res=PASS
    else CHECKS+="investigate chains: FAIL"$'\n'; STATUS=1; fi
  fi
else echo "no ground truth ($TRUTH): skipped"; fi
[[ $res == PASS ]] || STATUS=1
rec lt_investigate_ratio "$ratio"; rec lt_investigate_rss_mib "$r"
ROWS+=("$(row "leaktrace investigate FILE leaked/" "$s" "-" "$r" "<=2x e." "$res ($ratio)")")

# ---- 3g. leaktrace sessions, with and without --user ----------------------------------------
section "g. leaktrace sessions big.log (targets: --user within 2x of a., <= 100 MiB; all within 4x)"
# sessions_case KEY LABEL MAX-RATIO MAX-RSS(MiB or -) ARGS...: best-of-N time and peak RSS of
# `leaktrace sessions big.log ARGS --format ndjson -q`, and the median ratio to a. over interleaved pairs.
sessions_case() {
  local key=$1 label=$2 max_ratio=$3 max_rss=$4; shift 4
  local s=- r=- ratio=- res=FAIL
  local cmd; cmd="$(q "$LT") sessions $(q "$LOG") $* --format ndjson -q"
  echo "command: $cmd"
  if best_of "$key" "$cmd > /dev/null" && peak_rss "$key" "$LT" sessions "$LOG" "$@" --format ndjson -q; then
    report "$key" "$key"; s=$(printf '%.3f' "$BEST"); r=$(rss_of "$key")
    ratio=$(interleaved_ratio "$COUNT_CMD" "$cmd") || ratio=-
    echo "$key / count, median of interleaved pairs: $ratio (target <= $max_ratio)"
    if [[ $max_rss == - ]]; then echo "peak RSS: $r MiB"; else echo "peak RSS: $r MiB (target <= $max_rss)"; fi
    awk -v x="$ratio" -v m="$max_ratio" -v r="$r" -v mr="$max_rss" \
      'BEGIN { exit !(x != "-" && x <= m && (mr == "-" || r <= mr)) }' && res=PASS
  fi
  [[ $res == PASS ]] || STATUS=1
  rec "${key}_seconds_best" "$s"; rec "${key}_ratio" "$ratio"; rec "${key}_rss_mib" "$r"; rec "${key}_target" "$res"
  local target="<=${max_ratio}x a."; [[ $max_rss != - ]] && target+=", <=${max_rss} MiB"
  ROWS+=("$(row "$label" "$s" "-" "$r" "$target" "$res ($ratio)")")
}
sessions_case lt_sessions_user "leaktrace sessions FILE --user $USER_NAME" 2 100 --user "$USER_NAME"
sessions_case lt_sessions "leaktrace sessions FILE" 4 -
# ---- 3h. leaktrace stats on the file (polars) -------------------------------------------------
section "h. leaktrace stats big.log --by user,day (target: within 2x of a.)"
s=- r=- ratio=- res=FAIL
if "$LT" stats --help >/dev/null 2>&1; then
  ST_CMD="$(q "$LT") stats $(q "$LOG") --by user,day --format csv -q"
  echo "command: $ST_CMD"
  if best_of lt_stats "$ST_CMD > /dev/null" && peak_rss lt_stats "$LT" stats "$LOG" --by user,day --format csv -q; then
    report lt_stats lt_stats; s=$(printf '%.3f' "$BEST"); r=$(rss_of lt_stats)
    # As for e.: the two commands in alternation, the median of the per-pair ratios.
    ratio=$(interleaved_ratio "$COUNT_CMD" "$ST_CMD > /dev/null") || ratio=-
    echo "stats / count, median of interleaved pairs: $ratio (target <= 2)"
    echo "peak RSS: $r MiB"
    # The requests of every group add up to the records of the log.
    total=$(awk -F, 'NR > 1 { n += $3 } END { print n + 0 }' "$OUT/lt_stats.out")
    records=$(LC_ALL=C awk '$0 !~ /^#/ && NF { n++ } END { print n + 0 }' "$LOG")
    if [[ $total == "$records" ]]; then CHECKS+="stats requests add up to the records: PASS ($total)"$'\n'
      awk -v x="$ratio" 'BEGIN { exit !(x <= 2) }' && res=PASS
    else CHECKS+="stats requests add up to the records: FAIL ($total != $records)"$'\n'; fi
  fi
else echo "this leaktrace has no stats (built without the analytics feature): skipped"; res=SKIP; fi
[[ $res == PASS || $res == SKIP ]] || STATUS=1
rec lt_stats_ratio "$ratio"; rec lt_stats_rss_mib "$r"
ROWS+=("$(row "leaktrace stats FILE --by user,day" "$s" "-" "$r" "<=2x a." "$res ($ratio)")")
# ---- 3i. Parquet: leaktrace logs --format parquet vs DuckDB's own CSV-to-Parquet copy ----------
section "i. leaktrace logs --format parquet vs DuckDB COPY read_csv TO parquet (aim: faster)"
PQ=$OUT/parquet; DUCK_PQ=$OUT/duck.parquet
if ! "$LT" logs --help 2>/dev/null | grep -q -- '--output'; then
  echo "leaktrace built without the analytics feature: skipped"
elif ! python3 -c 'import duckdb' 2>/dev/null; then
  echo "duckdb python module not available, skipped (BENCH_INSTALL=1 to pip install)"
else
  # The 15 fields of the generator's #Fields header, typed as leaktrace types them.
  DCOLS="{'date': 'DATE', 'time': 'TIME', 's_ip': 'VARCHAR', 'cs_method': 'VARCHAR', 'cs_uri_stem': 'VARCHAR', 'cs_uri_query': 'VARCHAR', 's_port': 'BIGINT', 'cs_username': 'VARCHAR', 'c_ip': 'VARCHAR', 'cs_user_agent': 'VARCHAR', 'cs_referer': 'VARCHAR', 'sc_status': 'BIGINT', 'sc_substatus': 'BIGINT', 'sc_win32_status': 'BIGINT', 'time_taken': 'BIGINT'}"
  DSQL="COPY (SELECT * FROM read_csv('$LOG', delim=' ', header=false, comment='#', quote='', escape='', auto_detect=false, columns=$DCOLS)) TO '$DUCK_PQ' (FORMAT parquet)"
  echo "leaktrace: $(q "$LT") logs $(q "$LOG") --format parquet --output $(q "$PQ") -q"
  echo "duckdb:    $DSQL"
  LT_BEST=""; DK_BEST=""; LT_RSS=""; DK_RSS=""
  for _ in $(seq "$RUNS"); do   # back to back, so both see the same machine
    rm -rf "$PQ"
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/pq_lt.time" "$LT" logs "$LOG" --format parquet --output "$PQ" -q || { echo "leaktrace parquet FAILED"; break; }
    read -r t m u k <"$OUT/pq_lt.time"; echo "leaktrace: $t s, $u s user, $k s system"
    LT_BEST=$(python3 -c "print(min(float('$t'), float('${LT_BEST:-inf}')))"); LT_RSS=$m
    rm -f "$DUCK_PQ"
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/pq_dk.time" python3 -c "import duckdb, sys; duckdb.sql(sys.argv[1])" "$DSQL" || { echo "duckdb COPY FAILED"; break; }
    read -r t m u k <"$OUT/pq_dk.time"; echo "duckdb:    $t s, $u s user, $k s system"
    DK_BEST=$(python3 -c "print(min(float('$t'), float('${DK_BEST:-inf}')))"); DK_RSS=$m
  done
  if [[ -n $LT_BEST && -n $DK_BEST ]]; then
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "leaktrace parquet: best $LT_BEST s, peak RSS $((LT_RSS / 1024)) MiB, $(du -sm "$PQ" | cut -f1) MiB written"
    echo "duckdb COPY:       best $DK_BEST s (with interpreter start), peak RSS $((DK_RSS / 1024)) MiB, $(du -sm "$DUCK_PQ" | cut -f1) MiB written"
    ratio=$(awk -v a="$LT_BEST" -v b="$DK_BEST" 'BEGIN { printf "%.2f", a / b }')
    res=$(awk -v r="$ratio" 'BEGIN { print (r < 1 ? "faster" : "slower") }')
    rec lt_parquet_seconds "$LT_BEST"; rec lt_parquet_rss_mib "$((LT_RSS / 1024))"
    rec duckdb_parquet_seconds "$DK_BEST"; rec duckdb_parquet_rss_mib "$((DK_RSS / 1024))"; rec lt_parquet_ratio "$ratio"
    ROWS+=("$(row "leaktrace logs --format parquet" "$LT_BEST" "$(rate "$BYTES" "$LT_BEST" 1e9)" "$((LT_RSS / 1024))" "<duckdb" "$res ($ratio)")")
    ROWS+=("$(row "duckdb COPY read_csv TO parquet" "$DK_BEST" "$(rate "$BYTES" "$DK_BEST" 1e9)" "$((DK_RSS / 1024))" "(baseline)" -)")
  fi
fi

# ---- 3j. every record as NDJSON ---------------------------------------------------------------
section "j. leaktrace logs big.log --format ndjson (aim: >= 1 GB/s of input)"
s=- g=- r=- res=FAIL
NJ_CMD="$(q "$LT") logs $(q "$LOG") --format ndjson -q"
echo "command: $NJ_CMD"
if best_of lt_ndjson "$NJ_CMD > /dev/null"; then
  report lt_ndjson lt_ndjson; s=$(printf '%.3f' "$BEST"); g=$GBS
  # Peak RSS, and one line per record (the output is about 2.5x the input: counted, not kept).
  lines=$(/usr/bin/time -v -o "$OUT/lt_ndjson.time" "$LT" logs "$LOG" --format ndjson -q | wc -l)
  r=$(rss_of lt_ndjson)
  records=${records:-$(LC_ALL=C awk '$0 !~ /^#/ && NF { n++ } END { print n + 0 }' "$LOG")}
  echo "peak RSS: $r MiB; $lines lines for $records records"
  if [[ $lines == "$records" ]]; then CHECKS+="ndjson has one line per record: PASS ($lines)"$'\n'
    awk -v g="$g" 'BEGIN { exit !(g >= 1) }' && res=PASS
  else CHECKS+="ndjson has one line per record: FAIL ($lines != $records)"$'\n'; fi
fi
[[ $res == PASS ]] || STATUS=1
rec lt_ndjson_rss_mib "$r"; rec lt_ndjson_target "$res"
ROWS+=("$(row "leaktrace logs FILE --format ndjson" "$s" "$g" "$r" ">=1 GB/s" "$res")")

# ---- 4. summary -----------------------------------------------------------------------------
section "summary ($BYTES bytes, best of $RUNS, timer: $TIMER)"
row command "best s" "GB/s" "peak RSS MiB" target result
printf '%s\n' "${ROWS[@]}"
printf '%s' "$CHECKS"
python3 - "$OUT/results.jsonl" "${RESULTS[@]}" <<'PY'
import datetime, json, sys
rec = {"timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
for kv in sys.argv[2:]:
    k, _, v = kv.partition("=")
    for conv in () if k in ("commit", "leaktrace", "bytes_spec") else (int, float):
        try: v = conv(v); break
        except ValueError: pass
    rec[k] = v
with open(sys.argv[1], "a") as f: f.write(json.dumps(rec) + "\n")
PY
echo "appended to $OUT/results.jsonl"
exit "$STATUS"
