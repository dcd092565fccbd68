"""Findings of inspections as a workbook or CSV file (检查结果导出) for Excel users.

Streamed: openpyxl's write-only mode or the csv module, one row at a time, so that a
million findings need no more memory than ten. CSV carries a UTF-8 byte-order mark so
that Excel opens the Chinese text correctly. Written to a temporary file and renamed
(``atomic_output``): a failed export leaves nothing under the name asked for.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pqm_tui.i18n import Translator
from pqm_tui.model.finding_export import ExportRow
from pqm_tui.output_files import atomic_output

# column → width in Excel's units (about one Latin character; a Chinese one takes two)
COLUMNS = {
    "project": 20,
    "city": 14,
    "area": 14,
    "code": 10,
    "standard": 40,
    "result": 8,
    "occurrences": 6,
    "deduction": 6,
    "severity": 8,
    "note": 30,
    "photos": 6,
    "department": 12,
    "person": 10,
    "inspectors": 16,
    "kind": 12,
    "started": 17,
    "signed": 17,
    "location": 14,  # added last: a sheet's formulas by column keep working
}
FORMATS = (".xlsx", ".csv")
PROGRESS_EVERY = 5000
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TIME_FORMAT = "%Y-%m-%d %H:%M"
Progress = Callable[[int], None]


def headers(tr: Translator) -> list[str]:
    return [tr(f"inspection_export.col.{c}") for c in COLUMNS]


def values(row: ExportRow, tr: Translator) -> list[object]:
    """A row's cells in COLUMNS order, enums said in the user's language."""
    return [
        row.project,
        row.city,
        row.area,
        row.code,
        row.standard,
        tr(f"enum.Result.{row.result}"),
        row.occurrences,
        row.deduction,
        tr(f"enum.Severity.{row.severity}"),
        row.note,
        row.photos,
        row.department,
        row.person,
        tr("common.list_sep").join(row.inspectors),
        tr(f"enum.InspectionKind.{row.kind}"),
        row.started.replace(tzinfo=None),
        row.signed.replace(tzinfo=None) if row.signed else None,
        row.location,
    ]


def write(
    path: Path, rows: Iterable[ExportRow], tr: Translator, progress: Progress | None = None
) -> int:
    """Write ``rows`` to ``path`` (.xlsx or .csv by its suffix); returns how many."""
    path = Path(path)
    with atomic_output(path) as temporary:  # a wrong folder fails before any work
        if path.suffix.lower() == ".csv":
            return _write_csv(temporary, rows, tr, progress)
        return _write_xlsx(temporary, rows, tr, progress)


def _write_csv(
    target: Path, rows: Iterable[ExportRow], tr: Translator, progress: Progress | None
) -> int:
    count = 0
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers(tr))
        for row in rows:
            writer.writerow([_text(value) for value in values(row, tr)])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    return count


def _write_xlsx(
    target: Path, rows: Iterable[ExportRow], tr: Translator, progress: Progress | None
) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=tr("inspection_export.sheet"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(COLUMNS.values(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title in headers(tr):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        header.append(cell)
    count = 0
    try:
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in values(row, tr)])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    except BaseException:
        sheet.close()  # finish the half-written sheet's temporary file
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.save(str(target))
    return count


def _text(value: object) -> object:
    """A CSV cell: times as ``YYYY-MM-DD HH:MM``, no time as an empty cell."""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return "" if value is None else value


def _cell(sheet: object, value: object) -> object:
    """Text as text (control characters dropped, never a formula); times as Excel times.

    Plain values where openpyxl needs no help: a WriteOnlyCell per cell costs three times
    as much, and a million rows are 17 million cells.
    """
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, Decimal):
        return float(value)
    return value
