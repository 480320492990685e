#!/usr/bin/env python3
"""Migrations name nothing of the live app: run by .ci/checks/migrations.sh from the repository root.

A landed migration must do the same thing forever, so it may use only Fluent, SQLKit, Foundation and
the frozen copies in Sources/Guild/Migrations/Frozen*.swift. This fails when a migration file
(Sources/Guild/Migrations/[0-9]*.swift) of the current tree
  - imports a module other than Fluent, FluentKit, SQLKit or Foundation, or
  - names, as a whole word outside comments and string literals, something declared in
    Sources/Guild/Features or Sources/Guild/Core that a migration can reach: a top-level type,
    typealias, function, variable or constant, or a type or member declared in an extension of a type
    a migration has (`extension Database { func writeTransaction … }`, `extension SQLDatabase`,
    `extension Date`; see REACHABLE). Not `private`/`fileprivate` declarations, and not types nested
    in the app's own types: a migration reaches `AppConfig.Database` only through `AppConfig`, which
    is checked, and counting nested names would flag Fluent's `Database` in every migration.
A name the migration file declares itself (its own `struct Row`, `let sql`) is its own, not the app's;
after a dot (`database.sql`) only a member it declares in an extension is. Reviewed exceptions: .ci/migrations-symbols-allowed, `path identifier reason` a
line, where an import is written `import:Module`; an exception no longer needed fails too, so the
list only holds what is true. The scanner is simple, not a Swift parser: it blanks comments and
string literals (keeping the code of interpolations), tracks braces and matches declarations by
keyword.
Usage: migration_symbols.py [ALLOW_LIST]   (prints `migrations: …` lines; exit 1 on a violation)
"""
import os
import re
import sys

MIGRATIONS = "Sources/Guild/Migrations"
LIVE = ["Sources/Guild/Features", "Sources/Guild/Core"]
ALLOWED_MODULES = {"Fluent", "FluentKit", "SQLKit", "Foundation"}
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
TYPE_DECL = re.compile(r"(?<![.\w$])(struct|enum|class|actor|protocol|typealias)[ \t]+(" + IDENT + r")")
MEMBER_DECL = re.compile(r"(?<![.\w$])(func|var|let)[ \t]+(`?)(" + IDENT + r")\2")
# `class func` / `class var` declare members, not classes.
NOT_A_TYPE_NAME = {"func", "var", "let", "subscript", "init", "deinit", "override", "final", "static", "private",
                   "fileprivate", "public", "internal", "open", "package", "nonisolated", "convenience", "required"}
KEYWORDS = re.compile(r"\b(extension|struct|enum|class|actor|protocol|func|init|deinit|subscript|var|let|case|if|guard|"
                      r"for|while|switch|do|catch|else|defer|repeat|return|try|await|in)\b")
STRING_START = re.compile(r'(#*)("""|")')
IMPORT = re.compile(r"^[ \t]*(?:@" + IDENT + r"(?:\([^)]*\))?\s+)*import\s+(?:(?:typealias|struct|class|enum|protocol|"
                    r"let|var|func)\s+)?(" + IDENT + r")", re.M)


def strip(text):
    """The code of a Swift file with comments and string contents replaced by spaces (newlines kept,
    so line numbers hold); the code inside string interpolations `\\( … )` is kept."""
    out = []
    i, n = 0, len(text)
    # Stack of contexts: ("code", paren depth) for code (the bottom one, and each interpolation), or
    # ("string", hashes, multiline).
    stack = [["code", 0]]

    def blank(s):
        out.append("".join(c if c == "\n" else " " for c in s))

    while i < n:
        top = stack[-1]
        c = text[i]
        if top[0] == "code":
            if text.startswith("//", i):
                j = text.find("\n", i)
                j = n if j < 0 else j
                blank(text[i:j])
                i = j
                continue
            if text.startswith("/*", i):
                depth, j = 1, i + 2
                while j < n and depth:
                    if text.startswith("/*", j):
                        depth, j = depth + 1, j + 2
                    elif text.startswith("*/", j):
                        depth, j = depth - 1, j + 2
                    else:
                        j += 1
                blank(text[i:j])
                i = j
                continue
            m = STRING_START.match(text, i)
            if m and (m.group(1) or c == '"'):
                hashes, multiline = len(m.group(1)), m.group(2) == '"""'
                out.append(m.group(0))
                stack.append(["string", hashes, multiline])
                i = m.end()
                continue
            if c == "(":
                top[1] += 1
            elif c == ")":
                if top[1] == 0 and len(stack) > 1:  # the end of an interpolation
                    stack.pop()
                    out.append(" ")
                    i += 1
                    continue
                top[1] -= 1
            out.append(c)
            i += 1
            continue
        # In a string literal.
        hashes, multiline = top[1], top[2]
        close = ('"""' if multiline else '"') + "#" * hashes
        if text.startswith(close, i):
            out.append(close)
            stack.pop()
            i += len(close)
            continue
        escape = "\\" + "#" * hashes
        if text.startswith(escape, i):
            j = i + len(escape)
            if j < n and text[j] == "(":
                blank(text[i:j + 1])
                stack.append(["code", 0])
                i = j + 1
                continue
            blank(text[i:j + 1])
            i = j + 1
            continue
        if c == "\n" and not multiline:  # an unterminated literal: give up on it at the line's end
            stack.pop()
        blank(c)
        i += 1
    return "".join(out)


MODIFIERS = re.compile(r"^\s*(?:(?:@" + IDENT + r"(?:\([^)]*\))?|public|internal|private|fileprivate|package|open|final|"
                       r"indirect|nonisolated|static|class|override|mutating|nonmutating|lazy|weak|unowned|"
                       r"convenience|required|dynamic|(?:private|fileprivate|internal|public|package)\(set\))\s+)*$")
# Types a migration reaches without naming the app: Fluent's, SQLKit's, Foundation's and the standard
# library's. Members the app adds to them (`extension Database { func writeTransaction … }`) count as
# the app's; members of the app's own types are reached through the type's name, which is checked.
REACHABLE = re.compile(r"^(?:Database|SQL[A-Za-z]*|QueryBuilder|SchemaBuilder|DatabaseSchema|FieldKey|Model|"
                       r"AsyncMigration|Migration|Date|Calendar|TimeZone|DateFormatter|ISO8601DateFormatter|String|"
                       r"Substring|StringProtocol|Character|Array|Collection|Sequence|Dictionary|Set|Data|UUID|URL|Int|"
                       r"Double|Bool|Optional|Result|JSONEncoder|JSONDecoder|DecodingError)$")


def line_prefix(code, pos):
    start = max(code.rfind("\n", 0, pos), code.rfind(";", 0, pos), code.rfind("{", 0, pos), code.rfind("}", 0, pos))
    return code[start + 1:pos]


def is_private(prefix):
    return re.search(r"\b(private|fileprivate)\b(?!\s*\(set\))", prefix) is not None


def declared_at(code, pos):
    """Whether a keyword at pos starts a declaration: nothing but attributes and modifiers before it."""
    return MODIFIERS.match(line_prefix(code, pos)) is not None


def blocks(code):
    """Each brace block: (header before its `{`, depth, [(position, char)] directly inside it)."""
    found = []
    stack = [("", 0, [])]
    pending = 0
    for i, c in enumerate(code):
        if c == "{":
            stack.append((code[pending:i], len(stack), []))
            pending = i + 1
        elif c == "}":
            if len(stack) > 1:
                found.append(stack.pop())
            pending = i + 1
        else:
            stack[-1][2].append((i, c))
            if c == ";":
                pending = i + 1
    return [stack[0]] + found


def extended_type(header):
    """X for a block opened by `extension X …` (or `extension any X`), else None."""
    last = None
    for last in KEYWORDS.finditer(header):
        pass
    if last is None or last.group(1) != "extension":
        return None
    m = re.match(r"extension\s+(?:any\s+)?(" + IDENT + r")", header[last.start():])
    return m.group(1) if m else None


def live_declarations(code):
    """[(name, line, what)]: what a migration could name of this Features/Core file: its top-level
    types, functions, variables and constants, and the types and members it declares directly in an
    extension of a type a migration reaches (Database, SQLDatabase, Date, …). Not private ones."""
    found = []
    for header, depth, own in blocks(code):
        extended = extended_type(header) if depth else None
        if depth and not (extended and REACHABLE.match(extended)):
            continue
        text = "".join(c for _, c in own)
        for pattern, group in ((TYPE_DECL, 2), (MEMBER_DECL, 3)):
            for m in pattern.finditer(text):
                pos = own[m.start()][0]
                name = m.group(group)
                if name in NOT_A_TYPE_NAME or not declared_at(code, pos) or is_private(line_prefix(code, pos)):
                    continue
                found.append((name, code.count("\n", 0, pos) + 1, f" (extension {extended})" if extended else ""))
    return found


def own_declarations(code):
    """(names, members): what a migration file declares itself. names: every name it declares, at any
    depth (types, functions, variables, constants, bindings in patterns and loops): a bare `Row` or
    `sql` is its own when it declares `struct Row` or `let sql`. members: its types and what it
    declares in an extension block: `database.sql` is its own only when it declares a member `sql`."""
    types = {m.group(2) for m in TYPE_DECL.finditer(code)}
    names = types | {m.group(3) for m in MEMBER_DECL.finditer(code)}
    names |= set(re.findall(r"\bfor\s+(?:case\s+)?(?:let\s+|var\s+)?(" + IDENT + r")\s+in\b", code))
    members = set(types)
    for header, depth, own in blocks(code):
        if depth and extended_type(header):
            members |= {m.group(3) for m in MEMBER_DECL.finditer("".join(c for _, c in own))}
    return names, members


def swift_files(folder):
    for root, _, files in os.walk(folder):
        for f in sorted(files):
            if f.endswith(".swift"):
                yield os.path.join(root, f)


def main():
    allow_path = sys.argv[1] if len(sys.argv) > 1 else ".ci/migrations-symbols-allowed"
    live = {}  # identifier -> where it is declared
    for folder in LIVE:
        for path in sorted(swift_files(folder)):
            with open(path, encoding="utf-8") as f:
                code = strip(f.read())
            for name, line, what in live_declarations(code):
                live.setdefault(name, f"{path}:{line}{what}")

    allowed = {}  # (path, identifier) -> line number in the allow-list
    problems = []
    if os.path.exists(allow_path):
        with open(allow_path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                fields = line.split(None, 2)
                if len(fields) < 3:
                    problems.append(f"migrations: {allow_path}:{number} is not `path identifier reason`")
                    continue
                allowed[(fields[0], fields[1])] = number

    files = sorted(p for p in swift_files(MIGRATIONS)
                   if os.path.dirname(p) == MIGRATIONS and re.match(r"[0-9]", os.path.basename(p)))
    used = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            code = strip(f.read())
        hits = []  # (line, identifier, message)
        for m in IMPORT.finditer(code):
            module = m.group(1)
            if module not in ALLOWED_MODULES:
                line = code.count("\n", 0, m.start(1)) + 1
                hits.append((line, "import:" + module,
                             f"imports {module}; a migration imports only {', '.join(sorted(ALLOWED_MODULES))}"
                             " (copy what it needs into Migrations/Frozen*.swift)"))
        own, own_members = own_declarations(code)
        seen = set()
        for number, text in enumerate(code.split("\n"), 1):
            if IMPORT.match(text):
                continue
            for m in re.finditer(r"(?<![\w$])" + IDENT, text):
                name = m.group(0)
                dotted = re.search(r"\.\s*$", text[:m.start()]) is not None
                if name in live and name not in (own_members if dotted else own) and name not in seen:
                    seen.add(name)
                    hits.append((number, name, f"names {name}, declared in {live[name]}; a migration uses only Fluent,"
                                 " SQLKit, Foundation and Migrations/Frozen*.swift"))
        for line, identifier, message in sorted(hits):
            if (path, identifier) in allowed:
                used.add((path, identifier))
                continue
            if ("*", identifier) in allowed:  # plumbing every migration may use
                used.add(("*", identifier))
                continue
            problems.append(f"migrations: {path}:{line} {message}")
    for (path, identifier), number in sorted(allowed.items(), key=lambda kv: kv[1]):
        if (path, identifier) not in used:
            problems.append(f"migrations: {allow_path}:{number} allows {identifier} in {path}, which no longer"
                            " uses it; remove the line")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"migrations: {len(files)} migration files name nothing of Features/ or Core/ beyond"
              f" {len(used)} reviewed exceptions")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
