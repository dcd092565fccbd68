"""The organisation screen (组织架构), driven by keys only: what the database holds and shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, InspectionKind, ProjectKind, Role
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.organisation import OrganisationScreen


def _rows(app: PQMApp, tab: str) -> list[list[str]]:
    table = app.screen.query_one(f"#table-{tab}", DataTable)
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def _type(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


async def _form(pilot: Pilot[Any], *fields: str) -> None:
    """Fill the first text fields of the open form (tab between them) and save."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, FormDialog)
    for n, text in enumerate(fields):
        if n:
            await pilot.press("tab")
        await _type(pilot, text)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_a_project_with_three_areas_reordered_and_one_archived(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "org.sqlite3"
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")  # from the welcome screen
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        assert app.screen.tab == "cities"
        await pilot.press("a")
        await _form(pilot, "Jincheng", "Chengdu")  # the company, then its first city company
        assert _rows(app, "cities") == [["Chengdu", "0", ""]]

        await pilot.press("2", "a")
        await _form(pilot, "Garden")
        assert _rows(app, "projects")[0][:3] == ["Garden", "住宅小区", "Chengdu"]

        await pilot.press("3")
        for name in ("Gate", "Lobby", "Garage"):
            await pilot.press("a")
            await _form(pilot, name)
        expected = [["1", "Gate"], ["2", "Lobby"], ["3", "Garage"]]
        assert [r[:2] for r in _rows(app, "areas")] == expected

        await pilot.press("K")  # the cursor is on Garage, the last added: one place up
        await pilot.press("ctrl+up")  # and up again, to the front
        await pilot.pause()
        shown = [r[1] for r in _rows(app, "areas")]
        assert shown == ["Garage", "Gate", "Lobby"]
        await pilot.press("J")  # back one place down
        await pilot.pause()
        assert [r[1] for r in _rows(app, "areas")] == ["Gate", "Garage", "Lobby"]

        await pilot.press("down")  # Lobby
        await pilot.press("x")
        await pilot.pause()
        assert [r[1] for r in _rows(app, "areas")] == ["Gate", "Garage"]
        await pilot.press("h")  # the archived shown, marked
        await pilot.pause()
        assert _rows(app, "areas")[-1] == ["—", "Lobby", "出入口", "已归档"]

    db = connect(path)
    project = organisation.find_project(db, "Garden")
    areas = organisation.list_areas(db, project.id)
    active = [(a.name, a.position) for a in areas if a.archived_at is None]
    assert active == [("Gate", 0), ("Garage", 1)]
    lobby = next(a for a in areas if a.name == "Lobby")
    assert lobby.archived_at is not None  # archived, not deleted


async def test_archived_rows_are_restored_and_forms_refuse_bad_values(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "org.sqlite3"
    db = connect(path)
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都公司")
    project = organisation.add_project(db, city.id, "天府花园", ProjectKind.RESIDENTIAL)
    organisation.add_area(db, project.id, "南门", AreaType.GATE, 0)
    organisation.add_person(db, "王丽华", "品质督导")
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")  # from the home screen
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        await pilot.press("a")
        await _form(pilot, "天府花园")  # the name is taken: said in the form, which stays
        assert isinstance(app.screen, FormDialog)
        assert "已被使用" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("x")  # archive the project
        await pilot.pause()
        assert _rows(app, "projects") == []
        assert organisation.list_projects(db, active_only=True) == []
        await pilot.press("h")
        await pilot.pause()
        assert _rows(app, "projects")[0][-1] == "已归档"
        await pilot.press("x")  # restore it
        await pilot.pause()
        assert _rows(app, "projects")[0][-1] == ""
        assert [p.name for p in organisation.list_projects(db, active_only=True)] == ["天府花园"]

        await pilot.press("c")  # default checklists: 自检, 交叉检查, then the monthly check
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("tab", "tab", "enter", "down", "enter", "ctrl+s")
        await pilot.pause()
        defaults = organisation.default_checklists(db, project.id)
        assert list(defaults) == [InspectionKind.MONTHLY]

        await pilot.press("5", "a")  # a person: phone checked
        await pilot.pause()
        await _type(pilot, "Li")
        await pilot.press("tab", "tab", "space")  # ticks the first role
        for _ in range(4):
            await pilot.press("tab")
        await _type(pilot, "call me")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "电话号码" in str(app.screen.query_one("#error").render())
        for _ in range(7):
            await pilot.press("backspace")
        await _type(pilot, "138-0000-0000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
    li = organisation.find_person(db, "Li")
    assert li.roles == [Role.INSPECTOR]
    assert li.role == "品质督导"  # no title typed: the first role's name
    assert li.phone == "138-0000-0000"


def test_an_archived_area_is_not_walked_by_new_inspections_but_stays_in_old_ones(
    tmp_path: Path, clock: Clock
) -> None:
    from datetime import timedelta

    from pqm_tui.model import checklists, inspections
    from pqm_tui.services.inspection_state import load_state

    db = connect(tmp_path / "org.sqlite3")
    version = checklists.install_builtins(db, clock)[0]
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都公司")
    project = organisation.add_project(db, city.id, "天府花园", ProjectKind.RESIDENTIAL)
    gate = organisation.add_area(db, project.id, "南门", AreaType.GATE, 0)
    lobby = organisation.add_area(db, project.id, "大堂", AreaType.LOBBY, 1)
    inspector = organisation.add_person(db, "王丽华", "品质督导")
    before = clock.now() - timedelta(days=1)

    def start(at: str) -> str:
        return inspections.create_inspection(
            db, clock, project.id, InspectionKind.MONTHLY, version.id, [inspector.id], at
        ).id

    old = start(before.isoformat(timespec="milliseconds"))
    later = Clock(tz=clock.tz, source=lambda: clock.now() + timedelta(hours=1))
    organisation.archive(db, clock, "areas", lobby.id)
    new = start(later.now_iso())
    settings = Settings(timezone="Asia/Shanghai")
    assert [a.name for a in load_state(db, settings, old).plan.areas] == ["南门", "大堂"]
    assert [a.name for a in load_state(db, settings, new).plan.areas] == ["南门"]
    assert organisation.is_referenced(db, "projects", project.id)
    assert gate.id in {a.id for a in load_state(db, settings, new).plan.areas}


async def test_rows_of_an_archived_project_stay_editable(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "org.sqlite3"
    db = connect(path)
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都公司")
    project = organisation.add_project(db, city.id, "天府花园", ProjectKind.RESIDENTIAL)
    department = organisation.add_department(db, "客服部", project.id, city.id)
    organisation.add_person(db, "卢英", "客服主管", department.id, project.id)
    organisation.archive(db, clock, "projects", project.id)
    organisation.archive(db, clock, "city_companies", city.id)
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("p")  # the welcome screen's people
        await pilot.pause()
        await pilot.press("e")  # 卢英, of the archived project: the form opens, choices kept
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert app.screen.values()["project"] == project.id
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("4", "e")  # 客服部 of the archived project
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
    person = organisation.find_person(db, "卢英")
    assert (person.project_id, person.department_id) == (project.id, department.id)
    assert organisation.get_department(db, department.id).project_id == project.id


async def test_only_an_administrator_edits_the_organisation_and_the_form_stays(
    demo_db_path: Path, clock: Clock
) -> None:
    """The demo has an administrator (徐静): an inspector is refused, in the form, by name."""
    app = create_app(
        Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, actor="王丽华", clock=clock
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo's draft
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        projects = len(_rows(app, "projects"))
        await pilot.press("a")
        await _form(pilot, "新项目")
        assert isinstance(app.screen, FormDialog)  # refused: the form stays with what was typed
        said = str(app.screen.query_one("#error").render())
        assert "王丽华 无权维护或导入组织架构：仅限系统管理员" in said
        admin = organisation.find_person(app.db, "徐静")
        app.act_as(admin)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
        assert len(_rows(app, "projects")) == projects + 1


async def test_a_look_alike_project_name_and_a_short_phone_are_refused_in_the_form(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "org.sqlite3"
    db = connect(path)
    company = organisation.add_company(db, "锦程物业")
    city = organisation.add_city_company(db, company.id, "成都城市公司")
    organisation.add_project(db, city.id, "锦程·天府花园", ProjectKind.RESIDENTIAL)
    organisation.add_person(db, "王丽华", "品质督导")
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("2", "a")
        await pilot.pause()
        await _type(pilot, "锦程")
        # the katakana middle dot (U+30FB) as a terminal sends it (Pilot types no punctuation)
        pilot.app.post_message(events.Key("katakana_middle_dot", "・"))
        await _form(pilot, "天府花园")
        assert isinstance(app.screen, FormDialog)
        error = str(app.screen.query_one("#error").render())
        assert "“锦程・天府花园”与已有的“锦程·天府花园”是同一个名称" in error
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("5", "a")
        await pilot.pause()
        await _type(pilot, "张伟")
        await pilot.press("tab", "tab", "space")
        for _ in range(4):
            await pilot.press("tab")
        await _type(pilot, "12345")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "电话号码“12345”无效" in str(app.screen.query_one("#error").render())
        for _ in range(5):
            await pilot.press("backspace")
        await _type(pilot, "028-8555 1234")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
    assert [p.name for p in organisation.list_projects(db)] == ["锦程·天府花园"]
    assert organisation.find_person(db, "张伟").phone == "028-8555 1234"
