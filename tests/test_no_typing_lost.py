"""No typing is ever lost (输入不丢失): keys typed as the panel opens, quitting with a typed
panel, forms that stay open with what was typed and say why under the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Select, SelectionList, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import Result
from pqm_tui.model.errors import RuleError
from pqm_tui.model.rectification import list_events
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.quit import QuitDialog
from pqm_tui.screens.dialogs.reply import ReplyDialog
from pqm_tui.screens.dialogs.search import SearchDialog
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.dialogs.start import StartInspectionScreen
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services import signoff
from pqm_tui.services.demo import DEMO_PIN
from tests.test_review_dialogs import as_manager, cursor_to, fill, open_review, pick, settle
from tests.test_review_dialogs import make_app as review_app
from tests.test_walk import start_new


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


async def test_keys_typed_as_the_panel_opens_are_kept(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        first = walk.current_item
        await pilot.press("f", *"dengguang")  # no pause: typed while the panel opens
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        assert panel.query_one("#note", Input).value == "dengguang"
        assert walk.walk.finding(walk.area_id, first or "") is None  # no key answered an item


async def test_quit_with_a_typed_panel_asks_and_saves(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        area, item = walk.area_id, walk.current_item
        assert item is not None
        await pilot.press("f")
        await pilot.pause()
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "所有记录均已保存" in commands["退出"]  # nothing typed yet
        await pilot.press(*"louti")
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "所有记录均已保存" not in commands["退出"]
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        assert "尚未保存" in str(app.screen.query_one(".dialog-title", Static).render())
        await pilot.press("escape")  # stay: the typing is still there
        await pilot.pause()
        assert isinstance(app.screen, FindingPanel)
        assert app.screen.query_one("#note", Input).value == "louti"
        await pilot.press("ctrl+q", "s")
        await pilot.pause()
        await pilot.pause()
        finding = walk.walk.finding(area, item)
        assert finding is not None and finding.result == Result.FAIL
        assert finding.note == "louti"
    assert app.return_code == 0


async def test_quit_with_a_typed_panel_can_discard(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        area, item = walk.area_id, walk.current_item
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"abc", "ctrl+q", "d")
        await pilot.pause()
        assert walk.walk.finding(area, item or "") is None
    assert not app.is_running


async def test_quit_with_an_untouched_panel_does_not_ask(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_escape_on_a_typed_panel_asks_before_closing(app: PQMApp) -> None:
    """Esc with a typed note asks (save / discard / stay) as ctrl+q does; untouched, it closes."""
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        area, item = walk.area_id, walk.current_item
        assert item is not None
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert app.screen is walk
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"louti", "escape")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        title = str(app.screen.query_one(".dialog-title", Static).render())
        assert "尚未保存" in title and "关闭前" in title
        await pilot.press("escape")  # stay: the typing is still there
        await pilot.pause()
        assert isinstance(app.screen, FindingPanel)
        assert app.screen.query_one("#note", Input).value == "louti"
        await pilot.press("escape", "d")  # discard: closed, nothing recorded
        await pilot.pause()
        assert app.screen is walk and walk.walk.finding(area, item) is None
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"louti", "escape", "s")  # save: recorded as typed, app still open
        await pilot.pause()
        await pilot.pause()
        assert app.screen is walk and app.is_running
        finding = walk.walk.finding(area, item)
        assert finding is not None and finding.result == Result.FAIL
        assert finding.note == "louti"


async def test_a_burst_with_tabs_fills_the_panel_field_by_field(app: PQMApp) -> None:
    """A terminal delivers "note, Tab ×5, photo path" at once: the Tabs move on before the
    next text arrives (seen in tmux: the path ended up in the note)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        for key in [*"ab", *["tab"] * 5, *"/x.jpg"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await pilot.pause()
        assert panel.query_one("#note", Input).value == "ab"
        assert panel.query_one("#photo", Input).value == "/x.jpg"


async def test_keys_queued_behind_f_go_to_the_note(app: PQMApp) -> None:
    """As a terminal delivers them: all keys already queued when ``f`` is handled."""
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        first = walk.current_item
        for key in "fxiaoqu":
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        assert panel.query_one("#note", Input).value == "xiaoqu"
        assert walk.walk.finding(walk.area_id, first or "") is None


# ------------------------------------------------------------------ the review's forms
async def test_a_reply_dated_in_the_future_is_refused_as_typed(
    demo_db_path: Path, clock: Clock
) -> None:
    app = review_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)  # the project replies
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        await fill(pilot, "更换灯具")
        await pilot.press("tab")
        await fill(pilot, "2026-12-01")  # after today (2026-11-23): said before saving
        await pilot.pause()
        under = str(dialog.query_one("#error-date", Static).render())
        assert "2026-12-01" in under and "晚于今天" in under
        assert dialog.query_one("#error-date").has_class("shown")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # stays open, what was typed kept
        assert dialog.values()["done"] == "更换灯具"
        assert not [e for e in list_events(app.db, item_id) if e.action == "reply"]
        await fill(pilot, "2026-11-22")
        await pilot.pause()
        assert str(dialog.query_one("#error-date", Static).render()) == ""
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [e for e in list_events(app.db, item_id) if e.action == "reply"]


async def test_replying_to_a_replied_item_is_refused_before_typing(
    demo_db_path: Path, clock: Clock
) -> None:
    app = review_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        replied = next(r.id for r in screen.page_rows.values() if r.status == "replied")
        await cursor_to(screen, pilot, replied)
        as_manager(app, replied)  # the project replies
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is screen  # no form to fill in for nothing
        said = [n.message for n in app._notifications]
        assert any("已回复" in m for m in said), said
        assert not any(
            len(w) >= 8 and all(c in "0123456789abcdef" for c in w)
            for m in said
            for w in m.replace("：", " ").split()
        )


# ------------------------------------------------------------------ sign-off
async def test_a_refused_sign_off_stays_open_with_what_was_typed(
    app: PQMApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise RuleError("errors.inspection.unanswered", count=3)

    monkeypatch.setattr(signoff, "sign_off", refuse)
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        await pilot.press("x", "y")  # finish
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen) and summary is not walk
        await pilot.press("a", "y")  # the unanswered items: N/A
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        dialog.query_one("#inspectors", SelectionList).select_all()
        dialog.query_one("#receiver", Input).value = "张经理"
        for field in dialog.query(Input):
            if (field.id or "").startswith("pin-"):
                field.value = DEMO_PIN
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # not closed: the receiver typed is still there
        assert dialog.query_one("#receiver", Input).value == "张经理"
        said = str(dialog.query_one("#error", Static).render())
        assert "还有 3 项未检查" in said


async def test_quit_with_a_typed_reply_form_asks_and_saves(
    demo_db_path: Path, clock: Clock
) -> None:
    app = review_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        item_id = pick(screen, status="open", in_time=True)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)  # the project replies
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+q")  # nothing typed yet: quitting does not ask ...
        await pilot.pause()
        assert not app.is_running
    app = review_app(demo_db_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await cursor_to(screen, pilot, item_id)
        as_manager(app, item_id)  # the project replies
        await pilot.press("r")
        await pilot.pause()
        await fill(pilot, "geng huan deng ju")
        await pilot.press("ctrl+q")  # ... once something is typed, it does
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("s")
        await pilot.pause()
        await pilot.pause()
    assert [e for e in list_events(app.db, item_id) if e.action == "reply"]


async def test_a_refused_start_form_says_why_under_the_field(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "n")  # not the demo draft; a new inspection
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StartInspectionScreen)
        form.query_one("#time", Input).value = "2026-11-23 9点"
        project = form.query_one("#project", Select).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        under = form.query_one("#error-time", Static)
        assert "格式不对" in str(under.render()) and under.has_class("shown")
        assert under.region.y == form.query_one("#time").region.y + 1  # right under the field
        assert form.query_one("#time", Input).has_focus
        assert form.query_one("#project", Select).value == project  # what was chosen is kept


async def test_a_deduction_above_the_cap_is_said_as_typed(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await start_new(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        panel.query_one("#deduction", Input).focus()
        await pilot.press("end", "ctrl+u", *"99")
        await pilot.pause()
        said = str(panel.query_one("#error", Static).render())
        assert "99" in said and "最多" in said  # before any save
        await pilot.press("ctrl+u", "1")
        await pilot.pause()
        assert str(panel.query_one("#error", Static).render()) == ""


async def test_keys_queued_behind_slash_go_to_the_search(app: PQMApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        first = walk.current_item
        for key in ("slash", "z", "x"):  # x (finish) and z as a terminal delivers them
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await pilot.pause()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SearchDialog)
        assert dialog.query_one("#query", Input).value == "zx"
        assert walk.walk.finding(walk.area_id, first or "") is None
