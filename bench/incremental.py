#!/usr/bin/env python3
"""Times `pufa serve`'s edit-and-see loop (issue 5): from writing a page to the reload event on the page's
event stream (/_pufa/live), for a body edit and for a retitle (which changes lists, feeds and the search index).

usage: incremental.py HOST:PORT SITE_DIR RUNS
Prints one line per kind: "body MEDIAN_MS all=[...]" and "retitle MEDIAN_MS all=[...]".
"""
import http.client
import os
import random
import signal
import statistics
import sys
import time


def events(conn):
    """Yields SSE event names as they arrive."""
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    name = None
    while True:
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line == "" and name:
            yield name
            name = None


def main():
    host, site, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = http.client.HTTPConnection(host, timeout=120)
    conn.request("GET", "/_pufa/live")
    stream = events(conn)
    pages = []
    for d, _, files in os.walk(os.path.join(site, "content")):
        pages += [os.path.join(d, f) for f in files if f.endswith(".md") and f != "_index.md"]
    pages.sort()
    rng = random.Random(5)
    results = {"body": [], "retitle": []}
    for run in range(runs):
        for kind in ("body", "retitle"):
            page = rng.choice(pages)
            with open(page, encoding="utf-8") as f:
                text = f.read()
            # Every edit is new text, also when the corpus was edited by an earlier run.
            mark = time.time_ns()
            if kind == "body":
                new = text + f"\n第{mark}次修改：新增一段说明。\n"
            else:
                lines = text.split("\n")
                i = next(n for n, l in enumerate(lines) if l.startswith("title:"))
                lines[i] = f"title: 改过的标题{mark}"
                new = "\n".join(lines)
            signal.alarm(120)  # no reload within two minutes: fail instead of waiting forever
            start = time.perf_counter()
            with open(page, "w", encoding="utf-8") as f:
                f.write(new)
            for name in stream:
                if name == "reload":
                    break
                if name == "hello":
                    # The greeting the stream opens with (the server's generation), not an answer to the edit.
                    continue
                raise SystemExit(f"unexpected event {name} after editing {page}")
            results[kind].append((time.perf_counter() - start) * 1000)
            signal.alarm(0)
            time.sleep(0.5)  # let the watcher settle before the next edit
    for kind, ms in results.items():
        print(f"{kind} {statistics.median(ms):.1f} all=[{', '.join(f'{m:.0f}' for m in ms)}]")


if __name__ == "__main__":
    main()
