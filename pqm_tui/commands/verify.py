"""``pqm verify FILE.pdf`` / ``pqm verify --code CODE``: check signatures and printed codes.

Exit 0 when valid, 1 with the reason otherwise (2 for usage errors).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.model import bounds


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check a signed PDF or a printed verification code")
    parser.add_argument("file", nargs="?", type=Path, help="signed PDF")
    parser.add_argument("--code", help="verification code printed on a document")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also refuse a signature container not byte for byte as PQM wrote it",
    )
    parser.set_defaults(func=run)


def run(ctx: CommandContext, args: argparse.Namespace) -> int:
    if (args.file is None) == (args.code is None):
        raise UserError(ctx.tr("reports.verify.usage"))
    if args.code is not None:
        bounds.check_code(args.code)
    return check_code(ctx, args.code) if args.code else check_file(ctx, args.file, args.strict)


def check_file(ctx: CommandContext, path: Path, strict: bool = False) -> int:
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import verify_pdf

    tr = ctx.tr
    if not path.is_file():
        raise UserError(tr("reports.verify.missing_file", path=path))
    folder = keys_dir(ctx.db_path)
    result = verify_pdf(folder, path, canonical=strict)
    if result.ok:
        at = result.signed_at
        if at:
            from datetime import datetime

            at = (
                datetime.fromisoformat(at).astimezone(ctx.clock.tz).strftime("%Y-%m-%d %H:%M:%S %Z")
            )
        print(tr("reports.verify.valid", signer=result.signer, at=at))
        return 0
    if result.reason == "unreadable":
        reason = tr("reports.verify.unreadable", reason=result.detail)
    elif result.reason == "no_signature":
        reason = tr("reports.verify.no_signature")
    else:
        reason = tr(f"reports.verify.{result.reason}", keys=folder)
    if result.signer:
        reason += f" ({result.signer})"
    print(tr("reports.verify.invalid", reason=reason), file=sys.stderr)
    return 1


def check_code(ctx: CommandContext, code: str) -> int:
    from pqm_tui.model.errors import NotFoundError
    from pqm_tui.model.identity import actor_name
    from pqm_tui.reports.document_service import check_code as check
    from pqm_tui.reports.kinds import KINDS

    tr = ctx.tr
    try:
        stored, same = check(ctx.db(), ctx.db_path, ctx.settings, ctx.clock, code)
    except NotFoundError as exc:
        print(tr.error(exc), file=sys.stderr)
        return 1
    values = {
        "code": stored.code,
        "document": tr(KINDS[stored.document].title) if stored.document in KINDS else "",
        "subject": _subject(ctx, stored.document, stored.subject),
        "at": _local(ctx, stored.created_at),
        "by": actor_name(ctx.db(), stored.created_by),  # the person's name, not the id
    }
    if same:
        print(tr("reports.verify.code_ok", **values))
        return 0
    print(tr("reports.verify.code_changed", **values), file=sys.stderr)
    return 1


def _subject(ctx: CommandContext, document: str, subject: str) -> str:
    """What a code stands for, as people name it: project and date, or the month."""
    from pqm_tui.model import inspections, organisation
    from pqm_tui.model.errors import NotFoundError

    if document == "circular":
        return subject  # the month, YYYY-MM
    if "@" in subject:  # an assessment document: the month or quarter and whom it is about
        period, _, scope = subject.partition("@")
        names = {c.id: c.name for c in organisation.list_city_companies(ctx.db())}
        names.update({p.id: p.name for p in organisation.list_projects(ctx.db())})
        return f"{names.get(scope, scope)} · {period}"
    try:
        inspection = inspections.get_inspection(ctx.db(), subject)
        project = organisation.get_project(ctx.db(), inspection.project_id).name
    except NotFoundError:
        return subject
    return f"{project} · {_local(ctx, inspection.started_at)[:10]}"


def _local(ctx: CommandContext, stamp: str) -> str:
    """A stored time (UTC, ISO) in the user's time zone, to the minute."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if when.tzinfo is None:  # written as local wall-clock time by an older PQM
        return when.strftime("%Y-%m-%d %H:%M")
    return when.astimezone(ctx.clock.tz).strftime("%Y-%m-%d %H:%M")
