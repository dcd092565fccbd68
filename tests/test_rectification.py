"""The rectification state machine, deadlines and re-inspections on real SQLite files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import (
    amendments,
    carry_overs,
    findings,
    inspections,
    notices,
    reinspection_targets,
)
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import RectificationItem, RectificationStatus, Result
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.services import inspection_state, reinspection, signoff
from pqm_tui.services import rectification as rect
from pqm_tui.services.assessment_months import carry_over_month, close_date
from pqm_tui.services.deadlines import days_left, deadline_from_receipt
from pqm_tui.services.rectification import Action, State, TransitionError
from tests.messages import english, raises_saying
from tests.people import INSPECTOR, general_manager_of, manager_of, person_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(moment: datetime) -> Clock:
    return Clock(tz=SHANGHAI, source=lambda: moment)


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    db = connect(demo_db_path)
    set_actor(db, person_id(db, INSPECTOR))  # the audit trail's: re-inspections are hers
    return db


def pm(db: Database, item: RectificationItem) -> str:
    """The project manager of the item's project: the one who replies, asks and appeals."""
    return manager_of(db, item.project_id)


def leader(db: Database) -> str:
    return person_id(db, "陈志强")


def quality_manager(db: Database) -> str:
    return person_id(db, "黄建国")


def fresh_item(db: Database, clock: Clock, settings: Settings) -> RectificationItem:
    """A brand-new open item: sign a re-created failed finding via a fresh inspection."""
    rows = list(
        db.query(
            """SELECT r.id FROM rectification_items r WHERE r.status = 'open'
               AND NOT EXISTS (SELECT 1 FROM rectification_events e WHERE e.item_id = r.id)
               ORDER BY r.deadline DESC, r.rowid LIMIT 1"""
        )
    )
    assert rows, "the demo has untouched open items"
    return get_item(db, rows[0]["id"])


def with_deadline(db: Database, item: RectificationItem, deadline: date) -> RectificationItem:
    with db.atomic():
        db.execute(
            "UPDATE rectification_items SET deadline = ? WHERE id = ?",
            [deadline.isoformat(), item.id],
        )
    return get_item(db, item.id)


# deadlines ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (date(2026, 1, 28), 7, date(2026, 2, 4)),  # across a month end
        (date(2026, 2, 25), 7, date(2026, 3, 4)),  # February, not a leap year
        (date(2028, 2, 25), 7, date(2028, 3, 3)),  # leap year
        (date(2026, 12, 28), 7, date(2027, 1, 4)),  # across a year end
        (date(2026, 3, 31), 30, date(2026, 4, 30)),
    ],
)
def test_deadline_is_receipt_plus_days(received: date, days: int, due: date) -> None:
    assert deadline_from_receipt(received, days) == due


def test_days_left_and_overdue_at_local_midnight(db: Database, settings: Settings) -> None:
    item = with_deadline(
        db, fresh_item(db, at(datetime.now(SHANGHAI)), settings), date(2026, 1, 31)
    )
    # 23:59:59 on the deadline in Shanghai is 15:59 UTC: still due today, not overdue
    before = at(datetime(2026, 1, 31, 23, 59, 59, tzinfo=SHANGHAI))
    assert rect.item_days_left(item, before.today()) == 0
    assert not rect.is_overdue(item, before.today())
    # one second later, in Shanghai, it is 1 February: one day overdue
    after = at(datetime(2026, 2, 1, 0, 0, 0, tzinfo=SHANGHAI))
    assert rect.item_days_left(item, after.today()) == -1
    assert rect.is_overdue(item, after.today())
    # the same instant seen from UTC is still 31 January: the clock's timezone decides
    utc = Clock(tz=ZoneInfo("UTC"), source=lambda: datetime(2026, 2, 1, tzinfo=SHANGHAI))
    assert utc.today() == date(2026, 1, 31)
    assert days_left(date(2026, 3, 1), date(2026, 2, 27)) == 2  # across February's end


def test_signing_sets_deadline_from_local_receipt_date(db: Database, settings: Settings) -> None:
    late_evening = at(datetime(2026, 1, 27, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC
    assert deadline_from_receipt(late_evening.today(), settings.deadline_days) == date(2026, 2, 3)


# transitions --------------------------------------------------------------------------
def test_reply_then_illegal_moves(db: Database, clock: Clock, settings: Settings) -> None:
    item = fresh_item(db, clock, settings)
    assert rect.state_of(db, item) == State.OPEN
    manager = pm(db, item)
    replied = rect.reply(db, clock, item.id, actor=manager, done="已清理", evidence=[])
    assert replied.status == RectificationStatus.REPLIED
    event = list_events(db, item.id)[-1]
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        manager,
        "reply",
        "open",
        "replied",
    )
    assert event.data["done"] == "已清理" and event.at == clock.now_iso()
    for move in (
        lambda: rect.reply(db, clock, item.id, actor=manager, done="again"),
        lambda: rect.request_extension(
            db, clock, item.id, actor=manager, reason="r", measures="m", proposed=date(2027, 1, 1)
        ),
        lambda: rect.review_appeal(
            db, clock, item.id, actor=quality_manager(db), uphold=True, reason="r"
        ),
    ):
        with pytest.raises(TransitionError) as refused:
            move()
        assert refused.value.state == State.REPLIED
        assert "Replied" in english(refused.value)
        assert "pass re-inspection" in english(refused.value)
    assert get_item(db, item.id).status == RectificationStatus.REPLIED


def test_reply_needs_text_and_no_future_date(
    db: Database, clock: Clock, settings: Settings
) -> None:
    item = fresh_item(db, clock, settings)
    with raises_saying(rect.RectificationError, "Missing: what was done"):
        rect.reply(db, clock, item.id, actor=pm(db, item), done="  ")
    with raises_saying(rect.RectificationError, "future"):
        rect.reply(
            db, clock, item.id, actor=pm(db, item), done="ok", done_on=clock.today() + timedelta(1)
        )
    assert list_events(db, item.id) == []


def test_extension_approved_and_rejected(db: Database, clock: Clock, settings: Settings) -> None:
    item = with_deadline(db, fresh_item(db, clock, settings), clock.today() + timedelta(days=2))
    with raises_saying(rect.RectificationError, "after the deadline"):
        rect.request_extension(
            db, clock, item.id, actor=pm(db, item), reason="r", measures="m", proposed=clock.today()
        )
    rect.request_extension(
        db,
        clock,
        item.id,
        actor=pm(db, item),
        reason="材料未到",
        measures="临时围挡",
        proposed=clock.today() + timedelta(days=10),
    )
    assert rect.state_of(db, get_item(db, item.id)) == State.EXTENSION_REQUESTED
    with pytest.raises(TransitionError) as refused:
        rect.reply(db, clock, item.id, actor=pm(db, item), done="x")
    assert refused.value.allowed == (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION)
    approved = rect.decide_extension(db, clock, item.id, actor=leader(db), approve=True)
    assert approved.deadline == (clock.today() + timedelta(days=10)).isoformat()
    assert rect.state_of(db, approved) == State.OPEN
    # a second request, rejected: the deadline stays
    rect.request_extension(
        db,
        clock,
        item.id,
        actor=pm(db, item),
        reason="r",
        measures="m",
        proposed=clock.today() + timedelta(days=20),
    )
    rejected = rect.decide_extension(
        db, clock, item.id, actor=leader(db), approve=False, reason="否"
    )
    assert rejected.deadline == approved.deadline
    assert [e.action for e in list_events(db, item.id)] == [
        "extension-requested",
        "extension-approved",
        "extension-requested",
        "extension-rejected",
    ]


def test_extension_refused_after_deadline(db: Database, clock: Clock, settings: Settings) -> None:
    item = with_deadline(db, fresh_item(db, clock, settings), clock.today() - timedelta(days=1))
    with raises_saying(rect.RectificationError, "has passed") as refused:
        rect.request_extension(
            db,
            clock,
            item.id,
            actor=pm(db, item),
            reason="r",
            measures="m",
            proposed=clock.today() + timedelta(days=5),
        )
    assert refused.value.key == "review.err.extension_late"
    # on the deadline day itself it is still in advance
    item = with_deadline(db, item, clock.today())
    rect.request_extension(
        db,
        clock,
        item.id,
        actor=pm(db, item),
        reason="r",
        measures="m",
        proposed=clock.today() + timedelta(days=5),
    )


def test_appeal_rejected_then_final_states(db: Database, clock: Clock, settings: Settings) -> None:
    item = fresh_item(db, clock, settings)
    rect.request_appeal(db, clock, item.id, actor=pm(db, item), grounds="业主私占")
    with pytest.raises(TransitionError):
        rect.request_appeal(db, clock, item.id, actor=pm(db, item), grounds="again")
    rect.review_appeal(
        db, clock, item.id, actor=quality_manager(db), uphold=False, reason="证据不足"
    )
    gm = general_manager_of(db, item.project_id)
    back = rect.decide_appeal(db, clock, item.id, actor=gm, uphold=False, reason="证据不足")
    assert rect.state_of(db, back) == State.OPEN
    data = {"reinspection_id": "x"}
    closed = rect.record_reinspection(
        db, clock, settings, back, actor=person_id(db, INSPECTOR), passed=True, data=data
    )
    assert closed.status == RectificationStatus.CLOSED
    with pytest.raises(TransitionError) as refused:
        rect.request_appeal(db, clock, item.id, actor=pm(db, item), grounds="late")
    assert refused.value.allowed == () and "nothing (final state)" in english(refused.value)


def test_upheld_appeal_voids_finding_score_and_carry_over(
    db: Database, clock: Clock, settings: Settings
) -> None:
    item, reinspection_id = fail_once(db, clock, settings)
    finding = findings.get_finding(db, item.finding_id)
    before = inspection_state.load_state(db, settings, finding.inspection_id).card.total
    assert len(carry_overs.carry_overs(db, item_id=item.id)) == 1
    rect.request_appeal(db, clock, item.id, actor=pm(db, item), grounds="非物业范围")
    rect.review_appeal(
        db, clock, item.id, actor=quality_manager(db), uphold=True, reason="初审属实"
    )
    gm = general_manager_of(db, item.project_id)
    voided = rect.decide_appeal(db, clock, item.id, actor=gm, uphold=True, reason="属实")
    assert voided.status == RectificationStatus.VOIDED
    after = inspection_state.load_state(db, settings, finding.inspection_id).card.total
    assert after == before + finding.deduction and finding.deduction > 0
    trail = [
        a
        for a in amendments.list_amendments(db, finding.inspection_id)
        if a.finding_id == finding.id
    ]
    assert [(a.field, a.old_value, a.new_value, a.actor, a.reason) for a in trail] == [
        ("voided", "0", "1", gm, "属实")
    ]
    assert carry_overs.carry_overs(db, item_id=item.id) == []
    kept = carry_overs.carry_overs(db, item_id=item.id, include_voided=True)
    assert kept[0].voided_reason == "属实" and kept[0].reinspection_id == reinspection_id


# re-inspections -----------------------------------------------------------------------
def reinspect(
    db: Database, clock: Clock, settings: Settings, ids: list[str], results: dict[str, Result]
) -> str | None:
    created = reinspection.create_reinspection(db, clock, ids, actor=person_id(db, INSPECTOR))
    state = inspection_state.load_state(db, settings, created.id)
    targets = {
        (t.area_id, t.item_id): t.rectification_item_id
        for t in reinspection_targets.targets(db, created.id)
    }
    assert set(state.plan.pairs) == set(targets)  # the walk is only the chosen items
    for pair in state.plan.pairs:
        inspections.record_finding(
            db,
            clock,
            created.id,
            pair[1],
            pair[0],
            results[targets[pair]],
            occurrences=1 if results[targets[pair]] == Result.FAIL else 0,
            note="仍未整改" if results[targets[pair]] == Result.FAIL else "",
        )
    number = signoff.sign_off(
        db, clock, settings, created.id, receiver_name="张经理", receiver_role="项目经理"
    )
    again = reinspection.apply_outcome(
        db, clock, settings, created.id, actor=person_id(db, INSPECTOR)
    )
    assert again.failed == again.passed == [] and again.carry_overs_recorded == 0  # idempotent
    return number


def fail_once(db: Database, clock: Clock, settings: Settings) -> tuple[RectificationItem, str]:
    item = fresh_item(db, clock, settings)
    reinspect(db, clock, settings, [item.id], {item.id: Result.FAIL})
    event = [e for e in list_events(db, item.id) if e.action == "reinspection-failed"][-1]
    return get_item(db, item.id), str(event.data["reinspection_id"])


def test_reinspection_closes_passed_and_escalates_failed_twice(
    db: Database, clock: Clock, settings: Settings
) -> None:
    item = fresh_item(db, clock, settings)
    other = next(
        get_item(db, r["id"])
        for r in db.query(
            "SELECT id FROM rectification_items WHERE status = 'open' AND project_id = ? "
            "AND id != ?",
            [item.project_id, item.id],
        )
        if reinspection.group_by_version(db, [item.id, r["id"]]).__len__() == 1
    )
    first = reinspect(
        db, clock, settings, [item.id, other.id], {item.id: Result.FAIL, other.id: Result.PASS}
    )
    assert get_item(db, other.id).status == RectificationStatus.CLOSED
    once = get_item(db, item.id)
    assert (once.status, once.escalation_level) == (RectificationStatus.OPEN, 1)
    assert once.deadline == (clock.today() + timedelta(days=7)).isoformat()
    notice = db.execute("SELECT sequence, number FROM notices WHERE number = ?", [first]).fetchone()
    assert notice[0] == 2
    failed = [e for e in list_events(db, item.id) if e.action == "reinspection-failed"]
    assert failed[0].data["notice_number"] == first
    assert failed[0].data["circular_month"] == "2026-11"
    assert failed[0].data["penalty"] is False

    later = at(datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI))
    second = reinspect(db, later, settings, [item.id], {item.id: Result.FAIL})
    assert second != first and second is not None and second.startswith("ZG-202612-")
    newer = db.execute("SELECT sequence FROM notices WHERE number = ?", [second]).fetchone()
    assert newer[0] == 3  # a new notice for the new lapse, not the November one again
    twice = get_item(db, item.id)
    last = [e for e in list_events(db, item.id) if e.action == "reinspection-failed"][-1]
    assert twice.escalation_level == 2 and last.data["penalty"] is True  # the third lapse
    assert twice.deadline == "2026-12-09"
    months = [c.assessment_month for c in carry_overs.carry_overs(db, item_id=item.id)]
    assert months == ["2026-12", "2027-01"]  # failed in Nov and Dec: deducted the month after


def test_carry_over_recorded_once(db: Database, clock: Clock, settings: Settings) -> None:
    item, reinspection_id = fail_once(db, clock, settings)
    assert not carry_overs.record_carry_over(
        db,
        clock,
        item_id=item.id,
        reinspection_id=reinspection_id,
        project_id=item.project_id,
        assessment_month="2026-11",
        amount=Decimal(2),
    )
    rows = carry_overs.carry_overs(db, item_id=item.id)
    assert [(c.points, c.assessment_month) for c in rows] == [(Decimal(2), "2026-12")]
    assert len([e for e in list_events(db, item.id) if e.action == "reinspection-failed"]) == 1


def test_reinspection_refuses_mixed_or_closed_items(
    db: Database, clock: Clock, settings: Settings
) -> None:
    closed = db.execute("SELECT id FROM rectification_items WHERE status = 'closed'").fetchone()[0]
    with raises_saying(rect.RectificationError, "only open or replied"):
        reinspection.create_reinspection(db, clock, [closed])
    a, b = (
        r[0]
        for r in db.execute(
            "SELECT min(id) FROM rectification_items WHERE status = 'open' GROUP BY project_id"
        ).fetchall()[:2]
    )
    with raises_saying(rect.RectificationError, "2 projects"):
        reinspection.create_reinspection(db, clock, [a, b])
    with raises_saying(rect.RectificationError, "at least one"):
        reinspection.create_reinspection(db, clock, [])


def test_carry_over_month_is_the_next_calendar_month() -> None:
    # deducted in the month after (下月考核), as the notices and the circular say
    assert carry_over_month(date(2026, 11, 30)) == "2026-12"
    assert carry_over_month(date(2026, 12, 31)) == "2027-01"
    assert carry_over_month(date(2026, 2, 1)) == "2026-03"
    assert close_date("2026-02") == date(2026, 2, 28) and close_date("2028-02") == date(2028, 2, 29)
    assert close_date("2026-11") == date(2026, 11, 30) and close_date("2026-12", 31).day == 31


def test_second_notice_is_received_at_the_reinspections_sign_off(
    db: Database, clock: Clock, settings: Settings
) -> None:
    """As a first notice is received by the receiver who signs with the inspection, the
    follow-up notice a failed re-inspection issues is received by the receiver who signs
    with the re-inspection (张经理), that day; the deadline counts from that receipt."""
    item, _ = fail_once(db, clock, settings)
    event = [e for e in list_events(db, item.id) if e.action == "reinspection-failed"][-1]
    notice = notices.get_notice(db, str(event.data["notice_id"]))
    assert notice.sequence == 2 and notice.received_by == "张经理"
    assert notice.received_at is not None
    assert clock.local_date_of(notice.received_at) == clock.today()
    assert get_item(db, item.id).deadline == (clock.today() + timedelta(days=7)).isoformat()
    later = at(datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI))
    with raises_saying(rect.RectificationError, "was received"):
        rect.acknowledge_notice(
            db, later, settings, notice.id, actor=pm(db, item), received_by="李经理"
        )


def test_an_unreceived_follow_up_notice_restarts_deadlines_when_received(
    db: Database, clock: Clock, settings: Settings
) -> None:
    """A follow-up notice not received at a sign-off (made before m020, or printed
    first) is received by hand; the deadline then counts from that receipt."""
    item, _ = fail_once(db, clock, settings)
    event = [e for e in list_events(db, item.id) if e.action == "reinspection-failed"][-1]
    notice_id = str(event.data["notice_id"])
    with db.atomic():
        db.execute("UPDATE notices SET received_at = NULL, received_by = NULL WHERE id = ?",
                   [notice_id])  # fmt: skip
    later = at(datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI))
    n = rect.acknowledge_notice(
        db, later, settings, notice_id, actor=pm(db, item), received_by="李经理"
    )
    assert n == 1 and get_item(db, item.id).deadline == "2026-12-02"


# the completion date of a reply (完成日期) ---------------------------------------------
def test_reply_cannot_be_dated_before_the_finding(
    db: Database, clock: Clock, settings: Settings
) -> None:
    """A reply reports work done on the problem found: not before it was recorded. The
    refusal names the field and the earliest date allowed."""
    item = fresh_item(db, clock, settings)
    recorded = clock.local_date_of(findings.get_finding(db, item.finding_id).created_at)
    assert rect.earliest_reply(db, clock, item) == recorded
    day_before = recorded - timedelta(days=1)
    with raises_saying(rect.RectificationError, "“Done on”") as refused:
        rect.reply(db, clock, item.id, actor=pm(db, item), done="已清理", done_on=day_before)
    said = english(refused.value)
    assert day_before.isoformat() in said and f"earliest date allowed is {recorded}" in said
    assert get_item(db, item.id).status == RectificationStatus.OPEN  # nothing recorded
    done = rect.reply(db, clock, item.id, actor=pm(db, item), done="已清理", done_on=recorded)
    assert done.status == RectificationStatus.REPLIED


def test_reply_to_a_reopened_item_is_dated_after_the_failed_reinspection(
    db: Database, settings: Settings
) -> None:
    """An item a re-inspection re-opened is replied to with the work done since then."""
    signed = at(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    item, _ = fail_once(db, signed, settings)
    later = at(datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    assert rect.earliest_reply(db, later, item) == date(2026, 11, 23)
    with raises_saying(rect.RectificationError, "earliest date allowed is 2026-11-23"):
        rect.reply(
            db, later, item.id, actor=pm(db, item), done="已整改", done_on=date(2026, 11, 22)
        )
    rect.reply(db, later, item.id, actor=pm(db, item), done="已整改", done_on=date(2026, 11, 23))


def test_m020_gives_follow_up_notices_their_sign_off_receipt(demo_db_path: Path) -> None:
    """m020 on a database whose follow-up notices were left 未签收: each gets the receiver
    and signing time of the first signed re-inspection that failed it."""
    from pqm_tui.model.schema import m020_lifecycle_fixes

    db = connect(demo_db_path)
    sql = """SELECT n.id, i.receiver_name, i.signed_at FROM notices n
               JOIN rectification_events e ON e.action = 'reinspection-failed'
                AND json_extract(e.data, '$.notice_id') = n.id
               JOIN inspections i ON i.id = json_extract(e.data, '$.reinspection_id')
              WHERE n.sequence >= 2 ORDER BY n.number, e.at, e.rowid"""
    expected = {r[0]: (r[2], r[1]) for r in reversed(db.execute(sql).fetchall())}
    assert len(expected) >= 2
    with db.atomic():
        db.execute("UPDATE notices SET received_at = NULL, received_by = NULL WHERE sequence >= 2")
    with db.atomic():
        m020_lifecycle_fixes(db)
    got = {
        r[0]: (r[1], r[2])
        for r in db.execute("SELECT id, received_at, received_by FROM notices WHERE sequence >= 2")
    }
    assert got == expected
    db.close()
