"""What the review shows of a rectification item (整改跟踪的显示): its columns and cells."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from pqm_tui.i18n import Translator
from pqm_tui.model.review import ReviewRow

# What a supervisor scans first (which item where, days left or overdue, status) comes
# first, so it stays on screen at 80 columns; sorting still cycles through review.COLUMNS.
COLUMNS = (
    "mark",
    "item",
    "area",
    "days",
    "status",
    "project",
    "deadline",
    "level",
    "severity",
    "department",
    "person",
)
ITEM_TEXT = 8  # characters of the standard after the item's code

# Which columns stay when the terminal is narrow: the first ones (which item, where, how
# long, what state) are kept, the last ones drop first. At 80 columns item, project,
# status, days and area fit.
PRIORITY = (
    "mark",
    "item",
    "project",
    "status",
    "days",
    "area",
    "deadline",
    "severity",
    "person",
    "department",
    "level",
)
# cells each column gets (longer text is cut); Chinese characters take two cells
WIDTHS = {
    "mark": 1,
    "item": 16,
    "project": 14,
    "status": 14,
    "days": 12,
    "area": 8,
    "deadline": 10,
    "severity": 8,
    "person": 8,
    "department": 12,
    "level": 4,
}
PADDING = 2  # a DataTable column's padding, both sides
FRAME = 2  # the table's vertical scrollbar


def fit_columns(width: int, hidden: frozenset[str] = frozenset()) -> list[str]:
    """The columns to show in ``width`` cells, in ``COLUMNS`` order (the user's ``hidden``
    ones never): by ``PRIORITY`` while they fit."""
    room = width - FRAME
    chosen: set[str] = set()
    for column in PRIORITY:
        if column in hidden:
            continue
        need = WIDTHS[column] + PADDING
        if need > room:
            break
        chosen.add(column)
        room -= need
    return [c for c in COLUMNS if c in chosen]


def row_cells(
    row: ReviewRow,
    today: date,
    tr: Translator,
    *,
    marked: bool,
    columns: tuple[str, ...] | list[str] = COLUMNS,
) -> list[str | Text]:
    """The cells of one row for ``columns`` (``marked``: the row is marked)."""
    left = row.days_left(today)
    days: str | Text
    if left is None or row.status not in ("open", "replied"):
        days = ""
    elif row.suspended:  # the appeal suspends the deadline
        days = tr("review.days_suspended")
    elif row.overdue(today):
        days = Text(tr("review.days_overdue", n=-left), style="bold red")
    elif left < 0:  # replied in time or not, waiting for re-inspection: not red
        days = tr("review.days_past", n=-left)
    else:
        days = tr("review.days_left", n=left)
    # what the item waits for says more than open/replied (申诉待初审 / 申诉待终审)
    stage = row.pending_stage
    status = tr(f"review.state.{stage}") if stage else tr(f"enum.RectificationStatus.{row.status}")
    cells: dict[str, str | Text] = {
        "mark": "●" if marked else "",
        "project": row.project_name,
        "area": row.area_name,
        "item": f"{row.item_code} {row.item_standard[:ITEM_TEXT]}",
        "severity": tr(f"enum.Severity.{row.severity}"),
        "department": row.department,
        "person": row.person,
        "deadline": row.deadline or "",
        "days": days,
        "status": status,
        "level": str(row.escalation_level),
    }
    return [cells[column] for column in columns]
