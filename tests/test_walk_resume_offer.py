"""The offer to resume a walk (继续未完成的检查) is the inspector's own: nobody else is offered
her draft, and somebody opening it to look leaves her resume point (and its time) alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable

from pqm_tui.app import PQMApp, create_app, start_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import Inspection, InspectionStatus
from pqm_tui.model.inspections import WalkPosition
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.walk import POSITION_DELAY, WalkScreen
from pqm_tui.services.walk_session import WalkSession
from tests.people import INSPECTOR, INSPECTOR_2, QUALITY_MANAGER, manager_of, person_id

SETTINGS = Settings(timezone="Asia/Shanghai")
SIZE = (100, 30)


def demo_draft(db_path: Path) -> tuple[Inspection, str]:
    """The demo's draft (王丽华's) and the name of its project's manager."""
    db = connect(db_path)
    try:
        draft = inspections.latest_draft(db)
        assert draft is not None and person_id(db, INSPECTOR) in draft.inspector_ids
        manager = manager_of(db, draft.project_id)
        name = str(db.execute("SELECT name FROM people WHERE id = ?", [manager]).fetchone()[0])
        return draft, name
    finally:
        db.close()


def position(db_path: Path, inspection_id: str) -> WalkPosition | None:
    db = connect(db_path)
    try:
        return inspections.get_position(db, inspection_id)
    finally:
        db.close()


async def test_the_project_manager_is_not_offered_the_inspectors_draft(
    demo_db_path: Path, clock: Clock
) -> None:
    _, manager = demo_draft(demo_db_path)
    app = start_app(SETTINGS, db_path=demo_db_path, actor=manager, clock=clock)
    assert not app.database_open  # the fast start: home painted before the database opens
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.database_open and app.person is not None and app.person.name == manager
        assert isinstance(app.screen, HomeScreen), type(app.screen).__name__
    app.close_database()


async def test_the_quality_manager_is_not_offered_it_either(
    demo_db_path: Path, clock: Clock
) -> None:
    app = create_app(SETTINGS, db_path=demo_db_path, actor=QUALITY_MANAGER, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), type(app.screen).__name__
    app.close_database()


async def test_the_inspector_is_offered_her_own_draft_not_a_newer_one_of_others(
    demo_db_path: Path, clock: Clock
) -> None:
    draft, _ = demo_draft(demo_db_path)
    db = connect(demo_db_path)
    set_actor(db, person_id(db, INSPECTOR_2))
    others = inspections.create_inspection(  # 刘芳's own draft, worked on after hers
        db,
        clock,
        draft.project_id,
        draft.kind,
        draft.checklist_version_id,
        [person_id(db, INSPECTOR_2)],
        started_at=(clock.now() + timedelta(hours=1)).isoformat(),
    )
    db.close()
    app = start_app(SETTINGS, db_path=demo_db_path, actor=INSPECTOR, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.inspection_id == draft.id
        assert walk.inspection_id != others.id
    app.close_database()


async def open_draft_from_home(app: PQMApp, pilot, draft_id: str) -> WalkScreen:  # type: ignore[no-untyped-def]
    """On home, down the recent inspections to the draft and Enter on it."""
    home = app.screen
    assert isinstance(home, HomeScreen)
    table = home.query_one("#inspections", DataTable)
    table.focus()
    await pilot.pause()
    for _ in range(table.row_count):
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key == draft_id:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    walk = app.screen
    assert isinstance(walk, WalkScreen), type(walk).__name__
    return walk


async def test_looking_at_a_draft_leaves_its_resume_point_alone(
    demo_db_path: Path, clock: Clock
) -> None:
    draft, _ = demo_draft(demo_db_path)
    db = connect(demo_db_path)
    set_actor(db, person_id(db, INSPECTOR))
    session = WalkSession(db, clock, SETTINGS, draft.id, demo_db_path)
    area = session.areas[1]
    session.save_position(area.id, session.items_of(area.id)[2].id)  # where she stopped
    db.close()
    before = position(demo_db_path, draft.id)
    assert before is not None and before.area_id == area.id

    later = Clock(tz=clock.tz, source=lambda: clock.now() + timedelta(minutes=22))
    app = create_app(SETTINGS, db_path=demo_db_path, actor=QUALITY_MANAGER, clock=later)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        walk = await open_draft_from_home(app, pilot, draft.id)
        assert (walk.area_id, walk.current_item) == (before.area_id, before.item_id)
        await pilot.press("j", "j", "j")  # a look down the items …
        await pilot.pause(POSITION_DELAY * 2)
        await pilot.press("tab")  # … and into the next area
        await pilot.pause(POSITION_DELAY * 2)
        assert walk.area_id != before.area_id
        await pilot.press("escape")  # back home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app.close_database()
    assert position(demo_db_path, draft.id) == before  # same area, item and time

    again = create_app(SETTINGS, db_path=demo_db_path, actor=INSPECTOR, clock=later)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog)  # still hers, where she stopped
        await pilot.press("y")
        await pilot.pause()
        walk = again.screen
        assert isinstance(walk, WalkScreen)
        assert (walk.area_id, walk.current_item) == (before.area_id, before.item_id)
        assert inspections.get_inspection(again.db, draft.id).status == InspectionStatus.DRAFT
    again.close_database()
