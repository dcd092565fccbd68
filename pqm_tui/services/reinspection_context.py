"""What a re-inspector sees of each target (复检对象的原始记录与整改回复).

For each item a re-inspection checks: the original finding (note, location,
severity, occurrences, deduction, when and in which inspection), its photos,
the notice it was issued on, and the project's rectification reply (整改回复:
what was done, when, by whom) with its evidence photos. The walk shows it
under the item; the summary compares it with what the re-inspection found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlite_utils import Database

from pqm_tui.model import findings, inspections, notices, reinspection_targets
from pqm_tui.model.entities import Finding
from pqm_tui.model.identity import actor_name
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.services.photos import PhotoRef, locate
from pqm_tui.services.rectification import Action


@dataclass(frozen=True)
class Reply:
    """The project's rectification reply (整改回复)."""

    done: str
    date: str
    actor: str  # who replied, by name
    evidence: list[PhotoRef] = field(default_factory=list)


@dataclass(frozen=True)
class TargetContext:
    """One re-inspected item: the original finding, its photos, its notice and the reply."""

    rectification_item_id: str
    original: Finding
    inspected_on: str  # the original inspection's date (YYYY-MM-DD)
    photos: list[PhotoRef]
    notice_number: str | None
    deadline: str | None
    reply: Reply | None

    @property
    def deduction(self) -> Decimal:
        return self.original.deduction

    def all_photos(self) -> list[tuple[str, PhotoRef]]:
        """Every photo of the target, with whose it is: ``finding`` or ``evidence``."""
        evidence = self.reply.evidence if self.reply else []
        return [("finding", p) for p in self.photos] + [("evidence", p) for p in evidence]


def _reply(db_path: Path | None, events_data: dict[str, object], actor: str, at: str) -> Reply:
    evidence = events_data.get("evidence") or []
    refs = []
    for photo in evidence if isinstance(evidence, list) else []:
        path = str(photo.get("path", "")) if isinstance(photo, dict) else ""
        name = str(photo.get("name", "")) if isinstance(photo, dict) else ""
        refs.append(PhotoRef(name or Path(path).name, locate(db_path, path) if db_path else None))
    return Reply(
        str(events_data.get("done", "")), str(events_data.get("date", at[:10])), actor, refs
    )


def target_contexts(
    db: Database, inspection_id: str, db_path: Path | None
) -> dict[tuple[str, str], TargetContext]:
    """The re-inspection's targets by (area, item), each with what it is about."""
    result: dict[tuple[str, str], TargetContext] = {}
    photos_of: dict[str, dict[str, list[PhotoRef]]] = {}  # inspection → finding → photos
    for target in reinspection_targets.targets(db, inspection_id):
        item = get_item(db, target.rectification_item_id)
        finding = findings.get_finding(db, target.finding_id)
        original = inspections.get_inspection(db, finding.inspection_id)
        if original.id not in photos_of:
            by_finding: dict[str, list[PhotoRef]] = {}
            for photo in inspections.list_photos(db, original.id):
                path = locate(db_path, photo.stored_path) if db_path else None
                by_finding.setdefault(photo.finding_id or "", []).append(
                    PhotoRef(photo.original_name, path)
                )
            photos_of[original.id] = by_finding
        reply = None
        for event in reversed(list_events(db, item.id)):
            if event.action == Action.REPLY.value:
                reply = _reply(db_path, event.data, actor_name(db, event.actor), event.at)
                break
        notice = notices.get_notice(db, item.notice_id).number if item.notice_id else None
        result[(target.area_id, target.item_id)] = TargetContext(
            item.id,
            finding,
            original.started_at[:10],
            photos_of[original.id].get(finding.id, []),
            notice,
            item.deadline,
            reply,
        )
    return result
