"""Imports say how the code depends on itself: at the top of each module, where a reader sees
them, never hidden in a function to dodge an import cycle (break the cycle instead). A
function-level import is allowed only where a real cycle needs it, with a comment on the
line, or the line above, saying so (the word "cycle")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "community"


def function_level_imports(source: str) -> list[tuple[int, str, str]]:
    """(line, function, module) of each import inside a function body that no comment
    on its line or the line above explains as needed by a cycle."""
    lines = source.splitlines()
    found: dict[int, tuple[int, str, str]] = {}  # by line: a nested function's own name wins
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Import | ast.ImportFrom):
                continue
            around = lines[max(inner.lineno - 2, 0) : inner.end_lineno]
            if any("#" in line and "cycle" in line.split("#", 1)[1] for line in around):
                continue
            if isinstance(inner, ast.ImportFrom):
                module = "." * inner.level + (inner.module or "")
            else:
                module = ", ".join(alias.name for alias in inner.names)
            found[inner.lineno] = (inner.lineno, node.name, module)
    return sorted(found.values())


def test_the_check_finds_imports_in_functions_and_accepts_a_stated_cycle():
    source = (
        "import os\n"
        "def a():\n"
        "    from community.forums.views import post_url\n"
        "class B:\n"
        "    def b(self):\n"
        "        if True:\n"
        "            import json\n"
        "def c():\n"
        "    # the models import this module: a cycle\n"
        "    from community.ideas import trending\n"
        "async def d():\n"
        "    import x  # cycle: x imports this module\n"
        "def e():\n"
        "    def f():\n"
        "        from . import g\n"
    )
    assert function_level_imports(source) == [
        (3, "a", "community.forums.views"),
        (7, "b", "json"),
        (15, "f", "."),
    ]


def test_no_function_level_imports_in_the_application():
    found = [
        f"{path.relative_to(ROOT)}:{line} in {function}(): {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, function, module in function_level_imports(path.read_text())
    ]
    assert found == [], "import these at the top of the module (break the cycle if there is one)"


# Each of these imports the other at module level, one way only; each must import first.
ONCE_IN_CYCLES = (
    "community.ideas.models",
    "community.ideas.trending",
    "community.notifications.delivery",
    "community.notifications.operations",
    "community.notifications.visibility",
)

# Importing any module runs ``community/__init__.py`` (the app factory, then every feature) in
# the same order; with every package's ``__init__`` replaced by an empty package, the chain of
# imports starts at the module named, as it would for a script or a new caller.
IMPORT_FIRST = """
import importlib, pathlib, sys, types
for init in sorted(pathlib.Path("community").rglob("__init__.py")):
    name = ".".join(init.parent.parts)
    package = types.ModuleType(name)
    package.__path__ = [str(init.parent)]
    sys.modules[name] = package
importlib.import_module(sys.argv[1])
"""


@pytest.mark.parametrize("module", ONCE_IN_CYCLES)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    done = subprocess.run(  # noqa: S603 - our interpreter, our code, a fixed module name
        [sys.executable, "-c", IMPORT_FIRST, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_notifications_do_not_import_pages():
    """What a notification shows is worked out from queries and permissions, not from
    another feature's views (which import half the application)."""
    for name in ("visibility", "delivery", "operations", "queries", "receivers"):
        tree = ast.parse((PACKAGE / "notifications" / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not {m for m in imported if m and m.endswith(".views")}, name
