"""``pqm keys init|import|list``: signing keys of people (签名密钥)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table


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
    lst = actions.add_parser("list", help="people with a signing key")
    lst.set_defaults(func=run_list)


def _person(ctx: CommandContext, who: str, force: bool) -> tuple[str, str, Path]:
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
    return person.id, person.name, folder


def run_init(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import first_company_name
    from pqm_tui.services.signing import create_self_signed

    person_id, name, folder = _person(ctx, args.person, args.force)
    company = ctx.settings.company_name
    if not company:
        company = first_company_name(ctx.db())
    path = create_self_signed(folder, person_id, name, company)
    print(ctx.tr("reports.keys.created", person=name, path=path))
    return 0


def run_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.services.signing import SigningError, import_pkcs12, key_info

    person_id, name, folder = _person(ctx, args.person, args.force)
    if not args.file.is_file():
        raise UserError(ctx.tr("reports.verify.missing_file", path=args.file))
    passphrase = getpass.getpass().encode() if args.ask_passphrase else None
    try:
        path = import_pkcs12(folder, person_id, args.file, passphrase)
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


def run_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.model.organisation import list_people
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import SigningError, key_info

    folder = keys_dir(ctx.db_path)
    rows = []
    for person in list_people(ctx.db()):
        try:
            info = key_info(folder, person.id, person.name)
        except SigningError as exc:  # one damaged file must not hide the others
            print(f"pqm: {ctx.tr.error(exc)}", file=sys.stderr)
            continue
        if info:
            rows.append((person.name, info.subject, info.not_after, info.p12_path))
    headers = [ctx.tr(f"reports.keys.col_{c}") for c in ("person", "subject", "until", "file")]
    print(format_table(headers, rows))
    return 0
