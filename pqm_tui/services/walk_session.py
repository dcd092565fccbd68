"""A walk in progress (检查进行中): the state the walk screen keeps between keypresses.

Holds the plan (from ``inspection_state.load_state``, so re-inspection plans
flow in), the findings by (area, item), per-area progress and the undo stack. Every
answer goes straight to ``inspections.record_finding`` (one commit); this
object only mirrors what the database already holds. No Textual here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import findings, inspections, notes, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import current_actor
from pqm_tui.model.entities import (
    Area,
    Finding,
    Item,
    NoteKind,
    Project,
    Result,
    Section,
    Severity,
    SupervisionNote,
)
from pqm_tui.model.errors import RuleError
from pqm_tui.model.identity import IdentityError
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import PermissionDenied, require
from pqm_tui.services.inspection_state import load_state
from pqm_tui.services.photos import PhotoRef, StoredPhoto, locate
from pqm_tui.services.points import format_points
from pqm_tui.services.responsible_choices import responsible_choices
from pqm_tui.services.scoring import remaining_cap, rule_deduction

Change = tuple[Finding, Finding | None]


@dataclass(frozen=True)
class AreaProgress:
    """Progress of one area: answered of applicable, and failures."""

    answered: int
    applicable: int
    failed: int


@dataclass
class FailureDetails:
    """What the finding panel collects for a failed item (不合格)."""

    occurrences: int = 1
    deduction: Decimal = Decimal(0)
    note: str = ""
    severity: Severity = Severity.NORMAL
    department: str = ""
    responsible_person: str = ""
    location: str = ""
    photos: list[StoredPhoto] = field(default_factory=list)
    removed_photos: list[str] = field(default_factory=list)  # ids of saved photos taken off


class WalkSession:
    """One inspection being walked: plan, findings and undo stack."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        inspection_id: str,
        db_path: Path | None = None,
    ) -> None:
        self.db = db
        self.db_path = db_path
        self.clock = clock
        state = load_state(db, settings, inspection_id)
        self.inspection = state.inspection
        self.plan = state.plan
        self.content = state.content
        self.project: Project = organisation.get_project(db, self.inspection.project_id)
        self.areas: list[Area] = state.plan.areas
        self.area_index = {a.id: n for n, a in enumerate(self.areas)}
        self.items: dict[str, Item] = {i.id: i for i in state.content.items}
        self.sections: dict[str, Section] = {s.id: s for s in state.content.sections}
        self.findings: dict[tuple[str, str], Finding] = {}
        self.by_item: dict[str, dict[str, Finding]] = defaultdict(dict)
        self.pair_count = sum(len(items) for items in state.plan.items_by_area.values())
        self.holding: dict[str, list[str]] = defaultdict(list)  # item → areas it applies to
        for area in self.areas:
            for item in self.items_of(area.id):
                self.holding[item.id].append(area.id)
        self.failed_count = 0
        # per area: answered and failed items of its plan, kept up to date (not recounted per key)
        self._answered: dict[str, int] = defaultdict(int)
        self._failed: dict[str, int] = defaultdict(int)
        self._planned = {(area_id, item_id) for item_id, a in self.holding.items() for area_id in a}
        for finding in findings.list_findings(db, inspection_id):
            self._remember(finding.area_id, finding.item_id, finding)
        self.photo_counts: dict[str, int] = defaultdict(int)
        for photo in inspections.list_photos(db, inspection_id):
            if photo.finding_id:
                self.photo_counts[photo.finding_id] += 1
        self.undo_stack: list[list[Change]] = []
        self.last_note = ""
        sections = (s.department for s in state.content.sections)
        self.responsible = responsible_choices(db, self.project.id, sections)
        self._may_walk: str | None = None  # the actor last found allowed to walk

    @property
    def inspection_id(self) -> str:
        return self.inspection.id

    # ---------------------------------------------------------------- reading
    def items_of(self, area_id: str) -> list[Item]:
        return self.plan.items_by_area.get(area_id, [])

    def finding(self, area_id: str, item_id: str) -> Finding | None:
        return self.findings.get((area_id, item_id))

    def progress(self, area_id: str) -> AreaProgress:
        applicable = len(self.items_of(area_id))
        return AreaProgress(self._answered[area_id], applicable, self._failed[area_id])

    def totals(self) -> AreaProgress:
        """Progress of the whole walk (kept up to date, not recounted per key)."""
        return AreaProgress(len(self.findings), self.pair_count, self.failed_count)

    def cap(self, item_id: str, area_id: str) -> Decimal:
        """Points still deductible for the item here, after the other areas' deductions."""
        item = self.items[item_id]
        return remaining_cap(item, list(self.by_item[item_id].values()), area_id)

    def used_elsewhere(self, item_id: str, area_id: str) -> Decimal:
        return self.items[item_id].points - self.cap(item_id, area_id)

    def default_failure(self, area_id: str, item_id: str, occurrences: int = 1) -> FailureDetails:
        """Pre-filled panel values: the current finding, else the rule and the section."""
        item = self.items[item_id]
        current = self.finding(area_id, item_id)
        if current is not None and current.result == Result.FAIL:
            return FailureDetails(
                current.occurrences,
                current.deduction,
                current.note,
                current.severity,
                current.department,
                current.responsible_person,
                current.location,
            )
        cap = self.cap(item_id, area_id)
        return FailureDetails(
            occurrences,
            min(rule_deduction(item, occurrences), cap),
            "",
            item.severity,
            self.section_department(item.section_id),
        )

    def section_department(self, section_id: str) -> str:
        """The department the checklist gives a section, when the organisation has it (a
        name the project does not know is not pre-filled: it would be refused)."""
        department = self.sections[section_id].department
        return department if department in self.responsible.departments else ""

    def has_photo(self, finding: Finding | None) -> bool:
        return finding is not None and self.photo_counts.get(finding.id, 0) > 0

    def missing_photo(self, area_id: str, item_id: str) -> bool:
        """A failed photo-required item with no photo attached (shown as a warning)."""
        found = self.finding(area_id, item_id)
        return (
            found is not None
            and found.result == Result.FAIL
            and self.items[item_id].photo_required
            and not self.has_photo(found)
        )

    # ---------------------------------------------------------------- writing
    def _remember(self, area_id: str, item_id: str, finding: Finding | None) -> None:
        before = self.findings.get((area_id, item_id))
        was_failed = before is not None and before.result == Result.FAIL
        is_failed = finding is not None and finding.result == Result.FAIL
        self.failed_count += is_failed - was_failed
        if (area_id, item_id) in self._planned:
            self._answered[area_id] += (finding is not None) - (before is not None)
            self._failed[area_id] += is_failed - was_failed
        if finding is None:
            self.findings.pop((area_id, item_id), None)
            self.by_item[item_id].pop(area_id, None)
        else:
            self.findings[(area_id, item_id)] = finding
            self.by_item[item_id][area_id] = finding

    def check_may_walk(self) -> None:
        """PermissionDenied unless the acting person is one of the inspection's inspectors
        (checked once per acting person)."""
        actor = current_actor(self.db)
        if self._may_walk != actor:
            require(self.db, actor, Permission.WALK_INSPECTION, inspection_id=self.inspection_id)
            self._may_walk = actor

    def answer(self, area_id: str, item_id: str, result: Result) -> Finding:
        """Pass (合格) or N/A (不适用) one item in one area: committed at once."""
        if result == Result.FAIL:
            raise RuleError("errors.finding.needs_details")
        self.check_may_walk()
        finding, previous = inspections.record_finding(
            self.db, self.clock, self.inspection_id, item_id, area_id, result
        )
        self._remember(area_id, item_id, finding)
        self.undo_stack.append([(finding, previous)])
        return finding

    def check_failure(self, area_id: str, item_id: str, details: FailureDetails) -> None:
        """RuleError naming the field when the details break a rule; the department and
        the person become the names the organisation has (a name's start completed)."""
        if details.occurrences < 1:
            raise RuleError("errors.finding.occurrences")
        cap = self.cap(item_id, area_id)
        if details.deduction < 0:
            raise RuleError("errors.finding.negative_deduction")
        if details.deduction > cap:
            raise RuleError(
                "errors.finding.above_cap",
                deduction=format_points(details.deduction),
                cap=format_points(cap),
            )
        current = self.finding(area_id, item_id)
        kept = (current.department, current.responsible_person) if current else ("", "")
        details.department = self.responsible.department(details.department, kept=kept[0])
        details.responsible_person = self.responsible.person(
            details.responsible_person, kept=kept[1]
        )

    def fail(self, area_id: str, item_id: str, details: FailureDetails) -> Finding:
        """Record a failure (不合格) with its details and photos, in one commit."""
        self.check_failure(area_id, item_id, details)
        self.check_may_walk()
        with self.db.atomic():
            finding, previous = inspections.record_finding(
                self.db,
                self.clock,
                self.inspection_id,
                item_id,
                area_id,
                Result.FAIL,
                occurrences=details.occurrences,
                deduction=details.deduction,
                note=details.note.strip(),
                severity=details.severity,
                department=details.department.strip(),
                responsible_person=details.responsible_person.strip(),
                location=details.location.strip(),
            )
            for photo_id in details.removed_photos:
                inspections.remove_photo(self.db, photo_id)
                self.photo_counts[finding.id] -= 1
            for photo in details.photos:
                self.attach(finding, photo)
        self._remember(area_id, item_id, finding)
        self.undo_stack.append([(finding, previous)])
        if details.note.strip():
            self.last_note = details.note.strip()
        return finding

    def attach(self, finding: Finding, photo: StoredPhoto) -> None:
        """Link a stored photo to a finding; the path is kept relative to the database's folder."""
        stored = str(photo.stored_path)
        if self.db_path is not None and photo.stored_path.is_relative_to(self.db_path.parent):
            stored = str(photo.stored_path.relative_to(self.db_path.parent))
        inspections.add_photo(
            self.db, self.clock, finding.id, photo.sha256, photo.original_name, stored
        )
        self.photo_counts[finding.id] += 1

    def attached_photos(self) -> dict[str, str]:
        """The photos on this inspection's findings: row id → SHA-256 of the picture."""
        return {p.id: p.sha256 for p in inspections.list_photos(self.db, self.inspection_id)}

    def photos_of(self, area_id: str, item_id: str) -> list[PhotoRef]:
        """The photos of the item's finding in this inspection, oldest first."""
        finding = self.finding(area_id, item_id)
        if finding is None or not self.photo_counts.get(finding.id):
            return []
        return [
            PhotoRef(
                p.original_name, locate(self.db_path, p.stored_path) if self.db_path else None, p.id
            )
            for p in inspections.list_photos(self.db, self.inspection_id)
            if p.finding_id == finding.id
        ]

    def answer_rest(self, area_id: str, result: Result) -> list[Finding]:
        """Every unanswered item of the area passes (or is N/A), in one transaction."""
        if result == Result.FAIL:
            raise RuleError("errors.finding.rest_pass_or_na")
        self.check_may_walk()
        changes: list[Change] = []
        with self.db.atomic():
            for item in self.items_of(area_id):
                if (area_id, item.id) in self.findings:
                    continue
                changes.append(
                    inspections.record_finding(
                        self.db, self.clock, self.inspection_id, item.id, area_id, result
                    )
                )
        for finding, _ in changes:
            self._remember(area_id, finding.item_id, finding)
        if changes:
            self.undo_stack.append(changes)
        return [finding for finding, _ in changes]

    def undo(self) -> list[Finding]:
        """Take back the last entry (or bulk entry); return the findings it touched."""
        if not self.undo_stack:
            return []
        changes = self.undo_stack[-1]
        with self.db.atomic():
            for current, previous in reversed(changes):
                inspections.restore_finding(self.db, self.clock, current, previous)
        self.undo_stack.pop()  # only once undone: a refused undo can be tried again
        for current, previous in changes:
            self._remember(current.area_id, current.item_id, previous)
            if previous is None:
                self.photo_counts.pop(current.id, None)
        return [current for current, _ in changes]

    def may_walk(self) -> bool:
        """True when the acting person may record here (one of the inspectors)."""
        try:
            self.check_may_walk()
        except (PermissionDenied, IdentityError):
            return False
        return True

    def save_position(self, area_id: str | None, item_id: str | None) -> None:
        """Remember where the walk is, for its inspectors only: someone opening the draft
        to look leaves the inspector's resume point (and its time) as it was."""
        if self.may_walk():
            inspections.save_position(self.db, self.clock, self.inspection_id, area_id, item_id)

    def position(self) -> tuple[str | None, str | None]:
        saved = inspections.get_position(self.db, self.inspection_id)
        return (saved.area_id, saved.item_id) if saved else (None, None)

    def add_note(self, area_id: str | None, kind: NoteKind, text: str) -> SupervisionNote:
        if not text.strip():
            raise RuleError("errors.finding.empty_note")
        return notes.add_note(self.db, self.clock, self.inspection_id, area_id, kind, text.strip())

    def search(self, query: str, limit: int = 50) -> list[Item]:
        """Items whose code starts with, or whose code or standard contains, ``query``."""
        needle = query.strip().casefold()
        applicable = self.plan.applicable_item_ids
        items = [i for i in self.content.items if i.id in applicable]
        if not needle:
            return items[:limit]
        first = [i for i in items if i.code.casefold().startswith(needle)]
        rest = [
            i
            for i in items
            if i not in first and (needle in i.code.casefold() or needle in i.standard.casefold())
        ]
        return (first + rest)[:limit]

    def area_for(self, item_id: str, preferred: str) -> str | None:
        """Where to jump for an item: the current area if it applies, else the first open one."""
        holding = self.holding.get(item_id, [])
        if preferred in holding:
            return preferred
        open_areas = [a for a in holding if (a, item_id) not in self.findings]
        chosen = open_areas or holding
        return chosen[0] if chosen else None


def mark_unanswered_na(db: Database, clock: Clock, settings: Settings, inspection_id: str) -> int:
    """Explicitly mark every unanswered (area, item) N/A (不适用), in one transaction."""
    require(db, current_actor(db), Permission.WALK_INSPECTION, inspection_id=inspection_id)
    state = load_state(db, settings, inspection_id)
    with db.atomic():
        for area_id, item_id in state.unanswered:
            inspections.record_finding(db, clock, inspection_id, item_id, area_id, Result.NA)
    return len(state.unanswered)
