"""``pqm report notice|notice2|inspection|circular|blank``: print documents to PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.model.errors import PQMError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "report", help="PDF documents: notices, reports, circulars, blank checklists"
    )
    kinds = parser.add_subparsers(dest="kind", metavar="DOCUMENT", required=True)
    notice = kinds.add_parser("notice", help="rectification notice (整改通知单) of an inspection")
    notice.add_argument("reference", metavar="INSPECTION_ID", help="id or short id")
    notice2 = kinds.add_parser(
        "notice2", help="second rectification notice (第二次整改通知单) of escalated items"
    )
    notice2.add_argument(
        "reference",
        metavar="NOTICE_OR_ITEM",
        help="first notice number, rectification item or inspection id",
    )
    report = kinds.add_parser("inspection", help="inspection report (检查报告)")
    report.add_argument("reference", metavar="INSPECTION_ID", help="id or short id")
    report.add_argument("--sign", action="store_true", help="sign the PDF (PAdES) as --as PERSON")
    report.add_argument("--as", dest="signer", metavar="PERSON", help="who signs (name or id)")
    circular = kinds.add_parser("circular", help="monthly circular (通报) of failed re-inspections")
    circular.add_argument(
        "--month", dest="reference", metavar="MONTH", required=True, help="YYYY-MM"
    )
    blank = kinds.add_parser(
        "blank", help="blank checklist (空白检查表) to walk on paper and type in later"
    )
    blank.add_argument("reference", metavar="CHECKLIST", help="checklist name, id or version id")
    blank.add_argument(
        "--project", metavar="PROJECT", help="the project's areas in walking order (name or id)"
    )
    documents = {
        notice: "notice",
        notice2: "notice2",
        report: "report",
        circular: "circular",
        blank: "blank",
    }
    for p, document in documents.items():
        p.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
        p.add_argument(
            "--force",
            action="store_true",
            help="overwrite an existing file (a circular: also for a month with nothing to report)",
        )
        p.set_defaults(func=run, document=document)
    from pqm_tui.commands.analysis import register_reports

    register_reports(kinds)


def run(ctx: CommandContext, args: argparse.Namespace) -> int:
    # WeasyPrint takes half a second to import: only when rendering
    from pqm_tui.reports.document_service import DocumentService
    from pqm_tui.reports.production import DocumentRequest, produce

    tr = ctx.tr
    signer = None
    if getattr(args, "sign", False):
        signer = getattr(args, "signer", None) or getattr(args, "actor", None)
        if not signer:
            raise UserError(tr("reports.cli.sign_needs_person"))
    reference = args.reference
    if args.document == "blank":
        from pqm_tui.model.checklists import install_builtins
        from pqm_tui.reports.blank import blank_reference

        install_builtins(ctx.db(), ctx.clock)  # the built-ins exist from the first use
        reference = blank_reference(args.reference, args.project)
    request = DocumentRequest(args.document, reference, args.output, args.force, signer)
    service = DocumentService(ctx.db(), ctx.db_path, ctx.settings, ctx.clock, ctx.actor)
    try:
        result = produce(service, request)
    except PQMError as exc:
        raise UserError(tr.error(exc)) from None
    for reason in (m.missing_reason for m in result.missing):
        print(tr("reports.cli.missing", reason=reason), file=sys.stderr)
    for char in result.unprintable:
        print(tr("reports.cli.unprintable", char=char), file=sys.stderr)
    if result.warnings:
        log = result.log or "-"
        print(tr("reports.cli.warnings", count=len(result.warnings), log=log), file=sys.stderr)
    if result.code:
        print(tr("reports.cli.written", path=result.path, pages=result.pages, code=result.code))
    else:  # a blank form carries no verification code
        print(tr("reports.blank.written", path=result.path, pages=result.pages))
    if result.signer is not None:
        print(tr("reports.cli.signed", signer=result.signer))
    return 0
