"""The walk (现场检查): areas on the left, the area's items on the right, one key per answer.

Composed of parts: ``WalkSession`` (services) holds the walk's state and rules
and commits every answer at once; ``walk_text`` says what is shown; this screen
holds the widgets, the keys and the dialogs. The current area, the progress
and the status line are reactive attributes whose watchers redraw them; only
the rows that changed are redrawn, so the screen stays instant with hundreds of
items and dozens of areas.

Unsaved answers (未保存): every write goes through ``_write``. When storage
refuses it (another process holds the database past the busy timeout, the disk
is full, the file read-only or gone) the answer stays in ``unsaved``, the status
line says so, and it is retried every ``RETRY_DELAY`` seconds, in order, before
any later answer; the screen is not left and the app not quit while it waits.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import DataTable, Static

from pqm_tui.model import inspections
from pqm_tui.model.entities import Finding, InspectionKind, InspectionStatus, NoteKind, Result
from pqm_tui.model.errors import ModelError, PQMError, StorageError
from pqm_tui.screens.base import PQMScreen
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.note import NoteDialog
from pqm_tui.screens.dialogs.photos import PhotoListDialog
from pqm_tui.screens.dialogs.search import SearchDialog
from pqm_tui.screens.walk_columns import add_columns
from pqm_tui.screens.walk_text import (
    area_cells,
    area_name,
    area_title,
    item_cells,
    item_detail,
    walk_title,
)
from pqm_tui.services.reinspection_context import TargetContext, target_contexts
from pqm_tui.services.walk_session import AreaProgress, FailureDetails, WalkSession
from pqm_tui.widgets.cjk_fold import fold
from pqm_tui.widgets.footer import PQMFooter, binding
from pqm_tui.widgets.row_table import RowTable

POSITION_DELAY = 0.4
RETRY_DELAY = 2.0  # seconds between attempts to save what storage refused


class WalkScreen(PQMScreen[None]):
    """Walk one inspection area by area."""

    CSS_PATH = "walk.tcss"
    BINDINGS = [
        binding("p,space", "answer('pass')", "keys.walk.pass", "walk.pass"),
        binding("f", "fail", "keys.walk.fail", "walk.fail"),
        binding("n", "answer('na')", "keys.walk.na", "walk.na"),
        binding("u", "undo", "keys.walk.undo", "walk.undo"),
        Binding(
            "tab", "area(1)", "keys.walk.next_area", id="walk.next_area", priority=True, show=False
        ),
        Binding(
            "shift+tab",
            "area(-1)",
            "keys.walk.prev_area",
            id="walk.prev_area",
            priority=True,
            show=False,
        ),
        binding("slash", "search", "keys.walk.search", "walk.search"),
        binding("l", "note", "keys.walk.note", "walk.note"),
        binding("x", "finish", "keys.walk.finish", "walk.finish"),
        binding("o", "photos", "keys.walk.photos", "walk.photos"),
        binding("question_mark", "help", "keys.walk.help", "walk.help"),
        Binding("P", "rest('pass')", "keys.walk.rest_pass", id="walk.rest_pass", show=False),
        Binding("N", "rest('na')", "keys.walk.rest_na", id="walk.rest_na", show=False),
        Binding("e", "edit", "keys.walk.edit", id="walk.edit", show=False),
        Binding("j", "cursor(1)", "keys.walk.down", id="walk.down", show=False),
        Binding("k", "cursor(-1)", "keys.walk.up", id="walk.up", show=False),
        *(
            Binding(str(n), f"fail({n})", "keys.walk.fail_count", id=f"walk.fail_{n}", show=False)
            for n in range(1, 10)
        ),
        Binding("escape", "leave", "keys.walk.leave", id="walk.leave", show=False),
    ]

    area_id: var[str] = var("", init=False, always_update=True)
    """The area whose items are listed (当前区域); setting it fills the item table."""
    totals: var[AreaProgress | None] = var(None, init=False)
    """The walk's progress, shown in the title."""
    saved: var[str] = var("", init=False)
    """When the last answer was committed (the status line's first part)."""
    message: var[str] = var("", init=False)
    """What the last key did (the status line's second part)."""

    def __init__(self, inspection_id: str) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.session: WalkSession | None = None
        self.row_items: list[str] = []
        self._position_timer: Timer | None = None
        self._last_item: str | None = None
        self._land_on: str | None = None  # the item the cursor lands on in a new area
        self.unsaved: list[Callable[[], None]] = []  # writes storage refused, oldest first
        self._retry_timer: Timer | None = None
        self.targets: dict[tuple[str, str], TargetContext] = {}  # a re-inspection's targets
        self._counts_width = -1  # the cells "已查 N/M　不合格 K" took when last drawn
        self._title_shown = ""  # the walk's name as last drawn (it does not change per key)
        self._detail_shown: str | None = None  # the item detail as last drawn
        self._finding_panel: FindingPanel | None = None  # built on the first ``f``, then reused

    @property
    def db_path(self) -> Path:
        """The database file (photos are stored beside it)."""
        assert self.pqm.db_path is not None
        return self.pqm.db_path

    @property
    def walk(self) -> WalkSession:
        assert self.session is not None
        return self.session

    def compose(self) -> ComposeResult:
        with Horizontal(id="walk-title"):
            yield Static("", id="walk-name")
            yield Static("", id="walk-counts")
        with Horizontal(id="walk-main"):
            yield RowTable(id="areas", cursor_type="row", zebra_stripes=True)
            with Vertical(id="items-pane"):
                yield Static("", id="area-title")
                # down past the view, two thirds of it show the items to come: the table
                # scrolls (repaints all its rows) once every dozen keys, not at every key
                yield RowTable(
                    id="items", cursor_type="row", zebra_stripes=True, scroll_ahead=2 / 3
                )
        yield Static("", id="detail")
        yield Static("", id="walk-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        app = self.pqm
        self.session = WalkSession(app.db, app.clock, app.settings, self.inspection_id, app.db_path)
        if self.walk.inspection.kind == InspectionKind.REINSPECTION:  # 复检: what each target was
            self.targets = target_contexts(app.db, self.inspection_id, app.db_path)
            self.add_class("reinspection")
        areas = self.query_one("#areas", DataTable)
        areas.can_focus = False
        add_columns(areas, self.query_one("#items", DataTable), self.walk, self.tr)
        for area in self.walk.areas:
            areas.add_row(area.name, *area_cells(self.walk, area.id), key=area.id)
        area_id, item_id = self.walk.position()
        if area_id not in self.walk.area_index:
            area_id, item_id = (self.walk.areas[0].id if self.walk.areas else ""), None
        self.totals = self.walk.totals()
        if area_id:
            self._show_area(area_id, item_id)
        else:
            self.message = self.tr("walk.no_areas")
        self.query_one("#items", DataTable).focus()

    # ------------------------------------------------------------ watchers
    def watch_area_id(self, area_id: str) -> None:
        """Fill the item table for the new area (only on an area change)."""
        if not area_id:
            return
        items = self.query_one("#items", DataTable)
        items.clear()
        self.row_items = [item.id for item in self.walk.items_of(area_id)]
        items.add_rows(
            (item.code, *item_cells(self.walk, self.tr, area_id, item.id), item.standard)
            for item in self.walk.items_of(area_id)
        )
        self.query_one("#areas", DataTable).move_cursor(row=self.walk.area_index[area_id])
        land_on, self._land_on = self._land_on, None
        items.move_cursor(row=self.row_items.index(land_on) if land_on in self.row_items else 0)
        self._area_title()
        self._detail()
        self._save_position(self.current_item)

    def watch_totals(self, totals: AreaProgress | None) -> None:
        if totals is not None:  # fixed height: no re-layout per key
            title, counts = walk_title(self.walk, self.tr, totals)
            if title != self._title_shown:
                self._title_shown = title
                self.query_one("#walk-name", Static).update(title, layout=False)
            # the counts' width is ``auto``: a new layout (the whole screen) only when it changes
            resized = cell_len(counts) != self._counts_width
            self._counts_width = cell_len(counts)
            self.query_one("#walk-counts", Static).update(counts, layout=resized)

    def watch_saved(self) -> None:
        self._draw_status()

    def watch_message(self) -> None:
        self._draw_status()

    # ------------------------------------------------------------ drawing
    def _draw_status(self) -> None:
        parts = [p for p in (self.saved, self.message) if p]
        self.query_one("#walk-status", Static).update("  ·  ".join(parts), layout=False)

    def _area_title(self) -> None:
        title = area_title(self.walk, self.tr, self.area_id)
        self.query_one("#area-title", Static).update(title, layout=False)

    def area_name(self, area_id: str) -> str:
        return area_name(self.walk, area_id)

    def _show_area(self, area_id: str, item_id: str | None = None) -> None:
        """Show ``area_id``'s items, the cursor on ``item_id`` (else the first)."""
        self._land_on = item_id
        self.area_id = area_id

    def _switch_area(self, area_id: str, item_id: str | None) -> str:
        """Move to another area (search, undo) and return the notice saying so."""
        self._show_area(area_id, item_id)
        return self.tr("walk.area_switched", area=self.area_name(area_id))

    def _redraw_rows(self, area_id: str, item_id: str) -> None:
        """Redraw the one item row and the one area row a change touched."""
        areas = self.query_one("#areas", RowTable)
        progress, failed = area_cells(self.walk, area_id)
        areas.set_cells(area_id, {"progress": progress, "failed": failed})
        if area_id == self.area_id:
            self._area_title()
        if area_id == self.area_id and item_id in self.row_items:
            items = self.query_one("#items", RowTable)
            row = Coordinate(self.row_items.index(item_id), 0)
            row_key = items.coordinate_to_cell_key(row).row_key
            result, deduction = item_cells(self.walk, self.tr, area_id, item_id)
            items.set_cells(row_key, {"result": result, "deduction": deduction})

    @property
    def current_item(self) -> str | None:
        """The item under the cursor (当前检查项)."""
        row = self.query_one("#items", DataTable).cursor_row
        return self.row_items[row] if 0 <= row < len(self.row_items) else None

    def _detail(self) -> None:
        item_id = self._last_item = self.current_item
        if item_id is None:
            text = ""
        else:
            context = self.targets.get((self.area_id, item_id))
            text = item_detail(self.walk, self.tr, self.area_id, item_id, context)
        detail = self.query_one("#detail", Static)
        text = fold(text, detail.content_region.width)  # a Chinese standard wraps in place
        if text != self._detail_shown:  # asked up to 3 times a key: drawn once
            self._detail_shown = text
            detail.update(text, layout=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._detail)  # folded again at the new width

    def _status(self, message: str = "") -> None:
        self.message = message

    def _saved_now(self, message: str = "") -> None:
        stamp = self.pqm.clock.now().strftime("%H:%M:%S")
        self.saved = self.tr("common.saved_at", time=stamp)
        self.totals = self.walk.totals()
        self.message = message

    def _after_change(self, changed: list[Finding], advance: bool) -> None:
        for finding in changed:
            self._redraw_rows(finding.area_id, finding.item_id)
        if advance:
            items = self.query_one("#items", DataTable)
            if items.cursor_row < len(self.row_items) - 1:
                items.move_cursor(row=items.cursor_row + 1)
        self._detail()

    def _error(self, exc: ModelError) -> None:
        self._status(self.tr("walk.error", error=self.tr.error(exc)))

    # ------------------------------------------------------------ writing
    def _write(self, unit: Callable[[], None]) -> bool:
        """Run one write (and its redraw) after any unsaved one; False when a rule refused it.

        A write storage refuses is kept and retried (True: the key took effect for
        the user, the cursor may move on).
        """
        self.unsaved.append(unit)
        return self._flush(unit)

    def _flush(self, newest: Callable[[], None] | None = None) -> bool:
        """Save the unsaved writes in order; stop at the first storage refusal."""
        refused = False
        while self.unsaved:
            unit = self.unsaved[0]
            try:
                unit()
            except StorageError as exc:
                self._keep_retrying(exc)
                return True
            except ModelError as exc:
                self._error(exc)
                refused = refused or unit is newest
            self.unsaved.pop(0)
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        return not refused

    def _keep_retrying(self, exc: StorageError) -> None:
        error = self.tr.error(exc)
        count = len(self.unsaved)
        self._status(self.tr("walk.unsaved", count=count, error=error, seconds=int(RETRY_DELAY)))
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_DELAY, self._flush)

    # ------------------------------------------------------------ events
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "items":
            self._detail()
            if self._position_timer is not None:
                self._position_timer.stop()
            self._position_timer = self.set_timer(POSITION_DELAY, self._save_position)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "areas" and event.row_key.value != self.area_id:
            self._show_area(str(event.row_key.value))
            self.query_one("#items", DataTable).focus()
        elif event.data_table.id == "items":
            self.action_edit()

    def _save_position(self, item_id: str | None = None) -> None:
        """Remember where the walk is (best effort: a refused position is not an answer)."""
        if self.session is not None and self.area_id:
            with suppress(StorageError):  # the next move saves it; the answers are what matters
                self.walk.save_position(self.area_id, item_id or self._last_item)

    def on_unmount(self) -> None:
        panel = self._finding_panel
        if panel is not None and panel not in self.app.screen_stack:
            self.app.uninstall_screen(panel)
            if panel.is_attached:
                panel.remove()
        if self._position_timer is not None:
            self._position_timer.stop()
        if self._retry_timer is not None:
            self._retry_timer.stop()
        try:
            if self.unsaved:
                self._flush()  # a last attempt before the screen goes
            if self.walk_is_open():
                self._save_position()
        except PQMError:
            pass  # leaving must not fail: what was saved is saved

    def unsaved_count(self) -> int:
        return len(self.unsaved)

    def walk_is_open(self) -> bool:
        """True while the inspection can still be walked (a draft)."""
        if self.session is None:
            return False
        status = inspections.get_inspection(self.pqm.db, self.inspection_id).status
        return status == InspectionStatus.DRAFT

    # ------------------------------------------------------------ actions
    def action_cursor(self, step: int) -> None:
        items = self.query_one("#items", DataTable)
        items.move_cursor(row=max(0, min(len(self.row_items) - 1, items.cursor_row + step)))

    def action_answer(self, value: str) -> None:
        item_id = self.current_item
        if item_id is None:
            return
        area_id = self.area_id

        def save() -> None:
            finding = self.walk.answer(area_id, item_id, Result(value))
            self._saved_now()
            self._after_change([finding], advance=False)

        if self._write(save):
            self._advance()

    def _advance(self) -> None:
        items = self.query_one("#items", DataTable)
        if items.cursor_row < len(self.row_items) - 1:
            items.move_cursor(row=items.cursor_row + 1)
        self._detail()

    def action_fail(self, occurrences: int = 1) -> None:
        item_id, area_id = self.current_item, self.area_id
        if item_id is None:
            return
        details = self.walk.default_failure(area_id, item_id, occurrences)
        area = self.walk.areas[self.walk.area_index[area_id]]
        current = self.walk.finding(area_id, item_id)
        panel = self._finding_panel
        if panel is None:  # built once, installed: each ``f`` refills it and shows it again
            panel = self._finding_panel = FindingPanel(
                self.db_path, self.walk.responsible, self.walk.attached_photos
            )
            self.app.install_screen(panel, f"finding-panel-{id(self)}")
        panel.fill(
            self.walk.items[item_id],
            area.name,
            details,
            self.walk.cap(item_id, area_id),
            self.walk.used_elsewhere(item_id, area_id),
            last_note=self.walk.last_note,
            existing_photos=self.walk.photo_counts.get(current.id, 0) if current else 0,
            saved_photos=self.walk.photos_of(area_id, item_id),
        )
        self.app.push_screen(panel, lambda result: self._record_failure(area_id, item_id, result))

    def _record_failure(self, area_id: str, item_id: str, details: FailureDetails | None) -> None:
        if details is None:
            self._status(self.tr("walk.cancelled"))
            return

        def save() -> None:
            finding = self.walk.fail(area_id, item_id, details)
            warning = ""
            if self.walk.missing_photo(area_id, item_id):
                warning = self.tr("walk.photo_missing", code=self.walk.items[item_id].code)
            self._saved_now(warning)
            self._after_change([finding], advance=False)

        if self._write(save) and area_id == self.area_id:
            self._advance()

    def action_edit(self) -> None:
        item_id = self.current_item
        if item_id is None:
            return
        finding = self.walk.finding(self.area_id, item_id)
        if finding is not None and finding.result == Result.FAIL:
            self.action_fail(finding.occurrences)
        else:
            self._status(self.tr("walk.edit_hint"))

    def action_undo(self) -> None:
        self._write(self._undo)

    def _undo(self) -> None:
        changed = self.walk.undo()
        if not changed:
            self._status(self.tr("walk.nothing_to_undo"))
            return
        first = changed[0]
        switched = ""
        if first.area_id != self.area_id:
            switched = self._switch_area(first.area_id, first.item_id)
        for finding in changed:
            self._redraw_rows(finding.area_id, finding.item_id)
        if first.item_id in self.row_items:
            self.query_one("#items", DataTable).move_cursor(row=self.row_items.index(first.item_id))
        self._detail()
        code = self.walk.items[first.item_id].code
        undone = self.tr("walk.undone", code=code, count=len(changed))
        self._saved_now("  ·  ".join(p for p in (undone, switched) if p))

    def action_area(self, step: int) -> None:
        if not self.walk.areas or not self.area_id:
            return
        index = (self.walk.area_index[self.area_id] + step) % len(self.walk.areas)
        self._show_area(self.walk.areas[index].id)

    def action_leave(self) -> None:
        if self.unsaved:
            self._status(self.tr("walk.unsaved_leave", count=len(self.unsaved)))
            return
        self._save_position()
        self.app.pop_screen()

    # ------------------------------------------------------------ dialogs
    def action_rest(self, value: str) -> None:
        progress = self.walk.progress(self.area_id)
        left = progress.applicable - progress.answered
        if not left:
            self._status(self.tr("walk.area_done"))
            return
        tr = self.tr
        area = self.walk.areas[self.walk.area_index[self.area_id]]
        question = tr(
            "walk.rest.question", count=left, area=area.name, result=tr.enum(Result(value))
        )
        area_id = self.area_id

        def save() -> None:
            changed = self.walk.answer_rest(area_id, Result(value))
            self._saved_now(tr("walk.rest.done", count=len(changed)))
            self._after_change(changed, advance=False)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._write(save)

        self.app.push_screen(ConfirmDialog(question), done)

    def action_search(self) -> None:
        def jump(item_id: str | None) -> None:
            if not item_id:
                return
            area_id = self.walk.area_for(item_id, self.area_id)
            if area_id is None:
                return
            if area_id != self.area_id:
                self._status(self._switch_area(area_id, item_id))
            else:
                self.query_one("#items", DataTable).move_cursor(row=self.row_items.index(item_id))

        def area_of(item_id: str) -> str:
            area_id = self.walk.area_for(item_id, self.area_id)
            return self.area_name(area_id) if area_id else ""

        self.app.push_screen(SearchDialog(self.walk.search, area_of), jump)

    def action_note(self) -> None:
        area = self.walk.areas[self.walk.area_index[self.area_id]] if self.area_id else None

        def save(result: tuple[NoteKind, str] | None) -> None:
            if result is None:
                return
            kind, text = result
            area_id = self.area_id or None

            def save_note() -> None:
                self.walk.add_note(area_id, kind, text)
                self._saved_now(self.tr("walk.note.saved", kind=self.tr.enum(kind)))

            self._write(save_note)

        self.app.push_screen(NoteDialog(area.name if area else ""), save)

    def action_photos(self) -> None:
        """o: the item's photos (a re-inspection's: the original's and the reply's too)."""
        item_id = self.current_item
        if item_id is None:
            return
        tr = self.tr
        entries: list[tuple[str, Path | None]] = []
        context = self.targets.get((self.area_id, item_id))
        if context is not None:
            for whose, photo in context.all_photos():
                label = "walk.photos.original" if whose == "finding" else "walk.photos.evidence"
                entries.append((tr(label, name=photo.name), photo.path))
        for photo in self.walk.photos_of(self.area_id, item_id):
            entries.append((tr("walk.photos.finding", name=photo.name), photo.path))
        if not entries:
            self._status(tr("walk.photos.none"))
            return
        code = self.walk.items[item_id].code
        self.app.push_screen(PhotoListDialog(tr("walk.photos.title", code=code), entries))

    def action_help(self) -> None:
        self.pqm.open("help", target=self)

    def action_finish(self) -> None:
        totals = self.walk.totals()
        left = totals.applicable - totals.answered
        if left:
            question = self.tr("walk.finish.question", count=left)
            self.app.push_screen(ConfirmDialog(question), self._finish)
        else:
            self._finish(True)

    def _finish(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        if self.unsaved:
            self._status(self.tr("walk.unsaved_finish", count=len(self.unsaved)))
            return
        self._save_position()
        try:
            inspections.mark_completed(self.pqm.db, self.pqm.clock, self.inspection_id)
        except ModelError as exc:
            self._error(exc)
            return
        self.pqm.open("summary", inspection_id=self.inspection_id, replace=True)
