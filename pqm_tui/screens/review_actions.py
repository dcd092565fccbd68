"""The review's actions on the selected rows (整改操作): reply, extension, appeal, decision,
re-inspection, notice PDF. A mixin of ``ReviewScreen``, kept apart to keep modules small.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pqm_tui.model.errors import ModelError
from pqm_tui.model.ids import short_id
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.services import rectification, reinspection
from pqm_tui.services.rectification import Action

if TYPE_CHECKING:
    from pqm_tui.app import PQMApp
    from pqm_tui.model.entities import RectificationItem
    from pqm_tui.model.review import ReviewRow
    from pqm_tui.screens.form_dialog import FormDialog


SUBJECT_LINES = 3  # a form names up to this many items in full


class ReviewActions:
    """Actions of the review screen; the screen provides the attributes declared here."""

    if TYPE_CHECKING:
        pqm: PQMApp
        app: Any
        page_rows: dict[str, ReviewRow]
        marked: set[str]

        def selected(self) -> list[str]: ...
        def reload(self, *, keep_offset: bool = False) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    def _apply(self, ids: list[str], move: Any) -> None:
        """Run ``move(item_id)`` for each item; report what failed, by item, then reload."""
        done, problems = 0, []
        for item_id in ids:
            try:
                move(item_id)
                done += 1
            except ModelError as exc:
                problems.append(f"{short_id(item_id)}: {self.explain(exc)}")
        tr = self.pqm.tr
        if done:
            self.notify(tr("review.done", count=done))
        if problems:
            self.notify("\n".join(problems[:5]), severity="error", timeout=10)
        self.marked.difference_update(ids)
        self.reload(keep_offset=True)

    def explain(self, exc: ModelError) -> str:
        """An error in the user's language (state-machine errors carry their key)."""
        return self.pqm.tr.error(exc)

    def _need_selection(self) -> list[str] | None:
        ids = self.selected()
        if not ids:
            self.notify(self.pqm.tr("review.none_selected"), severity="warning")
            return None
        return ids

    def _allowing(self, ids: list[str], action: Action) -> list[RectificationItem]:
        """The selected items that allow ``action`` now; when none does, say why and
        return nothing, so no dialog is filled in for a move that would be refused."""
        app = self.pqm
        today = app.clock.today()
        fit, refusal = [], ""
        for item_id in ids:
            try:
                item = get_item(app.db, item_id)
                rectification.check(app.db, item, action)
            except ModelError as exc:
                refusal = refusal or self.explain(exc)
                continue
            if action is Action.REQUEST_EXTENSION and rectification.is_overdue(item, today):
                refusal = refusal or app.tr("review.err.extension_late", deadline=item.deadline)
                continue
            fit.append(item)
        if not fit:
            prefix = f"{short_id(ids[0])}: " if len(ids) == 1 else ""
            self.notify(prefix + refusal, severity="error", timeout=10)
        return fit

    def action_reply(self) -> None:
        from pqm_tui.screens.reply_dialog import ReplyDialog

        ids = self._need_selection()
        if not ids:
            return
        app = self.pqm
        dialog = ReplyDialog(app.tr, app.clock.today(), len(ids), app.db_path)

        def save(values: dict[str, str] | None) -> None:
            if values is None:
                return
            evidence = [
                {"sha256": s.sha256, "name": s.original_name, "path": str(s.stored_path)}
                for s in dialog.evidence
            ]
            self._apply(
                ids,
                lambda i: rectification.reply(
                    app.db,
                    app.clock,
                    i,
                    actor=app.actor,
                    done=values["done"],
                    done_on=date.fromisoformat(values["date"]),
                    evidence=evidence,
                ),
            )

        self._ask(dialog, ids, save)

    def action_extension(self) -> None:
        from pqm_tui.screens.extension_dialog import ExtensionDialog

        ids = self._need_selection()
        if not ids:
            return
        app = self.pqm
        fit = self._allowing(ids, Action.REQUEST_EXTENSION)
        if not fit:
            return
        deadlines = [date.fromisoformat(i.deadline) for i in fit if i.deadline]
        latest = max(deadlines) if deadlines else None
        base = latest or app.clock.today()

        def save(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self._apply(
                ids,
                lambda i: rectification.request_extension(
                    app.db,
                    app.clock,
                    i,
                    actor=app.actor,
                    reason=values["reason"],
                    measures=values["measures"],
                    proposed=date.fromisoformat(values["proposed"]),
                ),
            )

        self._ask(ExtensionDialog(app.tr, base + timedelta(days=7), len(ids), latest), ids, save)

    def action_appeal(self) -> None:
        from pqm_tui.screens.appeal_dialog import AppealDialog

        ids = self._need_selection()
        if not ids or not self._allowing(ids, Action.REQUEST_APPEAL):
            return
        app = self.pqm

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._apply(
                    ids,
                    lambda i: rectification.request_appeal(
                        app.db, app.clock, i, actor=app.actor, grounds=values["grounds"]
                    ),
                )

        self._ask(AppealDialog(app.tr, len(ids)), ids, save)

    def action_decide(self) -> None:
        from pqm_tui.screens.decide_dialog import DecideDialog

        ids = self._need_selection()
        if not ids:
            return
        app = self.pqm
        pending = {i: (self.page_rows[i].pending if i in self.page_rows else None) for i in ids}
        extensions = sum(1 for p in pending.values() if p == "extension-requested")
        appeals = sum(1 for p in pending.values() if p == "appeal-requested")
        if not extensions and not appeals:
            self.notify(app.tr("review.decide.nothing"), severity="warning")
            return

        def save(values: dict[str, str] | None) -> None:
            if values is None:
                return
            yes = values["decision"] == "approve"
            asked = values.get("deadline", "")
            deadline = date.fromisoformat(asked) if asked else None

            def decide(item_id: str) -> object:
                if pending[item_id] == "appeal-requested":
                    return rectification.decide_appeal(
                        app.db,
                        app.clock,
                        item_id,
                        actor=app.actor,
                        uphold=yes,
                        reason=values["reason"],
                    )
                return rectification.decide_extension(
                    app.db,
                    app.clock,
                    item_id,
                    actor=app.actor,
                    approve=yes,
                    reason=values["reason"],
                    new_deadline=deadline,
                )

            self._apply(ids, decide)

        request = self._request_text(ids[0], pending[ids[0]]) if len(ids) == 1 else ""
        self._ask(DecideDialog(app.tr, extensions, appeals, request), ids, save)

    def _ask(self, dialog: FormDialog, ids: list[str], save: Callable[[Any], None]) -> None:
        """Open a form about ``ids``, naming them under its title."""
        dialog.subject = self._subject(ids)
        self.app.push_screen(dialog, save)

    def _subject(self, ids: list[str]) -> str:
        """Which items a form is about: one line each (a few), or their codes."""
        rows = [self.page_rows[i] for i in ids if i in self.page_rows]
        if len(rows) != len(ids):  # marked on another page: their numbers
            return "、".join(short_id(i) for i in ids[:8]) + ("…" if len(ids) > 8 else "")
        if len(rows) <= SUBJECT_LINES:
            return "\n".join(
                f"{r.item_code} {r.item_standard[:16]} · {r.area_name} · {r.project_name}"
                for r in rows
            )
        codes = "、".join(f"{r.item_code}（{r.area_name}）" for r in rows[:6])
        return codes + ("…" if len(rows) > 6 else "")

    def _request_text(self, item_id: str, pending: str | None) -> str:
        """What the project asked for (the latest request event), in one line."""
        tr = self.pqm.tr
        for event in reversed(list_events(self.pqm.db, item_id)):
            if event.action != pending:
                continue
            data = event.data
            if pending == Action.REQUEST_APPEAL.value:
                return tr("review.decide.request_appeal", grounds=data.get("grounds", ""))
            return tr(
                "review.decide.request_extension",
                proposed=data.get("proposed", ""),
                reason=data.get("reason", ""),
                measures=data.get("measures", ""),
            )
        return ""

    def action_reinspect(self) -> None:
        ids = self._need_selection()
        if not ids:
            return
        app = self.pqm
        try:
            inspection = reinspection.create_reinspection(app.db, app.clock, ids, actor=app.actor)
        except ModelError as exc:
            self.notify(self.explain(exc), severity="error", timeout=10)
            return
        self.marked.difference_update(ids)
        self.reload(keep_offset=True)
        self.notify(app.tr("review.reinspection_created", id=short_id(inspection.id)))
        from pqm_tui.screens.walk import WalkScreen

        self.app.push_screen(WalkScreen(inspection.id))

    def action_notice(self) -> None:
        ids = self.selected()
        if not ids or ids[0] not in self.page_rows:
            return
        from pqm_tui.screens.report_dialog import ReportDialog

        self.app.push_screen(ReportDialog(self.page_rows[ids[0]].inspection_id))
