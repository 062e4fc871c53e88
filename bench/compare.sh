#!/bin/sh
# Runs bench/load.sh in every mode RUNS times, interleaved (sqlite, postgres, postgres2, sqlite, …), and prints each
# run's figures and the medians per mode. Ratios to /healthz are within one run, so they are what to compare.
#   bench/compare.sh [RUNS] [CONNECTIONS] [SECONDS]
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3}
CONNS=${2:-256}
SECS=${3:-4}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
r=1
while [ "$r" -le "$RUNS" ]; do
    for mode in sqlite postgres postgres2; do
        line=$(WRK=0 bench/load.sh "$mode" "$CONNS" "$SECS" | grep -E '^(RESULT|SIZE)' | tr '\n' ' ')
        echo "$mode run $r: $line" | tee -a "$OUT"
    done
    r=$((r + 1))
done
echo "== medians of $RUNS runs"
for mode in sqlite postgres postgres2; do
    printf '%-10s' "$mode"
    for key in flows_per_s healthz_per_s ratio request_p99_ms flow_p99_ms errors bytes_per_attempt; do
        grep "^$mode run" "$OUT" | sed -n "s/.* $key=\([0-9.]*\).*/\1/p" | sort -n |
            awk -v k="$key" '{ v[NR] = $1 } END { printf "  %s %s", k, v[int((NR + 1) / 2)] }'
    done
    echo
done
