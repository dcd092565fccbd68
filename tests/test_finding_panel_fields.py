"""The finding panel's fields as an inspector types them (by keys): a folder's photos
already used are left out, 责任部门 and 责任人 are the organisation's names, and Up/Down
walk past 严重程度 without opening it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import Input, Select, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import RuleError
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.walk import WalkScreen
from pqm_tui.services.responsible_choices import ResponsibleChoices, responsible_choices
from tests.people import INSPECTOR
from tests.test_walk import start_new

SIZE = (100, 30)


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor=INSPECTOR, clock=clock)


def picture(path: Path, colour: tuple[int, int, int], mtime: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 24), colour).save(path, "JPEG")
    os.utime(path, (mtime, mtime))
    return path


def shortest_start(name: str, choices: tuple[str, ...]) -> str:
    """The fewest first characters of ``name`` that no other choice starts with."""
    for n in range(1, len(name) + 1):
        if [c for c in choices if c.startswith(name[:n])] == [name]:
            return name[:n]
    return name


async def open_panel(app: PQMApp, pilot) -> FindingPanel:  # type: ignore[no-untyped-def]
    await pilot.press("f")
    await pilot.pause()
    panel = app.screen
    assert isinstance(panel, FindingPanel)
    assert app.focused is panel.query_one("#note", Input)
    return panel


def error_line(panel: FindingPanel) -> str:
    return str(panel.query_one("#error", Static).render())


async def test_folder_import_leaves_out_a_photo_on_another_finding(
    app: PQMApp, tmp_path: Path
) -> None:
    folder = tmp_path / "fresh" / "photos"
    gate = picture(folder / "门岗 1.jpg", (200, 30, 30), 1_800_000_000)
    picture(folder / "大堂 2.jpg", (30, 30, 200), 1_800_000_001)
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        first = walk.current_item
        panel = await open_panel(app, pilot)
        await pilot.press(*["tab"] * 5)  # location, department, person, severity, photo
        assert app.focused is panel.query_one("#photo", Input)
        await pilot.press(*str(gate), "enter")  # one photo by its path
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is walk
        saved = walk.walk.finding(walk.area_id, first)  # type: ignore[arg-type]
        assert saved is not None and walk.walk.photo_counts[saved.id] == 1

        await pilot.press("j")
        panel = await open_panel(app, pilot)
        await pilot.press(*["tab"] * 5)
        await pilot.press(*f"{folder}/", "enter")  # the folder: its new photos
        await pilot.pause()
        assert [p.original_name for p in panel.stored] == ["大堂 2.jpg"]
        said = error_line(panel)
        assert "导入新照片 1 张" in said and "另有 1 张已附在本次检查的问题上" in said, said


async def test_department_and_person_are_the_organisations_names(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        choices: ResponsibleChoices = walk.walk.responsible
        assert choices.departments and choices.people
        department = choices.departments[0]
        person = choices.people[-1]
        item = walk.current_item
        panel = await open_panel(app, pilot)
        await pilot.press("down", "down")  # location, department
        field = panel.query_one("#department", Input)
        assert app.focused is field
        await pilot.press(*"/tmp/fresh/photos/", "ctrl+s")  # a path is no department
        await pilot.pause()
        assert app.screen is panel and app.focused is field
        said = error_line(panel)
        assert "不是本项目的部门" in said and department in said, said

        await pilot.press("down", "up")  # back in: its text selected, typing replaces it
        await pilot.press(*shortest_start(department, choices.departments), "down")
        assert field.value == department  # completed on leaving the field
        assert error_line(panel) == ""  # its refusal taken back
        person_field = panel.query_one("#person", Input)
        assert app.focused is person_field
        await pilot.press("Z", "Z", "ctrl+s")
        await pilot.pause()
        assert app.screen is panel and app.focused is person_field
        assert "不是本项目的人员" in error_line(panel)

        await pilot.press("up", "down", *shortest_start(person, choices.people), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        saved = walk.walk.finding(walk.area_id, item)  # type: ignore[arg-type]
        assert saved is not None
        assert (saved.department, saved.responsible_person) == (department, person)


def test_the_choices_are_the_projects_active_departments_and_people(
    app: PQMApp, clock: Clock
) -> None:
    db = app.db
    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    choices = responsible_choices(db, project.id)
    own = [d.name for d in organisation.list_departments(db, project.id) if d.project_id]
    assert set(own) <= set(choices.departments) and "客服部" in choices.departments
    gone = next(d for d in organisation.list_departments(db, project.id) if d.name == "客服部")
    organisation.archive(db, clock, "departments", gone.id)
    assert "客服部" not in responsible_choices(db, project.id).departments
    with pytest.raises(RuleError) as refused:
        responsible_choices(db, project.id).department("客服部")
    assert refused.value.key == "errors.finding.unknown_department"
    # what a finding already holds is kept when it is edited (an older record)
    assert responsible_choices(db, project.id).department("客服部", kept="客服部") == "客服部"


async def test_up_and_down_walk_past_the_severity_without_opening_it(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await start_new(app, pilot)
        panel = await open_panel(app, pilot)
        severity = panel.query_one("#severity", Select)
        await pilot.press("down", "down", "down", "down")  # location … person, severity
        assert app.focused is severity and not severity.expanded
        await pilot.press("down")
        assert app.focused is panel.query_one("#photo", Input)
        await pilot.press("up")
        assert app.focused is severity and not severity.expanded
        await pilot.press("up")
        assert app.focused is panel.query_one("#person", Input)
        await pilot.press("down", "enter")  # Enter opens the list …
        await pilot.pause()
        assert severity.expanded
        await pilot.press("escape")  # … Esc closes it, the panel stays
        await pilot.pause()
        assert app.screen is panel and not severity.expanded
        await pilot.press("space")  # space opens it too
        await pilot.pause()
        assert severity.expanded
