"""What a re-inspection (复检) did or will do, target by target, for its summary screen.

Before signing: a pass will close the item; a fail will re-open it one
escalation level up with a new follow-up notice (second notice); no answer or
N/A leaves it as it is. After signing: what the recorded events say happened
(closed / escalated to level N with the new deadline and notice number).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database

from pqm_tui.model import reinspection_targets
from pqm_tui.model.entities import InspectionStatus, Result
from pqm_tui.model.rectification import RectificationEvent, get_item, list_events
from pqm_tui.services.inspection_state import InspectionState

OUTCOME_ACTIONS = ("reinspection-passed", "reinspection-failed", "reinspection-skipped")


class Verdict(StrEnum):
    """What signing does (will_*) or did to one target item."""

    WILL_CLOSE = "will_close"
    WILL_ESCALATE = "will_escalate"
    WILL_SKIP = "will_skip"
    CLOSED = "closed"
    ESCALATED = "escalated"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class TargetLine:
    """One re-inspected item: where, which, the result and its consequence."""

    item_short_id: str
    area: str
    code: str
    result: Result | None  # None: not answered yet
    verdict: Verdict
    level: int  # escalation level after a fail (the current one + 1 before signing)
    deadline: str | None = None  # after an escalation
    notice_number: str | None = None  # the follow-up notice of an escalation


WILL = {Result.PASS: Verdict.WILL_CLOSE, Result.FAIL: Verdict.WILL_ESCALATE}


def target_lines(db: Database, state: InspectionState) -> list[TargetLine]:
    """The re-inspection's targets in walking order, with their (coming) outcome."""
    inspection_id = state.inspection.id
    signed = state.inspection.status == InspectionStatus.SIGNED
    areas = {a.id: a.name for a in state.plan.areas}
    codes = {i.id: i.code for i in state.content.items}
    results = {(f.area_id, f.item_id): f.result for f in state.findings}
    lines = []
    for target in reinspection_targets.targets(db, inspection_id):
        item = get_item(db, target.rectification_item_id)
        result = results.get((target.area_id, target.item_id))
        where = (item.id[-8:], areas.get(target.area_id, "?"), codes.get(target.item_id, "?"))
        if not signed:
            verdict = WILL.get(result, Verdict.WILL_SKIP) if result else Verdict.WILL_SKIP
            lines.append(TargetLine(*where, result, verdict, item.escalation_level + 1))
            continue
        event = _outcome_event(db, item.id, inspection_id)
        if event is None or event.action == "reinspection-skipped":
            lines.append(TargetLine(*where, result, Verdict.SKIPPED, item.escalation_level))
        elif event.action == "reinspection-passed":
            lines.append(TargetLine(*where, result, Verdict.CLOSED, item.escalation_level))
        else:
            level = int(event.data.get("escalation_level", item.escalation_level))
            current = item.escalation_level == level  # not escalated again since
            notice = str(event.data.get("notice_number") or "") or None
            deadline = item.deadline if current else None
            lines.append(TargetLine(*where, result, Verdict.ESCALATED, level, deadline, notice))
    return lines


def _outcome_event(db: Database, item_id: str, inspection_id: str) -> RectificationEvent | None:
    """The event that applied this re-inspection's result to the item, if any."""
    for event in reversed(list_events(db, item_id)):
        if event.action in OUTCOME_ACTIONS and event.data.get("reinspection_id") == inspection_id:
            return event
    return None
