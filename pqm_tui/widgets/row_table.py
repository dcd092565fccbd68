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
``_render_line`` gives ``_render_line_in_row`` the same "elsewhere" for every
other row, and their cached rendering is reused.

The same holds for each painted line, which DataTable caches by the cursor's
coordinate too: when the table scrolls one row (every answer at the bottom of
the view) every visible line was cut, cropped and simplified again. Here a line
is cached by whether the cursor is on its row, so a scroll re-uses all but the
two rows the cursor left and reached; and the table's style is worked out once
per paint, not once per line.

It reads DataTable's caches (``_data``; ``_row_render_cache`` and ``_cell_render_cache``
keyed by the row key first, ``_row_renderable_cache`` by the row's index second,
``_line_cache`` by the line's y first); Textual 8.x.
tests/test_row_table.py checks the painted result against a fresh table.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

from rich.segment import Segment
from textual._segment_tools import line_crop
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

ELSEWHERE = Coordinate(-2, 0)  # no row (the header is row -1): the cursor is on another row


def _forget(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    """Drop the entries of ``cache`` whose key is ``stale`` (LRUCache is not iterable)."""
    for key in [key for key in cache.keys() if stale(key)]:  # noqa: SIM118
        cache.discard(key)


class RowTable(DataTable[Any]):
    """A DataTable with ``set_cell``: one cell changed, one row redrawn."""

    _paint_style: Any = None  # the table's rich style while a paint is under way
    scroll_ahead = 0.0

    def __init__(self, *args: Any, scroll_ahead: float = 0.0, **kwargs: Any) -> None:
        """``scroll_ahead``: when the cursor moves down past the view, the share of the view
        shown below it (0: DataTable's one row at a time)."""
        super().__init__(*args, **kwargs)
        self.scroll_ahead = scroll_ahead

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        """Down past the view, scroll so that ``scroll_ahead`` of the view shows the rows
        to come: the next keys move the cursor without scrolling (a scroll repaints every
        visible row). Otherwise as DataTable does."""
        if self.cursor_type == "row" and self.scroll_ahead > 0:
            header = self._get_fixed_offset().top
            view = self.scrollable_content_region.height  # lines, the header's included
            _, y, _, height = self._get_row_region(self.cursor_row)
            if view > header and y + height > self.scroll_y + view:
                ahead = int((view - header) * self.scroll_ahead)
                ahead = max(0, min(ahead, view - header - height))
                target = min(y + height + ahead - view, self.max_scroll_y)
                self.scroll_to(y=target, animate=animate, force=True)
                return
        super()._scroll_cursor_into_view(animate)

    def set_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any) -> None:
        """Put ``value`` in a cell of fixed width and repaint its row only (nothing when
        the value is the same)."""
        self.set_cells(row_key, {column_key: value})

    def set_cells(self, row_key: RowKey | str, values: dict[ColumnKey | str, Any]) -> None:
        """Put ``values`` (by column) in a row's cells of fixed width and repaint that row
        only, once (nothing when every value is the same)."""
        row = RowKey(row_key) if isinstance(row_key, str) else row_key
        columns = {ColumnKey(k) if isinstance(k, str) else k: v for k, v in values.items()}
        if row not in self._row_locations or any(
            column not in self._column_locations for column in columns
        ):
            for column, value in columns.items():  # raises CellDoesNotExist, as DataTable does
                self.update_cell(row, column, value)
            return
        cells = self._data[row]
        changed = False
        for column, value in columns.items():
            if column not in cells or cells[column] != value:
                cells[column] = value
                changed = True
        if not changed:
            return
        index = self._row_locations.get(row)
        assert index is not None  # checked above
        region = self._get_row_region(index)
        _forget(self._row_render_cache, lambda key: key[0] == row)
        _forget(self._cell_render_cache, lambda key: key[0] == row)
        _forget(self._row_renderable_cache, lambda key: key[1] == index)
        _forget(self._line_cache, lambda key: region.y <= key[0] < region.bottom)
        self._refresh_region(region)

    def _row_cursor(self, row_key: RowKey) -> tuple[Coordinate, Coordinate]:
        """The cursor and the hover as they matter to ``row_key``'s drawing (row cursor)."""
        cursor, hover = self.cursor_coordinate, self.hover_coordinate
        if self.cursor_type == "row":
            row = self._row_locations.get(row_key) if row_key in self._row_locations else -1
            cursor = cursor if cursor.row == row else ELSEWHERE
            hover = hover if hover.row == row else ELSEWHERE
        return cursor, hover

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = self.rich_style  # once per paint (it walks the ancestors' styles)
        try:
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        fixed_rows_height = 0
        for index in range(self.fixed_rows):
            fixed_key = self._row_locations.get_key(index)
            if fixed_key is not None:
                fixed_rows_height += self.get_row_height(fixed_key)
        if self.show_header:
            fixed_rows_height += self.get_row_height(self._header_row_key)
        scroll_x, scroll_y = self.scroll_offset
        if y >= fixed_rows_height:
            y += scroll_y
        style = self._paint_style if self._paint_style is not None else self.rich_style
        return self._render_line(y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Any) -> Strip:
        """DataTable's ``_render_line`` with the line cached by the cursor *on its row*."""
        width = self.size.width
        try:
            row_key, y_offset_in_row = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        cursor, hover = self._row_cursor(row_key)
        cache_key = (
            y,
            x1,
            x2,
            width,
            cursor,
            hover,
            base_style,
            self.cursor_type,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        if cache_key in self._line_cache:
            return self._line_cache[cache_key]
        fixed, scrollable = self._render_line_in_row(
            row_key, y_offset_in_row, base_style, cursor_location=cursor, hover_location=hover
        )
        fixed_width = sum(
            column.get_render_width(self) for column in self.ordered_columns[: self.fixed_columns]
        )
        fixed_line: list[Segment] = list(chain.from_iterable(fixed)) if fixed else []
        scrollable_line: list[Segment] = list(chain.from_iterable(scrollable))
        segments = fixed_line + line_crop(scrollable_line, x1 + fixed_width, x2, width)
        strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        self._line_cache[cache_key] = strip
        return strip
