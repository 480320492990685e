#!/usr/bin/env python3
"""200 distinct client needs for the matching benchmark, as JSON bodies for POST /api/v1/matches
(one per line), built from the taxonomy's client words in sentences people write; deterministic.

Usage: match_needs.py [--count 200] [--seed 11] [--plain]   (--plain: the need text alone)
"""
import argparse, json, random
from pathlib import Path

TEMPLATES = [
    "We need help with {a}; it is getting in the way of running the business.",
    "Can anyone recommend someone for {a}? We are a small {who}.",
    "Our {who} has a problem: {a}, and also {b}.",
    "I run a {who} and honestly {a} is the thing I keep putting off.",
    "Looking for someone this month who can sort out {a}.",
    "{a} — who do people here use for that?",
]
WHO = ["bakery", "law office", "yoga studio", "plumbing company", "nonprofit", "dental practice", "bookshop", "cafe",
       "design studio", "family farm", "gym", "real estate agency"]

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    words = []
    for line in (Path(__file__).resolve().parent.parent / "Resources/Taxonomy/niches.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "|" not in line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 2:
            words += [w.strip() for w in parts[2].split(";") if w.strip()]
    rng = random.Random(args.seed)
    seen = set()
    while len(seen) < args.count:
        need = rng.choice(TEMPLATES).format(a=rng.choice(words), b=rng.choice(words), who=rng.choice(WHO))
        need = need[0].upper() + need[1:]
        if need in seen:
            continue
        seen.add(need)
        print(need if args.plain else json.dumps({"need": need, "limit": 10}))

if __name__ == "__main__":
    main()
