"""Supervision-log notes (品质监督记录) taken during a walk."""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import NoteKind, SupervisionNote
from pqm_tui.model.ids import new_id


def add_note(
    db: Database,
    clock: Clock,
    inspection_id: str,
    area_id: str | None,
    kind: NoteKind,
    text: str,
) -> SupervisionNote:
    """Add a supervision-log note (品质监督记录) and commit it."""
    note = SupervisionNote(
        id=new_id(),
        inspection_id=inspection_id,
        area_id=area_id,
        kind=kind,
        text=text,
        created_at=clock.now_iso(),
    )
    with db.atomic():
        db.table("supervision_notes").insert(note.model_dump(mode="json"))
    return note


def list_notes(db: Database, inspection_id: str) -> list[SupervisionNote]:
    return [
        SupervisionNote.model_validate(r)
        for r in db.query(
            "SELECT * FROM supervision_notes WHERE inspection_id = ? ORDER BY created_at",
            [inspection_id],
        )
    ]
