"""The package's floors, checked from its own imports (docs/architecture.md draws them).

Every import in src/failwell, at module level or inside a function, is read from the source. A
module may import only modules on its own floor or below; no module imports in a cycle; no module
outside migrations/ (generated once, then frozen) is over 400 lines.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "failwell"

# Bottom to top. A module's floor is the first prefix of its dotted name found here, longest first.
SLICES = (
    "people",
    "audit",
    "catalogue",
    "changes",
    "failures",
    "reviews",
    "actions",
    "recurrence",
    "broadcast",
    "integrations",
    "surveys",
    "sso",
    "ideas",
    "recognition",
)
KIT = ("web.templating", "web.forms.base", "web.auth", "web.responses", "web.markdown", "web.snippets")
FLOORS: dict[str, int] = {
    **dict.fromkeys(
        (
            "db",
            "clock",
            "settings",
            "errors",
            "fields",
            "enums",
            "authz",
            "listing",
            "numbers",
            "search",
            "deps",
            "migrate",
            "cli_support",
            "client",
            "identity",
            "events",
            "lifeline",
            "__init__",
        ),
        0,
    ),
    **dict.fromkeys(KIT, 1),
    **{name: 2 + i for i, name in enumerate(SLICES)},
    "insights": 20,
    "demo": 21,
    "web": 22,  # pages, per-slice form mappings, routes
    "models": 23,
    "migrations": 23,
    "api": 23,
    "bootstrap": 23,
    "portability": 23,  # reads every table through the whole metadata (models)
    "audited": 23,
    "app": 24,
    "cli": 24,
    "__main__": 25,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)
        out[name] = path
    return out


def _floor(module: str) -> int:
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        key = ".".join(parts[:size])
        if key in FLOORS:
            return FLOORS[key]
    raise AssertionError(f"failwell.{module} stands on no floor: add it to FLOORS in {__file__}")


def _imports(path: Path, known: set[str]) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("failwell."):
                inner = name.removeprefix("failwell.")
                # `from failwell.x import y` names module x.y when y is a module, else x.
                if inner in known:
                    yield inner


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: set(_imports(path, known)) - {name} for name, path in modules.items()}


def test_no_import_runs_back_up_a_floor() -> None:
    upward = [
        f"failwell.{a} (floor {_floor(a)}) imports failwell.{b} (floor {_floor(b)})"
        for a, targets in _graph().items()
        for b in sorted(targets)
        if _floor(b) > _floor(a) and b != "__init__"
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state[nxt] == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif state[nxt] == 0:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if state[start] == 0:
            visit(start, [start])
    assert cycles == []


def test_slices_never_import_pages_or_the_read_side() -> None:
    bad = [
        f"failwell.{a} imports failwell.{b}"
        for a, targets in _graph().items()
        if a.split(".")[0] in SLICES
        for b in targets
        if b.split(".")[0] in ("web", "insights", "app", "cli", "bootstrap")
    ]
    assert bad == []


@pytest.mark.parametrize("limit", [400])
def test_no_module_is_too_long(limit: int) -> None:
    long = [
        f"{path.relative_to(PACKAGE)}: {lines} lines"
        for name, path in _modules().items()
        if name.split(".")[0] != "migrations" and (lines := len(path.read_text().splitlines())) > limit
    ]
    assert long == []
