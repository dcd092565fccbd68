"""Checklists and their versions (检查表及版本): import, read, export.

Importing a checklist whose name exists creates a new version only when the
content changed. A version is frozen once an inspection uses it; inspections
keep the version they started with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Checklist, ChecklistVersion, Item, Section
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.ids import new_id
from pqm_tui.model.rows import as_bool, json_list, points

if TYPE_CHECKING:  # the file format (pydantic, YAML, spreadsheets) loads when a file is read
    from pqm_tui.model.checklist_file import ChecklistSpec

BUILTIN_FILES = ("property_service.yaml", "sales_reception.yaml", "sales_8s.yaml")


@dataclass(frozen=True)
class VersionContent:
    """A checklist version with its sections and items, in order."""

    checklist: Checklist
    version: ChecklistVersion
    sections: list[Section]
    items: list[Item]
    items_by_section: dict[str, list[Item]] = field(default_factory=dict)

    def section_of(self, item: Item) -> Section:
        return next(s for s in self.sections if s.id == item.section_id)


@dataclass(frozen=True)
class ChecklistSummary:
    """One line of ``pqm checklist list``."""

    checklist: Checklist
    latest_version: int
    latest_version_id: str
    item_count: int


def builtin_specs() -> list[ChecklistSpec]:
    """The default checklists shipped inside the package."""
    from pqm_tui.model.checklist_file import parse_checklist

    folder = resources.files("pqm_tui") / "checklists"
    return [
        parse_checklist(folder.joinpath(name).read_text(encoding="utf-8"), name)
        for name in BUILTIN_FILES
    ]


def _checklist(row: dict[str, object]) -> Checklist:
    return Checklist(
        id=str(row["id"]),
        name=str(row["name"]),
        description=str(row["description"]),
        project_kinds=json_list(str(row["project_kinds"])),
        builtin=as_bool(row["builtin"]),  # type: ignore[arg-type]
    )


def import_spec(
    db: Database, spec: ChecklistSpec, clock: Clock, *, builtin: bool = False
) -> tuple[ChecklistVersion, bool]:
    """Store ``spec``; return its version and whether a new version was created."""
    from pqm_tui.model.checklist_file import dump_checklist

    canonical = dump_checklist(spec)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    with db.atomic():
        rows = list(db.query("SELECT * FROM checklists WHERE name = ?", [spec.name]))
        if rows:
            checklist_id = str(rows[0]["id"])
            latest = get_latest_version(db, checklist_id)
            if latest.content_sha256 == digest:
                return latest, False
            number = latest.version + 1
            db.table("checklists").update(
                checklist_id,
                {
                    "description": spec.description,
                    "project_kinds": json.dumps([k.value for k in spec.project_kinds]),
                    # the company's own content now: built-in updates leave it alone
                    "builtin": int(builtin),
                },
            )
        else:
            checklist_id = new_id()
            number = 1
            db.table("checklists").insert(
                {
                    "id": checklist_id,
                    "name": spec.name,
                    "description": spec.description,
                    "project_kinds": json.dumps([k.value for k in spec.project_kinds]),
                    "builtin": int(builtin),
                }
            )
        version = ChecklistVersion(
            id=new_id(),
            checklist_id=checklist_id,
            version=number,
            created_at=clock.now_iso(),
            content_sha256=digest,
        )
        db.table("checklist_versions").insert(
            {**version.model_dump(), "frozen": 0, "source_yaml": canonical}
        )
        _insert_content(db, version.id, spec)
    return version, True


def _insert_content(db: Database, version_id: str, spec: ChecklistSpec) -> None:
    sections, items = [], []
    # No item narrows its section: leave items.area_types to its default '[]' (= the
    # section's), which also lets a database from before m007 take such a checklist.
    narrows = any(i.area_types for s in spec.sections for i in s.items)
    for s_pos, section in enumerate(spec.sections):
        section_id = new_id()
        sections.append(
            {
                "id": section_id,
                "version_id": version_id,
                "code": section.code,
                "name": section.name,
                "department": section.department,
                "area_types": json.dumps([a.value for a in section.area_types]),
                "position": s_pos,
            }
        )
        for i_pos, item in enumerate(section.items):
            narrowed = (
                {"area_types": json.dumps([a.value for a in item.area_types])} if narrows else {}
            )
            items.append(
                {
                    "id": new_id(),
                    "section_id": section_id,
                    "version_id": version_id,
                    "code": item.code,
                    "standard": item.standard,
                    "method": item.method,
                    "points": float(item.points),
                    "per_occurrence": float(item.per_occurrence),
                    "severity": item.severity.value,
                    "photo_required": int(item.photo_required),
                    "position": i_pos,
                    **narrowed,
                }
            )
    db.table("sections").insert_all(sections)
    db.table("items").insert_all(items)


def install_builtins(db: Database, clock: Clock) -> list[ChecklistVersion]:
    """Install the shipped checklists that are absent (内置检查表只安装一次).

    A checklist of the same name that exists — shipped earlier, or imported or edited
    by the company — is left as it is: a newer shipped version reaches the database
    only through ``pqm checklist update-builtins`` (:mod:`pqm_tui.services.builtin_checklists`).
    Returns the latest version of each shipped checklist.
    """
    versions = []
    for spec in builtin_specs():
        existing = checklist_id_by_name(db, spec.name)
        if existing is None:
            versions.append(import_spec(db, spec, clock, builtin=True)[0])
        else:
            versions.append(get_latest_version(db, existing))
    return versions


def checklist_id_by_name(db: Database, name: str) -> str | None:
    """The id of the checklist called ``name``, or None."""
    rows = list(db.query("SELECT id FROM checklists WHERE name = ?", [name]))
    return str(rows[0]["id"]) if rows else None


def list_checklists(db: Database) -> list[ChecklistSummary]:
    rows = db.query(
        """SELECT c.*, v.id AS vid, v.version AS vnum,
                  (SELECT count(*) FROM items WHERE version_id = v.id) AS n
           FROM checklists c JOIN checklist_versions v ON v.checklist_id = c.id
           WHERE v.version = (SELECT max(version) FROM checklist_versions
                              WHERE checklist_id = c.id)
           ORDER BY c.builtin DESC, c.name"""
    )
    return [
        ChecklistSummary(_checklist(r), int(r["vnum"]), str(r["vid"]), int(r["n"])) for r in rows
    ]


def find_checklist(db: Database, name_or_id: str) -> Checklist:
    """A checklist by id, by exact name, or by the id of one of its versions."""
    rows = list(
        db.query(
            """SELECT * FROM checklists WHERE id = ? OR name = ?
               OR id = (SELECT checklist_id FROM checklist_versions WHERE id = ?)""",
            [name_or_id, name_or_id, name_or_id],
        )
    )
    if not rows:
        raise NotFoundError("errors.checklist.not_found", name=name_or_id)
    return _checklist(rows[0])


def _version(row: dict[str, object]) -> ChecklistVersion:
    return ChecklistVersion(
        id=str(row["id"]),
        checklist_id=str(row["checklist_id"]),
        version=int(row["version"]),  # type: ignore[call-overload]
        created_at=str(row["created_at"]),
        content_sha256=str(row["content_sha256"]),
        frozen=as_bool(row["frozen"]),  # type: ignore[arg-type]
    )


def get_latest_version(db: Database, checklist_id: str) -> ChecklistVersion:
    rows = list(
        db.query(
            "SELECT * FROM checklist_versions WHERE checklist_id = ? ORDER BY version DESC LIMIT 1",
            [checklist_id],
        )
    )
    if not rows:
        raise NotFoundError("errors.checklist.no_version", id=checklist_id)
    return _version(rows[0])


def list_versions(db: Database, checklist_id: str) -> list[ChecklistVersion]:
    return [
        _version(r)
        for r in db.query(
            "SELECT * FROM checklist_versions WHERE checklist_id = ? ORDER BY version",
            [checklist_id],
        )
    ]


def freeze_version(db: Database, version_id: str) -> None:
    """Mark a version as used by an inspection: it can no longer change."""
    db.execute("UPDATE checklist_versions SET frozen = 1 WHERE id = ? AND frozen = 0", [version_id])


def load_version(db: Database, version_id: str) -> VersionContent:
    """A version with all its sections and items."""
    rows = list(db.query("SELECT * FROM checklist_versions WHERE id = ?", [version_id]))
    if not rows:
        raise NotFoundError("errors.checklist.version_not_found", id=version_id)
    version = _version(rows[0])
    checklist = _checklist(
        next(db.query("SELECT * FROM checklists WHERE id = ?", [version.checklist_id]))
    )
    sections = [
        Section(
            id=r["id"],
            version_id=r["version_id"],
            code=r["code"],
            name=r["name"],
            department=r["department"],
            area_types=json_list(r["area_types"]),
            position=r["position"],
        )
        for r in db.query(
            "SELECT * FROM sections WHERE version_id = ? ORDER BY position", [version_id]
        )
    ]
    order = {s.id: s.position for s in sections}
    items = [
        Item(
            id=r["id"],
            section_id=r["section_id"],
            code=r["code"],
            standard=r["standard"],
            method=r["method"],
            points=points(r["points"]),
            per_occurrence=points(r["per_occurrence"]),
            severity=r["severity"],
            photo_required=as_bool(r["photo_required"]),
            position=r["position"],
            area_types=json_list(r.get("area_types")),  # none before m007: the section's
        )
        for r in db.query("SELECT * FROM items WHERE version_id = ?", [version_id])
    ]
    items.sort(key=lambda i: (order[i.section_id], i.position))
    by_section: dict[str, list[Item]] = {s.id: [] for s in sections}
    for item in items:
        by_section[item.section_id].append(item)
    return VersionContent(checklist, version, sections, items, by_section)


def version_to_spec(content: VersionContent) -> ChecklistSpec:
    """Rebuild the file format from stored rows (export; round-trips)."""
    from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, SectionSpec

    return ChecklistSpec(
        name=content.checklist.name,
        description=content.checklist.description,
        project_kinds=content.checklist.project_kinds,
        sections=[
            SectionSpec(
                code=s.code,
                name=s.name,
                department=s.department,
                area_types=s.area_types,
                items=[
                    ItemSpec(
                        code=i.code,
                        standard=i.standard,
                        method=i.method,
                        points=i.points,
                        per_occurrence=i.per_occurrence,
                        severity=i.severity,
                        photo_required=i.photo_required,
                        area_types=i.area_types,
                    )
                    for i in content.items_by_section[s.id]
                ],
            )
            for s in content.sections
        ],
    )


def item_codes_and_standards(db: Database, version_id: str) -> dict[str, tuple[str, str]]:
    """Item id → (code, standard) for a checklist version's items."""
    return {
        r["id"]: (r["code"], r["standard"])
        for r in db.query("SELECT id, code, standard FROM items WHERE version_id = ?", [version_id])
    }


def expand_short_id(db: Database, ident: str) -> str:
    """The full checklist or version id ending in ``ident`` (6+ chars, unique), else ``ident``."""
    rows = list(
        db.query(
            "SELECT id FROM checklist_versions WHERE id LIKE ? UNION "
            "SELECT id FROM checklists WHERE id LIKE ?",
            ["%" + ident, "%" + ident],
        )
    )
    return str(rows[0]["id"]) if len(rows) == 1 and len(ident) >= 6 else ident
