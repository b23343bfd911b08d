"""The layout is the architecture: every module of game/core/ imports with Flask, Socket.IO,
eventlet and SQLite absent, and the shell stays out of the core.

Each core module is imported in a fresh interpreter whose import system refuses the web stack
and the database, so a stray import anywhere in a module's imports fails here by name.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.support import ROOT

CORE = ROOT / "game" / "core"
CORE_MODULES = sorted(
    "game.core."
    + str(p.relative_to(CORE).with_suffix("")).replace("/", ".").removesuffix(".__init__")
    for p in CORE.rglob("*.py")
)
BLOCKED = (
    "flask",
    "flask_socketio",
    "socketio",
    "engineio",
    "eventlet",
    "werkzeug",
    "sqlite3",
    "_sqlite3",
    "sqlite_utils",
)

GUARD = f"""
import sys
BLOCKED = {BLOCKED!r}

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"the core may not import {{name}}")
        return None

sys.meta_path.insert(0, Refuse())
import importlib
importlib.import_module(sys.argv[1])
for name in BLOCKED:
    assert name not in sys.modules, name
"""


def test_every_core_module_is_listed():
    assert "game.core.scenario" in CORE_MODULES
    assert "game.core.protocols.offers" in CORE_MODULES
    assert len(CORE_MODULES) >= 15


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_imports_without_the_web_stack_or_sqlite(module):
    run = subprocess.run(
        [sys.executable, "-c", GUARD, module], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_the_guard_does_refuse_the_web_stack():
    """The check above could pass by accident if the guard refused nothing."""
    run = subprocess.run(
        [sys.executable, "-c", GUARD, "game.server.store"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode != 0 and "may not import" in run.stderr


def test_the_package_itself_imports_without_flask():
    """``import game`` (as every core import does first) does not pull in Flask."""
    run = subprocess.run(
        [sys.executable, "-c", GUARD, "game"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_the_core_never_imports_the_shell():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("game.server")]
    assert offenders == []


def test_the_console_does_not_import_from_the_package_root():
    """The console reads ROOT and friends from game.paths, never back from game/__init__.py."""
    for path in (ROOT / "game" / "server").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "game", f"{path}: from game import ..."


def test_no_file_in_game_is_much_over_450_lines():
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines())
        for p in (ROOT / "game").rglob("*.py")
    }
    assert {k: v for k, v in sizes.items() if v > 470} == {}


def test_no_class_in_game_is_much_over_300_lines():
    """About 300: the store (about 325, its write and checkpoint methods) is the largest."""
    long = {}
    for path in (ROOT / "game").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 330:
                long[f"{path.relative_to(ROOT)}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert long == {}
