#!/usr/bin/env python3
"""Holds the code to its architecture (docs/architecture.md, lightsail-local/README.md); part
of `make test`.

  check_architecture.py          checks src/ and lightsail-local/src/, from the project root

- The SDK boundary: outside src/aws/, no code names an AWS SDK crate (aws_sdk_*, aws_config,
  aws_smithy_*, aws_types, aws_credential_types, aws_sigv4). Comments and string literals
  do not count: a log filter may name a target, a doc may name the SDK.
- One way: in src/, each layer imports only the layers below it in LAYERS and the leaves. In
  both crates, the top-level modules (a file, or a folder as a whole) import each other
  without a cycle, and so do the files inside each folder. Imports are `crate::x` paths,
  `crate::{x, y}` groups included, and `super::x` inside a folder; test modules count too.
- The map: every file of src/ is named in docs/architecture.md, and every file of
  lightsail-local/src/ in lightsail-local/README.md, so neither can drift from the tree.
- Small functions: no function of either crate runs past MAX_FUNCTION_LINES lines (tests
  included: a long test is a table that wants a helper).

Prints one line per check and `architecture: N passed, M failed`; exits 1 on a failure.
"""
import re
import sys
from pathlib import Path

MAX_FUNCTION_LINES = 80
SDK = re.compile(r"\baws_(sdk_\w+|config|smithy_\w+|types|credential_types|sigv4)\b")
CRATES = [Path("src"), Path("lightsail-local/src")]
# Where each crate's files must be named: the whole file.
MAPS = {Path("src"): Path("docs/architecture.md"), Path("lightsail-local/src"): Path("lightsail-local/README.md")}
ADAPTERS = Path("src/aws")
# The layers of src/, lowest first; each may import only those before it and the LEAVES.
LAYERS = ["rules", "request", "aws", "plan", "report", "handler", "cli"]
LEAVES = {"failure", "error", "text", "coverage"}
# Entry points and helpers outside the layering: main (wiring), lib, logging, bench. The
# command line (cli) is the top layer: it may use logging too.
OUTSIDE = {"main", "lib", "logging", "bench"}
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def code_only(text):
    """`text` with comments and string and char literals blanked, line breaks kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c, two = text[i], text[i:i + 2]
        if two == "//":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif two == "/*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        elif c == "r" and re.match(r'r#*"', text[i:i + 8]) and not text[i - 1:i].isalnum():
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            end = text.find("'", i + 2) + 1
            out.append("' '")
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources():
    return sorted(p for crate in CRATES for p in crate.rglob("*.rs"))


def check_sdk_boundary():
    problems = []
    for path in sources():
        if path.is_relative_to(ADAPTERS) or not path.is_relative_to(Path("src")):
            continue
        for number, line in enumerate(code_only(path.read_text()).splitlines(), 1):
            match = SDK.search(line)
            if match:
                problems.append(f"{path}:{number} names {match.group(0)} outside src/aws/")
    return problems


def module_of(path, root=Path("src")):
    """src/plan/scope.rs -> ("plan", "scope"); src/handler.rs -> ("handler", None)."""
    parts = path.relative_to(root).with_suffix("").parts
    if len(parts) == 1:
        return parts[0], None
    return parts[0], None if parts[1] == "mod" else parts[1]


def crate_paths(text):
    """The modules `crate::` paths in `text` name: `crate::x::...` and each item of a
    `crate::{x, y::z, ...}` group."""
    targets = re.findall(r"\bcrate::(\w+)", text)
    for match in re.finditer(r"\bcrate::\{", text):
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        group = text[match.end():i - 1]
        depth, items, current = 0, [], ""
        for c in group:
            if c in "{}":
                depth += 1 if c == "{" else -1
            if c == "," and depth == 0:
                items.append(current)
                current = ""
            else:
                current += c
        items.append(current)
        targets += [m.group(1) for item in items if (m := re.match(r"\s*(\w+)", item))]
    return [t for t in targets if t != "self"]


def edges(root=Path("src")):
    """(top-level module edges, {folder: submodule edges}) of the crate at `root`, from
    `crate::x` paths and `super::y` paths inside a folder."""
    layers, inner = set(), {}
    for path in sorted(root.rglob("*.rs")):
        layer, sub = module_of(path, root)
        text = code_only(path.read_text())
        for target in crate_paths(text):
            if target != layer:
                layers.add((layer, target))
        if sub is not None:
            for target in re.findall(r"\bsuper::(\w+)", text):
                if target != sub and (root / layer / f"{target}.rs").exists():
                    inner.setdefault(layer, set()).add((sub, target))
    return layers, inner


def cycle(graph_edges):
    """One cycle of the graph, as a list of nodes, or None."""
    graph = {}
    for a, b in graph_edges:
        graph.setdefault(a, set()).add(b)
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def tangles(graph_edges):
    """The strongly connected sets of the graph with more than one node (Tarjan), sorted: every
    node that lies on some cycle, grouped by the cycles they share."""
    graph = {}
    for a, b in graph_edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def cycle_problems(where, graph_edges):
    """One line per tangle: its members, and one cycle through them."""
    problems = []
    for tangle in tangles(graph_edges):
        inside = {(a, b) for a, b in graph_edges if a in tangle and b in tangle}
        problems.append(f"{where} import in a cycle: " + " -> ".join(cycle(inside))
                        + f" (all of {', '.join(tangle)} are on cycles among themselves)")
    return problems


def check_layers(layers):
    """src/'s layer order: each layer imports only those below it, and the leaves."""
    problems = []
    for source, target in sorted(layers):
        if source in OUTSIDE or target in LEAVES:
            continue
        if (source, target) == ("cli", "logging"):
            continue
        if source in LEAVES or source not in LAYERS or target not in LAYERS:
            problems.append(f"src/{source} imports src/{target}: neither is a known layer or leaf")
        elif LAYERS.index(target) > LAYERS.index(source):
            problems.append(f"src/{source} imports src/{target}, a layer above it")
    return problems


def check_one_way():
    problems = []
    for root in CRATES:
        layers, inner = edges(root)
        if root == Path("src"):
            problems += check_layers(layers)
        problems += cycle_problems(f"{root}/ modules", layers)
        for folder, sub_edges in sorted(inner.items()):
            problems += cycle_problems(f"{root}/{folder}/ files", sub_edges)
    return problems


def function_lengths(path):
    """(name, first line, lines) of every function with a body in `path`."""
    lines = code_only(path.read_text()).splitlines()
    found = []
    for start, line in enumerate(lines):
        match = FN.match(line)
        if not match:
            continue
        depth, opened = 0, False
        for end in range(start, len(lines)):
            for c in lines[end]:
                if c == "{":
                    depth, opened = depth + 1, True
                elif c == "}":
                    depth -= 1
                elif c == ";" and not opened and depth == 0:
                    break  # a declaration without a body
            else:
                if opened and depth == 0:
                    found.append((match.group(6), start + 1, end - start + 1))
                    break
                continue
            break
    return found


def check_function_lengths():
    return [f"{path}:{first} fn {name} has {count} lines (at most {MAX_FUNCTION_LINES})"
            for path in sources() for name, first, count in function_lengths(path)
            if count > MAX_FUNCTION_LINES]


def unnamed(root, doc):
    """The files of the crate at `root` that `doc` does not name: a file as `src/x.rs` (its
    path from the crate's folder), a folder's files as `src/folder/` and `file.rs`."""
    text = doc.read_text() if doc.is_file() else ""
    if not text:
        return [f"{doc} is missing"]
    src = Path(root.name)  # `src`: paths are named from the crate's folder
    problems = []
    for path in sorted(root.rglob("*.rs")):
        layer, sub = module_of(path, root)
        if path.name == "mod.rs":
            named = f"`{src}/{layer}/`" in text
        elif sub is None:
            named = f"`{src}/{path.name}`" in text
        else:
            named = f"`{path.name}`" in text and f"`{src}/{layer}/`" in text
        if not named:
            problems.append(f"{path} is not named in {doc}")
    return problems


def check_maps():
    return [problem for root, doc in MAPS.items() for problem in unnamed(root, doc)]


def main():
    checks = [
        ("no AWS SDK name outside src/aws/", check_sdk_boundary),
        ("layers and folder files import one way", check_one_way),
        ("docs/architecture.md and lightsail-local/README.md name every file", check_maps),
        (f"no function over {MAX_FUNCTION_LINES} lines", check_function_lengths),
    ]
    failed = 0
    for name, check in checks:
        problems = check()
        if problems:
            failed += 1
            print(f"architecture: {name} FAILED", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"architecture: {name} ok")
    print(f"architecture: {len(checks) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
