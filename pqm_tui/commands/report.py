"""``pqm report notice|notice2|inspection|circular|blank|assessment|quarter|results``: print
documents to PDF (the assessment documents also to .xlsx)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.model.errors import PQMError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "report", help="PDF documents: notices, reports, circulars, blank checklists"
    )
    kinds = parser.add_subparsers(dest="kind", metavar="DOCUMENT", required=True)
    notice = kinds.add_parser("notice", help="rectification notice (整改通知单) of an inspection")
    notice.add_argument(
        "reference",
        metavar="NOTICE_OR_INSPECTION",
        help="notice number (ZG-…) or inspection id / short id",
    )
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
    report.add_argument(
        "--sign", action="store_true", help="sign the PDF (PAdES) as --as PERSON (his PIN asked)"
    )
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
    blank.set_defaults(creates_database=True)  # a built-in checklist on paper: any database
    assessment = kinds.add_parser(
        "assessment",
        help="品质检查考核表 of a project (--project), else the month's summary; PDF or .xlsx",
    )
    assessment.add_argument("--month", required=True, metavar="MONTH", help="YYYY-MM")
    assessment.add_argument("--project", metavar="PROJECT", help="one project (name or id)")
    quarter = kinds.add_parser("quarter", help="quarterly assessment summary (季度汇总)")
    quarter.add_argument("--quarter", required=True, metavar="QUARTER", help="e.g. 2026Q4")
    results = kinds.add_parser("results", help="assessment results circular (考核结果通报)")
    results.add_argument("--month", required=True, metavar="MONTH", help="YYYY-MM")
    for p in (assessment, quarter, results):
        p.add_argument("--city", metavar="CITY", help="one city company (name or id)")
    documents = {
        notice: "notice",
        notice2: "notice2",
        report: "report",
        circular: "circular",
        blank: "blank",
        assessment: "assessment",
        quarter: "quarter",
        results: "results",
    }
    for p, document in documents.items():
        what = "PDF or .xlsx file to write" if p in (assessment, quarter, results) else None
        p.add_argument("-o", "--output", type=Path, required=True, help=what or "PDF file to write")
        p.add_argument(
            "--force",
            action="store_true",
            help="overwrite an existing file (a circular: also for a month with nothing to report)",
        )
        p.set_defaults(func=run, document=document)
    from pqm_tui.commands.analysis import register_reports

    register_reports(kinds)


ASSESSMENT_DOCUMENTS = ("assessment", "quarter", "results")
ASSESSMENT_KINDS = ("assessment", "assessment-summary", "quarter", "results")


def assessment_reference(args: argparse.Namespace) -> tuple[str, str]:
    """The document kind and reference of ``report assessment|quarter|results``."""
    if args.document == "quarter":
        period, kind = args.quarter, "quarter"
    elif args.document == "results":
        period, kind = args.month, "results"
    elif args.project:
        return "assessment", f"{args.month}@{args.project}"
    else:
        period, kind = args.month, "assessment-summary"
    return kind, f"{period}@{args.city}" if args.city else period


def write_xlsx(
    ctx: CommandContext, service: Any, kind: str, reference: str, out: Path, force: bool
) -> int:
    """An assessment document as a workbook (the PDF's context, no verification code)."""
    from pqm_tui.output_files import check_output
    from pqm_tui.reports.assessment_xlsx import write_assessment_xlsx
    from pqm_tui.reports.kinds import KINDS

    tr = ctx.tr
    try:
        check_output(out)
        if out.exists() and not force:
            raise PQMError("reports.err.exists", path=out)
        document = KINDS[kind]
        if not force:
            document.check(service.builder, document.resolve(service.builder, reference))
        rows = write_assessment_xlsx(out, service.build(kind, reference).context, tr)
    except PQMError as exc:
        raise UserError(tr.error(exc)) from None
    print(tr("cli.assess.xlsx_written", path=out, rows=rows))
    return 0


def run(ctx: CommandContext, args: argparse.Namespace) -> int:
    if args.output.suffix.lower() != ".xlsx":  # the render child imports WeasyPrint meanwhile
        from pqm_tui.reports.render_child import start_early

        start_early()
    # WeasyPrint takes half a second to import: only when rendering
    from pqm_tui.reports.document_service import DocumentService
    from pqm_tui.reports.production import DocumentRequest, produce

    tr = ctx.tr
    signer = None
    if getattr(args, "sign", False):
        signer = getattr(args, "signer", None) or getattr(args, "actor", None)
        if not signer:
            raise UserError(tr("reports.cli.sign_needs_person"))
    document, reference = args.document, getattr(args, "reference", "")
    if document in ASSESSMENT_DOCUMENTS:
        document, reference = assessment_reference(args)
    if document == "blank":
        from pqm_tui.model.checklists import install_builtins
        from pqm_tui.reports.blank import blank_reference

        install_builtins(ctx.db(), ctx.clock)  # the built-ins exist from the first use
        reference = blank_reference(args.reference, args.project)
    pin = ""
    if signer:  # his PIN opens his key: asked (or PQM_PIN), checked by ``produce``
        from pqm_tui.commands.pin_input import read_pin
        from pqm_tui.model.organisation import find_person
        from pqm_tui.paths import keys_dir
        from pqm_tui.services.signing import key_path

        person = find_person(ctx.db(), signer)
        if key_path(keys_dir(ctx.db_path), person.id).is_file():  # else: refused, unasked
            pin = read_pin(ctx, person)
    service = DocumentService(ctx.db(), ctx.db_path, ctx.settings, ctx.clock, ctx.actor)
    if document in ASSESSMENT_KINDS and args.output.suffix.lower() == ".xlsx":
        return write_xlsx(ctx, service, document, reference, args.output, args.force)
    request = DocumentRequest(document, reference, args.output, args.force, signer, pin)
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
