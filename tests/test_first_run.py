"""First run (开始使用): a new database opens the welcome screen; ``n`` says what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Select

from pqm_tui.app import create_app
from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import checklists, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.start import StartInspectionScreen
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.organisation import OrganisationScreen
from pqm_tui.screens.welcome import WelcomeScreen


def _text(app: object, selector: str) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one(selector).render())


async def test_a_new_database_opens_the_welcome_screen(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "公司 数据" / "new.sqlite3"  # not the default database, a space in it
    path.parent.mkdir()
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        organisation_step = _text(app, "#step-organisation")
        assert "✗" in organisation_step
        # the commands name this database: without --db they would fill the default one
        assert f"pqm --db '{path}' org template -o" in organisation_step
        assert f"pqm --db '{path}' org import" in organisation_step
        assert "按 g" in organisation_step
        assert "✓" in _text(app, "#step-checklists")  # the built-in ones are installed
        assert f"pqm --db '{path}' checklist import" in _text(app, "#step-checklists")
        assert "✗" in _text(app, "#step-people")
        assert str(path) in _text(app, "#welcome-db")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")  # no project: said, and offered; no crash
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "还没有任何项目" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        assert app.screen.tab == "cities"  # no city company yet: that comes first
    db = connect(path)
    assert len(checklists.list_checklists(db)) == 3


async def test_the_default_database_is_named_by_no_db_option(clock: Clock) -> None:
    from pqm_tui.paths import default_db_path

    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=default_db_path(), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        step = _text(app, "#step-organisation")
        assert "\n       pqm org template -o 组织架构.xlsx" in step and "--db" not in step


async def test_n_names_what_is_missing_in_order(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "org.sqlite3"
    db = connect(path)
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都公司")
    project = organisation.add_project(db, city.id, "天府花园", ProjectKind.RESIDENTIAL)
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # past the welcome screen
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "区域" in app.screen.question
        await pilot.press("escape")
        organisation.add_area(db, project.id, "南门", AreaType.GATE, 0)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "检查人" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        assert app.screen.tab == "people"
        await pilot.press("escape")
        organisation.add_person(db, "王丽华", "品质督导")
        sales = checklists.find_checklist(db, "案场8S管理检查表")
        organisation.set_default_checklist(db, project.id, InspectionKind.MONTHLY, sales.id)
        await pilot.press("n")  # everything is there: the start form, on the project
        await pilot.pause()
        assert isinstance(app.screen, StartInspectionScreen)
        assert app.screen.query_one("#project", Select).value == project.id
        chosen = app.screen.query_one("#checklist", Select).value  # the project's default
        assert chosen == checklists.get_latest_version(db, sales.id).id


async def test_the_palette_opens_the_organisation(demo_db_path: Path, clock: Clock) -> None:
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()  # nobody acts: no draft is offered to resume
        assert isinstance(app.screen, HomeScreen)  # the demo has all it needs: no welcome
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"组织架构", "人员", "开始使用"} <= set(commands)
        commands["人员"].callback()
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        assert app.screen.tab == "people"
        people = app.screen.query_one("#table-people", DataTable)
        assert people.row_count > 10


def test_the_cli_says_where_it_creates_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    ran: list[Path] = []

    class FakeApp:
        return_code = 0

        def run(self) -> None:
            ran.append(Path())

        def close_database(self) -> None:
            """The real one closes it (SQLite refreshes its statistics on the way out)."""

    monkeypatch.setattr("pqm_tui.app.create_app", lambda *a, **k: FakeApp())
    assert main(["--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "first run: creating the database" in err
    assert str(tmp_path / "data") in err
    assert ran
