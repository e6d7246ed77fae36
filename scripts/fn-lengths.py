#!/usr/bin/env python3
"""Function lengths across the workspace's Rust sources, tests excluded.

A function's length is the lines from its `fn` line to its closing brace. Test code is
left out: files under `tests/`, `benches/`, `fuzz/`, and every `#[cfg(test)]` item.
Prints the median and p90 per area and every function over the limit (default 100).

    python3 scripts/fn-lengths.py [--over N] [--list]
"""
import pathlib
import re
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")


def strip(line):
    """The line without string contents and // comments, for brace counting."""
    out, i, in_str = [], 0, False
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "'" and i + 2 < len(line) and line[i + 2] == "'":
            i += 3
            continue
        elif line.startswith("//", i):
            break
        else:
            out.append(c)
        i += 1
    return "".join(out)


def block_end(lines, start):
    """Index of the line closing the block opened at or after `start`, or None."""
    depth, opened = 0, False
    for j in range(start, len(lines)):
        s = strip(lines[j])
        for c in s:
            if c == "{":
                depth += 1
                opened = True
            elif c == "}":
                depth -= 1
                if opened and depth == 0:
                    return j
        if not opened and s.rstrip().endswith(";"):
            return None  # a declaration without a body
    return None


def functions(path):
    lines = path.read_text().splitlines()
    skip_until = -1
    i = 0
    while i < len(lines):
        line = lines[i]
        if i > skip_until and line.strip().startswith("#[cfg(test)]"):
            end = block_end(lines, i + 1)
            skip_until = end if end is not None else i + 1
        if i > skip_until:
            m = FN.match(line)
            if m:
                end = block_end(lines, i)
                if end is not None:
                    yield m.group(7), i + 1, end - i + 1
        i += 1


def main():
    over = 100
    if "--over" in sys.argv:
        over = int(sys.argv[sys.argv.index("--over") + 1])
    areas = {}
    long = []
    for path in sorted(ROOT.glob("**/*.rs")):
        rel = path.relative_to(ROOT)
        parts = rel.parts
        if parts[0] in ("target", "fuzz") or any(p in ("tests", "benches") for p in parts):
            continue
        area = "/".join(parts[:2]) if parts[0] == "crates" else ("src/cli" if parts[:2] == ("src", "cli") else parts[0])
        for name, line, n in functions(path):
            areas.setdefault(area, []).append(n)
            if n > over:
                long.append((n, f"{rel}:{line}", name))
            if "--list" in sys.argv:
                print(n, f"{rel}:{line}", name)
    every = sorted(n for ns in areas.values() for n in ns)

    def p90(ns):
        ns = sorted(ns)
        return ns[int(0.9 * (len(ns) - 1))]

    for area, ns in sorted(areas.items()):
        print(f"{area:32} {len(ns):5} fns  median {statistics.median(ns):5.1f}  p90 {p90(ns):4}  max {max(ns)}")
    print(f"{'workspace':32} {len(every):5} fns  median {statistics.median(every):5.1f}  p90 {p90(every):4}  max {max(every)}")
    for n, where, name in sorted(long, reverse=True):
        print(f"over {over}: {n:4} {where} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
