#!/usr/bin/env bash
# Builds the generated benchmark corpus with pufa and with Hugo in one run and prints median wall and CPU time, peak
# memory (RSS, from /usr/bin/time) and the ratios, and the 4x-pages scaling of pufa (issue 2, "Speed").
#
# usage: bench/build.sh [PAGES=3500] [RUNS=5]
# env:   GEN_CORPUS (path to gen_corpus.py), HUGO_SITE (Hugo skeleton), PUFA (binary), WORK (scratch folder)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
pages="${1:-3500}"
runs="${2:-5}"
. "$here/corpus.sh"
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

# One timed run of "$@": appends "wall_seconds cpu_seconds peak_rss_kb" to the file $1.
once() {
  local into="$1" log="$work/time.log"
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>&1
  awk '{print $1, $2 + $3, $4}' "$log" >>"$into"
}

# Median wall and CPU seconds and the largest peak RSS of the runs in a file: "wall cpu rss".
summary() {
  local w c
  w=$(cut -d' ' -f1 "$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
  c=$(cut -d' ' -f2 "$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
  echo "$w $c $(cut -d' ' -f3 "$1" | sort -g | tail -1)"
}

corpus() { # pages dir
  [ -d "$2/content" ] || python3 "$gen" "$2" "$1" >/dev/null
}

big=$((pages * 4))
corpus "$pages" "$work/corpus"
corpus "$big" "$work/corpus4"
rm -rf "$work/hugo" && cp -r "$hugo_site" "$work/hugo" && ln -s "$work/corpus/content" "$work/hugo/content"
rm -f "$work"/*.runs

# Interleaved, so that other load on the machine falls on all three alike; untimed warm-ups first, so that each
# tool writes over its last output as a rebuild does (pufa writes into the folder of the build before last, kept
# aside: it takes two builds to have one).
for _ in 1 2; do
  "$pufa" build --clean --source "$work/corpus" --output "$work/out" >/dev/null 2>&1
  "$pufa" build --clean --source "$work/corpus4" --output "$work/out4" >/dev/null 2>&1
done
hugo --quiet -s "$work/hugo" -d "$work/hugo-out" >/dev/null 2>&1
for _ in $(seq "$runs"); do
  once "$work/pufa.runs" "$pufa" build --clean --source "$work/corpus" --output "$work/out"
  once "$work/hugo.runs" hugo --quiet -s "$work/hugo" -d "$work/hugo-out"
  once "$work/big.runs" "$pufa" build --clean --source "$work/corpus4" --output "$work/out4"
done
read -r pufa_t pufa_c pufa_m < <(summary "$work/pufa.runs")
read -r hugo_t hugo_c hugo_m < <(summary "$work/hugo.runs")
read -r big_t big_c big_m < <(summary "$work/big.runs")
index_kb=$(du -sk "$work/out/search" | cut -f1)

echo "corpus: $pages pages ($(du -sh "$work/corpus/content" | cut -f1)), $runs interleaved runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo "          wall(median)  cpu(median)  peak RSS"
printf 'pufa    %8.2f s  %8.2f s  %7.1f MB\n' "$pufa_t" "$pufa_c" "$(echo "$pufa_m / 1024" | bc -l)"
printf 'hugo    %8.2f s  %8.2f s  %7.1f MB   (%s)\n' "$hugo_t" "$hugo_c" "$(echo "$hugo_m / 1024" | bc -l)" \
  "$(hugo version | cut -d' ' -f1-2)"
printf 'ratio time %.2f (target <= 0.40; cpu %.2f), memory %.2f (target <= 0.30)\n' \
  "$(echo "$pufa_t / $hugo_t" | bc -l)" "$(echo "$pufa_c / $hugo_c" | bc -l)" "$(echo "$pufa_m / $hugo_m" | bc -l)"
printf 'search index: %s KB for %s pages\n' "$index_kb" "$pages"
printf 'pufa 4x pages (%s): %.2f s wall, %.2f s cpu, %.1f MB; time ratio %.2f (target <= 4.40; cpu %.2f)\n' \
  "$big" "$big_t" "$big_c" "$(echo "$big_m / 1024" | bc -l)" "$(echo "$big_t / $pufa_t" | bc -l)" \
  "$(echo "$big_c / $pufa_c" | bc -l)"
[ -n "${WORK:-}" ] || rm -rf "$work"
