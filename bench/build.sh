#!/usr/bin/env bash
# Builds the generated benchmark corpus with pufa and with Hugo in one run and prints median wall time, peak
# memory (RSS, from /usr/bin/time -v) and the ratios, then the 4x-pages scaling of pufa (issue 2, "Speed").
#
# usage: bench/build.sh [PAGES=3500] [RUNS=5]
# env:   GEN_CORPUS (path to gen_corpus.py), HUGO_SITE (Hugo skeleton), PUFA (binary), WORK (scratch folder)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
pages="${1:-3500}"
runs="${2:-5}"
gen="${GEN_CORPUS:-$here/../../shared/bench/gen_corpus.py}"
[ -f "$gen" ] || gen="$repo/../shared/bench/gen_corpus.py"
hugo_site="${HUGO_SITE:-$(dirname "$gen")/hugo-site}"
pufa="${PUFA:-$repo/target/release/pufa}"
work="${WORK:-$(mktemp -d /tmp/pufa-bench.XXXXXX)}"

if [ ! -x "$pufa" ]; then
  (cd "$repo" && cargo build --release --quiet)
fi
if ! command -v hugo >/dev/null; then
  sudo apt-get install -y hugo >/dev/null 2>&1 || apt-get install -y hugo >/dev/null
fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }

# Runs "$@" RUNS times; prints "median_seconds peak_rss_kb" (peak = the largest of the runs).
measure() {
  local times=() rss=0 t r log
  log="$work/time.log"
  for _ in $(seq "$runs"); do
    /usr/bin/time -v "$@" >/dev/null 2>"$log"
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    times+=("$t")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v rss="$rss" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m, rss}'
}

corpus() { # pages dir
  [ -d "$2/content" ] || python3 "$gen" "$2" "$1" >/dev/null
}

corpus "$pages" "$work/corpus"
rm -rf "$work/hugo" && cp -r "$hugo_site" "$work/hugo" && ln -s "$work/corpus/content" "$work/hugo/content"

read -r pufa_t pufa_m < <(measure "$pufa" build --source "$work/corpus" --output "$work/out")
read -r hugo_t hugo_m < <(measure hugo --quiet -s "$work/hugo" -d "$work/hugo-out")
index_kb=$(du -sk "$work/out/search" | cut -f1)

big=$((pages * 4))
corpus "$big" "$work/corpus4"
read -r big_t big_m < <(measure "$pufa" build --source "$work/corpus4" --output "$work/out4")

echo "corpus: $pages pages ($(du -sh "$work/corpus/content" | cut -f1)), $runs runs each, $(nproc) cores"
printf 'pufa  %6.2f s  %7.1f MB\n' "$pufa_t" "$(echo "$pufa_m / 1024" | bc -l)"
printf 'hugo  %6.2f s  %7.1f MB   (%s)\n' "$hugo_t" "$(echo "$hugo_m / 1024" | bc -l)" "$(hugo version | cut -d' ' -f1-2)"
printf 'ratio time %.2f (target <= 0.40), memory %.2f (target <= 0.30)\n' \
  "$(echo "$pufa_t / $hugo_t" | bc -l)" "$(echo "$pufa_m / $hugo_m" | bc -l)"
printf 'search index: %s KB for %s pages\n' "$index_kb" "$pages"
printf 'pufa 4x pages (%s): %.2f s, %.1f MB, time ratio %.2f (target <= 4.40)\n' \
  "$big" "$big_t" "$(echo "$big_m / 1024" | bc -l)" "$(echo "$big_t / $pufa_t" | bc -l)"
[ -n "${WORK:-}" ] || rm -rf "$work"
