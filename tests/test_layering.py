"""The layering rule (STYLE.md): SQL lives in ``pqm_tui/model/`` only.

Every module outside ``model/`` is parsed with ``ast``; a string constant that
reads like SQL, or a call to ``.execute(`` / ``.executemany(`` /
``.executescript(`` or a database ``.query(``, fails the test with file:line.
Textual's DOM ``self.query(Input)`` is not SQL and is allowed. ``screens/`` and
``widgets/`` must not import ``sqlite3`` or ``sqlite_utils`` except for type
annotations under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pqm_tui"
MODEL = PACKAGE / "model"

SQL = re.compile(
    r"\bSELECT\b[\s\S]*?\bFROM\b"
    r"|\bSELECT\s+\w+\s*\("
    r"|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b"
    r"|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b"
    r"|\bPRAGMA\s+\w+"
    r"|\bCREATE\s+(UNIQUE\s+|TEMP\s+|VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b"
)
SQL_METHODS = {"execute", "executemany", "executescript"}
# ``x.query(...)`` is SQL when ``x`` is a connection; Textual widgets have a DOM query().
DB_RECEIVER = re.compile(r"\b(db|conn|connection|database|cursor|cur)\b(\(\))?$")
DB_MODULES = {"sqlite3", "sqlite_utils"}


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if MODEL not in p.parents)


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of docstring constants: prose, never run."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_violations(source: str, name: str) -> list[str]:
    """``name:line: reason`` for each SQL string or SQL call in ``source``."""
    tree = ast.parse(source, filename=name)
    docs = _docstrings(tree)
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docs and SQL.search(node.value):
                text = " ".join(node.value.split())[:60]
                problems.append(f"{name}:{node.lineno}: SQL string {text!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            receiver = ast.unparse(node.func.value)
            if method in SQL_METHODS or (method == "query" and DB_RECEIVER.search(receiver)):
                problems.append(f"{name}:{node.lineno}: call {receiver}.{method}(...)")
    return problems


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of import nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                inside.update(id(n) for n in ast.walk(stmt))
    return inside


def db_imports(source: str, name: str) -> list[str]:
    """``name:line: import`` for each runtime import of sqlite3 / sqlite_utils."""
    tree = ast.parse(source, filename=name)
    allowed = _type_checking_only(tree)
    problems: list[str] = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in DB_MODULES:
                problems.append(f"{name}:{node.lineno}: imports {module}")
    return problems


def _sources(root: Path) -> Iterator[tuple[str, str]]:
    for path in _modules(root):
        yield path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent))


def test_the_scan_covers_the_layers() -> None:
    names = {str(p.relative_to(PACKAGE)) for p in _modules(PACKAGE)}
    for folder in ("services", "reports", "screens", "widgets", "commands"):
        assert any(n.startswith(folder + "/") for n in names), folder
    assert not any(n.startswith("model/") for n in names)


def test_no_sql_outside_model() -> None:
    problems = [p for source, name in _sources(PACKAGE) for p in sql_violations(source, name)]
    assert not problems, "SQL outside pqm_tui/model/:\n" + "\n".join(problems)


@pytest.mark.parametrize("folder", ["screens", "widgets"])
def test_screens_and_widgets_do_not_import_the_database(folder: str) -> None:
    problems = [p for source, name in _sources(PACKAGE / folder) for p in db_imports(source, name)]
    assert not problems, "database imports in the UI:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        'row = db.execute("SELECT pqm_actor()").fetchone()',
        'rows = list(self.db.query("SELECT id FROM notices WHERE number = ?", [n]))',
        "rows = ctx.db().query(q, [ident])",
        'ROWS = """SELECT p.name, count(*) FROM rectification_items r\n JOIN projects p"""',
        "conn.executescript(script)",
        'Q = f"UPDATE items SET code = {code!r}"',
        'SQL = "INSERT OR REPLACE INTO findings VALUES (?)"',
        'CHECK = "PRAGMA integrity_check"',
        'S = "DELETE FROM photos"',
    ],
)
def test_the_scan_catches_sql(line: str) -> None:
    assert sql_violations(line, "x.py")


@pytest.mark.parametrize(
    "line",
    [
        "self.query(Input).first().focus()",
        'values = {w.id: w.value for w in self.query("#form Input")}',
        'label = tr("review.select")',
        'HELP = "Select the items to re-inspect, then press Enter"',
        'def f():\n    """Runs ``PRAGMA integrity_check`` via the model."""',
    ],
)
def test_the_scan_allows_ui_queries_and_prose(line: str) -> None:
    assert not sql_violations(line, "x.py")


def test_the_import_check_allows_type_checking_only() -> None:
    typed = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from sqlite_utils import Database\n"
    )
    assert not db_imports(typed, "s.py")
    assert db_imports("from sqlite_utils import Database\n", "s.py") == [
        "s.py:1: imports sqlite_utils"
    ]
    assert db_imports("import sqlite3\n", "s.py") == ["s.py:1: imports sqlite3"]
