"""Sign-off PINs (签字密码): hashing, the ``pqm person`` commands and the sign-off dialog."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from textual.widgets import Input, SelectionList, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services.pins import PinFormatError, hash_pin, verify_pin
from pqm_tui.services.walk_session import mark_unanswered_na
from tests.messages import raises_saying

SIZE = (100, 30)


# hashing ------------------------------------------------------------------------------
def test_hash_and_verify() -> None:
    stored = hash_pin("2468")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert "2468" not in stored
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("24680", stored)
    assert hash_pin("2468") != stored  # a new salt each time
    assert verify_pin("87654321", hash_pin("87654321"))


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "１２３４", "12 34", "-123"])
def test_pin_format_is_four_to_eight_digits(pin: str) -> None:
    with raises_saying(PinFormatError, "4–8 digits"):
        hash_pin(pin)


@pytest.mark.parametrize(
    "stored", ["", "junk", "bcrypt$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00"]
)
def test_unreadable_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_pin("1234", stored)


# pqm person ---------------------------------------------------------------------------
def run(
    db_path: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None
) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    # the administrator (系统管理员) sets and clears other people's PINs
    return main(["--db", str(db_path), "--lang", "zh", "--as", "徐静", *args])


def test_cli_sets_and_clears_a_pin(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = connect(demo_db_path)
    person = organisation.inspectors(db)[0]
    assert run(demo_db_path, "person", "pin", person.name, "--pin-stdin", stdin="13579\n",
               monkeypatch=monkeypatch) == 0  # fmt: skip
    assert person.name in capsys.readouterr().out
    stored = organisation.get_person(db, person.id).pin_hash
    assert stored and verify_pin("13579", stored) and "13579" not in stored

    assert run(demo_db_path, "person", "list") == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if line.startswith(person.name))
    assert "已设" in row and "签字密码" in listing

    assert run(demo_db_path, "person", "pin", person.name, "--pin-stdin", stdin="12ab\n",
               monkeypatch=monkeypatch) == 2  # fmt: skip
    assert "4–8 位数字" in capsys.readouterr().err
    assert organisation.get_person(db, person.id).pin_hash == stored  # unchanged

    assert run(demo_db_path, "person", "pin", person.id, "--clear") == 0
    assert organisation.get_person(db, person.id).pin_hash is None
    assert run(demo_db_path, "person", "pin", "没有这个人", "--clear") == 2
    assert "没有这个人" in capsys.readouterr().err


def test_cli_asks_twice_and_refuses_a_mismatch(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = connect(demo_db_path)
    person = organisation.inspectors(db)[0]
    answers = iter(["1234", "4321"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(demo_db_path, "person", "pin", person.name) == 2
    assert "不一致" in capsys.readouterr().err
    assert organisation.get_person(db, person.id).pin_hash is None
    answers = iter(["2580", "2580"])
    assert run(demo_db_path, "person", "pin", person.name) == 0
    assert verify_pin("2580", organisation.get_person(db, person.id).pin_hash or "")


# the sign-off dialog ------------------------------------------------------------------
@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    db = connect(demo_db_path)  # acting as the inspector of the walk to be signed
    done = inspections.list_inspections(db, status=InspectionStatus.COMPLETED)
    inspector = done[0].inspection.inspector_ids[0]
    db.close()
    return create_app(settings, db_path=demo_db_path, actor=inspector, clock=clock)


def ready_to_sign(db_path: Path, clock: Clock, settings: Settings) -> str:
    """The demo's completed inspection with every unanswered item marked N/A."""
    db = connect(db_path)
    done = inspections.list_inspections(db, status=InspectionStatus.COMPLETED)
    inspection_id = done[0].inspection.id
    set_actor(db, done[0].inspection.inspector_ids[0])  # its inspector marks them
    mark_unanswered_na(db, clock, settings, inspection_id)
    return inspection_id


async def test_a_person_with_a_pin_signs_only_with_the_right_one(
    app: PQMApp, demo_db_path: Path, clock: Clock, settings: Settings
) -> None:
    inspection_id = ready_to_sign(demo_db_path, clock, settings)
    db = connect(demo_db_path)
    inspection = inspections.get_inspection(db, inspection_id)
    inspector = organisation.get_person(db, inspection.inspector_ids[0])
    receiver = organisation.list_people(db, inspection.project_id)[0]
    organisation.set_person_pin(db, inspector.id, hash_pin("2468"))
    organisation.set_person_pin(db, receiver.id, hash_pin("97531"))
    before = db.execute("SELECT max(rowid) FROM audit_log").fetchone()[0]

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await app.push_screen(SummaryScreen(inspection_id))
        await pilot.pause()
        summary = app.screen
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        dialog.query_one("#inspectors", SelectionList).select_all()
        dialog.query_one("#receiver", Input).value = receiver.name
        await pilot.pause()
        pin = dialog.query_one(f"#pin-{inspector.id}", Input)
        receiver_pin = dialog.query_one("#receiver-pin", Input)
        assert pin.password and receiver_pin.password
        assert dialog.query_one("#receiver-pin-row").display
        error = dialog.query_one("#error", Static)

        await pilot.press("ctrl+s")  # no PIN typed
        assert app.screen is dialog
        assert f"请输入 {inspector.name} 的签字密码" in str(error.render())
        pin.value = "1111"
        await pilot.press("ctrl+s")  # wrong PIN
        assert app.screen is dialog and pin.value == ""
        assert f"{inspector.name} 的签字密码不正确" in str(error.render())
        pin.value = "2468"
        receiver_pin.value = "13579"
        await pilot.press("ctrl+s")  # the receiver's PIN is wrong
        assert app.screen is dialog
        assert f"{receiver.name} 的签字密码不正确" in str(error.render())
        assert inspections.get_inspection(db, inspection_id).status != InspectionStatus.SIGNED

        receiver_pin.value = "97531"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is summary
        assert "已签字锁定" in str(summary.query_one("#summary-status", Static).render())

    signed = inspections.get_inspection(db, inspection_id)
    assert signed.status == InspectionStatus.SIGNED and signed.receiver_name == receiver.name
    rows = db.execute("SELECT * FROM audit_log WHERE rowid > ?", [before]).fetchall()
    assert rows  # the signing is audited …
    audit = " ".join(str(tuple(r)) for r in rows)  # … without any PIN typed in the dialog
    for typed in ("2468", "1111", "13579", "97531"):  # as a value, not inside hex
        assert re.search(rf"(?<![0-9a-f]){typed}(?![0-9a-f])", audit) is None, typed


async def test_receiver_pin_row_only_for_a_receiver_with_a_pin(
    app: PQMApp, demo_db_path: Path, clock: Clock, settings: Settings
) -> None:
    inspection_id = ready_to_sign(demo_db_path, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await app.push_screen(SummaryScreen(inspection_id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        assert not [w for w in dialog.query(Input) if (w.id or "").startswith("pin-")]
        dialog.query_one("#inspectors", SelectionList).select_all()
        dialog.query_one("#receiver", Input).value = "外来接收人"
        await pilot.pause()
        assert not dialog.query_one("#receiver-pin-row").display
        await pilot.press("ctrl+s")  # nobody has a PIN: signs as before
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    db = connect(demo_db_path)
    assert inspections.get_inspection(db, inspection_id).status == InspectionStatus.SIGNED


async def test_the_projects_receiver_of_notices_is_filled_in(
    app: PQMApp, demo_db_path: Path, clock: Clock, settings: Settings
) -> None:
    """签字确认: the receiver set for the project (organisation screen, org import) is offered."""
    inspection_id = ready_to_sign(demo_db_path, clock, settings)
    db = connect(demo_db_path)
    inspection = inspections.get_inspection(db, inspection_id)
    receiver = organisation.list_people(db, inspection.project_id)[-1]
    organisation.edit_project(db, inspection.project_id, receiver_id=receiver.id)
    organisation.set_person_pin(db, receiver.id, hash_pin("97531"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await app.push_screen(SummaryScreen(inspection_id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        assert dialog.query_one("#receiver", Input).value == receiver.name
        assert dialog.query_one("#role", Input).value == receiver.role
        assert dialog.query_one("#receiver-pin-row").display  # his PIN is asked for
