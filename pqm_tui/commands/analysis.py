"""Failure analysis and the findings export (不合格统计与检查结果导出) on the command line.

pqm report pareto --from DATE --to DATE [--by item|section|department]
                  [--project NAME | --city NAME] [--format table|json|xlsx|pdf] [-o FILE]
pqm report repeats --from DATE --to DATE [--project NAME | --city NAME] [--min N]
                   [--format table|json|xlsx] [-o FILE]
pqm inspection export --from DATE --to DATE [--project NAME] [--city NAME] -o F.xlsx|F.csv
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pqm_tui.commands.context import CommandContext, UserError
from pqm_tui.commands.parser import add_scope
from pqm_tui.commands.table import format_table
from pqm_tui.i18n import Translator
from pqm_tui.model import bounds, failure_stats, organisation
from pqm_tui.model.errors import os_storage_error
from pqm_tui.model.failure_stats import Grouping, Pareto, RepeatOffender, Scope


def register_reports(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``pqm report pareto`` and ``pqm report repeats``."""
    pareto = kinds.add_parser("pareto", help="Pareto of failed findings (不合格柏拉图)")
    add_scope(pareto)
    pareto.add_argument("--by", choices=[g.value for g in Grouping], default="item")
    pareto.add_argument("--format", choices=("table", "json", "xlsx", "pdf"), default="table")
    pareto.add_argument("-o", "--output", type=Path, help="file to write (xlsx, pdf)")
    pareto.add_argument("--force", action="store_true", help="overwrite an existing file")
    pareto.set_defaults(func=run_pareto)
    repeats = kinds.add_parser("repeats", help="items failing in consecutive inspections")
    add_scope(repeats)
    repeats.add_argument("--min", default="2", help="at least this many in a row (2)")
    repeats.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
    repeats.add_argument("-o", "--output", type=Path, help="file to write (xlsx)")
    repeats.add_argument("--force", action="store_true", help="overwrite an existing file")
    repeats.set_defaults(func=run_repeats)


def scope_of(ctx: CommandContext, args: argparse.Namespace) -> Scope:
    """The period and scope asked for (dates checked, project or city looked up)."""
    db = ctx.db()
    today = ctx.clock.today()
    start = bounds.parse_date(args.start, today)
    end = bounds.parse_date(args.end, today)
    project = organisation.find_project(db, args.project).id if args.project else None
    city = organisation.find_city_company(db, args.city).id if args.city else None
    return Scope(start, end, ctx.clock.tz, project_id=project, city_id=city)


def group_name(tr: Translator, grouping: Grouping, row: failure_stats.ParetoRow) -> str:
    """A Pareto group as people say it: "KF-01 客服中心…", a section, or a department."""
    if grouping == Grouping.DEPARTMENT:
        return row.key or tr("analysis.no_department")
    return f"{row.key} {row.label}"


def pareto_lines(tr: Translator, result: Pareto, short: int = 24) -> list[list[str]]:
    """The Pareto's rows as table cells (a long item standard cut at ``short``)."""
    lines = []
    for rank, row in enumerate(result.rows, start=1):
        name = group_name(tr, result.grouping, row)
        lines.append(
            [
                str(rank),
                name if len(name) <= short else name[: short - 1] + "…",
                str(row.count),
                str(row.deduction),
                f"{row.share}%",
                f"{row.cumulative}%",
            ]
        )
    return lines


def pareto_headers(tr: Translator, grouping: Grouping) -> list[str]:
    return [
        tr("analysis.col.rank"),
        tr(f"analysis.by.{grouping.value}"),
        *(tr(f"analysis.col.{c}") for c in ("count", "deduction", "share", "cumulative")),
    ]


def repeat_headers(tr: Translator) -> list[str]:
    return [
        tr(f"analysis.col.{c}") for c in ("project", "code", "run", "dates", "ongoing", "standard")
    ]


def repeat_cells(tr: Translator, row: RepeatOffender, short: int = 24) -> list[str]:
    text = row.standard if len(row.standard) <= short else row.standard[: short - 1] + "…"
    return [
        row.project_name,
        row.code,
        str(row.run),
        tr("common.list_sep").join(d.strftime("%m-%d") for d in row.dates[-3:]),
        tr("analysis.ongoing_mark") if row.ongoing else "",
        text,
    ]


def _needs_output(ctx: CommandContext, args: argparse.Namespace) -> Path:
    """The file asked for, which is kept when it exists unless ``--force`` (like every
    document of ``pqm report``)."""
    if args.output is None:
        raise UserError(ctx.tr("analysis.needs_output", format=args.format))
    path = Path(args.output)
    if path.exists() and not args.force:
        raise UserError(ctx.tr("reports.err.exists", path=path))
    return path


def run_pareto(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    scope = scope_of(ctx, args)
    grouping = Grouping(args.by)
    if args.format == "pdf":
        return _pareto_pdf(ctx, args, scope, grouping)
    result = failure_stats.pareto(ctx.db(), scope, grouping)
    if args.format == "json":
        records = [
            {
                "key": r.key,
                "label": r.label,
                "count": r.count,
                "occurrences": r.occurrences,
                "deduction": str(r.deduction),
                "share": str(r.share),
                "cumulative": str(r.cumulative),
            }
            for r in result.rows
        ]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if args.format == "xlsx":
        from pqm_tui.reports.analysis_xlsx import write_pareto

        path = _needs_output(ctx, args)
        _writing(ctx, path, lambda: write_pareto(path, result, tr))
        print(tr("analysis.written", path=path))
        return 0
    print(_heading(tr, scope, result))
    if result.rows:
        print(format_table(pareto_headers(tr, grouping), pareto_lines(tr, result)))
    return 0


def _heading(tr: Translator, scope: Scope, result: Pareto) -> str:
    if not result.total:
        return tr("analysis.no_failures")
    return tr(
        "analysis.total",
        start=scope.start.isoformat(),
        end=scope.end.isoformat(),
        inspections=result.inspections,
        total=result.total,
    )


def run_repeats(ctx: CommandContext, args: argparse.Namespace) -> int:
    tr = ctx.tr
    scope = scope_of(ctx, args)
    minimum = bounds.parse_count(args.min, minimum=2)
    rows = failure_stats.repeat_offenders(ctx.db(), scope, minimum)
    if args.format == "json":
        records = [
            {
                "project": r.project_name,
                "code": r.code,
                "standard": r.standard,
                "run": r.run,
                "dates": [d.isoformat() for d in r.dates],
                "ongoing": r.ongoing,
            }
            for r in rows
        ]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if args.format == "xlsx":
        from pqm_tui.reports.analysis_xlsx import write_repeats

        path = _needs_output(ctx, args)
        _writing(ctx, path, lambda: write_repeats(path, rows, tr))
        print(tr("analysis.written", path=path))
        return 0
    if not rows:
        print(tr("analysis.no_repeats"))
        return 0
    start, end = scope.start.isoformat(), scope.end.isoformat()
    print(tr("analysis.repeats_total", start=start, end=end, count=len(rows)))
    print(format_table(repeat_headers(tr), [repeat_cells(tr, r) for r in rows]))
    return 0


def _writing(ctx: CommandContext, path: Path, write: Callable[[], object]) -> None:
    """Run ``write``; a refused output path or a storage error said as one line."""
    from pqm_tui.output_files import OutputError

    try:
        write()
    except OutputError as exc:  # not a regular file, or no such folder
        raise UserError(ctx.tr("export.failed", error=ctx.tr.error(exc))) from None
    except OSError as exc:  # disk full, read-only, folder gone: said as such
        said = ctx.tr.error(os_storage_error(exc, path))
        raise UserError(ctx.tr("export.failed", error=said)) from None


def run_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    """``pqm inspection export``: one row per finding, streamed, progress on a terminal."""
    from pqm_tui.model import finding_export
    from pqm_tui.reports.inspection_export import FORMATS, write

    tr = ctx.tr
    path = Path(args.output)
    if path.suffix.lower() not in FORMATS:
        raise UserError(tr("inspection_export.bad_format", path=path))
    scope = scope_of(ctx, args)
    db = ctx.db()
    progress = None
    if sys.stderr.isatty():
        total = finding_export.count_findings(db, scope)

        def progress(count: int) -> None:
            said = tr("inspection_export.progress", count=count, total=total)
            print("\r" + said, end="", file=sys.stderr)

    count = 0

    def run() -> None:
        nonlocal count
        count = write(path, finding_export.iter_rows(db, scope), tr, progress)

    try:
        _writing(ctx, path, run)
    finally:
        if progress is not None:
            print("\r\x1b[K", end="", file=sys.stderr)
    print(tr("inspection_export.written", count=count, path=path))
    return 0


def _pareto_pdf(
    ctx: CommandContext, args: argparse.Namespace, scope: Scope, grouping: Grouping
) -> int:
    """不合格项统计分析 as a PDF: the chart, the table and the repeat offenders."""
    from pqm_tui.model.errors import PQMError
    from pqm_tui.reports.document_service import DocumentService
    from pqm_tui.reports.pareto_document import pareto_reference
    from pqm_tui.reports.production import DocumentRequest, produce

    tr = ctx.tr
    path = _needs_output(ctx, args)
    reference = pareto_reference(scope.start, scope.end, grouping, scope.project_id, scope.city_id)
    request = DocumentRequest("pareto", reference, path, force=True)
    service = DocumentService(ctx.db(), ctx.db_path, ctx.settings, ctx.clock, ctx.actor)
    try:
        result = produce(service, request)
    except PQMError as exc:
        raise UserError(tr.error(exc)) from None
    print(tr("analysis.written_pdf", path=result.path, pages=result.pages))
    return 0
