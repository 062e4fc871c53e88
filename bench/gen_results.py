#!/usr/bin/env python3
"""Writes a `pufa-results` file (the format of `pufa export`) of made-up submitted attempts, for timing
`pufa export` and `pufa import` on a province-sized competition (issue 4).

usage: gen_results.py ATTEMPTS QUESTIONS OUT.jsonl

Every attempt is submitted, of competition `province`, with QUESTIONS drawn questions and a grade shaped like the
ones pufa stores, so lines are as long as real ones (about 250 bytes per question).
"""

import json
import random
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    attempts, questions, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(4)
    qids = [f"q{i:03}" for i in range(questions)]
    points = 100 // max(questions, 1)
    with open(out, "w", encoding="utf-8") as f:
        header = {
            "format": "pufa-results",
            "version": 1,
            "exported_at": "2026-06-01T08:00:00Z",
            "competitions": ["province"],
            "attempts": attempts,
        }
        f.write(json.dumps(header, separators=(",", ":")) + "\n")
        for i in range(attempts):
            org = f"school-{i % 400:03}"
            name, grp = f"学生{i}", f"{i % 9 + 1}年级{i % 7 + 1}班"
            started = 1_780_000_000_000 + i * 1_000
            correct = [rnd.random() < 0.7 for _ in qids]
            drawn = [{"id": q, "points": points, "order": rnd.sample(range(4), 4)} for q in qids]
            answers = {q: ["A"] if ok else ["B"] for q, ok in zip(qids, correct)}
            results = [
                {"id": q, "correct": ok, "answer": ["A"], "given": answers[q], "points": points,
                 "earned": points if ok else 0}
                for q, ok in zip(qids, correct)
            ]
            score = sum(points for ok in correct if ok)
            grade = {"score": score, "max_score": points * questions, "passed": score >= 60, "results": results}
            attempt = {
                "id": f"{i:032x}",
                "competition": "province",
                "organization": org,
                "name": name,
                "grp": grp,
                "participant_key": f"{org}\u001f{name}\u001f{grp}",
                "number": 1,
                "seed": rnd.randrange(-2**63, 2**63),
                "drawn": json.dumps(drawn, separators=(",", ":")),
                "started_at": started,
                "deadline": started + 600_000,
                "submitted_at": started + 300_000,
                "answers": json.dumps(answers, separators=(",", ":"), ensure_ascii=False),
                "score": score,
                "max_score": points * questions,
                "passed": score >= 60,
                "duration_ms": 300_000,
                "grade": json.dumps(grade, separators=(",", ":"), ensure_ascii=False),
            }
            responses = [{"question": q, "correct": ok} for q, ok in sorted(zip(qids, correct))]
            line = {"attempt": attempt, "responses": responses}
            f.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
