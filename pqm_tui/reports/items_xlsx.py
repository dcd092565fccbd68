"""Rectification items as an Excel workbook (整改项清单) for supervisors who work in Excel.

One row per item, keyed by 编号 — notice number, item code and area, unique, so a lookup
by it finds one row — with the finding's location, the latest reply and its completion
date beside the review's columns.

Written in openpyxl's write-only mode, a row at a time, so that 100,000 items need
no more memory than ten; saved to a temporary file first and then renamed, so that
a failed export never leaves half a workbook under the name asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pqm_tui.i18n import Translator
from pqm_tui.model.review import ReviewRow
from pqm_tui.model.review_export import ItemDetails
from pqm_tui.output_files import atomic_output

# column → width in Excel's units (about one Latin character; a Chinese one takes two)
COLUMNS = {
    "id": 34,
    "notice": 16,
    "project": 20,
    "area": 16,
    "location": 16,
    "code": 10,
    "standard": 40,
    "note": 40,
    "severity": 9,
    "department": 12,
    "person": 10,
    "deadline": 12,
    "days": 12,
    "overdue": 8,
    "status": 16,
    "level": 9,
    "reply": 40,
    "done_on": 12,
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OVERDUE_FONT = Font(color="C00000", bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")  # one style object shared by every cell


Item = tuple[ReviewRow, ItemDetails]


def write_items(path: Path, rows: Iterable[Item], today: date, tr: Translator) -> int:
    """Write ``rows`` (each with its details: ``review_export.with_details``) to the
    workbook ``path``; returns how many items were written."""
    with atomic_output(Path(path)) as temporary:  # a wrong folder fails before any work
        return _write(str(temporary), rows, today, tr)


def _write(target: str, rows: Iterable[Item], today: date, tr: Translator) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=tr("export.sheet"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(COLUMNS.values(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=tr(f"export.col.{column}"))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        header.append(cell)
    count = 0
    try:
        sheet.append(header)
        for row, details in rows:
            sheet.append(_cells(sheet, row, details, today, tr))
            count += 1
    except BaseException:
        sheet.close()  # finish the half-written sheet's temporary file
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.save(target)
    return count


def _text(sheet: object, value: str, *, wrap: bool = False) -> WriteOnlyCell | str:
    """User text as text: control characters dropped, never a formula (``=…``).

    A plain string is written as text by openpyxl unless it starts with ``=``; a cell
    object costs far more (openpyxl first tries it as a value and fails), so one is
    made only for a wrapped cell or a would-be formula.
    """
    clean = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not wrap and not clean.startswith("="):
        return clean
    cell = WriteOnlyCell(sheet, value=clean)
    cell.data_type = "s"
    if wrap:
        cell.alignment = WRAP
    return cell


def _date(sheet: object, iso: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=date.fromisoformat(iso) if iso else None)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _cells(
    sheet: object, row: ReviewRow, details: ItemDetails, today: date, tr: Translator
) -> list[object]:
    days: int | str | None = row.days_left(today) if row.status in ("open", "replied") else None
    if days is not None and row.suspended:  # as the review says it: the deadline waits
        days = tr("review.days_suspended")
    overdue = row.overdue(today)
    days_cell = WriteOnlyCell(sheet, value=days)
    if overdue:
        days_cell.font = OVERDUE_FONT
    status = tr(f"review.state.{row.status}")
    if row.pending:
        status += tr("review.pending", what=tr(f"review.state.{row.pending_stage}"))
    return [
        _text(sheet, row.key),
        _text(sheet, row.notice_number),
        _text(sheet, row.project_name),
        _text(sheet, row.area_name),
        _text(sheet, details.location),
        _text(sheet, row.item_code),
        _text(sheet, row.item_standard, wrap=True),
        _text(sheet, row.note, wrap=True),
        tr(f"enum.Severity.{row.severity}"),
        _text(sheet, row.department),
        _text(sheet, row.person),
        _date(sheet, row.deadline),
        days_cell,
        tr("export.overdue_mark") if overdue else "",
        status,
        row.escalation_level,
        _text(sheet, details.reply, wrap=True),
        _date(sheet, details.done_on),
    ]
