"""The ``pqm`` command: parse arguments, build settings, run a command or the app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pqm_tui import __version__
from pqm_tui.commands import (
    checklist,
    dbcheck,
    demo,
    inspection,
    items,
    keys,
    person,
    report,
    verify,
)
from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.config import SettingsError, load_settings
from pqm_tui.model.checklist_file import ChecklistFileError
from pqm_tui.model.db import DatabaseError
from pqm_tui.model.errors import ModelError

COMMAND_MODULES = (demo, checklist, inspection, dbcheck, report, keys, verify, items, person)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pqm",
        description="PQM — property quality inspections in the terminal (物业品质管理).",
    )
    parser.add_argument("--version", action="version", version=f"pqm {__version__}")
    parser.add_argument("--db", type=Path, help="database file (env PQM_DB)")
    parser.add_argument("--lang", choices=("zh", "en"), help="language (env PQM_LANG; zh)")
    parser.add_argument("--tz", dest="timezone", help="IANA timezone (env PQM_TZ; the system's)")
    parser.add_argument("--as", dest="actor", help="who you are, for the audit trail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(db=args.db, lang=args.lang, timezone=args.timezone)
        context = CommandContext(settings)
        if args.actor:
            context.actor = args.actor
        if args.command is None:
            from pqm_tui.app import run_app

            return run_app(context)
        return int(args.func(context, args) or 0)
    except (UserError, ModelError, ChecklistFileError, DatabaseError, SettingsError) as exc:
        message = str(exc)
        if isinstance(exc, ChecklistFileError) and len(exc.problems) > 1:
            print(f"pqm: {len(exc.problems)} problems in {exc.path}:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {exc.path}: {problem}", file=sys.stderr)
        else:
            print(f"pqm: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head & co.: stop quietly, like other tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
