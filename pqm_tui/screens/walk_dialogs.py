"""The walk screen's dialogs: rest of area, search, supervision note, help, finish.

A mixin of ``WalkScreen`` (kept apart so each module stays small); every
method works on the screen's ``WalkSession`` and redraws only what changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable

from pqm_tui.model.entities import Result
from pqm_tui.model.errors import ModelError

if TYPE_CHECKING:
    from pqm_tui.screens.walk import WalkScreen


class WalkDialogActions:
    """Actions of the walk that open a dialog first."""

    def action_rest(self: WalkScreen, value: str) -> None:
        from pqm_tui.widgets.confirm import ConfirmDialog

        progress = self.walk.progress(self.area_id)
        left = progress.applicable - progress.answered
        if not left:
            self._status(self.pqm.tr("walk.area_done"))
            return
        tr = self.pqm.tr
        area = self.walk.areas[self.walk.area_index[self.area_id]]
        question = tr(
            "walk.rest.question", count=left, area=area.name, result=tr.enum(Result(value))
        )
        area_id = self.area_id

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                changed = self.walk.answer_rest(area_id, Result(value))
            except ModelError as exc:
                self._status(tr("walk.error", error=tr.error(exc)))
                return
            self._saved_now(tr("walk.rest.done", count=len(changed)))
            self._after_change(changed, advance=False)

        self.app.push_screen(ConfirmDialog(question), done)

    def action_search(self: WalkScreen) -> None:
        from pqm_tui.widgets.search_dialog import SearchDialog

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

    def action_note(self: WalkScreen) -> None:
        from pqm_tui.widgets.note_dialog import NoteDialog

        area = self.walk.areas[self.walk.area_index[self.area_id]] if self.area_id else None

        def save(result: tuple[object, str] | None) -> None:
            if result is None:
                return
            kind, text = result
            try:
                self.walk.add_note(self.area_id or None, kind, text)  # type: ignore[arg-type]
            except ModelError as exc:
                self._status(self.pqm.tr("walk.error", error=self.pqm.tr.error(exc)))
                return
            self._saved_now(self.pqm.tr("walk.note.saved", kind=self.pqm.tr.enum(kind)))

        self.app.push_screen(NoteDialog(area.name if area else ""), save)

    def action_help(self: WalkScreen) -> None:
        from pqm_tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_finish(self: WalkScreen) -> None:
        from pqm_tui.widgets.confirm import ConfirmDialog

        totals = self.walk.totals()
        left = totals.applicable - totals.answered
        if left:
            question = self.pqm.tr("walk.finish.question", count=left)
            self.app.push_screen(ConfirmDialog(question), self._finish)
        else:
            self._finish(True)

    def _finish(self: WalkScreen, confirmed: bool | None) -> None:
        from pqm_tui.model import inspections
        from pqm_tui.screens.summary import SummaryScreen

        if not confirmed:
            return
        self._save_position()
        inspections.mark_completed(self.pqm.db, self.pqm.clock, self.inspection_id)
        self.app.switch_screen(SummaryScreen(self.inspection_id))
