#!/usr/bin/env python3
"""Writes a corpus that reads like a collection of Chinese law texts, for the build and search benchmarks
(issue 15): pages of about 18 KB on average with a long tail (a few run past 100 KB, as the 民法典 does),
chapters and numbered articles, and a vocabulary as varied as real text. Sentences mix legal phrasing with words
drawn by frequency from jieba's dictionary (PyPI package `jieba`, 349,046 words), so the index meets far more
distinct bigrams than the small word lists of ../shared/bench/gen_corpus.py. Some pages carry the phrases the
benchmark queries look for (宪法, 专利保护, 未成年人, 网络安全, 消费者权益保护, 电信网络诈骗, 高空抛物), at realistic rates.
Deterministic for a given seed.

usage: gen_laws.py OUT_DIR [PAGES=3500] [SEED=1]
"""
import bisect
import math
import os
import random
import sys

import jieba  # only for its dictionary file

out = sys.argv[1]
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 3500
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

words, weights = [], []
with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
    for line in f:
        w, freq, _ = line.split(" ")
        if 1 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w):
            words.append((int(freq), w))
# The 25,000 most frequent words, drawn by frequency: a law collection's vocabulary is wide but far from the
# whole dictionary (with all of it the index came out three times the size of a real corpus's).
words.sort(reverse=True)
words = words[:25_000]
weights = [f for f, _ in words]
words = [w for _, w in words]
cum = []
total = 0.0
for w in weights:
    total += w
    cum.append(total)


def word():
    return words[min(len(words) - 1, bisect.bisect(cum, rng.random() * total))]


NUM = "零一二三四五六七八九"


def cn(n):
    """1 to 9999 in Chinese numerals, as law texts number their articles."""
    if n < 10:
        return NUM[n]
    out, units = "", [(1000, "千"), (100, "百"), (10, "十")]
    zero = False
    for size, name in units:
        d, n = divmod(n, size)
        if d:
            if zero:
                out += "零"
            out += ("" if (size == 10 and d == 1 and not out) else NUM[d]) + name
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + NUM[n]
    return out


SUBJ = ["公民", "国家机关", "人民法院", "人民检察院", "县级以上地方人民政府", "国务院有关部门", "村民委员会", "用人单位",
        "未成年人的父母或者其他监护人", "学校、幼儿园", "生产经营单位", "行政执法人员", "消费者", "经营者", "网络运营者",
        "居民委员会", "专利权人", "当事人", "建筑物管理人", "电信业务经营者", "任何组织和个人"]
MODAL = ["应当", "不得", "有权", "可以", "必须", "依法", "应当及时", "应当依照本法规定"]
TAILS = ["法律另有规定的除外。", "具体办法由国务院规定。", "并接受社会监督。", "情节严重的，依法追究刑事责任。",
         "造成损失的，依法承担赔偿责任。", "由有关主管部门责令改正。", "保障其合法权益。"]
TOPICS = [("宪法", 0.05), ("专利保护", 0.02), ("未成年人", 0.08), ("网络安全", 0.05), ("消费者权益保护", 0.04),
          ("电信网络诈骗", 0.02), ("高空抛物", 0.005)]
KINDS = [("法律", "中华人民共和国{}法"), ("行政法规", "{}条例"), ("地方性法规", "某某省{}条例"),
         ("部门规章", "{}管理办法"), ("司法解释", "最高人民法院关于审理{}案件适用法律若干问题的解释")]


def phrase(n):
    return "".join(word() for _ in range(n))


def sentence(topics):
    s = rng.choice(SUBJ) + rng.choice(MODAL) + phrase(rng.randint(3, 8))
    if topics and rng.random() < 0.3:
        s += rng.choice(topics)
    s += "，" + phrase(rng.randint(2, 6))
    return s + ("。" if rng.random() < 0.7 else "，" + rng.choice(TAILS))


os.makedirs(f"{out}/content", exist_ok=True)
with open(f"{out}/content/_index.md", "w", encoding="utf-8") as f:
    f.write("---\ntitle: 法律法规库\n---\n")
for k, (kind, _) in enumerate(KINDS):
    os.makedirs(f"{out}/content/k{k}", exist_ok=True)
    with open(f"{out}/content/k{k}/_index.md", "w", encoding="utf-8") as f:
        f.write(f"---\ntitle: {kind}\n---\n{kind}。\n")
written = 0
for i in range(pages):
    k = rng.randrange(len(KINDS))
    topics = [t for t, p in TOPICS if rng.random() < p * 4]
    name = (topics[0] if topics and rng.random() < 0.5 else "") + phrase(rng.randint(1, 2))
    title = KINDS[k][1].format(name) + f"（{2000 + rng.randint(0, 24)}年修正）" * (rng.random() < 0.3)
    # Size: lognormal around 18 KB (median ~12 KB), a few past 100 KB.
    target = int(min(400_000, math.exp(rng.gauss(math.log(12_000), 0.9))))
    body = [f"{phrase(6)}，制定本法。\n" if k == 0 else f"为了{phrase(4)}，根据有关法律，制定本{KINDS[k][0][-2:]}。\n"]
    size, art, chapter = 0, 0, 0
    while size < target:
        chapter += 1
        body.append(f"## 第{cn(chapter)}章　{phrase(2)}\n")
        for _ in range(rng.randint(4, 15)):
            art += 1
            text = f"第{cn(art)}条　" + "".join(sentence(topics) for _ in range(rng.randint(1, 4))) + "\n"
            body.append(text)
            size += len(text.encode())
            if size >= target:
                break
    fm = f"---\ntitle: \"{title}\"\ndate: {2000 + rng.randint(0, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
    if topics:
        fm += f"tags: [{', '.join(topics)}]\n"
    text = fm + "---\n" + "\n".join(body)
    written += len(text.encode())
    with open(f"{out}/content/k{k}/l{i}.md", "w", encoding="utf-8") as f:
        f.write(text)
print(f"{pages} pages, {written / 1e6:.1f} MB of markdown, {written / pages / 1e3:.1f} KB a page", file=sys.stderr)
