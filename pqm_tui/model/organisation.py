"""Companies, city companies, projects, areas, departments and people (组织).

The one home of the organisation: add, edit and archive each, and read them.
Names are unique within their parent (a project's name across the company, an
area's within its project, a department's within its project or the company, a
person's within their project, or among the people of no project). Nothing is
deleted: an archived row (``archived_at``) stays readable by the inspections and
signed records that name it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, Literal, get_args

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import (
    Area,
    AreaType,
    CityCompany,
    Company,
    Department,
    Entity,
    InspectionKind,
    Person,
    Project,
    ProjectKind,
    Role,
)
from pqm_tui.model.errors import NotFoundError, RuleError, translate_locks
from pqm_tui.model.ids import new_id
from pqm_tui.model.names import lookalike
from pqm_tui.model.schema import ROLE_TITLES


def _insert(db: Database, table: str, entity: Entity) -> None:
    """Insert a row; columns at their default are left to the database.

    Only the table's columns are written: ``connect`` always migrates, but tests build
    databases of older schema versions with these functions.
    """
    row = entity.model_dump(mode="json", exclude_defaults=True)
    if "roles" in row:
        row["roles"] = json.dumps(row["roles"])
    columns = {c.name for c in db.table(table).columns}
    db.table(table).insert({k: v for k, v in row.items() if k in columns})


def _refuse_taken(
    db: Database,
    table: str,
    name: str,
    where: str,
    params: Sequence[Any],
    taken: str,
    current: str | None = None,
) -> None:
    """Refuse ``name`` when a row of ``table`` matching ``where`` has it (error ``taken``)
    or a look-alike of it (锦程・天府花园 beside 锦程·天府花园: ``errors.org.lookalike``).

    ``current``: the name the row has in the same place; kept as it is, it is not refused
    for a look-alike entered before look-alikes were (the row stays editable).
    """
    rows = db.execute(f"SELECT name FROM {table} WHERE {where}", list(params)).fetchall()
    existing = [str(row[0]) for row in rows]
    if name in existing:
        raise RuleError(taken, name=name)
    other = lookalike(name, existing) if name != current else None
    if other is not None:
        raise RuleError("errors.org.lookalike", name=name, existing=other)


def _check_name(name: str, what: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise RuleError("errors.org.name_empty", what=what)
    return cleaned


def add_company(db: Database, name: str) -> Company:
    company = Company(id=new_id(), name=name)
    db.table("companies").insert(company.model_dump())
    return company


def add_city_company(db: Database, company_id: str, name: str) -> CityCompany:
    """A city company (城市公司); its name is unique within the company."""
    name = _check_name(name, "city")
    _refuse_taken(
        db, "city_companies", name, "company_id = ?", [company_id], "errors.org.city_taken"
    )
    city = CityCompany(id=new_id(), company_id=company_id, name=name)
    _insert(db, "city_companies", city)
    return city


def add_project(
    db: Database,
    city_company_id: str,
    name: str,
    kind: ProjectKind,
    address: str = "",
    receiver_id: str | None = None,
) -> Project:
    """A project (物业项目); its name is unique across the company."""
    name = _check_name(name, "project")
    _refuse_taken(db, "projects", name, "1", [], "errors.org.project_taken")
    project = Project(
        id=new_id(),
        city_company_id=city_company_id,
        name=name,
        kind=kind,
        address=address,
        receiver_id=receiver_id,
    )
    _insert(db, "projects", project)
    return project


def add_area(db: Database, project_id: str, name: str, area_type: AreaType, position: int) -> Area:
    """An area (区域) of a project, walked in ``position`` order; unique name in the project."""
    name = _check_name(name, "area")
    _refuse_taken(db, "areas", name, "project_id = ?", [project_id], "errors.org.area_taken")
    area = Area(
        id=new_id(), project_id=project_id, name=name, area_type=area_type, position=position
    )
    _insert(db, "areas", area)
    return area


def add_department(
    db: Database,
    name: str,
    project_id: str | None = None,
    city_company_id: str | None = None,
) -> Department:
    """A department (部门) of a project, or of the company when ``project_id`` is None."""
    name = _check_name(name, "department")
    _refuse_taken(
        db, "departments", name, "project_id IS ?", [project_id], "errors.org.department_taken"
    )
    department = Department(
        id=new_id(), name=name, project_id=project_id, city_company_id=city_company_id
    )
    _insert(db, "departments", department)
    return department


def _person_scope(project_id: str | None) -> tuple[str, list[Any]]:
    """Where a person's name must be unique: their project, or among people of no project."""
    if project_id is not None:
        return "project_id = ?", [project_id]
    return "project_id IS NULL", []


def roles_of_title(title: str) -> list[Role]:
    """The roles a job title (职务) stands for: 项目经理 → project manager, 客服主管 → head …"""
    title = title.strip()
    for role, titles in ROLE_TITLES.items():
        if title in titles:
            return [Role(role)]
    return [Role.DEPARTMENT_HEAD] if title.endswith("主管") else []


def add_person(
    db: Database,
    name: str,
    role: str,
    department_id: str | None = None,
    project_id: str | None = None,
    *,
    roles: Sequence[Role] = (),
    city_company_id: str | None = None,
    phone: str = "",
) -> Person:
    """A person (人员): ``role`` is the title on documents, ``roles`` what they do
    (by default, what the title stands for)."""
    name = _check_name(name, "person")
    where, params = _person_scope(project_id)
    _refuse_taken(db, "people", name, where, params, "errors.org.person_taken")
    if project_id is not None and city_company_id is None:
        city_company_id = get_project(db, project_id).city_company_id
    person = Person(
        id=new_id(),
        name=name,
        role=role,
        roles=list(roles) or roles_of_title(role),
        department_id=department_id,
        project_id=project_id,
        city_company_id=city_company_id,
        phone=phone,
    )
    _insert(db, "people", person)
    return person


_EDITABLE = {
    "city_companies": {"name"},
    "projects": {"name", "kind", "address", "receiver_id", "city_company_id"},
    "areas": {"name", "area_type", "position"},
    "departments": {"name", "project_id", "city_company_id"},
    "people": {"name", "role", "roles", "department_id", "project_id", "city_company_id", "phone"},
}


def _column_value(value: Any) -> Any:
    """A value as its column holds it: enums by value, the roles list as JSON."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return json.dumps([_column_value(v) for v in value])
    return value


def _edit(db: Database, table: str, row_id: str, changes: dict[str, Any]) -> None:
    """Write the ``changes`` (columns of ``_EDITABLE``) to a row."""
    unknown = set(changes) - _EDITABLE[table]
    if unknown:
        raise ValueError(f"{table}: cannot edit {sorted(unknown)}")
    if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone() is None:
        raise NotFoundError("errors.org.not_found", id=row_id)
    with translate_locks():  # an area a signed inspection refers to keeps its name
        db.table(table).update(row_id, {k: _column_value(v) for k, v in changes.items()})


def edit_city_company(db: Database, city_id: str, *, name: str) -> CityCompany:
    """Rename a city company (unique within the company)."""
    city = get_city_company(db, city_id)
    name = _check_name(name, "city")
    where, params = "company_id = ? AND id != ?", [city.company_id, city_id]
    _refuse_taken(
        db, "city_companies", name, where, params, "errors.org.city_taken", current=city.name
    )
    _edit(db, "city_companies", city_id, {"name": name})
    return get_city_company(db, city_id)


def edit_project(db: Database, project_id: str, **changes: Any) -> Project:
    """Change a project's name, kind, address, receiver or city company."""
    if "name" in changes:
        changes["name"] = _check_name(changes["name"], "project")
        _refuse_taken(
            db,
            "projects",
            changes["name"],
            "id != ?",
            [project_id],
            "errors.org.project_taken",
            current=get_project(db, project_id).name,
        )
    _edit(db, "projects", project_id, changes)
    return get_project(db, project_id)


def edit_area(db: Database, area_id: str, **changes: Any) -> Area:
    """Change an area's name, type or order in the walk."""
    area = get_area(db, area_id)
    if "name" in changes:
        changes["name"] = _check_name(changes["name"], "area")
        _refuse_taken(
            db,
            "areas",
            changes["name"],
            "project_id = ? AND id != ?",
            [area.project_id, area_id],
            "errors.org.area_taken",
            current=area.name,
        )
    _edit(db, "areas", area_id, changes)
    return get_area(db, area_id)


def move_area(db: Database, area_id: str, offset: int) -> list[Area]:
    """Move an area ``offset`` places in its project's walk; the areas renumbered 0…n-1."""
    area = get_area(db, area_id)
    areas = [a for a in list_areas(db, area.project_id) if a.archived_at is None]
    index = next(i for i, a in enumerate(areas) if a.id == area_id)
    target = max(0, min(len(areas) - 1, index + offset))
    areas.insert(target, areas.pop(index))
    with db.atomic():
        for position, item in enumerate(areas):
            if item.position != position:
                db.table("areas").update(item.id, {"position": position})
    return list_areas(db, area.project_id)


def edit_department(db: Database, department_id: str, **changes: Any) -> Department:
    """Change a department's name or the project / city company it belongs to."""
    department = get_department(db, department_id)
    if "name" in changes or "project_id" in changes:
        name = _check_name(changes.get("name", department.name), "department")
        project_id = changes.get("project_id", department.project_id)
        where = "project_id IS ? AND id != ?"
        _refuse_taken(
            db,
            "departments",
            name,
            where,
            [project_id, department_id],
            "errors.org.department_taken",
            current=department.name if project_id == department.project_id else None,
        )
        changes["name"] = name
    _edit(db, "departments", department_id, changes)
    return get_department(db, department_id)


def edit_person(db: Database, person_id: str, **changes: Any) -> Person:
    """Change a person's name, title, roles, department, project, city company or phone."""
    person = get_person(db, person_id)
    if "name" in changes or "project_id" in changes:
        name = _check_name(changes.get("name", person.name), "person")
        project_id = changes.get("project_id", person.project_id)
        where, params = _person_scope(project_id)
        _refuse_taken(
            db,
            "people",
            name,
            f"{where} AND id != ?",
            [*params, person_id],
            "errors.org.person_taken",
            current=person.name if project_id == person.project_id else None,
        )
        changes["name"] = name
    _edit(db, "people", person_id, changes)
    return get_person(db, person_id)


Archivable = Literal["city_companies", "projects", "areas", "departments", "people"]
ARCHIVABLE: tuple[Archivable, ...] = get_args(Archivable)


def archive(db: Database, clock: Clock, table: Archivable, row_id: str) -> None:
    """Archive (归档) a row of ``ARCHIVABLE``: hidden from new work, kept for old records."""
    if table not in ARCHIVABLE:
        raise ValueError(f"{table} is not archived")
    if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone() is None:
        raise NotFoundError("errors.org.not_found", id=row_id)
    db.execute(
        f"UPDATE {table} SET archived_at = ? WHERE id = ? AND archived_at IS NULL",
        [clock.now_iso(), row_id],
    )


def names(db: Database, table: Archivable) -> dict[str, str]:
    """Every row's name by id (archived ones too), for showing what a row refers to."""
    if table not in ARCHIVABLE:
        raise ValueError(f"{table} has no names")
    return {str(i): str(n) for i, n in db.execute(f"SELECT id, name FROM {table}").fetchall()}


def restore(db: Database, table: Archivable, row_id: str) -> None:
    """Take a row out of the archive."""
    if table not in ARCHIVABLE:
        raise ValueError(f"{table} is not archived")
    db.execute(f"UPDATE {table} SET archived_at = NULL WHERE id = ?", [row_id])


def get_city_company(db: Database, city_id: str) -> CityCompany:
    rows = list(db.query("SELECT * FROM city_companies WHERE id = ?", [city_id]))
    if not rows:
        raise NotFoundError("errors.org.not_found", id=city_id)
    return CityCompany.model_validate(rows[0])


def find_city_company(db: Database, name_or_id: str) -> CityCompany:
    """A city company (城市公司) by exact name or id."""
    rows = list(
        db.query(
            "SELECT * FROM city_companies WHERE id = ? OR name = ? ORDER BY name",
            [name_or_id, name_or_id],
        )
    )
    if not rows:
        raise NotFoundError("errors.analysis.city_not_found", name=name_or_id)
    return CityCompany.model_validate(rows[0])


def list_city_companies(db: Database, *, active_only: bool = False) -> list[CityCompany]:
    """City companies by name (``active_only``: without the archived)."""
    where = "WHERE archived_at IS NULL" if active_only else ""
    return [
        CityCompany.model_validate(r)
        for r in db.query(f"SELECT * FROM city_companies {where} ORDER BY name")
    ]


def get_area(db: Database, area_id: str) -> Area:
    rows = list(db.query("SELECT * FROM areas WHERE id = ?", [area_id]))
    if not rows:
        raise NotFoundError("errors.org.not_found", id=area_id)
    return Area.model_validate(rows[0])


def get_department(db: Database, department_id: str) -> Department:
    rows = list(db.query("SELECT * FROM departments WHERE id = ?", [department_id]))
    if not rows:
        raise NotFoundError("errors.org.not_found", id=department_id)
    return Department.model_validate(rows[0])


def is_referenced(db: Database, table: Archivable, row_id: str) -> bool:
    """True when an inspection or a signed record names the row (so it can only be archived)."""
    checks = {
        "projects": ["SELECT 1 FROM inspections WHERE project_id = ? LIMIT 1"],
        "areas": ["SELECT 1 FROM findings WHERE area_id = ? LIMIT 1"],
        "people": ["SELECT 1 FROM inspection_inspectors WHERE person_id = ? LIMIT 1"],
        "city_companies": [
            """SELECT 1 FROM inspections i JOIN projects p ON p.id = i.project_id
               WHERE p.city_company_id = ? LIMIT 1"""
        ],
        "departments": ["SELECT 1 FROM people WHERE department_id = ? LIMIT 1"],
    }
    return any(db.execute(sql, [row_id]).fetchone() for sql in checks[table])


def set_default_checklist(
    db: Database, project_id: str, kind: InspectionKind, checklist_id: str | None
) -> None:
    """The checklist ``n`` proposes for a project and inspection kind (默认检查表); None clears."""
    db.execute(
        "DELETE FROM project_default_checklists WHERE project_id = ? AND inspection_kind = ?",
        [project_id, str(kind)],
    )
    if checklist_id is not None:
        db.table("project_default_checklists").insert(
            {
                "id": new_id(),
                "project_id": project_id,
                "inspection_kind": str(kind),
                "checklist_id": checklist_id,
            }
        )


def default_checklists(db: Database, project_id: str) -> dict[InspectionKind, str]:
    """A project's default checklist id per inspection kind."""
    rows = db.query(
        "SELECT inspection_kind, checklist_id FROM project_default_checklists WHERE project_id = ?",
        [project_id],
    )
    return {InspectionKind(r["inspection_kind"]): r["checklist_id"] for r in rows}


def all_default_checklists(db: Database, kind: InspectionKind) -> dict[str, str]:
    """Every project's default checklist id for one inspection kind, by project id."""
    rows = db.execute(
        "SELECT project_id, checklist_id FROM project_default_checklists WHERE inspection_kind = ?",
        [str(kind)],
    ).fetchall()
    return {str(project_id): str(checklist_id) for project_id, checklist_id in rows}


def list_projects(db: Database, *, active_only: bool = False) -> list[Project]:
    """All projects, by name (``active_only``: without the archived)."""
    where = "WHERE archived_at IS NULL" if active_only else ""
    return [
        Project.model_validate(r) for r in db.query(f"SELECT * FROM projects {where} ORDER BY name")
    ]


def area_counts(db: Database) -> dict[str, int]:
    """The number of areas (not archived) of each project that has some, by project id."""
    rows = db.execute(
        "SELECT project_id, count(*) FROM areas WHERE archived_at IS NULL GROUP BY project_id"
    ).fetchall()
    return {str(project_id): int(count) for project_id, count in rows}


def get_project(db: Database, project_id: str) -> Project:
    rows = list(db.query("SELECT * FROM projects WHERE id = ?", [project_id]))
    if not rows:
        raise NotFoundError("errors.project.not_found", name=project_id)
    return Project.model_validate(rows[0])


def find_project(db: Database, name_or_id: str) -> Project:
    """A project by exact name or id."""
    rows = list(
        db.query("SELECT * FROM projects WHERE id = ? OR name = ?", [name_or_id, name_or_id])
    )
    if not rows:
        raise NotFoundError("errors.project.not_found", name=name_or_id)
    return Project.model_validate(rows[0])


def project_context(db: Database, project_id: str) -> tuple[Company, CityCompany]:
    """The company and city company a project belongs to."""
    row = next(
        db.query(
            """SELECT c.id AS cid, c.name AS cname, cc.id AS ccid, cc.name AS ccname
               FROM projects p JOIN city_companies cc ON cc.id = p.city_company_id
               JOIN companies c ON c.id = cc.company_id WHERE p.id = ?""",
            [project_id],
        )
    )
    return (
        Company(id=row["cid"], name=row["cname"]),
        CityCompany(id=row["ccid"], company_id=row["cid"], name=row["ccname"]),
    )


def list_areas(db: Database, project_id: str) -> list[Area]:
    """A project's areas in walking order."""
    return [
        Area.model_validate(r)
        for r in db.query(
            "SELECT * FROM areas WHERE project_id = ? ORDER BY position, name", [project_id]
        )
    ]


def list_people(db: Database, project_id: str | None = None) -> list[Person]:
    """People of a project, or everybody (project_id None), by name."""
    if project_id is None:
        rows = db.query("SELECT * FROM people ORDER BY name")
    else:
        rows = db.query("SELECT * FROM people WHERE project_id = ? ORDER BY name", [project_id])
    return [Person.model_validate(r) for r in rows]


def inspectors(db: Database) -> list[Person]:
    """People who belong to no project: the quality department's inspectors."""
    return [
        Person.model_validate(r)
        for r in db.query("SELECT * FROM people WHERE project_id IS NULL ORDER BY name")
    ]


def find_person(db: Database, name_or_id: str) -> Person:
    rows = list(db.query("SELECT * FROM people WHERE id = ? OR name = ?", [name_or_id, name_or_id]))
    if not rows:
        raise NotFoundError("errors.person.not_found", name=name_or_id)
    return Person.model_validate(rows[0])


def get_person(db: Database, person_id: str) -> Person:
    return find_person(db, person_id)


def set_person_signature(db: Database, person_id: str, image_path: str | None) -> None:
    db.table("people").update(person_id, {"signature_image": image_path})


def set_person_pin(db: Database, person_id: str, pin_hash: str | None) -> None:
    db.table("people").update(person_id, {"pin_hash": pin_hash})


def list_departments(db: Database, project_id: str | None = None) -> list[Department]:
    rows = db.query(
        "SELECT * FROM departments WHERE project_id IS ? OR project_id IS NULL ORDER BY name",
        [project_id],
    )
    return [Department.model_validate(r) for r in rows]


def list_all_departments(db: Database) -> list[Department]:
    """Every department, company-wide ones and those of each project, by name."""
    return [
        Department.model_validate(r) for r in db.query("SELECT * FROM departments ORDER BY name")
    ]


def first_company(db: Database) -> Company | None:
    """The company entered first (公司), or None on a new database."""
    rows = list(db.query("SELECT id, name FROM companies ORDER BY rowid LIMIT 1"))
    return Company.model_validate(rows[0]) if rows else None


def first_company_name(db: Database) -> str:
    """The name of the first company entered, or "" when there is none."""
    row = db.execute("SELECT name FROM companies ORDER BY rowid LIMIT 1").fetchone()
    return str(row[0]) if row else ""


def signature_image_by_name(db: Database, name: str) -> str | None:
    """The stored signature image of the first person called ``name``, or None."""
    row = db.execute("SELECT signature_image FROM people WHERE name = ? LIMIT 1", [name]).fetchone()
    return row[0] if row else None
