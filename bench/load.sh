#!/bin/sh
# Load benchmark of the competition server: 256 concurrent students start and submit attempts against release
# `pufa serve` processes, and /healthz is measured in the same run with the same connection count (loadgen), plus a
# wrk run on /healthz for reference when wrk is installed (WRK=0 skips it). Targets: flows/s >= 0.2 x healthz req/s,
# p99 <= 100 ms, zero errors. Ends with the database size per attempt.
#   bench/load.sh [MODE] [CONNECTIONS] [SECONDS]   (loadgen alternates healthz and flow phases of SECONDS, 3 rounds)
# MODE: sqlite (one process, default), postgres (one process), postgres2 (two processes on one database; loadgen
# sends each student's submit to the other process than its start). PostgreSQL runs use a fresh schema of
# $PUFA_BENCH_POSTGRES (default: $PUFA_TEST_POSTGRES, else postgres://postgres@127.0.0.1:5432/test), dropped after.
# Servers run as for a competition: --no-watch (no rebuilds on file changes), as the README recommends.
set -eu
cd "$(dirname "$0")/.."
# `bench/load.sh 256 10` (no mode) keeps meaning SQLite.
case "${1:-}" in
    [0-9]*) MODE=sqlite ;;
    *) MODE=${1:-sqlite}; [ $# -gt 0 ] && shift ;;
esac
CONNS=${1:-256}
SECS=${2:-4}
PORT=${PORT:-18089}
PG=${PUFA_BENCH_POSTGRES:-${PUFA_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}}
case "$MODE" in
    sqlite | postgres) N=1 ;;
    postgres2) N=2 ;;
    *) echo "unknown mode $MODE: expected sqlite, postgres or postgres2" >&2; exit 2 ;;
esac
cargo build --release --quiet --bin pufa --example loadgen
WORK=$(mktemp -d)
PIDS=""
SCHEMA=""
stop_servers() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    PIDS=""
}
cleanup() {
    stop_servers
    if [ -n "$SCHEMA" ]; then PGOPTIONS="-c client_min_messages=warning" psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/site"
cp -r tests/fixtures/server/quizzes "$WORK/site/quizzes"
if [ "$MODE" = sqlite ]; then
    DB="sqlite:$WORK/bench.sqlite"
else
    SCHEMA="bench_$(date +%s)_$$"
    psql "$PG" -qc "CREATE SCHEMA $SCHEMA"
    case "$PG" in *\?*) SEP='&' ;; *) SEP='?' ;; esac
    DB="$PG${SEP}options=-c%20search_path%3D$SCHEMA"
fi
# As in production: migrate once, then start every process with --no-migrate.
target/release/pufa migrate --database-url "$DB"
ulimit -n 65536 2>/dev/null || true
BASES=""
i=0
# The first process builds the site; the others serve what it built (--no-build) instead of rebuilding it at once.
BUILD=""
while [ "$i" -lt "$N" ]; do
    P=$((PORT + i))
    # shellcheck disable=SC2086 # BUILD is empty or one flag
    DATABASE_URL="$DB" RUST_LOG=warn target/release/pufa serve --no-migrate --no-watch $BUILD --source "$WORK/site" --port "$P" &
    PIDS="$PIDS $!"
    BASES="$BASES http://127.0.0.1:$P"
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$P/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    BUILD="--no-build"
    i=$((i + 1))
done
if command -v wrk >/dev/null && [ "${WRK:-1}" != 0 ]; then
    echo "== wrk /healthz on the first process ($CONNS connections, ${SECS}s)"
    wrk -t2 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|Latency"
fi
echo "== loadgen $MODE, $N process(es) ($CONNS connections, 3 rounds of ${SECS}s per phase)"
# shellcheck disable=SC2086 # one argument per base URL
target/release/examples/loadgen $BASES --connections "$CONNS" --seconds "$SECS"
# Stopped cleanly, SQLite checkpoints its WAL into the file, so the file size is the database size.
stop_servers
if [ "$MODE" = sqlite ]; then
    ATTEMPTS=$(sqlite3 "$WORK/bench.sqlite" "SELECT COUNT(*) FROM attempts")
    BYTES=$(($(stat -c %s "$WORK/bench.sqlite") + $(stat -c %s "$WORK/bench.sqlite-wal" 2>/dev/null || echo 0)))
else
    ATTEMPTS=$(psql "$PG" -Atc "SELECT COUNT(*) FROM $SCHEMA.attempts")
    BYTES=$(psql "$PG" -Atc "SELECT pg_total_relation_size('$SCHEMA.attempts') + pg_total_relation_size('$SCHEMA.responses')")
fi
echo "SIZE attempts=$ATTEMPTS bytes=$BYTES bytes_per_attempt=$((BYTES / (ATTEMPTS > 0 ? ATTEMPTS : 1)))"
