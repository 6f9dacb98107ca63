#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the project's own fixtures
# (fuzz/corpus/<target>/, not committed). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
T=../testdata
seed() {
  local target=$1; shift
  mkdir -p "corpus/$target"
  for f in "$@"; do
    if [[ -f $f ]]; then cp -f "$f" "corpus/$target/$(basename "$f")"; fi
  done
}
mkdir -p corpus/statement
printf 'Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.' > corpus/statement/vendor
printf 'Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.' > corpus/statement/registry
seed w3c_line $T/w3c/*.log $T/sample/*.log
seed nemsis $T/nemsis/*.xml
seed csv $T/grid/*.csv $T/grid/*.txt $T/case/leaked/*.csv
seed xlsx $T/grid/*.xlsx
seed pdf $T/pdf/*.pdf $T/case/leaked/*.pdf
seed zip $T/zip/*.zip $T/case/leaked/*.zip
seed roster $T/case/roster.csv
echo "seeded: $(ls corpus | tr '\n' ' ')"
