"""``pqm assess month|quarter``: compute, publish and list the monthly assessment (考核).

pqm assess month --month 2026-11 [--city C] [--publish] [--format table|json|xlsx] [-o F]
pqm assess quarter --quarter 2026Q4 [--city C] [--format table|json|xlsx] [-o F]
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.table import format_table
from pqm_tui.model.errors import NotFoundError, PQMError
from pqm_tui.model.organisation import find_person
from pqm_tui.services.points import format_points


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("assess", help="monthly assessment (考核) and quarterly summary")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    month = actions.add_parser("month", help="compute a month's assessment (draft), list it")
    month.add_argument("--month", required=True, metavar="MONTH", help="YYYY-MM")
    month.add_argument("--publish", action="store_true", help="publish the month's drafts")
    month.add_argument("--reason", default="", help="why a published month is recomputed")
    quarter = actions.add_parser("quarter", help="the quarter's three months, total, average")
    quarter.add_argument("--quarter", required=True, metavar="QUARTER", help="e.g. 2026Q4")
    for p in (month, quarter):
        p.add_argument("--city", metavar="CITY", help="one city company (name or id)")
        p.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
        p.add_argument("-o", "--output", type=Path, help="file to write (needed for xlsx)")
    month.set_defaults(func=run_month)
    quarter.set_defaults(func=run_quarter)


def acting_person(ctx: CommandContext) -> str:
    """The people.id of who runs the command (``--as``): the assessment records him."""
    try:
        return find_person(ctx.db(), ctx.actor).id
    except NotFoundError:
        raise UserError(ctx.tr("assess.err.who")) from None


def run_month(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.services import assessment

    tr = ctx.tr
    if args.format == "xlsx" and args.output is None:
        raise UserError(tr("cli.assess.xlsx_needs_output"))
    db = ctx.db()
    actor = acting_person(ctx)
    try:
        result = assessment.compute_month(
            db, ctx.clock, ctx.settings, args.month, actor=actor, city=args.city, reason=args.reason
        )
        published = 0
        if args.publish:  # the quality manager; his PIN is asked in publish_month
            published = assessment.publish_month(
                db, ctx.clock, ctx.settings, args.month, actor=actor, city=args.city
            )
    except PQMError as exc:
        raise UserError(tr.error(exc)) from None
    lines = assessment.month_lines(db, args.month, args.city)
    if args.format == "json":
        print(json.dumps([_month_json(x) for x in lines], ensure_ascii=False, indent=2))
        return 0
    if args.format == "xlsx":
        return _xlsx(ctx, "assessment-summary", _ref(args.month, args.city), args.output)
    print(format_table(_month_headers(tr), [_month_row(tr, x) for x in lines]))
    said = tr(
        "cli.assess.computed",
        month=args.month,
        drafts=result.drafts,
        revised=result.revised,
        unchanged=result.unchanged,
    )
    print(said)
    if published:
        print(tr("cli.assess.published", month=args.month, count=published))
    return 0


def _ref(period: str, city: str | None) -> str:
    return f"{period}@{city}" if city else period


def _xlsx(ctx: CommandContext, kind: str, reference: str, output: Path) -> int:
    """The listed figures as the document's workbook (``pqm report``'s writer)."""
    from pqm_tui.commands.report import write_xlsx
    from pqm_tui.reports.document_service import DocumentService

    service = DocumentService(ctx.db(), ctx.db_path, ctx.settings, ctx.clock, ctx.actor)
    return write_xlsx(ctx, service, kind, reference, output, force=True)


def _score(value: object) -> str:
    """A score as people write it (82, 80.8); "—" for none."""
    return "—" if value is None else format_points(Decimal(str(value)))


def _band_label(tr: Any, band: dict[str, Any]) -> str:
    if not band:
        return "—"
    return str(band["label_en"] if tr.lang == "en" else band["label_zh"])


def _pay(band: dict[str, Any]) -> str:
    if not band:
        return "—"
    percent = int(band["pay_adjust_percent"])
    return f"{percent:+d}%" if percent else "0%"


def _month_headers(tr: Any) -> list[str]:
    columns = ("project", "checks", "base", "carry_over", "red_line", "score", "band", "pay")
    return [tr(f"assess.col.{c}") for c in columns] + [tr("assess.col.state")]


def _month_row(tr: Any, line: Any) -> list[object]:
    detail = line.detail
    state = line.assessment.state if line.assessment else "none"
    flag = detail.get("flag")
    return [
        line.project.name,
        len(detail.get("inspections", [])),
        _score(detail.get("base")),
        _score(detail.get("carry_over_total")),
        _score(detail.get("red_line_total")),
        _score(line.score),
        _band_label(tr, line.band) if not flag else tr(f"assess.flag.{flag}"),
        _pay(line.band),
        tr(f"assess.state.{state}")
        + (
            tr("cli.assess.revised", n=len(line.assessment.revisions))
            if line.assessment and line.assessment.revisions
            else ""
        ),
    ]


def _month_json(line: Any) -> dict[str, Any]:
    a = line.assessment
    return {
        "project": line.project.name,
        "project_id": line.project.id,
        "state": a.state if a else None,
        "score": None if line.score is None else str(line.score),
        "band": line.band or None,
        "flag": line.detail.get("flag") or None,
        "detail": line.detail,
        "published_at": a.published_at if a else None,
        "published_by": a.published_by if a else None,
        "revisions": [
            {
                "at": r.at,
                "actor": r.actor,
                "reason": r.reason,
                "old_score": None if r.old_score is None else str(r.old_score),
                "new_score": None if r.new_score is None else str(r.new_score),
                "changes": r.changes,
            }
            for r in (a.revisions if a else ())
        ],
    }


def run_quarter(ctx: CommandContext, args: argparse.Namespace) -> int:
    from pqm_tui.services import assessment

    tr = ctx.tr
    if args.format == "xlsx" and args.output is None:
        raise UserError(tr("cli.assess.xlsx_needs_output"))
    try:
        months, lines = assessment.quarter_lines(ctx.db(), ctx.settings, args.quarter, args.city)
    except PQMError as exc:
        raise UserError(tr.error(exc)) from None
    if args.format == "xlsx":
        return _xlsx(ctx, "quarter", _ref(args.quarter, args.city), args.output)
    if args.format == "json":
        data = [
            {
                "project": q.project.name,
                "months": dict(
                    zip(
                        months,
                        (_score(s) if s is not None else None for s in q.scores),
                        strict=True,
                    )
                ),
                "total": str(q.total),
                "average": None if q.average is None else str(q.average),
                "band": q.band or None,
                "missing": [months[i] for i in q.missing],
            }
            for q in lines
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    headers = [
        tr("assess.col.project"),
        *months,
        *(tr(f"assess.col.{c}") for c in ("total", "average", "band", "pay", "missing")),
    ]
    rows = [
        [
            q.project.name,
            *(_score(s) for s in q.scores),
            _score(q.total) if q.average is not None else "—",
            _score(q.average),
            _band_label(tr, q.band),
            _pay(q.band),
            tr("common.list_sep").join(months[i] for i in q.missing),
        ]
        for q in lines
    ]
    print(format_table(headers, rows))
    return 0
