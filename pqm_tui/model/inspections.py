"""Inspections and their findings (检查与检查记录): every write is one transaction.

A finding is committed the moment it is recorded; the walk position is saved
with it so a killed process resumes at the same area and item.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.model.checklists import freeze_version
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Photo,
    Result,
    Severity,
)
from pqm_tui.model.errors import NotFoundError, RuleError, translate_locks
from pqm_tui.model.findings import find_finding, list_findings
from pqm_tui.model.ids import new_id
from pqm_tui.model.inspection_list import NOT_ABANDONED, recent_rows
from pqm_tui.model.inspection_seals import seal_inspection
from pqm_tui.model.notices import next_notice_number


@dataclass(frozen=True)
class InspectionSummary:
    """One row of an inspection list, with names resolved and counts."""

    inspection: Inspection
    project_name: str
    checklist_name: str
    checklist_version: int
    inspector_names: list[str]
    answered: int
    failed: int


@dataclass(frozen=True)
class WalkPosition:
    """Where a draft walk stopped."""

    area_id: str | None
    item_id: str | None
    updated_at: str


def create_inspection(
    db: Database,
    clock: Clock,
    project_id: str,
    kind: InspectionKind,
    version_id: str,
    inspector_ids: list[str],
    started_at: str | None = None,
) -> Inspection:
    """Start a draft inspection; the checklist version becomes frozen."""
    if not inspector_ids:
        raise RuleError("errors.inspection.no_inspector")
    inspection = Inspection(
        id=new_id(),
        project_id=project_id,
        kind=kind,
        checklist_version_id=version_id,
        inspector_ids=inspector_ids,
        started_at=started_at or clock.now_iso(),
    )
    with db.atomic():
        row = inspection.model_dump(mode="json", exclude={"inspector_ids"})
        db.table("inspections").insert(row)
        db.table("inspection_inspectors").insert_all(
            {"inspection_id": inspection.id, "person_id": pid, "position": pos}
            for pos, pid in enumerate(inspector_ids)
        )
        freeze_version(db, version_id)
    return inspection


def _inspection(db: Database, row: dict[str, object]) -> Inspection:
    ids = [
        r["person_id"]
        for r in db.query(
            "SELECT person_id FROM inspection_inspectors WHERE inspection_id = ? ORDER BY position",
            [row["id"]],
        )
    ]
    return Inspection.model_validate({**row, "inspector_ids": ids})


@dataclass(frozen=True)
class Abandonment:
    """Why a draft inspection was abandoned (作废), by whom and when."""

    inspection_id: str
    abandoned_at: str
    actor: str
    reason: str


def abandon_inspection(
    db: Database, clock: Clock, inspection_id: str, *, actor: str, reason: str
) -> Abandonment:
    """Abandon a draft made by mistake: kept, with who (``actor``: a people.id), when and why.

    Only a draft can be abandoned (a completed or signed inspection is a record); the
    reason is required.
    """
    inspection = get_inspection(db, inspection_id)
    if inspection.status != InspectionStatus.DRAFT:
        raise RuleError("errors.inspection.abandon_not_draft")
    if not reason.strip():
        raise RuleError("errors.inspection.abandon_reason")
    if abandonment(db, inspection.id) is not None:
        raise RuleError("errors.inspection.abandoned")
    row = Abandonment(inspection.id, clock.now_iso(), actor, reason.strip())
    with translate_locks(), db.atomic():
        db.table("inspection_abandonments").insert(
            {
                "inspection_id": row.inspection_id,
                "abandoned_at": row.abandoned_at,
                "actor": row.actor,
                "reason": row.reason,
            }
        )
    return row


def abandonment(db: Database, inspection_id: str) -> Abandonment | None:
    """The abandonment of an inspection, or None when it was not abandoned."""
    rows = list(
        db.query("SELECT * FROM inspection_abandonments WHERE inspection_id = ?", [inspection_id])
    )
    return Abandonment(**rows[0]) if rows else None


def get_inspection(db: Database, inspection_id: str) -> Inspection:
    """An inspection by id, or by the short id printed in lists (the id's tail)."""
    rows = list(db.query("SELECT * FROM inspections WHERE id = ?", [inspection_id]))
    if not rows and len(inspection_id) >= 6:
        rows = list(
            db.query("SELECT * FROM inspections WHERE id LIKE ? LIMIT 2", ["%" + inspection_id])
        )
        if len(rows) > 1:
            raise NotFoundError("errors.inspection.ambiguous", id=inspection_id)
    if not rows:
        raise NotFoundError("errors.inspection.not_found", id=inspection_id)
    return _inspection(db, rows[0])


def list_inspections(
    db: Database,
    *,
    limit: int = 50,
    project_id: str | None = None,
    status: InspectionStatus | None = None,
) -> list[InspectionSummary]:
    """Recent inspections first, with project, checklist, inspectors and counts.

    Abandoned inspections (作废) are left out.
    """
    rows = recent_rows(db.conn, project_id, status.value if status else None, limit)
    return [
        InspectionSummary(
            Inspection.model_validate(r),
            r["project_name"],
            r["checklist_name"],
            r["checklist_version"],
            r["inspector_names"],
            r["answered"],
            r["failed"],
        )
        for r in rows
    ]


def latest_draft(db: Database) -> Inspection | None:
    """The draft most recently worked on (to offer resuming it)."""
    return next(drafts_by_recency(db), None)


def drafts_by_recency(db: Database) -> Iterator[Inspection]:
    """The drafts, the one most recently worked on first (read one at a time)."""
    ids = [
        str(r[0])
        for r in db.execute(
            f"""SELECT i.id FROM inspections i LEFT JOIN walk_positions w ON w.inspection_id = i.id
               WHERE i.status = 'draft' AND {NOT_ABANDONED.format(ref="i.id")}
               ORDER BY coalesce(w.updated_at, i.started_at) DESC"""
        ).fetchall()
    ]
    for inspection_id in ids:
        yield get_inspection(db, inspection_id)


def record_finding(
    db: Database,
    clock: Clock,
    inspection_id: str,
    item_id: str,
    area_id: str,
    result: Result,
    *,
    occurrences: int = 0,
    deduction: Decimal = Decimal(0),
    note: str = "",
    severity: Severity = Severity.NORMAL,
    department: str = "",
    responsible_person: str = "",
    location: str = "",
) -> tuple[Finding, Finding | None]:
    """Record (or re-record) one item in one area and commit at once.

    Returns the new finding and the one it replaced (for undo). The database
    refuses this for a signed inspection (LockedError).
    """
    now = clock.now_iso()
    with translate_locks(), db.atomic():
        previous = find_finding(db, inspection_id, item_id, area_id)
        finding = Finding(
            id=previous.id if previous else new_id(),
            inspection_id=inspection_id,
            item_id=item_id,
            area_id=area_id,
            result=result,
            occurrences=occurrences,
            deduction=deduction,
            note=note,
            severity=severity,
            department=department,
            responsible_person=responsible_person,
            location=location,
            created_at=previous.created_at if previous else now,
            updated_at=now,
        )
        row = finding.model_dump(mode="json")
        row["deduction"] = float(deduction)
        if previous:
            db.table("findings").update(finding.id, row)
        else:
            db.table("findings").insert(row)
        _save_position(db, inspection_id, area_id, item_id, now)
    return finding, previous


def restore_finding(db: Database, clock: Clock, current: Finding, previous: Finding | None) -> None:
    """Undo: put back ``previous`` (or remove the finding when there was none)."""
    with translate_locks(), db.atomic():
        if previous is None:
            db.execute("DELETE FROM photos WHERE finding_id = ?", [current.id])
            db.execute("DELETE FROM findings WHERE id = ?", [current.id])
        else:
            row = previous.model_dump(mode="json")
            row["deduction"] = float(previous.deduction)
            db.table("findings").update(previous.id, row)
        _save_position(db, current.inspection_id, current.area_id, current.item_id, clock.now_iso())


def _save_position(
    db: Database, inspection_id: str, area_id: str | None, item_id: str | None, now: str
) -> None:
    db.execute(
        """INSERT INTO walk_positions (inspection_id, area_id, item_id, updated_at)
           VALUES (?, ?, ?, ?)
           ON CONFLICT(inspection_id) DO UPDATE SET area_id = excluded.area_id,
             item_id = excluded.item_id, updated_at = excluded.updated_at""",
        [inspection_id, area_id, item_id, now],
    )


def save_position(
    db: Database, clock: Clock, inspection_id: str, area_id: str | None, item_id: str | None
) -> None:
    """Remember where the walk is (committed)."""
    with db.atomic():
        _save_position(db, inspection_id, area_id, item_id, clock.now_iso())


def get_position(db: Database, inspection_id: str) -> WalkPosition | None:
    rows = list(db.query("SELECT * FROM walk_positions WHERE inspection_id = ?", [inspection_id]))
    if not rows:
        return None
    return WalkPosition(rows[0]["area_id"], rows[0]["item_id"], rows[0]["updated_at"])


def remove_photo(db: Database, photo_id: str) -> None:
    """Take a photo off its finding (the file stays in the media store); refused once signed."""
    with translate_locks(), db.atomic():
        db.execute("DELETE FROM photos WHERE id = ?", [photo_id])


def add_photo(
    db: Database,
    clock: Clock,
    finding_id: str,
    sha256: str,
    original_name: str,
    stored_path: str,
) -> Photo:
    photo = Photo(
        id=new_id(),
        finding_id=finding_id,
        sha256=sha256,
        original_name=original_name,
        stored_path=stored_path,
        added_at=clock.now_iso(),
    )
    with translate_locks(), db.atomic():
        locked = db.execute(
            """SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
               WHERE f.id = ?""",
            [finding_id],
        ).fetchone()
        if locked is None:
            raise NotFoundError("errors.finding.not_found", id=finding_id)
        if locked[0] == InspectionStatus.SIGNED.value:
            raise RuleError("errors.inspection.signed_no_photos")
        db.table("photos").insert(photo.model_dump())
    return photo


def list_photos(db: Database, inspection_id: str) -> list[Photo]:
    """Photos of an inspection's findings, oldest first."""
    return [
        Photo.model_validate(r)
        for r in db.query(
            """SELECT p.* FROM photos p JOIN findings f ON f.id = p.finding_id
               WHERE f.inspection_id = ? ORDER BY p.added_at""",
            [inspection_id],
        )
    ]


def mark_completed(db: Database, clock: Clock, inspection_id: str) -> None:
    """The walk is finished: status completed, awaiting sign-off."""
    with translate_locks(), db.atomic():
        db.execute(
            "UPDATE inspections SET status = 'completed', finished_at = ? "
            "WHERE id = ? AND status = 'draft'",
            [clock.now_iso(), inspection_id],
        )


def reopen(db: Database, inspection_id: str) -> None:
    """Back from the summary to the walk (only before signing)."""
    with translate_locks(), db.atomic():
        db.execute(
            "UPDATE inspections SET status = 'draft' WHERE id = ? AND status = 'completed'",
            [inspection_id],
        )


def sign_inspection(
    db: Database,
    clock: Clock,
    inspection_id: str,
    *,
    receiver_name: str,
    receiver_role: str,
    issuing_department: str,
    deadline: date,
) -> str | None:
    """Sign off and lock: one rectification item per failed finding, one notice.

    Returns the notice number, or None when nothing failed. All in one transaction.
    """
    now = clock.now_iso()
    with translate_locks(), db.atomic():
        inspection = get_inspection(db, inspection_id)
        if inspection.status == InspectionStatus.SIGNED:
            raise RuleError("errors.inspection.already_signed")
        failed = [f for f in list_findings(db, inspection_id) if f.result == Result.FAIL]
        number = None
        if failed:
            number = next_notice_number(db, clock.now().strftime("%Y%m"))
            notice_id = new_id()
            db.table("notices").insert(
                {
                    "id": notice_id,
                    "number": number,
                    "inspection_id": inspection_id,
                    "project_id": inspection.project_id,
                    "sequence": 1,
                    "issued_at": now,
                    "issuing_department": issuing_department,
                    "received_at": now,
                    "received_by": receiver_name,
                }
            )
            db.table("rectification_items").insert_all(
                {
                    "id": new_id(),
                    "finding_id": f.id,
                    "notice_id": notice_id,
                    "project_id": inspection.project_id,
                    "status": "open",
                    "escalation_level": 0,
                    "deadline": deadline.isoformat(),
                    "created_at": now,
                    "updated_at": now,
                }
                for f in failed
            )
        lock_signed(db, now, inspection_id, receiver_name, receiver_role)
    return number


def lock_signed(
    db: Database, now: str, inspection_id: str, receiver_name: str, receiver_role: str
) -> None:
    """Mark an inspection and its inspectors signed (the triggers lock it from then on)
    and seal its facts (``inspection_seals``).

    Call inside the caller's transaction.
    """
    db.execute(
        "UPDATE inspection_inspectors SET signed_at = ? WHERE inspection_id = ?",
        [now, inspection_id],
    )
    db.execute(
        """UPDATE inspections SET status = 'signed', signed_at = ?,
             finished_at = coalesce(finished_at, ?), receiver_name = ?, receiver_role = ?
           WHERE id = ?""",
        [now, now, receiver_name, receiver_role, inspection_id],
    )
    db.execute("DELETE FROM walk_positions WHERE inspection_id = ?", [inspection_id])
    seal_inspection(db, inspection_id, now)


def inspectors_of(db: Database, inspection_id: str) -> list[tuple[str, str, str | None]]:
    """(name, role, signed_at) of an inspection's inspectors, in their order."""
    return [
        (r["name"], r["role"], r["signed_at"])
        for r in db.query(
            """SELECT p.name, p.role, ii.signed_at FROM inspection_inspectors ii
               JOIN people p ON p.id = ii.person_id
               WHERE ii.inspection_id = ? ORDER BY ii.position""",
            [inspection_id],
        )
    ]


def latest_signed(db: Database) -> dict[str, str]:
    """Project id → its latest signed inspection's id (最近一次已签字检查), re-inspections
    left out (they re-check items and have no score)."""
    return {
        r["project_id"]: r["id"]
        for r in db.query(
            """SELECT i.project_id, i.id FROM inspections i
               WHERE i.status = 'signed' AND i.kind != 're-inspection'
                 AND i.id = (SELECT j.id FROM inspections j
                             WHERE j.project_id = i.project_id AND j.status = 'signed'
                               AND j.kind != 're-inspection'
                             ORDER BY j.started_at DESC, j.id DESC LIMIT 1)"""
        )
    }
