#!/usr/bin/env bash
# The edit-and-see loop of `pufa serve` on the generated corpus (issue 5, "Speed"): the time from writing one page
# to the reload event on the page's event stream, for a body edit (target <= 100 ms) and for a retitle, which
# changes lists, feeds and the search index (target <= 5% of a full build), as medians of RUNS edits each; and
# the median of RUNS clean full builds (`pufa build --clean`) on the same corpus and machine in the same run; and a
# cached `pufa build` after one page's body was edited, against that full build (issue 15).
#
# usage: bench/incremental.sh [PAGES=14000] [RUNS=7]
# env:   GEN_CORPUS (path to gen_corpus.py), PUFA (binary), WORK (scratch folder, kept when given), PORT
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
pages="${1:-14000}"
runs="${2:-7}"
. "$here/corpus.sh"
pufa="${PUFA:-$repo/target/release/pufa}"
work="${WORK:-$(mktemp -d /tmp/pufa-incremental.XXXXXX)}"
port="${PORT:-18471}"
[ -x "$pufa" ] || (cd "$repo" && cargo build --release --quiet)
[ -d "$work/corpus/content" ] || python3 "$gen" "$work/corpus" "$pages" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# Full builds: one untimed warm-up, then RUNS timed ones.
"$pufa" build --clean --source "$work/corpus" --output "$work/out" >/dev/null 2>&1
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$pufa" build --clean --source "$work/corpus" --output "$work/out" >/dev/null 2>&1
  echo "($(date +%s.%N) - $s) * 1000" | bc -l
done >"$work/full.ms"
full=$(median <"$work/full.ms")

# `pufa build` with its cache after one page's body was edited (issue 15: target <= 5% of a cold build): the first
# build writes the cache, then RUNS edits each followed by a timed build.
"$pufa" build --source "$work/corpus" --output "$work/cached" >/dev/null 2>&1
page="$(find "$work/corpus/content" -name '*.md' ! -name _index.md | sort | awk 'NR == 1')"
for n in $(seq "$runs"); do
  printf '\n第%s次修改：新增一段说明。\n' "$n$(date +%s%N)" >>"$page"
  s=$(date +%s.%N)
  "$pufa" build --source "$work/corpus" --output "$work/cached" >/dev/null 2>&1
  echo "($(date +%s.%N) - $s) * 1000" | bc -l
done >"$work/cached.ms"
cached=$(median <"$work/cached.ms")

"$pufa" serve --source "$work/corpus" --port "$port" >"$work/serve.log" 2>&1 &
server=$!
# The server writes its build cache and database as it stops: wait for it before removing the folder.
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; [ -n "${WORK:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 1
done
python3 "$here/incremental.py" "127.0.0.1:$port" "$work/corpus" "$runs" >"$work/edits.txt"
body=$(awk '$1 == "body" {print $2}' "$work/edits.txt")
retitle=$(awk '$1 == "retitle" {print $2}' "$work/edits.txt")

echo "corpus: $pages pages ($(du -sh "$work/corpus/content" | cut -f1)), $runs runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf 'full build (--clean)      %8.0f ms (median)\n' "$full"
printf 'pufa build, cache, one page edited %8.0f ms (median) = %.1f%% of a full build (target <= 5%%)\n' "$cached" \
  "$(echo "$cached * 100 / $full" | bc -l)"
printf 'body edit -> reload       %8.1f ms (median; target <= 100)   %s\n' "$body" "$(grep "^body" "$work/edits.txt" | cut -d" " -f3-)"
printf 'retitle   -> reload       %8.1f ms (median) = %.1f%% of a full build (target <= 5%%)   %s\n' "$retitle" \
  "$(echo "$retitle * 100 / $full" | bc -l)" "$(grep "^retitle" "$work/edits.txt" | cut -d" " -f3-)"
