"""The review's extension, appeal and decision dialogs, driven by keys as a supervisor would.

On the demo database (clock fixed at 2026-11-23): select a row, press the action's
key, fill the form, save; then check the item, its events and what the table shows.
Bad input must be named in the dialog (or before it opens) and change nothing.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.identity import resolve_person
from pqm_tui.model.organisation import get_person
from pqm_tui.model.rectification import get_item, list_events
from pqm_tui.screens.dialogs.appeal import AppealDialog
from pqm_tui.screens.dialogs.decide import DecideDialog
from pqm_tui.screens.dialogs.extension import ExtensionDialog
from pqm_tui.screens.review import ReviewScreen
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.rectification import State, state_of
from tests.people import general_manager_of, manager_of

TODAY = "2026-11-23"


def make_app(path: Path, clock: Clock) -> PQMApp:
    return create_app(Settings(timezone="Asia/Shanghai"), db_path=path, actor="陈志强", clock=clock)


def as_manager(app: PQMApp, item_id: str) -> str:
    """Act as the project manager of the item's project (who asks); his id."""
    manager = manager_of(app.db, get_item(app.db, item_id).project_id)
    app.act_as(get_person(app.db, manager))
    return manager


def as_person(app: PQMApp, name: str) -> None:
    app.act_as(resolve_person(app.db, name))


def as_general_manager(app: PQMApp, item_id: str) -> None:
    """Act as the city general manager of the item's project (the appeal's final word)."""
    app.act_as(get_person(app.db, general_manager_of(app.db, get_item(app.db, item_id).project_id)))


async def settle(app: PQMApp, pilot) -> ReviewScreen:  # type: ignore[no-untyped-def]
    """Wait for the review's loading worker and the refresh that follows."""
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen), type(screen).__name__
    return screen


async def open_review(app: PQMApp, pilot) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    if type(app.screen).__name__ == "ConfirmDialog":  # "resume the draft?" — not now
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("v")
    return await settle(app, pilot)


def pick(screen: ReviewScreen, *, status: str, in_time: bool, skip: int = 0) -> str:
    """A row with no pending request, by status and whether its deadline is still ahead."""
    rows = [
        r
        for r in screen.page_rows.values()
        if r.status == status
        and r.pending is None
        and r.deadline is not None
        and (r.deadline >= TODAY) == in_time
    ]
    return rows[skip].id


async def cursor_to(screen: ReviewScreen, pilot, item_id: str) -> None:  # type: ignore[no-untyped-def]
    table = screen.query_one("#review-table", DataTable)
    table.move_cursor(row=table.get_row_index(item_id))
    await pilot.pause()


def table_ids(screen: ReviewScreen) -> list[str]:
    return [str(key.value) for key in screen.query_one("#review-table", DataTable).rows]


def cursor_row(screen: ReviewScreen) -> tuple[int, str]:
    """The cursor's line and the item on it."""
    table = screen.query_one("#review-table", DataTable)
    return table.cursor_row, str(
        table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    )


def cell(screen: ReviewScreen, item_id: str, column: str) -> str:
    return str(screen.query_one("#review-table", DataTable).get_cell(item_id, column))


def error_text(app: PQMApp) -> str:
    """What the form says is wrong: under its fields and below them."""
    return "\n".join(str(w.render()) for w in app.screen.query(".dialog-error").results(Static))


def notifications(app: PQMApp) -> list[str]:
    return [n.message for n in app._notifications]


async def fill(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Clear the focused input and type ``text`` key by key.

    Pilot cannot type full-width punctuation (，。) — a terminal delivers it; the
    typed texts here use spaces instead.
    """
    await pilot.press("end", "ctrl+u", *text)


# extension ---------------------------------------------------------------------------


async def test_extension_request_then_approval(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        before = get_item(app.db, item_id)
        assert before.deadline is not None
        await cursor_to(screen, pilot, item_id)
        manager = as_manager(app, item_id)

        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExtensionDialog)
        hint = str(dialog.query_one(".dialog-hint", Static).render())
        assert f"当前整改期限：{before.deadline}" in hint
        await pilot.press(*"材料未到货 厂家延迟发货", "enter")
        await pilot.press(*"设置临时围挡和警示牌", "enter")
        await fill(pilot, "2026-12-05")
        await pilot.press("enter")  # Enter in the last field saves
        screen = await settle(app, pilot)

        item = get_item(app.db, item_id)
        assert item.deadline == before.deadline  # a request changes no deadline ...
        assert state_of(app.db, item) == State.EXTENSION_REQUESTED  # ... it waits
        event = list_events(app.db, item_id)[-1]
        assert (event.action, event.actor) == ("extension-requested", manager)
        assert event.data == {
            "reason": "材料未到货 厂家延迟发货",
            "measures": "设置临时围挡和警示牌",
            "proposed": "2026-12-05",
        }
        assert screen.page_rows[item_id].pending == "extension-requested"
        assert cell(screen, item_id, "status") == "延期申请中"

        # the project manager may not decide his own request: said before any form
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("无权审批延期申请：仅限品管组长、品质部经理" in m for m in notifications(app))
        as_person(app, "陈志强")
        # the cursor stayed on the item: "d" decides this request, not the top row's
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        hint = str(dialog.query_one(".dialog-hint", Static).render())
        assert "申请延至 2026-12-05" in hint and "材料未到货" in hint
        decision = dialog.query_one("#field-decision", Select)
        assert app.focused is decision  # the decision is the first thing asked
        assert decision.selection == "approve"
        await pilot.press("tab", *"同意 请按期完成")
        pin = dialog.query_one("#field-pin", Input)
        assert pin.password
        pin.value = "0000"
        await pilot.press("ctrl+s")  # a wrong PIN: refused, the form kept, the PIN emptied
        await pilot.pause()
        assert app.screen is dialog and pin.value == ""
        assert "陈志强 的签字密码不对；再错 4 次" in str(
            dialog.query_one("#error", Static).render()
        )
        assert dialog.values()["reason"] == "同意 请按期完成"
        assert get_item(app.db, item_id).deadline == before.deadline
        pin.value = DEMO_PIN
        await pilot.press("ctrl+s")  # empty date: as asked
        screen = await settle(app, pilot)

        item = get_item(app.db, item_id)
        assert item.deadline == "2026-12-05"
        assert state_of(app.db, item) == State.OPEN
        event = list_events(app.db, item_id)[-1]
        assert event.action == "extension-approved"
        assert event.data == {"old_deadline": before.deadline, "new_deadline": "2026-12-05"}
        assert cell(screen, item_id, "deadline") == "2026-12-05"
        assert cell(screen, item_id, "status") == "待整改"
        assert cell(screen, item_id, "days") == "剩 12 天"
        assert cursor_row(screen)[1] == item_id  # the row moved (later deadline), the cursor too


async def test_extension_approved_with_another_date(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True, skip=1)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)
        await pilot.press("e", *"人手不足", "enter", *"先清理现场", "ctrl+s")
        screen = await settle(app, pilot)
        as_person(app, "陈志强")
        await pilot.press("d", "tab", *"只批到月底", "tab")
        await fill(pilot, "2026-11-30")
        await pilot.press("enter", *DEMO_PIN, "enter")  # on to the PIN, then save
        await settle(app, pilot)
        assert get_item(app.db, item_id).deadline == "2026-11-30"
        assert list_events(app.db, item_id)[-1].data["new_deadline"] == "2026-11-30"


BAD_EXTENSIONS = [  # reason, date asked, what the dialog must say
    ("", "2026-12-05", "请填写「延期原因」"),
    ("   ", "2026-12-05", "请填写「延期原因」"),
    ("材料未到货", "2026-13-01", "「申请延至」不是有效日期：2026-13-01"),
    ("材料未到货", "12/05/2026", "「申请延至」不是有效日期：12/05/2026"),
    ("材料未到货", "", "请填写「申请延至」"),
    ("材料未到货", "{deadline}", "申请日期 {deadline} 须晚于当前期限 {deadline}"),
    ("材料未到货", "2026-11-01", "申请日期 2026-11-01 须晚于当前期限 {deadline}"),
]


async def test_extension_bad_input_is_named_and_changes_nothing(
    demo_db_path: Path, clock: Clock
) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        before = get_item(app.db, item_id)
        events = len(list_events(app.db, item_id))
        deadline = str(before.deadline)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)
        await pilot.press("e")
        await pilot.pause()
        for reason, asked, message in BAD_EXTENSIONS:
            await fill(pilot, reason)
            await pilot.press("tab")
            await fill(pilot, "设置警示")
            await pilot.press("tab")
            await fill(pilot, asked.format(deadline=deadline))
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ExtensionDialog), (reason, asked)
            assert message.format(deadline=deadline) in error_text(app)
            assert app.screen.values()["measures"] == "设置警示"  # what was typed is kept
            app.screen.query_one("#field-reason").focus()  # the cursor went to the bad field
            await pilot.pause()
        await pilot.press("escape")  # give up
        screen = await settle(app, pilot)
        assert get_item(app.db, item_id) == before
        assert len(list_events(app.db, item_id)) == events
        assert screen.page_rows[item_id].pending is None


async def test_extension_refused_before_the_dialog(demo_db_path: Path, clock: Clock) -> None:
    """Past its deadline, or already replied: said at once, no form to fill in for nothing."""
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        late = pick(screen, status="open", in_time=False)
        replied = pick(screen, status="replied", in_time=False)
        for item_id, expected in (
            (late, f"整改期限 {screen.page_rows[late].deadline} 已过，延期须在期限前申请"),
            (replied, "无法申请延期：该项当前为「已回复」"),
        ):
            events = len(list_events(app.db, item_id))
            await cursor_to(screen, pilot, item_id)
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            assert any(expected in m for m in notifications(app)), notifications(app)
            assert len(list_events(app.db, item_id)) == events


# appeal and decision -----------------------------------------------------------------


async def appeal(app: PQMApp, pilot, screen: ReviewScreen, item_id: str) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await cursor_to(screen, pilot, item_id)
    as_manager(app, item_id)
    await pilot.press("p")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, AppealDialog)
    assert "日期" not in str(dialog.query_one(".dialog-keys", Static).render())
    await pilot.press(*"检查当日暴雨 属不可抗力", "enter")
    return await settle(app, pilot)


async def test_appeal_rejected_returns_to_rectification(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="replied", in_time=False)
        screen = await appeal(app, pilot, screen, item_id)
        item = get_item(app.db, item_id)
        assert state_of(app.db, item) == State.APPEAL_REQUESTED
        event = list_events(app.db, item_id)[-1]
        assert (event.action, event.data) == (
            "appeal-requested",
            {"grounds": "检查当日暴雨 属不可抗力"},
        )
        assert cell(screen, item_id, "status") == "申诉待初审"  # the stage, not just 申诉中

        for step, who in (("first", "黄建国"), ("final", "")):  # 初审, then 终审
            if who:
                as_person(app, who)
            else:
                as_general_manager(app, item_id)
            await pilot.press("d")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, DecideDialog), step
            assert not dialog.query("#field-deadline")  # no deadline to set for an appeal
            hint = str(dialog.query_one(".dialog-hint", Static).render())
            assert "申诉理由：检查当日暴雨" in hint
            assert ("初审（黄建国）：驳回" in hint) == (step == "final")
            # what this step does: a first review records an opinion for the final decision
            assert ("本次为初审" in hint) == (step == "first")
            assert ("以更正记录撤销" in hint) == (step == "final")
            title = str(dialog.query_one(".dialog-title", Static).render())
            assert ("申诉初审 1 项" if step == "first" else "申诉终审 1 项") in title
            await pilot.press("enter", "down", "enter")  # open the choice, pick 驳回
            await pilot.pause()
            assert dialog.query_one("#field-decision", Select).selection == "reject"
            await pilot.press("tab", *"照片显示雨前已积水 维持原判")
            dialog.query_one("#field-pin", Input).value = DEMO_PIN
            await pilot.press("ctrl+s")
            screen = await settle(app, pilot)
            said = " ".join(n.message for n in app._notifications)
            if step == "first":  # recorded; the appeal waits for the final decision
                assert list_events(app.db, item_id)[-1].action == "appeal-reviewed"
                assert cell(screen, item_id, "status") == "申诉待终审"
                assert "已记录 1 项申诉的初审意见，待城市公司总经理终审" in said
                assert "已处理" not in said
                await pilot.press("d")  # his step is done: he is told what the item waits for
                await pilot.pause()
                assert app.screen is screen
                assert any("申诉待终审：黄建国 无权终审申诉" in m for m in notifications(app))
            else:
                assert "1 项申诉终审驳回" in said

        item = get_item(app.db, item_id)
        assert item.status.value == "replied"  # back where it was, waiting for re-inspection
        assert state_of(app.db, item) == State.REPLIED
        event = list_events(app.db, item_id)[-1]
        assert (event.action, event.reason) == ("appeal-rejected", "照片显示雨前已积水 维持原判")
        assert screen.page_rows[item_id].pending is None
        assert cell(screen, item_id, "status") == "已回复"


async def test_appeal_upheld_voids_the_item(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=False, skip=2)  # not on the first line
        counts = dict(screen.counts)
        table_order = table_ids(screen)
        screen = await appeal(app, pilot, screen, item_id)
        assert cell(screen, item_id, "status") == "申诉待初审"
        line = cursor_row(screen)[0]
        as_person(app, "黄建国")
        await pilot.press("d", "tab", *"初审属实")
        app.screen.query_one("#field-pin", Input).value = DEMO_PIN
        await pilot.press("ctrl+s")  # the first level changes nothing
        screen = await settle(app, pilot)
        assert get_item(app.db, item_id).status.value == "open"
        as_general_manager(app, item_id)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        assert str(dialog.query_one("#field-decision", Select).value) == "approve"
        await pilot.press("tab", *"经核实属实")
        dialog.query_one("#field-pin", Input).value = DEMO_PIN
        await pilot.press("ctrl+s")
        screen = await settle(app, pilot)

        item = get_item(app.db, item_id)
        assert item.status.value == "voided"
        event = list_events(app.db, item_id)[-1]
        assert (event.action, event.reason) == ("appeal-upheld", "经核实属实")
        assert event.data["amendment_id"]  # the finding voided by an amendment, traceably
        assert item_id not in screen.page_rows  # the review shows open and replied items
        assert cursor_row(screen) == (line, table_order[line + 1])  # on the next item
        assert screen.counts["voided"] == counts["voided"] + 1
        assert screen.counts["open"] == counts["open"] - 1
        assert screen.counts["overdue"] == counts["overdue"] - 1


async def test_appeal_and_decision_refuse_bad_input(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        await cursor_to(screen, pilot, item_id)
        events = len(list_events(app.db, item_id))

        await pilot.press("d")  # nothing pending: no dialog
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "选中的整改项没有待审批的延期或申诉" in notifications(app)

        as_manager(app, item_id)
        await pilot.press("p", *"  ", "enter")  # blank grounds
        await pilot.pause()
        assert isinstance(app.screen, AppealDialog)
        assert "请填写「申诉理由」" in error_text(app)
        await pilot.press("escape")
        screen = await settle(app, pilot)
        assert len(list_events(app.db, item_id)) == events

        screen = await appeal(app, pilot, screen, item_id)
        await pilot.press("p")  # a second appeal while the first waits: refused at once
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("该项当前为「申诉中」" in m for m in notifications(app))

        as_person(app, "黄建国")
        await pilot.press("d", "tab", "ctrl+s")  # a decision without a reason
        await pilot.pause()
        assert isinstance(app.screen, DecideDialog)
        assert "请填写「审批意见」" in error_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(list_events(app.db, item_id)) == events + 1  # the appeal only
        assert state_of(app.db, get_item(app.db, item_id)) == State.APPEAL_REQUESTED


async def test_cursor_after_reloads(demo_db_path: Path, clock: Clock) -> None:
    """A refresh keeps the cursor's item; a new sort or filter starts on the first row."""
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_review(app, pilot)
        item_id = table_ids(screen)[3]
        await cursor_to(screen, pilot, item_id)
        await pilot.press("f5")
        screen = await settle(app, pilot)
        assert cursor_row(screen) == (3, item_id)
        await pilot.press("S")  # reversed: the latest deadlines first, seen from the top
        screen = await settle(app, pilot)
        assert cursor_row(screen)[0] == 0
        assert cursor_row(screen)[1] == table_ids(screen)[0] != item_id


async def test_a_form_names_the_items_it_is_about(demo_db_path: Path, clock: Clock) -> None:
    from textual.widgets import Static

    from pqm_tui.screens.dialogs.reply import ReplyDialog

    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        row = screen.page_rows[item_id]
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        subject = str(dialog.query_one("#subject", Static).render())
        assert row.item_code in subject and row.area_name in subject
        assert row.project_name in subject


async def test_a_missing_reply_photo_is_said_in_the_form_and_nothing_is_lost(
    demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    from textual.widgets import Input

    from pqm_tui.model.rectification import list_events
    from pqm_tui.screens.dialogs.reply import ReplyDialog

    app = make_app(demo_db_path, clock)
    missing = tmp_path / "no-such.jpg"
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        await cursor_to(screen, pilot, item_id)
        await pilot.press("r")  # the group leader replies for no project: refused, no form
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("陈志强 无权整改回复" in m for m in notifications(app))
        as_manager(app, item_id)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        await fill(pilot, "已更换灯具")
        dialog.query_one("#field-photos", Input).value = str(missing)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # still open, with what was typed
        assert dialog.query_one("#field-done", Input).value == "已更换灯具"
        message = error_text(app)
        assert str(missing) in message and "no such file" not in message
        assert not [e for e in list_events(app.db, item_id) if e.action == "reply"]


async def test_a_reply_dated_before_the_finding_is_refused_in_the_form(
    demo_db_path: Path, clock: Clock
) -> None:
    """完成日期 before the problem was recorded is said under the field, with the earliest
    date allowed; nothing is recorded until the date is right."""
    from textual.widgets import Input

    from pqm_tui.model.findings import get_finding
    from pqm_tui.model.rectification import get_item, list_events
    from pqm_tui.screens.dialogs.reply import ReplyDialog

    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        finding = get_finding(app.db, get_item(app.db, item_id).finding_id)
        recorded = clock.local_date_of(finding.created_at)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        await fill(pilot, "已更换灯具")
        early = recorded.replace(day=1) if recorded.day > 1 else recorded.replace(month=1, day=1)
        dialog.query_one("#field-date", Input).value = early.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        message = error_text(app)
        assert "「完成日期」" in message and f"最早可填 {recorded.isoformat()}" in message
        assert not [e for e in list_events(app.db, item_id) if e.action == "reply"]
        dialog.query_one("#field-date", Input).value = recorded.isoformat()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [e.data["date"] for e in list_events(app.db, item_id) if e.action == "reply"] == [
            recorded.isoformat()
        ]
