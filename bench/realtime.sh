#!/usr/bin/env bash
# `npm run bench:realtime`: ../shared/bench/realtime/run-realtime.sh with Cortado as the target,
# beside the plain socket.io peer, one fresh server per N (1,000 and 5,000 by default).
#
# Cortado runs as one process (BENCH_PROCESSES=1), as the peer and Frappe's socket.io server do.
# Its bench folder is bench/.work/realtime/sites, apart from the HTTP benchmark's, so a run here
# never reseeds a site another run is serving. run-realtime.sh's knobs pass through (CONNS_LIST,
# UPDATES, PEERS, PORT, …).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export BENCH_WORK="${BENCH_WORK:-$root/bench/.work/realtime}"
export BENCH_SITES="${BENCH_SITES:-$BENCH_WORK/sites}"
export TARGET_NAME="${TARGET_NAME:-cortado}"
export TARGET_CMD="${TARGET_CMD:-BENCH_PROCESSES=1 npm run bench:serve}"
export NAMESPACE="${NAMESPACE:-/bench.localhost}"
mkdir -p "$BENCH_WORK"
exec ../shared/bench/realtime/run-realtime.sh "$@"
