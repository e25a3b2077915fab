"""The folders are the layers (docs/architecture.md): a module imports only from its own floor
or the floors below, no import cycle exists, no page reaches a storage module, and the words,
the outputs and the workflow are built without Streamlit.

Imports are read from the source (ast), at any depth of a module (an import inside a
function is a dependency too); imports under `if TYPE_CHECKING:` are not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "supervision"

# bottom to top; a module's floor is its folder's (or, for supervision/*.py, its own)
FLOORS: dict[str, int] = {
    "domain": 0, "config": 0,
    "output": 1,
    "data": 2, "store": 2,
    "engine": 3,
    "security": 4,
    "words": 5,
    "workflow": 6,
    "views": 7,
    "ui": 8,
    "web": 9, "serve": 9, "cli": 9, "__main__": 9, "logs": 9,
}
WITHOUT_STREAMLIT = ("domain", "config", "output", "data", "store", "engine", "security",
                     "words", "workflow", "views")
STORAGE = ("supervision.data", "supervision.store")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")
            if "store/migrations" not in p.as_posix()}   # Alembic's scripts: run by Alembic


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    return skipped


def imports_of(path: Path, known: dict[str, Path] | None = None) -> set[str]:
    """Every module (of any package) `path` imports, at any depth; a `from package import
    name` names the submodule when `name` is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    known = known or {}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def floor(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return -1  # the package itself (empty __init__)
    return FLOORS[parts[1]]


def test_every_module_has_a_floor():
    missing = [m for m in _modules() if m != "supervision" and m.split(".")[1] not in FLOORS]
    assert missing == []


def test_no_import_runs_back_up():
    modules = _modules()
    upward = sorted(
        f"{m} (floor {floor(m)}) imports {d} (floor {floor(d)})"
        for m, path in modules.items() if m != "supervision"
        for d in imports_of(path, modules)
        if d.startswith("supervision.") and floor(d) > floor(m))
    assert upward == []


def test_no_import_cycle():
    modules = _modules()
    graph = {m: {d for d in imports_of(p, modules) if d in modules and d != m}
             for m, p in modules.items()}
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, [*path, node])
        done.add(node)

    for m in sorted(graph):
        visit(m, [])
    assert cycles == []


@pytest.mark.parametrize("page", sorted([*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]),
                         ids=lambda p: p.name)
def test_no_page_imports_a_storage_module(page: Path):
    assert sorted(d for d in imports_of(page, _modules()) if d.startswith(STORAGE)) == []


def test_the_lower_floors_need_no_streamlit():
    needing = sorted(m for m, p in _modules().items()
                     if m != "supervision" and m.split(".")[1] in WITHOUT_STREAMLIT
                     if any(d == "streamlit" or d.startswith("streamlit.")
                            for d in imports_of(p)))
    assert needing == []


def test_the_checks_see_an_upward_import(tmp_path: Path):
    """The reader finds imports inside functions and skips TYPE_CHECKING ones."""
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    from supervision.ui import data\n"
                      "def f():\n    from supervision.views import brief_view\n")
    assert "supervision.views" in imports_of(source)
    assert not any(d.startswith("supervision.ui") for d in imports_of(source))


def test_no_test_runs_a_coroutine_on_the_workers_thread():
    """The browser tests' Playwright holds an asyncio loop in the worker's thread for the
    whole run (tests/conftest.py `browser`), so asyncio.run there fails, but only when a
    browser file ran first on that worker: a coroutine runs through conftest.run_coroutine."""
    call = "asyncio.run" + "("     # not spelled whole here, or this file would be found
    callers = [path.relative_to(ROOT) for path in (ROOT / "tests").rglob("*.py")
               if call in path.read_text(encoding="utf-8")]
    assert callers == []
