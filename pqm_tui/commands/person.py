"""``pqm person list|pin|permissions``: the people, their sign-off PIN (签字密码), and who
may do what (权限表).

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
from pqm_tui.i18n import Translator


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
    allowed = actions.add_parser("permissions", help="who may do what: the permission table")
    allowed.add_argument(
        "--format", choices=("table", "markdown"), default="table", help="output format"
    )
    allowed.set_defaults(func=run_permissions)


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import list_city_companies, list_people, list_projects
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import key_path

    tr = ctx.tr
    db = ctx.db()
    projects = {p.id: p.name for p in list_projects(db)}
    cities = {c.id: c.name for c in list_city_companies(db)}  # a city GM's place
    folder = keys_dir(ctx.db_path)
    mark = {True: tr("walk.person.set"), False: "—"}
    rows = [
        (
            p.name,
            p.role,
            "、".join(tr.enum(r) for r in p.roles) or "—",
            projects.get(p.project_id or "")
            or cities.get(p.city_company_id or "")
            or tr("walk.person.no_project"),
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


def run_pin(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.commands.pin_input import read_pin
    from pqm_tui.model.organisation import find_person
    from pqm_tui.model.permissions import Action
    from pqm_tui.paths import keys_dir
    from pqm_tui.services import pins
    from pqm_tui.services.signing import SigningError, key_path, protect_key

    tr = ctx.tr
    db = ctx.db()
    person = find_person(db, args.person)
    if args.clear or args.reset or person.id != ctx.person().id:  # another's, or no old PIN
        ctx.require(Action.RESET_PIN, person_id=person.id)  # an administrator's act
    folder = keys_dir(ctx.db_path)
    has_key = key_path(folder, person.id).is_file()
    if args.clear or args.reset:  # an administrator's act: the old PIN is not asked
        new = None if args.clear else _read_pin(ctx, args.pin_stdin)
        pins.reset_pin(db, person.id, new)
        said = "cli.pin.cleared" if args.clear else "cli.pin.reset"
        print(tr(said, person=person.name, actor=ctx.person().name))
        if has_key:
            print(tr("cli.pin.key_orphaned", person=person.name))
        return 0
    if not person.pin_hash:
        if person.id != ctx.person().id:  # a first PIN is his own to choose
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


def permission_rows(tr: Translator) -> list[tuple[str, str, str]]:
    """The permission table (``model.permissions.RULES``) in ``tr``'s words: action, roles
    and conditions, one row per action."""
    from pqm_tui.model.entities import Role
    from pqm_tui.model.permissions import BOOTSTRAP, EVERY_ROLE, RULES

    rows = []
    sep = tr("common.list_sep")
    for action, rule in RULES.items():
        if rule.roles == EVERY_ROLE:
            roles = tr("permissions.any_role")
        else:
            roles = sep.join(tr.enum(r) for r in Role if r in rule.roles)
        if rule.self_allowed:
            roles = tr("permissions.self", roles=roles)
        conditions = sep.join(tr.enum(c) for c in rule.conditions) or "—"
        if action in BOOTSTRAP:
            conditions = tr("permissions.bootstrap")
        rows.append((tr.enum(action), roles, conditions))
    return rows


def run_permissions(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    headers = [tr(f"permissions.col_{c}") for c in ("action", "roles", "conditions")]
    rows = permission_rows(tr)
    if args.format == "markdown":
        print(markdown_table(headers, rows))
    else:
        print(format_table(headers, rows))
    return 0


def markdown_table(headers: list[str], rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table (the README's permission table is this output in English)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
