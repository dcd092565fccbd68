"""Who acts (操作人): ``--as`` / ``PQM_AS`` on the command line, the app's start-up dialog,
the remembered choice, and 切换用户 from the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqm_tui.app import PQMApp, create_app
from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, current_actor
from pqm_tui.model.identity import IdentityError, resolve_person
from pqm_tui.preferences import Preferences
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.identity import IdentityDialog
from pqm_tui.screens.home import HomeScreen
from tests.people import DemoPeople
from tests.test_palette import run_from_palette


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def open_item(path: Path) -> tuple[str, str]:
    """An open item and its project manager's name."""
    db = connect(path)
    row = db.execute(
        """SELECT r.id, r.project_id FROM rectification_items r WHERE r.status = 'open'
           AND NOT EXISTS (SELECT 1 FROM rectification_events e WHERE e.item_id = r.id)
           LIMIT 1"""
    ).fetchone()
    manager = next(p for p in organisation.list_people(db, row[1]) if "project-manager" in p.roles)
    db.close()
    return row[0], manager.name


# the command line ------------------------------------------------------------------------
def test_cli_refuses_unknown_archived_and_missing_person(
    demo_db_path: Path, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db_path)
    item, manager = open_item(demo_db_path)
    reply = ("item", "reply", item, "--done", "已清理")
    code, _, err = run(capsys, "--db", db, "--as", "Mickey Mouse", *reply)
    assert code == 2 and "没有名为“Mickey Mouse”的人员" in err and "pqm person list" in err
    code, _, err = run(capsys, "--db", db, *reply)
    assert code == 2 and "--as" in err and "PQM_AS" in err
    code, _, err = run(capsys, "--db", db, "--lang", "en", "--as", "Mickey Mouse", *reply)
    assert code == 2 and 'nobody is called "Mickey Mouse"' in err
    with connect(demo_db_path) as conn:
        organisation.archive(conn, clock, "people", resolve_person(conn, manager).id)
    code, _, err = run(capsys, "--db", db, "--as", manager, *reply)
    assert code == 2 and f"“{manager}”已于" in err and "归档" in err
    # reading needs nobody
    code, out, _ = run(capsys, "--db", db, "item", "show", item)
    assert code == 0 and "整改项" in out


def test_pqm_as_names_the_actor_recorded(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    item, manager = open_item(demo_db_path)
    monkeypatch.setenv("PQM_AS", manager)
    code, _, err = run(capsys, "--db", str(demo_db_path), "item", "reply", item, "--done", "好")
    assert code == 0, err
    db = connect(demo_db_path)
    person = resolve_person(db, manager)
    event_actor = db.execute(
        "SELECT actor FROM rectification_events WHERE item_id = ?", [item]
    ).fetchone()[0]
    audit_actor = db.execute(
        "SELECT actor FROM audit_log WHERE table_name = 'rectification_items' AND row_id = ? "
        "ORDER BY rowid DESC LIMIT 1",
        [item],
    ).fetchone()[0]
    assert event_actor == audit_actor == person.id
    code, out, _ = run(capsys, "--db", str(demo_db_path), "item", "show", item)
    assert manager in out and person.id not in out


def test_two_people_of_one_name_are_told_apart_by_id(demo_db_path: Path, clock: Clock) -> None:
    db = connect(demo_db_path)
    project = organisation.list_projects(db)[0]
    twin = organisation.add_person(db, "王丽华", "客服主管", project_id=project.id)
    with pytest.raises(IdentityError) as refused:
        resolve_person(db, "王丽华")
    assert refused.value.key == "errors.identity.ambiguous"
    assert twin.id[-8:] in str(refused.value)
    assert resolve_person(db, twin.id[-8:]).id == twin.id


# the app ---------------------------------------------------------------------------------
def asking_app(path: Path, clock: Clock) -> PQMApp:
    return create_app(
        Settings(timezone="Asia/Shanghai"), db_path=path, clock=clock, ask_identity=True
    )


async def choose(app: PQMApp, pilot, letters: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, IdentityDialog)
    await pilot.press(*letters)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_start_asks_who_you_are_and_remembers_it(
    demo_db_path: Path, clock: Clock, demo_people: DemoPeople
) -> None:
    app = asking_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IdentityDialog)
        await pilot.press("down")  # ↑↓ move the choice; typing filters
        await choose(app, pilot, "王丽")
        assert isinstance(app.screen, ConfirmDialog)  # then home offers her unfinished walk
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.person is not None and app.person.id == demo_people.inspector
        assert app.sub_title == "操作人：王丽华（品质督导）"
        assert current_actor(app.db) == demo_people.inspector
    assert Preferences(demo_db_path).get("identity.person") == demo_people.inspector
    again = asking_app(demo_db_path, clock)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog)  # remembered: not asked again
        assert not any(isinstance(s, IdentityDialog) for s in again.screen_stack)
        assert again.person is not None and again.person.name == "王丽华"


async def test_a_remembered_person_archived_since_is_asked_again(
    demo_db_path: Path, clock: Clock, demo_people: DemoPeople
) -> None:
    Preferences(demo_db_path).set("identity.person", demo_people.inspector_2)
    with connect(demo_db_path) as db:
        organisation.archive(db, clock, "people", demo_people.inspector_2)
    app = asking_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IdentityDialog)
        assert "“刘芳”已归档" in str(app.screen.query_one(".dialog-hint").render())
        assert app.person is None and app.sub_title == "操作人：未选择（只能查看）"
        await pilot.press("escape")  # nobody chosen: read only, no walk offered
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.person is None


async def test_switch_user_from_the_palette(
    demo_db_path: Path, clock: Clock, demo_people: DemoPeople
) -> None:
    app = create_app(
        Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock, actor="王丽华"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # an actor given: not asked
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.sub_title == "操作人：王丽华（品质督导）"
        await run_from_palette(app, pilot, "切换用户")
        await choose(app, pilot, "陈志")
        assert app.person is not None and app.person.id == demo_people.leader
        assert current_actor(app.db) == demo_people.leader
        assert "陈志强" in app.sub_title
