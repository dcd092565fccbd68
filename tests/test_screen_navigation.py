"""Screens navigate by name (``PQMApp.open``): no screen imports another, the app no command."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pqm_tui"
SCREENS = {"home", "walk", "summary", "review"}  # the full screens, opened by name


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_screen_or_dialog_imports_a_screen() -> None:
    modules = sorted((PACKAGE / "screens").rglob("*.py"))
    problems = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules
        for name in _imports(path)
        if name.removeprefix("pqm_tui.screens.") in SCREENS and path.stem != name.split(".")[-1]
    ]
    assert not problems, "\n".join(problems)


def test_the_app_does_not_depend_on_the_commands() -> None:
    imports = _imports(PACKAGE / "app.py")
    assert not [name for name in imports if name.startswith("pqm_tui.commands")]
