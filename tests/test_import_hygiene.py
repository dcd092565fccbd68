"""The core (model, services, reports) imports without Textual."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_without_textual() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import pqm_tui.model, pqm_tui.services, pqm_tui.reports\n"
        "for pkg in (pqm_tui.model, pqm_tui.services, pqm_tui.reports):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_starting_the_app_loads_no_command_reports_or_pdf_code() -> None:
    """``pqm`` (the app) parses its arguments without importing every command's code."""
    code = (
        "import sys\n"
        "from pqm_tui.cli import build_parser, command_modules\n"
        "assert command_modules(['--db', 'x.sqlite3']) == []\n"
        "build_parser(command_modules(['--db', 'x.sqlite3'])).parse_args(['--db', 'x.sqlite3'])\n"
        "import pqm_tui.app, pqm_tui.screens.home\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('pqm_tui.commands.report',\n"
        "    'pqm_tui.commands.items', 'pqm_tui.reports', 'weasyprint', 'pyhanko')))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_command_loads_its_module_and_help_lists_all() -> None:
    from pqm_tui.cli import COMMANDS, command_modules

    assert command_modules(["--db", "x", "--lang", "en", "items", "--overdue"]) == ["items"]
    assert command_modules(["item", "show", "abc"]) == ["items"]
    everything = list(dict.fromkeys(COMMANDS.values()))
    assert command_modules(["--help"]) == everything
    assert command_modules(["itemz"]) == everything  # so that the error lists the choices
