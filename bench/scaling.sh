#!/usr/bin/env bash
# Scaling curve (issue 5, item 4): W1 and W4 with Cortado on 1 and 2 processes, and the memory of
# one process idle and under load, in one table.
#
#   npm run bench:scaling                      # PROCESSES_LIST="1 2", run.sh defaults
#   PROCESSES_LIST="1 2 3" DURATION=5 npm run bench:scaling
#
# Each count gets a fresh `npm run bench:serve` (BENCH_PROCESSES=N) on $PORT [18080]. RSS is read
# from /proc: "idle" after start-up, "load" the highest sample taken every 0.5 s during the runs.
# "per process" is the largest single worker (the cluster primary only forks and is left out).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
shared="${SHARED_BENCH:-$root/../shared/bench}"
port="${PORT:-18080}"
url="http://127.0.0.1:$port"
work="${BENCH_WORK:-$here/.work/scaling}"
mkdir -p "$work"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
rows="$work/rows-$(date +%Y%m%d-%H%M%S).md"
: > "$rows"

rss_kib() { # pid... -> summed RSS in KiB
  local total=0 pid value
  for pid in "$@"; do
    value="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)"
    total=$(( total + ${value:-0} ))
  done
  echo "$total"
}
workers_of() { # process group -> node processes that listen (the workers, or the single process)
  ps -eo pid=,pgid=,args= | awk -v g="$1" '$2 == g && /node/ && !/npm/ { print $1 }'
}

for n in ${PROCESSES_LIST:-1 2}; do
  echo "[scaling] $n process(es)" >&2
  (cd "$root" && BENCH_PROCESSES="$n" PORT="$port" exec setsid npm run --silent bench:serve) > "$work/serve-$n.log" 2>&1 &
  leader=$!
  sleep 1
  pgid="$(ps -o pgid= -p "$leader" | tr -d ' ')"
  /usr/bin/python3 "$shared/check.py" "$url" --wait 90 | tail -n 1 >&2
  sleep 2
  pids=$(workers_of "$pgid")
  idle_max=0
  for pid in $pids; do value=$(rss_kib "$pid"); [ "$value" -gt "$idle_max" ] && idle_max=$value; done
  peak_max=0
  ( while kill -0 "$leader" 2>/dev/null; do
      for pid in $pids; do rss_kib "$pid"; done
      sleep 0.5
    done ) > "$work/rss-$n.txt" &
  sampler=$!
  WORKLOADS="W1 W4" SERVER_PGID="$pgid" "$shared/run.sh" "$url" "cortado-x$n" > "$work/run-$n.tsv"
  kill "$sampler" 2>/dev/null
  peak_max="$(sort -n "$work/rss-$n.txt" | tail -n 1)"
  kill -TERM -- "-$pgid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$leader" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pgid" 2>/dev/null
  # run.sh columns: label workload conns req/s p50 p99 non2xx socket-errors ...
  awk -F'\t' -v n="$n" -v idle="$idle_max" -v peak="${peak_max:-0}" '{
    printf "| %s | %s | %s | %s | %s | %s | %s | %s/%s/%s/%s | %.0f | %.0f |\n", n, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, idle / 1024, peak / 1024
  }' "$work/run-$n.tsv" >> "$rows"
done

echo "| processes | workload | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors (connect/read/write/timeout) | RSS per process idle (MiB) | RSS per process under load (MiB) |"
echo "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|"
cat "$rows"
