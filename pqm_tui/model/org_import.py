"""Bulk import and export of the organisation (组织架构导入导出).

``plan_import`` checks the rows of an organisation file against each other and
against the database and says what would change — every problem at once, with
its sheet, row and column. ``apply_plan`` writes a plan without problems in one
transaction. Rows are matched by name within their parent (a project by name,
an area by project and name …), so importing the same file again changes
nothing; a project that changes city company, a person found by name and phone
in another place (moved), or a company renamed is listed in ``moves`` for the
user to confirm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Role
from pqm_tui.model.ids import new_id
from pqm_tui.model.names import is_phone, name_key
from pqm_tui.model.org_file import FileRow, OrgFile, Problem
from pqm_tui.model.organisation import roles_of_title

# The kinds of inspection a project's default checklist (默认检查表) is set for.
DEFAULT_KINDS = tuple(k for k in InspectionKind if k != InspectionKind.REINSPECTION)
ROLE_SEPARATORS = re.compile(r"[、,，;；/\n]+")
# Tables in the order their rows are inserted (references first).
INSERT_ORDER = ("companies", "city_companies", "projects", "departments", "people", "areas")


@dataclass(frozen=True)
class Vocabulary:
    """Words a file may use for enum values, and the labels written on export.

    ``words[field]`` maps a lower-cased word (value, label in any language, synonym)
    to the enum member; ``labels[field]`` maps a value to the label to write.
    Fields: ``kind``, ``area_type``, ``roles``.
    """

    words: Mapping[str, Mapping[str, StrEnum]]
    labels: Mapping[str, Mapping[str, str]]
    separator: str = "、"  # between the choices listed in a message


@dataclass(frozen=True)
class Change:
    """One thing an import does: action (add, change, restore, move, rename), sheet, name."""

    action: str
    sheet: str
    name: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot."""

    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    inserts: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {table: [] for table in INSERT_ORDER}
    )
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    defaults: list[tuple[str, str]] = field(default_factory=list)  # project id, checklist id

    @property
    def moves(self) -> list[Change]:
        """Changes the user confirms: something moved or renamed."""
        return [c for c in self.changes if c.action in ("move", "rename")]

    def counts(self) -> dict[tuple[str, str], int]:
        """Number of changes per (sheet, action)."""
        result: dict[tuple[str, str], int] = {}
        for change in self.changes:
            key = (change.sheet, change.action)
            result[key] = result.get(key, 0) + 1
        return result


def _rows(db: Database, sql: str) -> list[dict[str, Any]]:
    return list(db.query(sql))


class _Planner:
    """Builds an ImportPlan; one method per sheet, in the order references need."""

    def __init__(self, db: Database, vocabulary: Vocabulary) -> None:
        self.db = db
        self.vocabulary = vocabulary
        self.plan = ImportPlan()
        company = _rows(db, "SELECT id, name FROM companies ORDER BY rowid LIMIT 1")
        self.company: dict[str, Any] | None = company[0] if company else None
        self.cities = {r["name"]: r for r in _rows(db, "SELECT * FROM city_companies")}
        self.city_names = {r["id"]: r["name"] for r in self.cities.values()}
        self.projects = {r["name"]: r for r in _rows(db, "SELECT * FROM projects")}
        self.areas = {(r["project_id"], r["name"]): r for r in _rows(db, "SELECT * FROM areas")}
        self.departments = {
            (r["project_id"], r["name"]): r
            for r in _rows(db, "SELECT * FROM departments ORDER BY rowid DESC")
        }
        self.people = {
            (r["project_id"], r["name"]): r
            for r in _rows(db, "SELECT * FROM people ORDER BY rowid DESC")
        }
        self.checklists = {r["name"]: r["id"] for r in _rows(db, "SELECT id, name FROM checklists")}
        self.defaults: dict[str, dict[str, str]] = {}
        for r in _rows(db, "SELECT * FROM project_default_checklists"):
            self.defaults.setdefault(r["project_id"], {})[r["inspection_kind"]] = r["checklist_id"]
        self.company_id = ""
        self.receivers: list[tuple[FileRow, dict[str, Any]]] = []
        self.projects_by_id: dict[str, dict[str, Any]] = {}
        self.rejected_projects: set[str] = set()  # in the file, but with problems
        self.added_projects: set[str] = set()
        self.name_keys: dict[str, dict[tuple[str | None, str], str]] = {}  # see lookalike

    def problem(self, row: FileRow, column: str, key: str, /, **params: object) -> None:
        self.plan.problems.append(row.problem(column, key, **params))

    def change(self, action: str, sheet: str, name: str, /, **params: object) -> None:
        self.plan.changes.append(Change(action, sheet, name, params))

    def required(self, row: FileRow) -> bool:
        """False (and the problems said) when a required value of the row is empty."""
        missing = [c for c in row.sheet.columns if c.required and row.text(c.field) == ""]
        for column in missing:
            if column.field not in row.bad:  # a refused value is said already
                self.problem(row, column.field, "errors.org.required")
        return not missing

    def lookalike(self, row: FileRow, sheet: str, scope: str | None, name: str) -> bool:
        """True (and the problem said) when ``name`` reads as another name of its place
        (锦程・天府花园 beside 锦程·天府花园) in the database or earlier in the file;
        otherwise the name is taken into its place's names."""
        if sheet not in self.name_keys:  # the database's names, by place and key
            names: dict[str, Iterable[tuple[str | None, str]]] = {
                "cities": ((None, n) for n in self.cities),
                "projects": ((None, n) for n in self.projects),
                "departments": self.departments,
                "people": self.people,
                "areas": self.areas,
            }
            self.name_keys[sheet] = {(p, name_key(n)): n for p, n in names[sheet]}
        keys = self.name_keys[sheet]
        other = keys.setdefault((scope, name_key(name)), name)
        if other != name:
            self.problem(row, "name", "errors.org.lookalike", name=name, existing=other)
        return other != name

    def word(self, row: FileRow, name: str, text: str) -> StrEnum | None:
        member = self.vocabulary.words[name].get(text.strip().lower())
        if member is None:
            choices = self.vocabulary.separator.join(self.vocabulary.labels[name].values())
            self.problem(row, name, f"errors.org.unknown.{name}", value=text, choices=choices)
        return member

    def update(self, table: str, row: dict[str, Any], values: dict[str, Any]) -> bool:
        """Queue the values of ``row`` that differ (and take them in); True when any does."""
        changed = {k: v for k, v in values.items() if row.get(k) != v}
        if changed:
            self.plan.updates.append((table, row["id"], changed))
            row.update(changed)
        return bool(changed)

    # --- sheets -------------------------------------------------------------------

    def city_companies(self, rows: list[FileRow]) -> None:
        company_names = [r.text("company") for r in rows if r.text("company")]
        if self.company is None:
            if not company_names:
                if rows:
                    self.problem(rows[0], "company", "errors.org.no_company")
                self.company_id = ""
            else:
                self.company_id = new_id()
                self.plan.inserts["companies"].append(
                    {"id": self.company_id, "name": company_names[0]}
                )
                self.change("add", "companies", company_names[0])
        else:
            self.company_id = self.company["id"]
            if company_names and company_names[0] != self.company["name"]:
                self.plan.updates.append(("companies", self.company_id, {"name": company_names[0]}))
                self.change("rename", "companies", company_names[0], old=self.company["name"])
        seen: set[str] = set()
        for row in rows:
            if not self.required(row):
                continue
            name = row.text("name")
            if name in seen:
                self.problem(row, "name", "errors.org.duplicate.city", name=name)
                continue
            seen.add(name)
            if name not in self.cities and self.lookalike(row, "cities", None, name):
                continue
            existing = self.cities.get(name)
            if existing is None:
                city = {"id": new_id(), "company_id": self.company_id, "name": name}
                self.plan.inserts["city_companies"].append(city)
                self.cities[name] = city
                self.city_names[city["id"]] = name
                self.change("add", "city_companies", name)
            elif existing.get("archived_at"):
                self.update("city_companies", existing, {"archived_at": None})
                self.change("restore", "city_companies", name)

    def projects_sheet(self, rows: list[FileRow]) -> None:
        seen: dict[str, str] = {}
        for row in rows:
            if not self.required(row):
                continue
            name, city_name = row.text("name"), row.text("city_company")
            if name in seen:
                same_city = seen[name] == city_name
                key = (
                    "errors.org.duplicate.project_city"
                    if same_city
                    else "errors.org.duplicate.project_company"
                )
                self.problem(row, "name", key, name=name, city=seen[name])
                continue
            seen[name] = city_name
            if name not in self.projects:
                self.rejected_projects.add(name)  # until the row proves right
                if self.lookalike(row, "projects", None, name):
                    continue
            city = self.cities.get(city_name)
            kind = self.word(row, "kind", row.text("kind"))
            if city is None:
                self.problem(row, "city_company", "errors.org.unknown_city", name=city_name)
            checklist_name = row.text("default_checklist")
            checklist_id = self.checklists.get(checklist_name) if checklist_name else None
            if checklist_name and checklist_id is None:
                self.problem(
                    row, "default_checklist", "errors.org.unknown_checklist", name=checklist_name
                )
            if city is None or kind is None:
                continue
            values = {
                "city_company_id": city["id"],
                "kind": str(kind),
                "address": row.text("address"),
            }
            existing = self.projects.get(name)
            if existing is None:
                project = {"id": new_id(), "name": name, **values}
                self.plan.inserts["projects"].append(project)
                self.projects[name] = project
                self.added_projects.add(project["id"])
                self.rejected_projects.discard(name)
                self.change("add", "projects", name)
            else:
                project = existing
                if existing["city_company_id"] != city["id"]:
                    old_city = self.city_names.get(existing["city_company_id"], "?")
                    self.change("move", "projects", name, old=old_city, new=city_name)
                    self.update("projects", existing, values)
                elif self.update("projects", existing, values):
                    self.change("change", "projects", name)
                if existing.get("archived_at"):
                    self.update("projects", existing, {"archived_at": None})
                    self.change("restore", "projects", name)
            if row.text("receiver"):
                self.receivers.append((row, project))
            if checklist_id is not None:
                current = self.defaults.get(project["id"], {})
                if any(current.get(str(k)) != checklist_id for k in DEFAULT_KINDS):
                    self.plan.defaults.append((project["id"], checklist_id))
                    if existing is not None:
                        self.change("change", "projects", name)

    def project_of(self, row: FileRow, name: str = "project") -> tuple[bool, str | None]:
        """(found, project id) of the row's project column; (True, None) when it is empty."""
        text = row.text(name)
        if not text:
            return True, None
        project = self.projects.get(text)
        if project is None:
            if text not in self.rejected_projects:  # its own row says what is wrong
                self.problem(row, name, "errors.org.unknown_project", name=text)
            return False, None
        return True, str(project["id"])

    def departments_sheet(self, rows: list[FileRow]) -> None:
        seen: set[tuple[str | None, str]] = set()
        for row in rows:
            if not self.required(row):
                continue
            found, project_id = self.project_of(row)
            if not found:
                continue
            key = (project_id, row.text("name"))
            if key in seen:
                self.problem(row, "name", "errors.org.duplicate.department", name=key[1])
                continue
            seen.add(key)
            if key not in self.departments and self.lookalike(row, "departments", *key):
                continue
            existing = self.departments.get(key)
            project = self._project_by_id(project_id)
            city_id = project["city_company_id"] if project else None
            if existing is None:
                department = {
                    "id": new_id(),
                    "name": key[1],
                    "project_id": project_id,
                    "city_company_id": city_id,
                }
                self.plan.inserts["departments"].append(department)
                self.departments[key] = department
                self.change("add", "departments", key[1])
            elif existing.get("archived_at"):
                self.update("departments", existing, {"archived_at": None})
                self.change("restore", "departments", key[1])

    def _project_by_id(self, project_id: str | None) -> dict[str, Any] | None:
        if project_id is None:
            return None
        if len(self.projects_by_id) != len(self.projects):
            self.projects_by_id = {p["id"]: p for p in self.projects.values()}
        return self.projects_by_id.get(project_id)

    def people_sheet(self, rows: list[FileRow]) -> None:
        seen: set[tuple[str | None, str]] = set()
        by_phone = {(r["name"], r["phone"]): r for r in self.people.values() if r.get("phone")}
        for row in rows:
            if not self.required(row):
                continue
            name = row.text("name")
            roles = self.roles(row)
            place = self.person_place(row)
            if place is None:
                continue
            project_id, city_id, department_id = place
            key = (project_id, name)
            if key in seen:
                self.problem(row, "name", "errors.org.duplicate.person", name=name)
                continue
            seen.add(key)
            if row.text("roles") and not roles:
                continue
            if key not in self.people and self.lookalike(row, "people", project_id, name):
                continue
            phone = row.text("phone")  # checked when new or changed: one kept from before is theirs
            if phone and phone != (self.people.get(key) or {}).get("phone") and not is_phone(phone):
                self.problem(row, "phone", "errors.org.phone", value=row.text("phone"))
                continue
            title = row.text("title")
            if not roles:
                roles = roles_of_title(title)
            elif not title:
                title = self.vocabulary.labels["roles"][roles[0]]
            values = {
                "role": title,
                "roles": json.dumps([str(r) for r in roles]),
                "department_id": department_id,
                "project_id": project_id,
                "city_company_id": city_id,
                "phone": row.text("phone"),
            }
            existing = self.people.get(key)
            moved = by_phone.get((name, row.text("phone"))) if existing is None else None
            if existing is None and moved is not None and row.text("phone"):
                old = self._project_by_id(moved["project_id"])
                self.change(
                    "move",
                    "people",
                    name,
                    old=old["name"] if old else "—",
                    new=row.text("project") or "—",
                )
                self.update("people", moved, values)
                self.people[key] = moved
            elif existing is None:
                person = {"id": new_id(), "name": name, **values}
                self.plan.inserts["people"].append(person)
                self.people[key] = person
                self.change("add", "people", name)
            else:
                if self.update("people", existing, values):
                    self.change("change", "people", name)
                if existing.get("archived_at"):
                    self.update("people", existing, {"archived_at": None})
                    self.change("restore", "people", name)

    def roles(self, row: FileRow) -> list[Role]:
        """The roles of a person's row: 、 , ; or a new line between them (or spaces, when
        each word is a role: "品质督导 品管组长")."""
        known = self.vocabulary.words["roles"]
        words: list[str] = []
        for part in ROLE_SEPARATORS.split(row.text("roles")):
            part = part.strip()
            spaced = part.split()
            if (
                part.lower() not in known
                and len(spaced) > 1
                and all(w.lower() in known for w in spaced)
            ):
                words += spaced
            elif part:
                words.append(part)
        roles: list[Role] = []
        for word in words:
            role = self.word(row, "roles", word)
            if role is not None and role not in roles:
                roles.append(Role(role))
        return roles

    def person_place(self, row: FileRow) -> tuple[str | None, str | None, str | None] | None:
        """(project, city company, department) ids of a person's row; None if one is wrong."""
        found, project_id = self.project_of(row)
        project = self._project_by_id(project_id)
        city_id = project["city_company_id"] if project else None
        city_name = row.text("city_company")
        if city_name:
            city = self.cities.get(city_name)
            if city is None:
                self.problem(row, "city_company", "errors.org.unknown_city", name=city_name)
                found = False
            elif project is not None and city["id"] != city_id:
                elsewhere = self.city_names.get(city_id or "", "?")
                self.problem(
                    row,
                    "city_company",
                    "errors.org.project_elsewhere",
                    project=row.text("project"),
                    city=elsewhere,
                )
                found = False
            else:
                city_id = city["id"]
        department_id = None
        name = row.text("department")
        if name and (project_id is not None or not row.text("project")):
            department = self.departments.get((project_id, name)) or self.departments.get(
                (None, name)
            )
            if department is None:
                self.problem(row, "department", "errors.org.unknown_department", name=name)
                found = False
            else:
                department_id = department["id"]
        return (project_id, city_id, department_id) if found else None

    def areas_sheet(self, rows: list[FileRow]) -> None:
        seen: set[tuple[str, str]] = set()
        order: dict[str, int] = {}
        for row in rows:
            if not self.required(row):
                continue
            found, project_id = self.project_of(row)
            area_type = self.word(row, "area_type", row.text("area_type"))
            if not found or project_id is None or area_type is None:
                continue
            key = (project_id, row.text("name"))
            if key in seen:
                self.problem(
                    row,
                    "name",
                    "errors.org.duplicate.area",
                    name=key[1],
                    project=row.text("project"),
                )
                continue
            seen.add(key)
            if key not in self.areas and self.lookalike(row, "areas", *key):
                continue
            position = row.values.get("position")
            order[project_id] = order.get(project_id, -1) + 1
            values = {
                "area_type": str(area_type),
                "position": order[project_id] if position is None else int(position),
            }
            existing = self.areas.get(key)
            if existing is None:
                self.plan.inserts["areas"].append(
                    {"id": new_id(), "project_id": project_id, "name": key[1], **values}
                )
                self.change("add", "areas", key[1])
            else:
                if self.update("areas", existing, values):
                    self.change("change", "areas", key[1])
                if existing.get("archived_at"):
                    self.update("areas", existing, {"archived_at": None})
                    self.change("restore", "areas", key[1])

    def receivers_of_projects(self) -> None:
        for row, project in self.receivers:
            name = row.text("receiver")
            person = self.people.get((project["id"], name)) or self.people.get((None, name))
            if person is None:
                self.problem(
                    row,
                    "receiver",
                    "errors.org.unknown_receiver",
                    name=name,
                    project=project["name"],
                )
            elif project["id"] in self.added_projects:  # set once its people are in
                self.plan.updates.append(("projects", project["id"], {"receiver_id": person["id"]}))
            elif self.update("projects", project, {"receiver_id": person["id"]}):
                self.change("change", "projects", project["name"])


def plan_import(db: Database, org_file: OrgFile, vocabulary: Vocabulary) -> ImportPlan:
    """What importing ``org_file`` would change, with every problem of the file."""
    planner = _Planner(db, vocabulary)
    planner.plan.problems.extend(org_file.problems)
    rows = org_file.rows
    planner.city_companies(rows["city_companies"])
    planner.projects_sheet(rows["projects"])
    planner.departments_sheet(rows["departments"])
    planner.people_sheet(rows["people"])
    planner.areas_sheet(rows["areas"])
    planner.receivers_of_projects()
    # the same thing counted once ("change" of a project by its fields and its receiver)
    once = {(c.action, c.sheet, c.name): c for c in reversed(planner.plan.changes)}
    planner.plan.changes = list(reversed(once.values()))
    return planner.plan


def apply_plan(db: Database, plan: ImportPlan) -> None:
    """Write a plan without problems, all or nothing."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    with db.atomic():
        for table in INSERT_ORDER:
            rows = plan.inserts[table]
            if rows:
                db.table(table).insert_all(rows, batch_size=500)
        for table, row_id, values in plan.updates:
            db.table(table).update(row_id, values)
        for project_id, checklist_id in plan.defaults:
            for kind in DEFAULT_KINDS:
                db.execute(
                    """INSERT INTO project_default_checklists
                       (id, project_id, inspection_kind, checklist_id) VALUES (?, ?, ?, ?)
                       ON CONFLICT (project_id, inspection_kind)
                       DO UPDATE SET checklist_id = excluded.checklist_id""",
                    [new_id(), project_id, str(kind), checklist_id],
                )


def export_rows(db: Database, vocabulary: Vocabulary) -> dict[str, list[dict[str, object]]]:
    """The organisation's rows that are not archived, as the file holds them."""
    labels = vocabulary.labels
    company = _rows(db, "SELECT name FROM companies ORDER BY rowid LIMIT 1")
    company_name = company[0]["name"] if company else ""
    active = "archived_at IS NULL"
    cities = {r["id"]: r["name"] for r in _rows(db, f"SELECT * FROM city_companies WHERE {active}")}
    people_names = {r["id"]: r["name"] for r in _rows(db, "SELECT id, name FROM people")}
    checklists = {r["id"]: r["name"] for r in _rows(db, "SELECT id, name FROM checklists")}
    defaults: dict[str, set[str]] = {}
    kinds: dict[str, set[str]] = {}
    for r in _rows(db, "SELECT * FROM project_default_checklists"):
        defaults.setdefault(r["project_id"], set()).add(r["checklist_id"])
        kinds.setdefault(r["project_id"], set()).add(r["inspection_kind"])
    all_kinds = {str(k) for k in DEFAULT_KINDS}
    projects = _rows(db, f"SELECT * FROM projects WHERE {active} ORDER BY name")
    project_names = {p["id"]: p["name"] for p in projects}
    departments = _rows(db, f"SELECT * FROM departments WHERE {active} ORDER BY name")
    department_names = {d["id"]: d["name"] for d in departments}

    def default_of(project_id: str) -> str:
        chosen = defaults.get(project_id, set())
        if len(chosen) == 1 and kinds.get(project_id, set()) >= all_kinds:
            return str(checklists.get(next(iter(chosen)), ""))
        return ""

    return {
        "city_companies": [
            {"company": company_name, "name": name} for name in sorted(cities.values())
        ],
        "projects": [
            {
                "city_company": cities.get(p["city_company_id"], ""),
                "name": p["name"],
                "kind": labels["kind"].get(p["kind"], p["kind"]),
                "address": p["address"],
                "receiver": people_names.get(p["receiver_id"] or "", ""),
                "default_checklist": default_of(p["id"]),
            }
            for p in projects
            if p["city_company_id"] in cities
        ],
        "areas": [
            {
                "project": project_names[a["project_id"]],
                "name": a["name"],
                "area_type": labels["area_type"].get(a["area_type"], a["area_type"]),
                "position": a["position"],
            }
            for a in _rows(
                db,
                f"""SELECT a.* FROM areas a JOIN projects p ON p.id = a.project_id
                    WHERE a.{active} ORDER BY p.name, a.position, a.name""",
            )
            if a["project_id"] in project_names
        ],
        "departments": [
            {"project": project_names.get(d["project_id"] or "", ""), "name": d["name"]}
            for d in departments
            if d["project_id"] is None or d["project_id"] in project_names
        ],
        "people": [
            {
                "name": p["name"],
                "roles": [labels["roles"].get(r, r) for r in json.loads(p["roles"])],
                "title": p["role"],
                "city_company": cities.get(p["city_company_id"] or "", ""),
                "project": project_names.get(p["project_id"] or "", ""),
                "department": department_names.get(p["department_id"] or "", ""),
                "phone": p["phone"],
            }
            for p in _rows(db, f"SELECT * FROM people WHERE {active} ORDER BY name")
            if p["project_id"] is None or p["project_id"] in project_names
        ],
    }


def example_rows(vocabulary: Vocabulary, lang: str) -> dict[str, list[dict[str, object]]]:
    """The filled example row of each sheet of the template (a consistent small company)."""
    labels = vocabulary.labels
    zh = lang == "zh"
    city = "成都城市公司" if zh else "Chengdu"
    project = "锦程·示例花园" if zh else "Sample Gardens"
    manager = "张伟" if zh else "Zhang Wei"
    return {
        "city_companies": [{"company": "锦程物业" if zh else "Jincheng Property", "name": city}],
        "projects": [
            {
                "city_company": city,
                "name": project,
                "kind": labels["kind"][ProjectKind.RESIDENTIAL],
                "address": "成都市高新区天府大道 1 号" if zh else "1 Tianfu Avenue, Chengdu",
                "receiver": manager,
            }
        ],
        "areas": [
            {
                "project": project,
                "name": "主入口岗亭" if zh else "Main gate",
                "area_type": labels["area_type"][AreaType.GATE],
                "position": 1,
            }
        ],
        "departments": [{"project": project, "name": "客服部" if zh else "Customer service"}],
        "people": [
            {
                "name": manager,
                "roles": [labels["roles"][Role.PROJECT_MANAGER]],
                "title": "项目经理" if zh else "Project manager",
                "city_company": city,
                "project": project,
                "department": "客服部" if zh else "Customer service",
                "phone": "13800000000",
            }
        ],
    }
