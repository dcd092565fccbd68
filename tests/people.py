"""The demo's people by role, for tests that act as real people (演示人员).

Tests name who acts by a person of the demo organisation, never by free text: the
services refuse an unknown actor, and each move is allowed to some roles only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Role
from pqm_tui.model.identity import resolve_person

INSPECTOR = "王丽华"  # 品质督导
LEADER = "陈志强"  # 品管组长
INSPECTOR_2 = "刘芳"  # 品质专员
QUALITY_MANAGER = "黄建国"  # 品质部经理
ADMINISTRATOR = "徐静"  # 系统管理员
CHENGDU_GM = "胡志远"  # 城市总经理 of 成都城市公司
CHONGQING_GM = "杨光明"  # 城市总经理 of 重庆城市公司


def person_id(db: Database, name: str) -> str:
    """The id of the active person called ``name``."""
    return resolve_person(db, name).id


def with_role(db: Database, role: Role, project_id: str | None = None) -> str:
    """The id of the first active person with ``role`` (in ``project_id`` when given)."""
    sql = "SELECT id, roles FROM people WHERE archived_at IS NULL"
    params: list[str] = []
    if project_id is not None:
        sql += " AND project_id = ?"
        params.append(project_id)
    for row in db.query(sql + " ORDER BY name", params):
        if role.value in row["roles"]:
            return str(row["id"])
    raise LookupError(f"no {role} in project {project_id}")


def manager_of(db: Database, project_id: str) -> str:
    """The project manager (项目经理) of ``project_id``."""
    return with_role(db, Role.PROJECT_MANAGER, project_id)


def general_manager_of(db: Database, project_id: str) -> str:
    """The city general manager of the project's city company (城市总经理)."""
    city = db.execute("SELECT city_company_id FROM projects WHERE id = ?", [project_id]).fetchone()
    row = db.execute(
        """SELECT people.id FROM people, json_each(people.roles) r
           WHERE r.value = 'city-general-manager' AND people.city_company_id = ?""",
        [city[0]],
    ).fetchone()
    return str(row[0])


@dataclass(frozen=True)
class DemoPeople:
    """The ids of the demo's quality department, administrator and city GMs."""

    inspector: str
    leader: str
    inspector_2: str
    quality_manager: str
    administrator: str
    chengdu_gm: str
    chongqing_gm: str

    @classmethod
    def of(cls, db: Database) -> DemoPeople:
        names = (
            INSPECTOR,
            LEADER,
            INSPECTOR_2,
            QUALITY_MANAGER,
            ADMINISTRATOR,
            CHENGDU_GM,
            CHONGQING_GM,
        )
        return cls(*(person_id(db, n) for n in names))


def issuer(db: Database) -> str:
    """Someone of the quality department, who may issue every document: the quality manager
    when there is one (the demo's 黄建国), else the first inspector."""
    for role in (Role.QUALITY_MANAGER, Role.QUALITY_GROUP_LEADER, Role.INSPECTOR):
        try:
            return with_role(db, role)
        except LookupError:
            continue
    raise LookupError("nobody of the quality department")


def uphold_appeal(db: Database, clock: Clock, item_id: str, reason: str) -> None:
    """An appeal (申诉) upheld by both levels, each by the person whose word it is: the
    project manager asks, the quality manager reviews, the city general manager decides."""
    from pqm_tui.model.rectification import get_item
    from pqm_tui.services import rectification as rect

    project = get_item(db, item_id).project_id
    rect.request_appeal(db, clock, item_id, actor=manager_of(db, project), grounds=reason)
    quality = person_id(db, QUALITY_MANAGER)
    rect.review_appeal(db, clock, item_id, actor=quality, uphold=True, reason=reason)
    final = general_manager_of(db, project)
    rect.decide_appeal(db, clock, item_id, actor=final, uphold=True, reason=reason)
