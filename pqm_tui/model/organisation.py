"""Companies, city companies, projects, areas, departments and people (组织)."""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.entities import (
    Area,
    AreaType,
    CityCompany,
    Company,
    Department,
    Person,
    Project,
    ProjectKind,
)
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.ids import new_id


def add_company(db: Database, name: str) -> Company:
    company = Company(id=new_id(), name=name)
    db.table("companies").insert(company.model_dump())
    return company


def add_city_company(db: Database, company_id: str, name: str) -> CityCompany:
    city = CityCompany(id=new_id(), company_id=company_id, name=name)
    db.table("city_companies").insert(city.model_dump())
    return city


def add_project(
    db: Database, city_company_id: str, name: str, kind: ProjectKind, address: str = ""
) -> Project:
    project = Project(
        id=new_id(), city_company_id=city_company_id, name=name, kind=kind, address=address
    )
    db.table("projects").insert(project.model_dump(mode="json"))
    return project


def add_area(db: Database, project_id: str, name: str, area_type: AreaType, position: int) -> Area:
    area = Area(
        id=new_id(), project_id=project_id, name=name, area_type=area_type, position=position
    )
    db.table("areas").insert(area.model_dump(mode="json"))
    return area


def add_department(db: Database, name: str, project_id: str | None = None) -> Department:
    department = Department(id=new_id(), name=name, project_id=project_id)
    db.table("departments").insert(department.model_dump())
    return department


def add_person(
    db: Database,
    name: str,
    role: str,
    department_id: str | None = None,
    project_id: str | None = None,
) -> Person:
    person = Person(
        id=new_id(), name=name, role=role, department_id=department_id, project_id=project_id
    )
    db.table("people").insert(person.model_dump())
    return person


def list_projects(db: Database) -> list[Project]:
    """All projects, by name."""
    return [Project.model_validate(r) for r in db.query("SELECT * FROM projects ORDER BY name")]


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


def first_company_name(db: Database) -> str:
    """The name of the first company entered, or "" when there is none."""
    row = db.execute("SELECT name FROM companies ORDER BY rowid LIMIT 1").fetchone()
    return str(row[0]) if row else ""


def signature_image_by_name(db: Database, name: str) -> str | None:
    """The stored signature image of the first person called ``name``, or None."""
    row = db.execute("SELECT signature_image FROM people WHERE name = ? LIMIT 1", [name]).fetchone()
    return row[0] if row else None
