"""Re-inspection targets (复检对象): the rectification items a re-inspection checks.

The rules (what passes, what escalates, when) live in ``services.reinspection``;
this module owns the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import NotFoundError, RuleError, translate_locks


@dataclass(frozen=True)
class Target:
    """One rectification item a re-inspection checks, with where to check it."""

    rectification_item_id: str
    finding_id: str
    area_id: str
    item_id: str


def add_targets(db: Database, inspection_id: str, item_ids: list[str]) -> None:
    """Attach rectification items to a (draft) re-inspection."""
    with translate_locks(), db.atomic():
        db.table("reinspection_targets").insert_all(
            ({"inspection_id": inspection_id, "rectification_item_id": i} for i in item_ids),
            ignore=True,
        )


def targets(db: Database, inspection_id: str) -> list[Target]:
    """The items a re-inspection checks, in the order they were chosen."""
    return [
        Target(r["rid"], r["finding_id"], r["area_id"], r["item_id"])
        for r in db.query(
            """SELECT t.rectification_item_id AS rid, f.id AS finding_id, f.area_id, f.item_id
               FROM reinspection_targets t
               JOIN rectification_items r ON r.id = t.rectification_item_id
               JOIN findings f ON f.id = r.finding_id
               WHERE t.inspection_id = ? ORDER BY t.rowid""",
            [inspection_id],
        )
    ]


def lock_inspection(
    db: Database, clock: Clock, inspection_id: str, *, receiver_name: str, receiver_role: str
) -> None:
    """Sign a re-inspection: lock it without creating rectification items of its own."""
    now = clock.now_iso()
    with translate_locks(), db.atomic():
        status = db.execute("SELECT status FROM inspections WHERE id = ?", [inspection_id])
        row = status.fetchone()
        if row is None:
            raise NotFoundError("errors.inspection.not_found", id=inspection_id)
        if row[0] == "signed":
            raise RuleError("errors.inspection.already_signed")
        inspections.lock_signed(db, now, inspection_id, receiver_name, receiver_role)


def has_outcome(db: Database, item_id: str, inspection_id: str) -> bool:
    """True when a re-inspection's result was already applied to an item."""
    row = db.execute(
        """SELECT 1 FROM rectification_events WHERE item_id = ?
             AND action IN ('reinspection-passed', 'reinspection-failed', 'reinspection-skipped')
             AND json_extract(data, '$.reinspection_id') = ? LIMIT 1""",
        [item_id, inspection_id],
    ).fetchone()
    return row is not None
