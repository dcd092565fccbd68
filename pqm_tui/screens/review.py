"""Review of rectification items (整改跟踪): filter, sort, mark, act — page by page.

Only one page (``PAGE`` rows) is ever loaded; the page and the header counts
are read by a thread worker on its own connection, which posts them back as
messages, so the screen stays responsive on a database of millions of findings.
The filter, the sort order, the counts and the marks are reactive attributes
whose watchers reload or redraw. What the keys do to the selected items is
``ReviewController``'s (on the app's connection) and what a row shows is
``review_text``'s; the screen holds the widgets, opens the forms and reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from pqm_tui.model import organisation, review
from pqm_tui.model.db import connect
from pqm_tui.model.errors import ModelError, PQMError, os_storage_error
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.appeal import AppealDialog
from pqm_tui.screens.dialogs.decide import DecideDialog
from pqm_tui.screens.dialogs.extension import ExtensionDialog
from pqm_tui.screens.dialogs.reply import ReplyDialog
from pqm_tui.screens.review_controller import Outcome, ReviewController
from pqm_tui.screens.review_text import COLUMNS, row_cells
from pqm_tui.services.rectification import Action
from pqm_tui.widgets.footer import PQMFooter, binding

if TYPE_CHECKING:
    from sqlite_utils import Database

    from pqm_tui.model.entities import RectificationItem
    from pqm_tui.screens.dialogs.form import FormDialog

PAGE = 100  # rows per page: the table measures every row it holds (200 rows: ~480 ms)
SEARCH_PAUSE = 0.3  # seconds of no typing before the search runs


class ReviewScreen(PQMScreen[None]):
    """Open items first, by deadline; space marks rows, letters act on the marked rows."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        binding("escape", "back", "review.key.back", "review.back"),
        binding("space", "mark", "review.key.mark", "review.mark"),
        binding("r", "reply", "review.key.reply", "review.reply"),
        binding("e", "extension", "review.key.extension", "review.extension"),
        binding("p", "appeal", "review.key.appeal", "review.appeal"),
        binding("d", "decide", "review.key.decide", "review.decide"),
        binding("i", "reinspect", "review.key.reinspect", "review.reinspect"),
        binding("n", "notice", "review.key.notice", "review.notice"),
        binding("o", "overdue", "review.key.overdue", "review.overdue"),
        binding("s", "sort", "review.key.sort", "review.sort"),
        Binding("S", "reverse", "review.key.reverse", id="review.reverse", show=False),
        binding("slash", "search", "review.key.search", "review.search"),
        binding("pagedown", "page(1)", "review.key.next", "review.next", priority=True),
        binding("pageup", "page(-1)", "review.key.prev", "review.prev", priority=True),
        Binding("f5", "refresh", "review.key.refresh", id="review.refresh", show=False),
        binding("x", "export", "export.key", "review.export"),
        binding("question_mark", "help", "keys.walk.help", "review.help"),
    ]

    @dataclass
    class PageLoaded(Message):
        """A page of rows read by the worker (for request ``generation``)."""

        generation: int
        rows: list[review.ReviewRow]

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
        self.set_reactive(ReviewScreen.flt, flt or review.ReviewFilter())
        self.row_offset = 0
        self.shown_offset = 0  # the offset of the page the table holds
        self.page_rows: dict[str, review.ReviewRow] = {}
        self.generation = 0
        self._search_timer: Timer | None = None
        self._actions: ReviewController | None = None

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
        table = self.query_one("#review-table", DataTable)
        for column in COLUMNS:
            table.add_column(self.tr(f"review.col.{column}"), key=column)
        table.focus()
        self.reload()

    # watchers ------------------------------------------------------------------------
    def watch_flt(self) -> None:
        self.reload()

    def watch_order(self) -> None:
        self.reload()

    def watch_counts(self, counts: dict[str, int]) -> None:
        self.query_one("#review-counts", Static).update(self.tr("review.counts", **counts))

    def watch_marked(self) -> None:
        self._show_page_line()

    # loading -------------------------------------------------------------------------
    def reload(self, *, keep_offset: bool = False) -> None:
        """Read the current page (and the counts) again."""
        if not keep_offset:
            self.row_offset = 0
            self.shown_offset = -1  # a new query: the cursor starts on the first row
        self.generation += 1
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
        self, db: Database, gen: int, flt: review.ReviewFilter, sort: str, desc: bool, offset: int
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
        db = None
        try:
            db = connect(path, actor=self.pqm.actor, migrate_schema=False)
            if with_rows:
                rows = review.page(
                    db, flt, today, sort=sort, descending=desc, limit=PAGE, offset=offset
                )
                self.post_message(self.PageLoaded(gen, rows))
            self.post_message(self.CountsLoaded(gen, review.counts(db, flt, today)))
        except (PQMError, ValueError) as exc:  # storage busy or gone included
            self.post_message(self.Said(self.tr.error(exc), error=True))
        finally:
            if db is not None:
                db.close()

    def on_review_screen_page_loaded(self, message: PageLoaded) -> None:
        self._show_rows(message.generation, message.rows)

    def on_review_screen_counts_loaded(self, message: CountsLoaded) -> None:
        self._show_counts(message.generation, message.counts)

    def on_review_screen_said(self, message: Said) -> None:
        if message.error:
            self.notify(message.text, severity="error")
        else:
            self.notify(message.text, timeout=10)

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
            table.add_row(*row_cells(row, today, self.tr, marked=row.id in self.marked), key=row.id)
        if keep in self.page_rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif same_page and rows:
            table.move_cursor(row=min(at, len(rows) - 1))
        self.shown_offset = self.row_offset
        self._show_page_line()

    def _show_page_line(self) -> None:
        """Rows shown, sort order and how many rows are marked."""
        tr = self.tr
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

    def _show_counts(self, gen: int, counts: dict[str, int]) -> None:
        if gen != self.generation:
            return
        self.counts = counts

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
        from pqm_tui.reports.items_xlsx import write_items

        app = self.pqm
        assert app.db_path is not None
        stamp = app.clock.now().strftime("%Y%m%d-%H%M%S")
        path = app.db_path.parent / f"{app.tr('export.sheet')}-{stamp}.xlsx"
        db = None
        try:
            db = connect(app.db_path, actor=app.actor, migrate_schema=False)  # this thread's own
            rows = review.iter_rows(db, flt, app.clock.today(), sort=sort, descending=descending)
            count = write_items(path, rows, app.clock.today(), app.tr)
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

    def _ask(self, dialog: FormDialog, ids: list[str], save: Callable[[Any], None]) -> None:
        """Open a form about ``ids``, naming them under its title."""
        dialog.subject = self.actions.subject(ids, self.page_rows)
        self.app.push_screen(dialog, save)

    def _report(self, ids: list[str], outcome: Outcome) -> None:
        """Say what a move did and what failed, by item; unmark the items and reload."""
        if outcome.done:
            self.notify(self.tr("review.done", count=outcome.done))
        if outcome.problems:
            self.notify("\n".join(outcome.problems[:5]), severity="error", timeout=10)
        self.marked = self.marked - set(ids)
        self.reload(keep_offset=True)

    def action_reply(self) -> None:
        ids = self._need_selection()
        if not ids or self._refused(ids, Action.REPLY):
            return
        app = self.pqm
        dialog = ReplyDialog(self.tr, app.clock.today(), len(ids), app.db_path)

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._report(ids, self.actions.reply(ids, values, dialog.evidence))

        self._ask(dialog, ids, save)

    def action_extension(self) -> None:
        ids = self._need_selection()
        fit = self._allowing(ids, Action.REQUEST_EXTENSION) if ids else []
        if not ids or not fit or self._refused(ids, Action.REQUEST_EXTENSION):
            return
        latest = self.actions.latest_deadline(fit)
        proposed = self.actions.proposed_deadline(latest)

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._report(ids, self.actions.request_extension(ids, values))

        self._ask(ExtensionDialog(self.tr, proposed, len(ids), latest), ids, save)

    def action_appeal(self) -> None:
        ids = self._need_selection()
        if not ids or not self._allowing(ids, Action.REQUEST_APPEAL):
            return
        if self._refused(ids, Action.REQUEST_APPEAL):
            return

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._report(ids, self.actions.request_appeal(ids, values))

        self._ask(AppealDialog(self.tr, len(ids)), ids, save)

    def action_decide(self) -> None:
        ids = self._need_selection()
        if not ids:
            return
        pending = {i: (self.page_rows[i].pending if i in self.page_rows else None) for i in ids}
        extensions = sum(1 for p in pending.values() if p == Action.REQUEST_EXTENSION)
        appeals = sum(1 for p in pending.values() if p == Action.REQUEST_APPEAL)
        if not extensions and not appeals:
            self.notify(self.tr("review.decide.nothing"), severity="warning")
            return
        if self._refused([i for i, p in pending.items() if p], None):
            return

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._report(ids, self.actions.decide(ids, values))

        request = self.actions.request_text(ids[0], pending[ids[0]]) if len(ids) == 1 else ""
        self._ask(DecideDialog(self.tr, extensions, appeals, request), ids, save)

    def action_reinspect(self) -> None:
        ids = self._need_selection()
        if not ids:
            return
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
