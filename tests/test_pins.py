"""Sign-off PINs (签字密码): hashing, the ``pqm person`` commands and the sign-off dialog."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import InspectionStatus, Person
from pqm_tui.model.pin_lockouts import PinLockout, get_lockout
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.organisation import OrganisationScreen
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services import rectification as rect
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.pins import (
    PinError,
    PinFormatError,
    PinLockedError,
    PinNotSetError,
    PinWrongError,
    check_pin,
    hash_pin,
    verify_pin,
)
from pqm_tui.services.walk_session import mark_unanswered_na
from tests.messages import raises_saying
from tests.people import manager_of

SIZE = (100, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXED = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # the demo's clock (conftest)


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


# lockout ------------------------------------------------------------------------------
class MovingClock:
    """A fixed clock the test moves forward."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def clock(self) -> Clock:
        return Clock(tz=SHANGHAI, source=lambda: self.at)


def person_named(db_path: Path, name: str) -> Person:
    return organisation.find_person(connect(db_path), name)


def test_demo_people_have_the_demo_pin(demo_db_path: Path) -> None:
    people = organisation.list_people(connect(demo_db_path))
    assert people and all(verify_pin(DEMO_PIN, p.pin_hash or "") for p in people)


def test_no_pin_is_in_the_database_file(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Set, changed, mistyped and reset PINs leave only hashes: not in the file, the WAL,
    the audit trail."""
    wang = person_named(demo_db_path, "王丽华")
    chen = person_named(demo_db_path, "徐静")  # the administrator resets
    change = ("--as", wang.id, "person", "pin", wang.name, "--pin-stdin")
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, *change, stdin="73915846\n", monkeypatch=monkeypatch) == 0
    monkeypatch.setenv("PQM_PIN", "50267319")  # a wrong one, counted
    assert run(demo_db_path, *change, stdin="61738294\n", monkeypatch=monkeypatch) == 2
    reset = ("--as", chen.id, "person", "pin", wang.name, "--reset", "--pin-stdin")
    assert run(demo_db_path, *reset, stdin="48201937\n", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    files = list(demo_db_path.parent.glob("demo.sqlite3*"))
    assert any(f.name.endswith("-wal") for f in files)
    data = b"".join(f.read_bytes() for f in files)
    assert data.count(b"scrypt$") >= 2  # the hashes are there …
    for pin in ("73915846", "50267319", "61738294", "48201937"):  # … never a PIN
        assert pin.encode() not in data and pin.encode("utf-16-le") not in data, pin


def test_five_wrong_pins_lock_for_fifteen_minutes(demo_db_path: Path) -> None:
    wang = person_named(demo_db_path, "王丽华")
    time = MovingClock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    db = connect(demo_db_path)
    for left in (4, 3, 2, 1):
        with raises_saying(PinWrongError, f"{left} tries left"):
            check_pin(db, time.clock(), wang.id, "9999")
    with raises_saying(PinLockedError, "wrong 5 times: locked until 2026-11-23 10:15"):
        check_pin(db, time.clock(), wang.id, "9999")
    db.close()
    db = connect(demo_db_path)  # a restart does not unlock
    time.at += timedelta(minutes=14, seconds=59)
    with raises_saying(PinLockedError, "locked .* until 2026-11-23 10:15"):
        check_pin(db, time.clock(), wang.id, DEMO_PIN)  # even the right PIN
    other = person_named(demo_db_path, "陈志强")  # counted per person
    check_pin(db, time.clock(), other.id, DEMO_PIN)
    time.at += timedelta(seconds=1)
    check_pin(db, time.clock(), wang.id, DEMO_PIN)  # released after 15 minutes
    assert get_lockout(db, wang.id) == PinLockout()


def test_lock_time_is_said_in_the_users_time_zone(demo_db_path: Path) -> None:
    wang = person_named(demo_db_path, "王丽华")
    db = connect(demo_db_path)
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    clock = Clock(tz=ZoneInfo("Europe/Berlin"), source=lambda: at)
    for _ in range(4):
        with pytest.raises(PinWrongError):
            check_pin(db, clock, wang.id, "0000")
    with raises_saying(PinLockedError, "until 2026-11-23 03:15"):
        check_pin(db, clock, wang.id, "0000")


def test_a_right_pin_resets_the_count(demo_db_path: Path) -> None:
    wang = person_named(demo_db_path, "王丽华")
    db = connect(demo_db_path)
    clock = MovingClock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)).clock()
    for _ in range(4):
        with pytest.raises(PinWrongError):
            check_pin(db, clock, wang.id, "0000")
    check_pin(db, clock, wang.id, DEMO_PIN)
    with raises_saying(PinWrongError, "4 tries left"):
        check_pin(db, clock, wang.id, "0000")


def test_no_pin_yet_is_refused_not_passed(demo_db_path: Path, clock: Clock) -> None:
    db = connect(demo_db_path)
    wang = person_named(demo_db_path, "王丽华")
    organisation.set_person_pin(db, wang.id, None)
    with raises_saying(PinNotSetError, "no sign-off PIN yet: set one first"):
        check_pin(db, clock, wang.id, "")


# pqm person ---------------------------------------------------------------------------
def run(
    db_path: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None
) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    # the administrator (系统管理员) sets and clears other people's PINs
    return main(["--db", str(db_path), "--lang", "zh", "--as", "徐静", *args])


def test_cli_sets_a_first_pin(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = connect(demo_db_path)
    person = organisation.inspectors(db)[0]
    organisation.set_person_pin(db, person.id, None)
    chen = person_named(demo_db_path, "陈志强")
    assert run(demo_db_path, "--as", chen.id, "person", "pin", person.name, "--pin-stdin",
               stdin="13579\n", monkeypatch=monkeypatch) == 2  # fmt: skip
    assert "陈志强 无权重置他人的签字密码：仅限系统管理员" in capsys.readouterr().err
    own = ("--as", person.id, "person", "pin", person.name, "--pin-stdin")
    assert run(demo_db_path, *own, stdin="12ab\n", monkeypatch=monkeypatch) == 2
    assert "4–8 位数字" in capsys.readouterr().err
    assert organisation.get_person(db, person.id).pin_hash is None
    assert run(demo_db_path, *own, stdin="13579\n", monkeypatch=monkeypatch) == 0
    assert person.name in capsys.readouterr().out
    stored = organisation.get_person(db, person.id).pin_hash
    assert stored and verify_pin("13579", stored) and "13579" not in stored

    assert run(demo_db_path, "person", "list") == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if line.startswith(person.name))
    assert "已设" in row and "签字密码" in listing


def test_changing_ones_own_pin_needs_the_old_one(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wang = person_named(demo_db_path, "王丽华")
    base = ("--as", wang.id, "person", "pin", wang.name, "--pin-stdin")
    monkeypatch.setenv("PQM_PIN", "4321")  # not his PIN
    assert run(demo_db_path, *base, stdin="2580\n", monkeypatch=monkeypatch) == 2
    assert "签字密码不对；再错 4 次" in capsys.readouterr().err
    assert verify_pin(DEMO_PIN, person_named(demo_db_path, "王丽华").pin_hash or "")
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, *base, stdin="2580\n", monkeypatch=monkeypatch) == 0
    assert "已修改" in capsys.readouterr().out
    assert verify_pin("2580", person_named(demo_db_path, "王丽华").pin_hash or "")


def test_cli_asks_twice_and_refuses_a_mismatch(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = connect(demo_db_path)
    person = organisation.inspectors(db)[0]
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    answers = iter(["2468", "4321"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(demo_db_path, "person", "pin", person.name) == 2
    assert "不一致" in capsys.readouterr().err
    assert verify_pin(DEMO_PIN, organisation.get_person(db, person.id).pin_hash or "")
    answers = iter(["2580", "2580"])
    assert run(demo_db_path, "person", "pin", person.name) == 0
    assert verify_pin("2580", organisation.get_person(db, person.id).pin_hash or "")


def test_an_administrators_reset_is_recorded(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chen = person_named(demo_db_path, "徐静")  # the administrator
    liu = person_named(demo_db_path, "刘芳")
    db = connect(demo_db_path)
    for _ in range(5):  # 刘芳 locked herself out
        with pytest.raises(PinError):
            check_pin(db, Clock(tz=SHANGHAI), liu.id, "0000")
    before = db.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    assert run(demo_db_path, "--as", chen.id, "person", "pin", liu.name, "--reset",
               "--pin-stdin", stdin="86420\n", monkeypatch=monkeypatch) == 0  # fmt: skip
    assert "已由 徐静 重置" in capsys.readouterr().out
    assert verify_pin("86420", person_named(demo_db_path, "刘芳").pin_hash or "")
    assert get_lockout(db, liu.id) == PinLockout()
    rows = db.execute(
        "SELECT actor, table_name, row_id, old, new FROM audit_log WHERE seq > ?", [before]
    ).fetchall()
    changes = [r for r in rows if r[1] == "people" and r[2] == liu.id]
    assert [r[0] for r in changes] == [chen.id]  # who; ``at`` says when
    assert all("86420" not in str(r) for r in rows)
    assert run(demo_db_path, "--as", chen.id, "person", "pin", liu.name, "--clear") == 0
    assert person_named(demo_db_path, "刘芳").pin_hash is None


def test_a_pin_on_the_command_line_is_refused(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for words in (["--pin", "1234"], ["--pin=1234"]):
        assert main(["--db", str(demo_db_path), "--lang", "en", "keys", "list", *words]) == 2
        said = capsys.readouterr().err
        assert "visible to every user" in said and "PQM_PIN" in said and "1234" not in said


def test_no_terminal_and_no_pqm_pin_is_refused(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PQM_PIN", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(demo_db_path, "keys", "init", "--person", "王丽华") == 2
    said = capsys.readouterr().err
    assert "没有终端可以输入" in said and "PQM_PIN" in said


# the sign-off dialog ------------------------------------------------------------------
@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    db = connect(demo_db_path)  # acting as the inspector of the walk to be signed
    done = inspections.list_inspections(db, status=InspectionStatus.COMPLETED)
    inspector = done[0].inspection.inspector_ids[0]
    db.close()
    return create_app(settings, db_path=demo_db_path, actor=inspector, clock=clock)


def receiver_pin_asked(dialog: SignOffDialog) -> bool:
    """The receiver's PIN field (always shown) asks for his PIN by name."""
    hint = dialog.query_one("#receiver-pin", Input).placeholder
    return "签字密码" in hint and "不必填写" not in hint


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
    others = [organisation.get_person(db, i) for i in inspection.inspector_ids[1:]]
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
        assert receiver_pin_asked(dialog)
        error = dialog.query_one("#error", Static)

        await pilot.press("ctrl+s")  # no PIN typed
        assert app.screen is dialog
        assert f"请输入 {inspector.name} 的签字密码" in str(error.render())
        pin.value = "1111"
        await pilot.press("ctrl+s")  # wrong PIN
        assert app.screen is dialog and pin.value == ""
        assert f"{inspector.name} 的签字密码不对；再错 4 次" in str(error.render())
        # the form is kept: every tick, the receiver and his role
        assert len(dialog.query_one("#inspectors", SelectionList).selected) == len(
            inspection.inspector_ids
        )
        assert dialog.query_one("#receiver", Input).value == receiver.name
        pin.value = "2468"
        receiver_pin.value = "13579"
        await pilot.press("ctrl+s")  # the receiver's PIN is wrong
        assert app.screen is dialog
        assert f"{receiver.name} 的签字密码不对" in str(error.render())
        assert inspections.get_inspection(db, inspection_id).status != InspectionStatus.SIGNED

        for other in others:  # the demo's PIN
            dialog.query_one(f"#pin-{other.id}", Input).value = DEMO_PIN
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


async def test_an_inspector_without_a_pin_sets_one_first(
    app: PQMApp, demo_db_path: Path, clock: Clock, settings: Settings
) -> None:
    """No PIN is no silent pass: the dialog asks a new one, twice, then signs."""
    inspection_id = ready_to_sign(demo_db_path, clock, settings)
    db = connect(demo_db_path)
    inspection = inspections.get_inspection(db, inspection_id)
    people = [organisation.get_person(db, i) for i in inspection.inspector_ids]
    organisation.set_person_pin(db, people[0].id, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await app.push_screen(SummaryScreen(inspection_id))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        assert not dialog.query(f"#pin-{people[0].id}")
        dialog.query_one("#inspectors", SelectionList).select_all()
        dialog.query_one("#receiver", Input).value = "外来接收人"
        await pilot.pause()
        assert "不必填写" in dialog.query_one("#receiver-pin", Input).placeholder
        for other in people[1:]:
            dialog.query_one(f"#pin-{other.id}", Input).value = DEMO_PIN
        error = dialog.query_one("#error", Static)
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        assert f"{people[0].name} 尚未设置签字密码" in str(error.render())
        dialog.query_one(f"#new-pin-{people[0].id}", Input).value = "5678"
        dialog.query_one(f"#again-pin-{people[0].id}", Input).value = "5679"
        await pilot.press("ctrl+s")
        assert app.screen is dialog and "不一致" in str(error.render())
        dialog.query_one(f"#again-pin-{people[0].id}", Input).value = "5678"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    assert inspections.get_inspection(db, inspection_id).status == InspectionStatus.SIGNED
    assert verify_pin("5678", organisation.get_person(db, people[0].id).pin_hash or "")


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
        assert receiver_pin_asked(dialog)  # his PIN is asked for


# the organisation screen's PIN form ---------------------------------------------------
async def open_person(app: PQMApp, pilot: Pilot[Any], person_id: str) -> OrganisationScreen:
    """The organisation screen's people tab, the cursor on ``person_id``."""
    await app.push_screen(OrganisationScreen("people"))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, OrganisationScreen)
    table = screen.query_one("#table-people", DataTable)
    table.move_cursor(row=table.get_row_index(person_id))
    await pilot.pause()
    return screen


async def test_an_administrator_resets_another_pin_in_the_organisation_screen(
    demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    chen = person_named(demo_db_path, "徐静")  # the administrator
    liu = person_named(demo_db_path, "刘芳")
    app = create_app(settings, db_path=demo_db_path, actor=chen.id, clock=clock)
    before = app.db.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await open_person(app, pilot, liu.id)
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog) and "重置 刘芳 的签字密码" in form.title_text
        assert not form.query("#field-current")  # an administrator's reset: no old PIN
        await pilot.press(*"8642", "tab", *"8642", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
    assert verify_pin("8642", person_named(demo_db_path, "刘芳").pin_hash or "")
    rows = app.db.execute(
        "SELECT actor, row_id FROM audit_log WHERE seq > ? AND table_name = 'people'", [before]
    ).fetchall()
    assert [tuple(r) for r in rows] == [(chen.id, liu.id)]


async def test_changing_ones_own_pin_in_the_organisation_screen(
    demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    chen = person_named(demo_db_path, "陈志强")
    app = create_app(settings, db_path=demo_db_path, actor=chen.id, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await open_person(app, pilot, chen.id)
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog) and "修改 陈志强 的签字密码" in form.title_text
        await pilot.press(*"0000", "tab", *"2468", "tab", *"2468", "ctrl+s")
        await pilot.pause()
        assert app.screen is form  # a wrong current PIN: refused, PINs emptied
        assert "再错 4 次" in str(form.query_one("#error", Static).render())
        assert form.values() == {"current": "", "new": "", "again": ""}
        form.query_one("#field-current", Input).focus()
        await pilot.press(*DEMO_PIN, "tab", *"2468", "tab", *"2468", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OrganisationScreen)
    assert verify_pin("2468", person_named(demo_db_path, "陈志强").pin_hash or "")


def test_a_decision_on_the_command_line_needs_the_deciders_pin(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pqm_tui.model import review
    from pqm_tui.model.rectification import get_item, list_events

    db = connect(demo_db_path)
    today = FIXED.date()
    rows = review.page(db, review.ReviewFilter(status="open"), today, limit=1000)
    item_id = next(r.id for r in rows if r.pending is None and (r.days_left(today) or -1) >= 0)
    asked = get_item(db, item_id)
    rect.request_extension(  # the project asks; 陈志强 (品管组长) decides
        db,
        Clock(tz=SHANGHAI, source=lambda: FIXED),
        item_id,
        actor=manager_of(db, asked.project_id),
        reason="材料未到",
        measures="临时围挡",
        proposed=today + timedelta(days=10),
    )
    chen = person_named(demo_db_path, "陈志强")
    decide = ("--as", chen.id, "item", "decide", item_id, "--reject", "--reason", "证据不足")
    events = len(list_events(db, item_id))
    monkeypatch.delenv("PQM_PIN", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(demo_db_path, *decide) == 2  # no terminal, no PQM_PIN: refused, not decided
    assert "PQM_PIN" in capsys.readouterr().err
    monkeypatch.setenv("PQM_PIN", "0000")
    assert run(demo_db_path, *decide) == 2
    assert "陈志强 的签字密码不对；再错 4 次" in capsys.readouterr().err
    assert len(list_events(db, item_id)) == events and get_item(db, item_id)
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    assert run(demo_db_path, *decide) == 0
    assert list_events(db, item_id)[-1].reason == "证据不足"
