#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 600) with
# AddressSanitizer, a 1 s per-input timeout and a 512 MiB memory limit,
# and prints one summary line per target (execs, execs/s, coverage,
# result). Logs go to fuzz/logs/<target>.log (not committed).
#   fuzz/run-all.sh [SECONDS] [TARGET...]
# Set SANITIZER=none for a faster run without AddressSanitizer.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}; shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(statement w3c_line roster csv nemsis zip pdf xlsx)
fi
san=()
if [[ ${SANITIZER:-address} == none ]]; then san=(--sanitizer none); fi
export RUSTC_BOOTSTRAP=1
# ASan keeps freed memory in a quarantine (256 MiB by default) to catch
# use-after-free; libFuzzer's -rss_limit_mb counts it, so a long run on big
# inputs "runs out of memory" with 40 MB live (seen on pdf). A smaller
# quarantine keeps the limit about the code's own memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32}
mkdir -p logs
[[ -d corpus ]] || ./seed.sh
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cargo fuzz build "${san[@]}" --fuzz-dir . "$t" >/dev/null 2>&1 || {
    echo "$t: build failed"; continue; }
  cargo fuzz run "${san[@]}" --fuzz-dir . "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=1 -rss_limit_mb=512 -print_final_stats=1 \
    >"logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$')
  peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  if [[ $rc -eq 0 ]]; then result=ok; else result="FAILED (exit $rc, see fuzz/logs/$t.log)"; fi
  echo "$t: ${secs}s execs=${execs:-?} execs/s=${rate:-?} cov=${cov:-?} peak_rss_mb=${peak:-?} $result"
done
