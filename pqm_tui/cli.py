"""The ``pqm`` command: parse arguments, build settings, run a command or the app."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pqm_tui import __version__
from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.parser import PQMParser, translate
from pqm_tui.commands.pin_input import PIN_ENV, secret_in_argv
from pqm_tui.config import SettingsError, load_settings
from pqm_tui.i18n import LANGUAGES, Translator
from pqm_tui.model.errors import PQMError, os_reason, os_storage_error

if TYPE_CHECKING:
    from pqm_tui.model.checklist_file import ChecklistProblem

# Command word → the module of ``pqm_tui.commands`` that registers it. Only the
# module of the command given is imported, and none when the app is run: the
# commands pull in services and reports the app's start does not need.
COMMANDS = {
    "seed-demo": "demo",
    "checklist": "checklist",
    "inspection": "inspection",
    "db": "dbcheck",
    "report": "report",
    "keys": "keys",
    "verify": "verify",
    "items": "items",
    "item": "items",
    "person": "person",
    "org": "org",
    "assess": "assess",
}


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="database file (env PQM_DB)")
    parser.add_argument("--lang", choices=("zh", "en"), help="language (env PQM_LANG; zh)")
    parser.add_argument("--tz", dest="timezone", help="IANA timezone (env PQM_TZ; the system's)")
    parser.add_argument(
        "--as", dest="actor", help="who you are: a person's exact name or id (env PQM_AS)"
    )


def help_language(argv: Sequence[str] | None) -> str:
    """The language of help and argument errors, before the arguments are parsed: ``--lang``,
    else ``PQM_LANG``, else the configuration file's, else Chinese."""
    words = list(sys.argv[1:] if argv is None else argv)
    for index, word in enumerate(words):
        given = word.removeprefix("--lang=") if word.startswith("--lang=") else None
        if word == "--lang" and index + 1 < len(words):
            given = words[index + 1]
        if given in LANGUAGES:
            return given
    try:
        return load_settings().lang
    except PQMError:
        env = os.environ.get("PQM_LANG", "")
        return env if env in LANGUAGES else "zh"


def command_modules(argv: Sequence[str] | None, tr: Translator | None = None) -> list[str]:
    """The command modules ``argv`` needs: none to run the app, its own, or all (help, typos)."""
    words = list(sys.argv[1:] if argv is None else argv)
    first = PQMParser(add_help=False, prog="pqm")
    _add_global_options(first)
    if tr is not None:
        translate(first, tr)
    first.add_argument("rest", nargs=argparse.REMAINDER)
    known, unknown = first.parse_known_args(words)
    command = known.rest[0] if known.rest else None
    if command in COMMANDS:
        return [COMMANDS[command]]
    if command is None and not unknown:
        return []
    return list(dict.fromkeys(COMMANDS.values()))


def build_parser(
    modules: Sequence[str] | None = None, tr: Translator | None = None
) -> argparse.ArgumentParser:
    """The parser with the commands of ``modules`` (default: all of them), its help and
    errors in ``tr``'s language (default: the English of the code)."""
    parser = PQMParser(
        prog="pqm",
        description="PQM — property quality inspections in the terminal (物业品质管理).",
    )
    parser.add_argument("--version", action="version", version=f"pqm {__version__}")
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in dict.fromkeys(COMMANDS.values()) if modules is None else modules:
        importlib.import_module(f"pqm_tui.commands.{name}").register(sub)
    if tr is not None:
        translate(parser, tr)
    return parser


def run_app(context: CommandContext) -> int:
    """``pqm`` without a command: build the app through the factory and run it until quit."""
    from pqm_tui.app import start_app  # the app's screens load only when the app is run

    path = context.db_path
    if path.parent.is_dir() and not path.exists():  # a first run: say where the data will live
        print(f"pqm: {context.tr('cli.app.new_database', path=path)}", file=sys.stderr)
    app = start_app(
        context.settings,
        db_path=context.db_path,
        actor=context.who,
        clock=context.clock,
        ask_identity=True,
    )
    try:
        app.run()
    finally:
        app.close_database()  # SQLite refreshes its statistics on the way out (PRAGMA optimize)
    return int(app.return_code or 0)


def main(argv: Sequence[str] | None = None) -> int:
    said = Translator(help_language(argv))
    secret = secret_in_argv(list(sys.argv[1:] if argv is None else argv))
    if secret is not None:  # refused before it is parsed, logged or used
        print(f"pqm: {said('cli.pin.in_argv', option=secret, env=PIN_ENV)}", file=sys.stderr)
        return 2
    parser = build_parser(command_modules(argv, said), said)
    args = parser.parse_args(argv)
    lang = _language(args)
    try:
        settings = load_settings(db=args.db, lang=args.lang, timezone=args.timezone)
        lang = settings.lang
        # who acts: --as before the command, else the signer a report names with its own --as
        who = args.actor or getattr(args, "signer", None) or os.environ.get("PQM_AS") or None
        creates = getattr(args, "creates_database", False)
        context = CommandContext(settings, who=who, creates=creates)
        if args.command is None:
            return run_app(context)
        try:
            return int(args.func(context, args) or 0)
        finally:
            context.close()  # SQLite refreshes its statistics on the way out (PRAGMA optimize)
    except (UserError, PQMError) as exc:
        said_in = (exc.lang if isinstance(exc, SettingsError) else None) or lang
        for line in error_lines(Translator(said_in), exc):
            print(line, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head & co.: stop quietly, like other tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file the system refused (disk full, read-only, gone): one line
        refusal = os_storage_error(exc) if exc.filename else os_reason(exc)  # no file: why
        print(f"pqm: {Translator(lang).error(refusal)}", file=sys.stderr)
        return 2


def error_lines(tr: Translator, exc: UserError | PQMError) -> list[str]:
    """What ``pqm`` prints for an error: one line; a checklist file adds a line per problem."""
    from pqm_tui.model.checklist_file import ChecklistFileError  # errors only: not at start

    if not isinstance(exc, ChecklistFileError):
        return [f"pqm: {tr.error(exc)}"]
    lines = [": ".join(filter(None, (exc.path, _where(tr, p), tr.error(p)))) for p in exc.problems]
    if len(lines) == 1:
        return [f"pqm: {lines[0]}"]
    return [f"pqm: {tr.error(exc)}", *(f"  {line}" for line in lines)]


def _where(tr: Translator, problem: ChecklistProblem) -> str:
    """Where a problem is: a path inside a YAML file, or a spreadsheet's sheet, row and column."""
    place = problem.place
    if place is None:
        return problem.where
    form = "cell" if place.column and place.row else "row" if place.row else "range"
    if not place.sheet:
        return tr(f"errors.checklist.where.csv_{form}", **vars(place)) if place.row else ""
    if not place.row and not place.column:
        return tr("errors.checklist.where.sheet", sheet=place.sheet)
    return tr(f"errors.checklist.where.{form}", range=place.column, **vars(place))


def _language(args: argparse.Namespace) -> str:
    """The language asked for (even when the settings themselves could not be read)."""
    lang = args.lang or os.environ.get("PQM_LANG", "")
    return lang if lang in LANGUAGES else "zh"
