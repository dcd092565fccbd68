"""RowTable (widgets/row_table.py) paints exactly what a fresh DataTable paints, while it
redraws one row per changed cell and reuses the other rows' rendering."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from pqm_tui.widgets.row_table import RowTable

ROWS = 40


class Tables(App[None]):
    CSS = "DataTable { height: 12; }"

    def compose(self) -> ComposeResult:
        yield RowTable(id="fast", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="plain", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_column("code", key="code", width=6)
            table.add_column("result", key="result", width=6)
            for n in range(ROWS):
                table.add_row(f"A{n:03d}", "·", key=f"r{n}")


def painted(table: DataTable[Any]) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_set_cell_and_cursor_moves_paint_as_a_fresh_table() -> None:
    app = Tables()
    async with app.run_test(size=(40, 30)) as pilot:
        fast = app.query_one("#fast", RowTable)
        plain = app.query_one("#plain", DataTable)
        await pilot.pause()
        for n in range(20):  # answer and move down, scrolling past the bottom
            fast.set_cell(f"r{n}", "result", "合格")
            plain.update_cell(f"r{n}", "result", "合格")
            fast.move_cursor(row=n + 1)
            plain.move_cursor(row=n + 1)
            await pilot.pause()
            assert painted(fast) == painted(plain)
        assert "合格" in "".join(painted(fast))
        fast.set_cell("r5", "result", "不合格")  # a row above the visible ones
        fast.move_cursor(row=5)
        plain.update_cell("r5", "result", "不合格")
        plain.move_cursor(row=5)
        await pilot.pause()
        assert painted(fast) == painted(plain)
        assert fast.get_cell("r5", "result") == "不合格"


async def test_a_cursor_move_reuses_the_other_rows_rendering() -> None:
    app = Tables()
    async with app.run_test(size=(40, 30)) as pilot:
        fast = app.query_one("#fast", RowTable)
        await pilot.pause()
        painted(fast)
        cached = len(fast._row_render_cache)
        fast.move_cursor(row=1)
        await pilot.pause()
        painted(fast)
        # only the two rows the cursor left and reached are drawn anew
        assert len(fast._row_render_cache) == cached + 2
        fast.set_cell("r3", "result", "合格")
        fast.set_cell("r3", "result", "合格")  # the same value: nothing to redraw
        await pilot.pause()
        assert painted(fast)[4].split() == ["A003", "合格"]  # the header is line 0
        assert len(fast._row_render_cache) <= cached + 2  # r3's old drawing replaced


async def test_a_scroll_by_one_row_reuses_the_other_lines() -> None:
    app = Tables()
    async with app.run_test(size=(40, 30)) as pilot:
        fast = app.query_one("#fast", RowTable)
        plain = app.query_one("#plain", DataTable)
        for table in (fast, plain):
            table.move_cursor(row=10)  # the last visible row (12 lines, one the header)
        await pilot.pause()
        painted(fast)
        cached = len(fast._line_cache)
        for table in (fast, plain):
            table.move_cursor(row=11)  # the table scrolls by one row
        await pilot.pause()
        assert fast.scroll_offset.y == 1
        assert painted(fast) == painted(plain)
        # only the lines of the rows the cursor left and reached are cut anew
        assert len(fast._line_cache) == cached + 2


class Ahead(Tables):
    def compose(self) -> ComposeResult:
        yield RowTable(id="fast", cursor_type="row", scroll_ahead=2 / 3)
        yield DataTable(id="plain", cursor_type="row")


async def test_scroll_ahead_shows_the_rows_to_come_and_scrolls_seldom() -> None:
    app = Ahead()
    async with app.run_test(size=(40, 30)) as pilot:
        fast = app.query_one("#fast", RowTable)
        plain = app.query_one("#plain", DataTable)
        await pilot.pause()
        view = 11  # rows shown: 12 lines, one the header
        scrolled = {"fast": 0, "plain": 0}
        for row in range(1, 30):
            for name, table in (("fast", fast), ("plain", plain)):
                before = table.scroll_offset.y
                table.move_cursor(row=row)
                await pilot.pause()
                scrolled[name] += table.scroll_offset.y != before
                top = table.scroll_offset.y
                assert top <= row < top + view, (name, row, top)  # the cursor is always shown
            if row == view:  # the first scroll: two thirds of the view show the rows to come
                assert fast.scroll_offset.y + view - 1 - row == int(view * 2 / 3)
        assert scrolled["plain"] == 29 - (view - 1)  # one row per key past the first view
        assert scrolled["fast"] <= 4
        fast.move_cursor(row=0)  # up: back to the top as DataTable does
        await pilot.pause()
        assert fast.scroll_offset.y == 0
