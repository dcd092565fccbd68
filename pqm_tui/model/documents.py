"""Queries behind the printed documents (文书): notices, circulars, verification codes.

Storage only: which rows a second notice (第二次整改通知单) or a month's circular
(通报) lists, and the verification codes (校验码) printed on every document so a
paper copy can be checked against the database.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Notice, RectificationItem
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.ids import new_id
from pqm_tui.model.inspections import next_notice_number


@dataclass(frozen=True)
class ReportCode:
    """A verification code: which document, about what, with which content hash."""

    code: str
    document: str
    subject: str
    content_sha256: str
    created_at: str
    created_by: str


@dataclass(frozen=True)
class FailedReinspection:
    """One 'reinspection-failed' event with the item it escalated (for the circular)."""

    event_at: str
    actor: str
    reason: str
    item: RectificationItem
    project_name: str
    area_name: str
    item_code: str
    item_standard: str
    finding_note: str
    department: str
    notice_number: str | None
    lapses: int  # failed re-inspections of this item up to and including this one


def code_for(subject: str, content_sha256: str) -> str:
    """The short code printed on a document: 10 base32 characters as XXXXX-XXXXX."""
    digest = hashlib.sha256(f"{subject}:{content_sha256}".encode()).digest()
    text = base64.b32encode(digest).decode("ascii")[:10]
    return f"{text[:5]}-{text[5:]}"


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, without the dash, or as the QR payload."""
    raw = code.strip()
    if raw.startswith("PQM|"):
        parts = raw.split("|")
        raw = parts[-1] if len(parts) >= 4 else raw
    compact = raw.replace("-", "").replace(" ", "").upper()
    return f"{compact[:5]}-{compact[5:]}" if len(compact) == 10 else raw.upper()


def register_code(
    db: Database, clock: Clock, actor: str, document: str, subject: str, content_sha256: str
) -> ReportCode:
    """Store (once) the code of ``document`` about ``subject`` with this content."""
    code = code_for(subject, content_sha256)
    with db.atomic():
        db.execute(
            """INSERT OR IGNORE INTO report_codes
               (code, document, subject, content_sha256, created_at, created_by)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [code, document, subject, content_sha256, clock.now_iso(), actor],
        )
    found = find_code(db, code)
    assert found is not None
    return found


def find_code(db: Database, code: str) -> ReportCode | None:
    """The stored code, or None."""
    rows = list(db.query("SELECT * FROM report_codes WHERE code = ?", [normalise_code(code)]))
    return ReportCode(**rows[0]) if rows else None


def get_notice_by_number(db: Database, number: str) -> Notice:
    rows = list(db.query("SELECT * FROM notices WHERE number = ?", [number.strip().upper()]))
    if not rows:
        raise NotFoundError(f"no rectification notice numbered {number!r}")
    return Notice.model_validate(rows[0])


def get_notice(db: Database, notice_id: str) -> Notice:
    rows = list(db.query("SELECT * FROM notices WHERE id = ?", [notice_id]))
    if not rows:
        raise NotFoundError(f"no rectification notice {notice_id!r}")
    return Notice.model_validate(rows[0])


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


def failed_reinspections(db: Database, clock: Clock, month: str) -> list[FailedReinspection]:
    """'reinspection-failed' events whose local date falls in ``month`` (YYYY-MM)."""
    rows = db.query(
        """SELECT e.at, e.actor, e.reason, e.item_id, r.*, p.name AS project_name,
                  a.name AS area_name, it.code AS item_code, it.standard AS item_standard,
                  f.note AS finding_note, f.department AS finding_department,
                  n.number AS notice_number,
                  (SELECT count(*) FROM rectification_events e2
                    WHERE e2.item_id = e.item_id AND e2.action = 'reinspection-failed'
                      AND (e2.at < e.at OR (e2.at = e.at AND e2.rowid <= e.rowid))) AS lapses
           FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id
           JOIN findings f ON f.id = r.finding_id
           JOIN items it ON it.id = f.item_id
           JOIN areas a ON a.id = f.area_id
           JOIN projects p ON p.id = r.project_id
           LEFT JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' AND e.at >= ? AND e.at < ?
           ORDER BY p.name, e.at""",
        _month_window(month),
    )
    result = []
    for r in rows:
        if clock.local_date_of(r["at"]).strftime("%Y-%m") != month:
            continue
        item_fields = {k: r[k] for k in RectificationItem.model_fields if k in r}
        result.append(
            FailedReinspection(
                r["at"],
                r["actor"],
                r["reason"],
                RectificationItem.model_validate(item_fields),
                r["project_name"],
                r["area_name"],
                r["item_code"],
                r["item_standard"],
                r["finding_note"],
                r["finding_department"],
                r["notice_number"],
                r["lapses"],
            )
        )
    return result


def _month_window(month: str) -> list[str]:
    """A generous text window (±1 day) around the month; exact filtering is by local date."""
    year, mon = (int(part) for part in month.split("-"))
    prev_year, prev_mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    next_year, next_mon = (year, mon + 1) if mon < 12 else (year + 1, 1)
    return [f"{prev_year:04d}-{prev_mon:02d}-28", f"{next_year:04d}-{next_mon:02d}-02"]


def notice_id_by_number(db: Database, number: str) -> str | None:
    """The id of the notice numbered exactly ``number``, or None."""
    row = db.execute("SELECT id FROM notices WHERE number = ?", [number]).fetchone()
    return str(row[0]) if row else None


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


def finding_item_codes(db: Database, inspection_id: str) -> dict[str, str]:
    """Finding id → its checklist item's code, for an inspection's findings."""
    return {
        r["id"]: r["code"]
        for r in db.query(
            """SELECT f.id, it.code FROM findings f JOIN items it ON it.id = f.item_id
               WHERE f.inspection_id = ?""",
            [inspection_id],
        )
    }
