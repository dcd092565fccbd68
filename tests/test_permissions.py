"""Who may do what (权限): the rule table action by action and role by role, the
conditions (inspectors of the inspection, people of the project, impartial deciders,
the project's city), the two-level appeal end to end, and the README's copy of the table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import amendments, findings, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import Person, RectificationItem, Role
from pqm_tui.model.identity import IdentityError
from pqm_tui.model.permissions import (
    RULES,
    Action,
    PermissionDenied,
    Scope,
    allowed,
    require,
)
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.reports.assets import ImageCache
from pqm_tui.reports.build import Builder
from pqm_tui.services import inspection_state
from pqm_tui.services import rectification as rect
from pqm_tui.services.demo import DEMO_PIN
from tests.messages import english
from tests.people import DemoPeople, general_manager_of, manager_of, person_id

ROOT = Path(__file__).resolve().parents[1]
R = Role
QUALITY = {R.INSPECTOR, R.QUALITY_GROUP_LEADER, R.QUALITY_MANAGER}
PROJECT = {R.PROJECT_MANAGER, R.DEPARTMENT_HEAD}

# Who may do each action when its conditions hold: the company's rules, written out
# again here so that a change of the table (or a new action) is a decision.
EXPECTED: dict[Action, set[Role]] = {
    Action.CREATE_INSPECTION: QUALITY,
    Action.WALK_INSPECTION: set(Role),
    Action.SIGN_INSPECTION: set(Role),
    Action.ISSUE_NOTICE: QUALITY,
    Action.RECEIVE_NOTICE: PROJECT,
    Action.REPLY: PROJECT,
    Action.REQUEST_EXTENSION: PROJECT,
    Action.DECIDE_EXTENSION: {R.QUALITY_MANAGER, R.QUALITY_GROUP_LEADER},
    Action.REQUEST_APPEAL: PROJECT,
    Action.REVIEW_APPEAL: {R.QUALITY_MANAGER},
    Action.DECIDE_APPEAL: {R.CITY_GENERAL_MANAGER},
    Action.CREATE_REINSPECTION: QUALITY,
    Action.SIGN_REINSPECTION: QUALITY,
    Action.ISSUE_SECOND_NOTICE: QUALITY,
    Action.ISSUE_CIRCULAR: QUALITY,
    Action.EDIT_ORGANISATION: {R.ADMINISTRATOR},
    Action.MANAGE_CHECKLISTS: {R.QUALITY_MANAGER, R.QUALITY_GROUP_LEADER, R.ADMINISTRATOR},
    Action.RESET_PIN: {R.ADMINISTRATOR},
    Action.MANAGE_KEYS: {R.ADMINISTRATOR},
    Action.ABANDON_INSPECTION: QUALITY,
    Action.PROPOSE_AMENDMENT: set(Role),
    Action.APPROVE_AMENDMENT: {R.QUALITY_MANAGER},
    Action.COMPUTE_ASSESSMENT: QUALITY,
    Action.PUBLISH_ASSESSMENT: {R.QUALITY_MANAGER},
}


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def fitting(db: Database, action: Action, role: Role) -> tuple[Person, Scope]:
    """A person holding only ``role``, placed so that every condition of ``action`` holds."""
    inspection = db.execute(
        "SELECT i.id, i.project_id, ii.person_id FROM inspections i "
        "JOIN inspection_inspectors ii ON ii.inspection_id = i.id LIMIT 1"
    ).fetchone()
    project = organisation.get_project(db, inspection[1])
    conditions = RULES[action].conditions
    of_project = any(c.value == "of-project" for c in conditions)
    person = Person(
        id=inspection[2],  # one of the inspection's inspectors
        name="测试",
        role="测试",
        roles=[role],
        project_id=project.id if of_project else None,
        city_company_id=project.city_company_id,
    )
    return person, Scope(inspection[0], project.id, requester_id="someone else")


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_every_action_has_its_rule_for_every_role(db: Database, action: Action, role: Role) -> None:
    assert action in EXPECTED, f"new action {action}: add its rule to EXPECTED and the README"
    person, scope = fitting(db, action, role)
    assert allowed(db, person, action, scope) == (role in EXPECTED[action])


def test_the_table_has_a_rule_for_every_action_and_nothing_else() -> None:
    assert set(RULES) == set(Action) == set(EXPECTED)
    for action, rule in RULES.items():
        assert rule.roles == frozenset(EXPECTED[action]), action


def test_refusal_names_who_may(db: Database, demo_people: DemoPeople) -> None:
    item = open_item(db)
    manager = manager_of(db, item.project_id)
    with pytest.raises(PermissionDenied) as refused:
        require(db, manager, Action.DECIDE_EXTENSION, project_id=item.project_id)
    said = english(refused.value)
    assert "may not decide an extension request" in said
    assert "Quality group leader, Quality manager" in said
    assert "neither the requester nor of the requesting project" in said
    with pytest.raises(PermissionDenied) as refused:
        require(db, demo_people.inspector, Action.RESET_PIN)
    assert english(refused.value).endswith(
        "may not reset another person's PIN (allowed: Administrator)"
    )


def test_conditions_of_the_table(db: Database, demo_people: DemoPeople) -> None:
    item = open_item(db)
    project = item.project_id
    # a quality manager who belongs to the requesting project is not impartial
    qm = organisation.get_person(db, demo_people.quality_manager)
    inside = qm.model_copy(update={"project_id": project})
    assert not allowed(db, inside, Action.REVIEW_APPEAL, Scope(project_id=project))
    # nor is the requester himself
    asked = Scope(project_id=project, requester_id=qm.id)
    assert not allowed(db, qm, Action.REVIEW_APPEAL, asked)
    assert allowed(db, qm, Action.REVIEW_APPEAL, Scope(project_id=project))
    # the general manager of another city does not decide
    own = general_manager_of(db, project)
    other = next(g for g in (demo_people.chengdu_gm, demo_people.chongqing_gm) if g != own)
    for gm, expected in ((own, True), (other, False)):
        person = organisation.get_person(db, gm)
        assert allowed(db, person, Action.DECIDE_APPEAL, Scope(project_id=project)) is expected
    # a department head of another project may not reply
    stranger = db.execute(
        "SELECT id FROM people WHERE project_id != ? AND roles LIKE '%department-head%'",
        [project],
    ).fetchone()[0]
    with pytest.raises(PermissionDenied):
        require(db, stranger, Action.REPLY, project_id=project)
    # an inspector who is not one of the inspection's inspectors may not walk it
    inspection = db.execute(
        "SELECT inspection_id FROM inspection_inspectors WHERE person_id = ? LIMIT 1",
        [demo_people.inspector],
    ).fetchone()[0]
    assert require(db, demo_people.inspector, Action.WALK_INSPECTION, inspection_id=inspection)
    with pytest.raises(PermissionDenied):
        require(db, demo_people.administrator, Action.WALK_INSPECTION, inspection_id=inspection)
    # keys: an administrator, or the person himself
    me = demo_people.inspector
    assert require(db, me, Action.MANAGE_KEYS, person_id=me)
    with pytest.raises(PermissionDenied):
        require(db, me, Action.MANAGE_KEYS, person_id=demo_people.leader)


def test_nobody_unknown_and_archived_are_refused(db: Database, clock: Clock) -> None:
    for nobody in (None, "", "system"):
        with pytest.raises(IdentityError) as refused:
            require(db, nobody, Action.ISSUE_NOTICE)
        assert "--as NAME" in english(refused.value)
    with pytest.raises(IdentityError, match="unknown"):
        require(db, "Mickey Mouse", Action.ISSUE_NOTICE)
    leader = person_id(db, "陈志强")
    organisation.archive(db, clock, "people", leader)
    with pytest.raises(IdentityError) as refused:
        require(db, leader, Action.ISSUE_NOTICE)
    assert "archived" in english(refused.value)


def test_organisation_is_open_until_there_is_an_administrator(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "new.sqlite3")
    assert require(db, None, Action.EDIT_ORGANISATION) is None  # the first setup
    admin = organisation.add_person(db, "管理员甲", "系统管理员")
    clerk = organisation.add_person(db, "文员乙", "品质督导")
    assert require(db, admin.id, Action.EDIT_ORGANISATION) is not None
    with pytest.raises(PermissionDenied):
        require(db, clerk.id, Action.EDIT_ORGANISATION)
    with pytest.raises(IdentityError):
        require(db, None, Action.EDIT_ORGANISATION)


# the two-level appeal (申诉：品质部经理初审，城市总经理终审) ----------------------------------
def open_item(db: Database) -> RectificationItem:
    """An open item of a signed inspection nobody has touched yet."""
    row = db.execute(
        """SELECT r.id FROM rectification_items r WHERE r.status = 'open'
           AND NOT EXISTS (SELECT 1 FROM rectification_events e WHERE e.item_id = r.id)
           ORDER BY r.deadline DESC, r.rowid LIMIT 1"""
    ).fetchone()
    return get_item(db, row[0])


def test_two_level_appeal_end_to_end(
    db: Database, clock: Clock, settings: Settings, demo_people: DemoPeople, tmp_path: Path
) -> None:
    item = open_item(db)
    finding = findings.get_finding(db, item.finding_id)
    score = inspection_state.load_state(db, settings, finding.inspection_id).card.total
    manager = manager_of(db, item.project_id)
    gm = general_manager_of(db, item.project_id)
    set_actor(db, manager)
    rect.request_appeal(db, clock, item.id, actor=manager, grounds="业主私占，非物业范围")
    # the project manager cannot decide his own appeal, at either level
    for step in (rect.review_appeal, rect.decide_appeal):
        with pytest.raises(PermissionDenied) as refused:
            step(db, clock, item.id, actor=manager, uphold=True, reason="我同意我自己")
        assert "(allowed: Quality manager" in english(refused.value) or (
            "(allowed: City general manager" in english(refused.value)
        )
    with pytest.raises(PermissionDenied):
        rect.decide(db, clock, item.id, actor=manager, approve=True, reason="我同意我自己")
    # the city general manager cannot skip the first level
    with pytest.raises(rect.RectificationError, match="appeal_not_reviewed"):
        rect.decide_appeal(db, clock, item.id, actor=gm, uphold=True, reason="成立")
    # first level: the quality manager's opinion is recorded; nothing changes yet
    later = Clock(tz=clock.tz, source=lambda: clock.now() + timedelta(hours=1))
    set_actor(db, demo_people.quality_manager)
    reviewed = rect.review_appeal(
        db, later, item.id, actor=demo_people.quality_manager, uphold=True, reason="初审属实"
    )
    assert rect.state_of(db, reviewed) == rect.State.APPEAL_REQUESTED
    assert inspection_state.load_state(db, settings, finding.inspection_id).card.total == score
    with pytest.raises(rect.RectificationError, match="appeal_reviewed"):
        rect.review_appeal(
            db, later, item.id, actor=demo_people.quality_manager, uphold=True, reason="再审"
        )
    # final level: the city general manager; ``decide`` takes the pending step
    last = Clock(tz=clock.tz, source=lambda: clock.now() + timedelta(hours=2))
    set_actor(db, gm)
    voided = rect.decide(db, last, item.id, actor=gm, approve=True, reason="终审成立")
    assert voided.status.value == "voided"
    after = inspection_state.load_state(db, settings, finding.inspection_id).card.total
    assert after == score + finding.deduction and finding.deduction > 0
    steps = [(e.action, e.actor) for e in list_events(db, item.id)]
    assert steps == [
        ("appeal-requested", manager),
        ("appeal-reviewed", demo_people.quality_manager),
        ("appeal-upheld", gm),
    ]
    trail = amendments.list_amendments(db, finding.inspection_id)
    assert [(a.field, a.actor) for a in trail if a.finding_id == finding.id] == [("voided", gm)]
    # the report prints both steps, by name, in order: the review, then the final amendment
    images = ImageCache(tmp_path / "media", settings.photo_max_pixels)
    printed = Builder(db, settings, clock, images).history_rows(finding.inspection_id)
    steps_printed = [(r.actor, r.field, r.reason) for r in printed if r.reason != ""]
    names = {p: organisation.get_person(db, p).name for p in (demo_people.quality_manager, gm)}
    assert (names[demo_people.quality_manager], "申诉初审", "初审属实") in steps_printed
    assert (names[gm], "voided", "终审成立") in steps_printed
    assert steps_printed.index((names[gm], "voided", "终审成立")) > steps_printed.index(
        (names[demo_people.quality_manager], "申诉初审", "初审属实")
    )
    facts = Builder(db, settings, clock, images, facts=True).history_rows(finding.inspection_id)
    assert [r.field for r in facts] == [a.field for a in trail]  # the review is no fact


def test_item_show_names_both_appeal_steps(
    demo_db_path: Path, demo_people: DemoPeople, clock: Clock
) -> None:
    db = connect(demo_db_path)
    item = open_item(db)
    manager = organisation.get_person(db, manager_of(db, item.project_id))
    gm = organisation.get_person(db, general_manager_of(db, item.project_id))
    db.close()
    pqm = [sys.executable, "-m", "pqm_tui", "--db", str(demo_db_path), "--tz", "Asia/Shanghai"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PQM_PIN": DEMO_PIN}  # a decision is signed with a PIN
        return subprocess.run([*pqm, *args], capture_output=True, text=True, check=False, env=env)

    assert (
        run("--as", manager.name, "item", "appeal", item.id, "--grounds", "非物业范围").returncode
        == 0
    )
    own = run("--as", manager.name, "item", "decide", item.id, "--approve", "--reason", "我同意")
    assert own.returncode == 2 and f"{manager.name} 无权初审申诉：仅限品质部经理" in own.stderr
    assert (
        run("--as", "黄建国", "item", "decide", item.id, "--approve", "--reason", "属实").returncode
        == 0
    )
    final = run("--as", gm.name, "item", "decide", item.id, "--approve", "--reason", "成立")
    assert final.returncode == 0, final.stderr
    shown = run("item", "show", item.id).stdout
    for name, action in ((manager.name, "提出申诉"), ("黄建国", "申诉初审"), (gm.name, "申诉成立")):
        assert re.search(rf"{name}\s+{action}", shown), shown
    assert manager.id not in shown


def test_readme_holds_the_permission_table() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pqm_tui",
            "--lang",
            "en",
            "person",
            "permissions",
            "--format=markdown",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out in (ROOT / "README.md").read_text(encoding="utf-8")
