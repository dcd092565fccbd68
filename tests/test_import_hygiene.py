"""The core (model, services, reports) imports without Textual."""

from __future__ import annotations

import ast
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


def _loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of ``prefixes`` that running ``code`` loaded."""
    check = (
        f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if m.startswith({prefixes!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True
    )
    loaded: list[str] = ast.literal_eval(result.stdout)  # a printed list of module names
    return loaded


def test_the_first_screen_loads_only_the_home_screen() -> None:
    """Start-up (the first painted screen) imports the home screen; the others, the
    scoring of latest results and the checklist-file reader load when first needed."""
    others = (
        "pqm_tui.screens.walk",
        "pqm_tui.screens.summary",
        "pqm_tui.screens.review",
        "pqm_tui.screens.organisation",
        "pqm_tui.screens.amendments",
        "pqm_tui.screens.assessment",
        "pqm_tui.screens.analysis",
        "pqm_tui.screens.welcome",
        "pqm_tui.screens.dialogs.start",
        "pqm_tui.screens.dialogs.report",
        "pqm_tui.screens.dialogs.document",
        "pqm_tui.screens.dialogs.finding_panel",
        "pqm_tui.services.latest_scores",
    )
    assert _loaded_after("import pqm_tui.cli, pqm_tui.app, pqm_tui.screens.home", others) == []
    assert _loaded_after("import pqm_tui.cli", ("pqm_tui.model.checklist_file",)) == []
    from pqm_tui.screens.registry import SCREENS, screen_class

    for name in SCREENS:  # every name still opens its screen
        assert screen_class(name).__name__ == SCREENS[name][1]


def test_a_command_imports_the_code_it_runs_not_its_neighbours() -> None:
    """``pqm inspection list`` parses the whole ``inspection`` command (export, amend …)
    but imports only the code of ``list``; the others' load when they run (parser.lazy)."""
    code = (
        "from pqm_tui.cli import build_parser, command_modules\n"
        "argv = ['inspection', 'list']\n"
        "args = build_parser(command_modules(argv)).parse_args(argv)\n"
        "assert args.func.__name__ == 'run_list'\n"
    )
    assert _loaded_after(code, ("pqm_tui.commands.amend", "pqm_tui.commands.analysis")) == []
    lazy = _loaded_after(
        "from pqm_tui.commands.parser import lazy\nrun = lazy('pqm_tui.commands.amend:run_list')\n",
        ("pqm_tui.commands.amend",),
    )
    assert lazy == []
