#!/usr/bin/env bash
# `npm run bench`: ../shared/bench/compare.sh with Cortado as the target (started by
# `npm run bench:serve`, BENCH_PROCESSES [2] as in production on this 2-core machine), then
# Cortado's ratio to every peer and to issue 5's targets (bench/ratios.awk).
# compare.sh's knobs pass through: ROUNDS, DURATION, PEERS, WORKLOADS, CONNS, SLOW_CONNS …
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHARED_BENCH:-$root/../shared/bench}"
work="${BENCH_WORK:-$root/bench/.work/compare}"
mkdir -p "$work"
BENCH_WORK="$work" TARGET_NAME=cortado TARGET_CMD='npm run --silent bench:serve' "$shared/compare.sh"
status=$?
latest="$(ls -t "$work"/results-*.tsv 2>/dev/null | head -n 1)"
if [ -n "$latest" ]; then
  echo
  echo "### Cortado beside each peer (same run)"
  echo
  awk -v target=cortado -f "$root/bench/ratios.awk" "$latest"
fi
exit "$status"
