"""What the review's keys do to the selected items (整改操作), without widgets.

``ReviewController`` holds the review's rules: which selected items allow a
move, the moves themselves (reply, extension, appeal, decision, re-inspection)
through ``services.rectification`` / ``services.reinspection``, and the words a
form shows about its items. The screen asks, opens the dialogs and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from pqm_tui.model.db import current_actor
from pqm_tui.model.errors import ModelError, NotFoundError
from pqm_tui.model.identity import actor_name
from pqm_tui.model.item_story import StoryNotice, item_story
from pqm_tui.model.notices import notices_of_inspection
from pqm_tui.model.organisation import get_person, get_project
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.model.review import ReviewRow, item_codes
from pqm_tui.services import photos, rectification, reinspection
from pqm_tui.services.rectification import Action

if TYPE_CHECKING:
    from sqlite_utils import Database

    from pqm_tui.config import Settings
    from pqm_tui.i18n import Translator
    from pqm_tui.model.clock import Clock
    from pqm_tui.model.entities import Inspection, Notice, RectificationItem

SUBJECT_LINES = 3  # a form names up to this many items in full
EXTENSION_DAYS = 7  # the date an extension form proposes: a week after the deadline
# the stage of a pending appeal by the decision it waits for (申诉待初审 / 申诉待终审)
STAGE_OF = {Action.REVIEW_APPEAL: "appeal-review", Action.UPHOLD_APPEAL: "appeal-final"}


@dataclass
class Outcome:
    """What a move on several items did: how many moved, and why the others did not."""

    done: int = 0
    problems: list[str] = field(default_factory=list)
    made: list[str] = field(default_factory=list)  # a decision's recorded moves (初审 …)


class ReviewController:
    """The review's moves on rectification items, for one database, clock and language,
    made by whoever acts on the database now (切换用户 changes it)."""

    def __init__(self, db: Database, clock: Clock, tr: Translator) -> None:
        self.db = db
        self.clock = clock
        self.tr = tr

    @property
    def actor(self) -> str:
        """The acting person's id (what the database's audit trail records)."""
        return current_actor(self.db)

    def explain(self, exc: ModelError) -> str:
        """An error in the user's language (state-machine errors carry their key)."""
        return self.tr.error(exc)

    def _apply(self, ids: list[str], move: Callable[[str], object]) -> Outcome:
        """Run ``move(item_id)`` for each item; what failed is said by item (its 编号)."""
        outcome = Outcome()
        failed: list[tuple[str, str]] = []
        for item_id in ids:
            try:
                move(item_id)
                outcome.done += 1
            except ModelError as exc:
                failed.append((item_id, self.explain(exc)))
        codes = item_codes(self.db, [item_id for item_id, _ in failed]) if failed else {}
        outcome.problems = [f"{codes.get(i, '?')}: {why}" for i, why in failed]
        return outcome

    def allowing(self, ids: list[str], action: Action) -> tuple[list[RectificationItem], str]:
        """The items that allow ``action`` now, and why one does not (the first refusal)."""
        today = self.clock.today()
        fit: list[RectificationItem] = []
        refusal = ""
        for item_id in ids:
            try:
                item = get_item(self.db, item_id)
                rectification.check(self.db, item, action)
            except ModelError as exc:
                refusal = refusal or self.explain(exc)
                continue
            if action is Action.REQUEST_EXTENSION and rectification.is_overdue(item, today):
                refusal = refusal or self.tr("review.err.extension_late", deadline=item.deadline)
                continue
            fit.append(item)
        if not fit and len(ids) == 1:
            refusal = f"{item_codes(self.db, ids).get(ids[0], '?')}: {refusal}"
        return fit, refusal

    def refusal(self, ids: list[str], action: Action | None) -> str:
        """Why the acting person may not make ``action`` (None: the decision each item waits
        for) on the items, by the first that refuses; "" when they may."""
        for item_id in ids:
            move = None
            try:
                item = get_item(self.db, item_id)
                move = action or rectification.pending_decision(self.db, item)
                if move is not None:
                    rectification.require_move(self.db, self.actor, item, move)
            except ModelError as exc:
                stage = STAGE_OF.get(move) if action is None and move is not None else None
                if stage is None:
                    return self.explain(exc)
                code = item_codes(self.db, [item_id]).get(item_id, "")
                waits = self.tr(f"review.state.{stage}")
                return self.tr("review.err.stage", item=code, stage=waits, why=self.explain(exc))
        return ""

    def earliest_reply(self, ids: list[str]) -> date | None:
        """The earliest completion date a reply to all ``ids`` may give (the latest of
        their earliest dates), or None when none is known."""
        days = []
        for item_id in ids:
            try:
                item = get_item(self.db, item_id)
            except NotFoundError:
                continue
            days.append(rectification.earliest_reply(self.db, self.clock, item))
        return max(days) if days else None

    @staticmethod
    def latest_deadline(items: list[RectificationItem]) -> date | None:
        """The latest deadline of ``items`` (an extension must go beyond it)."""
        deadlines = [date.fromisoformat(i.deadline) for i in items if i.deadline]
        return max(deadlines) if deadlines else None

    def proposed_deadline(self, latest: date | None) -> date:
        """The date an extension form offers: a week after the deadline (or today)."""
        return (latest or self.clock.today()) + timedelta(days=EXTENSION_DAYS)

    # the moves ------------------------------------------------------------------------
    def reply(
        self, ids: list[str], values: Mapping[str, str], evidence: list[photos.StoredPhoto]
    ) -> Outcome:
        """整改回复: what was done and when, with the stored evidence photos."""
        stored = [
            {"sha256": s.sha256, "name": s.original_name, "path": str(s.stored_path)}
            for s in evidence
        ]
        return self._apply(
            ids,
            lambda i: rectification.reply(
                self.db,
                self.clock,
                i,
                actor=self.actor,
                done=values["done"],
                done_on=date.fromisoformat(values["date"]),
                evidence=stored,
            ),
        )

    def request_extension(self, ids: list[str], values: Mapping[str, str]) -> Outcome:
        """延期申请: reason, measures and the date asked."""
        return self._apply(
            ids,
            lambda i: rectification.request_extension(
                self.db,
                self.clock,
                i,
                actor=self.actor,
                reason=values["reason"],
                measures=values["measures"],
                proposed=date.fromisoformat(values["proposed"]),
            ),
        )

    def request_appeal(self, ids: list[str], values: Mapping[str, str]) -> Outcome:
        """申诉: the project's grounds."""
        return self._apply(
            ids,
            lambda i: rectification.request_appeal(
                self.db, self.clock, i, actor=self.actor, grounds=values["grounds"]
            ),
        )

    def decide(self, ids: list[str], values: Mapping[str, str]) -> Outcome:
        """裁决: each item's pending request decided by ``rectification.decide``; the
        outcome lists the moves recorded (a first review, a final decision …)."""
        asked = values.get("deadline", "")
        made: list[str] = []

        def move(item_id: str) -> None:
            rectification.decide(
                self.db,
                self.clock,
                item_id,
                actor=self.actor,
                approve=values["decision"] == "approve",
                reason=values["reason"],
                new_deadline=date.fromisoformat(asked) if asked else None,
            )
            made.append(list_events(self.db, item_id)[-1].action)

        outcome = self._apply(ids, move)
        outcome.made = made
        return outcome

    def reinspect(self, ids: list[str]) -> Inspection:
        """复检: a re-inspection of the items (raises ``ModelError`` when refused)."""
        return reinspection.create_reinspection(self.db, self.clock, ids, actor=self.actor)

    # what a form says about its items -------------------------------------------------
    def subject(self, ids: list[str], rows: Mapping[str, ReviewRow]) -> str:
        """Which items a form is about: one line each (a few), or their codes."""
        shown = [rows[i] for i in ids if i in rows]
        if len(shown) != len(ids):  # marked on another page: their 编号
            known = item_codes(self.db, ids[:8])
            return "、".join(known.get(i, "?") for i in ids[:8]) + ("…" if len(ids) > 8 else "")
        if len(shown) <= SUBJECT_LINES:
            return "\n".join(
                f"{r.item_code} {r.item_standard[:16]} · {r.area_name} · {r.project_name}"
                for r in shown
            )
        codes = "、".join(f"{r.item_code}（{r.area_name}）" for r in shown[:6])
        return codes + ("…" if len(shown) > 6 else "")

    def request_text(self, item_id: str, pending: str | None) -> str:
        """What the project asked for (the latest request event), in one line."""
        tr = self.tr
        for event in reversed(list_events(self.db, item_id)):
            if event.action != pending:
                continue
            data = event.data
            if pending == Action.REQUEST_APPEAL.value:
                said = tr("review.decide.request_appeal", grounds=data.get("grounds", ""))
                review = rectification.appeal_review(self.db, item_id)
                if review is None:
                    return said
                opinion = "uphold" if review.data.get("uphold") else "reject"
                return "\n".join(
                    (
                        said,
                        tr(
                            "review.decide.reviewed",
                            person=actor_name(self.db, review.actor),
                            opinion=tr(f"review.decide.{opinion}"),
                            reason=review.reason,
                        ),
                    )
                )
            return tr(
                "review.decide.request_extension",
                proposed=data.get("proposed", ""),
                reason=data.get("reason", ""),
                measures=data.get("measures", ""),
            )
        return ""

    # notices --------------------------------------------------------------------------
    def notice_to_receive(self, item_id: str) -> StoryNotice | None:
        """The item's latest notice not yet received (签收), else None."""
        return item_story(self.db, item_id).pending_notice

    def default_receiver(self, item_id: str) -> str:
        """Who receives the project's notices (通知接收人), else who received the item's
        last notice, else ""."""
        project = get_project(self.db, get_item(self.db, item_id).project_id)
        if project.receiver_id:
            try:
                return get_person(self.db, project.receiver_id).name
            except NotFoundError:
                pass
        received = [n.received_by for n in item_story(self.db, item_id).notices if n.received_by]
        return received[-1] if received else ""

    def receive(self, notice: StoryNotice, settings: Settings, values: Mapping[str, str]) -> int:
        """签收: record the notice's receipt; how many items' deadlines now count from it."""
        return rectification.acknowledge_notice(
            self.db,
            self.clock,
            settings,
            notice.id,
            actor=self.actor,
            received_by=values["by"],
            received_on=date.fromisoformat(values["date"]),
        )

    def second_notice(self, item_id: str) -> Notice | None:
        """The follow-up notice (第二次整改通知单) printed for an item that failed a
        re-inspection: its inspection's latest (it lists all its escalated items), or None."""
        story = item_story(self.db, item_id)
        if not any(n.sequence >= 2 for n in story.notices):
            return None
        later = [n for n in notices_of_inspection(self.db, story.inspection_id) if n.sequence >= 2]
        return later[-1] if later else None
