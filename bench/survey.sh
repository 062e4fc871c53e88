#!/bin/sh
# Survey responses under load (issue 13): wrk posts new responses to the demo survey against a release `pufa serve`
# on SQLite, and /healthz is measured in the same run with the same connections: the ratio is what to compare across
# machines. Ends with the responses stored and the database size per response.
#   bench/survey.sh [CONNECTIONS] [SECONDS] [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
CONNS=${1:-64}
SECS=${2:-10}
ROUNDS=${3:-3}
PORT=${PORT:-18091}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet --bin pufa
WORK=$(mktemp -d)
cp -r content quizzes site.yaml themes "$WORK/"
target/release/pufa serve --source "$WORK" --port "$PORT" --no-watch >"$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 1; done
i=0
while [ "$i" -lt "$ROUNDS" ]; do
    h=$(wrk -t2 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" | awk '/Requests\/sec/ {print $2}')
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s bench/survey.lua "http://127.0.0.1:$PORT/")
    r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    bad=$(echo "$out" | awk '/non-2xx or errors/ {print $4}')
    echo "round $((i + 1)): healthz $h req/s, responses $r/s (ratio $(echo "$r $h" | awk '{printf "%.2f", $1 / $2}')), p99 $p99, non-2xx or errors $bad"
    i=$((i + 1))
done
n=$(sqlite3 "$WORK/pufa.sqlite" "SELECT COUNT(*) FROM survey_responses")
kill $PID; wait $PID 2>/dev/null || true
size=$(du -b "$WORK/pufa.sqlite" | awk '{print $1}')
echo "stored: $n responses; database $size bytes ($(echo "$size $n" | awk '{printf "%.0f", $1 / $2}') bytes per response)"
