"""The Pareto of failures and the repeat offenders as Excel workbooks (不合格统计表).

Small tables (one row per group), so a normal workbook; the Pareto sheet carries Excel's
own bar chart of counts with the cumulative share as a line on a second axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from pqm_tui.i18n import Translator
from pqm_tui.model.failure_stats import Grouping, Pareto, RepeatOffender
from pqm_tui.output_files import atomic_output

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(sheet: Worksheet, titles: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(titles))
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def write_pareto(path: Path, result: Pareto, tr: Translator) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = tr("analysis.sheet_pareto")
    by = tr(f"analysis.by.{result.grouping.value}")
    names = ("count", "occurrences", "deduction", "share", "cumulative")
    if result.grouping == Grouping.DEPARTMENT:
        _header(sheet, [by, *(tr(f"analysis.col.{c}") for c in names)], [18, 10, 8, 8, 8, 10])
    else:
        titles = [tr("analysis.col.key"), by, *(tr(f"analysis.col.{c}") for c in names)]
        _header(sheet, titles, [10, 40, 10, 8, 8, 8, 10])
    for row in result.rows:
        figures = [
            row.count,
            row.occurrences,
            float(row.deduction),
            float(row.share) / 100,
            float(row.cumulative) / 100,
        ]
        if result.grouping == Grouping.DEPARTMENT:
            sheet.append([row.key or tr("analysis.no_department"), *figures])
        else:
            sheet.append([row.key, row.label, *figures])
        for cell in sheet[sheet.max_row][-2:]:
            cell.number_format = "0.0%"
    if result.rows:
        _chart(sheet, result, tr)
    with atomic_output(Path(path)) as temporary:
        workbook.save(str(temporary))


def _chart(sheet: Worksheet, result: Pareto, tr: Translator) -> None:
    """Bars of counts and the cumulative share as a line on a second axis (0–100 %)."""
    last = len(result.rows) + 1
    first_figure = 2 if result.grouping == Grouping.DEPARTMENT else 3
    bars = BarChart()
    bars.title = tr("analysis.chart_title", by=tr(f"analysis.by.{result.grouping.value}"))
    bars.y_axis.title = tr("analysis.chart_count")
    bars.add_data(
        Reference(sheet, min_col=first_figure, min_row=1, max_row=last), titles_from_data=True
    )
    bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    line = LineChart()
    line.add_data(
        Reference(sheet, min_col=first_figure + 4, min_row=1, max_row=last), titles_from_data=True
    )
    line.y_axis.axId = 200
    line.y_axis.scaling.min = 0
    line.y_axis.scaling.max = 1
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    bars += line
    bars.width, bars.height = 24, 12
    sheet.add_chart(bars, f"{'H' if first_figure == 2 else 'I'}2")


def write_repeats(path: Path, rows: Sequence[RepeatOffender], tr: Translator) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = tr("analysis.sheet_repeats")
    names = ("project", "code", "standard", "run", "dates", "ongoing")
    _header(sheet, [tr(f"analysis.col.{c}") for c in names], [20, 10, 40, 8, 36, 8])
    for row in rows:
        sheet.append(
            [
                row.project_name,
                row.code,
                row.standard,
                row.run,
                tr("common.list_sep").join(d.isoformat() for d in row.dates),
                tr("analysis.ongoing_mark") if row.ongoing else "",
            ]
        )
    with atomic_output(Path(path)) as temporary:
        workbook.save(str(temporary))
