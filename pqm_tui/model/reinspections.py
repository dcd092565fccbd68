"""Re-inspections (复检), their targets and carry-over deductions (下月考核扣分): storage.

The rules (what passes, what escalates, when) live in ``services.reinspection``;
this module owns the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Finding, Notice
from pqm_tui.model.errors import NotFoundError, RuleError, translate_locks
from pqm_tui.model.ids import new_id
from pqm_tui.model.rows import points


@dataclass(frozen=True)
class Target:
    """One rectification item a re-inspection checks, with where to check it."""

    rectification_item_id: str
    finding_id: str
    area_id: str
    item_id: str


@dataclass(frozen=True)
class CarryOver:
    """A deduction carried into the project's next monthly assessment (下月考核扣分)."""

    id: str
    rectification_item_id: str
    reinspection_id: str
    project_id: str
    assessment_month: str
    points: Any
    created_at: str
    voided_at: str | None
    voided_reason: str | None


def get_finding(db: Database, finding_id: str) -> Finding:
    """A finding by id, as recorded (amendments not applied)."""
    rows = list(db.query("SELECT * FROM findings WHERE id = ?", [finding_id]))
    if not rows:
        raise NotFoundError(f"no finding {finding_id!r}")
    return Finding.model_validate({**rows[0], "deduction": points(rows[0]["deduction"])})


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
            raise NotFoundError(f"no inspection {inspection_id!r}")
        if row[0] == "signed":
            raise RuleError("the inspection is already signed")
        inspections.lock_signed(db, now, inspection_id, receiver_name, receiver_role)


def items_of_notice(db: Database, notice: Notice) -> list[str]:
    """Ids of the rectification items a notice lists (a second notice: its failed items)."""
    if notice.sequence < 2:
        sql = "SELECT id FROM rectification_items WHERE notice_id = ? ORDER BY created_at"
    else:
        sql = """SELECT item_id AS id FROM rectification_events
                 WHERE action = 'reinspection-failed'
                   AND json_extract(data, '$.notice_id') = ? ORDER BY rowid"""
    return [r["id"] for r in db.query(sql, [notice.id])]


def has_outcome(db: Database, item_id: str, inspection_id: str) -> bool:
    """True when a re-inspection's result was already applied to an item."""
    row = db.execute(
        """SELECT 1 FROM rectification_events WHERE item_id = ?
             AND action IN ('reinspection-passed', 'reinspection-failed', 'reinspection-skipped')
             AND json_extract(data, '$.reinspection_id') = ? LIMIT 1""",
        [item_id, inspection_id],
    ).fetchone()
    return row is not None


def record_carry_over(
    db: Database,
    clock: Clock,
    *,
    item_id: str,
    reinspection_id: str,
    project_id: str,
    assessment_month: str,
    amount: Any,
) -> bool:
    """Record the carry-over deduction once; False when it was already there."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO carry_over_deductions
             (id, rectification_item_id, reinspection_id, project_id, assessment_month,
              points, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            new_id(),
            item_id,
            reinspection_id,
            project_id,
            assessment_month,
            float(amount),
            clock.now_iso(),
        ],
    )
    return bool(cursor.rowcount)


def _carry_over(row: dict[str, Any]) -> CarryOver:
    return CarryOver(**{**row, "points": points(row["points"])})


def carry_overs(
    db: Database,
    *,
    item_id: str | None = None,
    project_id: str | None = None,
    month: str | None = None,
    include_voided: bool = False,
) -> list[CarryOver]:
    """Carry-over deductions, filtered; voided ones only when asked."""
    where, params = [], []
    for column, value in (
        ("rectification_item_id", item_id),
        ("project_id", project_id),
        ("assessment_month", month),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if not include_voided:
        where.append("voided_at IS NULL")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return [
        _carry_over(r)
        for r in db.query(
            f"SELECT * FROM carry_over_deductions {clause} ORDER BY created_at", params
        )
    ]


def void_carry_overs(db: Database, clock: Clock, item_id: str, reason: str) -> int:
    """Void the item's carry-over deductions (an upheld appeal); returns how many."""
    cursor = db.execute(
        """UPDATE carry_over_deductions SET voided_at = ?, voided_reason = ?
           WHERE rectification_item_id = ? AND voided_at IS NULL""",
        [clock.now_iso(), reason, item_id],
    )
    return cursor.rowcount


def set_notice_receipt(db: Database, notice_id: str, received_at: str, received_by: str) -> None:
    db.execute(
        "UPDATE notices SET received_at = ?, received_by = ? WHERE id = ?",
        [received_at, received_by, notice_id],
    )
