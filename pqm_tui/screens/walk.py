"""The walk (现场检查): areas on the left, the area's items on the right, one key per answer.

Every answer is committed at once through ``WalkSession`` (model calls only);
the status line says when. Only the rows that changed are redrawn, so the
screen stays instant with hundreds of items and dozens of areas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static

from pqm_tui.model.entities import Finding, Result
from pqm_tui.model.errors import ModelError
from pqm_tui.screens.walk_columns import add_columns
from pqm_tui.screens.walk_dialogs import WalkDialogActions
from pqm_tui.services.points import format_points
from pqm_tui.services.walk_session import FailureDetails, WalkSession
from pqm_tui.widgets.footer import PQMFooter

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp

POSITION_DELAY = 0.4
STYLE = {Result.PASS: "green", Result.FAIL: "bold red", Result.NA: "dim"}


class WalkScreen(WalkDialogActions, Screen[None]):
    """Walk one inspection area by area."""

    CSS_PATH = "walk.tcss"
    BINDINGS = [
        Binding("p,space", "answer('pass')", "keys.walk.pass", id="walk.pass"),
        Binding("f", "fail", "keys.walk.fail", id="walk.fail"),
        Binding("n", "answer('na')", "keys.walk.na", id="walk.na"),
        Binding("u", "undo", "keys.walk.undo", id="walk.undo"),
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
        Binding("slash", "search", "keys.walk.search", id="walk.search"),
        Binding("l", "note", "keys.walk.note", id="walk.note"),
        Binding("x", "finish", "keys.walk.finish", id="walk.finish"),
        Binding("question_mark", "help", "keys.walk.help", id="walk.help"),
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

    def __init__(self, inspection_id: str) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.session: WalkSession | None = None
        self.area_id = ""
        self.row_items: list[str] = []
        self._position_timer: Timer | None = None
        self._saved = ""
        self._last_item: str | None = None

    @property
    def pqm(self) -> PQMApp:
        return cast("PQMApp", self.app)

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
        yield Static("", id="walk-title")
        with Horizontal(id="walk-main"):
            yield DataTable(id="areas", cursor_type="row", zebra_stripes=True)
            with Vertical(id="items-pane"):
                yield Static("", id="area-title")
                yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="walk-status")
        yield PQMFooter()

    def on_mount(self) -> None:
        app, tr = self.pqm, self.pqm.tr
        self.session = WalkSession(app.db, app.clock, app.settings, self.inspection_id, app.db_path)
        areas = self.query_one("#areas", DataTable)
        areas.can_focus = False
        add_columns(areas, self.query_one("#items", DataTable), self.walk, tr)
        for area in self.walk.areas:
            areas.add_row(area.name, *self._area_cells(area.id), key=area.id)
        items = self.query_one("#items", DataTable)
        area_id, item_id = self.walk.position()
        if area_id not in self.walk.area_index:
            area_id, item_id = (self.walk.areas[0].id if self.walk.areas else ""), None
        self._title()
        if area_id:
            self._show_area(area_id, item_id)
        else:
            self._status(tr("walk.no_areas"))
        items.focus()

    # ------------------------------------------------------------ drawing
    def _area_title(self) -> None:
        """Name the current area prominently, with its progress, above its items."""
        progress = self.walk.progress(self.area_id)
        self.query_one("#area-title", Static).update(
            self.pqm.tr(
                "walk.area_title",
                area=self.area_name(self.area_id),
                answered=progress.answered,
                total=progress.applicable,
                failed=progress.failed,
            ),
            layout=False,
        )

    def area_name(self, area_id: str) -> str:
        return self.walk.areas[self.walk.area_index[area_id]].name

    def _title(self) -> None:
        tr, w = self.pqm.tr, self.walk
        totals = w.totals()
        self.query_one("#walk-title", Static).update(
            tr(
                "walk.title",
                project=w.project.name,
                kind=tr.enum(w.inspection.kind),
                checklist=w.content.checklist.name,
                version=w.content.version.version,
                answered=totals.answered,
                total=totals.applicable,
                failed=totals.failed,
            ),
            layout=False,  # fixed height: no re-layout per key
        )

    def _area_cells(self, area_id: str) -> tuple[str, str]:
        progress = self.walk.progress(area_id)
        mark = "✓ " if progress.answered == progress.applicable else ""
        return f"{mark}{progress.answered}/{progress.applicable}", str(progress.failed or "")

    def _item_cells(self, item_id: str) -> tuple[Text, str]:
        finding = self.walk.finding(self.area_id, item_id)
        if finding is None:
            return Text("·", style="dim"), ""
        label = self.pqm.tr.enum(finding.result)
        if self.walk.missing_photo(self.area_id, item_id):
            label += " !"
        deduction = f"-{format_points(finding.deduction)}" if finding.result == Result.FAIL else ""
        return Text(label, style=STYLE[finding.result]), deduction

    def _show_area(self, area_id: str, item_id: str | None = None) -> None:
        """Fill the item table for ``area_id`` (only on an area change)."""
        self.area_id = area_id
        items = self.query_one("#items", DataTable)
        items.clear()
        self.row_items = [item.id for item in self.walk.items_of(area_id)]
        items.add_rows(
            (item.code, *self._item_cells(item.id), item.standard)
            for item in self.walk.items_of(area_id)
        )
        areas = self.query_one("#areas", DataTable)
        areas.move_cursor(row=self.walk.area_index[area_id])
        row = self.row_items.index(item_id) if item_id in self.row_items else 0
        items.move_cursor(row=row)
        self._area_title()
        self._detail()
        self.walk.save_position(area_id, self.current_item)

    def _switch_area(self, area_id: str, item_id: str | None) -> str:
        """Move to another area (search, undo) and return the notice saying so."""
        self._show_area(area_id, item_id)
        return self.pqm.tr("walk.area_switched", area=self.area_name(area_id))

    def _refresh_pair(self, area_id: str, item_id: str) -> None:
        """Redraw the one item row and the one area row a change touched."""
        areas = self.query_one("#areas", DataTable)
        progress, failed = self._area_cells(area_id)
        areas.update_cell(area_id, "progress", progress)
        areas.update_cell(area_id, "failed", failed)
        if area_id == self.area_id:
            self._area_title()
        if area_id == self.area_id and item_id in self.row_items:
            items = self.query_one("#items", DataTable)
            row_key = items.coordinate_to_cell_key((self.row_items.index(item_id), 0)).row_key
            result, deduction = self._item_cells(item_id)
            items.update_cell(row_key, "result", result)
            items.update_cell(row_key, "deduction", deduction)

    @property
    def current_item(self) -> str | None:
        row = self.query_one("#items", DataTable).cursor_row
        return self.row_items[row] if 0 <= row < len(self.row_items) else None

    def _detail(self) -> None:
        tr, item_id = self.pqm.tr, self.current_item
        self._last_item = item_id
        if item_id is None:
            self.query_one("#detail", Static).update("", layout=False)
            return
        item = self.walk.items[item_id]
        section = self.walk.sections[item.section_id]
        lines = [
            tr(
                "walk.detail.head",
                code=item.code,
                section=section.name,
                points=format_points(item.points),
                per=format_points(item.per_occurrence),
                cap=format_points(self.walk.cap(item_id, self.area_id)),
                severity=tr.enum(item.severity),
            )
            + (tr("walk.detail.photo_required") if item.photo_required else ""),
            tr("walk.detail.standard", text=item.standard),
            tr("walk.detail.method", text=item.method),
        ]
        finding = self.walk.finding(self.area_id, item_id)
        if finding is not None and finding.result == Result.FAIL:
            lines.append(
                tr(
                    "walk.detail.finding",
                    occurrences=finding.occurrences,
                    deduction=format_points(finding.deduction),
                    note=finding.note or "—",
                    photos=self.walk.photo_counts.get(finding.id, 0),
                )
            )
        self.query_one("#detail", Static).update("\n".join(lines), layout=False)

    def _status(self, message: str = "") -> None:
        parts = [p for p in (self._saved, message) if p]
        self.query_one("#walk-status", Static).update("  ·  ".join(parts), layout=False)

    def _saved_now(self, message: str = "") -> None:
        stamp = self.pqm.clock.now().strftime("%H:%M:%S")
        self._saved = self.pqm.tr("common.saved_at", time=stamp)
        self._title()
        self._status(message)

    def _after_change(self, changed: list[Finding], advance: bool) -> None:
        for finding in changed:
            self._refresh_pair(finding.area_id, finding.item_id)
        if advance:
            items = self.query_one("#items", DataTable)
            if items.cursor_row < len(self.row_items) - 1:
                items.move_cursor(row=items.cursor_row + 1)
        self._detail()

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

    def _save_position(self) -> None:
        if self.session is not None and self.area_id:
            self.walk.save_position(self.area_id, self._last_item)

    def on_unmount(self) -> None:
        if self._position_timer is not None:
            self._position_timer.stop()
        if self.walk_is_open():
            self._save_position()

    def walk_is_open(self) -> bool:
        """True while the inspection can still be walked (a draft)."""
        from pqm_tui.model import inspections
        from pqm_tui.model.entities import InspectionStatus

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
        try:
            finding = self.walk.answer(self.area_id, item_id, Result(value))
        except ModelError as exc:
            self._status(self.pqm.tr("walk.error", error=self.pqm.tr.error(exc)))
            return
        self._saved_now()
        self._after_change([finding], advance=True)

    def action_fail(self, occurrences: int = 1) -> None:
        from pqm_tui.widgets.finding_panel import FindingPanel

        item_id, area_id = self.current_item, self.area_id
        if item_id is None:
            return
        details = self.walk.default_failure(area_id, item_id, occurrences)
        area = self.walk.areas[self.walk.area_index[area_id]]
        current = self.walk.finding(area_id, item_id)
        panel = FindingPanel(
            self.walk.items[item_id],
            area.name,
            details,
            self.walk.cap(item_id, area_id),
            self.walk.used_elsewhere(item_id, area_id),
            db_path=self.db_path,
            people=[p.name for p in self.walk.people],
            last_note=self.walk.last_note,
            existing_photos=self.walk.photo_counts.get(current.id, 0) if current else 0,
        )
        self.app.push_screen(panel, lambda result: self._record_failure(area_id, item_id, result))

    def _record_failure(self, area_id: str, item_id: str, details: FailureDetails | None) -> None:
        if details is None:
            self._status(self.pqm.tr("walk.cancelled"))
            return
        try:
            finding = self.walk.fail(area_id, item_id, details)
        except ModelError as exc:
            self._status(self.pqm.tr("walk.error", error=self.pqm.tr.error(exc)))
            return
        warning = ""
        if self.walk.missing_photo(area_id, item_id):
            warning = self.pqm.tr("walk.photo_missing", code=self.walk.items[item_id].code)
        self._saved_now(warning)
        self._after_change([finding], advance=area_id == self.area_id)

    def action_edit(self) -> None:
        item_id = self.current_item
        if item_id is None:
            return
        finding = self.walk.finding(self.area_id, item_id)
        if finding is not None and finding.result == Result.FAIL:
            self.action_fail(finding.occurrences)
        else:
            self._status(self.pqm.tr("walk.edit_hint"))

    def action_undo(self) -> None:
        try:
            changed = self.walk.undo()
        except ModelError as exc:
            self._status(self.pqm.tr("walk.error", error=self.pqm.tr.error(exc)))
            return
        if not changed:
            self._status(self.pqm.tr("walk.nothing_to_undo"))
            return
        first = changed[0]
        switched = ""
        if first.area_id != self.area_id:
            switched = self._switch_area(first.area_id, first.item_id)
        for finding in changed:
            self._refresh_pair(finding.area_id, finding.item_id)
        if first.item_id in self.row_items:
            self.query_one("#items", DataTable).move_cursor(row=self.row_items.index(first.item_id))
        self._detail()
        code = self.walk.items[first.item_id].code
        undone = self.pqm.tr("walk.undone", code=code, count=len(changed))
        self._saved_now("  ·  ".join(p for p in (undone, switched) if p))

    def action_area(self, step: int) -> None:
        if not self.walk.areas or not self.area_id:
            return
        index = (self.walk.area_index[self.area_id] + step) % len(self.walk.areas)
        self._show_area(self.walk.areas[index].id)

    def action_leave(self) -> None:
        self._save_position()
        self.app.pop_screen()
