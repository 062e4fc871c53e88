// Client-side search over the static index in /search/: a port of src/site/search.rs (tokens, shard_of,
// lookup): keep both in step. A query fetches pages.json once, only the shards of its own tokens, and only the
// chunks of the page table (p/N.json) that hold the results it shows.
(function () {
  "use strict";
  var box = document.getElementById("search-results");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  if (!box || !form || !input) return;
  var base = box.getAttribute("data-index");
  var root = box.getAttribute("data-root") || "";
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var table = null;
  var shards = {};
  var chunks = {};

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

  // FNV-1a (32 bit) of the UTF-8 bytes, as search::shard_of.
  function shardOf(token, count) {
    var bytes = new TextEncoder().encode(token), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h % count;
  }

  function fetchJson(url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(url); return r.json(); });
  }

  function loadShard(n) {
    if (!shards[n]) {
      var hex = (n < 16 ? "0" : "") + n.toString(16);
      shards[n] = fetchJson(base + "s/" + hex + ".json").catch(function () { return {}; });
    }
    return shards[n];
  }

  function loadChunk(n) {
    if (!chunks[n]) chunks[n] = fetchJson(base + "p/" + n + ".json");
    return chunks[n];
  }

  // The page-table rows of `hits` (at most 200), fetching the chunks they are in.
  function rows(hits) {
    var size = table.chunk || 1, wanted = [];
    hits.forEach(function (h) {
      var n = Math.floor(h.page / size);
      if (wanted.indexOf(n) < 0) wanted.push(n);
    });
    return Promise.all(wanted.map(loadChunk)).then(function (loaded) {
      return hits.map(function (h) {
        var chunk = loaded[wanted.indexOf(Math.floor(h.page / size))];
        return chunk[h.page % size];
      });
    });
  }

  // Same as search::lookup: every token must match; title matches first, then hits, then page number.
  function lookup(query) {
    var toks = tokens(query).filter(function (t, i, a) { return a.indexOf(t) === i; });
    if (!toks.length) return Promise.resolve(null);
    return Promise.all(toks.map(function (t) { return loadShard(shardOf(t, table.shards)); })).then(function (loaded) {
      var result = null;
      toks.forEach(function (tok, i) {
        var flat = loaded[i][tok] || [], pages = new Map(), page = 0;
        for (var k = 0; k < flat.length; k += 2) {
          page += flat[k];
          var v = flat[k + 1] || 0;
          pages.set(page, [(v & 1) === 1, v >>> 1]);
        }
        if (result === null) { result = pages; return; }
        var next = new Map();
        result.forEach(function (th, p) {
          var o = pages.get(p);
          if (o) next.set(p, [th[0] && o[0], th[1] + o[1]]);
        });
        result = next;
      });
      var hits = [];
      result.forEach(function (th, p) { hits.push({ page: p, title: th[0], hits: th[1] }); });
      hits.sort(function (a, b) {
        return (b.title - a.title) || (b.hits - a.hits) || (a.page - b.page);
      });
      return hits;
    });
  }

  function highlight(text, query) {
    var frag = document.createDocumentFragment();
    var parts = query.split(/\s+/).filter(Boolean).map(function (p) { return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    if (!parts.length) { frag.appendChild(document.createTextNode(text)); return frag; }
    var re = new RegExp("(" + parts.join("|") + ")", "gi"), last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m[0] === "") { re.lastIndex++; continue; }
      frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.appendChild(mark);
      last = m.index + m[0].length;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function say(text) {
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
  }

  function show(query, hits, shown) {
    if (hits === null) { say(box.getAttribute("data-short")); return; }
    if (!hits.length) { say(box.getAttribute("data-none")); return; }
    say(box.getAttribute("data-count").replace("{n}", String(hits.length)));
    var ul = document.createElement("ul");
    ul.className = "page-list";
    shown.forEach(function (row) {
      if (!row) return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "title";
      a.href = root + row.url;
      a.appendChild(highlight(row.title, query));
      li.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = [row.date, row.section].filter(Boolean).join(" · ");
      li.appendChild(meta);
      if (row.summary) {
        var p = document.createElement("p");
        p.className = "summary";
        p.appendChild(highlight(row.summary, query));
        li.appendChild(p);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function run(query) {
    query = query.trim();
    if (!query) { box.textContent = ""; return; }
    say(box.getAttribute("data-loading"));
    var ready = table ? Promise.resolve(table) : fetchJson(base + "pages.json").then(function (t) { table = t; return t; });
    ready.then(function () { return lookup(query); })
      .then(function (hits) {
        if (!hits || !hits.length) { show(query, hits, []); return; }
        return rows(hits.slice(0, 200)).then(function (shown) { show(query, hits, shown); });
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
