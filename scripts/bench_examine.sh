#!/usr/bin/env bash
# bench_examine.sh - `leaktrace examine` of a folder of many small leaked files.
#
# Usage:  scripts/bench_examine.sh      (from anywhere)
#
# Builds target/bench/examine/ (once; EXAMINE_FILES files, default 10000): copies of the bundled
# NEMSIS, CSV, XLSX and PDF fixtures in turn, each made distinct by a trailing comment or byte so no
# two files hash alike. Then, page cache warm, best of BENCH_RUNS (default 3) wall times of:
#   a. sha256sum of every file (the floor: reading and hashing them, one core)
#   b. leaktrace examine DIR --format ndjson, one thread (RAYON_NUM_THREADS=1)
#   c. leaktrace examine DIR --format ndjson, all cores
# and files per second for each; checks b and c print the same bytes (output in name order).
#
# Environment: LEAKTRACE=PATH (binary; default: build target/release/leaktrace), EXAMINE_FILES=N,
#              BENCH_RUNS=N.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${EXAMINE_FILES:-10000}; RUNS=${BENCH_RUNS:-3}
[[ $N =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "EXAMINE_FILES and BENCH_RUNS must be positive integers" >&2; exit 1; }
if [[ -n ${LEAKTRACE:-} ]]; then
  LT=$LEAKTRACE
else
  cargo build --release --quiet
  LT=${CARGO_TARGET_DIR:-$ROOT/target}/release/leaktrace
fi
OUT=target/bench; DIR=$OUT/examine
if [[ ! -f $OUT/examine.made-$N ]]; then
  rm -rf "$DIR" "$OUT"/examine.made-*; mkdir -p "$DIR"
  python3 - "$DIR" "$N" "$OUT/examine.made-$N" <<'PY'
import pathlib, sys
out, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
sources = [p for pattern in ("nemsis/*.xml", "grid/*.csv", "grid/*.xlsx", "pdf/*.pdf")
           for p in sorted(pathlib.Path("testdata").glob(pattern))
           if p.stat().st_size < 256 << 10 and "billion" not in p.name and "bomb" not in p.name]
for i in range(n):
    src = sources[i % len(sources)]
    data = src.read_bytes()
    # distinct content: XML takes a comment, CSV a trailing line ending, PDF and XLSX a trailing byte run
    tail = {".xml": f"\n<!-- copy {i} -->\n".encode(), ".csv": b"\r\n" * (1 + i // len(sources) % 3)}.get(src.suffix, b"\n" * (1 + i % 7))
    (out / f"{i:06d}{src.suffix}").write_bytes(data + tail)
pathlib.Path(sys.argv[3]).write_text("")  # outside the folder: not examined
print(f"made {n} files from {len(sources)} fixtures")
PY
fi
bytes=$(du -sb "$DIR" | cut -f1)
best() {  # best wall time of RUNS runs of "$@", output to $OUT/examine.out
  local b=
  for _ in $(seq "$RUNS"); do
    local s e t
    s=$(date +%s.%N); "$@" > "$OUT/examine.out" 2>/dev/null || true; e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
    if [[ -z $b ]] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}
find "$DIR" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
a=$(best sh -c "find '$DIR' -type f -print0 | xargs -0 sha256sum")
b=$(best env RAYON_NUM_THREADS=1 "$LT" examine "$DIR" --format ndjson -q); cp "$OUT/examine.out" "$OUT/examine.1.out"
c=$(best "$LT" examine "$DIR" --format ndjson -q)
same=yes; cmp -s "$OUT/examine.out" "$OUT/examine.1.out" || same=NO
lines=$(wc -l < "$OUT/examine.out")
printf '%s files, %s bytes, %s examinations; machine: %s\n' "$N" "$bytes" "$lines" "$(uptime | sed 's/.*load/load/')"
printf '%-44s %8s %12s\n' command "best s" "files/s"
for row in "a. sha256sum (one core):$a" "b. examine, 1 thread:$b" "c. examine, $(nproc) cores:$c"; do
  printf '%-44s %8s %12.0f\n' "${row%%:*}" "${row##*:}" "$(awk -v n="$N" -v t="${row##*:}" 'BEGIN { print n / t }')"
done
echo "same output with 1 thread and all cores: $same"
[[ $same == yes ]]
