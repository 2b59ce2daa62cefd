"""The layout a newcomer reads at a glance (docs/architecture.md, "Layout"): the root of
``community/`` holds the application's skeleton only, and no module grows past about 500
lines without saying why in its docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import community

PACKAGE = Path(community.__file__).parent

#: The skeleton: what the root of ``community/`` may hold besides packages.
ROOT_MODULES = {
    "__init__.py",
    "app.py",
    "commands.py",
    "config.py",
    "database.py",
    "envvars.py",
    "errors.py",
    "extensions.py",
    "logs.py",
    "mail.py",
    "permissions.py",
    "progress.py",
    "ratelimit.py",
    "signals.py",
}

#: How long a module may grow before its docstring must say why it is longer.
MAX_LINES = 500
REASON = "Longer than 500 lines because"


def test_the_root_holds_the_skeleton_only():
    modules = {path.name for path in PACKAGE.glob("*.py")}
    assert modules == ROOT_MODULES, "new helpers belong in web/, text/ or a feature package"


def test_long_modules_say_why():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if REASON not in " ".join(docstring.split()):
            long.append(f"{path.relative_to(PACKAGE)} ({text.count(chr(10))} lines)")
    assert not long, f"split these along their seams, or say why in the docstring: {long}"


#: Files we write (not vendored, not translations) stay small enough to read; a document that
#: grows past this was appended to by a runaway edit (bench/README.md once reached 81 MB).
MAX_WRITTEN_BYTES = 200_000
WRITTEN = ("*.md", "*.py", "*.html", "*.js", "*.css", "*.toml", "*.cfg", "*.ini", "*.sh")


def test_written_files_stay_readable():
    root = PACKAGE.parent
    too_big = {
        str(path.relative_to(root)): path.stat().st_size
        for pattern in WRITTEN
        for path in root.rglob(pattern)
        if not {".venv", "node_modules", "vendor", ".git", "instance"} & set(path.parts)
        and path.stat().st_size > MAX_WRITTEN_BYTES
    }
    assert not too_big
