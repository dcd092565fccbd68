"""Asking a PIN on the command line (签字密码): a hidden prompt, or ``PQM_PIN`` for scripts.

A PIN is never taken as a command-line argument: the arguments of a process are
visible to every user of the machine (``ps``), so ``--pin`` is refused before
anything runs (:func:`secret_in_argv`). Without a terminal and without
``PQM_PIN`` the command refuses rather than wait for a prompt nobody sees.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pqm_tui.commands.context import CommandContext, UserError

if TYPE_CHECKING:
    from pqm_tui.model.entities import Person

PIN_ENV = "PQM_PIN"
ARGV_SECRETS = ("--pin", "--passphrase", "--password", "--secret")


def secret_in_argv(argv: Sequence[str]) -> str | None:
    """The option that would put a secret in ``argv`` (``--pin 1234``, ``--pin=1234``), or None."""
    for word in argv:
        name = word.split("=", 1)[0]
        if name in ARGV_SECRETS:
            return name
    return None


def read_pin(ctx: CommandContext, person: Person, *, label: str = "cli.pin.prompt") -> str:
    """The person's PIN: ``PQM_PIN`` when set, else asked without echo on the terminal."""
    value = os.environ.get(PIN_ENV)
    if value is not None:
        return value.strip()
    if not sys.stdin.isatty():
        raise UserError(ctx.tr("cli.pin.no_terminal", person=person.name, env=PIN_ENV))
    return getpass.getpass(ctx.tr(label, person=person.name)).strip()


def confirm_pin(ctx: CommandContext, person: Person) -> str:
    """Ask the person's PIN and check it (``pins.check_pin``: counted, locked after five
    wrong tries); the PIN, to open his key. A refusal is raised as a ``PinError``."""
    from pqm_tui.services.pins import check_pin

    pin = read_pin(ctx, person)
    check_pin(ctx.db(), ctx.clock, person.id, pin)
    return pin


def acting_person(ctx: CommandContext) -> Person:
    """The person ``--as`` (or ``PQM_AS``) names: whose PIN a decision asks."""
    from pqm_tui.model.organisation import find_person

    return find_person(ctx.db(), ctx.actor)
