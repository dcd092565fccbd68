"""The blank checklist on paper (纸质空白检查表): a walk to tick by hand, typed in later.

For a project, the form follows the walk the app would make: the project's areas in
walking order, each with only the items asked there (:mod:`pqm_tui.services.walk_plan`).
Without a project it lists the checklist section by section. Every row has boxes for
合格 / 不合格 / 不适用 and room for occurrences, deduction and a note; the header has
room for the date, the inspectors and the signatures.

A blank form records no facts, so it carries no verification code: a code stands for
recorded findings a printed copy can be checked against, and there are none yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from pqm_tui.model import checklists, organisation
from pqm_tui.model.entities import InspectionKind, Item, Section
from pqm_tui.model.errors import RuleError
from pqm_tui.reports.build import Builder
from pqm_tui.reports.context import Letterhead, Verification
from pqm_tui.services.points import format_points
from pqm_tui.services.walk_plan import build_plan

SEPARATOR = "\x1f"  # between the checklist and the project in a blank form's reference


@dataclass(frozen=True)
class BlankRow:
    """One item to tick: its code, standard, points and deduction rule."""

    code: str
    section: str  # "KF 客户服务": printed when it changes within an area
    standard: str
    points: str
    per_occurrence: str
    photo_required: bool
    severity_key: str


@dataclass(frozen=True)
class BlankGroup:
    """An area of the walk (or a section, without a project) with its items."""

    title: str
    subtitle: str  # the area's type, or the section's department
    rows: tuple[BlankRow, ...]


@dataclass(frozen=True)
class BlankContext:
    """空白检查表: the checklist to walk on paper, area by area or section by section."""

    letterhead: Letterhead
    checklist: str
    checklist_version: int
    project: str  # "" without a project: written in by hand
    project_address: str
    by_area: bool
    kinds: tuple[str, ...]  # inspection kinds to tick
    groups: tuple[BlankGroup, ...]
    areas_without_items: tuple[str, ...]
    row_count: int
    generated_at: str
    verification: Verification | None = None  # never: a blank form records nothing


def blank_reference(checklist: str, project: str | None) -> str:
    """The reference a user's checklist (and project) make for the document service."""
    return checklist if not project else f"{checklist}{SEPARATOR}{project}"


def resolve(builder: Builder, reference: str) -> str:
    """Checklist name, id or version id (and project name or id) → version id (and project id)."""
    checklist_ref, _, project_ref = reference.partition(SEPARATOR)
    db = builder.db
    full = checklists.expand_short_id(db, checklist_ref.strip())
    found = checklists.find_checklist(db, full)
    versions = checklists.list_versions(db, found.id)
    version = ([v for v in versions if v.id == full] or versions)[-1]
    if not project_ref:
        return version.id
    project = organisation.find_project(db, project_ref.strip())
    return f"{version.id}{SEPARATOR}{project.id}"


def _row(section: Section, item: Item) -> BlankRow:
    return BlankRow(
        code=item.code,
        section=f"{section.code} {section.name}",
        standard=item.standard,
        points=format_points(item.points),
        per_occurrence=format_points(item.per_occurrence),
        photo_required=item.photo_required,
        severity_key=item.severity.value,
    )


def build(builder: Builder, subject: str) -> tuple[str, BlankContext]:
    """The form for a version id, or for ``version id<SEPARATOR>project id``."""
    tr, db = builder.tr, builder.db
    version_id, _, project_id = subject.partition(SEPARATOR)
    content = checklists.load_version(db, version_id)
    title = tr("reports.blank.title")
    empty: list[str] = []
    if project_id:
        project = organisation.get_project(db, project_id)
        areas = organisation.list_areas(db, project.id)
        if not areas:
            raise RuleError("reports.err.blank_no_areas", project=project.name)
        plan = build_plan(content, areas)
        groups = []
        for area in areas:
            items = plan.items_by_area[area.id]
            if not items:
                empty.append(area.name)
                continue
            rows = tuple(_row(content.section_of(i), i) for i in items)
            groups.append(BlankGroup(area.name, tr.enum(area.area_type), rows))
        if not groups:
            raise RuleError(
                "reports.err.blank_no_items", checklist=content.checklist.name, project=project.name
            )
        letterhead = builder.letterhead(project.id, title, "")
        name, address = project.name, project.address
    else:
        groups = [
            BlankGroup(
                f"{s.code} {s.name}",
                s.department,
                tuple(_row(s, i) for i in content.items_by_section[s.id]),
            )
            for s in content.sections
        ]
        letterhead = builder.letterhead(None, title, "")
        name = address = ""
    return "", BlankContext(
        letterhead=letterhead,
        checklist=content.checklist.name,
        checklist_version=content.version.version,
        project=name,
        project_address=address,
        by_area=bool(project_id),
        kinds=tuple(tr.enum(k) for k in InspectionKind),
        groups=tuple(groups),
        areas_without_items=tuple(empty),
        row_count=sum(len(g.rows) for g in groups),
        generated_at=builder.clock.now_iso(),
    )
