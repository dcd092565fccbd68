"""Demo rectification history, made through the real services (演示整改记录).

Older inspections' items are replied to, appealed, extended and re-inspected
exactly as users would do it, so second notices, circular entries and
carry-over deductions exist in the demo too.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import findings, inspections, organisation, rectification
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import set_actor
from pqm_tui.model.entities import Person, Result, Role
from pqm_tui.services import rectification as flow
from pqm_tui.services.reinspection import create_reinspection
from pqm_tui.services.signoff import sign_off

REPLY = "已安排整改完毕，附整改后照片。"


def act_as(db: Database, person_id: str) -> None:
    """The demo's next writes are this person's (the audit trail records them)."""
    set_actor(db, person_id)


def with_role(db: Database, role: Role, project_id: str | None = None) -> Person:
    """The first active person holding ``role`` (of ``project_id`` when given)."""
    people = organisation.list_people(db, project_id)
    return next(p for p in people if role in p.roles and p.archived_at is None)


def general_manager(db: Database, project_id: str) -> Person:
    """The city general manager of the project's city company (城市总经理)."""
    city = organisation.get_project(db, project_id).city_company_id
    gms = (p for p in organisation.list_people(db) if Role.CITY_GENERAL_MANAGER in p.roles)
    return next(p for p in gms if p.city_company_id == city)


def clock_at(base: Clock, moment: datetime) -> Clock:
    """A clock fixed at ``moment`` in ``base``'s timezone."""
    return Clock(tz=base.tz, source=lambda: moment)


def advance(
    db: Database,
    rng: random.Random,
    settings: Settings,
    signed: Clock,
    inspection_id: str,
    days_ago: int,
    inspector_id: str,
) -> None:
    """Move an inspection's items on: reply, appeal, extension, re-inspection."""
    if days_ago < 7:
        return  # still within the deadline: all open
    start = signed.now()
    to_pass: list[str] = []
    to_fail: list[str] = []
    project_id = inspections.get_inspection(db, inspection_id).project_id
    manager = with_role(db, Role.PROJECT_MANAGER, project_id).id
    leader = with_role(db, Role.QUALITY_GROUP_LEADER).id
    quality_manager = with_role(db, Role.QUALITY_MANAGER).id
    for n, item in enumerate(rectification.items_of_inspection(db, inspection_id)):
        later = clock_at(signed, start + timedelta(days=rng.randint(2, 6)))
        choice = (n + days_ago) % 6
        if choice == 0:
            continue  # never answered: overdue
        act_as(db, manager)
        if choice == 5:
            flow.request_appeal(
                db, later, item.id, actor=manager, grounds="该处为业主私自占用，非物业管理范围。"
            )
            if days_ago > 14:  # first level: the quality manager (申诉初审)
                act_as(db, quality_manager)
                flow.review_appeal(
                    db,
                    clock_at(signed, start + timedelta(days=7)),
                    item.id,
                    actor=quality_manager,
                    uphold=True,
                    reason="初审：经核实为业主私自占用，建议申诉成立。",
                )
            if days_ago > 40:  # final: the city general manager (申诉终审)
                final = general_manager(db, project_id).id
                act_as(db, final)
                flow.decide_appeal(
                    db,
                    clock_at(signed, start + timedelta(days=8)),
                    item.id,
                    actor=final,
                    uphold=True,
                    reason="申诉成立：经核实为业主私自占用。",
                )
            continue
        if choice == 4 and days_ago > 30:
            deadline = later.today() + timedelta(days=rng.randint(1, 4))
            flow.request_extension(
                db,
                later,
                item.id,
                actor=manager,
                reason="需采购配件，到货周期较长。",
                measures="已设置临时警示标识并安排专人巡查。",
                proposed=deadline + timedelta(days=10),
            )
            act_as(db, leader)
            flow.decide_extension(
                db, later, item.id, actor=leader, approve=True, reason="同意延期。"
            )
            continue
        flow.reply(db, later, item.id, actor=manager, done=REPLY)
        if days_ago > 14 and choice in (1, 2):
            to_pass.append(item.id)
        elif days_ago > 14 and choice == 3:
            to_fail.append(item.id)
    if not to_pass and not to_fail:
        return
    recheck = clock_at(signed, start + timedelta(days=10))
    _reinspect(db, settings, recheck, inspector_id, to_pass, to_fail)
    if days_ago > 60 and to_fail:  # fails again: second escalation, flagged for penalty
        again = clock_at(signed, start + timedelta(days=24))
        _reinspect(db, settings, again, inspector_id, [], to_fail[:1])


def _reinspect(
    db: Database,
    settings: Settings,
    clock: Clock,
    inspector_id: str,
    to_pass: list[str],
    to_fail: list[str],
) -> None:
    act_as(db, inspector_id)
    inspection = create_reinspection(
        db, clock, to_pass + to_fail, inspector_ids=[inspector_id], actor=inspector_id
    )
    failing = {rectification.get_item(db, i).finding_id for i in to_fail}
    for item_id in to_pass + to_fail:
        item = rectification.get_item(db, item_id)
        original = findings.get_finding(db, item.finding_id)
        failed = item.finding_id in failing
        inspections.record_finding(
            db,
            clock,
            inspection.id,
            original.item_id,
            original.area_id,
            Result.FAIL if failed else Result.PASS,
            occurrences=1 if failed else 0,
            deduction=original.deduction if failed else Decimal(0),
            note="复检仍未整改到位。" if failed else "",
            severity=original.severity,
            department=original.department,
        )
    inspections.mark_completed(db, clock, inspection.id)
    manager = organisation.list_people(db, inspection.project_id)[0]
    sign_off(
        db,
        clock,
        settings,
        inspection.id,
        receiver_name=manager.name,
        receiver_role=manager.role,
        actor=inspector_id,
    )
