"""Start-up (启动): ``pqm`` paints home first, opens the database after, and fills it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable

from pqm_tui.app import start_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.identity import IdentityError
from pqm_tui.model.schema import latest_version
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.registry import SCREENS
from pqm_tui.widgets.due_panel import DuePanel

SETTINGS = Settings(timezone="Asia/Shanghai")
IDENTITY_DIALOG = SCREENS["identity"][1]


async def test_home_paints_first_then_fills_and_offers_the_draft(
    demo_db_path: Path, clock: Clock
) -> None:
    app = start_app(SETTINGS, db_path=demo_db_path, actor="王丽华", clock=clock)
    assert not app.database_open  # nothing of the database layer before the first paint
    assert "王丽华" in app.sub_title  # but the header names who acts (操作人)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.database_open and app.person is not None and app.person.name == "王丽华"
        assert isinstance(app.screen, ConfirmDialog)  # the offer to resume the demo draft
        await pilot.press("n")
        await pilot.pause()
        recent = app.screen.query_one("#inspections", DataTable)
        assert recent.row_count == 29
        projects = app.screen.query_one("#projects", DataTable)
        assert "锦程·天府花园" in [projects.get_row_at(i)[0] for i in range(projects.row_count)]
        await app.workers.wait_for_complete()  # the latest scores, scored in a worker
        await pilot.pause()
        scores = [str(projects.get_row_at(i)[3]) for i in range(projects.row_count)]
        assert all(score.strip() for score in scores), scores
        due = str(app.screen.query_one(DuePanel).render())
        assert "逾期" in due
    app.close_database()


async def test_without_a_name_the_remembered_person_is_asked_for(
    demo_db_path: Path, clock: Clock
) -> None:
    app = start_app(SETTINGS, db_path=demo_db_path, clock=clock, ask_identity=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.identity_pending and app.person is None  # the "who are you" dialog
        assert type(app.screen).__name__ == IDENTITY_DIALOG
    app.close_database()


def test_a_wrong_name_is_refused_before_the_app_runs(demo_db_path: Path) -> None:
    with pytest.raises(IdentityError):
        start_app(SETTINGS, db_path=demo_db_path, actor="不存在的人")


def test_a_database_to_migrate_is_opened_before_the_first_paint(
    demo_db_path: Path, clock: Clock
) -> None:
    conn = sqlite3.connect(demo_db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() - 1}")  # as if one step behind
    conn.close()
    app = start_app(SETTINGS, db_path=demo_db_path, actor="王丽华", clock=clock)
    assert app.database_open  # opened (and stamped again) by the full layer, as create_app does
    app.close_database()
