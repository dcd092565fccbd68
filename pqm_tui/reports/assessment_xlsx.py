"""Assessment documents as Excel workbooks (考核表 .xlsx): the same contexts as the PDFs.

Scores are numbers (Excel sums and sorts them); "—" (no score) stays text. Saved to a
temporary file and renamed (``atomic_output``), like every document.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pqm_tui.i18n import Translator
from pqm_tui.output_files import atomic_output
from pqm_tui.reports.assessment_docs import (
    MonthSummaryContext,
    ProjectSheetContext,
    QuarterContext,
    ResultsContext,
    SummaryRow,
)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
Sheet = tuple[str, Sequence[str], Sequence[Sequence[object]]]  # title, headers, rows
AssessmentContext = ProjectSheetContext | MonthSummaryContext | QuarterContext | ResultsContext


def write_assessment_xlsx(path: Path, context: AssessmentContext, tr: Translator) -> int:
    """Write the document ``context`` as a workbook at ``path``; returns the rows written."""
    sheets = _sheets(context, tr)
    with atomic_output(Path(path)) as temporary:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for title, headers, rows in sheets:
            _sheet(workbook, title, headers, rows)
        workbook.save(str(temporary))
    return sum(len(rows) for _, _, rows in sheets)


def _cell(value: object) -> object:
    """A score as a number, text as text (control characters dropped, never a formula)."""
    if isinstance(value, int):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    try:
        return float(Decimal(text))
    except InvalidOperation:
        return text.lstrip("=") if text.startswith("=") else text


def _sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(headers))
    for column, _ in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.column_dimensions["B"].width = 28
    for row in rows:
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"


def _summary(rows: Sequence[SummaryRow], tr: Translator) -> Sheet:
    headers = [
        tr(f"assess.col.{c}")
        for c in (
            "rank",
            "project",
            "checks",
            "base",
            "carry_over",
            "red_line",
            "score",
            "band",
            "pay",
            "state",
        )
    ]
    return (
        tr("assess.doc.summary.title"),
        headers,
        [
            [
                r.rank or "—",
                r.project,
                r.checks,
                r.base,
                r.carry_over,
                r.red_line,
                r.score,
                r.band,
                r.pay,
                r.state,
            ]
            for r in rows
        ],
    )


def _months(row: object, tr: Translator) -> str:
    return str(tr("common.list_sep")).join(getattr(row, "missing", ()))


def _sheets(context: AssessmentContext, tr: Translator) -> list[Sheet]:
    if isinstance(context, MonthSummaryContext):
        return [_summary(context.rows, tr)]
    if isinstance(context, ResultsContext):
        repeated = [[r.project, r.item, r.lapses, r.notice_number] for r in context.repeated]
        cols = ("project", "item", "lapses", "notice")
        names = {"item": "reports.col.item", "notice": "reports.col.notice"}
        return [
            _summary(context.ranking, tr),
            (
                tr("assess.doc.results.repeated"),
                [tr(names.get(c, f"assess.col.{c}")) for c in cols],
                repeated,
            ),
        ]
    if isinstance(context, QuarterContext):
        headers = [
            tr("assess.col.rank"),
            tr("assess.col.project"),
            *context.months,
            *(tr(f"assess.col.{c}") for c in ("total", "average", "band", "pay", "missing")),
        ]
        rows = [
            [
                *(r.rank or "—", r.project, *r.scores),
                r.total,
                r.average,
                r.band,
                r.pay,
                _months(r, tr),
            ]
            for r in context.rows
        ]
        return [(tr("assess.doc.quarter.title"), headers, rows)]
    facts = [
        [tr("assess.doc.project"), context.project],
        [tr("assess.doc.month"), context.month],
        [tr("assess.doc.state"), context.state],
        [tr("assess.col.base"), context.base],
        [tr("assess.col.carry_over"), context.carry_over_total],
        [tr("assess.col.red_line"), context.red_line_total],
        [tr("assess.col.score"), context.score],
        [tr("assess.col.band"), context.band],
        [tr("assess.col.pay"), context.pay],
    ]
    counted = [[i.day, i.kind, i.score, i.red_lines] for i in context.inspections]
    carried = [[c.item, c.failed_on, c.points] for c in context.carry_overs]
    revised = [
        [r.at, r.by, r.old_score, r.new_score, tr("common.list_sep").join((r.reason, *r.changes))]
        for r in context.revisions
    ]
    return [
        (tr("assess.doc.sheet.title"), [tr("assess.doc.result"), ""], facts),
        (
            tr("assess.doc.counted"),
            [tr(f"assess.col.{c}") for c in ("day", "kind", "inspection_score", "red_lines")],
            counted,
        ),
        (
            tr("reports.col.carry_over"),
            [tr("reports.col.item"), tr("assess.col.failed_on"), tr("reports.col.carry_over")],
            carried,
        ),
        (
            tr("assess.doc.revisions"),
            [tr(f"assess.col.{c}") for c in ("at", "by", "old", "new", "why")],
            revised,
        ),
    ]
