"""Columns of the walk's two tables, as wide as their longest possible content.

Widths measured from the first rows would cut "不合格" to "不合" in a new
inspection, where every result is still "·"; so each width is computed from
everything the column can ever hold (a CJK character counts 2 cells) and fixed.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import DataTable

from pqm_tui.i18n import Translator
from pqm_tui.model.entities import Result
from pqm_tui.services.points import format_points
from pqm_tui.services.walk_session import WalkSession


def fit(label: str, *contents: str) -> int:
    """Display width of the widest of a header and the texts a column may show."""
    return max(cell_len(text) for text in (label, *contents))


def add_columns(
    areas: DataTable[object], items: DataTable[object], walk: WalkSession, tr: Translator
) -> None:
    """Add the area table's and the item table's columns, each with a fixed width."""
    most = max((len(walk.items_of(a.id)) for a in walk.areas), default=0)
    name = tr("walk.col.area")
    areas.add_column(name, key="name", width=fit(name, *(a.name for a in walk.areas)))
    progress = tr("walk.col.progress")
    areas.add_column(progress, key="progress", width=fit(progress, f"✓ {most}/{most}"))
    failed = tr("walk.col.failed")
    areas.add_column(failed, key="failed", width=fit(failed, str(most)))
    code = tr("walk.col.code")
    items.add_column(code, key="code", width=fit(code, *(i.code for i in walk.items.values())))
    result = tr("walk.col.result")
    labels = (tr.enum(r) + " !" for r in Result)  # "!": a required photo is missing
    items.add_column(result, key="result", width=fit(result, *labels))
    deduction = tr("walk.col.deduction")
    points = (f"-{format_points(i.points)}" for i in walk.items.values())
    items.add_column(deduction, key="deduction", width=fit(deduction, *points))
    items.add_column(tr("walk.col.standard"), key="standard")  # the rest of the width
