"""Review of rectification items (整改跟踪): filter, sort, mark, act, read an item's story.

Rows are loaded ``PAGE`` at a time, from the top, and more are read as the cursor
nears the end of what is loaded (PgDn/PgUp move by what is visible); the pages and
the header counts are read by a thread worker on its own connection, which posts
them back as messages, so the screen stays responsive on a database of millions of
findings. The filter, the sort order, the counts and the marks are reactive
attributes whose watchers reload or redraw; the active filters show as chips
(``1``–``6`` clear one, ``c`` all). The columns are chosen for the width
(``review_text.fit_columns``); on a wide terminal the item under the cursor is told
in a pane beside the list (``review_detail``), Enter opens it full size. The list is
read again whenever the screen comes back and the database was written meanwhile.
The filters, the sort and the hidden columns are remembered (``preferences``). What
the keys do to the selected items is ``ReviewController``'s (on the app's
connection) and what a row shows is ``review_text``'s; the screen holds the widgets,
opens the forms and reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize, ScreenResume
from textual.message import Message
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from pqm_tui.model import organisation, review
from pqm_tui.model.db import connect
from pqm_tui.model.errors import ModelError, NotFoundError, PQMError, os_storage_error
from pqm_tui.model.item_story import item_story
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.appeal import AppealDialog
from pqm_tui.screens.dialogs.columns import ColumnsDialog
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.decide import DecideDialog
from pqm_tui.screens.dialogs.extension import ExtensionDialog
from pqm_tui.screens.dialogs.form import FormDialog, FormField
from pqm_tui.screens.dialogs.reply import ReplyDialog
from pqm_tui.screens.review_controller import Outcome, ReviewController
from pqm_tui.screens.review_detail import ItemDetail, story_text
from pqm_tui.screens.review_text import COLUMNS, WIDTHS, fit_columns, row_cells
from pqm_tui.services.pins import check_pin
from pqm_tui.services.rectification import Action
from pqm_tui.widgets.footer import PQMFooter, binding

if TYPE_CHECKING:
    from sqlite_utils import Database

    from pqm_tui.model.entities import RectificationItem

PAGE = 100  # rows read at a time: the table measures every row it holds (200 rows: ~480 ms)
SEARCH_PAUSE = 0.3  # seconds of no typing before the search runs
DETAIL_MIN_WIDTH = 140  # a terminal this wide shows the item's detail beside the list
DETAIL_SHARE = 0.42  # of the width, for the detail pane
CHIPS = ("overdue", "project_id", "department", "status", "severity", "text")


class ReviewScreen(PQMScreen[None]):
    """Open items first, by deadline; space marks rows, letters act on the marked rows."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        binding("escape", "back", "review.key.back", "review.back"),
        # in the footer's order: what does not fit a narrow one is left out from the end
        binding("slash", "search", "review.key.search", "review.search"),
        binding("o", "overdue", "review.key.overdue", "review.overdue"),
        binding("enter", "detail", "review.key.detail", "review.detail"),
        binding("space", "mark", "review.key.mark", "review.mark"),
        binding("r", "reply", "review.key.reply", "review.reply"),
        binding("e", "extension", "review.key.extension", "review.extension"),
        binding("p", "appeal", "review.key.appeal", "review.appeal"),
        binding("d", "decide", "review.key.decide", "review.decide"),
        binding("i", "reinspect", "review.key.reinspect", "review.reinspect"),
        binding("n", "notice", "review.key.notice", "review.notice"),
        binding("s", "sort", "review.key.sort", "review.sort"),
        Binding("S", "reverse", "review.key.reverse", id="review.reverse", show=False),
        # paging and Enter are said on the status line: the footer keeps room for the actions
        binding("pagedown", "page(1)", "review.key.next", "review.next", show=False, priority=True),
        binding("pageup", "page(-1)", "review.key.prev", "review.prev", show=False, priority=True),
        Binding("f5", "refresh", "review.key.refresh", id="review.refresh", show=False),
        binding("x", "export", "export.key", "review.export"),
        binding("k", "receive", "review.key.receive", "review.receive"),
        binding("N", "second_notice", "review.key.second_notice", "review.second_notice"),
        binding("m", "circular", "review.key.circular", "review.circular"),
        binding("c", "clear_filters", "review.key.clear", "review.clear"),
        binding("C", "columns", "review.key.columns", "review.columns", show=False),
        *(Binding(str(n), f"clear_chip({n})", show=False) for n in range(1, len(CHIPS) + 1)),
        binding("question_mark", "help", "keys.walk.help", "review.help"),
    ]

    @dataclass
    class PageLoaded(Message):
        """Rows read by the worker from ``offset`` on (for request ``generation``)."""

        generation: int
        rows: list[review.ReviewRow]
        offset: int
        limit: int

    @dataclass
    class CountsLoaded(Message):
        """The header counts read by the worker (for request ``generation``)."""

        generation: int
        counts: dict[str, int]

    @dataclass
    class Said(Message):
        """A worker's sentence for the user (a failure, or where the export went)."""

        text: str
        error: bool = False

    flt: var[review.ReviewFilter] = var(review.ReviewFilter, init=False)
    """The filters (project, department, status, severity, overdue, text): reload on change."""
    order: var[tuple[str, bool]] = var(("deadline", False), init=False)
    """The sort column and whether it is descending: reload on change."""
    counts: var[dict[str, int]] = var(dict, init=False)
    """The header counts (open, overdue, matching …)."""
    marked: var[frozenset[str]] = var(frozenset, init=False)
    """The marked items (space), acted on together."""

    def __init__(self, flt: review.ReviewFilter | None = None) -> None:
        super().__init__()
        self._given_filter = flt
        self.set_reactive(ReviewScreen.flt, flt or review.ReviewFilter())
        self.rows: list[review.ReviewRow] = []  # loaded from the top, in table order
        self.page_rows: dict[str, review.ReviewRow] = {}  # the same, by item id
        self.more = False  # the last read was a full page: more rows may follow
        self.generation = 0
        self.columns: list[str] = list(COLUMNS)  # the columns the table shows now
        self.hidden: frozenset[str] = frozenset()  # columns the user chose not to see
        self._search_timer: Timer | None = None
        self._actions: ReviewController | None = None
        # the database's state at the last load: writes on the app's connection
        # (total_changes) and commits by any other one, a worker's too (data_version)
        self._seen_changes: tuple[int, int] | None = None
        self._detail_for: str | None = None
        self._fresh = True  # the next rows start a new query: the cursor goes to the top
        self._fresh_detail = False  # the pane must be told again (the item changed)

    @property
    def sort_column(self) -> str:
        return self.order[0]

    @property
    def descending(self) -> bool:
        return self.order[1]

    @property
    def actions(self) -> ReviewController:
        """The review's moves (on the app's database, clock, actor and language)."""
        if self._actions is None:
            app = self.pqm
            self._actions = ReviewController(app.db, app.clock, app.tr)
        return self._actions

    # layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tr = self.tr
        db = self.pqm.db
        self._remembered()
        flt = self.flt
        yield Header()
        yield Static(tr("review.loading"), id="review-counts")
        with Horizontal(id="review-filters"):
            projects = [(p.name, p.id) for p in organisation.list_projects(db)]
            yield Select(
                projects,
                prompt=tr("review.filter.project"),
                value=flt.project_id if flt.project_id in {p[1] for p in projects} else Select.NULL,
                id="f-project",
                compact=True,
            )
            departments = [(d, d) for d in review.departments(db)]
            known = {d for d, _ in departments}
            yield Select(
                departments,
                prompt=tr("review.filter.department"),
                value=flt.department if flt.department in known else Select.NULL,
                id="f-department",
                compact=True,
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
                value=flt.severity or Select.NULL,
                id="f-severity",
                compact=True,
            )
            yield Input(flt.text, placeholder=tr("review.filter.text"), id="f-text", compact=True)
        yield Static("", id="review-chips")
        with Horizontal(id="review-body"):
            yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
            yield ItemDetail(id="review-detail")
        yield Static("", id="review-page")
        yield PQMFooter()

    def _remembered(self) -> None:
        """The filters, sort and hidden columns of the last visit (偏好), unless given.

        On a first visit a project's own people (项目经理 …) see their project's items
        (its chip says so; ``c`` or the chip's key shows every project).
        """
        prefs = self.pqm.preferences
        saved = prefs.get("review.filters") if prefs is not None else None
        person = self.pqm.person
        if self._given_filter is None and saved is None and person and person.project_id:
            self.set_reactive(ReviewScreen.flt, review.ReviewFilter(project_id=person.project_id))
        if prefs is None:
            return
        if self._given_filter is None and isinstance(saved, dict):
            try:
                flt = review.ReviewFilter(**saved)
            except TypeError:
                flt = review.ReviewFilter()
            if flt.status in review.STATUSES and (flt.severity in (None, *review.SEVERITIES)):
                self.set_reactive(ReviewScreen.flt, flt)
        order = prefs.get("review.sort")
        if isinstance(order, list) and len(order) == 2 and order[0] in review.SORTS:
            self.set_reactive(ReviewScreen.order, (str(order[0]), bool(order[1])))
        hidden = prefs.get("review.hidden_columns")
        if isinstance(hidden, list):
            self.hidden = frozenset(str(c) for c in hidden if c in COLUMNS and c != "mark")

    def _remember(self) -> None:
        prefs = self.pqm.preferences
        if prefs is None:
            return
        prefs.set("review.filters", asdict(self.flt))
        prefs.set("review.sort", list(self.order))

    def on_mount(self) -> None:
        self._fit(self.size.width)
        self.query_one("#review-table", DataTable).focus()
        self._show_chips()
        self.reload()

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width)

    def on_screen_resume(self, _event: ScreenResume) -> None:
        """Back from a dialog or another screen: read again if the database was written."""
        if self._seen_changes is not None and self._changes() != self._seen_changes:
            self.reload(keep_offset=True)

    def _changes(self) -> tuple[int, int]:
        return review.change_mark(self.pqm.db)

    def _fit(self, width: int) -> None:
        """Show the detail pane when wide enough and the columns that fit beside it."""
        wide = width >= DETAIL_MIN_WIDTH
        detail = self.query_one("#review-detail", ItemDetail)
        detail.display = wide
        room = width - (int(width * DETAIL_SHARE) if wide else 0)
        if wide:
            detail.styles.width = int(width * DETAIL_SHARE)
        columns = fit_columns(room, self.hidden)
        if columns != self.columns or not self.query_one("#review-table", DataTable).columns:
            self.columns = columns
            self._build_table()
        if wide:
            self._show_detail()

    def _build_table(self) -> None:
        """The table's columns (``self.columns``) and the loaded rows again."""
        table = self.query_one("#review-table", DataTable)
        keep = self._cursor_id()
        table.clear(columns=True)
        for column in self.columns:
            table.add_column(self.tr(f"review.col.{column}"), key=column, width=WIDTHS[column])
        self._add_rows(self.rows)
        if keep in self.page_rows:
            table.move_cursor(row=table.get_row_index(keep))

    def _cursor_id(self) -> str | None:
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    # watchers ------------------------------------------------------------------------
    def watch_flt(self) -> None:
        self._show_chips()
        self._remember()
        self.reload()

    def watch_order(self) -> None:
        self._remember()
        self.reload()

    def watch_counts(self, counts: dict[str, int]) -> None:
        self.query_one("#review-counts", Static).update(self.tr("review.counts", **counts))
        self._show_page_line()

    def watch_marked(self) -> None:
        self._show_page_line()

    # loading -------------------------------------------------------------------------
    def reload(self, *, keep_offset: bool = False) -> None:
        """Read the rows (and the counts) again: from the top for a new query; as many as
        are loaded, keeping the cursor's item, after a change (``keep_offset``)."""
        limit = PAGE
        if keep_offset:
            limit = max(PAGE, -(-len(self.rows) // PAGE) * PAGE)
        else:
            self._fresh = True  # a new query: the cursor starts on the first row
        self._load(limit, 0)

    def load_more(self) -> None:
        """Read the next ``PAGE`` rows after those loaded (the cursor neared the end)."""
        if self.more:
            self.more = False  # one read at a time
            self._load(PAGE, len(self.rows), more=True)

    def _load(self, limit: int, offset: int, *, more: bool = False) -> None:
        if not more:
            self.generation += 1
            self._seen_changes = self._changes()
        args = (self.generation, self.flt, self.sort_column, self.descending, offset, limit)
        if self.pqm.db_path is None:
            self._load_here(self.pqm.db, *args, with_counts=not more)
            return
        quick = review.is_quick(self.flt, self.sort_column)
        if quick:  # an index serves it in milliseconds: show it now, count in the worker
            today = self.pqm.clock.today()
            rows = review.page(
                self.pqm.db,
                self.flt,
                today,
                sort=self.sort_column,
                descending=self.descending,
                limit=limit,
                offset=offset,
            )
            self._show_rows(self.generation, rows, offset, limit)
            if more:
                return
        self._load_worker(*args, with_rows=not quick)

    def _load_here(
        self,
        db: Database,
        gen: int,
        flt: review.ReviewFilter,
        sort: str,
        desc: bool,
        offset: int,
        limit: int,
        *,
        with_counts: bool = True,
    ) -> None:
        today = self.pqm.clock.today()
        rows = review.page(db, flt, today, sort=sort, descending=desc, limit=limit, offset=offset)
        self._show_rows(gen, rows, offset, limit)
        if with_counts:
            self._show_counts(gen, review.counts(db, flt, today))

    @work(thread=True, exclusive=True, group="review-load")
    def _load_worker(
        self,
        gen: int,
        flt: review.ReviewFilter,
        sort: str,
        desc: bool,
        offset: int,
        limit: int,
        *,
        with_rows: bool = True,
    ) -> None:
        """Slow pages (joins before the limit) and the header counts, off the UI thread."""
        today = self.pqm.clock.today()
        path = self.pqm.db_path
        assert path is not None
        db = None
        try:
            db = connect(path, actor=self.pqm.actor, migrate_schema=False)
            if with_rows:
                rows = review.page(
                    db, flt, today, sort=sort, descending=desc, limit=limit, offset=offset
                )
                self.post_message(self.PageLoaded(gen, rows, offset, limit))
            if offset == 0:
                self.post_message(self.CountsLoaded(gen, review.counts(db, flt, today)))
        except (PQMError, ValueError) as exc:  # storage busy or gone included
            self.post_message(self.Said(self.tr.error(exc), error=True))
        finally:
            if db is not None:
                db.close()

    def on_review_screen_page_loaded(self, message: PageLoaded) -> None:
        self._show_rows(message.generation, message.rows, message.offset, message.limit)

    def on_review_screen_counts_loaded(self, message: CountsLoaded) -> None:
        self._show_counts(message.generation, message.counts)

    def on_review_screen_said(self, message: Said) -> None:
        if message.error:
            self.notify(message.text, severity="error")
        else:
            self.notify(message.text, timeout=10)

    def _add_rows(self, rows: list[review.ReviewRow]) -> None:
        today = self.pqm.clock.today()
        table = self.query_one("#review-table", DataTable)
        for row in rows:
            cells = row_cells(
                row, today, self.tr, marked=row.id in self.marked, columns=self.columns
            )
            table.add_row(*cells, key=row.id)

    def _show_rows(self, gen: int, rows: list[review.ReviewRow], offset: int, limit: int) -> None:
        if gen != self.generation:
            return  # a newer request is on its way
        table = self.query_one("#review-table", DataTable)
        self.more = len(rows) >= limit
        if offset:  # more rows after those loaded: the cursor stays where it is
            if offset != len(self.rows):
                return  # a read that no longer fits what is loaded
            self.rows += rows
            self.page_rows.update((r.id, r) for r in rows)
            self._add_rows(rows)
            self._show_page_line()
            return
        # clear() puts the cursor on the first row: after an action or a refresh keep it
        # on the item it was on, so the next key acts on the row the user sees, else on
        # the same line; a new query starts at the top
        at = table.cursor_row
        fresh = self._fresh
        self._fresh = False
        keep = None if fresh else self._cursor_id()
        scroll = table.scroll_y
        table.clear()
        self.rows = rows
        self.page_rows = {r.id: r for r in rows}
        self._add_rows(rows)
        if keep in self.page_rows:
            table.move_cursor(row=table.get_row_index(keep), scroll=False)
        elif not fresh and rows:
            table.move_cursor(row=min(at, len(rows) - 1), scroll=False)
        if not fresh:
            table.scroll_to(y=scroll, animate=False, immediate=True)
        self._show_page_line()
        self._fresh_detail = True
        self._show_detail()

    def _show_page_line(self) -> None:
        """Where the cursor is among the matching rows, sort order and marked rows."""
        tr = self.tr
        table = self.query_one("#review-table", DataTable)
        total = max(self.counts.get("matching", 0), len(self.rows))
        shown = f"{table.cursor_row + 1}/{total}" if self.rows else "0"
        self.query_one("#review-page", Static).update(
            tr(
                "review.page",
                shown=shown,
                sort=tr(f"review.col.{self.sort_column}"),
                direction=tr("review.desc" if self.descending else "review.asc"),
                marked=len(self.marked),
            )
        )

    def _show_counts(self, gen: int, counts: dict[str, int]) -> None:
        if gen != self.generation:
            return
        self.counts = counts

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_page_line()
        self._show_detail()
        table = event.data_table
        if self.more and table.cursor_row >= len(self.rows) - max(table.size.height, 10):
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    def _show_detail(self) -> None:
        """The story of the item under the cursor, in the pane (when it shows)."""
        detail = self.query_one("#review-detail", ItemDetail)
        if not detail.display:
            return
        item_id = self._cursor_id()
        if item_id is None:
            self._detail_for = None
            detail.show(self.tr("review.detail.empty"))
            return
        if item_id == self._detail_for and not self._fresh_detail:
            return
        self._detail_for = item_id
        self._fresh_detail = False
        app = self.pqm
        try:
            story = item_story(app.db, item_id)
        except PQMError as exc:
            detail.show(self.tr.error(exc))
            return
        detail.show(story_text(story, app.clock.today(), self.tr, app.clock))

    # chips -----------------------------------------------------------------------------
    def chips(self) -> list[tuple[str, str]]:
        """The active filters (筛选条件) as (field, label), in ``CHIPS`` order."""
        tr = self.tr
        flt = self.flt
        found: list[tuple[str, str]] = []
        for field in CHIPS:
            value = getattr(flt, field)
            if field == "overdue" and value:
                found.append((field, tr("review.chip.overdue")))
            elif field == "status" and value != "active":
                found.append((field, tr("review.chip.status", value=tr(f"review.state.{value}"))))
            elif field == "project_id" and value:
                names = {p.id: p.name for p in organisation.list_projects(self.pqm.db)}
                found.append((field, tr("review.chip.project", value=names.get(value, "?"))))
            elif field == "department" and value:
                found.append((field, tr("review.chip.department", value=value)))
            elif field == "severity" and value:
                found.append(
                    (field, tr("review.chip.severity", value=tr(f"enum.Severity.{value}")))
                )
            elif field == "text" and value.strip():
                found.append((field, tr("review.chip.text", value=value.strip())))
        return found

    def _show_chips(self) -> None:
        line = self.query_one("#review-chips", Static)
        chips = self.chips()
        line.display = bool(chips)
        if not chips:
            line.update("")
            return
        text = Text()
        for n, (_, label) in enumerate(chips, start=1):
            text.append(f" {n}✕ ", style="bold reverse")
            text.append(f" {label} ", style="reverse")
            text.append(" ")
        text.append(self.tr("review.chip.clear_all"), style="dim")
        line.update(text)

    def action_clear_chip(self, n: int) -> None:
        """Clear the ``n``-th chip's filter (1 = the first shown)."""
        chips = self.chips()
        if not 1 <= n <= len(chips):
            self.app.bell()
            return
        self._clear([chips[n - 1][0]])

    def action_clear_filters(self) -> None:
        """Clear every filter (``c``)."""
        fields = [field for field, _ in self.chips()]
        if not fields:
            self.app.bell()
            return
        self._clear(fields)

    def _clear(self, fields: list[str]) -> None:
        blank = review.ReviewFilter()
        change: dict[str, Any] = {field: getattr(blank, field) for field in fields}
        widgets = {
            "project_id": "#f-project",
            "department": "#f-department",
            "severity": "#f-severity",
        }
        for field in fields:
            if field in widgets:
                self.query_one(widgets[field], Select).clear()
            elif field == "status":
                self.query_one("#f-status", Select).value = "active"
            elif field == "text":
                if self._search_timer is not None:
                    self._search_timer.stop()
                    self._search_timer = None
                self.query_one("#f-text", Input).value = ""
        self.flt = replace(self.flt, **change)

    # filters and sorting -------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else str(event.value)
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
            change: dict[str, Any] = {field: value}
            self.flt = replace(self.flt, **change)

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
        self.order = (column, descending)

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def action_sort(self) -> None:
        columns = list(review.COLUMNS)
        self.set_sort(columns[(columns.index(self.sort_column) + 1) % len(columns)])

    def action_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.descending)

    def action_overdue(self) -> None:
        self.flt = replace(self.flt, overdue=not self.flt.overdue)
        self.notify(self.tr("review.overdue_on" if self.flt.overdue else "review.overdue_off"))

    def action_export(self) -> None:
        """All items of the current filter and sort (every page) to an Excel file."""
        self._export(self.flt, self.sort_column, self.descending)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, flt: review.ReviewFilter, sort: str, descending: bool) -> None:
        # lazy: openpyxl and the reports package stay out of the app's start (tested)
        from pqm_tui.model.review_export import with_details
        from pqm_tui.reports.items_xlsx import write_items

        app = self.pqm
        assert app.db_path is not None
        stamp = app.clock.now().strftime("%Y%m%d-%H%M%S")
        path = app.db_path.parent / f"{app.tr('export.sheet')}-{stamp}.xlsx"
        db = None
        try:
            db = connect(app.db_path, actor=app.actor, migrate_schema=False)  # this thread's own
            rows = review.iter_rows(db, flt, app.clock.today(), sort=sort, descending=descending)
            count = write_items(path, with_details(db, rows), app.clock.today(), app.tr)
        except Exception as exc:  # an export must never take the app down
            said = os_storage_error(exc, path) if isinstance(exc, OSError) else exc
            self.post_message(self.Said(app.tr("export.failed", error=app.tr.error(said)), True))
            return
        finally:
            if db is not None:
                db.close()
        self.post_message(self.Said(app.tr("export.written", count=count, path=path)))

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_page(self, step: int) -> None:
        """PgDn/PgUp: the cursor moves by the rows visible (more are read as it nears the
        end of those loaded)."""
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            self.app.bell()
            return
        visible = max(1, table.scrollable_content_region.height - 1)  # less the header
        row = table.cursor_row + step * visible
        last = table.row_count - 1
        if (step < 0 and table.cursor_row == 0) or (step > 0 and table.cursor_row == last):
            self.app.bell()
            return
        row = max(0, min(row, last))
        table.move_cursor(row=row, animate=False)
        if step > 0:  # the cursor's row at the top, as a page turns
            table.scroll_to(y=row, animate=False, immediate=True)
        else:
            table.scroll_to(y=max(0, row - visible + 1), animate=False, immediate=True)
        table.focus()

    def action_refresh(self) -> None:
        self.reload(keep_offset=True)

    def action_back(self) -> None:
        """Esc: a search typed or applied is cleared first; then back."""
        search = self.query_one("#f-text", Input)
        if search.value or self.flt.text:
            self._clear(["text"])
            self.query_one("#review-table", DataTable).focus()
            return
        self.app.pop_screen()

    def action_detail(self) -> None:
        """Enter: the item under the cursor full size (整改项详情)."""
        item_id = self._cursor_id()
        if item_id is None:
            self.notify(self.tr("review.none_selected"), severity="warning")
            return
        self.pqm.open("item", item_id=item_id)

    # selection -----------------------------------------------------------------------
    def action_mark(self) -> None:
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.marked = self.marked ^ {key}
        table.update_cell(key, "mark", "●" if key in self.marked else "")
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

    # actions on the selected items ---------------------------------------------------
    def _need_selection(self) -> list[str] | None:
        ids = self.selected()
        if not ids:
            self.notify(self.tr("review.none_selected"), severity="warning")
            return None
        return ids

    def _allowing(self, ids: list[str], action: Action) -> list[RectificationItem]:
        """The selected items that allow ``action`` now; when none does, say why and
        return nothing, so no dialog is filled in for a move that would be refused."""
        fit, refusal = self.actions.allowing(ids, action)
        if not fit:
            self.notify(refusal, severity="error", timeout=10)
        return fit

    def _refused(self, ids: list[str], action: Action | None) -> bool:
        """True (and said) when the acting person may not make ``action`` on the items:
        no form is opened for a move the permission table refuses."""
        refusal = self.actions.refusal(ids, action)
        if refusal:
            self.notify(refusal, severity="error", timeout=10)
        return bool(refusal)

    def _ask(
        self,
        dialog: FormDialog,
        ids: list[str],
        move: Callable[[dict[str, str]], Outcome],
        said: str = "review.done",
    ) -> None:
        """Open a form about ``ids`` (named under its title) that makes ``move`` when saved;
        ``said`` is the message id of what was done (回复 / 延期申请 …).

        When the move is refused for every item the form stays open with what was
        typed and says why; otherwise it closes and what was done is reported.
        """
        dialog.subject = self.actions.subject(ids, self.page_rows)
        made: list[Outcome] = []
        check = dialog.save  # the form's own check (a decision's PIN) comes first

        def save(values: dict[str, str]) -> str | None:
            if check is not None:
                check(values)  # raises when refused: the form says why and stays
            outcome = move(values)
            if not outcome.done and outcome.problems:
                return "\n".join(outcome.problems[:5])
            made.append(outcome)
            return None

        def closed(values: dict[str, str] | None) -> None:
            if values is not None and made:
                self._report(ids, made[-1], said)

        dialog.save = save
        self.app.push_screen(dialog, closed)

    def _report(self, ids: list[str], outcome: Outcome, said: str = "review.done") -> None:
        """Say what a move did and what failed, by item; unmark the items and reload."""
        if outcome.made:  # what each decision recorded: 初审意见, 终审, 批准延期 …
            made = Counter(outcome.made)
            self.notify("\n".join(self.tr(f"review.decided.{m}", count=n) for m, n in made.items()))
        elif outcome.done:
            self.notify(self.tr(said, count=outcome.done))
        if outcome.problems:
            self.notify("\n".join(outcome.problems[:5]), severity="error", timeout=10)
        self.marked = self.marked - set(ids)
        self.reload(keep_offset=True)

    def action_reply(self) -> None:
        ids = self._need_selection()
        if not ids or self._refused(ids, Action.REPLY) or not self._allowing(ids, Action.REPLY):
            return  # not his to make, or already replied (or closed): said before typing
        app = self.pqm
        earliest = self.actions.earliest_reply(ids)
        dialog = ReplyDialog(self.tr, app.clock.today(), len(ids), app.db_path, earliest)
        self._ask(
            dialog,
            ids,
            lambda values: self.actions.reply(ids, values, dialog.evidence),
            "review.done_reply",
        )

    def action_extension(self) -> None:
        ids = self._need_selection()
        fit = self._allowing(ids, Action.REQUEST_EXTENSION) if ids else []
        if not ids or not fit or self._refused(ids, Action.REQUEST_EXTENSION):
            return
        latest = self.actions.latest_deadline(fit)
        proposed = self.actions.proposed_deadline(latest)
        dialog = ExtensionDialog(self.tr, proposed, len(ids), latest)
        self._ask(
            dialog,
            ids,
            lambda values: self.actions.request_extension(ids, values),
            "review.done_extension",
        )

    def action_appeal(self) -> None:
        ids = self._need_selection()
        if not ids or not self._allowing(ids, Action.REQUEST_APPEAL):
            return
        if self._refused(ids, Action.REQUEST_APPEAL):
            return
        dialog = AppealDialog(self.tr, len(ids))
        self._ask(
            dialog,
            ids,
            lambda values: self.actions.request_appeal(ids, values),
            "review.done_appeal",
        )

    def action_decide(self) -> None:
        ids = self._need_selection()
        if not ids:
            return
        rows = [self.page_rows[i] for i in ids if i in self.page_rows]
        pending = {r.id: r.pending for r in rows}
        extensions = sum(1 for p in pending.values() if p == Action.REQUEST_EXTENSION)
        appeals = sum(1 for p in pending.values() if p == Action.REQUEST_APPEAL)
        finals = sum(1 for r in rows if r.pending_stage == "appeal-final")
        if not extensions and not appeals:
            self.notify(self.tr("review.decide.nothing"), severity="warning")
            return
        if self._refused([i for i, p in pending.items() if p], None):
            return

        request = self.actions.request_text(ids[0], pending.get(ids[0])) if len(ids) == 1 else ""
        app = self.pqm

        def check(pin: str) -> None:  # the acting person signs the decision with his PIN
            decider = organisation.find_person(app.db, app.actor)
            check_pin(app.db, app.clock, decider.id, pin)

        dialog = DecideDialog(
            self.tr,
            extensions,
            appeals,
            request,
            finals=finals,
            decider=self._actor_name(),
            check_pin=check,
        )
        self._ask(dialog, ids, lambda values: self.actions.decide(ids, values))

    def _actor_name(self) -> str:
        """The acting person's name (or what ``--as`` said, when he is nobody known)."""
        try:
            return organisation.find_person(self.pqm.db, self.pqm.actor).name
        except NotFoundError:
            return self.pqm.actor

    def action_reinspect(self) -> None:
        """复检: asked first (a re-inspection is an inspection of record), then made and walked."""
        ids = self._need_selection()
        if not ids or not self._allowing(ids, Action.PASS_REINSPECTION):
            return
        question = self.tr("review.reinspect_confirm", count=len(ids))
        subject = self.actions.subject(ids, self.page_rows)
        self.app.push_screen(
            ConfirmDialog(question, subject),
            lambda yes: self._reinspect(ids) if yes else None,
        )

    def _reinspect(self, ids: list[str]) -> None:
        try:
            inspection = self.actions.reinspect(ids)
        except ModelError as exc:
            self.notify(self.actions.explain(exc), severity="error", timeout=10)
            return
        self.marked = self.marked - set(ids)
        self.reload(keep_offset=True)
        project = organisation.get_project(self.pqm.db, inspection.project_id).name
        when = inspection.started_at[:10]
        self.notify(self.tr("review.reinspection_created", project=project, date=when))
        self.pqm.open("walk", inspection_id=inspection.id)

    def action_notice(self) -> None:
        ids = self.selected()
        if ids and ids[0] in self.page_rows:
            self.pqm.open("report", inspection_id=self.page_rows[ids[0]].inspection_id)

    # notices and documents -----------------------------------------------------------
    def action_receive(self) -> None:
        """签收: the receipt of the notice of the item under the cursor (not yet received)."""
        item_id = self._cursor_id()
        if item_id is None:
            self.notify(self.tr("review.none_selected"), severity="warning")
            return
        tr = self.tr
        notice = self.actions.notice_to_receive(item_id)
        if notice is None:
            self.notify(tr("review.receive.nothing"), severity="warning")
            return
        today = self.pqm.clock.today()
        receiver = self.actions.default_receiver(item_id)
        fields = [
            FormField("by", tr("review.receive.by"), default=receiver),
            FormField("date", tr("review.receive.date"), "date", today.isoformat()),
        ]
        received: list[int] = []

        def save(values: dict[str, str]) -> None:  # a refusal keeps the form open
            received.append(self.actions.receive(notice, self.pqm.settings, values))

        def done(values: dict[str, str] | None) -> None:
            if values is not None and received:
                self.notify(tr("review.receive.done", number=notice.number, count=received[0]))
                self.reload(keep_offset=True)

        dialog = FormDialog(
            tr("review.receive.title", number=notice.number),
            fields,
            tr("review.receive.hint"),
            save=save,
        )
        dialog.subject = self.actions.subject([item_id], self.page_rows)
        self.app.push_screen(dialog, done)

    def action_second_notice(self) -> None:
        """第二次整改通知单 of the item under the cursor (it failed a re-inspection)."""
        item_id = self._cursor_id()
        if item_id is None:
            self.notify(self.tr("review.none_selected"), severity="warning")
            return
        tr = self.tr
        second = self.actions.second_notice(item_id)
        if second is None:
            self.notify(tr("review.second_notice.none"), severity="warning", timeout=10)
            return
        row = self.page_rows.get(item_id)
        stem = tr(
            "reports.document.file_notice2",
            number=second.number,
            project=row.project_name if row else "",
        )
        title = tr("review.second_notice.title", number=second.number)
        self.pqm.open("document", kind="notice2", reference=item_id, title=title, stem=stem)

    def action_circular(self) -> None:
        """The month's circular (通报) of failed re-inspections."""
        tr = self.tr
        month = self.pqm.clock.today().strftime("%Y-%m")
        stem = tr("reports.document.file_circular")
        title = tr("review.circular.title")
        self.pqm.open("document", kind="circular", reference=month, title=title, stem=stem)

    def action_columns(self) -> None:
        """Choose the columns shown (列); the choice is remembered."""
        tr = self.tr
        choices = tuple((c, tr(f"review.col.{c}")) for c in COLUMNS if c != "mark")
        shown = ",".join(c for c, _ in choices if c not in self.hidden)

        def chosen(values: dict[str, str] | None) -> None:
            if values is None:
                return
            keep = set(values["columns"].split(","))
            self.hidden = frozenset(c for c, _ in choices if c not in keep)
            prefs = self.pqm.preferences
            if prefs is not None:
                prefs.set("review.hidden_columns", sorted(self.hidden))
            self.columns = []  # rebuild
            self._fit(self.size.width)

        self.app.push_screen(ColumnsDialog(tr, choices, shown), chosen)
