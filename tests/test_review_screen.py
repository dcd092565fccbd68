"""The review screen driven by keys (Pilot), and the review queries behind it."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Input, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import reinspection_targets, review
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionKind
from pqm_tui.model.inspections import get_inspection
from pqm_tui.model.organisation import get_person
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.review import PAGE, ReviewScreen
from tests.people import manager_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)


def make_app(path: Path, clock: Clock) -> PQMApp:
    return create_app(Settings(timezone="Asia/Shanghai"), db_path=path, actor="王丽华", clock=clock)


def as_manager(app: PQMApp, item_id: str) -> str:
    """Act as the project manager of the item's project (who replies); his id."""
    manager = manager_of(app.db, get_item(app.db, item_id).project_id)
    app.act_as(get_person(app.db, manager))
    return manager


async def open_review(app: PQMApp, pilot) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    if type(app.screen).__name__ == "ConfirmDialog":  # "resume the draft?" — not now
        await pilot.press("escape")
        await pilot.pause()
    assert type(app.screen).__name__ == "HomeScreen"
    await pilot.press("v")  # from the home screen
    return await settle(app, pilot)


async def settle(app: PQMApp, pilot) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def table_ids(screen: ReviewScreen) -> list[str]:
    table = screen.query_one("#review-table", DataTable)
    return [str(key.value) for key in table.rows]


async def test_filter_to_overdue_and_sort_by_deadline(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        everything = table_ids(screen)
        matching = screen.counts["matching"]
        assert everything and len(everything) == min(PAGE, matching)
        await pilot.press("o")
        await settle(app, pilot)
        overdue = table_ids(screen)
        assert 0 < len(overdue) < len(everything)
        assert all(screen.page_rows[i].overdue(TODAY) for i in overdue)
        assert screen.counts["overdue"] == len(overdue)
        deadlines = [screen.page_rows[i].deadline for i in overdue]
        assert deadlines == sorted(deadlines)  # by deadline, oldest first
        await pilot.press("S")  # reverse
        await settle(app, pilot)
        reversed_ = [screen.page_rows[i].deadline for i in table_ids(screen)]
        assert reversed_ == sorted(deadlines, reverse=True)
        await pilot.press("s")  # next column: days, then back round to deadline
        await settle(app, pilot)
        assert screen.sort_column == "days"
        header = str(screen.query_one("#review-counts").render())
        assert f"逾期 {len(overdue)}" in header


async def test_record_a_reply(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        open_ids = [
            i
            for i in table_ids(screen)
            if screen.page_rows[i].status == "open" and screen.page_rows[i].pending is None
        ]
        table = screen.query_one("#review-table", DataTable)
        table.move_cursor(row=table.get_row_index(open_ids[0]))
        manager = as_manager(app, open_ids[0])
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"已更换灯具")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        item = get_item(app.db, open_ids[0])
        assert item.status.value == "replied"
        event = list_events(app.db, item.id)[-1]
        assert (event.action, event.actor, event.data["done"]) == ("reply", manager, "已更换灯具")
        assert event.data["date"] == "2026-11-23"
        assert screen.page_rows[item.id].status == "replied"  # the table was reloaded


async def test_reply_refused_names_the_state(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        replied = next(
            i
            for i in table_ids(screen)
            if screen.page_rows[i].status == "replied" and screen.page_rows[i].pending is None
        )
        table = screen.query_one("#review-table", DataTable)
        table.move_cursor(row=table.get_row_index(replied))
        events_before = len(list_events(app.db, replied))
        as_manager(app, replied)
        await pilot.press("r", *"再次回复", "ctrl+s")
        await settle(app, pilot)
        assert len(list_events(app.db, replied)) == events_before
        messages = [n.message for n in app._notifications]
        assert any("已回复" in m and "复检通过" in m for m in messages)


async def test_reinspection_of_two_marked_items(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        project = screen.page_rows[table_ids(screen)[0]].project_id
        db = app.db
        candidates = [
            i
            for i in table_ids(screen)
            if screen.page_rows[i].project_id == project and screen.page_rows[i].pending is None
        ]
        from pqm_tui.services.reinspection import group_by_version

        pair = next(g for g in group_by_version(db, candidates) if len(g) >= 2)[:2]
        table = screen.query_one("#review-table", DataTable)
        for item_id in pair:
            table.move_cursor(row=table.get_row_index(item_id))
            await pilot.press("space")
        assert screen.marked == set(pair)
        assert "已标记 2 项" in str(screen.query_one("#review-page").render())
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # asked first: nothing made yet
        assert "2 项" in str(app.screen.query_one(".dialog-title", Static).render())
        made = "SELECT count(*) FROM reinspection_targets WHERE rectification_item_id = ?"
        assert db.execute(made, [pair[0]]).fetchone()[0] == 0
        await pilot.press("y")
        await pilot.pause()
        created = db.execute(
            "SELECT inspection_id FROM reinspection_targets WHERE rectification_item_id = ?",
            [pair[0]],
        ).fetchone()[0]
        inspection = get_inspection(db, created)
        assert inspection.kind == InspectionKind.REINSPECTION
        assert {t.rectification_item_id for t in reinspection_targets.targets(db, created)} == set(
            pair
        )
        assert type(app.screen).__name__ == "WalkScreen"  # the walk of just those items
        ids = [created, *pair]
        project_name = screen.page_rows[pair[0]].project_name
        messages = [n.message for n in app._notifications]
        assert f"已创建复检：{project_name} {inspection.started_at[:10]}" in messages
        shown = "\n".join(messages) + app.export_screenshot()
        assert not [i for i in ids if i[-8:] in shown or i in shown], "an internal id is shown"
        await pilot.press("escape")
        await pilot.pause()
        shown = app.export_screenshot()
        assert not [i for i in ids if i[-8:] in shown], "an internal id is shown"


async def test_text_search_and_paging(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        name = screen.page_rows[table_ids(screen)[0]].project_name
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        app.focused.value = name  # CJK text arrives by an input method, not by key events
        await pilot.press("enter")
        await settle(app, pilot)
        assert table_ids(screen) and all(
            screen.page_rows[i].project_name == name for i in table_ids(screen)
        )
        await pilot.press("pageup")  # already on the first row: nothing changes
        await settle(app, pilot)
        assert screen.query_one("#review-table", DataTable).cursor_row == 0


async def test_search_runs_as_you_type(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        code = screen.page_rows[table_ids(screen)[0]].item_code
        await pilot.press("slash")
        await pilot.press(*code.lower())  # no Enter
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert isinstance(app.focused, Input)  # still typing
        assert table_ids(screen) and all(
            screen.page_rows[i].item_code == code for i in table_ids(screen)
        )


def test_page_query_limits_before_joining(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    flt = review.ReviewFilter()
    first = review.page(db, flt, TODAY, limit=5)
    second = review.page(db, flt, TODAY, limit=5, offset=5)
    allrows = review.page(db, flt, TODAY, limit=10)
    assert [r.id for r in first + second] == [r.id for r in allrows]
    assert review.count(db, flt, TODAY) == review.counts(db, flt, TODAY)["matching"]
    by_level = review.page(
        db, review.ReviewFilter(status="all"), TODAY, sort="level", descending=True, limit=3
    )
    assert by_level[0].escalation_level >= by_level[-1].escalation_level
    plan = " ".join(
        str(r)
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT r.rowid FROM rectification_items r "
            "WHERE r.status IN ('open', 'replied') ORDER BY r.deadline LIMIT 200"
        )
    )
    assert "rect_open_deadline" in plan or "rect_status_deadline" in plan


def test_review_filters_by_department_severity_and_pending(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    for dept in review.departments(db)[:3]:
        rows = review.page(db, review.ReviewFilter(status="all", department=dept), TODAY)
        assert all(r.department == dept for r in rows)
    rows = review.page(db, review.ReviewFilter(status="all", severity="serious"), TODAY)
    assert all(r.severity == "serious" for r in rows)
    pending = review.page(db, review.ReviewFilter(status="appeal-requested"), TODAY)
    assert pending and all(r.pending == "appeal-requested" for r in pending)


def test_clock_is_fixed(clock: Clock) -> None:
    assert clock.now() == datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


async def test_help_lists_the_review_keys(demo_db_path: Path, clock: Clock) -> None:
    from textual.widgets import DataTable as Table

    from pqm_tui.app import create_app
    from pqm_tui.config import Settings
    from pqm_tui.screens.dialogs.help import HelpScreen

    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered to resume
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#keys", Table)
        descriptions = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert app.tr("review.key.reinspect") in descriptions


def test_the_reviews_day_cells_agree_with_their_number_in_english() -> None:
    """ "1 day left", "2 days left", "1 day overdue" (not "1 days left")."""
    from datetime import date

    from pqm_tui.i18n import Translator
    from pqm_tui.model.review import ReviewRow
    from pqm_tui.screens.review_text import COLUMNS, row_cells

    tr = Translator("en")
    today = date(2026, 12, 6)
    fields = dict.fromkeys(("id", "project_id", "project_name", "area_name", "item_code"), "x")
    fields |= dict.fromkeys(("item_standard", "severity", "department", "person", "note"), "x")

    def days(deadline: str) -> str:
        row = ReviewRow(
            **fields,
            deadline=deadline,
            status="open",
            pending=None,
            escalation_level=0,
            notice_id=None,
            inspection_id="i",
        )
        return str(row_cells(row, today, tr, marked=False)[COLUMNS.index("days")])

    assert days("2026-12-07") == "1 day left"
    assert days("2026-12-08") == "2 days left"
    assert days("2026-12-05") == "1 day overdue"


async def test_a_project_person_first_sees_their_project(demo_db_path: Path, clock: Clock) -> None:
    """孔静 runs 锦程·滨江壹号: her first review shows its items, the chip says so, and
    clearing it shows every project; the quality department sees every project at once."""
    settings = Settings(timezone="Asia/Shanghai")
    app = create_app(settings, db_path=demo_db_path, actor="孔静", clock=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_review(app, pilot)
        own = {row.project_name for row in screen.rows}
        assert own == {"锦程·滨江壹号"}
        chips = str(screen.query_one("#review-chips", Static).render())
        assert "锦程·滨江壹号" in chips
        await pilot.press("c")  # clear the filters
        screen = await settle(app, pilot)
        assert len({row.project_name for row in screen.rows}) == 4
    Path(os.environ["PQM_PREFERENCES"]).unlink()  # a first visit again
    app = create_app(settings, db_path=demo_db_path, actor="黄建国", clock=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_review(app, pilot)
        assert len({row.project_name for row in screen.rows}) == 4
