"""Draft inspections: starting one (新建检查) and abandoning one made by mistake (作废),
each by who may (the permission table), then the model's write."""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Inspection, InspectionKind, Person
from pqm_tui.model.inspections import Abandonment
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import Scope, allowed, require


def start_inspection(
    db: Database,
    clock: Clock,
    *,
    actor: str,
    project_id: str,
    kind: InspectionKind,
    version_id: str,
    inspector_ids: list[str],
    started_at: str | None = None,
) -> Inspection:
    """A draft inspection arranged by ``actor`` (a person of the quality department)."""
    require(db, actor, Permission.CREATE_INSPECTION)
    return inspections.create_inspection(
        db, clock, project_id, kind, version_id, inspector_ids, started_at
    )


def abandon_draft(
    db: Database, clock: Clock, inspection_id: str, *, actor: str, reason: str
) -> Abandonment:
    """Abandon a draft made by mistake (作废), by a person of the quality department."""
    require(db, actor, Permission.ABANDON_INSPECTION, inspection_id=inspection_id)
    return inspections.abandon_inspection(db, clock, inspection_id, actor=actor, reason=reason)


def draft_to_resume(db: Database, person: Person | None) -> Inspection | None:
    """The draft ``person`` worked on last among those they may walk (继续未完成的检查):
    one of its inspectors, by the walk's own rule; None for nobody."""
    if person is None:
        return None
    for draft in inspections.drafts_by_recency(db):
        if allowed(db, person, Permission.WALK_INSPECTION, Scope(inspection_id=draft.id)):
            return draft
    return None
