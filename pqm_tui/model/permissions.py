"""Who may do what (权限): one table of actions and the roles and conditions they need.

Every change of data is an ``Action`` done by a known, active person (``model.identity``).
``RULES`` says, per action, which roles (角色) may do it and which conditions must hold
besides: being one of the inspection's inspectors, belonging to the item's project, being
impartial (neither the requester nor anyone of the requesting project), belonging to the
project's city company. ``require`` is called by the services before they write; a refusal
is a ``PermissionDenied`` naming who may do it (roles by their labels, conditions by theirs).
The README's permission table is this table (``pqm person permissions --format markdown``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database

from pqm_tui.model.db import SYSTEM_ACTOR
from pqm_tui.model.entities import Person, Role
from pqm_tui.model.errors import RuleError
from pqm_tui.model.identity import IdentityError, active_person


class Action(StrEnum):
    """A change of data someone does (操作); the value names it in messages and tables."""

    CREATE_INSPECTION = "create-inspection"  # 新建检查
    WALK_INSPECTION = "walk-inspection"  # 检查记录
    SIGN_INSPECTION = "sign-inspection"  # 签字确认
    ISSUE_NOTICE = "issue-notice"  # 签发整改通知单
    RECEIVE_NOTICE = "receive-notice"  # 签收整改通知单
    REPLY = "reply"  # 整改回复
    REQUEST_EXTENSION = "request-extension"  # 延期申请
    DECIDE_EXTENSION = "decide-extension"  # 审批延期
    REQUEST_APPEAL = "request-appeal"  # 申诉
    REVIEW_APPEAL = "review-appeal"  # 申诉初审（品质部经理）
    DECIDE_APPEAL = "decide-appeal"  # 申诉终审（城市总经理）
    CREATE_REINSPECTION = "create-reinspection"  # 安排复检
    SIGN_REINSPECTION = "sign-reinspection"  # 复检签字
    ISSUE_SECOND_NOTICE = "issue-second-notice"  # 第二次整改通知单
    ISSUE_CIRCULAR = "issue-circular"  # 通报
    EDIT_ORGANISATION = "edit-organisation"  # 组织架构维护、导入
    MANAGE_CHECKLISTS = "manage-checklists"  # 检查表导入、更新
    RESET_PIN = "reset-pin"  # 重置他人签字密码
    MANAGE_KEYS = "manage-keys"  # 签名密钥
    ABANDON_INSPECTION = "abandon-inspection"  # 作废草稿检查
    PROPOSE_AMENDMENT = "propose-amendment"  # 提出更正申请
    APPROVE_AMENDMENT = "approve-amendment"  # 审批更正申请
    COMPUTE_ASSESSMENT = "compute-assessment"  # 计算月度考核
    PUBLISH_ASSESSMENT = "publish-assessment"  # 发布月度考核


class Condition(StrEnum):
    """What must hold besides the role (范围条件)."""

    INSPECTOR_OF = "inspector-of"  # one of that inspection's inspectors
    OF_PROJECT = "of-project"  # a person of the item's (notice's) project
    IMPARTIAL = "impartial"  # neither the requester nor anyone of the requesting project
    CITY_OF_PROJECT = "city-of-project"  # of the city company the project belongs to


@dataclass(frozen=True)
class Rule:
    """Who may do an action: one of ``roles`` and every condition; ``self_allowed``: the
    person concerned (``person_id``) may too, whatever his roles."""

    roles: frozenset[Role]
    conditions: tuple[Condition, ...] = ()
    self_allowed: bool = False


EVERY_ROLE = frozenset(Role)
QUALITY = frozenset({Role.INSPECTOR, Role.QUALITY_GROUP_LEADER, Role.QUALITY_MANAGER})
PROJECT = frozenset({Role.PROJECT_MANAGER, Role.DEPARTMENT_HEAD})
ADMIN = frozenset({Role.ADMINISTRATOR})

RULES: dict[Action, Rule] = {
    Action.CREATE_INSPECTION: Rule(QUALITY),
    Action.WALK_INSPECTION: Rule(EVERY_ROLE, (Condition.INSPECTOR_OF,)),
    Action.SIGN_INSPECTION: Rule(EVERY_ROLE, (Condition.INSPECTOR_OF,)),
    Action.ISSUE_NOTICE: Rule(QUALITY),
    Action.RECEIVE_NOTICE: Rule(PROJECT, (Condition.OF_PROJECT,)),
    Action.REPLY: Rule(PROJECT, (Condition.OF_PROJECT,)),
    Action.REQUEST_EXTENSION: Rule(PROJECT, (Condition.OF_PROJECT,)),
    Action.DECIDE_EXTENSION: Rule(
        frozenset({Role.QUALITY_MANAGER, Role.QUALITY_GROUP_LEADER}), (Condition.IMPARTIAL,)
    ),
    Action.REQUEST_APPEAL: Rule(PROJECT, (Condition.OF_PROJECT,)),
    Action.REVIEW_APPEAL: Rule(frozenset({Role.QUALITY_MANAGER}), (Condition.IMPARTIAL,)),
    Action.DECIDE_APPEAL: Rule(
        frozenset({Role.CITY_GENERAL_MANAGER}),
        (Condition.CITY_OF_PROJECT, Condition.IMPARTIAL),
    ),
    Action.CREATE_REINSPECTION: Rule(QUALITY),
    Action.SIGN_REINSPECTION: Rule(QUALITY, (Condition.INSPECTOR_OF,)),
    Action.ISSUE_SECOND_NOTICE: Rule(QUALITY),
    Action.ISSUE_CIRCULAR: Rule(QUALITY),
    Action.EDIT_ORGANISATION: Rule(ADMIN),
    Action.MANAGE_CHECKLISTS: Rule(
        frozenset({Role.QUALITY_MANAGER, Role.QUALITY_GROUP_LEADER, Role.ADMINISTRATOR})
    ),
    Action.RESET_PIN: Rule(ADMIN),
    Action.MANAGE_KEYS: Rule(ADMIN, self_allowed=True),
    Action.ABANDON_INSPECTION: Rule(QUALITY),
    Action.PROPOSE_AMENDMENT: Rule(EVERY_ROLE, (Condition.INSPECTOR_OF,)),
    Action.APPROVE_AMENDMENT: Rule(frozenset({Role.QUALITY_MANAGER}), (Condition.IMPARTIAL,)),
    Action.COMPUTE_ASSESSMENT: Rule(QUALITY),
    Action.PUBLISH_ASSESSMENT: Rule(frozenset({Role.QUALITY_MANAGER})),
}

# Actions open to anyone while the organisation has no active administrator yet: the
# first setup (开始使用) enters the organisation before anybody can be an administrator.
BOOTSTRAP = frozenset({Action.EDIT_ORGANISATION, Action.MANAGE_CHECKLISTS})


class PermissionDenied(RuleError):
    """The acting person may not do this (message ids ``errors.permission.*``)."""


@dataclass(frozen=True)
class Scope:
    """What the conditions look at: the inspection, the project, the requester, the person
    concerned (ids; None when the action has none)."""

    inspection_id: str | None = None
    project_id: str | None = None
    requester_id: str | None = None
    person_id: str | None = None


def has_administrator(db: Database) -> bool:
    """True when an active person holds the administrator role."""
    row = db.execute(
        """SELECT 1 FROM people, json_each(people.roles) r
           WHERE people.archived_at IS NULL AND r.value = ? LIMIT 1""",
        [Role.ADMINISTRATOR.value],
    ).fetchone()
    return row is not None


def _inspectors(db: Database, inspection_id: str) -> set[str]:
    rows = db.execute(
        "SELECT person_id FROM inspection_inspectors WHERE inspection_id = ?", [inspection_id]
    ).fetchall()
    return {str(r[0]) for r in rows}


def _city_of(db: Database, project_id: str) -> str | None:
    row = db.execute("SELECT city_company_id FROM projects WHERE id = ?", [project_id]).fetchone()
    return None if row is None else str(row[0])


def _holds(db: Database, person: Person, condition: Condition, scope: Scope) -> bool:
    """Whether ``condition`` holds for ``person`` in ``scope`` (a missing id: it does not)."""
    if condition == Condition.INSPECTOR_OF:
        return scope.inspection_id is not None and person.id in _inspectors(db, scope.inspection_id)
    if condition == Condition.OF_PROJECT:
        return scope.project_id is not None and person.project_id == scope.project_id
    if condition == Condition.IMPARTIAL:
        same_project = scope.project_id is not None and person.project_id == scope.project_id
        return person.id != scope.requester_id and not same_project
    if condition == Condition.CITY_OF_PROJECT:
        if scope.project_id is None or person.project_id is not None:
            return False
        return person.city_company_id == _city_of(db, scope.project_id)
    raise ValueError(f"no check for condition {condition!r}")


def allowed(db: Database, person: Person, action: Action, scope: Scope) -> bool:
    """True when ``person`` may do ``action`` in ``scope`` (see ``RULES``)."""
    rule = RULES[action]
    if rule.self_allowed and scope.person_id is not None and scope.person_id == person.id:
        return True
    if not rule.roles & set(person.roles):
        return False
    return all(_holds(db, person, c, scope) for c in rule.conditions)


def acting(db: Database, actor: str | Person | None) -> Person:
    """The acting person, known and active (any role): for changes every person may make,
    such as printing a document (which records its verification code)."""
    if actor is None or actor in ("", SYSTEM_ACTOR):
        raise IdentityError("errors.identity.required")
    return actor if isinstance(actor, Person) else active_person(db, actor)


def require(
    db: Database,
    actor: str | Person | None,
    action: Action,
    *,
    inspection_id: str | None = None,
    project_id: str | None = None,
    requester_id: str | None = None,
    person_id: str | None = None,
) -> Person | None:
    """The acting person, when they may do ``action``; else PermissionDenied saying who may.

    ``actor`` is a person (or their id); IdentityError when it names nobody active. While
    the database has no active administrator, the bootstrap actions are open to anyone
    (None is returned when nobody is named then).
    """
    if action in BOOTSTRAP and not has_administrator(db):
        return actor if isinstance(actor, Person) else None
    person = acting(db, actor)
    scope = Scope(inspection_id, project_id, requester_id, person_id)
    if allowed(db, person, action, scope):
        return person
    raise denial(person, action)


def denial(person: Person, action: Action) -> PermissionDenied:
    """The refusal of ``action`` to ``person``, naming the roles and conditions it needs."""
    rule = RULES[action]
    roles = tuple(r for r in Role if r in rule.roles)
    if rule.self_allowed:
        return PermissionDenied(
            "errors.permission.denied_or_self", person=person.name, action=action, roles=roles
        )
    if not rule.conditions:
        return PermissionDenied(
            "errors.permission.denied", person=person.name, action=action, roles=roles
        )
    if rule.roles == EVERY_ROLE:
        return PermissionDenied(
            "errors.permission.denied_conditions",
            person=person.name,
            action=action,
            conditions=rule.conditions,
        )
    return PermissionDenied(
        "errors.permission.denied_scoped",
        person=person.name,
        action=action,
        roles=roles,
        conditions=rule.conditions,
    )
