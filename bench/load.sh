#!/bin/sh
# Load benchmark of the competition server: 256 concurrent students start and submit attempts against one release
# `pufa serve` on SQLite, and /healthz is measured in the same run with the same connection count (loadgen), plus
# a wrk run on /healthz for reference when wrk is installed. Targets: flows/s >= 0.2 x healthz req/s, p99 <= 100 ms,
# zero errors.
#   bench/load.sh [CONNECTIONS] [SECONDS]
set -eu
cd "$(dirname "$0")/.."
CONNS=${1:-256}
SECS=${2:-10}
PORT=${PORT:-18089}
cargo build --release --quiet --bin pufa --example loadgen
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/site"
cp -r tests/fixtures/server/quizzes "$WORK/site/quizzes"
# Enough attempts for every simulated student; each uses a fresh name anyway.
ulimit -n 65536 2>/dev/null || true
DATABASE_URL="sqlite:$WORK/bench.sqlite" RUST_LOG=warn target/release/pufa serve --source "$WORK/site" --port "$PORT" &
PID=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if command -v wrk >/dev/null; then
    echo "== wrk /healthz ($CONNS connections, ${SECS}s)"
    wrk -t2 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|Latency"
fi
echo "== loadgen ($CONNS connections, ${SECS}s per phase)"
target/release/examples/loadgen "http://127.0.0.1:$PORT" --connections "$CONNS" --seconds "$SECS"
