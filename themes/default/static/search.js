// Client-side search over the static index in /search/: a port of src/site/search/ (tokens, shard_of, read_shard,
// lookup, excerpt): keep both in step. A query fetches pages.json once, only the shards of its own tokens
// (s/NNN.bin, binary: see postings below), and for the
// results it shows their rows (p/N.json) and the one block of their text where the query matches, by byte range
// from the page's text file (t/K/EY.json, a JSON array of blocks; the whole file where a server ignores ranges).
(function () {
  "use strict";
  var box = document.getElementById("search-results");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  if (!box || !form || !input) return;
  var base = box.getAttribute("data-index");
  var root = box.getAttribute("data-root") || "";
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var VERSION = 4, HITS = 64, LEAD = 20, LENGTH = 100, SHOW = 10;
  var table = null;
  var shards = {};
  var files = {};

  function isCjk(ch) {
    var c = ch.codePointAt(0);
    return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0x20000 && c <= 0x2ffff);
  }

  // Same tokens as search::tokens: CJK bigrams (a lone character alone), lowercase letter/digit words.
  function tokens(text) {
    var chars = Array.from(text), out = [], i = 0;
    while (i < chars.length) {
      var c = chars[i];
      if (isCjk(c)) {
        var j = i + 1;
        while (j < chars.length && isCjk(chars[j])) { out.push(chars[j - 1] + chars[j]); j++; }
        if (j === i + 1) out.push(c);
        i = j;
      } else if (ALNUM.test(c)) {
        var k = i + 1;
        while (k < chars.length && ALNUM.test(chars[k]) && !isCjk(chars[k])) k++;
        out.push(chars.slice(i, k).join("").toLowerCase());
        i = k;
      } else {
        i++;
      }
    }
    return out;
  }

  function queryTokens(query) {
    return tokens(query).filter(function (t, i, a) { return a.indexOf(t) === i; });
  }

  // FNV-1a (32 bit) of the UTF-8 bytes, as search::shard_of.
  function shardOf(token, count) {
    var bytes = new TextEncoder().encode(token), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h % count;
  }

  function fetchJson(url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(url); return r.json(); });
  }

  function once(url) {
    if (!files[url]) files[url] = fetchJson(url);
    return files[url];
  }

  function loadShard(n) {
    if (!shards[n]) {
      var hex = n.toString(16);
      while (hex.length < 3) hex = "0" + hex;
      shards[n] = fetch(base + "s/" + hex + ".bin")
        .then(function (r) { if (!r.ok) throw new Error(hex); return r.arrayBuffer(); })
        .then(function (b) { return new Uint8Array(b); }, function () { return new Uint8Array(0); });
    }
    return shards[n];
  }

  // The postings of `tok` in a shard file's bytes, flat [page, value, ...], pages ascending; as search::read_shard.
  // The file is its tokens one after the other: the length of the token's UTF-8 bytes and the bytes, the length in
  // bytes of its postings, then per posting the page's distance from the previous one (the first from 0) and the
  // value; every number a LEB128 varint (seven bits a byte, low bits first). Other tokens are skipped unread.
  function postings(bytes, tok) {
    var want = new TextEncoder().encode(tok), at = 0;
    function varint() {
      var n = 0, mul = 1, b;
      do {
        if (at >= bytes.length) throw new Error("shard cut short");
        b = bytes[at++];
        n += (b & 0x7f) * mul;
        mul *= 128;
      } while (b >= 0x80);
      return n;
    }
    while (at < bytes.length) {
      var len = varint(), start = at, same = len === want.length;
      for (var i = 0; same && i < len; i++) same = bytes[start + i] === want[i];
      at = start + len;
      var end = varint() + at;
      if (!same) { at = end; continue; }
      var out = [], page = 0;
      while (at < end) { page += varint(); out.push(page, varint()); }
      return out;
    }
    return [];
  }

  // Same as search::lookup: the pages holding every token, or else those holding at least half of them
  // (partial); by tokens held, title, hits, page number. Null: only single characters were typed.
  function lookup(toks) {
    if (toks.every(function (t) { return Array.from(t).length < 2; })) return Promise.resolve(null);
    return Promise.all(toks.map(function (t) { return loadShard(shardOf(t, table.shards)); })).then(function (loaded) {
      var pages = new Map();
      toks.forEach(function (tok, i) {
        var flat = postings(loaded[i], tok);
        for (var k = 0; k < flat.length; k += 2) {
          var page = flat[k], v = flat[k + 1], rest = v >>> 1;
          var block = Math.floor(rest / HITS), hits = rest % HITS, title = (v & 1) === 1;
          var h = pages.get(page);
          if (!h) { h = { page: page, matched: 0, title: true, hits: 0, block: block }; pages.set(page, h); }
          h.matched += 1;
          h.title = h.title && title;
          h.hits += hits;
          h.block = Math.min(h.block, block);
        }
      });
      var all = toks.length, full = false;
      pages.forEach(function (h) { if (h.matched === all) full = true; });
      var need = full ? all : Math.ceil(all / 2), hits = [];
      pages.forEach(function (h) { if (h.matched >= need) hits.push(h); });
      hits.sort(function (a, b) {
        return (b.matched - a.matched) || (b.title - a.title) || (b.hits - a.hits) || (a.page - b.page);
      });
      return { hits: hits, partial: !full };
    });
  }

  function fold(ch) {
    var l = ch.toLowerCase();
    return Array.from(l).length === 1 ? l : ch;
  }

  // Every occurrence of a token in `chars`, as [start, end) sorted.
  function spansOf(chars, toks) {
    var folded = chars.map(fold), spans = [];
    toks.forEach(function (tok) {
      var tc = Array.from(tok);
      if (!tc.length || tc.length > folded.length) return;
      for (var i = 0; i + tc.length <= folded.length; i++) {
        var k = 0;
        while (k < tc.length && folded[i + k] === tc[k]) k++;
        if (k === tc.length) spans.push([i, i + tc.length]);
      }
    });
    spans.sort(function (a, b) { return (a[0] - b[0]) || (a[1] - b[1]); });
    return spans;
  }

  // [text, marked] parts of chars[start, end), the spans merged and marked.
  function parts(chars, spans, start, end) {
    var out = [], merged = [], pos = start;
    var shown = function (a, b) { return chars.slice(a, b).join("").replace(/\n/g, " "); };
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
    });
    merged.forEach(function (m) {
      var s = Math.max(m[0], pos), e = Math.min(m[1], end);
      if (s >= e) return;
      if (pos < s) out.push([shown(pos, s), false]);
      out.push([shown(s, e), true]);
      pos = e;
    });
    if (pos < end) out.push([shown(pos, end), false]);
    return out;
  }

  // Same as search::excerpt.
  function excerpt(block, toks) {
    var chars = Array.from(block.t), spans = spansOf(chars, toks);
    var first = spans.length ? spans[0][0] : 0, start = Math.max(0, first - LEAD);
    for (var p = first - 1; p >= start; p--) if (chars[p] === "\n") { start = p + 1; break; }
    var end = Math.min(start + LENGTH, chars.length), out = [];
    if (start > 0 && chars[start - 1] !== "\n") out.push(["…", false]);
    out = out.concat(parts(chars, spans, start, end));
    if (end < chars.length) out.push(["…", false]);
    var anchor = null;
    block.a.forEach(function (a) { if (a[0] <= first) anchor = a[1]; });
    return { parts: out, anchor: anchor };
  }

  // Block n of the page of `row`: its bytes of the page's text file (as search::block_range), asked for by range.
  // A server that ignores ranges answers 200 with the whole file, a JSON array of the blocks.
  function block(row, n) {
    var url = base + "t/" + row.key.slice(0, 1) + "/" + row.key.slice(1) + ".json", lens = row.blocks || [];
    var id = url + "#" + n;
    if (!files[id]) {
      var init = {};
      if (n < lens.length) {
        var start = 1 + n;
        for (var i = 0; i < n; i++) start += lens[i];
        init.headers = { Range: "bytes=" + start + "-" + (start + lens[n] - 1) };
      }
      files[id] = fetch(url, init).then(function (r) {
        if (!r.ok) throw new Error(url);
        return r.json().then(function (b) {
          b = r.status === 206 ? b : b[n];
          if (!b || typeof b.t !== "string") throw new Error(url);
          return b;
        });
      });
    }
    return files[id];
  }

  // The row and excerpt of each hit, fetching only their chunks and blocks.
  function details(hits, toks) {
    return Promise.all(hits.map(function (h) {
      return once(base + "p/" + Math.floor(h.page / table.chunk) + ".json").then(function (chunk) {
        var row = chunk[h.page % table.chunk];
        return block(row, h.block)
          .then(function (b) { return excerpt(b, toks); }, function () { return { parts: [], anchor: null }; })
          .then(function (ex) { return { row: row, excerpt: ex }; });
      });
    }));
  }

  function marked(list, into) {
    list.forEach(function (p) {
      if (p[1]) {
        var mark = document.createElement("mark");
        mark.textContent = p[0];
        into.appendChild(mark);
      } else {
        into.appendChild(document.createTextNode(p[0]));
      }
    });
  }

  function say(text) {
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
  }

  function item(d, toks, partial) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "title";
    a.href = root + d.row.url + (d.excerpt.anchor ? "#" + d.excerpt.anchor : "");
    var title = Array.from(d.row.title);
    marked(parts(title, spansOf(title, toks), 0, title.length), a);
    li.appendChild(a);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [d.row.date, d.row.section].filter(Boolean).join(" · ");
    if (partial) {
      var tag = document.createElement("span");
      tag.className = "partial";
      tag.textContent = box.getAttribute("data-partial-tag") || "~";
      meta.appendChild(tag);
    }
    li.appendChild(meta);
    if (d.excerpt.parts.length) {
      var p = document.createElement("p");
      p.className = "summary";
      marked(d.excerpt.parts, p);
      li.appendChild(p);
    }
    return li;
  }

  // Shows the hits from `from` on, SHOW at a time, with a button for the next ones.
  function more(found, toks, ul, from) {
    var next = found.hits.slice(from, from + SHOW);
    return details(next, toks).then(function (list) {
      list.forEach(function (d) { ul.appendChild(item(d, toks, found.partial)); });
      if (from + SHOW < found.hits.length) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "more";
        button.textContent = box.getAttribute("data-more") || "…";
        button.addEventListener("click", function () {
          box.removeChild(button);
          more(found, toks, ul, from + SHOW);
        });
        box.appendChild(button);
      }
    });
  }

  function run(query) {
    query = query.trim();
    if (!query) { box.textContent = ""; return; }
    say(box.getAttribute("data-loading"));
    var toks = queryTokens(query);
    var ready = table ? Promise.resolve(table) : fetchJson(base + "pages.json").then(function (t) {
      if (t.version !== VERSION) throw new Error("index version " + t.version);
      table = t;
      return t;
    });
    ready.then(function () { return lookup(toks); })
      .then(function (found) {
        if (found === null) { say(box.getAttribute("data-short")); return; }
        if (!found.hits.length) { say(box.getAttribute("data-none")); return; }
        // A site's own search.html from before partial matches has no data-partial: the count stands in.
        var count = (found.partial && box.getAttribute("data-partial")) || box.getAttribute("data-count") || "{n}";
        say(count.replace("{n}", String(found.hits.length)));
        var ul = document.createElement("ul");
        ul.className = "page-list";
        box.appendChild(ul);
        return more(found, toks, ul, 0);
      })
      .catch(function () { say(box.getAttribute("data-failed")); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    run(q);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
})();
