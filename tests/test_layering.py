"""The layering a reader sees at once, checked by reading every module's imports (and importing every module).

cli.py -> api.py -> audit/, consult/ -> engine/ -> facts/; cli.py and the commands -> render/ -> result types.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("engine", "facts", "render", "audit", "consult", "tools")
# What each part may import (besides itself). 'audit.results' is the audit's result types, which renderers read.
ALLOWED = {
    "facts": set(),
    "engine": {"facts"},
    "render": {"engine", "facts", "audit.results"},
    "audit": {"engine", "facts", "output", "render"},
    "consult": {"engine", "facts", "output", "render"},
    "output": set(),
    "api": {"audit", "consult", "engine", "facts", "output"},
    "cli": {"api", "render", "__init__"},
    "tools": {"engine", "facts"},
    "__init__": {"api"},
}


def _modules() -> dict[str, Path]:
    out = {"__init__": ROOT / "__init__.py", "api": ROOT / "api.py", "cli": ROOT / "cli.py", "output": ROOT / "output.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path, top_only: bool = False) -> set[str]:
    """Every module of the package that `name` imports, at the top or (unless top_only) inside a function."""
    package = name.rsplit(".", 1)[0] if "." in name and path.name != "__init__.py" else (name if path.name == "__init__.py" and name != "__init__" else "")
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))] if top_only else ast.walk(tree)
    for node in nodes:
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("partnerwise"):
                prefix = node.module.removeprefix("partnerwise").lstrip(".")
            else:
                continue
            targets = [f"{prefix}.{a.name}" if prefix else a.name for a in node.names] + [prefix]
        elif isinstance(node, ast.Import):
            targets = [a.name.removeprefix("partnerwise.") for a in node.names if a.name.startswith("partnerwise.")]
        for t in targets:
            while t and t not in MODULES:
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t and t != name:
                found.add(t or "__init__")
        if isinstance(node, ast.ImportFrom) and node.level and not node.module and not package:
            found.add("__init__")
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}
# What a module needs while it is being imported; a cycle here breaks imports in some orders.
TOP_GRAPH = {name: _imports(name, path, top_only=True) for name, path in MODULES.items()}


def _part(module: str) -> str:
    return "audit.results" if module == "audit.results" else module.split(".")[0]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module("partnerwise" if name == "__init__" else f"partnerwise.{name}")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_follow_the_layers(name):
    part = name.split(".")[0]
    allowed = ALLOWED[part] | {part}
    wrong = sorted(t for t in GRAPH[name] if _part(t) not in allowed and t.split(".")[0] not in allowed)
    assert not wrong, f"{name} may not import {wrong} (it may import {sorted(allowed)})"


def test_the_engine_never_imports_the_api():
    assert not [n for n in GRAPH if n.startswith("engine") and "api" in GRAPH[n]]


def test_no_import_cycles():
    """No cycle among the imports modules make when they load (an import inside a function that needs
    its caller's module, as the fact model's look-up of the fact-name catalogue, is not one)."""
    state: dict[str, int] = {}
    cycles = []

    def visit(n, stack):
        if state.get(n) == 1:
            cycles.append(stack[stack.index(n):] + [n])
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for m in sorted(TOP_GRAPH[n]):
            if m.startswith(n + ".") or n == "__init__":
                continue  # a package's __init__ re-exporting its own modules is not a cycle
            visit(m, stack + [n])
        state[n] = 2

    for n in sorted(TOP_GRAPH):
        visit(n, [])
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles)
