#!/bin/sh
# Ranking benchmark (issue 10): ATTEMPTS submitted attempts in SQLite, then BOARDS clients poll
# GET /api/competitions/open/leaderboard while STUDENTS students start, resume and submit (loadgen --boards).
# Prints each run's RESULT line and the medians. Target: >= 1,000 leaderboards/s, start/resume p99 <= 100 ms.
#   bench/board.sh [RUNS=3] [ATTEMPTS=100000] [BOARDS=64] [STUDENTS=16] [SECONDS=4]
# PUFA_BIN=path runs another pufa binary (e.g. one built from the code before the cache) with this loadgen.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3}
ATTEMPTS=${2:-100000}
BOARDS=${3:-64}
STUDENTS=${4:-16}
SECS=${5:-4}
PORT=${PORT:-18099}
cargo build --release --quiet --bin pufa --example loadgen
BIN=${PUFA_BIN:-target/release/pufa}
WORK=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/site"
cp -r tests/fixtures/server/quizzes "$WORK/site/quizzes"
DB="$WORK/bench.sqlite"
"$BIN" migrate --database-url "sqlite:$DB" >/dev/null
# Submitted attempts of `open` spread over the fixture's organizations, written straight into the table (the ranking
# reads only these columns; `pufa import` would take minutes for the per-question rows it does not need).
python3 - "$DB" "$ATTEMPTS" <<'PY'
import random, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(10)
orgs = ["school-a", "school-b", "school-c", "firm-a"]
rows = []
for i in range(n):
    org, name, grp = orgs[i % 4], f"学生{i}", f"{i % 9 + 1}年级{i % 7 + 1}班"
    score = rnd.choice([0, 20, 40, 60, 80, 100])
    t = 1_780_000_000_000 + i * 1000
    rows.append((f"{i:032x}", "open", org, name, grp, f"{org}\x1f{name}\x1f{grp}", 1, 0, "[]", t, t + 600_000,
                 t + 300_000, "{}", score, 100, score >= 60, 300_000 + i % 1000, "{}"))
c = sqlite3.connect(db)
c.executemany("INSERT INTO attempts (id, competition, organization, name, grp, participant_key, number, seed, drawn, "
              "started_at, deadline, submitted_at, answers, score, max_score, passed, duration_ms, grade) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
c.commit()
PY
cp "$DB" "$WORK/seed.sqlite"
ulimit -n 65536 2>/dev/null || true
i=0
OUT="$WORK/results"
while [ "$i" -lt "$RUNS" ]; do
    cp "$WORK/seed.sqlite" "$DB"
    rm -f "$DB-wal" "$DB-shm"
    DATABASE_URL="sqlite:$DB" RUST_LOG=warn "$BIN" serve --no-migrate --no-watch --source "$WORK/site" --port "$PORT" &
    PID=$!
    for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    target/release/examples/loadgen "http://127.0.0.1:$PORT" --boards "$BOARDS" --connections "$STUDENTS" \
        --seconds "$SECS" --rounds 3 | grep RESULT | tee -a "$OUT"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    i=$((i + 1))
done
median() { grep -o "$1=[0-9.]*" "$OUT" | cut -d= -f2 | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "MEDIAN of $RUNS runs ($ATTEMPTS attempts, $BOARDS pollers, $STUDENTS students): \
boards_per_s=$(median boards_per_s) start_resume_p99_ms=$(median start_resume_p99_ms)"
