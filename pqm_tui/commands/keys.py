"""``pqm keys init|import|protect|list``: signing keys of people (签名密钥).

Every key is encrypted with its person's sign-off PIN, asked here (``PQM_PIN`` for
scripts) and checked first; ``protect`` encrypts a key an earlier version left open.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table

OLD_PASSPHRASE_ENV = "PQM_KEY_PASSPHRASE"  # how earlier versions encrypted keys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("keys", help="signing keys of people")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create a key and self-signed certificate")
    init.add_argument("--person", required=True, help="person's name or id")
    init.add_argument("--force", action="store_true", help="replace an existing key")
    init.set_defaults(func=run_init)
    imp = actions.add_parser("import", help="import a company-issued PKCS#12 (.p12/.pfx)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--person", required=True, help="person's name or id")
    imp.add_argument("--ask-passphrase", action="store_true", help="prompt for its passphrase")
    imp.add_argument("--force", action="store_true", help="replace an existing key")
    imp.set_defaults(func=run_import)
    protect = actions.add_parser(
        "protect", help="encrypt a key left unprotected by an earlier version with the PIN"
    )
    protect.add_argument("--person", required=True, help="person's name or id")
    protect.add_argument(
        "--ask-passphrase",
        action="store_true",
        help="the key has a passphrase of an earlier version: ask it (or PQM_KEY_PASSPHRASE)",
    )
    protect.set_defaults(func=run_protect)
    lst = actions.add_parser("list", help="people with a signing key")
    lst.set_defaults(func=run_list)


def _person(ctx: CommandContext, who: str, force: bool) -> tuple[str, str, Path, bytes]:
    """The person's id, name, the keys folder and his PIN (asked and checked)."""
    from pqm_tui.commands.pin_input import confirm_pin
    from pqm_tui.model.organisation import find_person
    from pqm_tui.model.permissions import Action
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import key_path

    person = find_person(ctx.db(), who)
    ctx.require(Action.MANAGE_KEYS, person_id=person.id)
    folder = keys_dir(ctx.db_path)
    existing = key_path(folder, person.id)
    if existing.exists() and not force:
        raise UserError(ctx.tr("reports.keys.exists", person=person.name, path=existing))
    pin = confirm_pin(ctx, person)
    return person.id, person.name, folder, pin.encode()


def run_init(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import first_company_name
    from pqm_tui.services.signing import create_self_signed

    person_id, name, folder, secret = _person(ctx, args.person, args.force)
    company = ctx.settings.company_name
    if not company:
        company = first_company_name(ctx.db())
    path = create_self_signed(folder, person_id, name, company, secret)
    print(ctx.tr("reports.keys.created", person=name, path=path))
    return 0


def run_protect(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.commands.pin_input import confirm_pin
    from pqm_tui.model.organisation import find_person
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import is_protected, key_path, protect_key

    person = find_person(ctx.db(), args.person)
    folder = keys_dir(ctx.db_path)
    path = key_path(folder, person.id)
    if not path.is_file():
        raise UserError(ctx.tr("reports.err.key_missing", person=person.name))
    old: bytes | None = None
    if is_protected(folder, person.id):
        old = _old_passphrase(args.ask_passphrase)
        if old is None:
            print(ctx.tr("reports.keys.already_protected", person=person.name, path=path))
            return 0
    pin = confirm_pin(ctx, person)
    protect_key(folder, person.id, pin.encode(), old_secret=old)
    print(ctx.tr("reports.keys.protected", person=person.name, path=path))
    return 0


def run_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.services.signing import SigningError, import_pkcs12, key_info

    if not args.file.is_file():
        raise UserError(ctx.tr("reports.verify.missing_file", path=args.file))
    person_id, name, folder, secret = _person(ctx, args.person, args.force)
    passphrase = getpass.getpass().encode() if args.ask_passphrase else None
    try:
        path = import_pkcs12(folder, person_id, args.file, passphrase, secret)
    except SigningError as exc:
        raise UserError(
            ctx.tr("reports.keys.bad_p12", path=args.file, reason=ctx.tr.error(exc))
        ) from None
    info = key_info(folder, person_id, name)
    print(
        ctx.tr(
            "reports.keys.imported", person=name, subject=info.subject if info else "", path=path
        )
    )
    return 0


def _old_passphrase(ask: bool) -> bytes | None:
    """The passphrase an earlier version protected a key with (``PQM_KEY_PASSPHRASE``), if any."""
    value = os.environ.get(OLD_PASSPHRASE_ENV)
    if value:
        return value.encode()
    return getpass.getpass().encode() if ask else None


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import list_people
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import SigningError, is_protected, key_info, secure_folder

    folder = keys_dir(ctx.db_path)
    if folder.is_dir():
        secure_folder(folder)
    rows = []
    for person in list_people(ctx.db()):
        try:
            info = key_info(folder, person.id, person.name)
        except SigningError as exc:  # one damaged file must not hide the others
            print(f"pqm: {ctx.tr.error(exc)}", file=sys.stderr)
            continue
        if info is None:
            continue
        try:
            protected = ctx.tr("reports.keys.protected_yes" if is_protected(folder, person.id)
                               else "reports.keys.protected_no")  # fmt: skip
        except SigningError as exc:
            protected = ctx.tr.error(exc)
        rows.append((person.name, info.subject, info.not_after, protected, info.p12_path))
    columns = ("person", "subject", "until", "protected", "file")
    headers = [ctx.tr(f"reports.keys.col_{c}") for c in columns]
    print(format_table(headers, rows))
    return 0
