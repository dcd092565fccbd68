"""Review of rectification items (整改跟踪): filter, sort, mark, act — page by page.

Only one page (``PAGE`` rows) is ever loaded; the page and the header counts
are read by a thread worker on its own connection, so the screen stays
responsive on a database of millions of findings. Actions write through
``services.rectification`` / ``services.reinspection`` on the app's connection.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from pqm_tui.model import organisation, review
from pqm_tui.model.db import connect
from pqm_tui.model.errors import ModelError
from pqm_tui.screens.review_actions import ReviewActions
from pqm_tui.widgets.footer import PQMFooter

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp

PAGE = 100  # rows per page: the table measures every row it holds (200 rows: ~480 ms)
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
SEARCH_PAUSE = 0.3  # seconds of no typing before the search runs


class ReviewScreen(ReviewActions, Screen[None]):
    """Open items first, by deadline; space marks rows, letters act on the marked rows."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "review.key.back", id="review.back"),
        Binding("space", "mark", "review.key.mark", id="review.mark"),
        Binding("r", "reply", "review.key.reply", id="review.reply"),
        Binding("e", "extension", "review.key.extension", id="review.extension"),
        Binding("p", "appeal", "review.key.appeal", id="review.appeal"),
        Binding("d", "decide", "review.key.decide", id="review.decide"),
        Binding("i", "reinspect", "review.key.reinspect", id="review.reinspect"),
        Binding("n", "notice", "review.key.notice", id="review.notice"),
        Binding("o", "overdue", "review.key.overdue", id="review.overdue"),
        Binding("s", "sort", "review.key.sort", id="review.sort"),
        Binding("S", "reverse", "review.key.reverse", id="review.reverse", show=False),
        Binding("slash", "search", "review.key.search", id="review.search"),
        Binding("pagedown", "page(1)", "review.key.next", id="review.next", priority=True),
        Binding("pageup", "page(-1)", "review.key.prev", id="review.prev", priority=True),
        Binding("f5", "refresh", "review.key.refresh", id="review.refresh", show=False),
        Binding("x", "export", "export.key", id="review.export"),
        Binding("question_mark", "help", "keys.walk.help", id="review.help"),
    ]

    def __init__(self, flt: review.ReviewFilter | None = None) -> None:
        super().__init__()
        self.flt = flt or review.ReviewFilter()
        self.sort_column = "deadline"
        self.descending = False
        self.row_offset = 0
        self.shown_offset = 0  # the offset of the page the table holds
        self.marked: set[str] = set()
        self.page_rows: dict[str, review.ReviewRow] = {}
        self.counts: dict[str, int] = {}
        self.generation = 0
        self.busy = False
        self._search_timer: Timer | None = None

    @property
    def pqm(self) -> PQMApp:
        return cast("PQMApp", self.app)

    # layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tr = self.pqm.tr
        db = self.pqm.db
        yield Header()
        yield Static(tr("review.loading"), id="review-counts")
        with Horizontal(id="review-filters"):
            projects = [(p.name, p.id) for p in organisation.list_projects(db)]
            yield Select(projects, prompt=tr("review.filter.project"), id="f-project", compact=True)
            departments = [(d, d) for d in review.departments(db)]
            yield Select(
                departments, prompt=tr("review.filter.department"), id="f-department", compact=True
            )
            yield Select(
                [(tr(f"review.state.{s}"), s) for s in review.STATUSES],
                value=self.flt.status,
                allow_blank=False,
                id="f-status",
                compact=True,
            )
            yield Select(
                [(tr(f"enum.Severity.{s}"), s) for s in review.SEVERITIES],
                prompt=tr("review.filter.severity"),
                id="f-severity",
                compact=True,
            )
            yield Input(placeholder=tr("review.filter.text"), id="f-text", compact=True)
        yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-page")
        yield PQMFooter()

    def on_mount(self) -> None:
        tr = self.pqm.tr
        table = self.query_one("#review-table", DataTable)
        for column in COLUMNS:
            table.add_column(tr(f"review.col.{column}"), key=column)
        table.focus()
        self.reload()

    # loading -------------------------------------------------------------------------
    def reload(self, *, keep_offset: bool = False) -> None:
        """Read the current page (and the counts) again."""
        if not keep_offset:
            self.row_offset = 0
            self.shown_offset = -1  # a new query: the cursor starts on the first row
        self.generation += 1
        self.busy = True
        args = (self.generation, self.flt, self.sort_column, self.descending, self.row_offset)
        if self.pqm.db_path is None:
            self._load_here(self.pqm.db, *args)
            return
        quick = review.is_quick(self.flt, self.sort_column)
        if quick:  # an index serves it in milliseconds: show it now, count in the worker
            today = self.pqm.clock.today()
            self._show_rows(
                self.generation,
                review.page(
                    self.pqm.db,
                    self.flt,
                    today,
                    sort=self.sort_column,
                    descending=self.descending,
                    limit=PAGE,
                    offset=self.row_offset,
                ),
            )
        self._load_worker(*args, with_rows=not quick)

    def _load_here(
        self, db: Any, gen: int, flt: review.ReviewFilter, sort: str, desc: bool, offset: int
    ) -> None:
        today = self.pqm.clock.today()
        rows = review.page(db, flt, today, sort=sort, descending=desc, limit=PAGE, offset=offset)
        self._show_rows(gen, rows)
        self._show_counts(gen, review.counts(db, flt, today))

    @work(thread=True, exclusive=True, group="review-load")
    def _load_worker(
        self,
        gen: int,
        flt: review.ReviewFilter,
        sort: str,
        desc: bool,
        offset: int,
        *,
        with_rows: bool = True,
    ) -> None:
        """Slow pages (joins before the limit) and the header counts, off the UI thread."""
        today = self.pqm.clock.today()
        path = self.pqm.db_path
        assert path is not None
        db = connect(path, actor=self.pqm.actor, migrate_schema=False)
        try:
            if with_rows:
                rows = review.page(
                    db, flt, today, sort=sort, descending=desc, limit=PAGE, offset=offset
                )
                self.app.call_from_thread(self._show_rows, gen, rows)
            self.app.call_from_thread(self._show_counts, gen, review.counts(db, flt, today))
        except (ModelError, ValueError) as exc:
            self.app.call_from_thread(self.notify, self.pqm.tr.error(exc), severity="error")
        finally:
            db.close()

    def _show_rows(self, gen: int, rows: list[review.ReviewRow]) -> None:
        if gen != self.generation:
            return  # a newer request is on its way
        today = self.pqm.clock.today()
        table = self.query_one("#review-table", DataTable)
        # clear() puts the cursor on the first row: on the same page (after an action, a
        # refresh) keep it on the item it was on, so the next key acts on the row the user
        # sees, else on the same line; a new query or another page starts at the top
        at = table.cursor_row
        same_page = self.shown_offset == self.row_offset
        keep = None
        if table.row_count and same_page:
            keep = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        table.clear()
        self.page_rows = {r.id: r for r in rows}
        for row in rows:
            table.add_row(*self._cells(row, today), key=row.id)
        if keep in self.page_rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif same_page and rows:
            table.move_cursor(row=min(at, len(rows) - 1))
        self.shown_offset = self.row_offset
        self.busy = False
        self._show_page_line()

    def _show_page_line(self) -> None:
        """Rows shown, sort order and how many rows are marked."""
        tr = self.pqm.tr
        count = len(self.page_rows)
        shown = f"{self.row_offset + 1}–{self.row_offset + count}" if count else "0"
        self.query_one("#review-page", Static).update(
            tr(
                "review.page",
                shown=shown,
                sort=tr(f"review.col.{self.sort_column}"),
                direction=tr("review.desc" if self.descending else "review.asc"),
                marked=len(self.marked),
            )
        )

    def _cells(self, row: review.ReviewRow, today: date) -> list[object]:
        tr = self.pqm.tr
        left = row.days_left(today)
        if left is None:
            days: object = ""
        elif row.status not in ("open", "replied"):
            days = ""
        elif row.overdue(today):
            days = Text(tr("review.days_overdue", n=-left), style="bold red")
        elif left < 0:  # replied in time or not, waiting for re-inspection: not red
            days = tr("review.days_past", n=-left)
        else:
            days = tr("review.days_left", n=left)
        status = tr(f"enum.RectificationStatus.{row.status}")
        if row.pending:
            status += tr("review.pending", what=tr(f"review.state.{row.pending}"))
        cells: dict[str, str | Text] = {
            "mark": "●" if row.id in self.marked else "",
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
        return [cells[column] for column in COLUMNS]

    def _show_counts(self, gen: int, counts: dict[str, int]) -> None:
        if gen != self.generation:
            return
        self.counts = counts
        self.query_one("#review-counts", Static).update(self.pqm.tr("review.counts", **counts))

    # filters and sorting -------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.BLANK else str(event.value)
        field = {
            "f-project": "project_id",
            "f-department": "department",
            "f-status": "status",
            "f-severity": "severity",
        }.get(event.select.id or "")
        if field is None:
            return
        if field == "status" and value is None:
            value = "active"
        if getattr(self.flt, field) != value:
            self.flt = replace(self.flt, **{field: value})
            self.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as you type, once typing pauses (each keystroke would start a query)."""
        if event.input.id != "f-text":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_PAUSE, partial(self._search, event.value))

    def _search(self, text: str) -> None:
        self._search_timer = None
        if text != self.flt.text:
            self.flt = replace(self.flt, text=text)
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "f-text":
            if self._search_timer is not None:
                self._search_timer.stop()
            self._search(event.value)
            self.query_one("#review-table", DataTable).focus()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column in review.SORTS:
            self.set_sort(column, not self.descending if column == self.sort_column else False)

    def set_sort(self, column: str, descending: bool = False) -> None:
        self.sort_column = column
        self.descending = descending
        self.reload()

    def action_help(self) -> None:
        from pqm_tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_sort(self) -> None:
        columns = list(review.COLUMNS)
        self.set_sort(columns[(columns.index(self.sort_column) + 1) % len(columns)])

    def action_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.descending)

    def action_overdue(self) -> None:
        self.flt = replace(self.flt, overdue=not self.flt.overdue)
        self.notify(self.pqm.tr("review.overdue_on" if self.flt.overdue else "review.overdue_off"))
        self.reload()

    def action_export(self) -> None:
        """All items of the current filter and sort (every page) to an Excel file."""
        self._export(self.flt, self.sort_column, self.descending)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, flt: review.ReviewFilter, sort: str, descending: bool) -> None:
        from pqm_tui.reports.items_xlsx import write_items

        app = self.pqm
        assert app.db_path is not None
        stamp = app.clock.now().strftime("%Y%m%d-%H%M%S")
        path = app.db_path.parent / f"{app.tr('export.sheet')}-{stamp}.xlsx"
        db = connect(app.db_path, actor=app.actor, migrate_schema=False)  # this thread's own
        try:
            rows = review.iter_rows(db, flt, app.clock.today(), sort=sort, descending=descending)
            count = write_items(path, rows, app.clock.today(), app.tr)
        except Exception as exc:  # an export must never take the app down
            reason = (
                exc.strerror if isinstance(exc, OSError) and exc.strerror else app.tr.error(exc)
            )
            message = app.tr("export.failed", error=f"{path}: {reason}")
            app.call_from_thread(self.notify, message, severity="error")
            return
        finally:
            db.close()
        message = app.tr("export.written", count=count, path=path)
        app.call_from_thread(self.notify, message, timeout=10)

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_page(self, step: int) -> None:
        total = self.counts.get("matching", 0)
        offset = self.row_offset + step * PAGE
        last = max(total, len(self.page_rows) + self.row_offset + 1)
        if offset < 0 or (step > 0 and offset >= last):
            self.app.bell()
            return
        self.row_offset = offset
        self.reload(keep_offset=True)

    def action_refresh(self) -> None:
        self.reload(keep_offset=True)

    def action_back(self) -> None:
        self.app.pop_screen()

    # selection -----------------------------------------------------------------------
    def action_mark(self) -> None:
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.marked.symmetric_difference_update({key})
        table.update_cell(key, "mark", "●" if key in self.marked else "")
        self._show_page_line()
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def selected(self) -> list[str]:
        """The marked items, else the one under the cursor."""
        if self.marked:
            return sorted(self.marked)
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            return []
        return [str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]
