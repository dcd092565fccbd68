"""The core (model, services, reports) imports without Textual."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from pathlib import Path

from pqm_tui.model.clock import Clock


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


HEAVY = ("pydantic", "sqlite_utils", "yaml", "wcwidth", "textual", "jinja2", "weasyprint")


def test_inspection_list_reads_without_the_database_layer(tmp_path: Path) -> None:
    """``pqm inspection list`` on a current database runs on plain sqlite3: it loads
    none of pydantic, sqlite-utils, PyYAML (the catalogue is compiled), Textual or the
    PDF code, and prints what the full database layer reads."""
    from pqm_tui.config import Settings
    from pqm_tui.model.db import connect
    from pqm_tui.services.demo import seed_demo

    path = tmp_path / "demo.sqlite3"
    db = connect(path)
    seed_demo(db, Clock(), Settings(timezone="Asia/Shanghai"))
    db.close()
    run = (
        "import contextlib, io\nfrom pqm_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['--db', {str(path)!r}, 'inspection', 'list']) == 0\n"
    )
    _loaded_after(run, HEAVY)  # the first run compiles the message catalogue
    assert _loaded_after(run, HEAVY) == []
    pqm = [sys.executable, "-m", "pqm_tui", "--db", str(path)]
    quick = subprocess.run(
        [*pqm, "inspection", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    full = subprocess.run(  # naming who acts opens the database through the full layer
        [*pqm, "--as", "王丽华", "inspection", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert quick == full and len(quick.splitlines()) > 3


def test_the_quick_read_knows_the_latest_schema_version() -> None:
    """A database stamped with ``plain_connection.SCHEMA_VERSION`` is read without
    migrating: it must be the number of migrations (bump it with a new migration)."""
    from pqm_tui.model.plain_connection import SCHEMA_VERSION
    from pqm_tui.model.schema import latest_version

    assert latest_version() == SCHEMA_VERSION


def test_an_older_database_is_migrated_before_it_is_listed(tmp_path: Path) -> None:
    """The quick read refuses a database that needs migrating: the full layer migrates it."""
    from pqm_tui.model.db import connect
    from pqm_tui.model.plain_connection import open_current
    from pqm_tui.model.schema import latest_version

    path = tmp_path / "old.sqlite3"
    connect(path).close()
    assert open_current(path) is not None
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() - 1}")
    conn.close()
    assert open_current(path) is None
    assert open_current(tmp_path / "missing.sqlite3") is None


def test_the_app_starts_without_yaml_or_the_checklist_file_format() -> None:
    """The app's first path: the compiled catalogue, settings without a file: no PyYAML."""
    code = (
        "import pqm_tui.cli, pqm_tui.app, pqm_tui.screens.home\n"
        "from pqm_tui.i18n import Translator\nTranslator('zh')\n"
    )
    _loaded_after(code, ())
    assert _loaded_after(code, ("yaml", "pqm_tui.model.checklist_file", "wcwidth")) == []
