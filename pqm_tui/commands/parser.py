"""argparse in the user's language (命令行帮助与错误): help texts, headings and errors.

The commands register their arguments with English help (what a developer
reads); ``translate`` then walks the finished parser and puts the catalog's text
in their place, by command and argument name:

- ``cli_help.cmd.<command>``: a command's line in its parent's list and its
  description (``pqm``, ``checklist``, ``checklist_import`` …);
- ``cli_help.arg.<command>.<argument>``: an argument's help (the option's long
  name without dashes, or a positional's name).

argparse's own words (``usage:``, ``options``, ``show this help message and
exit``) and its errors (``invalid choice``, ``the following arguments are
required`` …) are said by ``cli_help.argparse.*``: ``PQMParser`` overrides
``error`` and the usage prefix. argparse has no public way to list a parser's
actions, so ``translate`` reads ``_actions`` and the sub-parsers' ``choices``.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from pqm_tui.i18n import Translator

# argparse's error messages (Python 3.11–3.13) → our message id; named groups fill it.
ERRORS = (
    (r"the following arguments are required: (?P<names>.+)", "required"),
    (r"one of the arguments (?P<names>.+) is required", "one_required"),
    (r"unrecognized arguments: (?P<names>.+)", "unrecognized"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "ambiguous"),
    (
        r"argument (?P<argument>\S+): invalid choice: (?P<value>.+?) "
        r"\(choose from (?P<choices>.+)\)",
        "invalid_choice",
    ),
    (
        r"argument (?P<argument>\S+): invalid (?P<type>int|float) value: (?P<value>.+)",
        "invalid_number",
    ),
    (r"argument (?P<argument>\S+): invalid \S+ value: (?P<value>.+)", "invalid_value"),
    (r"argument (?P<argument>\S+): expected one argument", "expected_one"),
    (r"argument (?P<argument>\S+): expected at most one argument", "expected_at_most_one"),
    (r"argument (?P<argument>\S+): expected at least one argument", "expected_at_least_one"),
    (r"argument (?P<argument>\S+): expected \d+ arguments?", "expected_one"),
    (r"argument (?P<argument>\S+): ignored explicit argument (?P<value>.+)", "ignored"),
    (r"argument (?P<argument>\S+): not allowed with argument (?P<other>.+)", "not_allowed"),
    (r"argument (?P<argument>\S+): (?P<key>cli_help\.[a-z_.]+) (?P<value>.*)", ""),
)


def lazy(target: str) -> Callable[[Any, argparse.Namespace], int | None]:
    """A command's ``func`` named ``"module:function"``, imported only when it runs: a
    command imports its own code, not that of the commands registered beside it."""
    module, name = target.split(":")

    def run(ctx: Any, args: argparse.Namespace) -> int | None:
        function: Callable[[Any, argparse.Namespace], int | None]
        function = getattr(importlib.import_module(module), name)
        return function(ctx, args)

    return run


def add_scope(parser: argparse.ArgumentParser) -> None:
    """The period and scope arguments every analysis command takes."""
    parser.add_argument("--from", dest="start", metavar="DATE", required=True, help="first day")
    parser.add_argument("--to", dest="end", metavar="DATE", required=True, help="last day")
    parser.add_argument("--project", help="only this project (name or id)")
    parser.add_argument("--city", help="only this city company (name or id)")


class PQMParser(argparse.ArgumentParser):
    """An ArgumentParser that says its errors in the user's language (``tr``)."""

    tr: Translator | None = None  # set by ``translate``; None: argparse's English

    def error(self, message: str) -> NoReturn:
        if self.tr is None:
            super().error(message)
        self.print_usage(sys.stderr)
        said = translate_error(self.tr, message)
        self.exit(2, f"{self.prog}: {self.tr('cli_help.argparse.error')}: {said}\n")


def translate_error(tr: Translator, message: str) -> str:
    """One of argparse's error messages in ``tr``'s language (unknown ones as they are)."""
    for pattern, name in ERRORS:
        found = re.fullmatch(pattern, message.strip())
        if found is None:
            continue
        params = found.groupdict()
        if not name:  # a type function's own message id (``type_error``), with the value
            return tr(
                "cli_help.argparse.invalid_argument",
                argument=params["argument"],
                problem=tr(params["key"], value=params["value"]),
            )
        return tr(f"cli_help.argparse.{name}", **params)
    return message


def type_error(key: str, value: str) -> argparse.ArgumentTypeError:
    """The error of an argument type function, said by message id ``key`` with ``{value}``."""
    return argparse.ArgumentTypeError(f"{key} {value!r}")


def _formatter(tr: Translator) -> Any:
    prefix = tr("cli_help.argparse.usage")

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix_: Any = None) -> None:
            super().add_usage(usage, actions, groups, prefix_ if prefix_ is not None else prefix)

    return Formatter


def command_id(path: tuple[str, ...]) -> str:
    """``checklist_import`` for ``pqm checklist import`` (``pqm`` for the top)."""
    return "_".join(w.replace("-", "_") for w in path) or "pqm"


def argument_name(action: argparse.Action) -> str:
    """An argument's name in the catalog: its long option without dashes, or its dest."""
    longs = [o for o in action.option_strings if o.startswith("--")]
    name = longs[0][2:] if longs else action.dest
    return name.replace("-", "_")


def translate(parser: argparse.ArgumentParser, tr: Translator, path: tuple[str, ...] = ()) -> None:
    """Put ``tr``'s texts in ``parser`` and its sub-parsers (English stays where the catalog
    has none; tests/test_cli_language.py lists those)."""
    messages = tr.messages
    command = command_id(path)
    if isinstance(parser, PQMParser):
        parser.tr = tr
    parser.formatter_class = _formatter(tr)
    if f"cli_help.cmd.{command}" in messages:
        parser.description = messages[f"cli_help.cmd.{command}"]
    for group in parser._action_groups:
        if group.title in ("positional arguments", "options", "optional arguments"):
            kind = "positionals" if group.title.startswith("positional") else "options"
            group.title = messages.get(f"cli_help.argparse.{kind}", group.title)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = messages.get("cli_help.argparse.help", action.help)
        elif isinstance(action, argparse._VersionAction):
            action.help = messages.get("cli_help.argparse.version", action.help)
        elif isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                key = f"cli_help.cmd.{command_id((*path, listed.dest))}"
                listed.help = messages.get(key, listed.help)
            done: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in done:
                    done.add(id(sub))
                    translate(sub, tr, (*path, name))
        else:
            key = f"cli_help.arg.{command}.{argument_name(action)}"
            action.help = messages.get(key, action.help)
        _translate_metavar(action, messages)


def _translate_metavar(action: argparse.Action, messages: dict[str, str]) -> None:
    """A placeholder (FILE, ID …) by ``cli_help.metavar.<its name>``; choices stay."""
    if action.nargs == 0 or (action.choices is not None and action.metavar is None):
        return
    name = action.metavar if isinstance(action.metavar, str) else action.dest
    said = messages.get(f"cli_help.metavar.{name.lower()}")
    if said:
        action.metavar = said


def untranslated(
    parser: argparse.ArgumentParser, tr: Translator, path: tuple[str, ...] = ()
) -> list[str]:
    """The catalog ids a parser's commands and arguments lack in ``tr``'s language."""
    messages = tr.messages
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._VersionAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                key = f"cli_help.cmd.{command_id((*path, listed.dest))}"
                if key not in messages:
                    missing.append(key)
            done: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in done:
                    done.add(id(sub))
                    missing += untranslated(sub, tr, (*path, name))
        elif action.help != argparse.SUPPRESS:
            key = f"cli_help.arg.{command_id(path)}.{argument_name(action)}"
            if key not in messages:
                missing.append(key)
    return missing
