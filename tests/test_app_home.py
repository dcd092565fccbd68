"""The app opens on the home screen with the demo data, in Chinese or English."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.screens.dialogs.help import HelpScreen


async def test_home_lists_projects_and_recent_inspections(demo_db_path: Path, clock: Clock) -> None:
    app = create_app(
        Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock, actor="王丽华"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "继续" in str(app.screen.query_one("Static").render())  # offers her draft
        await pilot.press("n")  # not now: stay on the home screen
        await pilot.pause()
        projects = app.screen.query_one("#projects", DataTable)
        names = [projects.get_row_at(i)[0] for i in range(projects.row_count)]
        assert "锦程·天府花园" in names
        recent = app.screen.query_one("#inspections", DataTable)
        assert recent.row_count == 29
        assert app.title == "PQM 物业品质管理"


async def test_home_in_english(demo_db_path: Path, clock: Clock) -> None:
    app = create_app(Settings(lang="en"), db_path=demo_db_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered
        recent = app.screen.query_one("#inspections", DataTable)
        kinds = {str(recent.get_row_at(i)[2]) for i in range(recent.row_count)}
        assert "Monthly check" in kinds


async def test_command_palette_speaks_the_users_language(demo_db_path: Path, clock: Clock) -> None:
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()  # nobody acts: no draft offered
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"快捷键帮助", "退出", "主题"} <= titles
        assert "Keys" not in titles  # Textual's panel would show untranslated message ids
        help_command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "快捷键帮助"
        )
        await help_command.callback()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#keys", DataTable)
        descriptions = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert "新建检查" in descriptions
        assert not [d for d in descriptions if d.startswith(("keys.", "review.key"))]
        # Textual's own keys (the tables' cursor keys …) in Chinese too
        assert "下移" in descriptions
        assert descriptions.index("新建检查") < descriptions.index("下移")  # PQM's keys first
        assert not [d for d in descriptions if d.isascii()], descriptions
