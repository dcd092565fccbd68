"""An item's full story (整改项详情): the finding, its photos, notices, reply and every move.

``item_story`` gathers in one call what the review's detail pane shows about one
rectification item: where and what was found (project, area, checklist item,
note, location, severity, department, responsible person, inspectors), the
finding's photos, the notices that list it (first and follow-ups, with their
receipt), the deadline and every recorded move with who (a person's name when
the actor is a person's id), when and why. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.rectification import list_events

# what an item waits for after each request or decision (None: nothing)
PENDING_AFTER: dict[str, str | None] = {
    "extension-requested": "extension-requested",
    "extension-approved": None,
    "extension-rejected": None,
    "appeal-requested": "appeal-review",
    "appeal-reviewed": "appeal-final",
    "appeal-upheld": None,
    "appeal-rejected": None,
}


@dataclass(frozen=True)
class StoryPhoto:
    """A photo of the finding or of a reply's evidence (``path`` as stored)."""

    name: str
    path: str
    evidence: bool = False  # taken as the project's rectification evidence (整改佐证)


@dataclass(frozen=True)
class StoryNotice:
    """A notice listing the item (整改通知单; sequence ≥ 2: a follow-up notice)."""

    id: str
    number: str
    sequence: int
    issued_at: str
    received_at: str | None
    received_by: str | None


@dataclass(frozen=True)
class StoryMove:
    """One recorded move (整改记录): who by name, when (UTC), what, from/to, why, its data."""

    at: str
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ItemStory:
    """Everything the review shows about one rectification item."""

    id: str
    status: str
    deadline: str | None
    escalation_level: int
    project_name: str
    area_name: str
    item_code: str
    item_standard: str
    points: str
    note: str
    location: str
    severity: str
    department: str
    responsible_person: str
    inspection_id: str
    inspection_kind: str
    inspected_on: str
    inspectors: list[str]
    photos: list[StoryPhoto]
    notices: list[StoryNotice]
    moves: list[StoryMove]

    @property
    def evidence(self) -> list[StoryPhoto]:
        """The reply's evidence photos (every reply's, in order)."""
        return [p for p in self.photos if p.evidence]

    @property
    def pending_stage(self) -> str | None:
        """What the item waits for: 'extension-requested', 'appeal-review' (申诉待初审),
        'appeal-final' (申诉待终审), or None."""
        if self.status not in ("open", "replied"):
            return None
        stage: str | None = None
        for move in self.moves:
            stage = PENDING_AFTER.get(move.action, stage)
        return stage

    @property
    def pending_notice(self) -> StoryNotice | None:
        """The latest notice not yet received (签收), else None."""
        waiting = [n for n in self.notices if not n.received_at]
        return waiting[-1] if waiting else None


def person_names(db: Database, ids: list[str]) -> dict[str, str]:
    """Names of the people among ``ids`` (an actor may be free text: it stays as it is)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(f"SELECT id, name FROM people WHERE id IN ({marks})", ids).fetchall()
    return {r[0]: r[1] for r in rows}


def item_story(db: Database, item_id: str) -> ItemStory:
    """The story of item ``item_id`` (NotFoundError when there is none)."""
    row = db.execute(
        """SELECT r.id, r.status, r.deadline, r.escalation_level, p.name, a.name, i.code,
                  i.standard, i.points, f.note, f.location, f.severity, f.department,
                  f.responsible_person, f.id, ins.id, ins.kind, ins.started_at,
                  r.notice_id
             FROM rectification_items r
             JOIN findings f ON f.id = r.finding_id
             JOIN areas a ON a.id = f.area_id
             JOIN items i ON i.id = f.item_id
             JOIN projects p ON p.id = r.project_id
             JOIN inspections ins ON ins.id = f.inspection_id
            WHERE r.id = ?""",
        [item_id],
    ).fetchone()
    if row is None:
        raise NotFoundError("errors.item.not_found", id=item_id)
    finding_id, notice_id = row[14], row[18]
    events = list_events(db, item_id)
    inspector_ids = [
        r[0]
        for r in db.execute(
            "SELECT person_id FROM inspection_inspectors WHERE inspection_id = ? ORDER BY position",
            [row[15]],
        )
    ]
    names = person_names(db, sorted({*inspector_ids, *(e.actor for e in events)}))
    photos = [
        StoryPhoto(r[0], r[1])
        for r in db.execute(
            "SELECT original_name, stored_path FROM photos WHERE finding_id = ? "
            "ORDER BY added_at, rowid",
            [finding_id],
        )
    ]
    for event in events:
        for shot in event.data.get("evidence") or []:
            photos.append(StoryPhoto(str(shot.get("name", "")), str(shot.get("path", "")), True))
    later = [str(e.data["notice_id"]) for e in events if e.data.get("notice_id")]
    wanted = [i for i in dict.fromkeys([notice_id, *later]) if i]
    notices: list[StoryNotice] = []
    if wanted:
        marks = ", ".join("?" for _ in wanted)
        notices = [
            StoryNotice(*r)
            for r in db.execute(
                f"""SELECT id, number, sequence, issued_at, received_at, received_by
                      FROM notices WHERE id IN ({marks}) ORDER BY sequence, issued_at""",
                wanted,
            )
        ]
    return ItemStory(
        id=row[0],
        status=row[1],
        deadline=row[2],
        escalation_level=row[3],
        project_name=row[4],
        area_name=row[5],
        item_code=row[6],
        item_standard=row[7],
        points=str(row[8]),
        note=row[9] or "",
        location=row[10] or "",
        severity=row[11],
        department=row[12] or "",
        responsible_person=row[13] or "",
        inspection_id=row[15],
        inspection_kind=row[16],
        inspected_on=row[17],
        inspectors=[names.get(i, i) for i in inspector_ids],
        photos=photos,
        notices=notices,
        moves=[
            StoryMove(
                e.at,
                names.get(e.actor, e.actor),
                e.action,
                e.from_status,
                e.to_status,
                e.reason,
                e.data,
            )
            for e in events
        ],
    )
