"""Rectification notices (整改通知单): numbering, lookup, receipt, the items they list.

A first notice (sequence 1) is issued when an inspection is signed; a follow-up
notice (第二次整改通知单, sequence ≥ 2) when a re-inspection fails items again.
"""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Inspection, Notice, RectificationItem
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.ids import new_id


def get_notice(db: Database, notice_id: str) -> Notice:
    """A notice by id; NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM notices WHERE id = ?", [notice_id]))
    if not rows:
        raise NotFoundError("errors.notice.not_found_id", id=notice_id)
    return Notice.model_validate(rows[0])


def get_notice_by_number(db: Database, number: str) -> Notice:
    """A notice by its printed number (any case); NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM notices WHERE number = ?", [number.strip().upper()]))
    if not rows:
        raise NotFoundError("errors.notice.not_found", number=number)
    return Notice.model_validate(rows[0])


def notice_id_by_number(db: Database, number: str) -> str | None:
    """The id of the notice numbered exactly ``number``, or None."""
    row = db.execute("SELECT id FROM notices WHERE number = ?", [number]).fetchone()
    return str(row[0]) if row else None


def escalated_items(db: Database, inspection_id: str) -> list[RectificationItem]:
    """Items of an inspection that failed re-inspection and are still to be rectified."""
    return [
        RectificationItem.model_validate(r)
        for r in db.query(
            """SELECT r.* FROM rectification_items r JOIN findings f ON f.id = r.finding_id
               WHERE f.inspection_id = ? AND r.escalation_level >= 1
                 AND r.status IN ('open', 'replied')
               ORDER BY r.created_at""",
            [inspection_id],
        )
    ]


def ensure_second_notice(
    db: Database, clock: Clock, first: Notice, issuing_department: str, *, reissue: bool = False
) -> Notice:
    """The latest follow-up notice (sequence ≥ 2) after ``first``, created when needed.

    ``reissue``: a re-inspection failed items again, so a new notice (next sequence,
    this month's number) is issued — unless one was already issued today for the same
    inspection (several items failing in one re-inspection share one notice).
    """
    rows = list(
        db.query(
            """SELECT * FROM notices WHERE inspection_id = ? AND sequence >= 2
               ORDER BY sequence DESC, issued_at DESC LIMIT 1""",
            [first.inspection_id],
        )
    )
    latest = Notice.model_validate(rows[0]) if rows else None
    if latest and (not reissue or clock.local_date_of(latest.issued_at) == clock.today()):
        return latest
    now = clock.now_iso()
    with db.atomic():
        notice = Notice(
            id=new_id(),
            number=next_notice_number(db, clock.now().strftime("%Y%m")),
            inspection_id=first.inspection_id,
            project_id=first.project_id,
            sequence=latest.sequence + 1 if latest else 2,
            issued_at=now,
            issuing_department=issuing_department,
        )
        db.table("notices").insert(notice.model_dump())
    return notice


def next_notice_number(db: Database, month: str) -> str:
    """The next free rectification-notice number for ``month`` (YYYYMM): ZG-YYYYMM-NNNN."""
    prefix = f"ZG-{month}-"
    row = db.execute(
        "SELECT max(CAST(substr(number, ?) AS INTEGER)) FROM notices WHERE number LIKE ?",
        [len(prefix) + 1, prefix + "%"],
    ).fetchone()
    return f"{prefix}{(row[0] or 0) + 1:04d}"


def items_of_notice(db: Database, notice: Notice) -> list[str]:
    """Ids of the rectification items a notice lists (a second notice: its failed items)."""
    if notice.sequence < 2:
        sql = "SELECT id FROM rectification_items WHERE notice_id = ? ORDER BY created_at"
    else:
        sql = """SELECT item_id AS id FROM rectification_events
                 WHERE action = 'reinspection-failed'
                   AND json_extract(data, '$.notice_id') = ? ORDER BY rowid"""
    return [r["id"] for r in db.query(sql, [notice.id])]


def set_notice_receipt(db: Database, notice_id: str, received_at: str, received_by: str) -> None:
    """Record who received the notice and when (签收)."""
    db.execute(
        "UPDATE notices SET received_at = ?, received_by = ? WHERE id = ?",
        [received_at, received_by, notice_id],
    )


def notices_of_inspection(db: Database, inspection_id: str) -> list[Notice]:
    """An inspection's notices: the first, then its follow-ups in order."""
    return [
        Notice.model_validate(r)
        for r in db.query(
            "SELECT * FROM notices WHERE inspection_id = ? ORDER BY sequence, issued_at",
            [inspection_id],
        )
    ]


def numbers_issued_by_reinspection(db: Database, reinspection_id: str) -> list[str]:
    """Numbers of the follow-up notices a re-inspection's failures were put on (复检后通知单)."""
    return [
        r[0]
        for r in db.execute(
            """SELECT DISTINCT json_extract(data, '$.notice_number') FROM rectification_events
               WHERE action = 'reinspection-failed'
                 AND json_extract(data, '$.reinspection_id') = ?
                 AND json_extract(data, '$.notice_number') IS NOT NULL
               ORDER BY 1""",
            [reinspection_id],
        ).fetchall()
    ]


def last_failed_reinspection(db: Database, item_id: str) -> tuple[str, str, str] | None:
    """(re-inspection finding id, note, when) of the item's latest failed re-inspection."""
    row = db.execute(
        """SELECT json_extract(data, '$.reinspection_finding_id'), reason, at
           FROM rectification_events WHERE item_id = ? AND action = 'reinspection-failed'
           ORDER BY at DESC, rowid DESC LIMIT 1""",
        [item_id],
    ).fetchone()
    return (row[0] or "", row[1] or "", row[2]) if row else None


def add_notice(db: Database, clock: Clock, inspection: Inspection, department: str) -> Notice:
    """A first notice of ``inspection``, issued now and not yet received."""
    notice = Notice(
        id=new_id(),
        number=next_notice_number(db, clock.now().strftime("%Y%m")),
        inspection_id=inspection.id,
        project_id=inspection.project_id,
        sequence=1,
        issued_at=clock.now_iso(),
        issuing_department=department,
    )
    db.table("notices").insert(notice.model_dump())
    return notice
