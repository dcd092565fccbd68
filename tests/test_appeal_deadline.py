"""A pending appeal (申诉) suspends the deadline, and its stage (初审 / 终审) is told.

The item is not overdue while its appeal waits — not in the review's rows, its filter and
header counts, the home panel's overdue entries or ``pqm items --overdue`` — and when the
appeal is finally rejected the deadline moves on by the days it was pending.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from pqm_tui.model import cadence, review
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import RectificationItem
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.services import rectification as rect
from tests.people import general_manager_of, manager_of, person_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(moment: datetime) -> Clock:
    return Clock(tz=SHANGHAI, source=lambda: moment)


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def overdue_untouched(db: Database, today: date) -> RectificationItem:
    """An open item past its deadline with no request yet (the demo's never answered)."""
    row = db.execute(
        """SELECT r.id FROM rectification_items r WHERE r.status = 'open' AND r.deadline < ?
           AND NOT EXISTS (SELECT 1 FROM rectification_events e WHERE e.item_id = r.id
             AND (e.action LIKE 'appeal-%' OR e.action LIKE 'extension-%'))
           ORDER BY r.deadline DESC LIMIT 1""",
        [today.isoformat()],
    ).fetchone()
    return get_item(db, row[0])


def overdue_everywhere(db: Database, item: RectificationItem, today: date) -> list[bool]:
    """Whether the item counts overdue in the review's row, its overdue filter, the header
    count of its project and the home panel's overdue entry of its project."""
    mine = review.ReviewFilter(project_id=item.project_id)
    rows = {r.id: r for r in review.page(db, mine, today, limit=100_000)}
    late = {r.id for r in review.page(db, replace(mine, overdue=True), today, limit=100_000)}
    counted = review.counts(db, mine, today)["overdue"]
    late_here = review.count(db, replace(mine, overdue=True), today)
    project = rows[item.id].project_name
    panel = {name: n for name, _, n in cadence.open_deadlines_before(db, today)}
    assert counted == late_here == len(late) == panel.get(project, 0)
    return [rows[item.id].overdue(today), item.id in late]


def test_a_pending_appeal_is_not_overdue_and_its_rejection_moves_the_deadline(
    db: Database,
) -> None:
    asked = at(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    item = overdue_untouched(db, asked.today())
    late_by = (asked.today() - date.fromisoformat(item.deadline or "")).days
    assert late_by > 0 and overdue_everywhere(db, item, asked.today()) == [True, True]
    before = review.counts(db, review.ReviewFilter(), asked.today())["overdue"]

    manager = manager_of(db, item.project_id)
    rect.request_appeal(db, asked, item.id, actor=manager, grounds="业主私占，非物业范围")
    assert overdue_everywhere(db, item, asked.today()) == [False, False]
    assert review.counts(db, review.ReviewFilter(), asked.today())["overdue"] == before - 1

    reviewed = at(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    rect.review_appeal(
        db, reviewed, item.id, actor=person_id(db, "黄建国"), uphold=False, reason="证据不足"
    )
    assert overdue_everywhere(db, item, reviewed.today()) == [False, False]

    decided = at(datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI))  # 5 days after the appeal
    gm = general_manager_of(db, item.project_id)
    back = rect.decide_appeal(db, decided, item.id, actor=gm, uphold=False, reason="维持原判")
    moved = date.fromisoformat(item.deadline or "").toordinal() + 5
    assert back.deadline == date.fromordinal(moved).isoformat()
    event = list_events(db, item.id)[-1]
    assert event.data == {
        "old_deadline": item.deadline,
        "new_deadline": back.deadline,
        "suspended_days": 5,
    }
    # late again, by as much as when it appealed (the appeal's days did not count)
    assert rect.item_days_left(back, decided.today()) == -late_by
    assert overdue_everywhere(db, back, decided.today()) == [True, True]


def test_the_review_tells_an_appeals_stage(db: Database) -> None:
    """申诉待初审 until the quality manager's first review, then 申诉待终审; each stage
    is a status filter of its own."""
    clock = at(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    today = clock.today()
    item = overdue_untouched(db, today)
    rect.request_appeal(db, clock, item.id, actor=manager_of(db, item.project_id), grounds="不属实")

    def stage() -> tuple[str | None, bool, bool]:
        mine = review.ReviewFilter(project_id=item.project_id)
        row = {r.id: r for r in review.page(db, mine, today, limit=100_000)}[item.id]
        first = review.page(db, replace(mine, status="appeal-review"), today, limit=100_000)
        final = review.page(db, replace(mine, status="appeal-final"), today, limit=100_000)
        return row.pending_stage, item.id in {r.id for r in first}, item.id in {r.id for r in final}

    assert stage() == ("appeal-review", True, False)
    rect.review_appeal(
        db, clock, item.id, actor=person_id(db, "黄建国"), uphold=True, reason="初审属实"
    )
    assert stage() == ("appeal-final", False, True)
    both = review.ReviewFilter(status="appeal-requested")
    total = review.count(db, both, today)
    first = review.count(db, replace(both, status="appeal-review"), today)
    final = review.count(db, replace(both, status="appeal-final"), today)
    assert first + final == total and final >= 1
