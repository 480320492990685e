#!/usr/bin/env python3
"""Table ownership and feature dependencies of Sources/Guild (issue 31). Static text analysis, stdlib only.

  scripts/architecture.py          print the report (markdown)
  scripts/architecture.py --check  same, exit 1 if a feature names another feature's table or the graph has a cycle
  scripts/architecture.py --ratchet scripts/architecture-baseline.json
                                   CI: exit 1 if any count is above the baseline (the seams may only close);
                                   prints the new counts when they are below it, to lower the baseline

Heuristics (read the report with them in mind):
- Swift is lexed just enough to tell code, string literals (with `\\(…)` interpolation as code) and comments apart.
- Tables: Fluent `.schema("x")…create()` and SQL `CREATE [VIRTUAL] TABLE` in each migration's `prepare`
  (text before `func revert`); a `DROP TABLE` / `.schema("x").delete()` there marks the table dropped.
- SQL uses: upper-case `FROM|JOIN x` (read) and `INSERT INTO|UPDATE|DELETE FROM x` (write) inside string literals,
  SQLKit builders (`insert(into: "x")`, `from("x")`…), `in: "x"` arguments (FreeSlug), `for t in ["x", …]` lists
  used as `\\(unsafeRaw: t)`, and Fluent models of another feature (`M.query(on:`, `M.find(id, on:`; a
  `.delete()/.set(/.save(on:/.create(on:` on the same line, or `m.save(on:` on a variable named like the model, is a write).
- Owners: the feature whose Fluent model says `static let schema = "x"`, else the one with most inserts, then
  writes, then reads of x (Commands/ left out: the demo writers touch everything; Core/ and API/ may win).
- Dependencies: A -> B when code in A names a top-level, non-private type or typealias declared in B
  (not after a `.`, and not when the same file declares a type of that name, e.g. a local `struct Profile`).
"""
import re, sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "Sources/Guild"
FEATURES = SRC / "Features"
FEATURE_NAMES = sorted(p.name for p in FEATURES.iterdir() if p.is_dir())
# Symbols issue 31 names as shared helpers living in a feature: where they are declared and who uses them.
HELPERS = ["OneToOnes.people", "Choice", "CoverController.slug", "ContactsController.split", "SearchController.nicheOptions"]

def lex(src):
    """Return (code, strings): copies of src where everything but code (resp. string-literal text) is blanked."""
    code, strs = [c if c == "\n" else " " for c in src], [c if c == "\n" else " " for c in src]
    stack, i, n = [["code", 0]], 0, len(src)
    while i < n:
        mode, c = stack[-1], src[i]
        if mode[0] == "code":
            if src.startswith("//", i):
                i = src.find("\n", i) if "\n" in src[i:] else n
            elif src.startswith("/*", i):
                depth, i = 1, i + 2
                while i < n and depth:
                    depth += src.startswith("/*", i) - src.startswith("*/", i)
                    i += 2 if src.startswith(("/*", "*/"), i) else 1
            elif src.startswith('"""', i):
                stack.append(["mstr"]); i += 3
            elif c == '"':
                stack.append(["str"]); i += 1
            elif c == ")" and len(stack) > 1 and mode[1] == 0:
                stack.pop(); i += 1  # end of an interpolation
            else:
                mode[1] += (c == "(") - (c == ")")
                code[i] = c; i += 1
        elif c == "\\" and src.startswith("(", i + 1):
            stack.append(["code", 0]); i += 2
        elif c == "\\":
            strs[i] = c; i += 2
        elif (mode[0] == "str" and c == '"') or (mode[0] == "mstr" and src.startswith('"""', i)):
            stack.pop(); i += 1 if mode[0] == "str" else 3
        else:
            strs[i] = c; i += 1
    return "".join(code), "".join(strs)

def where(path, text, pos):
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, pos) + 1}"

OTHER_DB = {"SQLite": "PostgreSQL", "PostgreSQL": "SQLite", None: None}

def flavours(code):
    """Per offset, 'SQLite'/'PostgreSQL'/None: the database an `isSQLite` branch, its else, or code after
    `guard !db.isSQLite else { return }` / `if db.isSQLite { …; return }` is limited to."""
    out, stack, last = [None] * len(code), [[None, False, None]], None  # [kind, returned, kind of the rest]
    for i, c in enumerate(code):
        if c == "{":
            head = code[code.rfind("\n", 0, i) + 1:i]
            m = re.search(r"\b(if|guard)\s+(!?)\s*\w+\.isSQLite", head)
            kind = ("SQLite" if (m[1] == "if") != bool(m[2]) else "PostgreSQL") if m else \
                OTHER_DB[last] if re.search(r"\belse\s*$", head) else None
            stack.append([kind, False, None])
        elif c == "}" and len(stack) > 1:
            kind, returned, _ = stack.pop()
            last = kind if "guard" not in code[code.rfind("\n", 0, i):i] else None
            if kind and returned and not re.match(r"\s*else", code[i + 1:i + 20]):
                stack[-1][2] = OTHER_DB[kind]
        elif code.startswith("return", i):
            stack[-1][1] = True
        kinds = [k for s in stack for k in (s[0], s[2]) if k]
        out[i] = kinds[-1] if kinds else None
    return out

def block(text, start):
    """The text of the brace block opening at or after start."""
    start, depth = text.index("{", start), 0
    for i in range(start, len(text)):
        depth += (text[i] == "{") - (text[i] == "}")
        if depth == 0:
            return text[start:i + 1]
    return text[start:]

def read_migrations():
    tables, niche_fks = {}, []
    for path in sorted((SRC / "Migrations").glob("[0-9]*.swift")):
        src = path.read_text()
        code, strs = lex(src)
        cut = code.find("func revert")
        cut = len(src) if cut < 0 else cut
        flav = flavours(code[:cut])
        def note(name, pos, kind, how):
            t = tables.setdefault(name, {"created": [], "dropped": None, "kind": kind, "db": set()})
            t["created"].append(f"{path.stem} ({how})")
            t["db"].add(flav[pos] or "both")
            if {"SQLite", "PostgreSQL"} <= t["db"]:
                t["db"] = {"both"}
        for m in re.finditer(r'\.schema\("(\w+)"\)', src[:cut]):
            end = src.find("try ", m.end())
            chain = src[m.end():end if end > 0 else cut]
            if code[m.start()] == " ":
                continue
            if ".create()" in chain:
                note(m[1], m.start(), "table", "Fluent")
                for f in re.finditer(r'\.field\("(\w+)"[^\n]*\.references\("niches"', chain):
                    niche_fks.append((m[1], f[1], path.stem))
            elif ".delete()" in chain and m[1] in tables:
                tables[m[1]]["dropped"] = path.stem
        for m in re.finditer(r"\bCREATE\s+(VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)(?:\s+USING\s+(\w+))?", strs[:cut]):
            note(m[2], m.start(), f"virtual ({m[3]})" if m[1] else "table", "SQL")
        for m in re.finditer(r"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)", strs[:cut]):
            if m[1] in tables:
                tables[m[1]]["dropped"] = path.stem
        for m in re.finditer(r"\bREFERENCES\s+niches\b", strs[:cut]):
            table = re.findall(r"\b(?:CREATE|ALTER)\s+TABLE\s+(\w+)", strs[:m.start()])[-1]
            col = re.findall(r"(\w+)\s+UUID\b[^,]*$", strs[:m.start()]) or re.findall(r"FOREIGN\s+KEY\s*\((\w+)\)\s*$", strs[:m.start()])
            niche_fks.append((table, col[-1] if col else "?", path.stem))
    for name, t in tables.items():  # an FTS5 table keeps its rows in shadow tables SQLite creates itself
        if t["kind"] == "virtual (fts5)":
            t["shadow"] = [f"{name}_{s}" for s in ("data", "idx", "content", "docsize", "config")]
    return tables, niche_fks

def swift_files(folder):
    for path in sorted(folder.rglob("*.swift")):
        src = path.read_text()
        yield path, src, *lex(src)

def feature_of(path):
    parts = path.relative_to(SRC).parts
    return parts[1] if parts[0] == "Features" else parts[0] if len(parts) > 1 else "(root)"

def scan(tables):
    """Model index, and every place code names a table: {(unit, table): [(rw, file:line, how)]}."""
    models, decls, top = {}, defaultdict(set), {}
    files = [f for f in swift_files(SRC) if "Migrations" not in f[0].relative_to(SRC).parts]
    for path, src, code, strs in files:
        feat = feature_of(path)
        for m in re.finditer(r"\b(?:struct|enum|class|actor|protocol|typealias)\s+(\w+)", code):
            decls[path].add(m[1])
            prefix = code[code.rfind("\n", 0, m.start()) + 1:m.start()]
            if code[:m.start()].count("{") == code[:m.start()].count("}") and "private" not in prefix:
                top[m[1]] = feat
        for s in re.finditer(r'static\s+(?:let|var)\s+schema\s*=\s*"(\w+)"', src):
            model = re.findall(r"\b(?:class|struct)\s+(\w+)[^{]*\bModel\b[^{]*\{", code[:s.start()])
            if model:
                models[model[-1]] = (s[1], feat)
    uses = defaultdict(list)
    def add(feat, table, rw, path, text, pos, how):
        site = (rw, where(path, text, pos), how)
        if table in tables and site not in uses[(feat, table)]:
            uses[(feat, table)].append(site)
    for path, src, code, strs in files:
        feat = feature_of(path)
        for m in re.finditer(r"\b(INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|DELETE\s+FROM|UPDATE)\s+(\w+)", strs):
            add(feat, m[2], "write", path, strs, m.start(), "SQL insert" if "INTO" in m[1] else "SQL")
        for m in re.finditer(r"\b(FROM|JOIN)\s+(\w+)", strs):
            if not re.search(r"DELETE\s+$", strs[max(0, m.start() - 12):m.start()]):
                add(feat, m[2], "read", path, strs, m.start(), "SQL")
        for m in re.finditer(r'\b(insert\(into:|update\(|delete\(from:|from\(|join\(|schema\(|\bin:)\s*"(\w+)"', src):
            if code[m.start()] != " ":
                rw = "write" if m[1] in ("insert(into:", "update(", "delete(from:") else "read"
                how = "table-name argument" if m[1] == "in:" else "SQLKit insert" if "insert" in m[1] else "SQLKit"
                add(feat, m[2], rw, path, src, m.start(), how)
        for m in re.finditer(r"for\s+(\w+)\s+in\s+\[([^\]]*)\]", src):
            kw = re.search(r"(INSERT\s+INTO|DELETE\s+FROM|UPDATE|FROM|JOIN)\s+\\\(unsafeRaw:\s*" + m[1] + r"\)", src[m.end():m.end() + 600])
            if kw and code[m.start()] != " ":
                for name in re.findall(r'"(\w+)"', m[2]):
                    add(feat, name, "read" if kw[1] in ("FROM", "JOIN") else "write", path, src, m.start(), "table list + unsafeRaw")
        for model, (table, owner) in models.items():
            for m in re.finditer(rf"(?<![.\w]){model}\.(query\(on:|find\((?!\w+:))", code):
                eol = code.find("\n", m.end())
                rw = "write" if re.search(r"\.(delete|set|update)\(", code[m.end():eol]) else "read"
                if m[1].startswith("find") and rw == "read":
                    continue  # `Model.find(id, on:)`: the owner's model by its key is the owner's read API
                add(feat, table, rw, path, code, m.start(), f"Fluent {model}")
            var = model[0].lower() + model[1:]
            for m in re.finditer(rf"(?:\b{var}|\b{model}\([^\n]*\))\.(save|create|update|delete)\(on:", code):
                add(feat, table, "write", path, code, m.start(), f"Fluent {model}")
    return files, models, decls, top, uses

OWNER_UNITS = set(FEATURE_NAMES) | {"Core", "API"}

def declared_owners():
    """{table: owner} from the README's table between the table-owners markers, and the problems found in it."""
    text = (ROOT / "README.md").read_text()
    begin, end = text.find("<!-- table-owners:begin -->"), text.find("<!-- table-owners:end -->")
    if begin < 0 or end < begin:
        return {}, ["README.md has no table-owners markers"]
    owners, problems = {}, []
    for line in text[begin:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("owner", "") or set(cells[0]) <= set("-"):
            continue
        owner = cells[0].split()[0]
        if owner not in OWNER_UNITS:
            problems.append(f"README.md: owner {owner!r} is not a feature folder, Core or API")
        for table in re.findall(r"`([a-z0-9_]+)`", cells[1]):
            if table in owners:
                problems.append(f"README.md: table {table} is listed under {owners[table]} and {owner}")
            owners[table] = owner
    return owners, problems

def propose_owners(tables, models, uses):
    owners = {}
    by_model = {table: (feat, model) for model, (table, feat) in models.items()}
    for table in tables:
        if table in by_model:
            owners[table] = (by_model[table][0], f"model `{by_model[table][1]}`")
            continue
        i, w, r = Counter(), Counter(), Counter()  # inserts (who creates the rows), all writes, reads
        for (feat, t), sites in uses.items():
            if t == table and feat not in ("Commands", "Migrations"):
                i[feat] += sum("insert" in s[2] for s in sites)
                w[feat] += sum(s[0] == "write" for s in sites); r[feat] += sum(s[0] == "read" for s in sites)
        ranked = sorted(set(w) | set(r), key=lambda f: (-i[f], -w[f], -r[f], f))
        if not ranked:
            owners[table] = ("?", "not named outside migrations"); continue
        best, others = ranked[0], ", ".join(f"{f} {i[f]}i/{w[f]}w/{r[f]}r" for f in ranked[1:4])
        how = "most inserts" if i[best] else "most writes" if w[best] else "only reads"
        owners[table] = (best, f"{how}: {i[best]}i/{w[best]}w/{r[best]}r" + (f" (then {others})" if others else ""))
    return owners

def dependencies(files, decls, top):
    """{(A, B): [(symbol, file:line)]} for code in feature A naming a type of feature B."""
    edges, helpers = defaultdict(list), defaultdict(list)
    for path, src, code, strs in files:
        if path.relative_to(SRC).parts[0] != "Features":
            continue
        feat = feature_of(path)
        for m in re.finditer(r"(?<![.\w$])([A-Z]\w*)(?:\.(\w+))?", code):
            name, member = m[1], m[2]
            symbol = f"{name}.{member}" if member else name
            owner = top.get(name)
            if name in decls[path] and owner != feat:
                continue  # a type of the same name declared in this file shadows it
            for h in HELPERS:
                if symbol == h or name == h:
                    helpers[h].append((feat, where(path, code, m.start())))
            if owner and owner != feat and owner in FEATURE_NAMES:
                edges[(feat, owner)].append((symbol, where(path, code, m.start())))
    return edges, helpers

def tarjan(nodes, adj):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in sorted(adj[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            out.append(sorted(comp))
    for v in sorted(nodes):
        if v not in index: visit(v)
    return out

def symbols_summary(sites, limit=4):
    by = defaultdict(list)
    for symbol, site in sites:
        by[symbol].append(site)
    return "; ".join(f"`{s}` ×{len(w)} ({', '.join(w[:2])}{', …' if len(w) > 2 else ''})"
                     for s, w in sorted(by.items(), key=lambda kv: -len(kv[1]))[:limit]) + (" …" if len(by) > limit else "")

GRAPH_BEGIN, GRAPH_END = "<!-- dependency-graph:begin -->", "<!-- dependency-graph:end -->"

def graph_block(edges, pairs, sccs):
    """The README's dependency graph: each feature and the features its code names, generated here."""
    adj = defaultdict(set)
    for a, b in edges: adj[a].add(b)
    lines = [GRAPH_BEGIN, "", "| feature | depends on |", "|---|---|"]
    for a in FEATURE_NAMES:
        deps = ", ".join(f"{b} ↔" if (b, a) in edges else b for b in sorted(adj[a]))
        lines.append(f"| {a} | {deps or '(nothing)'} |")
    lines += ["", f"{len(edges)} edges; two-way pairs ({len(pairs)}): " + (", ".join(f"{a} ↔ {b}" for a, b in pairs) or "none") + "; "
              + ("cycles through " + "; ".join(", ".join(c) for c in sccs) if sccs else "no cycle") + ".", "", GRAPH_END]
    return "\n".join(lines)

def main():
    tables, niche_fks = read_migrations()
    files, models, decls, top, uses = scan(tables)
    proposed = propose_owners(tables, models, uses)
    declared, problems = declared_owners()
    live = {n for n, t in tables.items() if not t["dropped"]}
    problems += [f"README.md: table {t} (created by a migration) has no owner; proposed: {proposed[t][0]} ({proposed[t][1]})"
                 for t in sorted(live - set(declared))]
    problems += [f"README.md: table {t} is not a live table of any migration" for t in sorted(set(declared) - live)]
    owners = {t: (declared[t], "README") if t in declared else ("?", "not in README") for t in live}
    out = print
    out("# Guild architecture report (generated by scripts/architecture.py)\n")
    out(f"## Tables created by migrations ({len(tables)})\n\n| table | created in | kind | database | dropped in |\n|---|---|---|---|---|")
    for name, t in sorted(tables.items()):
        kind = t["kind"] + (f"; shadow tables {', '.join(t['shadow'])}" if t.get("shadow") else "")
        out(f"| {name} | {'; '.join(t['created'])} | {kind} | {'/'.join(sorted(t['db']))} | {t['dropped'] or ''} |")
    out(f"\n## Owners ({len(live)} live tables; declared in README.md, the heuristic's guess beside them)\n\n| table | owner | guess | how guessed |\n|---|---|---|---|")
    for name in sorted(live):
        out(f"| {name} | {owners[name][0]} | {proposed[name][0]} | {proposed[name][1]} |")
    for p in problems:
        out(f"\n**{p}**")
    foreign = defaultdict(list)
    for (feat, table), sites in uses.items():
        if feat in OWNER_UNITS and table in live and owners[table][0] != feat:
            foreign[feat] += [(table, *s) for s in sites]
    out("\n## Features naming tables they do not own\n\n| feature | foreign tables | sites (reads / writes) |\n|---|---|---|")
    for feat, sites in sorted(foreign.items(), key=lambda kv: (-len({s[0] for s in kv[1]}), -len(kv[1]))):
        out(f"| {feat} | {len({s[0] for s in sites})} | {len(sites)} ({sum(s[1] == 'read' for s in sites)} / {sum(s[1] == 'write' for s in sites)}) |")
    for feat, sites in sorted(foreign.items()):
        out(f"\n### {feat}")
        by = defaultdict(list)
        for table, rw, site, how in sites:
            by[(rw, table)].append(site + (f" [{how}]" if not how.startswith("SQL") else ""))
        for rw, table in sorted(by):
            out(f"- {rw}s `{table}` (owner {owners[table][0]}): {', '.join(by[(rw, table)])}")
    edges, helpers = dependencies(files, decls, top)
    adj = defaultdict(set)
    for a, b in edges: adj[a].add(b)
    out(f"\n## Feature dependencies ({len(edges)} edges)\n\nA -> B: code in A names a type declared in B (count of references).\n")
    for a in FEATURE_NAMES:
        if adj[a]: out(f"- {a} -> " + ", ".join(f"{b} ({len(edges[(a, b)])})" for b in sorted(adj[a])))
    pairs = sorted((a, b) for a, b in edges if a < b and (b, a) in edges)
    out(f"\n### Two-way pairs ({len(pairs)})\n")
    for a, b in pairs:
        out(f"- **{a} ↔ {b}**\n  - {a} -> {b}: {symbols_summary(edges[(a, b)])}\n  - {b} -> {a}: {symbols_summary(edges[(b, a)])}")
    sccs = [c for c in tarjan(FEATURE_NAMES, adj) if len(c) > 1]
    out(f"\n### Strongly connected components ({len(sccs)} with more than one feature)\n")
    for c in sccs: out(f"- {len(c)} features: {', '.join(c)}")
    out("\n### Graph (mermaid)\n\n```mermaid\ngraph LR")
    for (a, b), sites in sorted(edges.items()):
        out(f"  {a} -->|{len(sites)}| {b}")
    out("```\n\n## Shared helpers named in issue 31\n")
    for h in HELPERS:
        name = h.split(".")[0]
        outside = [s for s in helpers[h] if s[0] != top.get(name)]
        by = Counter(f for f, _ in outside)
        out(f"- `{h}`: declared in {top.get(name, '?')}; {len(helpers[h]) - len(outside)} uses inside, {len(outside)} outside: "
            + ", ".join(f"{f} {n}" for f, n in by.most_common()) + ("\n  - " + ", ".join(w for _, w in outside) if outside else ""))
    resolver = (FEATURES / "Niches/NicheResolver.swift").read_text()
    body = block(resolver, m.end()) if (m := re.search(r"func merge\b", resolver)) else ""
    out(f"\n## Foreign keys to `niches` ({len(niche_fks)}) and `NicheResolver.merge`\n\n| table | column | migration | owner | named in merge |\n|---|---|---|---|---|")
    for table, col, mig in niche_fks:
        named = "yes" if re.search(rf"\b{table}\b", body) else "**no**"
        out(f"| {table} | {col} | {mig} | {owners.get(table, ('?',))[0]} | {named} |")
    failures = sum(len(s) for s in foreign.values()) + len(sccs)
    readme = ROOT / "README.md"
    text, block_now = readme.read_text(), graph_block(edges, pairs, sccs)
    b, e = text.find(GRAPH_BEGIN), text.find(GRAPH_END)
    if "--write-readme" in sys.argv and b >= 0 and e > b:
        readme.write_text(text[:b] + block_now + text[e + len(GRAPH_END):])
    elif b < 0 or e < b or text[b:e + len(GRAPH_END)] != block_now:
        problems.append("README.md's dependency graph is not the current one: run scripts/architecture.py --write-readme")
    if "--ratchet" in sys.argv:
        import json
        path = Path(sys.argv[sys.argv.index("--ratchet") + 1])
        baseline = json.loads(path.read_text())
        for p in problems:
            print(f"architecture: {p}", file=sys.stderr)
        writes = [f"{feat} writes {table} (owner {owners[table][0]}): {site}"
                  for feat, sites in foreign.items() for table, rw, site, how in sites if rw == "write"]
        for w in writes:
            print(f"architecture: a feature writes a table it does not own: {w}", file=sys.stderr)
        now = {"foreign_table_uses": sum(len(s) for s in foreign.values()), "two_way_pairs": len(pairs),
               "largest_cycle": max((len(c) for c in sccs), default=0), "edges": len(edges)}
        # Edges are reported, not held: a feature reading through an owner's functions gains an edge to a
        # feature below it, which is the point; what must not grow is a two-way pair or the cycle.
        worse = {k: (v, baseline[k]) for k, v in now.items() if k in baseline and k != "edges" and v > baseline[k]}
        for k, (v, b) in worse.items():
            print(f"architecture ratchet: {k} is {v}, above the baseline {b} ({path})", file=sys.stderr)
        if worse or problems or writes: sys.exit(1)
        if now != baseline:
            print(f"architecture ratchet: better than the baseline, lower it in {path}: {json.dumps(now)}", file=sys.stderr)
    if "--check" in sys.argv and failures:
        print(f"\ncheck failed: {sum(len(s) for s in foreign.values())} foreign table uses, {len(sccs)} cycles", file=sys.stderr)
        sys.exit(1)

if __name__ == "__main__":
    main()
