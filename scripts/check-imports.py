#!/usr/bin/env python3
"""Checks that the server crate's imports form a tree: no circle, no upward import.

    scripts/check-imports.py [--graph]

Every file under src/ is a module (src/inventory/aws.rs is `inventory::aws`,
src/inventory/mod.rs is `inventory`, src/lib.rs the crate root). A file *uses* another
when it names it: `use crate::a::b`, `crate::a::b::f()` in code, `super::x`, `self::x`,
`super::super::…`, in `use` lines and in code alike (comments and string literals are
left out). A path is resolved to the longest module that exists, so `crate::store::Db`
is the module `store` and `crate::store::access::x` is `store::access`.

It fails (exit 1) and says where when:
- two or more modules use each other, directly or round a longer circle;
- a module uses its parent module or the crate root (an upward import): a child is part
  of its parent, so the parent may use it, not the other way round. Tests (code after
  `#[cfg(test)]`) may use anything.

With --graph it prints every module and what it uses, lowest first (a valid build
order), which is the layering the README describes.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"


def module_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    if parts == ["main"]:
        return "<main>"
    return "::".join(parts)


def strip(text: str) -> str:
    """The code without comments, string literals and the test module."""
    cut = re.search(r"^#\[cfg\(test\)\]", text, re.M)
    if cut:
        text = text[: cut.start()]
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and re.match(r'r#*"', text[i:]):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_groups(code: str):
    """Paths named by `use` items, with `{a, b::c}` groups expanded."""
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        yield from expand(m.group(1).replace("\n", " "))


def expand(tree: str):
    tree = tree.strip()
    depth, start = 0, None
    for i, c in enumerate(tree):
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                prefix = tree[:start].rstrip(":").strip()
                inner = tree[start + 1 : i]
                parts, d, last = [], 0, 0
                for j, ch in enumerate(inner):
                    if ch == "{":
                        d += 1
                    elif ch == "}":
                        d -= 1
                    elif ch == "," and d == 0:
                        parts.append(inner[last:j])
                        last = j + 1
                parts.append(inner[last:])
                for p in parts:
                    p = p.strip()
                    if not p:
                        continue
                    for sub in expand(p):
                        yield f"{prefix}::{sub}" if prefix else sub
                return
    yield tree.split(" as ")[0].strip()


def resolve(path: str, here: str, modules: set[str]) -> str | None:
    """The module a path names, from the module `here`; None if outside the crate."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    base: list[str]
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = here.split("::") if here else []
        # A file's `self` is itself; `super` its parent.
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    else:
        return None
    best = "::".join(base)
    for k in range(1, len(segs) + 1):
        cand = "::".join(base + segs[:k])
        if cand in modules:
            best = cand
    return best


def main() -> int:
    files = sorted(p for p in ROOT.rglob("*.rs"))
    modules = {module_of(p): p for p in files}
    names = set(modules)
    uses: dict[str, set[str]] = {m: set() for m in names}
    for m, p in modules.items():
        code = strip(p.read_text())
        paths = set(expand_use_groups(code))
        paths |= set(re.findall(r"\b(?:crate|super|self)(?:::\w+)+", code))
        # A child module named by its bare name (`record::run` in history/mod.rs).
        children = set(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code, re.M))
        for child in children:
            if re.search(rf"(?<![\w:]){child}::", code):
                paths.add(f"self::{child}")
        for path in paths:
            target = resolve(path, m, names)
            if target is not None and target != m:
                uses[m].add(target)
    problems = []
    # Upward imports: a module using an ancestor (the crate root is "").
    for m, targets in uses.items():
        if m == "<main>":
            continue
        for t in targets:
            if t == "" or (m.startswith(t + "::")):
                problems.append(f"upward import: {m or 'lib.rs'} uses {t or 'the crate root (lib.rs)'}")
    # Circles: strongly connected components of more than one module.
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in uses.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(uses):
        if v not in index:
            strong(v)
    for comp in comps:
        if len(comp) > 1:
            problems.append("import circle: " + " <-> ".join(sorted(x or "lib.rs" for x in comp)))
    # The same at the level of layers (top-level modules: `prober`, `connect`, …): a
    # file of one layer using a file of another is the layer using it.
    layer = lambda m: m.split("::")[0]
    layers: dict[str, set[str]] = {}
    for m, targets in uses.items():
        for t in targets:
            if layer(t) != layer(m):
                layers.setdefault(layer(m), set()).add(layer(t))
        layers.setdefault(layer(m), set())
    uses_files = uses
    uses = layers
    index.clear(); low.clear(); stack.clear(); on.clear()
    layer_comps: list = []
    comps_files = comps
    comps = layer_comps
    for v in sorted(uses):
        if v not in index:
            strong(v)
    for comp in layer_comps:
        if len(comp) > 1:
            problems.append("layer circle: " + " <-> ".join(sorted(x or "lib.rs" for x in comp)))
    uses = uses_files
    comps = comps_files
    if "--graph" in sys.argv:
        for comp in comps:
            for m in comp:
                print(f"{m or 'lib.rs'}: {', '.join(sorted(t or 'lib.rs' for t in uses[m])) or '-'}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"imports: {len(names)} modules, no circle, no upward import", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
