"""A DataTable whose cells change one row at a time (逐行重绘).

Textual's ``DataTable.update_cell`` counts an update that is part of every render
cache key: one changed cell throws away the rendering of every row, and the next
frame renders the whole visible table again (cell by cell, through Rich). In the
walk that is the cost of each answer. ``set_cell`` changes the value, forgets
only that row's cached rendering and repaints only that row; the columns keep
their widths (the walk fixes them, walk_columns.py).

DataTable also keys each row's cached rendering by the cursor's coordinate, so
that moving the cursor one row (every answer) renders every visible row again.
With a row cursor only whether the cursor (or the mouse) is on the row matters:
``_render_line_in_row`` is given the same "elsewhere" for every other row, and
their cached rendering is reused.

It reads DataTable's caches (``_data``; ``_row_render_cache`` and ``_cell_render_cache``
keyed by the row key first, ``_row_renderable_cache`` by the row's index second,
``_line_cache`` by the line's y first); Textual 8.x.
tests/test_row_table.py checks the painted result against a fresh table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

ELSEWHERE = Coordinate(-2, 0)  # no row (the header is row -1): the cursor is on another row


def _forget(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    """Drop the entries of ``cache`` whose key is ``stale`` (LRUCache is not iterable)."""
    for key in [key for key in cache.keys() if stale(key)]:  # noqa: SIM118
        cache.discard(key)


class RowTable(DataTable[Any]):
    """A DataTable with ``set_cell``: one cell changed, one row redrawn."""

    def set_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any) -> None:
        """Put ``value`` in a cell of fixed width and repaint its row only (nothing when
        the value is the same)."""
        row = RowKey(row_key) if isinstance(row_key, str) else row_key
        column = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if row not in self._row_locations or column not in self._column_locations:
            self.update_cell(row, column, value)  # raises CellDoesNotExist, as DataTable does
            return
        cells = self._data[row]
        if column in cells and cells[column] == value:
            return
        cells[column] = value
        index = self._row_locations.get(row)
        assert index is not None  # checked above
        region = self._get_row_region(index)
        _forget(self._row_render_cache, lambda key: key[0] == row)
        _forget(self._cell_render_cache, lambda key: key[0] == row)
        _forget(self._row_renderable_cache, lambda key: key[1] == index)
        _forget(self._line_cache, lambda key: region.y <= key[0] < region.bottom)
        self._refresh_region(region)

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Any,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> Any:
        if self.cursor_type == "row":  # a row is drawn alike wherever the cursor is off it
            row = self._row_locations.get(row_key) if row_key in self._row_locations else -1
            if cursor_location.row != row:
                cursor_location = ELSEWHERE
            if hover_location.row != row:
                hover_location = ELSEWHERE
        return super()._render_line_in_row(
            row_key, line_no, base_style, cursor_location, hover_location
        )
