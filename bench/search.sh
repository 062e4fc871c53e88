#!/usr/bin/env bash
# Search on a law-text corpus (issue 15): builds bench/gen_laws.py's corpus with pufa and with Hugo in one run,
# indexes Hugo's output with Pagefind (`pagefind_extended`, the static search a Hugo user adds for Chinese), and
# counts in headless Chromium the bytes each search fetches for typical queries: for pufa every file of the search
# page (HTML, CSS, scripts, index files) until its first ten results show with their excerpts; for Pagefind only
# its own files (script, WebAssembly, index, filters, and the fragments of ten results), not the page hosting it.
# The bytes are counted twice: from a server that answers byte ranges and compresses nothing, and behind nginx set
# up as the README's production configuration (gzip on for CSS, scripts and JSON).
# Pagefind's indexing is set against the whole pufa build and against the CPU time pufa gives its own search index
# in its summary (the postings and text blocks of the pages, then the shards).
#
# usage: bench/search.sh [PAGES=3500] [RUNS=3]
# env:   PUFA (binary), HUGO_SITE (Hugo skeleton, default ../shared/bench/hugo-site), WORK (scratch folder)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
pages="${1:-3500}"
runs="${2:-3}"
pufa="${PUFA:-$repo/target/release/pufa}"
work="${WORK:-$(mktemp -d /tmp/pufa-search.XXXXXX)}"
hugo_site="${HUGO_SITE:-}"
for up in "$repo/../shared" "$repo/../../shared"; do
  [ -z "$hugo_site" ] && [ -d "$up/bench/hugo-site" ] && hugo_site="$up/bench/hugo-site"
done
[ -d "$hugo_site" ] || { echo "no Hugo skeleton; set HUGO_SITE" >&2; exit 1; }
[ -x "$pufa" ] || (cd "$repo" && cargo build --release --quiet)
command -v hugo >/dev/null || apt-get install -y hugo >/dev/null
command -v chromium >/dev/null || apt-get install -y chromium >/dev/null
[ -x /usr/sbin/nginx ] || apt-get install -y nginx-light >/dev/null
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
python3 -c "import jieba" 2>/dev/null || python3 -m pip install -q jieba
if [ ! -x "$work/pf/node_modules/@pagefind/linux-x64/bin/pagefind_extended" ]; then
  mkdir -p "$work/pf" && (cd "$work/pf" && npm init -y >/dev/null && npm install -s pagefind@1 >/dev/null)
fi
pagefind="$(ls "$work"/pf/node_modules/@pagefind/linux-x64/bin/pagefind_extended)"

[ -d "$work/laws/content" ] || python3 "$here/gen_laws.py" "$work/laws" "$pages" 1
md_bytes=$(du -sb "$work/laws/content" | cut -f1)

# One timed run of "$@": prints "wall_seconds peak_rss_kb cpu_seconds" (CPU: user + system, which other load on a
# shared machine stretches far less than wall time).
timed() {
  /usr/bin/time -f "%e %M %U %S" -o "$work/time.log" "$@" >/dev/null 2>"$work/stderr.log"
  awk '{print $1, $2, $3 + $4}' "$work/time.log"
}
# The CPU time pufa's summary gives its search index (its pages' postings and text blocks, then the shards and the
# page table), in seconds, from the stderr of the last timed run.
index_cpu() {
  grep -oE '(建索引 CPU |, )[0-9]+ (毫秒|ms of CPU)' "$work/stderr.log" | grep -oE '[0-9]+' | awk '{print $1 / 1000}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

rm -rf "$work/hugo"
cp -r "$hugo_site" "$work/hugo"
ln -s "$work/laws/content" "$work/hugo/content"
: >"$work/pufa.runs"
: >"$work/hugo.runs"
: >"$work/index.runs"
# As bench/build.sh does: untimed warm-ups, then both write over their last output, as a rebuild does (Hugo
# leaves the files in its output folder; pufa writes into the folder of the build before last, kept aside, so it
# needs two builds before it has one). Deleting an output before each run instead makes every file a new one,
# which on ext4 after mass deletions costs both tools seconds of system time that have nothing to do with them.
rm -rf "$work/hugo-out"
for _ in 1 2; do "$pufa" build --clean --source "$work/laws" --output "$work/pufa-out" >/dev/null 2>&1; done
hugo --quiet -s "$work/hugo" -d "$work/hugo-out" >/dev/null 2>&1
for _ in $(seq 1 "$runs"); do
  timed "$pufa" build --clean --source "$work/laws" --output "$work/pufa-out" >>"$work/pufa.runs"
  index_cpu >>"$work/index.runs"
  timed hugo --quiet -s "$work/hugo" -d "$work/hugo-out" >>"$work/hugo.runs"
done
pufa_wall=$(cut -d' ' -f1 "$work/pufa.runs" | median)
hugo_wall=$(cut -d' ' -f1 "$work/hugo.runs" | median)
pufa_rss=$(cut -d' ' -f2 "$work/pufa.runs" | sort -g | tail -1)
hugo_rss=$(cut -d' ' -f2 "$work/hugo.runs" | sort -g | tail -1)
pufa_cpu=$(cut -d' ' -f3 "$work/pufa.runs" | median)
pufa_index_cpu=$(median <"$work/index.runs")
hugo_cpu=$(cut -d' ' -f3 "$work/hugo.runs" | median)
read -r pf_wall pf_rss pf_cpu < <(timed "$pagefind" --site "$work/hugo-out" --force-language zh-cn)
index_bytes() { du -sb "$@" | awk '{s += $1} END {print s}'; }
pufa_index=$(index_bytes "$work/pufa-out/search")
pf_index=$(index_bytes "$work/hugo-out/pagefind")

# The harnesses: each opens a search the way a reader would and writes the bytes it fetched into the page.
cat >"$work/pufa-out/bench-search.html" <<'EOF'
<!doctype html><meta charset="utf-8"><body><script>
var q = new URLSearchParams(location.search).get("q"), f = document.createElement("iframe");
f.src = "/search/?q=" + encodeURIComponent(q);
document.body.appendChild(f);
var tries = 0, t = setInterval(function () {
  var d = f.contentDocument, box = d && d.getElementById("search-results");
  var done = box && (box.querySelector("li") || box.textContent.indexOf("没有") >= 0);
  if (!done && ++tries < 400) return;
  clearInterval(t);
  setTimeout(function () {
    var w = f.contentWindow.performance, sum = 0, n = 0;
    w.getEntriesByType("navigation").concat(w.getEntriesByType("resource")).forEach(function (e) {
      sum += e.encodedBodySize; n++;
    });
    var out = document.createElement("pre");
    out.id = "result";
    out.textContent = "RESULT " + sum + " " + n + " " + box.querySelectorAll("li").length;
    document.body.appendChild(out);
  }, 300);
}, 25);
</script>
EOF
cat >"$work/hugo-out/bench-search.html" <<'EOF'
<!doctype html><meta charset="utf-8"><body><script type="module">
const q = new URLSearchParams(location.search).get("q");
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.init();
const s = await pagefind.search(q);
const shown = await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
let sum = 0, n = 0;
for (const e of performance.getEntriesByType("resource")) { sum += e.encodedBodySize; n++; }
const out = document.createElement("pre");
out.id = "result";
out.textContent = `RESULT ${sum} ${n} ${shown.length}`;
document.body.appendChild(out);
</script>
EOF
# Serves folder $1 on port $2 with a server that answers byte ranges, as the static servers sites are put on do
# (pufa's search page fetches a result's block of text by range), and checks that it is this folder being served (a server left on the port from an
# earlier run would answer for it).
serve() {
  local id="bench-$RANDOM$RANDOM"
  echo "$id" >"$1/bench-id.txt"
  (cd "$1" && exec python3 "$here/range_server.py" "$2" >/dev/null 2>&1) &
  for _ in $(seq 1 50); do
    [ "$(curl -fsS "http://127.0.0.1:$2/bench-id.txt" 2>/dev/null)" = "$id" ] && return 0
    sleep 0.1
  done
  echo "port $2 does not serve $1 (is another server on it?)" >&2
  exit 1
}
# Both folders also behind nginx as the README's production configuration has it (gzip on for CSS, scripts and
# JSON): the bytes a phone fetches from a real county server. nginx sends a gzipped file whole, ignoring a range,
# but browsers ask for ranges with `Accept-Encoding: identity`, so range requests are still answered with 206.
serve_nginx() {
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  charset utf-8;
  gzip on;
  gzip_types text/css application/javascript application/json application/octet-stream image/svg+xml;
  server { listen 127.0.0.1:18433; root $work/pufa-out; location / { try_files \$uri \$uri/ =404; } }
  server { listen 127.0.0.1:18434; root $work/hugo-out; location / { try_files \$uri \$uri/ =404; } }
}
NGINX
  /usr/sbin/nginx -c "$work/nginx/nginx.conf"
  for port in 18433 18434; do
    local folder="$work/pufa-out"
    [ "$port" = 18434 ] && folder="$work/hugo-out"
    for _ in $(seq 1 50); do
      [ "$(curl -fsS "http://127.0.0.1:$port/bench-id.txt" 2>/dev/null)" = "$(cat "$folder/bench-id.txt")" ] && continue 2
      sleep 0.1
    done
    echo "nginx does not serve $folder on port $port (is another server on it?)" >&2
    exit 1
  done
}
stop_servers() {
  kill $(jobs -p) 2>/dev/null || true
  [ -f "$work/nginx/nginx.pid" ] && /usr/sbin/nginx -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true
}
trap stop_servers EXIT
serve "$work/pufa-out" 18431
serve "$work/hugo-out" 18432
serve_nginx
# A harness that printed nothing is tried again, up to six times; a search that fetched files and showed nothing is
# an answer. Pagefind's harness is cut short at random: `--dump-dom` may come before its module (WebAssembly
# compiled off the main thread) is done, which the virtual time budget does not wait for: run by hand, a search for
# 宪法 answered in 5 runs of 6, and three tries were not always enough.
fetch_bytes() {
  local got
  for _ in 1 2 3 4 5 6; do
    got=$(fetch_once "$@")
    [ "$(echo "$got" | cut -d' ' -f3)" != 0 ] && break
  done
  echo "$got"
}
fetch_once() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$work/chrome-$RANDOM" --virtual-time-budget=30000 \
    --dump-dom "http://127.0.0.1:$1/bench-search.html?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$2")" \
    2>/dev/null | grep -Eo 'RESULT [0-9]+ [0-9]+ [0-9]+' | head -n1 || echo "RESULT 0 0 0"
}

echo "corpus: $pages pages, $((md_bytes / 1000000)) MB of markdown; $runs runs, medians"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end of the builds"
echo "build: pufa ${pufa_wall} s (cpu ${pufa_cpu} s), ${pufa_rss} KB peak; hugo ${hugo_wall} s (cpu ${hugo_cpu} s), ${hugo_rss} KB peak"
awk -v p="$pufa_wall" -v h="$hugo_wall" -v pr="$pufa_rss" -v hr="$hugo_rss" -v pc="$pufa_cpu" -v hc="$hugo_cpu" \
  'BEGIN {printf "RATIO build wall %.2f x Hugo (cpu %.2f), peak memory %.2f x Hugo\n", p / h, pc / hc, pr / hr}'
echo "pagefind_extended: ${pf_wall} s (cpu ${pf_cpu} s), ${pf_rss} KB peak, index $((pf_index / 1000)) KB; pufa index $((pufa_index / 1000)) KB"
awk -v p="$pufa_wall" -v f="$pf_wall" -v pc="$pufa_cpu" -v fc="$pf_cpu" \
  'BEGIN {printf "RATIO pagefind indexing / whole pufa build %.1f (cpu %.1f)\n", f / p, fc / pc}'
# Pagefind indexes pages another tool rendered; what pufa spends on the same job is its search index's share of
# the build, which it counts itself (in CPU time: its pages render in parallel, so it has no wall time of its own).
awk -v i="$pufa_index_cpu" -v fc="$pf_cpu" -v pc="$pufa_cpu" \
  'BEGIN {printf "RATIO pagefind indexing cpu / pufa search index cpu %.1f (index %.2f s of the build'"'"'s %.2f s cpu)\n", fc / i, i, pc}'
echo "bytes: as sent by a server that answers ranges and compresses nothing (Python), then behind nginx with gzip"
printf "%-16s %12s %8s %8s   %12s %8s %8s   %10s %14s\n" query pufa_bytes files shown pagefind_bytes files shown \
  pufa_nginx pagefind_nginx
for q in 宪法 专利保护 未成年人 网络安全 消费者权益保护 电信诈骗 高空抛物谁来赔 2024; do
  read -r _ pb pn ps < <(fetch_bytes 18431 "$q")
  read -r _ fb fn fs < <(fetch_bytes 18432 "$q")
  read -r _ pz _ _ < <(fetch_bytes 18433 "$q")
  read -r _ fz _ _ < <(fetch_bytes 18434 "$q")
  printf "%-16s %12s %8s %8s   %12s %8s %8s   %10s %14s\n" "$q" "$pb" "$pn" "$ps" "$fb" "$fn" "$fs" "$pz" "$fz"
done
