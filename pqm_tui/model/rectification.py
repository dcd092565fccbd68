"""Rectification items and their event trail (整改项及记录): storage only.

The rules of which transition is allowed live in ``services``; this module
writes a transition and its event in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Notice, RectificationItem, RectificationStatus
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.ids import new_id

# The items whose latest appeal is still undecided (申诉待裁决): its deadline is suspended
# (期限暂停) and it is not overdue. Few rows: the appeal requests (rect_events_action).
APPEALED = """SELECT a.item_id FROM rectification_events a WHERE a.action = 'appeal-requested'
    AND NOT EXISTS (SELECT 1 FROM rectification_events d WHERE d.item_id = a.item_id
      AND d.action IN ('appeal-upheld', 'appeal-rejected')
      AND (d.at > a.at OR (d.at = a.at AND d.rowid > a.rowid)))"""


@dataclass(frozen=True)
class RectificationEvent:
    """One step in an item's history: who, when, what, why."""

    id: str
    item_id: str
    at: str
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    data: dict[str, Any]


def get_item(db: Database, item_id: str) -> RectificationItem:
    rows = list(db.query("SELECT * FROM rectification_items WHERE id = ?", [item_id]))
    if not rows and len(item_id) >= 6:  # the short id printed in lists (its tail)
        rows = list(
            db.query("SELECT * FROM rectification_items WHERE id LIKE ? LIMIT 2", ["%" + item_id])
        )
        if len(rows) > 1:
            raise NotFoundError("errors.item.ambiguous", id=item_id)
    if not rows:
        raise NotFoundError("errors.item.not_found", id=item_id)
    return RectificationItem.model_validate(rows[0])


def items_of_inspection(db: Database, inspection_id: str) -> list[RectificationItem]:
    return [
        RectificationItem.model_validate(r)
        for r in db.query(
            """SELECT r.* FROM rectification_items r JOIN findings f ON f.id = r.finding_id
               WHERE f.inspection_id = ? ORDER BY r.created_at""",
            [inspection_id],
        )
    ]


def record_transition(
    db: Database,
    clock: Clock,
    item: RectificationItem,
    *,
    actor: str,
    action: str,
    to_status: RectificationStatus | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    deadline: str | None = None,
    escalation_level: int | None = None,
) -> RectificationItem:
    """Write an event and (when given) the new status/deadline/level, atomically."""
    now = clock.now_iso()
    changes: dict[str, Any] = {"updated_at": now}
    if to_status is not None:
        changes["status"] = to_status.value
    if deadline is not None:
        changes["deadline"] = deadline
    if escalation_level is not None:
        changes["escalation_level"] = escalation_level
    with db.atomic():
        db.table("rectification_events").insert(
            {
                "id": new_id(),
                "item_id": item.id,
                "at": now,
                "actor": actor,
                "action": action,
                "from_status": item.status.value,
                "to_status": (to_status or item.status).value,
                "reason": reason,
                "data": json.dumps(data or {}, ensure_ascii=False),
            }
        )
        db.table("rectification_items").update(item.id, changes)
    return RectificationItem.model_validate({**item.model_dump(), **changes})


def _event(r: dict[str, Any]) -> RectificationEvent:
    """A rectification_events row as the event it records (data decoded)."""
    return RectificationEvent(
        r["id"],
        r["item_id"],
        r["at"],
        r["actor"],
        r["action"],
        r["from_status"],
        r["to_status"],
        r["reason"],
        json.loads(r["data"]),
    )


def list_events(db: Database, item_id: str) -> list[RectificationEvent]:
    return [
        _event(r)
        for r in db.query(
            "SELECT * FROM rectification_events WHERE item_id = ? ORDER BY at, rowid", [item_id]
        )
    ]


def last_request_action(db: Database, item_id: str) -> str | None:
    """The item's latest extension/appeal event (request or decision), or None."""
    row = db.execute(
        """SELECT action FROM rectification_events
           WHERE item_id = ? AND action IN ('extension-requested', 'extension-approved',
             'extension-rejected', 'appeal-requested', 'appeal-upheld', 'appeal-rejected')
           ORDER BY at DESC, rowid DESC LIMIT 1""",
        [item_id],
    ).fetchone()
    return str(row[0]) if row else None


def items_of_finding(db: Database, finding_id: str) -> list[RectificationItem]:
    """The rectification items of one finding, oldest first."""
    return [
        RectificationItem.model_validate(r)
        for r in db.query(
            "SELECT * FROM rectification_items WHERE finding_id = ? ORDER BY created_at",
            [finding_id],
        )
    ]


def add_item(
    db: Database, clock: Clock, finding_id: str, notice: Notice, deadline: date | None
) -> RectificationItem:
    """A new open item of ``finding_id`` on ``notice`` (a finding made a failure later)."""
    now = clock.now_iso()
    item = RectificationItem(
        id=new_id(),
        finding_id=finding_id,
        notice_id=notice.id,
        project_id=notice.project_id,
        status=RectificationStatus.OPEN,
        escalation_level=0,
        deadline=deadline.isoformat() if deadline else None,
        created_at=now,
        updated_at=now,
    )
    db.table("rectification_items").insert(item.model_dump(mode="json"))
    return item


def awaiting_reinspection(db: Database, project_id: str) -> list[RectificationItem]:
    """The project's open or replied items not already in a pending re-inspection (待复检)."""
    from pqm_tui.model.inspection_list import NOT_ABANDONED

    return [
        RectificationItem.model_validate(r)
        for r in db.query(
            f"""SELECT r.* FROM rectification_items r
               WHERE r.project_id = ? AND r.status IN ('open', 'replied')
                 AND NOT EXISTS (
                   SELECT 1 FROM reinspection_targets t JOIN inspections i
                     ON i.id = t.inspection_id
                   WHERE t.rectification_item_id = r.id AND i.status != 'signed'
                     AND {NOT_ABANDONED.format(ref="i.id")})
               ORDER BY r.created_at""",
            [project_id],
        )
    ]


def appeal_reviews_of_inspection(
    db: Database, inspection_id: str
) -> list[tuple[str, RectificationEvent]]:
    """The first-level appeal reviews (申诉初审) of an inspection's items, oldest first, each
    with the id of the finding appealed."""
    rows = db.query(
        """SELECT r.finding_id, e.* FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id
           JOIN findings f ON f.id = r.finding_id
           WHERE f.inspection_id = ? AND e.action = 'appeal-reviewed'
           ORDER BY e.at, e.rowid""",
        [inspection_id],
    )
    return [(str(r["finding_id"]), _event(r)) for r in rows]
