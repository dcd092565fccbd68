"""``pqm person list|pin``: the people who sign, and their sign-off PIN (签字密码).

``pqm person pin NAME`` sets a first PIN, or changes it after the current one
(``PQM_PIN`` or asked); ``--reset`` and ``--clear`` are an administrator's: a new
PIN or none without the old one, recorded in the audit trail. A signing key
protected with the old PIN follows a change; after a reset it no longer opens.
People are entered with ``pqm org import`` (or the organisation screen).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("person", help="people, and their sign-off PINs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="name, title, roles, project, PIN set, signing key")
    lst.set_defaults(func=run_list)
    pin = actions.add_parser(
        "pin", help="set or change (the current PIN first) a person's sign-off PIN"
    )
    pin.add_argument("person", help="person's name or id")
    pin.add_argument("--pin-stdin", action="store_true", help="read the new PIN from stdin")
    how = pin.add_mutually_exclusive_group()
    how.add_argument(
        "--reset", action="store_true", help="administrator: a new PIN without the old one"
    )
    how.add_argument("--clear", action="store_true", help="administrator: remove the PIN")
    pin.set_defaults(func=run_pin)


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import list_people, list_projects
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import key_path

    tr = ctx.tr
    db = ctx.db()
    projects = {p.id: p.name for p in list_projects(db)}
    folder = keys_dir(ctx.db_path)
    mark = {True: tr("walk.person.set"), False: "—"}
    rows = [
        (
            p.name,
            p.role,
            "、".join(tr.enum(r) for r in p.roles) or "—",
            projects.get(p.project_id or "", tr("walk.person.no_project")),
            mark[bool(p.pin_hash)],
            mark[key_path(folder, p.id).exists()],
        )
        for p in list_people(db)
    ]
    headers = [tr(f"walk.person.col.{c}") for c in ("name", "role", "project", "pin", "key")]
    headers.insert(2, tr("org.person.col_roles"))
    print(format_table(headers, rows))
    return 0


def _read_pin(ctx: CommandContext, from_stdin: bool) -> str:
    """The new PIN: one line of stdin, or typed twice (not echoed); its format checked."""
    from pqm_tui.services.pins import PinFormatError, check_format

    if from_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass(ctx.tr("walk.person.prompt")).strip()
        if pin != getpass.getpass(ctx.tr("walk.person.prompt_again")).strip():
            raise UserError(ctx.tr("walk.person.mismatch"))
    try:
        check_format(pin)
    except PinFormatError as exc:
        raise UserError(ctx.tr.error(exc)) from None
    return pin


def _actor_name(ctx: CommandContext) -> str:
    from pqm_tui.model.errors import NotFoundError
    from pqm_tui.model.organisation import find_person

    try:
        return find_person(ctx.db(), ctx.actor).name
    except NotFoundError:
        return ctx.actor


def run_pin(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.commands.pin_input import read_pin
    from pqm_tui.model.organisation import find_person
    from pqm_tui.paths import keys_dir
    from pqm_tui.services import pins
    from pqm_tui.services.signing import SigningError, key_path, protect_key

    tr = ctx.tr
    db = ctx.db()
    person = find_person(db, args.person)
    folder = keys_dir(ctx.db_path)
    has_key = key_path(folder, person.id).is_file()
    if args.clear or args.reset:  # an administrator's act: the old PIN is not asked
        new = None if args.clear else _read_pin(ctx, args.pin_stdin)
        pins.reset_pin(db, person.id, new)
        said = "cli.pin.cleared" if args.clear else "cli.pin.reset"
        print(tr(said, person=person.name, actor=_actor_name(ctx)))
        if has_key:
            print(tr("cli.pin.key_orphaned", person=person.name))
        return 0
    if not person.pin_hash:
        if ctx.actor not in (person.id, person.name):  # a first PIN is his own to choose
            raise UserError(tr("cli.pin.first_is_own", person=person.name))
        pins.set_first_pin(db, person.id, _read_pin(ctx, args.pin_stdin))
        print(tr("cli.pin.first_set", person=person.name))
        return 0
    old = read_pin(ctx, person, label="cli.pin.prompt_current")
    new = _read_pin(ctx, args.pin_stdin)
    pins.change_pin(db, ctx.clock, person.id, old, new)
    print(tr("cli.pin.changed", person=person.name))
    if has_key:
        try:
            protect_key(folder, person.id, new.encode(), old_secret=old.encode())
            print(tr("cli.pin.key_follows", person=person.name))
        except SigningError:  # protected with another secret, or damaged: not this PIN's
            print(tr("cli.pin.key_orphaned", person=person.name))
    return 0
