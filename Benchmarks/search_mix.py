#!/usr/bin/env python3
"""Search at a realistic mix: 1,000 distinct queries people would type, each sent once.

The queries come from the taxonomy (Resources/Taxonomy/niches.txt): niche names, synonyms, the
words clients use ("books are a mess"), two-word combinations of those, and 5 % with one typo;
deterministic for a seed. Each is sent once over one keep-alive connection, in a shuffled order,
so every request is a first (uncached) search, then the whole list again (what the search cache
gives a repeated query). /ping is timed in the same run as the floor.

Usage: search_mix.py BASE_URL [--queries 1000] [--seed 7] [--path /api/v1/members?q=]
"""
import argparse, http.client, random, statistics, sys, time, urllib.parse
from pathlib import Path

def vocabulary(path):
    phrases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        phrases.append(parts[0])
        for part in parts[1:]:
            phrases += [p.strip() for p in part.split(";") if p.strip()]
    return sorted(set(phrases))

def typo(rng, text):
    words = text.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) < 4:
        return text
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        word = word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    elif kind == "drop":
        word = word[:i] + word[i + 1:]
    else:
        word = word[:i] + word[i] + word[i:]
    words[index] = word
    return " ".join(words)

def queries(phrases, count, seed):
    rng = random.Random(seed)
    chosen, seen = [], set()
    singles = rng.sample(phrases, min(len(phrases), int(count * 0.7)))
    for phrase in singles:
        if phrase not in seen:
            seen.add(phrase); chosen.append(phrase)
    words = sorted({w for p in phrases for w in p.split() if len(w) > 3})
    while len(chosen) < count:
        pair = f"{rng.choice(words)} {rng.choice(words)}"
        if pair not in seen:
            seen.add(pair); chosen.append(pair)
    for i in rng.sample(range(len(chosen)), count // 20):
        chosen[i] = typo(rng, chosen[i])
    rng.shuffle(chosen)
    return chosen

def timed(connection, path):
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed

def summary(label, times):
    ordered = sorted(times)
    pct = lambda p: ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
    return f"| {label} | {len(times)} | {pct(50):.2f} | {pct(90):.2f} | {pct(99):.2f} | {ordered[-1]:.2f} |"

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--path", default="/api/v1/members?q=")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    mix = queries(vocabulary(root / "Resources/Taxonomy/niches.txt"), args.queries, args.seed)
    url = urllib.parse.urlparse(args.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    pings = [timed(connection, "/ping") for _ in range(300)]
    first = []
    for q in mix:
        first.append((timed(connection, args.path + urllib.parse.quote(q)), q))
    again = [timed(connection, args.path + urllib.parse.quote(q)) for q in mix]
    print("| run | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(summary("`/ping`", pings))
    print(summary(f"{len(mix)} distinct queries, first time", [t for t, _ in first]))
    print(summary("the same queries again (search cache)", again))
    print()
    print("slowest first-time queries: " + ", ".join(f"“{q}” {t:.1f} ms" for t, q in sorted(first, reverse=True)[:10]))

if __name__ == "__main__":
    main()
