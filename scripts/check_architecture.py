#!/usr/bin/env python3
"""Holds the code to its architecture (README, "Architecture"); part of `make test`.

  check_architecture.py          checks src/ and lightsail-local/src/, from the project root

- The SDK boundary: outside src/aws/, no code names an AWS SDK crate (aws_sdk_*, aws_config,
  aws_smithy_*, aws_types, aws_credential_types, aws_sigv4). Comments and string literals
  do not count: a log filter may name a target, a doc may name the SDK.
- One way: each layer imports only the layers below it in LAYERS and the leaves, and the files
  inside each folder import each other without a cycle.
- The map: every file of src/ is named in the README's "Architecture" section, so the
  section cannot drift from the tree again.
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
ADAPTERS = Path("src/aws")
# The layers of src/, lowest first; each may import only those before it and the LEAVES.
LAYERS = ["rules", "request", "aws", "plan", "report", "handler", "cli"]
LEAVES = {"failure", "error", "text"}
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


def module_of(path):
    """src/plan/scope.rs -> ("plan", "scope"); src/handler.rs -> ("handler", None)."""
    parts = path.relative_to("src").with_suffix("").parts
    if len(parts) == 1:
        return parts[0], None
    return parts[0], None if parts[1] == "mod" else parts[1]


def edges():
    """(layer edges, {folder: submodule edges}) from `crate::x` and `super::y` paths."""
    layers, inner = set(), {}
    for path in sorted(Path("src").rglob("*.rs")):
        layer, sub = module_of(path)
        text = code_only(path.read_text())
        for target in re.findall(r"\bcrate::(\w+)", text):
            if target != layer:
                layers.add((layer, target))
        if sub is not None:
            for target in re.findall(r"\bsuper::(\w+)", text):
                if target != sub and (Path("src") / layer / f"{target}.rs").exists():
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


def check_one_way():
    layers, inner = edges()
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
    found = cycle(layers)
    if found:
        problems.append("layers import in a cycle: " + " -> ".join(found))
    for folder, sub_edges in sorted(inner.items()):
        found = cycle(sub_edges)
        if found:
            problems.append(f"src/{folder}/ files import in a cycle: " + " -> ".join(found))
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


def check_readme_map():
    readme = Path("README.md").read_text()
    start = readme.find("\n## Architecture\n")
    end = readme.find("\n## ", start + 1)
    section = readme[start:end] if start >= 0 else ""
    problems = [] if section else ["README.md has no \"## Architecture\" section"]
    for path in sorted(Path("src").rglob("*.rs")):
        layer, sub = module_of(path)
        if path.name == "mod.rs":
            named = f"`src/{layer}/`" in section
        elif sub is None:
            named = f"`src/{path.name}`" in section
        else:
            named = f"`{path.name}`" in section and f"`src/{layer}/`" in section
        if not named:
            problems.append(f"{path} is not named in the README's Architecture section")
    return problems


def main():
    checks = [
        ("no AWS SDK name outside src/aws/", check_sdk_boundary),
        ("layers and folder files import one way", check_one_way),
        ("the README's Architecture section names every file of src/", check_readme_map),
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
