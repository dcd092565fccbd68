"""``pqm report notice|notice2|inspection|circular``: print documents to PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pqm_tui.commands.context import CommandContext, UserError

if TYPE_CHECKING:  # WeasyPrint takes half a second to import: only when rendering
    from pqm_tui.reports.documents import RenderedDocument


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("report", help="PDF documents: notices, reports, circulars")
    kinds = parser.add_subparsers(dest="kind", metavar="DOCUMENT", required=True)
    notice = kinds.add_parser("notice", help="rectification notice (整改通知单) of an inspection")
    notice.add_argument("inspection", metavar="INSPECTION_ID", help="id or short id")
    notice2 = kinds.add_parser(
        "notice2", help="second rectification notice (第二次整改通知单) of escalated items"
    )
    notice2.add_argument(
        "ref",
        metavar="NOTICE_OR_ITEM",
        help="first notice number, rectification item or inspection id",
    )
    report = kinds.add_parser("inspection", help="inspection report (检查报告)")
    report.add_argument("inspection", metavar="INSPECTION_ID", help="id or short id")
    report.add_argument("--sign", action="store_true", help="sign the PDF (PAdES) as --as PERSON")
    report.add_argument("--as", dest="signer", metavar="PERSON", help="who signs (name or id)")
    circular = kinds.add_parser("circular", help="monthly circular (通报) of failed re-inspections")
    circular.add_argument("--month", required=True, help="YYYY-MM")
    for p in (notice, notice2, report, circular):
        p.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
        p.add_argument("--force", action="store_true", help="overwrite an existing file")
        p.set_defaults(func=run)


def run(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.reports.assets import FontMissingError
    from pqm_tui.reports.documents import DocumentService
    from pqm_tui.reports.render import RenderError

    tr = ctx.tr
    out: Path = args.output
    if out.exists() and not args.force:
        raise UserError(tr("reports.cli.exists", path=out))
    signer = getattr(args, "signer", None) or getattr(args, "actor", None)
    if getattr(args, "sign", False) and not signer:
        raise UserError(tr("reports.cli.sign_needs_person"))
    db = ctx.db()
    service = DocumentService(db, ctx.db_path, ctx.settings, ctx.clock, ctx.actor)
    try:
        if args.kind == "notice":
            result = service.notice(args.inspection, out)
        elif args.kind == "notice2":
            result = service.notice2(args.ref, out)
        elif args.kind == "inspection":
            if args.sign:
                signer_key(ctx, signer)  # fail before rendering when there is no key
            result = service.report(args.inspection, out)
        else:
            result = service.circular(args.month, out)
    except (FontMissingError, RenderError) as exc:
        raise UserError(tr.error(exc)) from None
    report_result(ctx, result)
    if getattr(args, "sign", False):
        sign_file(ctx, out, signer)
    return 0


def report_result(ctx: CommandContext, result: RenderedDocument) -> None:
    for reason in (m.missing_reason for m in result.missing):
        print(ctx.tr("reports.cli.missing", reason=reason), file=sys.stderr)
    for message in result.warnings:
        print(ctx.tr("reports.cli.warning", message=message), file=sys.stderr)
    print(ctx.tr("reports.cli.written", path=result.path, pages=result.pages, code=result.code))


def signer_key(ctx: CommandContext, who: str) -> tuple[str, str]:
    """(person id, name) of the signer, who must have a key."""
    from pqm_tui.model.organisation import find_person
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import key_path

    person = find_person(ctx.db(), who)
    if not key_path(keys_dir(ctx.db_path), person.id).is_file():
        raise UserError(ctx.tr("reports.keys.missing", person=person.name))
    return person.id, person.name


def sign_file(ctx: CommandContext, out: Path, who: str) -> None:
    from pqm_tui.paths import keys_dir
    from pqm_tui.services.signing import SigningError, sign_pdf

    person_id, _ = signer_key(ctx, who)
    try:
        signer = sign_pdf(
            keys_dir(ctx.db_path),
            person_id,
            out,
            out,
            reason=ctx.tr("reports.report.title"),
            location=ctx.settings.company_name or "PQM",
        )
    except SigningError as exc:
        raise UserError(ctx.tr.error(exc)) from None
    print(ctx.tr("reports.cli.signed", signer=signer))
